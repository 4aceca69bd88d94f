"""The sample papers' reports in a real headless Chromium: no errors, no requests, links and MathML work.

Skipped only when no Chromium is installed (CI installs Debian's `chromium`). Screenshots
go to ``$PAPERLINK_ARTIFACTS`` or ``test-artifacts/``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paperlink.report import render_html
from tests.report.browser import Browser, chromium_path, save_screenshot
from tests.report.test_security import _hostile_project

CHROMIUM = chromium_path()
pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (apt-get install chromium)"),
    pytest.mark.slow,  # Chromium
]

# Runs in the page; its value comes back through Runtime.evaluate.
PROBE = """(() => {
  const dangling = [...document.querySelectorAll('a[href^="#"]')]
    .map(a => a.getAttribute('href').slice(1)).filter(id => !document.getElementById(id));
  const maths = [...document.querySelectorAll('math')].map(m => m.getBoundingClientRect());
  const empty = maths.filter(r => !(r.width > 0 && r.height > 0)).length;
  const form = document.getElementById('filters');
  let filtered = null;
  if (form) {
    const rows = () => [...document.querySelectorAll('#findings-table tbody tr')].filter(r => !r.hidden).length;
    const before = rows();
    form.querySelectorAll('input[name=severity]').forEach(box => { box.checked = false; });
    form.dispatchEvent(new Event('change'));
    const none = rows();
    form.querySelectorAll('input[name=severity]').forEach(box => { box.checked = true; });
    form.dispatchEvent(new Event('change'));
    filtered = {before: before, none: none, after: rows(), label: document.getElementById('shown').textContent};
  }
  return JSON.stringify({links: document.querySelectorAll('a[href^="#"]').length, dangling: dangling,
    maths: maths.length, empty: empty, filtered: filtered, scripts: document.scripts.length});
})()"""


@pytest.fixture(scope="module")
def browser():
    with Browser(CHROMIUM) as opened:
        yield opened


def _visit(browser: Browser, html: str, path: Path, screenshot: str):
    path.write_text(html, encoding="utf-8")
    visit = browser.visit(path.as_uri(), PROBE)
    save_screenshot(visit.screenshot, screenshot)
    return visit, json.loads(visit.result)


@pytest.mark.parametrize("sample", ["simsiam", "dqn", "transformer"])
def test_sample_report_in_chromium(browser, sample_reports, sample, tmp_path) -> None:
    report = sample_reports[sample]
    visit, probe = _visit(browser, render_html(report), tmp_path / f"{sample}.html", f"report-{sample}.png")
    assert visit.console_errors == [] and visit.exceptions == [] and visit.log_errors == []
    assert visit.requests == [(tmp_path / f"{sample}.html").as_uri()]  # the page itself, nothing else
    assert probe["dangling"] == [] and probe["links"] > 50
    assert probe["maths"] >= 8 and probe["empty"] == 0
    count = len(report.diagnostics)
    assert probe["filtered"] == {"before": count, "none": 0, "after": count, "label": f"{count} shown"}
    assert visit.screenshot.startswith(b"\x89PNG")
    code = browser.visit(
        (tmp_path / f"{sample}.html").as_uri() + "#code", "document.getElementById('code').getBoundingClientRect().top"
    )
    save_screenshot(code.screenshot, f"report-{sample}-code.png")
    assert abs(code.result - 40) < 1  # the browser jumped to the in-page target, just below the 40 px navigation


def test_analysis_panels_in_chromium(browser, sample_reports, tmp_path) -> None:
    from dataclasses import replace

    from tests.report.test_page import SECTIONS

    html = render_html(replace(sample_reports["simsiam"], sections=SECTIONS))
    page = tmp_path / "panels.html"
    visit, probe = _visit(browser, html, page, "report-simsiam-panels-top.png")
    assert visit.console_errors == [] and visit.exceptions == [] and visit.log_errors == []
    assert probe["dangling"] == [] and probe["empty"] == 0
    panels = browser.visit(
        page.as_uri() + "#hyperparameters", "document.querySelectorAll('#gradient-stops tbody tr').length"
    )
    save_screenshot(panels.screenshot, "report-simsiam-panels.png")
    assert panels.result == 2


def test_environment_panel_in_chromium(browser, sample_reports, tmp_path) -> None:
    page = tmp_path / "dqn.html"
    visit, probe = _visit(browser, render_html(sample_reports["dqn"]), page, "report-dqn-top.png")
    assert visit.console_errors == [] and visit.exceptions == [] and probe["dangling"] == []
    table = browser.visit(
        page.as_uri() + "#environment",
        """JSON.stringify({
      top: document.getElementById('environment').getBoundingClientRect().top,
      versions: [...document.querySelectorAll('#environment .environment-versions tbody tr')].map(r => r.cells[1].textContent),
      pins: [...document.querySelectorAll('#environment .environment-files code')].map(c => [c.textContent, c.className]),
      file: document.querySelector('#environment .environment-files a').getAttribute('href')})""",
    )
    save_screenshot(table.screenshot, "report-dqn-environment.png")
    found = json.loads(table.result)
    assert abs(found["top"] - 40) < 1  # below the sticky navigation
    assert found["versions"] == ["not recorded", "2.1.2", "not recorded"]
    assert found["pins"] == [
        ["torch==2.1.2", "pin-exact"],
        ["numpy==1.26.4", "pin-exact"],
        ["paperlink==0.1.0", "pin-exact"],
    ]
    assert browser.visit(page.as_uri() + found["file"], "document.querySelector(':target') !== null").result is True


def test_hostile_report_runs_nothing_but_its_own_script(browser, tmp_path) -> None:
    (tmp_path / "project").mkdir()
    root = _hostile_project(tmp_path / "project")
    from paperlink.config import load_config
    from paperlink.engine import check

    html = render_html(check(load_config(None, root), [root], jobs=1))
    visit, probe = _visit(browser, html, tmp_path / "hostile.html", "report-hostile.png")
    assert visit.console_errors == [] and visit.exceptions == [] and visit.log_errors == []
    assert visit.requests == [(tmp_path / "hostile.html").as_uri()]
    assert probe["scripts"] == 1 and probe["dangling"] == []


def test_csp_blocks_a_script_that_is_not_ours(browser, sample_reports, tmp_path) -> None:
    """The check above can fail: an injected inline script is refused and logged as an error."""
    html = render_html(sample_reports["dqn"]).replace("</main>", "<script>document.title = 'pwned'</script></main>")
    visit, _ = _visit(browser, html, tmp_path / "tampered.html", "report-tampered.png")
    assert any("Content Security Policy" in text for text in visit.log_errors + visit.console_errors)


def test_the_probe_sees_requests(browser, tmp_path) -> None:
    """The request list can fail the tests above: a page without a policy that loads a file shows it."""
    (tmp_path / "pixel.png").write_bytes(b"")
    page = tmp_path / "plain.html"
    page.write_text('<!DOCTYPE html><img src="pixel.png"><script>console.error("seen")</script>', encoding="utf-8")
    visit = browser.visit(page.as_uri(), "1")
    assert (tmp_path / "pixel.png").as_uri() in visit.requests
    assert visit.console_errors and "seen" in visit.console_errors[0]


def test_notebook_cells_in_chromium(browser, tmp_path) -> None:
    """A notebook's cells in the code view: headers, their own line numbers, working links,
    and markdown that is shown as text, never run."""
    import shutil

    from paperlink.config import load_config
    from paperlink.engine import check
    from tests.notebooks import notebook_json

    root = tmp_path / "project"
    root.mkdir()
    data = Path(__file__).parents[1]
    shutil.copy(data / "data" / "siamese.ipynb", root)
    shutil.copy(data / "rules" / "fixtures" / "paper.tex", root)
    (root / "pyproject.toml").write_text('[tool.paperlink]\npapers = { paper = "paper.tex" }\n', encoding="utf-8")
    hostile = "<img src=x onerror=alert(1)><script>alert(2)</script>\npaper: eq:target\n"
    (root / "hostile.ipynb").write_text(
        notebook_json([("markdown", hostile), ("code", "y = 2 * 3\n")]), encoding="utf-8"
    )
    html = render_html(check(load_config(None, root), [root], jobs=1))
    visit, probe = _visit(browser, html, tmp_path / "notebook.html", "report-notebook.png")
    assert visit.console_errors == [] and visit.exceptions == [] and visit.log_errors == []
    assert visit.requests == [(tmp_path / "notebook.html").as_uri()]
    assert probe["scripts"] == 1 and probe["dangling"] == []
    heads = browser.visit(
        (tmp_path / "notebook.html").as_uri() + "#code",
        "JSON.stringify([...document.querySelectorAll('tr.cell-head')].map(r => r.textContent))",
    )
    save_screenshot(heads.screenshot, "report-notebook-code.png")
    assert json.loads(heads.result) == [
        "cell 1 · markdown",
        "cell 2 · code",  # hostile.ipynb
        *[f"cell {n} · {kind}" for n, kind in enumerate(["markdown", "code"] * 3 + ["code", "code"], start=1)],
    ]


def test_rendered_paper_shows_no_raw_control_word_in_chromium(browser, tmp_path) -> None:
    """The fixture macros of issue 18 (mathtools' \\vcentcolon, \\DeclarePairedDelimiter, \\bm,
    \\nicefrac, \\xspace, \\ensuremath) in equations, theorem statements and references: the
    page's visible text holds no backslash-word and every theorem shows MathML."""
    import shutil

    from paperlink.config import load_config
    from paperlink.engine import check

    root = tmp_path / "project"
    root.mkdir()
    fixture = Path(__file__).parents[1] / "paper" / "latex_cases" / "22_fidelity_article.tex"
    shutil.copy(fixture, root / "paper.tex")
    (root / "pyproject.toml").write_text('[tool.paperlink]\npapers = { paper = "paper.tex" }\n', encoding="utf-8")
    (root / "train.py").write_text("loss = 1  # paper: eq:loss\n", encoding="utf-8")
    html = render_html(check(load_config(None, root), [root], jobs=1))
    (tmp_path / "fidelity.html").write_text(html, encoding="utf-8")
    script = """JSON.stringify({
      raw: (document.querySelector('section.paper').innerText.match(/\\\\[A-Za-z]+/g) || []),
      statements: [...document.querySelectorAll('.kind-theorem .statement')].map(s => s.querySelectorAll('math').length),
      text: [...document.querySelectorAll('.kind-theorem .statement')].map(s => s.textContent.trim().slice(0, 40))})"""
    visit = browser.visit((tmp_path / "fidelity.html").as_uri(), script)
    save_screenshot(visit.screenshot, "report-fidelity.png")
    assert visit.console_errors == [] and visit.exceptions == []
    result = json.loads(visit.result)
    assert result["raw"] == []
    assert result["statements"] == [1, 2, 0, 0]
    assert "Eq.\u00a0(1)" in result["text"][0]  # \eqref shows the printed number
    assert result["text"][1].startswith("The norm")  # restatable, with its MathML
    assert result["text"][2] == "Again, see Lemma\u00a01.1."  # \ref: the printed number


def test_rendering_fixture_shows_no_raw_control_word_in_chromium(browser, tmp_path) -> None:
    """tests/paper/latex_cases/rendering (user macros with parameters, \\DeclareMathOperator*,
    \\DeclarePairedDelimiterX, a shipped notation.sty, the amsmath blocks and matrices, an
    xymatrix diagram, statements and captions with math and references): the page's visible
    text holds no backslash-word, no item falls back to LaTeX source, and every equation is MathML."""
    import shutil

    from paperlink.config import load_config
    from paperlink.engine import check

    root = tmp_path / "project"
    shutil.copytree(Path(__file__).parents[1] / "paper" / "latex_cases" / "rendering", root)
    (root / "main.aux.expected").unlink()
    (root / "pyproject.toml").write_text('[tool.paperlink]\npapers = { paper = "main.tex" }\n', encoding="utf-8")
    (root / "train.py").write_text("loss = 1  # paper: eq:objective\n", encoding="utf-8")
    html = render_html(check(load_config(None, root), [root], jobs=1))
    (tmp_path / "rendering.html").write_text(html, encoding="utf-8")
    script = """JSON.stringify({
      raw: (document.querySelector('section.paper').innerText.match(/\\\\[A-Za-z]+/g) || []),
      equations: [...document.querySelectorAll('.kind-equation')].map(e => e.querySelectorAll('math').length),
      source: document.querySelectorAll('section.paper pre.latex, section.paper .statement code, section.paper .title code').length,
      statements: [...document.querySelectorAll('.kind-theorem .statement')].map(s => s.querySelectorAll('math').length)})"""
    visit = browser.visit((tmp_path / "rendering.html").as_uri(), script)
    save_screenshot(visit.screenshot, "report-rendering.png")
    assert visit.console_errors == [] and visit.exceptions == []
    result = json.loads(visit.result)
    assert result["raw"] == []
    assert result["equations"] == [1, 1, 1, 1] and result["source"] == 0
    assert result["statements"] == [3, 2]


def test_blueprint_in_chromium(browser, tmp_path) -> None:
    from paperlink.config import load_config
    from paperlink.engine import check
    from tests.report.test_blueprint import EDGES, blueprint_project

    (tmp_path / "project").mkdir()
    root = blueprint_project(tmp_path / "project")
    page = tmp_path / "blueprint.html"
    visit, probe = _visit(
        browser, render_html(check(load_config(None, root), [root], jobs=1)), page, "report-blueprint.png"
    )
    assert visit.console_errors == [] and visit.exceptions == [] and visit.log_errors == []
    assert probe["dangling"] == []
    graph = browser.visit(
        page.as_uri() + "#blueprint",
        """(() => {
      const svg = document.querySelector('svg.blueprint');
      const nodes = [...svg.querySelectorAll('.node')].map(n => [n.querySelector('text').textContent,
        n.getAttribute('href'), [...n.classList].join(' '), n.getBoundingClientRect().width > 0]);
      const edges = [...svg.querySelectorAll('line.edge')].map(e => e.querySelector('title').textContent);
      svg.querySelector('a[href="#thm-bound"]').dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true}));
      return JSON.stringify({nodes: nodes, edges: edges, hash: location.hash});
    })()""",
    )
    save_screenshot(graph.screenshot, "report-blueprint-graph.png")
    found = json.loads(graph.result)
    assert found["nodes"] == [
        ["Eq. (1)", "#eq-enc", "node st-implemented", True],
        ["Eq. (2)", "#eq-loss", "node st-implemented", True],
        ["Eq. (3)", "#eq-unused", "node st-missing", True],
        ["Theorem 1", "#thm-bound", "node st-other", True],
        ["Algorithm 1", "#alg-train", "node st-missing", True],
    ]
    assert found["edges"] == [*EDGES, "Algorithm 1 line 2 uses Eq. (1)"]
    assert found["hash"] == "#thm-bound"  # clicking a node goes to the item
