"""``paperlink server``: a Language Server over stdio (pygls), the only module that speaks LSP.

Every answer comes from :func:`paperlink.engine.check`, run as ``paperlink check`` runs it
(configuration from ``[tool.paperlink]``, the scan cache) with the editor's unsaved text in
place of the file on disk; :mod:`paperlink.editor` turns the report into hovers, completions
and quick fixes. Between checks the server keeps the last report and the cache, held open
(:class:`~paperlink.engine.Memory`: every entry is still checked against its file before
use), so a check after an edit reads the edited file alone; a paper or configuration file
changed on disk is read again by the next check, which the watched-file notification starts
at once.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace import TextDocument

from paperlink import __version__
from paperlink.boundary import read_bytes
from paperlink.config import load_config
from paperlink.diagnostics import Diagnostic, Severity
from paperlink.editor import (
    LineEdit,
    code_actions,
    completion_context,
    completions,
    hover_text,
    insert_above,
    item_at,
    references_to_label,
)
from paperlink.engine import Memory, check
from paperlink.errors import PaperlinkError
from paperlink.results import Report
from paperlink.spans import Span, relative_path, split_lines
from paperlink.suggest.write import Insertion, comment, plan

__all__ = ["serve", "create_server", "DEBOUNCE_SECONDS"]

# No pause is waited for, as in ruff's server (pyright waits 250 ms after the last keystroke): a
# change starts a check at once when none runs, and the changes made while one runs are checked
# together, with the latest text, when it ends. A typist thus waits at most the end of the check
# in flight plus one check, never a fixed pause on top (benchmarks/server.py measures both)
DEBOUNCE_SECONDS = 0.0
_CHECKED_SUFFIXES = (".py", ".ipynb")
_LARGEST_FILE = 64 * 1024 * 1024  # an open file bigger than this is not compared with the disk
# Files whose change on disk changes what every open file reports: the paper and what it
# reads, the configuration, the lock and config files the hyperparameter rules read
_WATCHED = "**/{*.tex,*.bib,*.sty,*.cls,*.yaml,*.yml,*.toml,*.json,*.lock,*.cfg,*.txt,Pipfile,Dockerfile}"
_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
}

logger = logging.getLogger(__name__)


class PaperlinkServer(LanguageServer):
    """The server, with the last report and the checks waiting for a pause in typing."""

    def __init__(self) -> None:
        super().__init__("paperlink", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
        self.report: Report | None = None
        self.pending: dict[str, asyncio.Task[None]] = {}
        self.check_lock = asyncio.Lock()
        self.published: set[str] = set()
        self.checked: dict[str, tuple[int | None, str]] = {}  # each file's last checked version and text
        self.memory = Memory()  # the cache, open between checks: only the edited file is read again
        # the annotations `suggest --write` would insert, for the last report and the open files' versions
        self.suggested: tuple[Report, tuple[tuple[str, int | None], ...], list[Suggested]] | None = None

    def document_path(self, uri: str) -> Path | None:
        path = to_fs_path(uri)
        return Path(path) if path else None

    def relative(self, uri: str) -> str | None:
        path = self.document_path(uri)
        if path is None or self.report is None:
            return None
        try:
            return relative_path(path, self.report.root)
        except ValueError:
            return None


def _checked(uri: str) -> bool:
    return uri.endswith(_CHECKED_SUFFIXES)


def _in_notebook(relative: str) -> bool:
    """A notebook's JSON lines are not its cells' lines: hover and definition stay out of it."""
    return relative.endswith(".ipynb")


def _run_check(path: Path, text: str, memory: Memory | None = None) -> Report:
    config = load_config(None, path.parent)
    return check(config, [config.root], buffer=(path, text.encode("utf-8")), cache=True, jobs=1, memory=memory)


async def _check_now(server: PaperlinkServer, uri: str, *, again: bool = False) -> None:
    """Check the project with ``uri``'s text as the editor holds it, then publish the findings
    of every open file whose text is what was checked. A check waiting for the lock that
    finds the text it would check already checked does nothing, unless ``again`` (a file on
    disk changed)."""
    path = server.document_path(uri)
    if path is None:
        return
    async with server.check_lock:  # one check at a time, each with the latest text
        document = server.workspace.get_text_document(uri)
        text, version = document.source, document.version
        if not again and server.checked.get(uri) == (version, text):
            return
        server.checked[uri] = (version, text)
        try:
            report = await asyncio.to_thread(_run_check, path, text, server.memory)
        except PaperlinkError as error:
            server.window_show_message(types.ShowMessageParams(types.MessageType.Error, f"paperlink: {error}"))
            return
        except Exception:  # a bug: say so and keep serving the other files
            logger.exception("paperlink check failed")
            message = "paperlink: the check failed (a bug in paperlink; the server log has the traceback)"
            server.window_show_message(types.ShowMessageParams(types.MessageType.Error, message))
            return
    server.report = report
    _publish(server, uri, version)


def _publish(server: PaperlinkServer, checked: str, version: int | None) -> None:
    """Findings for the file checked (as of ``version``) and for every other open file whose
    text is what the check read from disk (one with unsaved changes waits for its own check)."""
    report = server.report
    if report is None:
        return
    for uri, document in list(server.workspace.text_documents.items()):
        if not _checked(uri):
            continue
        relative = server.relative(uri)
        if relative is None:
            continue
        if uri == checked:
            shown_version = version
        elif _on_disk(uri, report.root) == document.source:
            shown_version = document.version
        else:
            continue
        lines = split_lines(document.source)  # once per file: a 2,000-line file has a hundred findings
        found = [_lsp_diagnostic(d, document, report, lines) for d in report.diagnostics if d.span.path == relative]
        server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=found, version=shown_version)
        )
        server.published.add(uri)


def _on_disk(uri: str, root: Path) -> str | None:
    """The file's text on disk, read as the check read it (through the project boundary)."""
    path = to_fs_path(uri)
    try:
        return read_bytes(Path(path), root, limit=_LARGEST_FILE).decode("utf-8") if path else None
    except (OSError, UnicodeDecodeError):
        return None


def _lsp_diagnostic(
    diagnostic: Diagnostic, document: TextDocument, report: Report, lines: list[str] | None = None
) -> types.Diagnostic:
    return types.Diagnostic(
        range=_range(diagnostic.span, document, report, lines),
        message=diagnostic.message,
        severity=_SEVERITY.get(diagnostic.severity, types.DiagnosticSeverity.Information),
        code=diagnostic.code,
        source="paperlink",
    )


def _range(span: Span, document: TextDocument, report: Report, lines: list[str] | None = None) -> types.Range:
    """A span as the client counts positions (``lines``: the document's, when known); a
    notebook cell's lines become the ``.ipynb`` lines where they are written, whole (columns
    in the JSON text would mislead)."""
    lines = split_lines(document.source) if lines is None else lines
    codec = document.position_codec
    layout = report.notebooks.get(span.path) if span.cell is not None else None
    if layout is not None:
        first = layout.file_line(span) - 1
        last = max(first, layout.file_line(Span(span.path, span.end_line or span.line, cell=span.cell)) - 1)
        end_text = lines[last] if last < len(lines) else ""
        whole = types.Range(types.Position(first, 0), types.Position(last, len(end_text.rstrip("\r\n"))))
        return codec.range_to_client_units(lines, whole)
    start = types.Position(span.line - 1, max(span.column - 1, 0))
    if span.end_line is not None and span.end_column is not None:
        end = types.Position(span.end_line - 1, max(span.end_column - 1, 0))
    else:  # a place, not a region: mark the rest of its line
        text = lines[span.line - 1] if 0 < span.line <= len(lines) else ""
        end = types.Position(span.line - 1, max(len(text.rstrip("\r\n")), start.character))
    return codec.range_to_client_units(lines, types.Range(start, end))


def _schedule(server: PaperlinkServer, uri: str, delay: float) -> None:
    """Check after ``delay`` seconds unless another change comes first (a debounce; with no
    delay, the changes of one burst of messages are checked once)."""
    if not _checked(uri):
        return
    waiting = server.pending.pop(uri, None)
    if waiting is not None:
        waiting.cancel()

    async def later() -> None:
        await asyncio.sleep(delay)
        server.pending.pop(uri, None)
        await _check_now(server, uri)

    server.pending[uri] = asyncio.ensure_future(later())


def _cursor(server: PaperlinkServer, uri: str, position: types.Position) -> tuple[TextDocument, str, int]:
    """The document, the cursor's line and its 1-based column counted in characters."""
    document = server.workspace.get_text_document(uri)
    lines = split_lines(document.source)
    character = document.position_codec.position_from_client_units(lines, position).character
    line = lines[position.line].rstrip("\r\n") if position.line < len(lines) else ""
    return document, line, character + 1


def _location(report: Report, span: Span) -> types.Location:
    """Where a span is, for the client: a notebook cell's line becomes its ``.ipynb`` line."""
    layout = report.notebooks.get(span.path) if span.cell is not None else None
    if layout is not None:
        place = types.Position(layout.file_line(span) - 1, 0)
    else:
        place = types.Position(max(span.line - 1, 0), max(span.column - 1, 0))
    root = report.root
    return types.Location(uri=from_fs_path(str(root / span.path)) or "", range=types.Range(place, place))


def create_server() -> PaperlinkServer:
    """The server with every feature registered (tests drive it over stdio)."""
    server = PaperlinkServer()

    @server.feature(types.INITIALIZED)
    async def initialized(ls: PaperlinkServer, params: types.InitializedParams) -> None:
        watching = ls.client_capabilities.workspace
        if watching and watching.did_change_watched_files and watching.did_change_watched_files.dynamic_registration:
            options = types.DidChangeWatchedFilesRegistrationOptions(
                watchers=[types.FileSystemWatcher(glob_pattern=_WATCHED)]
            )
            registration = types.Registration(
                id="paperlink-watched-files", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options
            )
            try:
                await ls.client_register_capability_async(types.RegistrationParams(registrations=[registration]))
            except JsonRpcException as refused:  # a client that says it can but cannot: saving still re-checks
                logger.warning("the client refused to watch the paper's files: %s", refused)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: PaperlinkServer, params: types.DidOpenTextDocumentParams) -> None:
        if _checked(params.text_document.uri):
            await _check_now(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: PaperlinkServer, params: types.DidChangeTextDocumentParams) -> None:
        _schedule(ls, params.text_document.uri, DEBOUNCE_SECONDS)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: PaperlinkServer, params: types.DidSaveTextDocumentParams) -> None:
        if _checked(params.text_document.uri):
            await _check_now(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: PaperlinkServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        waiting = ls.pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()
        if uri in ls.published:  # its findings go with it, as an editor expects
            ls.published.discard(uri)
            ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def watched_files_changed(ls: PaperlinkServer, params: types.DidChangeWatchedFilesParams) -> None:
        for uri in [uri for uri in ls.workspace.text_documents if _checked(uri)]:
            await _check_now(ls, uri, again=True)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: PaperlinkServer, params: types.HoverParams) -> types.Hover | None:
        relative = ls.relative(params.text_document.uri)
        if relative is None or ls.report is None or _in_notebook(relative):
            return None
        document, line, column = _cursor(ls, params.text_document.uri, params.position)
        target = item_at(ls.report, relative, params.position.line + 1, line, column)
        if target is None:
            return None
        value = hover_text(target, ls.report.links)
        span = Span(relative, params.position.line + 1, target.start, params.position.line + 1, target.end)
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=value),
            range=_range(span, document, ls.report),
        )

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    def definition(ls: PaperlinkServer, params: types.DefinitionParams) -> list[types.Location] | None:
        relative = ls.relative(params.text_document.uri)
        if relative is None or ls.report is None or _in_notebook(relative):
            return None
        _, line, column = _cursor(ls, params.text_document.uri, params.position)
        target = item_at(ls.report, relative, params.position.line + 1, line, column)
        if target is None:
            return None
        return [_location(ls.report, target.item.span)]

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    def references(ls: PaperlinkServer, params: types.ReferenceParams) -> list[types.Location] | None:
        relative = ls.relative(params.text_document.uri)
        if relative is None or ls.report is None:
            return None
        _, line, column = _cursor(ls, params.text_document.uri, params.position)
        links = references_to_label(ls.report, relative, params.position.line + 1, line, column)
        return [_location(ls.report, link.span) for link in links]

    @server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=[":", " ", ","]))
    def completion(ls: PaperlinkServer, params: types.CompletionParams) -> types.CompletionList | None:
        if ls.report is None:
            return None
        document, line, column = _cursor(ls, params.text_document.uri, params.position)
        context = completion_context(line, column)
        if context is None:
            return None
        start, typed = context
        lines = split_lines(document.source)
        replaced = document.position_codec.range_to_client_units(
            lines,
            types.Range(
                types.Position(params.position.line, start - 1), types.Position(params.position.line, column - 1)
            ),
        )
        items = [
            types.CompletionItem(
                label=found.label,
                detail=found.detail,
                kind=types.CompletionItemKind.Reference,
                text_edit=types.TextEdit(range=replaced, new_text=found.label),
                sort_text=f"{index:05d}",
            )
            for index, found in enumerate(completions(ls.report.papers, typed))
        ]
        return types.CompletionList(is_incomplete=False, items=items)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.Refactor]),
    )
    async def code_action(ls: PaperlinkServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        relative = ls.relative(params.text_document.uri)
        if relative is None or ls.report is None:
            return None
        document = ls.workspace.get_text_document(params.text_document.uri)
        first, last = params.range.start.line + 1, params.range.end.line + 1
        here = [
            d
            for d in ls.report.diagnostics
            if d.span.path == relative and d.span.cell is None and first <= d.span.line <= last
        ]
        actions = [_fix_action(d, document, ls.report, params.text_document.uri) for d in here if d.fix is not None]
        for action in code_actions(document.source, here):
            assert action.diagnostic is not None
            edit = _text_edit(action.edit, document)
            actions.append(
                types.CodeAction(
                    title=action.title,
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[_lsp_diagnostic(action.diagnostic, document, ls.report)],
                    edit=types.WorkspaceEdit(changes={params.text_document.uri: [edit]}),
                    is_preferred=action.preferred,
                )
            )
        wanted = params.context.only
        if not _in_notebook(relative) and (not wanted or types.CodeActionKind.Refactor in wanted):
            insertions = await _suggested(ls, params.text_document.uri)
            actions += _annotation_actions(insertions, relative, first, last, document, params.text_document.uri)
        return actions

    return server


Suggested = tuple[Insertion, int]  # an insertion and the last line of its target's header (its `def` line)


async def _suggested(server: PaperlinkServer, uri: str) -> list[Suggested]:
    """What ``paperlink suggest --write`` would insert in the project as the editor holds it,
    computed once per report and set of open files' versions (a code action asks often)."""
    open_files = tuple(sorted((u, d.version) for u, d in server.workspace.text_documents.items() if _checked(u)))
    report = server.report
    if server.suggested is not None and server.suggested[0] is report and server.suggested[1] == open_files:
        return server.suggested[2]
    path = server.document_path(uri)
    if path is None or report is None:
        return []
    texts = {}
    for address, document in list(server.workspace.text_documents.items()):
        relative = server.relative(address)
        if relative is not None and _checked(address):
            texts[relative] = document.source
    try:
        insertions = await asyncio.to_thread(_suggest, path, texts)
    except PaperlinkError:  # several papers and no default: nothing to suggest for
        insertions = []
    except Exception:  # a bug: the other actions are still offered
        logger.exception("paperlink suggest failed")
        insertions = []
    server.suggested = (report, open_files, insertions)
    return insertions


def _suggest(path: Path, texts: dict[str, str]) -> list[Suggested]:
    from paperlink.suggest import accepted
    from paperlink.suggest.project import suggest_project

    config = load_config(None, path.parent)
    project = suggest_project(config, [config.root], None, 3, texts)
    chosen = accepted(project.suggestions)
    headers: dict[tuple[str, int], int] = {}
    for _, candidate in chosen:
        target = candidate.target
        where = (target.path, target.annotation_line)
        headers[where] = max(headers.get(where, target.line), target.line)
    insertions = plan(chosen, project.paper, project.texts)
    return [(insertion, headers.get((insertion.path, insertion.line), insertion.line)) for insertion in insertions]


def _annotation_actions(
    insertions: list[Suggested], relative: str, first: int, last: int, document: TextDocument, uri: str
) -> list[types.CodeAction]:
    """``# paper:`` comments suggested for a target whose first lines (decorators, the ``def``
    line, a statement's first line) meet the lines ``first``..``last``: each inserted above
    the target, as ``suggest --write`` writes it."""
    actions = []
    for insertion, header in insertions:
        if insertion.path != relative or last < insertion.line or header < first:
            continue
        line = comment(insertion, "")
        edit = insert_above(document.source, insertion.line, line)
        if edit is not None:
            actions.append(
                types.CodeAction(
                    title=f"Insert `{line.strip()}` (suggested)",
                    kind=types.CodeActionKind.Refactor,
                    edit=types.WorkspaceEdit(changes={uri: [_text_edit(edit, document)]}),
                )
            )
    return actions


def _fix_action(diagnostic: Diagnostic, document: TextDocument, report: Report, uri: str) -> types.CodeAction:
    """The rule's own fix (``check --fix`` applies the safe ones) as a quick fix."""
    assert diagnostic.fix is not None
    edits = [
        types.TextEdit(range=_range(edit.span, document, report), new_text=edit.replacement)
        for edit in diagnostic.fix.edits
    ]
    return types.CodeAction(
        title=diagnostic.fix.title,
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[_lsp_diagnostic(diagnostic, document, report)],
        edit=types.WorkspaceEdit(changes={uri: edits}),
        is_preferred=diagnostic.fix.safe,
    )


def _text_edit(edit: LineEdit, document: TextDocument) -> types.TextEdit:
    """Whole lines replaced: from the first line's start to the start of the line after the last."""
    lines = split_lines(document.source)
    start = types.Position(edit.first_line - 1, 0)
    if edit.last_line < len(lines) or (lines and lines[-1].endswith(("\n", "\r"))):
        end = types.Position(edit.last_line, 0)  # the start of the next line (LSP has one after a final newline)
    else:  # the last line, without a newline
        end = types.Position(len(lines) - 1, document.position_codec.client_num_units(lines[-1] if lines else ""))
    return types.TextEdit(range=types.Range(start, end), new_text=edit.new_text)


def serve(**_: Any) -> None:
    """Serve over stdin and stdout until the client says exit."""
    create_server().start_io()
