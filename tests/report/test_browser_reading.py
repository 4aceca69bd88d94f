"""Reading the report in a real headless Chromium: paper and code side by side (click, keyboard,
URL fragment), the page without JavaScript, dark mode, print, and axe-core's accessibility checks.

Skipped without Chromium (CI installs Debian's ``chromium``); the axe tests also need the
``axe-core-python`` package of the test extra, which ships axe-core's ``axe.min.js``.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from paperlink.report import render_html
from tests.report.browser import Browser, chromium_path, save_screenshot

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from report_screenshots import pdf_pages

CHROMIUM = chromium_path()
pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (apt-get install chromium)"),
    pytest.mark.slow,  # Chromium
]
WIDE, NARROW, PHONE = 1400, 600, 400

# The state of the side-by-side view, read in the page.
STATE = """JSON.stringify((() => {
  const pane = document.querySelector('.code-pane');
  const visible = e => e.getClientRects().length > 0;
  const selected = document.querySelector('[aria-current="true"]');
  return {
    title: pane.querySelector('.pane-title').textContent,
    captions: [...pane.querySelectorAll('figcaption')].map(c => c.textContent.trim()),
    bound: [...pane.querySelectorAll('tr.bound td.n')].map(c => c.textContent),
    selected: selected ? selected.id : null,
    focused: document.activeElement ? document.activeElement.id : null,
    hash: location.hash,
    paneShown: visible(pane),
    inlineShown: [...document.querySelectorAll('.reading figure.snippet')].filter(visible).length,
    inline: document.querySelectorAll('.reading figure.snippet').length,
    top: selected ? Math.round(selected.getBoundingClientRect().top) : null,
  };
})())"""


@pytest.fixture(scope="module")
def browser():
    with Browser(CHROMIUM) as opened:
        yield opened


@pytest.fixture(scope="module")
def dqn_page(sample_reports, tmp_path_factory) -> Path:
    page = tmp_path_factory.mktemp("reading") / "dqn.html"
    page.write_text(render_html(sample_reports["dqn"]), encoding="utf-8")
    return page


def _clean(visit) -> None:
    assert visit.console_errors == [] and visit.exceptions == [] and visit.log_errors == []


def _state(visit) -> dict:
    _clean(visit)
    return json.loads(visit.result)


def test_clicking_an_item_shows_its_code_beside_it(browser, dqn_page) -> None:
    script = "document.querySelector('#eq-loss .item-head .display').click();" + STATE
    state = _state(browser.visit(dqn_page.as_uri(), script, WIDE, 1000))
    assert state["title"] == "Eq. (4): 1 code location"
    assert state["captions"] == ["src/agent.py:43 td_loss lines 43\u201353"]
    assert state["bound"] == [str(n) for n in range(43, 54)]
    assert (state["selected"], state["hash"]) == ("eq-loss", "#eq-loss")
    assert state["paneShown"] and state["inlineShown"] == 0 and state["inline"] > 10
    # a link inside an item still goes where it points, and selects nothing
    follow = "document.querySelector('#eq-huber .code-refs a').click();" + STATE
    state = _state(browser.visit(dqn_page.as_uri(), follow, WIDE, 1000))
    assert (state["selected"], state["hash"]) == (None, "#f1-51")


def test_the_keyboard_selects_and_steps_through_items(browser, dqn_page) -> None:
    script = (
        """(() => {
      const key = (target, name) => target.dispatchEvent(new KeyboardEvent('keydown', {key: name, bubbles: true}));
      const items = [...document.querySelectorAll('.selectable')];
      const focusable = items.every(item => item.tabIndex === 0);
      const loss = document.getElementById('eq-loss');
      loss.focus();
      key(loss, 'Enter');
      const first = document.querySelector('[aria-current="true"]').id;
      key(loss, 'j');
      const next = [document.querySelector('[aria-current="true"]').id, document.activeElement.id];
      key(document.activeElement, 'ArrowUp');
      key(document.activeElement, ' ');
      return JSON.stringify({focusable, count: items.length, first, next,
        index: items.indexOf(document.getElementById(next[0])) - items.indexOf(loss), state: JSON.parse(%s)});
    })()"""
        % STATE
    )
    found = _state(browser.visit(dqn_page.as_uri(), script, WIDE, 1000))
    assert found["focusable"] and found["count"] > 20
    assert found["first"] == "eq-loss"
    assert found["next"][0] == found["next"][1] and found["index"] == 1  # j: the next item, selected and focused
    assert (found["state"]["selected"], found["state"]["focused"]) == ("eq-loss", "eq-loss")  # ArrowUp, then Space
    assert found["state"]["title"] == "Eq. (4): 1 code location"


@pytest.mark.parametrize(
    ("fragment", "selected"),
    [
        ("#eq:loss", "eq-loss"),
        ("#eq-loss", "eq-loss"),
        ("#alg:dqn:line:8", "alg-dqn-line-8"),
        ("#hp:adam.eps", "hp-adam-eps"),
    ],
)
def test_a_url_fragment_opens_with_its_code_shown(browser, dqn_page, fragment, selected) -> None:
    visit = browser.visit(dqn_page.as_uri() + fragment, STATE, WIDE, 1000)
    save_screenshot(visit.screenshot, f"report-side-by-side-{selected}.png")
    state = _state(visit)
    assert state["selected"] == selected and state["captions"] and state["paneShown"]
    assert 40 <= state["top"] <= 56  # scrolled to the item, a label (not an id) included, below the 40 px navigation
    if selected == "alg-dqn-line-8":
        assert state["title"] == "Algorithm 1, line 8: 1 code location"
        assert state["captions"] == ["src/agent.py:82 lines 82\u201383"]
    if selected == "hp-adam-eps":  # a site the hyperparameter analysis found, without an annotation
        assert state["captions"] == ["src/agent.py:62 1e-8, mismatch line 62"]
        assert state["title"] == "epsilon_Adam: 1 code location"


def test_without_javascript_every_item_is_followed_by_its_snippets(browser, dqn_page) -> None:
    visit = browser.visit(dqn_page.as_uri() + "#eq-loss", STATE, WIDE, 1000, javascript=False)
    save_screenshot(visit.screenshot, "report-no-javascript.png")
    state = _state(visit)
    assert state["inline"] > 10 and state["inlineShown"] == state["inline"]
    assert not state["paneShown"] and state["selected"] is None
    snippets = browser.visit(
        dqn_page.as_uri(),
        "document.querySelectorAll('#eq-loss > .snippets tr.bound').length",
        WIDE,
        1000,
        javascript=False,
    )
    assert snippets.result == 11


def test_on_a_narrow_screen_snippets_stay_under_their_items(browser, dqn_page) -> None:
    state = _state(browser.visit(dqn_page.as_uri() + "#eq-loss", STATE, NARROW, 1000))
    assert not state["paneShown"] and state["inlineShown"] == state["inline"] and state["selected"] == "eq-loss"


def test_on_a_phone_nothing_widens_the_page(browser, dqn_page) -> None:
    """Wide tables and code scroll inside their section; the page itself does not scroll sideways."""
    visit = browser.visit(dqn_page.as_uri(), "document.documentElement.scrollWidth", PHONE, 1000)
    save_screenshot(visit.screenshot, "report-phone.png")
    _clean(visit)
    assert visit.result <= PHONE


COLOURS = """JSON.stringify([getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color,
  getComputedStyle(document.querySelector('.badge.implemented')).color])"""


def test_dark_mode_follows_the_system_setting(browser, dqn_page) -> None:
    light = browser.visit(dqn_page.as_uri(), COLOURS, WIDE, 1000, color_scheme="light")
    dark = browser.visit(dqn_page.as_uri() + "#eq-loss", COLOURS, WIDE, 1000, color_scheme="dark")
    save_screenshot(dark.screenshot, "report-dark.png")
    _clean(dark)
    assert json.loads(light.result) == ["rgb(255, 255, 255)", "rgb(31, 35, 40)", "rgb(26, 127, 55)"]
    assert json.loads(dark.result) == ["rgb(13, 17, 23)", "rgb(230, 237, 243)", "rgb(63, 185, 80)"]
    printed = browser.visit(dqn_page.as_uri(), COLOURS, WIDE, 1000, color_scheme="dark", media="print")
    assert json.loads(printed.result)[:2] == ["rgb(255, 255, 255)", "rgb(31, 35, 40)"]  # paper stays white


PRINTED = """JSON.stringify((() => {
  const visible = e => e.getClientRects().length > 0;
  return {hidden: ['nav', '#code', '#legend', '.code-pane', '#filters'].filter(s => document.querySelector(s) && visible(document.querySelector(s))),
    shown: ['#coverage', '#findings', '.paper'].filter(s => visible(document.querySelector(s))),
    snippets: [...document.querySelectorAll('.reading figure.snippet')].filter(visible).length,
    all: document.querySelectorAll('.reading figure.snippet').length,
    missing: [...document.querySelectorAll('#coverage details li')].map(li => li.checkVisibility())};
})())"""


@pytest.mark.parametrize("sample", ["dqn", "simsiam", "transformer"])
def test_printing_keeps_the_paper_and_snippets_and_fits_in_few_pages(browser, sample_reports, sample, tmp_path) -> None:
    page = tmp_path / f"{sample}.html"
    page.write_text(render_html(sample_reports[sample]), encoding="utf-8")
    found = _state(browser.visit(page.as_uri(), PRINTED, 794, 1000, media="print"))
    assert found["hidden"] == [] and found["shown"] == ["#coverage", "#findings", ".paper"]
    assert found["snippets"] == found["all"] > 10
    assert found["missing"] == [True]  # the coverage table's collapsed list of missing items, opened
    pages = pdf_pages(CHROMIUM, page, tmp_path / f"{sample}.pdf")
    # issue 19's bound (the page printed 77 pages before --include-code and print styles); at least
    # one page per 8 snippets shows the PDF holds them (a PDF of the header alone has one page)
    assert found["all"] // 8 <= pages <= 15, pages


AXE_RUN = """axe.run(document, {resultTypes: ['violations']}).then(result => JSON.stringify(result.violations
  .filter(v => v.impact === 'serious' || v.impact === 'critical')
  .map(v => [v.id, v.impact, v.nodes.map(n => n.target.join(' ')).slice(0, 5)])))"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    axe = pytest.importorskip("axe_core_python", reason="axe-core-python (the test extra) ships axe-core")
    from importlib import resources

    return (resources.files(axe) / "axe.min.js").read_text(encoding="utf-8")


@pytest.mark.parametrize("sample", ["dqn", "simsiam", "transformer"])
@pytest.mark.parametrize(("scheme", "width"), [("light", WIDE), ("dark", WIDE), ("light", PHONE)])
def test_axe_finds_no_serious_or_critical_violation(
    browser, sample_reports, axe_source, sample, scheme, width, tmp_path
) -> None:
    page = tmp_path / f"{sample}.html"
    page.write_text(render_html(sample_reports[sample]), encoding="utf-8")
    fragment = re.search(r'class="item selectable kind-equation[^"]*" id="([^"]+)"', page.read_text(encoding="utf-8"))
    assert fragment is not None
    visit = browser.visit(
        f"{page.as_uri()}#{fragment[1]}", AXE_RUN, width, 1000, color_scheme=scheme, before=axe_source
    )
    _clean(visit)
    assert json.loads(visit.result) == []


def test_axe_does_report_a_violation(browser, sample_reports, axe_source, tmp_path) -> None:
    """The check above can fail: text without contrast and an image without a name are reported."""
    page = tmp_path / "tampered.html"
    html = render_html(sample_reports["dqn"]).replace(
        "<main>", '<main><p><a href="#top"><svg role="img"></svg></a></p>', 1
    )
    page.write_text(html, encoding="utf-8")
    visit = browser.visit(page.as_uri(), AXE_RUN, WIDE, 1000, before=axe_source)
    assert [found[0] for found in json.loads(visit.result)] == ["link-name", "svg-img-alt"]


NAV = """JSON.stringify((() => {
  const nav = document.getElementById('nav');
  const before = Math.round(nav.getBoundingClientRect().top);
  window.scrollTo(0, document.body.scrollHeight / 2);
  const rect = nav.getBoundingClientRect();
  const link = document.querySelector('nav a[href="#findings"]').getBoundingClientRect();
  return {before, top: Math.round(rect.top), height: Math.round(rect.height), position: getComputedStyle(nav).position,
    linkShown: link.top >= rect.top && link.bottom <= rect.bottom && link.right <= window.innerWidth,
    searchShown: document.getElementById('search').getClientRects().length > 0,
    scrollWidth: document.documentElement.scrollWidth};
})())"""


@pytest.mark.parametrize("width", [WIDE, PHONE])
def test_the_navigation_stays_in_view_while_scrolling(browser, dqn_page, width) -> None:
    found = _state(browser.visit(dqn_page.as_uri(), NAV, width, 800))
    assert found["before"] > 100  # under the header at first
    assert (found["position"], found["top"], found["height"]) == ("sticky", 0, 40)  # then pinned to the top
    assert found["searchShown"] and found["scrollWidth"] <= width
    assert found["linkShown"] == (width == WIDE)  # on a phone the links scroll sideways in their one line


SEARCH = """(() => {
  const box = document.getElementById('search');
  const visible = s => [...document.querySelectorAll(s)].filter(e => e.getClientRects().length > 0);
  const type = text => { box.value = text; box.dispatchEvent(new Event('input', {bubbles: true})); };
  const state = () => ({count: document.getElementById('search-count').textContent,
    items: visible('.reading .item').map(e => e.id), statements: visible('.reading ul.statements > li').length,
    sections: visible('.reading .section').length, findings: visible('#findings-table tbody tr').length,
    files: visible('#code .file').map(e => e.id), index: visible('#code ul.file-index li').length});
  const all = state();
  type('HUBER');
  const huber = state();
  type('agent.py');
  const file = state();
  type('PL2');
  const code = state();
  box.focus();
  box.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}));
  const cleared = Object.assign(state(), {value: box.value});
  document.body.dispatchEvent(new KeyboardEvent('keydown', {key: '/', bubbles: true}));
  return JSON.stringify({all, huber, file, code, cleared, focused: document.activeElement.id,
    totals: [document.querySelectorAll('.reading .item, .reading ul.statements > li').length,
             document.querySelectorAll('#findings-table tbody tr').length, document.querySelectorAll('#code .file').length]});
})()"""


def test_the_search_box_filters_items_findings_and_files(browser, dqn_page) -> None:
    found = _state(browser.visit(dqn_page.as_uri(), SEARCH, WIDE, 1000))
    items, findings, files = found["totals"]
    assert found["all"]["count"] == "" and found["all"]["findings"] == findings and len(found["all"]["files"]) == files
    assert found["huber"] == {
        "count": "2 of %d shown" % (items + findings + files),  # the equation and "Huber threshold & 1"
        "items": ["eq-huber"],
        "statements": 1,
        "sections": 2,
        "findings": 0,
        "files": [],
        "index": 0,
    }
    assert found["file"]["files"] == ["file-src-agent-py"] and found["file"]["index"] == 1
    assert (found["file"]["findings"], findings) == (6, 13)  # the findings at src/agent.py lines
    assert (found["code"]["findings"], found["code"]["items"], found["code"]["files"]) == (1, [], [])
    assert found["cleared"] == dict(found["all"], value="")  # Escape: everything back, the count gone
    assert found["focused"] == "search"  # "/" focuses the box


def test_the_keyboard_steps_only_through_the_items_the_search_shows(browser, dqn_page) -> None:
    script = """(() => {
      const box = document.getElementById('search');
      box.value = 'loss';
      box.dispatchEvent(new Event('input', {bubbles: true}));
      const shown = [...document.querySelectorAll('.selectable')].filter(e => e.getClientRects().length > 0).map(e => e.id);
      const key = name => document.body.dispatchEvent(new KeyboardEvent('keydown', {key: name, bubbles: true}));
      const visited = [];
      for (let i = 0; i < shown.length + 1; i++) {
        key('j');
        visited.push(document.querySelector('[aria-current="true"]').id);
      }
      key('k');
      return JSON.stringify({shown, visited, back: document.querySelector('[aria-current="true"]').id});
    })()"""
    found = _state(browser.visit(dqn_page.as_uri(), script, WIDE, 1000))
    assert len(found["shown"]) >= 2
    # j walks the shown items in order and stays on the last; k steps back to the one before it
    assert found["visited"] == found["shown"] + [found["shown"][-1]]
    assert found["back"] == found["shown"][-2]


def test_without_javascript_there_is_no_search_box(browser, dqn_page) -> None:
    visit = browser.visit(
        dqn_page.as_uri(), "document.getElementById('search').getClientRects().length", WIDE, 1000, javascript=False
    )
    _clean(visit)
    assert visit.result == 0


def test_blueprint_statuses_differ_in_border_not_only_colour(browser, axe_source, tmp_path) -> None:
    from click.testing import CliRunner

    from paperlink.cli import cli
    from paperlink.config import load_config
    from paperlink.engine import check
    from tests.report.test_blueprint import CODE, blueprint_project

    (tmp_path / "project").mkdir()
    root = blueprint_project(tmp_path / "project")
    assert CliRunner().invoke(cli, ["lock", str(root)]).exit_code == 0
    (root / "train.py").write_text(CODE.replace("loss = 0", "loss = 1"), encoding="utf-8")  # eq:loss's link: stale
    page = tmp_path / "stale.html"
    page.write_text(render_html(check(load_config(None, root), [root], jobs=1)), encoding="utf-8")
    script = """JSON.stringify([...document.querySelectorAll('svg.blueprint .node, svg.swatch g')].map(node => {
      const style = getComputedStyle(node.querySelector('rect'));
      return [node.getAttribute('class'), style.strokeDasharray, node.querySelector('title') ?
        node.querySelector('title').textContent : node.closest('li').textContent.trim()];
    }))"""
    found = _state(browser.visit(page.as_uri() + "#blueprint", script, WIDE, 1000))
    assert found == [
        # the legend, then the graph
        ["node st-implemented", "none", "implemented"],
        ["node st-stale", "7px, 3px", "stale link (PL111: reviewed code or paper changed)"],
        ["node st-missing", "2px, 2px", "missing"],
        ["node st-exempt", "7px, 2px, 1px, 2px", "exempt"],
        ["node st-other", "none", "not counted"],
        ["node st-implemented", "none", "Eq. (1): implemented"],
        ["node st-stale", "7px, 3px", "Eq. (2): stale link"],
        ["node st-missing", "2px, 2px", "Eq. (3): missing"],
        ["node st-other", "none", "Theorem 1: not counted"],
        ["node st-missing", "2px, 2px", "Algorithm 1 Training: missing"],
    ]
    for scheme in ("light", "dark"):
        visit = browser.visit(page.as_uri(), AXE_RUN, WIDE, 1000, color_scheme=scheme, before=axe_source)
        _clean(visit)
        assert json.loads(visit.result) == []
