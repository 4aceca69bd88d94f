"""LaTeX counters: values, reset chains and how ``\\the<counter>`` prints them.

A pure model of the part of the LaTeX kernel, the standard classes and amsmath that
decides printed numbers. It knows nothing about parsing: the LaTeX reader calls
:meth:`Counters.step` where LaTeX would call ``\\stepcounter``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Counters", "Template", "parse_template", "format_value", "CLASS_SECNUMDEPTH", "MAX_COUNTER_VALUE"]

# TeX's integers: a larger \setcounter is "Number too big", a larger sum "Arithmetic overflow".
MAX_COUNTER_VALUE = 2**31 - 1
# What one printed number may grow to: a Roman numeral of a huge value, or \the<counter>
# templates using each other, would otherwise take memory in proportion to the value.
_MAX_PRINTED_LENGTH = 1_000

# A template is how \the<counter> prints: a tuple of parts.
#   ("text", "A.")             literal text
#   ("value", counter, style)  \arabic{counter}, \Alph{counter}, ...
#   ("the", counter)           \the<counter>
#   ("positive", counter, template)  printed only when counter > 0 (report's \theequation)
Template = tuple[tuple, ...]

_STYLES = ("arabic", "alph", "Alph", "roman", "Roman", "fnsymbol")
_FNSYMBOLS = ("*", "†", "‡", "§", "¶", "‖", "**", "††", "‡‡")


def format_value(value: int, style: str) -> str:
    """``value`` printed as ``\\<style>{...}`` would print it."""
    if style == "arabic":
        return str(value)
    if style in ("alph", "Alph"):
        letter = chr(ord("a") + value - 1) if 1 <= value <= 26 else str(value)
        return letter.upper() if style == "Alph" else letter
    if style in ("roman", "Roman"):
        numeral = _roman(value)
        return numeral.upper() if style == "Roman" else numeral
    if style == "fnsymbol":
        return _FNSYMBOLS[value - 1] if 1 <= value <= len(_FNSYMBOLS) else str(value)
    return str(value)


def _roman(value: int) -> str:
    if value <= 0:
        return ""
    numerals = (
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    )
    out = []
    for amount, numeral in numerals:
        while value >= amount:
            out.append(numeral)
            value -= amount
    return "".join(out)


def arabic(counter: str) -> Template:
    return (("value", counter, "arabic"),)


def within(parent: str, counter: str, style: str = "arabic") -> Template:
    """``\\the<parent>.\\<style>{counter}``."""
    return (("the", parent), ("text", "."), ("value", counter, style))


_TEMPLATE_TOKEN = re.compile(
    r"\\(?P<style>arabic|alph|Alph|roman|Roman|fnsymbol)\s*\{\s*(?P<counter>[A-Za-z@*]+)\s*\}"
    r"|\\@(?P<atstyle>arabic|alph|Alph|roman|Roman|fnsymbol)\s*\\c@(?P<atcounter>[A-Za-z@]+)"
    r"|\\the(?P<the>[A-Za-z@]+)"
    r"|\\(?P<unknown>[A-Za-z@]+|.)"
    r"|(?P<brace>[{}])"
    r"|(?P<text>[^\\{}]+)",
    re.S,
)


def parse_template(body: str) -> Template | None:
    """The template of a ``\\renewcommand{\\the<counter>}{body}``, or None if too exotic."""
    parts: list[tuple] = []
    for token in _TEMPLATE_TOKEN.finditer(body):
        if token.group("style"):
            parts.append(("value", token.group("counter"), token.group("style")))
        elif token.group("atstyle"):
            parts.append(("value", token.group("atcounter"), token.group("atstyle")))
        elif token.group("the"):
            parts.append(("the", token.group("the")))
        elif token.group("unknown") is not None:
            if token.group("unknown") not in ("relax", "protect", " "):
                return None
        elif token.group("text"):
            text = token.group("text").replace("~", " ")
            if text.strip() or parts:
                parts.append(("text", text.strip("\n")))
    return tuple(parts)


@dataclass
class _Counter:
    value: int
    parent: str | None
    template: Template


# secnumdepth of the standard classes: sections numbered down to this level.
CLASS_SECNUMDEPTH = {"article": 3, "report": 2, "book": 2}


class Counters:
    """The counters of one document, with the kernel's reset chains."""

    def __init__(self) -> None:
        self._counters: dict[str, _Counter] = {}
        self._children: dict[str, list[str]] = {}
        self.prefixes: dict[str, Template] = {}  # \p@<counter>, e.g. enumii's "\theenumi"
        self.problems: list[str] = []  # budgets hit while printing, for the reader to report

    def __contains__(self, name: object) -> bool:
        return name in self._counters

    def new(self, name: str, parent: str | None = None, template: Template | None = None) -> None:
        """``\\newcounter{name}[parent]``; ignored when the counter exists (LaTeX errors)."""
        if name in self._counters:
            return
        if template is None:
            template = within(parent, name) if parent else arabic(name)
        self._counters[name] = _Counter(0, None, template)
        if parent:
            self.add_reset(name, parent)

    def add_reset(self, name: str, parent: str) -> tuple[str, ...]:
        """Reset ``name`` whenever ``parent`` steps (``\\@addtoreset``).

        A reset that would close a cycle (LaTeX then loops while stepping) is not made: the
        cycle is returned instead, ``(name, parent, ..., name)``; an empty tuple means done.
        """
        counter = self._counters[name]
        if counter.parent == parent:
            return ()
        cycle = self._reset_path(parent, name)
        if cycle:
            return (name, *cycle)
        self.remove_reset(name)
        counter.parent = parent
        self._children.setdefault(parent, []).append(name)
        return ()

    def _reset_path(self, start: str, target: str) -> tuple[str, ...]:
        """The counters from ``start`` up its reset chain to ``target``, or () if it is not there."""
        path = [start]
        while path[-1] != target:
            parent = self._counters[path[-1]].parent if path[-1] in self._counters else None
            if parent is None or len(path) > len(self._counters):
                return ()
            path.append(parent)
        return tuple(path)

    def remove_reset(self, name: str) -> None:
        counter = self._counters[name]
        if counter.parent is not None:
            self._children[counter.parent].remove(name)
            counter.parent = None

    def value(self, name: str) -> int:
        counter = self._counters.get(name)
        return counter.value if counter else 0

    def set(self, name: str, value: int) -> None:
        if name in self._counters:
            self._counters[name].value = value

    def add(self, name: str, amount: int) -> None:
        if name in self._counters:
            self._counters[name].value += amount

    def step(self, name: str) -> None:
        """``\\stepcounter``: add one and reset every counter chained to it."""
        if name not in self._counters:
            self.new(name)
        self._counters[name].value += 1
        self._reset_children(name)

    def _reset_children(self, name: str) -> None:
        for child in self._children.get(name, ()):
            self._counters[child].value = 0
            self._reset_children(child)

    def set_template(self, name: str, template: Template) -> None:
        if name not in self._counters:
            self.new(name)
        self._counters[name].template = template

    def template(self, name: str) -> Template:
        counter = self._counters.get(name)
        return counter.template if counter else arabic(name)

    def the(self, name: str) -> str:
        """What ``\\the<name>`` prints now."""
        return self._printed(self.template(name), name)

    def label_text(self, name: str) -> str:
        """What ``\\refstepcounter{name}`` stores as ``\\@currentlabel``: ``\\p@name\\thename``."""
        prefix = self.prefixes.get(name)
        return (self._printed(prefix, name) if prefix else "") + self.the(name)

    def _printed(self, template: Template, name: str) -> str:
        budget = [_MAX_PRINTED_LENGTH]
        printed = self._render(template, (name,), budget)
        if budget[0] < 0:
            self.problems.append(
                f"\\the{name} would print more than {_MAX_PRINTED_LENGTH} characters; its number is shown as '?'"
            )
            return "?"
        return printed

    def _render(self, template: Template, using: tuple[str, ...], budget: list[int]) -> str:
        """``template`` printed; ``using`` holds the counters whose templates are being printed
        (one using itself prints '?'), ``budget`` the characters left (below zero: too long)."""
        out = []
        for part in template:
            kind = part[0]
            if budget[0] < 0:
                break
            if kind == "the":
                nested = part[1] not in using
                if not nested:
                    self.problems.append(f"\\the{part[1]} uses itself; it is printed as '?'")
                out.append(self._render(self.template(part[1]), (*using, part[1]), budget) if nested else "?")
                budget[0] -= 0 if nested else 1
            elif kind == "positive":
                out.append(self._render(part[2], using, budget) if self.value(part[1]) > 0 else "")
            else:
                text = part[1] if kind == "text" else self._format(self.value(part[1]), part[2])
                if text is None:
                    budget[0] = -1
                    break
                out.append(text)
                budget[0] -= len(text)
        return "".join(out)

    @staticmethod
    def _format(value: int, style: str) -> str | None:
        if style in ("roman", "Roman") and value // 1000 > _MAX_PRINTED_LENGTH:
            return None  # that many m's: over the budget before it is built
        return format_value(value, style)
