"""`paperlink server` driven over stdio by a real LSP client (pytest-lsp), on the SimSiam sample."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from pathlib import Path

import pytest

if not os.environ.get("CI"):  # CI installs the test extra: there a missing client is a failure, not a skip
    pytest.importorskip("pytest_lsp", reason="the server tests need pytest-lsp: pip install -e '.[test]'")

import pytest_lsp
from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="function")]

SAMPLE = Path(__file__).resolve().parents[1] / "sample_papers" / "simsiam"
SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "paperlink", "server"])


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "simsiam"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("expected", ".paperlink_cache"))
    return root


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: LanguageClient, project: Path):
    capabilities = pytest_lsp.client_capabilities("visual-studio-code")
    lsp_client.registrations = []

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        lsp_client.registrations.extend(params.registrations)

    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities,
            root_uri=from_fs_path(str(project)),
            workspace_folders=[types.WorkspaceFolder(uri=from_fs_path(str(project)) or "", name="simsiam")],
        )
    )
    yield
    await lsp_client.shutdown_session()


def uri(project: Path, relative: str) -> str:
    return from_fs_path(str(project / relative)) or ""


async def open_file(client: LanguageClient, project: Path, relative: str) -> str:
    address = uri(project, relative)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(
                uri=address, language_id="python", version=1, text=(project / relative).read_text(encoding="utf-8")
            )
        )
    )
    await published(client, address)
    return address


async def published(client: LanguageClient, address: str) -> list[tuple[int, str]]:
    """Wait for the next diagnostics of ``address``; its (0-based line, code) pairs."""
    client.diagnostics.pop(address, None)
    while address not in client.diagnostics:
        await asyncio.wait_for(client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), 60)
    return sorted((d.range.start.line, str(d.code)) for d in client.diagnostics[address])


def change(client: LanguageClient, address: str, version: int, text: str) -> None:
    """The editor replaces the whole text of ``address`` (full document sync)."""
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=address, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def found(client: LanguageClient, address: str) -> list[tuple[int, str]]:
    return sorted((d.range.start.line, str(d.code)) for d in client.diagnostics[address])


TRAIN = "src/train.py"
TRAIN_FINDINGS = [(21, "PL402"), (74, "PL303"), (76, "PL101"), (79, "PL401")]


async def test_open_reports_what_check_reports_with_exact_ranges(client: LanguageClient, project: Path):
    address = await open_file(client, project, TRAIN)
    assert found(client, address) == TRAIN_FINDINGS
    unknown = next(d for d in client.diagnostics[address] if d.code == "PL101")
    assert unknown.range == types.Range(types.Position(76, 47), types.Position(76, 82))
    assert unknown.message == "eq:symmetric_loss is not a label of paper 'simsiam'; did you mean eq:symloss?"
    assert unknown.severity == types.DiagnosticSeverity.Error
    assert unknown.source == "paperlink"


async def test_a_change_is_checked_from_the_editor_text_not_the_disk(client: LanguageClient, project: Path):
    address = await open_file(client, project, TRAIN)
    text = (project / TRAIN).read_text(encoding="utf-8")
    fixed = text.replace("default=5e-4)  # paper: hp:weight_decay", "default=1e-4)  # paper: hp:weight_decay")
    change(client, address, 2, fixed)
    assert await published(client, address) == [(74, "PL303"), (76, "PL101"), (79, "PL401")]
    assert (project / TRAIN).read_text(encoding="utf-8") == text


def column_of(project: Path, relative: str, line: int, text: str) -> int:
    """The 0-based column where ``text`` starts on 0-based ``line`` of a project file."""
    return (project / relative).read_text(encoding="utf-8").splitlines()[line].index(text)


async def test_hover_shows_the_equation_and_where_it_is_implemented(client: LanguageClient, project: Path):
    address = await open_file(client, project, TRAIN)
    start = column_of(project, TRAIN, 42, "eq:symloss")
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(address), types.Position(42, start + 3))
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    value = hover.contents.value
    assert value.splitlines()[0] == "**Eq. (3b)** `eq:symloss` · equation · simsiam"
    assert "```latex\n" in value and "\\sg(z_2)" in value
    assert "Implemented at: src/train.py:39, src/train.py:43, src/train.py:44, src/train.py:45" in value
    assert hover.range == types.Range(types.Position(42, start), types.Position(42, start + len("eq:symloss")))


async def test_hover_outside_a_reference_is_empty(client: LanguageClient, project: Path):
    address = await open_file(client, project, TRAIN)
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(address), types.Position(42, 10))
    )
    assert hover is None


async def test_definition_goes_to_the_label_and_references_come_back(client: LanguageClient, project: Path):
    address = await open_file(client, project, TRAIN)
    found_at = await client.text_document_definition_async(
        types.DefinitionParams(
            types.TextDocumentIdentifier(address), types.Position(43, column_of(project, TRAIN, 43, "eq:symloss"))
        )
    )
    assert isinstance(found_at, list) and len(found_at) == 1
    assert found_at[0].uri == uri(project, "paper.tex")
    label_line = found_at[0].range.start.line
    tex_line = (project / "paper.tex").read_text(encoding="utf-8").splitlines()[label_line]
    assert "\\label{eq:symloss}" in tex_line
    column = tex_line.index("\\label{eq:symloss}") + 8
    sites = await client.text_document_references_async(
        types.ReferenceParams(
            context=types.ReferenceContext(include_declaration=False),
            text_document=types.TextDocumentIdentifier(uri(project, "paper.tex")),
            position=types.Position(74, column),
        )
    )
    assert sites is not None
    assert sorted((site.uri, site.range.start.line) for site in sites) == [
        (address, 38),
        (address, 42),
        (address, 43),
        (address, 44),
    ]


async def test_completion_after_paper_offers_labels_and_printed_numbers(client: LanguageClient, project: Path):
    address = await open_file(client, project, TRAIN)
    text = (project / TRAIN).read_text(encoding="utf-8").splitlines(keepends=True)
    text[46] = "    # paper: eq:sy\n"
    change(client, address, 2, "".join(text))
    await published(client, address)
    result = await client.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(address), types.Position(46, 18))
    )
    assert isinstance(result, types.CompletionList)
    assert [item.label for item in result.items] == ["eq:symloss"]
    edit = result.items[0].text_edit
    assert isinstance(edit, types.TextEdit)
    assert edit.range == types.Range(types.Position(46, 13), types.Position(46, 18))
    assert result.items[0].detail == "Eq. (3b)"
    text[46] = "    # paper: Alg\n"
    change(client, address, 3, "".join(text))
    await published(client, address)
    result = await client.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(address), types.Position(46, 16))
    )
    assert isinstance(result, types.CompletionList)
    assert [item.label for item in result.items][:3] == ["Alg. 1", "Alg. 1 line 1", "Alg. 1 line 2"]


async def test_code_actions_suppress_and_document_a_stop(client: LanguageClient, project: Path):
    address = await open_file(client, project, "src/model.py")
    assert found(client, address) == [(69, "PL201")]
    stop = client.diagnostics[address][0]
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(address), stop.range, types.CodeActionContext(diagnostics=[stop])
        )
    )
    assert actions is not None
    titles = [action.title for action in actions if isinstance(action, types.CodeAction)]
    assert titles == ["Document this gradient stop", "Suppress PL201 on this line"]
    document, suppress = (action for action in actions if isinstance(action, types.CodeAction))
    assert document.edit is not None and document.edit.changes is not None
    (edit,) = document.edit.changes[address]
    assert edit.range == types.Range(types.Position(69, 0), types.Position(70, 0))
    assert edit.new_text == (
        "        # paperlink: stop-grad TODO: say why the gradient stops here\n        with torch.no_grad():\n"
    )
    assert suppress.edit is not None and suppress.edit.changes is not None
    (edit,) = suppress.edit.changes[address]
    assert edit.new_text == "        with torch.no_grad():  # paperlink: ignore[PL201] TODO: explain\n"


async def test_a_did_you_mean_fix_is_offered_first(client: LanguageClient, project: Path):
    address = await open_file(client, project, TRAIN)
    unknown = next(d for d in client.diagnostics[address] if d.code == "PL101")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(address), unknown.range, types.CodeActionContext(diagnostics=[unknown])
        )
    )
    assert actions is not None
    fix = actions[0]
    assert isinstance(fix, types.CodeAction)
    # offered, but not preferred: a close spelling is a guess (check --fix leaves it too)
    assert (fix.title, fix.is_preferred) == ("Replace 'eq:symmetric_loss' with 'eq:symloss'", False)
    assert fix.edit is not None and fix.edit.changes is not None
    (edit,) = fix.edit.changes[address]
    assert edit.new_text == "eq:symloss"
    assert edit.range == types.Range(types.Position(76, 65), types.Position(76, 82))
    assert [a.title for a in actions[1:] if isinstance(a, types.CodeAction)] == ["Suppress PL101 on this line"]


async def test_a_paper_changed_on_disk_is_read_again(client: LanguageClient, project: Path):
    address = await open_file(client, project, TRAIN)
    (watching,) = client.registrations
    assert watching.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    assert [w["globPattern"] for w in watching.register_options["watchers"]] == [
        "**/{*.tex,*.bib,*.sty,*.cls,*.yaml,*.yml,*.toml,*.json,*.lock,*.cfg,*.txt,Pipfile,Dockerfile}"
    ]
    assert (21, "PL402") in found(client, address)
    paper = project / "paper.tex"
    text = paper.read_text(encoding="utf-8")
    text = text.replace("weight decay $10^{-4}$", "weight decay $5\\times10^{-4}$")
    paper.write_text(text.replace("Weight decay & $10^{-4}$", "Weight decay & $5\\times10^{-4}$"), encoding="utf-8")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=uri(project, "paper.tex"), type=types.FileChangeType.Changed)]
        )
    )
    assert await published(client, address) == [(74, "PL303"), (76, "PL101"), (79, "PL401")]


async def test_closing_a_file_clears_its_findings(client: LanguageClient, project: Path):
    address = await open_file(client, project, TRAIN)
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(address)))
    assert await published(client, address) == []


async def test_an_annotation_suggest_would_write_is_offered_above_the_definition(client: LanguageClient, project: Path):
    address = await open_file(client, project, TRAIN)
    on_def = types.Range(types.Position(30, 4), types.Position(30, 4))  # `def negative_cosine(...)`
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(types.TextDocumentIdentifier(address), on_def, types.CodeActionContext(diagnostics=[]))
    )
    assert actions is not None
    (insert,) = actions
    assert isinstance(insert, types.CodeAction)
    assert (insert.title, insert.kind) == ("Insert `# paper: eq:cosine` (suggested)", types.CodeActionKind.Refactor)
    assert insert.edit is not None and insert.edit.changes is not None
    (edit,) = insert.edit.changes[address]
    # above the decorator, as `suggest --write` places it; the code itself is kept as it is
    assert edit.range == types.Range(types.Position(29, 0), types.Position(30, 0))
    assert edit.new_text == '# paper: eq:cosine\n@paperlink.implements("eq:negcos")\n'
    only_fixes = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(address),
            on_def,
            types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.QuickFix]),
        )
    )
    assert list(only_fixes or ()) == []
    text = (project / TRAIN).read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    change(client, address, 2, "".join([*lines[:29], edit.new_text, *lines[30:]]))
    assert await published(client, address) == TRAIN_FINDINGS[:1] + [(75, "PL303"), (77, "PL101"), (80, "PL401")]
    linked = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(address),
            types.Range(types.Position(31, 4), types.Position(31, 4)),
            types.CodeActionContext(diagnostics=[]),
        )
    )
    assert list(linked or ()) == []  # the item is linked now: nothing more to suggest for it


def exact(diagnostics: list[types.Diagnostic]) -> list[tuple[int, int, str, str, int | None]]:
    return sorted(
        (d.range.start.line + 1, d.range.start.character + 1, str(d.code), d.message, d.severity) for d in diagnostics
    )


def checked(project: Path, relative: str) -> tuple[list[tuple[int, int, str, str, int | None]], list[str]]:
    """What `paperlink check` reports for one file of the project as saved, as the server shows
    it, and the gradient stops it finds in train.py through calls of another file's helper."""
    from paperlink.config import load_config
    from paperlink.engine import check

    report = check(load_config(None, project), [project], jobs=1)
    severity = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning}
    found = sorted(
        (d.span.line, d.span.column, d.code, d.message, severity[d.severity.value])
        for d in report.diagnostics
        if d.span.path == relative
    )
    stops = [stop["api"] for stop in report.sections["gradient_stops"] if stop["span"]["path"] == TRAIN]
    return found, [api for api in stops if "frozen" in api]


MODEL = "src/model.py"
HELPER = "\n\ndef frozen(z: torch.Tensor) -> torch.Tensor:\n    with torch.no_grad():\n        return z * 1.0\n"


async def test_diagnostics_after_edits_are_what_check_gives_on_the_saved_files(client: LanguageClient, project: Path):
    """Each edit is checked with the unsaved text in place, then saved: the findings shown for
    every open file are then exactly `check`'s, including a stop that train.py owes to a
    helper defined in model.py (a cross-file fact, changed by an edit of model.py)."""
    addresses = {MODEL: await open_file(client, project, MODEL), TRAIN: await open_file(client, project, TRAIN)}
    texts = {relative: (project / relative).read_text(encoding="utf-8") for relative in addresses}
    edits = [
        (MODEL, lambda text: text + HELPER),
        (TRAIN, lambda text: text.replace("from model import SimSiam", "from model import SimSiam, frozen")),
        (
            TRAIN,
            lambda text: text.replace("z1, z2 = model(x1, x2)\n", "z1, z2 = model(x1, x2)\n        z2 = frozen(z2)\n"),
        ),
        (TRAIN, lambda text: text.replace("default=5e-4)", "default=1e-4)")),
        (MODEL, lambda text: text.replace("    with torch.no_grad():\n        return z * 1.0", "    return z * 1.0")),
    ]
    helper_stops = []
    for version, (relative, edit) in enumerate(edits, 2):
        texts[relative] = edit(texts[relative])
        for address in addresses.values():
            client.diagnostics.pop(address, None)
        change(client, addresses[relative], version, texts[relative])
        for address in addresses.values():  # the other file too: its text is what is on disk
            while address not in client.diagnostics:
                await asyncio.wait_for(client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), 60)
        (project / relative).write_text(texts[relative], encoding="utf-8")  # saved
        for shown, address in addresses.items():
            assert exact(client.diagnostics[address]) == checked(project, shown)[0], (version, shown)
        helper_stops.append(checked(project, TRAIN)[1])
        if version == 5:  # the weight decay now agrees with the paper
            assert "PL402" not in [d.code for d in client.diagnostics[addresses[TRAIN]]]
    # the cross-file fact the edits make and unmake: train.py's call of model.py's stopping helper
    assert helper_stops == [[], [], ["model.frozen"], ["model.frozen"], []]
