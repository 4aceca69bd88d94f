"""Config files in the report: shown as plain text where links and diagnostics point into them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paperlink.config import Config, PaperSource
from paperlink.engine import check
from paperlink.report import render_html
from paperlink.report.page import build_page
from tests.report.browser import Browser, chromium_path
from tests.report.pagecheck import parse_page

FIXTURES = Path(__file__).resolve().parents[1] / "rules" / "fixtures"
HYDRA = FIXTURES / "PL402_mismatch" / "hydra_override"


@pytest.fixture(scope="module")
def hydra_report():
    return check(Config(root=HYDRA, papers=(PaperSource("paper", FIXTURES / "paper.tex"),)), [HYDRA], jobs=1)


def test_config_files_with_links_or_diagnostics_are_in_the_code_view(hydra_report) -> None:
    page = build_page(hydra_report)
    files = {file.path: file for file in page.files}
    primary, override = files["conf/config.yaml"], files["conf/optimizer/sgd.yaml"]
    assert [line.refs[0].text for line in primary.lines if line.refs] == ["Batch size"]
    assert [f.code for line in override.lines for f in line.findings] == ["PL402"]
    assert str(override.lines[0].html) == "lr: 0.1"  # plain, escaped text
    found = parse_page(render_html(hydra_report))
    assert [href for href in found.hrefs if href.startswith("#") and href[1:] not in found.ids] == []


@pytest.mark.slow  # Chromium
@pytest.mark.skipif(chromium_path() is None, reason="no chromium on PATH (apt-get install chromium)")
def test_config_file_targets_exist_in_chromium(hydra_report, tmp_path: Path) -> None:
    from tests.report.test_browser import PROBE

    page = tmp_path / "hydra.html"
    page.write_text(render_html(hydra_report), encoding="utf-8")
    with Browser(chromium_path()) as browser:
        visit = browser.visit(page.as_uri(), PROBE)
    probe = json.loads(visit.result)
    assert visit.console_errors == [] and visit.exceptions == []
    assert probe["dangling"] == [] and probe["empty"] == 0
