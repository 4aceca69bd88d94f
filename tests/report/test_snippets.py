"""The code beside each paper item: the bound span, trimmed, with context, in the static HTML."""

from __future__ import annotations

import re
from pathlib import Path

from paperlink.config import load_config
from paperlink.engine import check
from paperlink.report import render_html
from paperlink.report.page import PageOptions, build_page
from paperlink.report.snippets import BOUND_LINES, CONTEXT
from tests.report.pagecheck import parse_page
from tests.samples import copy_sample

ROOT = Path(__file__).resolve().parents[2]


def _selectables(page):
    """(key, snippets) of every item the page lets a reader select, in page order."""
    for paper in page.papers:
        for section in paper.sections:
            if section.key:
                yield section.key, section.snippets
            for item in section.items:
                yield item.key, item.snippets
                for line in item.lines:
                    yield line.key, line.snippets
            for statement in section.hyperparameters:
                if statement.id:
                    yield statement.key, statement.snippets


def _snippets(page, key):
    return next(snippets for found, snippets in _selectables(page) if found == key)


def test_a_decorated_function_shows_its_lines_with_context(sample_reports) -> None:
    page = build_page(sample_reports["dqn"])
    (loss,) = _snippets(page, "eq:loss")  # @paperlink.implements("eq:loss") on td_loss, lines 43-53
    assert (loss.where.text, loss.where.href, loss.where.detail, loss.span, loss.cut) == (
        "src/agent.py:43",
        "#f1-43",
        "td_loss",
        "lines 43\u201353",
        0,
    )
    # two lines of context each side, less the blank ones at the edges (41 before, 54 and 55 after)
    assert [(line.number, line.bound) for line in loss.lines] == [(number, number >= 43) for number in range(42, 54)]
    assert loss.lines[0].html == '@paperlink.implements(<span class="s">"eq:loss"</span>)'
    assert 'def</span> <span class="d">td_loss</span>' in loss.lines[1].html


def test_a_comment_binds_its_statement_and_a_long_function_shows_its_head(sample_reports) -> None:
    page = build_page(sample_reports["dqn"])
    (bellman,) = _snippets(page, "eq:bellman")  # a comment on `with torch.no_grad():` binds the block
    assert (bellman.span, [line.number for line in bellman.lines if line.bound]) == ("lines 48\u201350", [48, 49, 50])
    assert [line.number for line in bellman.lines] == list(range(48 - CONTEXT, 50 + CONTEXT + 1))
    module, train = _snippets(page, "alg:dqn")  # the module docstring, and train() of 29 lines
    assert (module.where.text, module.span, [line.number for line in module.lines]) == (
        "src/agent.py:1",
        "line 1",
        [1, 2, 3],
    )
    assert (train.span, train.cut) == ("lines 56\u201384", 29 - BOUND_LINES)
    assert [line.number for line in train.lines] == list(range(56, 56 + BOUND_LINES))  # 54, 55 blank
    assert _snippets(page, "hp:gamma")[0].span == "line 25"
    assert [s.where.text for s in _snippets(page, "sec:targets")] == ["src/networks.py:1", "src/replay.py:12"]


def test_every_item_is_followed_by_its_snippets_in_the_html(sample_reports) -> None:
    for name, report in sample_reports.items():
        page = build_page(report)
        html = render_html(report)
        expected = sum(len(snippets) for _, snippets in _selectables(page))
        assert expected > 10, name
        assert html.count('<figure class="snippet">') == expected, name
        keys = [key for key, _ in _selectables(page)]
        assert re.findall(r'class="[^"]*selectable[^"]*"[^>]* data-key="([^"]*)"', html) == keys, name
        assert parse_page(html).ids.most_common(1)[0][1] == 1, name  # snippets copy no id


def test_snippets_follow_include_code(sample_reports) -> None:
    """With ``findings`` only files with diagnostics are embedded, snippets included."""
    report = sample_reports["dqn"]
    page = build_page(report, PageOptions(include_code="findings"))
    shown = {file.path for file in page.files}
    paths = {s.where.text.split(":")[0] for _, snippets in _selectables(page) for s in snippets}
    assert paths and paths <= shown
    assert {file.path for file in build_page(report).files} - shown == {"src/networks.py"}
    assert _snippets(page, "eq:target_sync") == ()  # src/networks.py has no diagnostic


def test_the_page_is_byte_identical_across_reruns_and_jobs(tmp_path) -> None:
    project = tmp_path / "dqn"
    copy_sample("dqn", project)
    config = load_config(None, project)
    first = render_html(check(config, [project], jobs=1))
    assert '<figure class="snippet">' in first
    assert render_html(check(config, [project], jobs=1)) == first
    assert render_html(check(config, [project], jobs=2)) == first


def test_a_hyperparameter_shows_the_code_sites_the_analysis_paired_with_it(sample_reports) -> None:
    page = build_page(sample_reports["dqn"])
    (eps,) = _snippets(page, "hp:adam.eps")  # no annotation: torch.optim.Adam's default eps
    assert (eps.where.text, eps.where.detail, [n.number for n in eps.lines if n.bound]) == (
        "src/agent.py:62",
        "1e-8, mismatch",
        [62],
    )
    (batch,) = _snippets(page, "hp:batch_size")  # the site and the `# paper:` link on one line: once
    assert (batch.where.text, batch.where.detail) == ("src/agent.py:26", "32, match")


def test_the_content_security_policy_is_unchanged(sample_reports) -> None:
    """The side-by-side script is the page's one script: the policy still allows only it and the
    one style block, by hash, and no element carries a style or handler attribute."""
    html = render_html(sample_reports["dqn"])
    policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', html)
    assert policy is not None and re.fullmatch(
        r"default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]{44}'; script-src 'sha256-[A-Za-z0-9+/=]{44}';"
        r" img-src data:; base-uri 'none'; form-action 'none'",
        policy[1],
    )
    found = parse_page(html)
    assert (found.scripts, found.tags["style"], found.handler_attributes) == (1, 1, [])
    assert " style=" not in html
