"""Annotations: where code says which paper item it implements.

Three forms, read from the stdlib ``ast`` and the text (so a marker inside a string or in
prose never counts; :mod:`paperlink.source.comment_text` finds the comments):

* a comment ``# paper: Eq. 3, Sec. 4.1`` (``# paper[simsiam]: ...`` names the paper; a
  ``# paperlink: ...`` directive after the references ends them);
* the decorator ``@paperlink.implements("eq:loss", paper="simsiam")``;
* a docstring line ``Paper: Eq. 3``.

Binding: a comment on its own line binds to the statement that follows it (a definition
when it sits above ``def``/``class`` or their decorators); a comment at the end of a line
binds to that line's statement (or to the compound statement whose header it ends); a
comment after the last statement of a block binds to the block's owner (a definition,
a compound statement, or an ``else``/``except``/``finally``/``case`` clause); any other
comment (inside brackets, between decorators) binds to the statement around it;
decorators and docstrings bind to their function or class. :mod:`paperlink.source.layout`
reproduces where libcst's concrete tree keeps each comment, so these rules hold as they did
when annotations were read from libcst; a file this Python's ``ast`` refuses (newer syntax)
is read the same way from its outline (:mod:`paperlink.source.newer_syntax`).
"""

from __future__ import annotations

import ast
import functools
import hashlib
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from paperlink.diagnostics import Edit, Fix
from paperlink.references import MalformedReference, Reference, parse_references
from paperlink.source.comment_text import character_column, find_comments
from paperlink.source.layout import Layout, Owner, statements
from paperlink.source.parse import ParsedSource
from paperlink.spans import Span

__all__ = ["Annotation", "collect_annotations", "comment_references", "is_citation", "statements_digest"]

_COMMENT = re.compile(r"^#\s*paper(?:\[(?P<paper>[^\]]*)\])?\s*:(?P<text>.*)$", re.IGNORECASE)
_DIRECTIVE_AFTER = re.compile(r"\s#\s*paperlink\s*:", re.IGNORECASE)  # "# paper: eq:x  # paperlink: ignore[...]"
_DOCSTRING_LINE = re.compile(r"^\s*paper(?:\[(?P<paper>[^\]]*)\])?\s*:(?P<text>.+)$", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Annotation:
    """One annotation as written, the references read from it, and the code it binds to.

    The text is parsed once, when the annotation is made: a reader that parsed it already
    (to tell a citation apart) passes ``references`` and ``malformed``; left both empty,
    they are read from ``text`` here. Every consumer uses these fields, never the text.
    """

    text: str  # the references as written: "Eq. 3, Sec. 4.1"
    paper: str | None  # the paper it names, if any
    form: str  # "comment", "decorator" or "docstring"
    span: Span  # where the annotation is written
    target: Span  # the statement or definition it binds to
    target_name: str = ""  # "f", "Model.forward" for definitions; "" for statements
    problem: str = ""  # why the annotation cannot be read (e.g. non-literal decorator arguments)
    scope: str = ""  # the definition the bound code sits in ("Model.forward"; "" at module level)
    fingerprint: str = ""  # of the bound code, formatting and comments aside (for paperlink.lock)
    references: tuple[Reference, ...] = ()  # what ``text`` names, in order
    malformed: tuple[MalformedReference, ...] = ()  # the parts of ``text`` that are no reference
    # Where each piece of ``text`` is written, when verbatim on one line (a comment, a
    # docstring line, a decorator's plain string arguments joined by ", "); () when not
    # known. Fixes rewrite a reference there, and only there.
    text_spans: tuple[Span, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if not self.references and not self.malformed and self.text:
            references, malformed = parse_references(self.text)
            object.__setattr__(self, "references", references)  # frozen: set once, while being made
            object.__setattr__(self, "malformed", malformed)

    def where(self, start: int, end: int) -> Span | None:
        """Where ``text[start:end]`` is written in the file; None when that is not known, and
        for text several references share (the range of "Eqs. 3-5"): it is never rewritten
        for one of them."""
        if sum(reference.start == start and reference.end == end for reference in self.references) > 1:
            return None
        offset = 0
        for span in self.text_spans:
            length = (span.end_column or span.column) - span.column
            if offset <= start and end <= offset + length:
                column = span.column + start - offset
                return Span(span.path, span.line, column, span.line, column + end - start)
            offset += length + len(", ")
        return None

    def edit(self, start: int, end: int, replacement: str) -> Edit | None:
        """An edit replacing ``text[start:end]`` where it is written; None when that is not known."""
        where = self.where(start, end)
        return None if where is None else Edit(where, replacement)

    def fix(self, start: int, end: int, replacement: str, *, safe: bool = True) -> Fix | None:
        """The fix replacing ``text[start:end]`` with ``replacement``; None when there is
        nothing to replace or where it is written is not known (:meth:`where`)."""
        edit = self.edit(start, end, replacement) if replacement else None
        if edit is None:
            return None
        return Fix(f"Replace '{self.text[start:end]}' with '{replacement}'", (edit,), safe)


def comment_references(comment: str) -> tuple[str, str | None] | None:
    """(references, paper named or None) of a ``# paper: ...`` comment, from its ``#``; None
    when the comment is no annotation. Config files' comments are read with it too."""
    match = _COMMENT.match(comment)
    if match is None:
        return None
    text = _DIRECTIVE_AFTER.split(match.group("text"), maxsplit=1)[0]  # a directive after it is not a reference
    return text.strip(), match.group("paper")


_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_WHITESPACE_LINE = re.compile(r"^[ \t]+$", re.MULTILINE)
_PAPERLINK = ("paperlink", "paperlink.markers")


class _ImplementsNames:
    """Which local names call ``paperlink.implements``, from the imports read so far."""

    def __init__(self) -> None:
        self.functions: set[str] = set()  # local names bound to paperlink.implements
        self.modules: set[str] = set()  # local names bound to the paperlink module

    def imported(self, name: str, asname: str | None) -> None:
        """``import name [as asname]``."""
        if name not in _PAPERLINK:
            return
        local = asname or name
        self.modules.add(local)
        if name == "paperlink":  # `paperlink.markers.implements` works as well
            self.modules.add(f"{local}.markers")
        elif local == "paperlink.markers":  # `import paperlink.markers` binds `paperlink` too
            self.modules.add("paperlink")

    def imported_from(self, module: str | None, name: str, asname: str | None) -> None:
        """``from module import name [as asname]`` (``name`` is ``*`` for a star import)."""
        if module not in _PAPERLINK:  # the dots of a relative import are not looked at
            return
        if name == "*":
            self.functions.add("implements")
        elif name == "implements":
            self.functions.add(asname or "implements")
        elif name == "markers":
            self.modules.add(asname or "markers")

    def called(self, dotted: str) -> bool:
        """Whether a call of ``dotted`` (``implements``, ``paperlink.implements``; "" for what
        is no dotted name) calls ``paperlink.implements``."""
        if "." not in dotted:
            return dotted in self.functions
        prefix, _, attribute = dotted.rpartition(".")
        return attribute == "implements" and prefix in self.modules


def _annotation(
    text: str,
    paper: str | None,
    form: str,
    span: Span,
    target: Span,
    target_name: str,
    problem: str,
    scope: str,
    fingerprint: Callable[[], str],
    text_spans: tuple[Span, ...] = (),
) -> Annotation | None:
    """The annotation found, its text parsed once; None for a citation of a paper
    (``Paper: https://...``), which links nothing. The fingerprint is taken only when needed."""
    parsed = parse_references(text)
    if form != "decorator" and is_citation(text, parsed):
        return None
    paper = paper.strip() if paper else None
    return Annotation(text, paper, form, span, target, target_name, problem, scope, fingerprint(), *parsed, text_spans)


class _Collector:
    """The three forms in one file, read from its ``ast`` and text."""

    def __init__(self, parsed: ParsedSource, tree: ast.Module, text: str) -> None:
        self.parsed = parsed
        self.tree = tree
        self.text = text  # the file's, or its outline's (newer syntax blanked, positions kept)
        self.lines = _LINE_BREAK.split(text)
        self.layout = Layout(tree, self.lines, text)
        self.found: list[Annotation] = []
        self.implements = _ImplementsNames()

    def collect(self) -> list[Annotation]:
        for comment in find_comments(self.tree, self.lines, "paper"):
            found = comment_references(comment.text)
            if found is not None:
                where = ((comment.line, comment.column), (comment.line, comment.column + len(comment.text)))
                at = comment.column + _COMMENT.match(comment.text).start("text")  # type: ignore[union-attr]
                at += comment.text[at - comment.column :].index(found[0]) if found[0] else 0
                pieces = ((comment.line, at, len(found[0])),)
                self._add(found[0], found[1], "comment", where, self.layout.owner_at(comment.line), pieces=pieces)
        self._docstring(self.tree, self.layout.module)
        for statement in statements(self.tree.body):
            if isinstance(statement, (ast.Import, ast.ImportFrom)):
                self._import(statement)
            elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                owner = self.layout.definition(statement)
                for decorator in statement.decorator_list:
                    self._decorator(decorator, owner)
                self._docstring(statement, owner)
        return self.found

    # -- imports, in source order as the decorators below them see them -------------------

    def _import(self, node: ast.Import | ast.ImportFrom) -> None:
        for alias in node.names:
            if isinstance(node, ast.Import):
                self.implements.imported(alias.name, alias.asname)
            else:
                self.implements.imported_from(node.module, alias.name, alias.asname)

    # -- the decorator and docstring forms -----------------------------------------------

    def _decorator(self, decorator: ast.expr, owner: Owner) -> None:
        if not isinstance(decorator, ast.Call) or not self.implements.called(_dotted(decorator.func)):
            return
        references: list[str] = []
        pieces: list[tuple[int, int, int]] | None = []  # where each reference is written, while all are plain
        paper = None
        problem = ""
        arguments = [(None, value) for value in decorator.args] + [(k.arg, k.value) for k in decorator.keywords]
        for keyword, value in arguments:  # a `*args` or `**kwargs` is no literal
            literal = value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None
            if literal is None:
                problem = "the arguments of implements(...) must be string literals"
            elif keyword == "paper":
                paper = literal
            elif keyword is None:
                references.append(literal)
                piece = self._plain_literal(value, literal)
                pieces = None if pieces is None or piece is None else [*pieces, piece]
        where = self.layout.decorator_span(decorator)
        self._add(", ".join(references), paper, "decorator", where, owner, problem, tuple(pieces or ()))

    def _plain_literal(self, node: ast.expr, value: str) -> tuple[int, int, int] | None:
        """(line, 0-based column, length) of a string literal's value written as it reads,
        on one line, without a prefix or escapes; None for any other literal."""
        if node.lineno != node.end_lineno or not 0 < node.lineno <= len(self.lines):
            return None
        line = self.lines[node.lineno - 1]
        start = character_column(line, node.col_offset)
        written = line[start : character_column(line, node.end_col_offset or 0)]
        quote = written[:1]
        if quote not in ("'", '"') or written != f"{quote}{value}{quote}":
            return None
        return (node.lineno, start + 1, len(value))

    def _docstring(
        self, node: ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, owner: Owner
    ) -> None:
        docstring = ast.get_docstring(node, clean=False)
        if not docstring:
            return
        expression = node.body[0]
        where = self.layout.span_of(expression)
        if not isinstance(node, ast.Module) and self.layout.on_header_line(node):
            where = (owner.first, owner.last)  # libcst's one-line body has no statement line to point at
        counted, number = 0, expression.lineno  # lines counted once, front to back
        for match in _DOCSTRING_LINE.finditer(docstring):
            text = match.group("text").strip()
            at = match.start("text")  # the match itself may begin on a blank line above
            number += docstring.count("\n", counted, at)
            counted = at
            piece = self._docstring_piece(number, number == expression.lineno, docstring, at, text)
            self._add(text, match.group("paper"), "docstring", where, owner, pieces=(piece,) if piece else ())

    def _docstring_piece(
        self, number: int, first: bool, docstring: str, at: int, text: str
    ) -> tuple[int, int, int] | None:
        """Where a ``Paper:`` line's text (at ``at`` in the docstring, on source line
        ``number`` if the docstring's lines are the source's) is written; None when no
        escape or continuation leaves it there."""
        start = docstring.rfind("\n", 0, at) + 1
        end = docstring.find("\n", at)
        written = docstring[start : len(docstring) if end == -1 else end]
        if not (0 < number <= len(self.lines) and text and text in written):
            return None
        line = self.lines[number - 1]
        found = line.rfind(written) if first else (0 if line.startswith(written) else -1)
        if found == -1 or line.count(text) != 1:
            return None
        return (number, line.index(text), len(text))

    def _add(
        self,
        text: str,
        paper: str | None,
        form: str,
        where: tuple[tuple[int, int], tuple[int, int]],
        owner: Owner,
        problem: str = "",
        pieces: tuple[tuple[int, int, int], ...] = (),
    ) -> None:
        relative = self.parsed.relative
        span = Span(relative, where[0][0], where[0][1] + 1, where[1][0], where[1][1] + 1)
        text_spans = tuple(
            Span(relative, line, column + 1, line, column + 1 + length) for line, column, length in pieces
        )
        if owner.module:
            target = Span(relative, 1)
        else:
            target = Span(relative, owner.first[0], owner.first[1] + 1, owner.last[0], owner.last[1] + 1)
        annotation = _annotation(
            text,
            paper,
            form,
            span,
            target,
            owner.name,
            problem,
            owner.scope,
            lambda: _code_fingerprint(self.text, self.layout, owner),
            text_spans,
        )
        if annotation is not None:
            self.found.append(annotation)


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


def _code_fingerprint(text: str, layout: Layout, owner: Owner) -> str:
    """A digest of what the bound code does: its ``ast``, so that formatting and comments
    (the annotation itself included) do not count as a change.

    The digest is that of the code's own text parsed alone after ``textwrap.dedent``, as
    paperlink.lock has always recorded it: dedent empties lines of only spaces and tabs,
    inside multi-line strings too, so such code is parsed again from its text.
    """
    if not owner.statements:
        return ""  # the module; a clause (`else:`) is not code on its own
    try:
        segment = layout.source_lines(owner)
        # the same lines holding statements at the same places are the same code: a language
        # server checking a file on every edit fingerprints only the definitions the edit touched
        top = owner.statements[0].lineno
        places = tuple(
            (s.lineno - top, s.col_offset, (s.end_lineno or s.lineno) - top, s.end_col_offset) for s in owner.statements
        )
        key = (segment, owner.elif_, places)
        digest = _FINGERPRINTS.get(key)
        if digest is None:
            statements = list(owner.statements)
            if _WHITESPACE_LINE.search(segment):
                statements = _parse_alone(segment, owner.elif_)
            digest = statements_digest(statements)
            if len(_FINGERPRINTS) >= _MAX_FINGERPRINTS:
                _FINGERPRINTS.clear()
            _FINGERPRINTS[key] = digest
        return digest
    except (SyntaxError, RecursionError, ValueError):
        return ""


_FINGERPRINTS: dict[tuple[str, bool, tuple[tuple[int, int | None, int, int | None], ...]], str] = {}
_MAX_FINGERPRINTS = 4096  # definitions; a large project's worth, a few MB at most


def statements_digest(statements: list[ast.stmt]) -> str:
    """The fingerprint of some code: a digest of its ``ast``, positions, comments and
    annotations aside (``Paper:`` docstring lines and ``implements(...)`` decorators are
    annotations, as comments are: rewriting a reference, as ``check --fix`` does after a
    renumbering, is no change of the code)."""
    module = ast.Module(body=statements, type_ignores=[])
    tree = ast.dump(module, annotate_fields=False)
    if "implements'" in tree or _ANNOTATION_IN_DUMP.search(tree):  # rare: a second dump, without them
        with _annotations_taken_out(module):
            tree = ast.dump(module, annotate_fields=False)
    return hashlib.sha256(tree.encode("utf-8")).hexdigest()[:16]


_ANNOTATION_IN_DUMP = re.compile(r"paper(?:\[[^\]]*\])?\s*:", re.IGNORECASE)


@contextmanager
def _annotations_taken_out(module: ast.Module) -> Iterator[None]:
    """``module`` with its docstrings' ``Paper:`` lines and its ``implements`` decorators
    taken out while the block runs, then put back: the tree is the file's, which the
    analyses read next (a deep copy cost four times the dump, in a server on every edit)."""
    restore: list[Callable[[], None]] = []
    try:
        for node in list(ast.walk(module)):
            if not isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                constant, value = first.value, first.value.value
                if isinstance(value, str):
                    constant.value = _DOCSTRING_LINE.sub("", value)
                    restore.append(functools.partial(setattr, constant, "value", value))
            if not isinstance(node, ast.Module):
                decorators = node.decorator_list
                node.decorator_list = [
                    d for d in decorators if not (isinstance(d, ast.Call) and _dotted(d.func).endswith("implements"))
                ]
                restore.append(functools.partial(setattr, node, "decorator_list", decorators))
        yield
    finally:
        for undo in reversed(restore):
            undo()


def _parse_alone(segment: str, elif_: bool) -> list[ast.stmt]:
    """The statements of ``segment`` (whole lines, indented as in the file) on their own."""
    segment = _WHITESPACE_LINE.sub("", segment)
    indent = segment[: len(segment) - len(segment.lstrip(" \t\f"))]
    if elif_:
        segment = f"{indent}{segment[len(indent) + 2 :]}"  # `elif x:` reads as `if x:`
    if not indent:
        return ast.parse(segment).body
    wrapper = ast.parse(f"if 1:\n{segment}").body[0]
    assert isinstance(wrapper, ast.If)
    return wrapper.body


def is_citation(text: str, parsed: tuple[tuple[Reference, ...], tuple[MalformedReference, ...]] | None = None) -> bool:
    """Whether a ``Paper:`` line cites a paper rather than linking to its items.

    Research code often says ``Paper: https://arxiv.org/abs/...`` or ``Paper: Attention
    Is All You Need``. A line with a URL, or one of three words or more in which no
    reference can be read (or with an unreadable part of three words or more), is such a
    citation and not an annotation; a short unreadable line (``Eqn 3``) is still reported
    as malformed. ``parsed``: what :func:`parse_references` read from ``text``, if known.
    """
    if "://" in text or "arxiv" in text.lower() or "doi:" in text.lower():
        return True
    references, unreadable = parsed if parsed is not None else parse_references(text)
    if any(len(item.text.split()) >= 3 for item in unreadable):
        return True  # "Non-local Networks Meet Squeeze-Excitation Networks and Beyond"
    return not references and len(text.split()) >= 3


_CANDIDATE = re.compile(r"paper(?:\[[^\]\n]*\])?\s*:(?P<text>[^\n]*)", re.IGNORECASE)
_DECORATOR_CANDIDATE = re.compile(r"implements\s*\(")


def _worth_walking(text: str) -> bool:
    """Whether the file may hold an annotation: the walk costs about as much as the parse,
    and most files have none, or only cite their paper (``Paper: https://...``)."""
    if _DECORATOR_CANDIDATE.search(text):
        return True
    return any(not is_citation(_references_part(match.group("text"))) for match in _CANDIDATE.finditer(text))


def _references_part(line: str) -> str:
    """The text after ``paper:`` without a following ``# paperlink:`` directive or quotes."""
    return _DIRECTIVE_AFTER.split(line, maxsplit=1)[0].strip(" \t\"'#")


def collect_annotations(parsed: ParsedSource) -> list[Annotation]:
    """Every annotation in the file, in source order."""
    if not _worth_walking(parsed.text):
        return []
    if parsed.tree is not None:
        found = _Collector(parsed, parsed.tree, parsed.text).collect()
    elif parsed.outline is not None:  # syntax newer than this Python, blanked
        text, tree = parsed.outline
        found = _Collector(parsed, tree, text).collect()
    else:
        found = []
    return sorted(found, key=lambda a: (a.span.line, a.span.column, a.form))
