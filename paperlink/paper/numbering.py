"""LaTeX counters: values, reset chains and how ``\\the<counter>`` prints them.

A pure model of the part of the LaTeX kernel, the standard classes and amsmath that
decides printed numbers. It knows nothing about parsing: the LaTeX reader calls
:meth:`Counters.step` where LaTeX would call ``\\stepcounter``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Counters", "Template", "parse_template", "format_value", "CLASS_SECNUMDEPTH"]

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

    def add_reset(self, name: str, parent: str) -> None:
        """Reset ``name`` whenever ``parent`` steps (``\\@addtoreset``)."""
        counter = self._counters[name]
        if counter.parent == parent:
            return
        self.remove_reset(name)
        counter.parent = parent
        self._children.setdefault(parent, []).append(name)

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
        return self._render(self.template(name), 0)

    def label_text(self, name: str) -> str:
        """What ``\\refstepcounter{name}`` stores as ``\\@currentlabel``: ``\\p@name\\thename``."""
        prefix = self.prefixes.get(name)
        return (self._render(prefix, 0) if prefix else "") + self.the(name)

    def _render(self, template: Template, depth: int) -> str:
        if depth > 20:  # a template that refers to itself
            return "?"
        out = []
        for part in template:
            kind = part[0]
            if kind == "text":
                out.append(part[1])
            elif kind == "value":
                out.append(format_value(self.value(part[1]), part[2]))
            elif kind == "the":
                out.append(self._render(self.template(part[1]), depth + 1))
            elif kind == "positive" and self.value(part[1]) > 0:
                out.append(self._render(part[2], depth + 1))
        return "".join(out)
