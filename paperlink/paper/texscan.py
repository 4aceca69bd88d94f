"""Text-level preparation of LaTeX source, before pylatexenc sees it.

TeX expands macros before it parses structure, so a reader that parses first gets
``\\newcommand{\\beq}{\\begin{equation}}`` wrong: the definition itself looks like an
unterminated environment. This module does, on plain strings, the part of TeX's work that
changes structure:

* comments, verbatim text and ``\\iffalse`` blocks are blanked out;
* macro and environment definitions are found, recorded and replaced by a short
  placeholder (``\\PLd{7}``) so the reader can apply them in document order;
* uses of *structural* user macros (whose expansion contains ``\\label``, ``\\section``,
  ``\\begin``...) are expanded in place.

Every edit keeps the number of newlines, so line numbers in the prepared text are the
line numbers of the file. Columns can shift on a line where a macro was expanded.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from paperlink.paper.model import MacroDefinition

__all__ = [
    "PLACEHOLDER",
    "Definition",
    "Prepared",
    "MacroTable",
    "prepare",
    "blank_noise",
    "find_definitions",
    "expand_structural",
    "expand_in_prose",
    "read_group",
]

PLACEHOLDER = "PLd"  # \PLd{i} marks where definition i stood

_VERBATIM_ENVS = (
    r"verbatim\*?|Verbatim\*?|BVerbatim|lstlisting|minted|comment|alltt|filecontents\*?"
    r"|tikzpicture|pgfpicture"  # drawing code: no structure, and costly to parse
)
_NOISE = re.compile(
    r"(?P<env>\\begin\s*\{(?P<venv>" + _VERBATIM_ENVS + r")\}.*?(?:\\end\s*\{(?P=venv)\}|\Z))"
    r"|(?P<verb>\\verb\*?(?:(?P<delim>[^A-Za-z\s*])[^\n]*?(?:(?P=delim)|$)|\s*\Z))"  # \Z: pylatexenc fails there
    r"|(?P<url>\\(?:url|href)\s*(?:\[[^\]\n]*\])?\s*\{[^{}\n]*\})"  # a % in a URL is no comment
    r"|(?P<escape>\\[\\%{}$&#_])"
    r"|(?P<iffalse>\\if(?:false(?![A-Za-z])|0(?!\d)))"
    r"|(?P<ifdigits>\\if(?P<left>\d)(?P<right>\d))"
    r"|(?P<newif>\\newif\s*\\if(?P<declared>[A-Za-z@]+))"
    r"|(?P<switch>\\(?P<switched>[A-Za-z@]+?)(?P<state>true|false)(?![A-Za-z@]))"
    r"|(?P<ifname>\\if(?P<tested>[A-Za-z@]+))"
    r"|(?P<comment>%[^\n]*)",
    re.S | re.M,
)
_LET_SOURCE = re.compile(r"\\let\s*\\[A-Za-z@]+\s*=?\s*$")
_IF_TOKEN = re.compile(r"\\(if[A-Za-z@]*|fi|else)(?![A-Za-z@])|%[^\n]*|\\[\\%]")
_DEF_START = re.compile(
    r"\\(?P<cmd>(?:re|provide)?newcommand|DeclareRobustCommand|DeclareMathOperator|bmdefine|DeclarePairedDelimiterX?|let"
    r"|[gex]?def|(?:re)?newenvironment)(?![A-Za-z])(?P<star>\*?)"
)
_CONTROL_WORD = re.compile(r"\\([A-Za-z@]+|.)")
# \let\pa=\partial: an alias, read as a macro without arguments (its meaning when the alias is used)
_LET = re.compile(r"\s*\\([A-Za-z@]+)\s*=?\s*\\([A-Za-z@]+)(?![A-Za-z@])")
# {\def}: a definition command handed to a macro as an argument (etoolbox templates)
_TOKEN_ARGUMENT = re.compile(r"[ \t]*\}")
_PARAMETER = re.compile(r"##|#([1-9])")
# A user macro whose body uses one of these changes what the reader sees.
_STRUCTURAL = re.compile(
    r"\\(?:label|tag|nonumber|notag|begin|end|part|chapter|section|subsection|subsubsection"
    r"|paragraph|subparagraph|caption|captionof|input|include|subfile|import|subimport|item"
    r"|appendix|refstepcounter|stepcounter|setcounter|addtocounter|numberwithin|footnote"
    r"|State|STATE)(?![A-Za-z])|\\\\"
)
_MAX_EXPANSION_DEPTH = 16
_MAX_NESTED_EXPANSIONS = 5_000  # per top-level expansion pass; a macro using itself twice would double each level
# What expansions may add to a text, top-level ones included: a 100 KB body used a thousand
# times would otherwise build gigabytes. Generous for real papers (a few times their size).
_MIN_GROWTH = 1_000_000
_GROWTH_FACTOR = 8


@dataclass(frozen=True)
class Definition:
    """A macro or environment definition found in a file, in document order."""

    macro: MacroDefinition
    start: int
    end: int
    environment_end: str | None = None  # for \newenvironment: the end code


@dataclass(frozen=True)
class Prepared:
    """A file's text ready for pylatexenc, and what preparing it found."""

    text: str
    definitions: tuple[Definition, ...]
    problems: tuple[tuple[int, str], ...]  # (offset, message) for malformed constructs


def _blank(text: str) -> str:
    """The same text with every character but newlines replaced by a space."""
    return re.sub(r"[^\n]", " ", text)


def blank_noise(
    text: str, switches: dict[str, bool] | None = None, problems: list[tuple[int, str]] | None = None
) -> str:
    """Blank out comments, verbatim material and the branches TeX skips.

    ``switches`` holds the state of ``\\newif`` conditionals (false until set, as in TeX)
    and is updated in place as ``\\footrue``/``\\foofalse`` are met in reading order.
    ``\\iffalse``, ``\\if0`` and ``\\if<digit><digit>`` are decided too; other
    conditionals (``\\ifx``, ``\\ifnum``) are left for pylatexenc, both branches visible.
    A conditional, ``\\verb`` or verbatim environment left open is added to ``problems``.
    """
    switches = {} if switches is None else switches
    pieces: list[str] = []
    last = 0
    pos = 0
    while True:
        match = _NOISE.search(text, pos)
        if match is None:
            break
        kind = match.lastgroup
        if match.group(0).startswith("\\if") and _LET_SOURCE.search(text, max(0, match.start() - 80), match.start()):
            pos = match.end()  # \let\iftocflag=\iffalse names the conditional, it does not open one
            continue
        decided = _decision(match, switches)
        if (
            kind in ("escape", "newif", "switch", "ifname", "left", "right", "declared", "state", "switched", "tested")
            and decided is None
        ):
            pos = match.end()
            continue
        if decided is not None:
            pieces.append(text[last : match.start()])
            pieces.append(_keep_branch(text, match, decided))
            close = _if_block_close(text, match.end())
            last = pos = len(text) if close is None else close
            if close is None and problems is not None:
                problems.append((match.start(), f"{match.group(0)} has no matching \\fi before the end of the file"))
            continue
        if problems is not None:
            problems.extend(_unclosed_noise(text, match))
        pieces.append(text[last : match.start()])
        pieces.append(_blank(text[match.start() : match.end()]))
        last = pos = match.end()
    pieces.append(text[last:])
    return "".join(pieces)


def _decision(match: re.Match[str], switches: dict[str, bool]) -> bool | None:
    """Whether a conditional at ``match`` is true, false, or not one paperlink decides."""
    groups = match.groupdict()
    if groups["newif"]:
        switches.setdefault(groups["declared"], False)
        return None
    if groups["switch"]:
        if groups["switched"] in switches:
            switches[groups["switched"]] = groups["state"] == "true"
        return None
    if groups["iffalse"]:
        return False
    if groups["ifdigits"]:
        return groups["left"] == groups["right"]
    if groups["ifname"]:
        name = groups["tested"]
        if name == "true":
            return True
        return switches.get(name)
    return None


def _keep_branch(text: str, match: re.Match[str], truth: bool) -> str:
    """The conditional from ``match`` to its ``\\fi`` with only the taken branch left."""
    end = _if_block_end(text, match.end())
    middle = _else_position(text, match.end(), end)
    block = text[match.start() : end]
    offset = match.start()
    if truth:
        kept = (match.end(), middle if middle is not None else end - 3)
    elif middle is not None:
        kept = (middle + len("\\else"), end - 3)
    else:
        kept = (end, end)
    pieces = [_blank(block[: kept[0] - offset]), text[kept[0] : kept[1]], _blank(block[kept[1] - offset :])]
    return "".join(pieces)


def _else_position(text: str, pos: int, end: int) -> int | None:
    depth = 1
    for token in _IF_TOKEN.finditer(text, pos, end):
        word = token.group(1)
        if word is None:
            continue
        if word == "fi":
            depth -= 1
        elif word == "else":
            if depth == 1:
                return token.start()
        else:
            depth += 1
    return None


def _unclosed_noise(text: str, match: re.Match[str]) -> list[tuple[int, str]]:
    """A problem where ``match`` is a ``\\verb`` or verbatim environment that never ends."""
    if match.group("verb") is not None:
        delim = match.group("delim")
        if delim is None:
            return [(match.start(), f"{match.group('verb').strip()} has no argument before the end of the file")]
        if match.end() == match.end("delim") or text[match.end() - 1] != delim:
            return [(match.start(), f"{text[match.start() : match.end('delim')]} is not closed on its line")]
    elif match.group("env") is not None:
        name = match.group("venv")
        if not re.search(r"\\end\s*\{" + re.escape(name) + r"\}\Z", match.group("env")):
            return [(match.start(), f"\\begin{{{name}}} has no \\end{{{name}}}; the rest of the file is skipped")]
    return []


def _if_block_end(text: str, pos: int) -> int:
    """End of the ``\\fi`` that closes a conditional opened just before ``pos``."""
    close = _if_block_close(text, pos)
    return len(text) if close is None else close


def _if_block_close(text: str, pos: int) -> int | None:
    """Like :func:`_if_block_end`, but None when the text ends before the ``\\fi``."""
    depth = 1
    for token in _IF_TOKEN.finditer(text, pos):
        word = token.group(1)
        if word is None or word == "else":
            continue
        depth += -1 if word == "fi" else 1
        if depth == 0:
            return token.end()
    return None


_BRACE_OR_ESCAPE = re.compile(r"\\.|[{}]", re.S)


@functools.lru_cache(maxsize=8)
def _brace_closers(text: str) -> dict[int, int | None]:
    """Each unescaped ``{`` of ``text`` -> the offset of its ``}`` (None when it is never closed)."""
    closers: dict[int, int | None] = {}
    open_at: list[int] = []
    for match in _BRACE_OR_ESCAPE.finditer(text):
        char = match.group()
        if char == "{":
            open_at.append(match.start())
            closers[match.start()] = None
        elif char == "}" and open_at:
            closers[open_at.pop()] = match.start()
    return closers


def read_group(text: str, pos: int, opener: str = "{", closer: str = "}") -> tuple[str, int] | None:
    """Read a balanced ``{...}`` (or ``[...]``) starting at ``pos`` after optional spaces.

    Braces nest inside brackets (``[{a]}]``), as in TeX's optional arguments. Returns the
    inner text and the position after the closer, or None when there is none.
    """
    length = len(text)
    while pos < length and text[pos] in " \t\n":
        pos += 1
    if pos >= length or text[pos] != opener:
        return None
    if opener == "{":
        closers = _brace_closers(text)
        if pos in closers:  # found in one pass per text: a thousand unclosed groups cost no more
            close = closers[pos]
            return None if close is None else (text[pos + 1 : close], close + 1)
    depth = 0  # nesting of the opener itself
    braces = 0  # nesting of {} inside a [] argument
    index = pos
    while index < length:
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if opener == "[" and char in "{}":
            braces += 1 if char == "{" else -1
        elif braces == 0 and char == opener:
            depth += 1
        elif braces == 0 and char == closer:
            depth -= 1
            if depth == 0:
                return text[pos + 1 : index], index + 1
        index += 1
    return None


def _read_argument(text: str, pos: int) -> tuple[str, int] | None:
    """One mandatory TeX argument: a braced group or a single token."""
    group = read_group(text, pos)
    if group is not None:
        return group
    while pos < len(text) and text[pos] in " \t\n":
        pos += 1
    if pos >= len(text) or text[pos] in "}]":
        return None
    word = _CONTROL_WORD.match(text, pos)
    if word is not None:
        return word.group(0), word.end()
    return text[pos], pos + 1


def _read_macro_name(text: str, pos: int) -> tuple[str, int] | None:
    """``{\\name}`` or ``\\name`` as the first argument of a definition."""
    group = read_group(text, pos)
    if group is not None:
        inner = group[0].strip()
        match = _CONTROL_WORD.fullmatch(inner)
        return (match.group(1), group[1]) if match else None
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    match = _CONTROL_WORD.match(text, pos)
    return (match.group(1), match.end()) if match else None


def _parse_definition(text: str, match: re.Match[str]) -> Definition | None:
    command = match.group("cmd")
    pos = match.end()
    if command == "let":
        alias = _LET.match(text, pos)
        if alias is None or alias.group(1) == alias.group(2) or _STRUCTURAL.match("\\" + alias.group(2)):
            return None
        return Definition(MacroDefinition(alias.group(1), 0, "\\" + alias.group(2)), match.start(), alias.end())
    if command.endswith("def"):
        return _parse_tex_def(text, pos, match.start())
    if command.endswith("environment"):
        return _parse_environment(text, pos, match.start())
    name = _read_macro_name(text, pos)
    if name is None:
        return None
    pos = name[1]
    if command.startswith("DeclarePairedDelimiter"):
        return _paired_delimiter(text, name[0], name[1], match.start(), command.endswith("X"))
    arguments, default = 0, None
    if command not in ("DeclareMathOperator", "bmdefine"):
        arguments, default, pos = _argument_count(text, pos)
    body = read_group(text, pos)
    if body is None:
        return None
    shown = f"\\boldsymbol{{{body[0]}}}" if command == "bmdefine" else body[0]  # bm's bold copy of a symbol
    macro = MacroDefinition(name[0], arguments, shown, default)
    return Definition(macro, match.start(), body[1])


def _paired_delimiter(text: str, name: str, pos: int, start: int, custom: bool) -> Definition | None:
    """mathtools' ``\\DeclarePairedDelimiter{\\abs}{\\lvert}{\\rvert}``: ``\\abs{x}`` is ``\\left\\lvert x\\right\\rvert``;
    the X form takes ``[n]`` arguments and a body between the delimiters (``\\delimsize`` there is dropped)."""
    arguments = 1
    if custom:
        arguments, _, pos = _argument_count(text, pos)
    left = read_group(text, pos)
    right = read_group(text, left[1]) if left else None
    if left is None or right is None:
        return None
    end = right[1]
    body = "#1"
    if custom:
        inner = read_group(text, end)
        if inner is None:
            return None
        body, end = inner[0].replace("\\delimsize", ""), inner[1]
    return Definition(MacroDefinition(name, arguments, f"\\left{left[0]} {body} \\right{right[0]}"), start, end)


def _argument_count(text: str, pos: int) -> tuple[int, str | None, int]:
    """The ``[n][default]`` of ``\\newcommand``/``\\newenvironment``: count, default, and where they end."""
    count = read_group(text, pos, "[", "]")
    if count is None:
        return 0, None, pos
    arguments = int(count[0]) if count[0].strip().isdigit() else 0
    optional = read_group(text, count[1], "[", "]")
    if optional is None:
        return arguments, None, count[1]
    return arguments, optional[0], optional[1]


def _parse_tex_def(text: str, pos: int, start: int) -> Definition | None:
    name = _CONTROL_WORD.match(text, pos)
    if name is None:
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        name = _CONTROL_WORD.match(text, pos)
        if name is None:
            return None
    brace = text.find("{", name.end())
    if brace == -1 or brace - name.end() > 40:
        return None
    parameters = text[name.end() : brace]
    body = read_group(text, brace)
    if body is None:
        return None
    arguments = len(re.findall(r"#[1-9]", parameters))
    return Definition(MacroDefinition(name.group(1), arguments, body[0]), start, body[1])


def _parse_environment(text: str, pos: int, start: int) -> Definition | None:
    name = read_group(text, pos)
    if name is None:
        return None
    arguments, default, pos = _argument_count(text, name[1])
    begin = read_group(text, pos)
    if begin is None:
        return None
    end = read_group(text, begin[1])
    if end is None:
        return None
    macro = MacroDefinition(name[0].strip(), arguments, _environment_form(begin[0]), default)
    return Definition(macro, start, end[1], environment_end=_environment_form(end[0]))


_LOW_LEVEL_ENVIRONMENT = re.compile(
    r"\\(end)?(equation|align|gather|multline|flalign|alignat|eqnarray|subequations)(\*?)(?![A-Za-z@])"
)


def _environment_form(code: str) -> str:
    """``\\align`` ... ``\\endalign`` (the only way to wrap amsmath) as ``\\begin{align}``."""

    def replace(match: re.Match[str]) -> str:
        edge = "end" if match.group(1) else "begin"
        return f"\\{edge}{{{match.group(2)}{match.group(3)}}}"

    return _LOW_LEVEL_ENVIRONMENT.sub(replace, code)


def find_definitions(text: str) -> tuple[str, tuple[Definition, ...], tuple[tuple[int, str], ...]]:
    """Replace each definition by a same-length placeholder; return text and definitions."""
    pieces: list[str] = []
    definitions: list[Definition] = []
    problems: list[tuple[int, str]] = []
    last = 0
    pos = 0
    while True:
        match = _DEF_START.search(text, pos)
        if match is None:
            break
        if _escaped(text, match.start()):
            pos = match.end()
            continue
        definition = _parse_definition(text, match)
        if definition is None and match.group("cmd") == "let":  # \let to a character or to structure: not read
            pos = match.end()
            continue
        if definition is None and _TOKEN_ARGUMENT.match(text, match.end()):  # {\def}: handed to a macro, not run
            pos = match.end()
            continue
        if definition is None:
            problems.append((match.start(), f"cannot read the definition after \\{match.group('cmd')}"))
            pos = match.end()
            continue
        marker = f"\\{PLACEHOLDER}{{{len(definitions)}}}"
        original = text[definition.start : definition.end]
        pieces.append(text[last : definition.start])
        pieces.append(_fit(marker, original))
        definitions.append(definition)
        last = pos = definition.end
    pieces.append(text[last:])
    return "".join(pieces), tuple(definitions), tuple(problems)


def _escaped(text: str, pos: int) -> bool:
    """Whether the backslash at ``pos`` is the second half of ``\\\\``."""
    count = 0
    while pos > 0 and text[pos - 1] == "\\":
        count += 1
        pos -= 1
    return count % 2 == 1


def _fit(replacement: str, original: str) -> str:
    """``replacement`` padded so it keeps the newlines of ``original`` (and, if it can, its length)."""
    newlines = original.count("\n")
    flat = replacement.replace("\n", " ")
    padding = len(original) - len(flat) - newlines
    if padding <= 0 and original[-1:] in (" ", "\t") and _ENDS_IN_CONTROL_WORD.search(flat):
        flat += " "  # TeX ended the name at the space it swallowed: \colim M is not \nolimitsM
    return flat + " " * max(padding, 0) + "\n" * newlines


_ENDS_IN_CONTROL_WORD = re.compile(r"\\[A-Za-z@]+$")


def structural_names(macros: dict[str, MacroDefinition]) -> frozenset[str]:
    """Names of the macros whose expansion, directly or through others, changes structure."""
    structural = {name for name, macro in macros.items() if _STRUCTURAL.search(macro.body)}
    changed = True
    while changed:
        changed = False
        for name, macro in macros.items():
            if name in structural:
                continue
            used = set(re.findall(r"\\([A-Za-z@]+)", macro.body))
            if used & structural:
                structural.add(name)
                changed = True
    return frozenset(structural)


def _substitute(body: str, arguments: list[str]) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "##":
            return "#"
        index = int(match.group(1)) - 1
        argument = arguments[index] if index < len(arguments) else ""
        # TeX keeps \csname and #1 apart as tokens; as text, "\csname" + "a" would make one word
        if argument[:1].isalpha() and _ENDS_IN_CONTROL_WORD.search(body, 0, match.start()):
            return " " + argument
        return argument

    return _PARAMETER.sub(replace, body)


# etoolbox's \forcsvlist{\handler}{a,b,c} runs \handler{a}, \handler{b}, ...
_FORCSVLIST = re.compile(r"\\forcsvlist(?![A-Za-z@])")
# \expandafter\def\csname name\endcsname: how a macro defines a macro whose name it was given
_CSNAME_DEFINITION = re.compile(
    r"\\expandafter\s*\\((?:[gex]?def|(?:re|provide)?newcommand)\*?)\s*\\csname\s*([A-Za-z@]+|[^\s\\])\s*\\endcsname"
)
_MAX_GENERATED = 2_000  # definitions made by macros in one file; a list of a few hundred symbols is the most seen


def generated_definitions(text: str, macros: dict[str, MacroDefinition]) -> list[MacroDefinition]:
    """Macros the paper defines through its own macros: a use of a macro whose body holds a
    definition (``\\declareHumble{kSE}{SE}``), or etoolbox's ``\\forcsvlist{\\Template{\\def}{\\mathbf}}{a,b}``
    over a template ``\\expandafter#1\\csname#3\\endcsname{#2{#3}}`` (``\\a`` is ``\\mathbf{a}``). Each use is
    expanded once and the definitions it writes are read; without them ``$\\b$`` is the bar-under
    accent, which takes the next token as its argument."""
    definers = frozenset(name for name, m in macros.items() if _DEF_START.search(m.body) or "\\csname" in m.body)
    if not definers:
        return []
    calls: list[str] = []
    for match in _FORCSVLIST.finditer(text):
        handler = read_group(text, match.end())
        items = read_group(text, handler[1]) if handler else None
        if handler is not None and items is not None:
            calls.extend(f"{handler[0]}{{{item.strip()}}}" for item in items[0].split(",") if item.strip())
    for match in _use_pattern(definers, set()).finditer(text):
        end = _expand_use(text, match.end(), macros[match.group("macro")])
        if end is not None:
            calls.append(text[match.start() : end[1]])
    made: list[MacroDefinition] = []
    for call in calls[:_MAX_GENERATED]:
        word = _CONTROL_WORD.match(call.lstrip())
        macro = macros.get(word.group(1)) if word and word.group(1) in definers else None
        expansion = _expand_use(call.lstrip(), word.end(), macro) if word and macro else None
        if expansion is not None:
            written = _CSNAME_DEFINITION.sub(lambda m: f"\\{m.group(1)}\\{m.group(2)} ", expansion[0])
            made.extend(definition.macro for definition in find_definitions(written)[1])
    return made[:_MAX_GENERATED]


def _expand_use(text: str, pos: int, macro: MacroDefinition) -> tuple[str, int] | None:
    """The expansion of a use of ``macro`` whose arguments start at ``pos``."""
    arguments: list[str] = []
    remaining = macro.arguments
    if macro.default is not None:
        optional = read_group(text, pos, "[", "]")
        if optional is not None:
            arguments.append(optional[0])
            pos = optional[1]
        else:
            arguments.append(macro.default)
        remaining -= 1
    for _ in range(max(remaining, 0)):
        argument = _read_argument(text, pos)
        if argument is None:
            return None
        arguments.append(argument[0])
        pos = argument[1]
    return _substitute(macro.body, arguments), pos


def expand_structural(
    text: str,
    macros: dict[str, MacroDefinition],
    environments: dict[str, Definition],
) -> tuple[str, tuple[tuple[int, str], ...]]:
    """Expand uses of structural user macros and environments, keeping line numbers."""
    names = structural_names(macros)
    env_names = {
        name
        for name, definition in environments.items()
        if _STRUCTURAL.search(definition.macro.body + (definition.environment_end or ""))
    }
    if not names and not env_names:
        return text, ()
    problems: list[tuple[int, str]] = []
    pattern = _use_pattern(names, env_names)
    budget = [_MAX_NESTED_EXPANSIONS, _MIN_GROWTH + _GROWTH_FACTOR * len(text)]
    expanded = _expand(text, pattern, macros, environments, problems, 0, budget)
    return expanded, tuple(problems)


def expand_in_prose(text: str, table: MacroTable, problems: list[tuple[int, str]] | None = None) -> str:
    """``text`` with every user macro expanded (``\\lr`` -> ``\\eta``), for reading values
    in prose. Newlines are kept, so line numbers still hold; columns may shift. Budgets hit
    go to ``problems`` (offset in ``text``, message) when it is given."""
    if not table.macros or "\\" not in text:
        return text
    key = len(table.macros)
    if table.prose_pattern is None or table.prose_pattern[0] != key:
        table.prose_pattern = (key, _use_pattern(frozenset(table.macros), set()))
    # Budgets in proportion to the text: each prose run is expanded anew (see _expand).
    budget = [16 + len(text), 1_000 + _GROWTH_FACTOR * len(text)]
    found: list[tuple[int, str]] = []
    expanded = _expand(text, table.prose_pattern[1], table.macros, {}, found, 0, budget)
    # Only the size budget is news here: a macro using itself is reported where it is defined
    # or used structurally, and each prose run would say it again.
    if problems is not None and all(message == _TOO_LARGE for _, message in found):
        problems.extend(found)
    return expanded


def _use_pattern(names: frozenset[str], env_names: set[str]) -> re.Pattern[str]:
    alternatives = []
    if names:
        words = "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True))
        alternatives.append(r"\\(?P<macro>" + words + r")(?![A-Za-z@])")
    if env_names:
        envs = "|".join(re.escape(n) for n in sorted(env_names))
        alternatives.append(r"\\(?P<edge>begin|end)\s*\{(?P<env>" + envs + r")\}")
    return re.compile("|".join(alternatives))


_TOO_DEEP = "macro expansion nested too deeply; stopped expanding"
_TOO_LARGE = "macro expansions would make the text too large; stopped expanding"


def _expand(
    text: str,
    pattern: re.Pattern[str],
    macros: dict[str, MacroDefinition],
    environments: dict[str, Definition],
    problems: list[tuple[int, str]],
    depth: int,
    budget: list[int],
) -> str:
    """``text`` with the uses ``pattern`` finds expanded; ``budget`` holds the nested
    expansions left and the characters expansions may still add (shared by the whole pass).
    Problems are placed in the expanded text, where the reader's positions point."""
    pieces: list[str] = []
    last = 0
    pos = 0
    grown = 0  # how much longer the expanded text is so far
    while True:
        match = pattern.search(text, pos)
        if match is None:
            break
        at = match.start() + grown
        if _escaped(text, match.start()):
            pos = match.end()
            continue
        if depth > 0:
            if budget[0] <= 0:
                break  # the rest stays unexpanded
            budget[0] -= 1
            if budget[0] == 0:
                problems.append((at, f"more than {_MAX_NESTED_EXPANSIONS} nested macro expansions; stopped expanding"))
        result = _expansion_of(text, match, macros, environments)
        if result is None:
            problems.append((at, f"cannot read the arguments of \\{match.group(0)[1:]}"))
            pos = match.end()
            continue
        replacement, end = result
        growth = max(len(replacement) - (end - match.start()), 0)  # this use's own body: counted once
        if growth > budget[1]:
            if budget[1] >= 0:  # said once, at the first use past the budget
                problems.append((at, _TOO_LARGE))
                budget[1] = -1
            break  # the rest stays unexpanded
        budget[1] -= growth
        if depth + 1 >= _MAX_EXPANSION_DEPTH:
            problems.append((at, _TOO_DEEP))
        else:
            nested: list[tuple[int, str]] = []  # offsets in the replacement: report them at this use
            replacement = _expand(replacement, pattern, macros, environments, nested, depth + 1, budget)
            for message in dict.fromkeys(m for _, m in nested):
                if depth == 0 and message == _TOO_DEEP:  # a self-recursive macro: once, not at each use
                    message = f"macro expansion of {match.group(0)} nested too deeply; stopped expanding"
                    if any(known == message for _, known in problems):
                        continue
                problems.append((at, message))
        pieces.append(text[last : match.start()])
        pieces.append(_fit(replacement, text[match.start() : end]))
        grown += len(pieces[-1]) - (end - match.start())
        last = pos = end
    pieces.append(text[last:])
    return "".join(pieces)


def _expansion_of(
    text: str,
    match: re.Match[str],
    macros: dict[str, MacroDefinition],
    environments: dict[str, Definition],
) -> tuple[str, int] | None:
    name = match.groupdict().get("macro")
    if name:
        return _expand_use(text, match.end(), macros[name])
    definition = environments[match.group("env")]
    if match.group("edge") == "end":
        return definition.environment_end or "", match.end()
    return _expand_use(text, match.end(), definition.macro)


DOLLAR_IN_LABEL = "\ue000"  # stands for "$" inside a label key, so it does not open math
_LABEL_WITH_DOLLAR = re.compile(r"\\label\s*(?:\[[^\]]*\])?\s*\{[^{}]*\$[^{}]*\}")


def _protect_label_keys(text: str) -> str:
    """Hide ``$`` in label keys (same length, so offsets hold); the reader maps it back."""
    return _LABEL_WITH_DOLLAR.sub(lambda m: m.group(0).replace("$", DOLLAR_IN_LABEL), text)


@dataclass
class MacroTable:
    """The user macros and environments defined so far, persisting across ``\\input``."""

    macros: dict[str, MacroDefinition]
    environments: dict[str, Definition]
    switches: dict[str, bool]
    prose_pattern: tuple[int, re.Pattern[str]] | None = None  # cached for expand_in_prose
    excluded: set[str] = field(default_factory=set)  # the comment package's \excludecomment environments

    @classmethod
    def empty(cls) -> MacroTable:
        return cls({}, {}, {})


_COMMENT_DECLARATION = re.compile(r"\\(exclude|include)comment\s*\{([^{}\\]+)\}")


def declare_comment_environments(text: str, table: MacroTable) -> None:
    """The comment package's ``\\excludecomment{name}`` (and ``\\includecomment``, which undoes it)
    in ``text`` (noise already blanked): ``name``'s body is skipped as ``comment``'s is."""
    for match in _COMMENT_DECLARATION.finditer(text):
        name = match.group(2).strip()
        if match.group(1) == "exclude":
            table.excluded.add(name)
        else:
            table.excluded.discard(name)


def _blank_excluded(text: str, excluded: set[str]) -> str:
    """Environments declared by ``\\excludecomment`` blanked, body and all (TeX reads up to the end line)."""
    names = "|".join(re.escape(name) for name in sorted(excluded))
    pattern = re.compile(r"\\begin\s*\{(" + names + r")\}.*?(?:\\end\s*\{\1\}|\Z)", re.S)
    return pattern.sub(lambda match: _blank(match.group(0)), text)


def prepare(text: str, table: MacroTable) -> Prepared:
    """Blank noise, lift out definitions (recording them in ``table``) and expand uses."""
    noise: list[tuple[int, str]] = []
    quiet = _protect_label_keys(blank_noise(text, table.switches, noise))
    if "comment" in quiet:
        declare_comment_environments(quiet, table)
    if table.excluded:
        quiet = _blank_excluded(quiet, table.excluded)
    lifted, definitions, problems = find_definitions(quiet)
    for definition in definitions:
        if definition.environment_end is not None:
            table.environments[definition.macro.name] = definition
        else:
            table.macros[definition.macro.name] = definition.macro
    for macro in generated_definitions(lifted, table.macros):
        table.macros[macro.name] = macro
    expanded, expansion_problems = expand_structural(lifted, table.macros, table.environments)
    return Prepared(expanded, definitions, tuple(noise) + problems + expansion_problems)
