"""The report page of the sample papers: view model facts and the HTML's structure."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from paperlink.config import load_config
from paperlink.engine import check
from paperlink.paper import ItemKind
from paperlink.report import render_html
from paperlink.report.page import PageOptions, build_page, generation_time, git_commit
from paperlink.errors import UsageError
from tests.report.pagecheck import parse_page

ROOT = Path(__file__).resolve().parents[2]


def _item(page, key_id: str):
    return next(
        item for paper in page.papers for section in paper.sections for item in section.items if item.id == key_id
    )


def _file(page, path: str):
    return next(file for file in page.files if file.path == path)


def test_simsiam_paper_items_link_to_the_code_lines(sample_reports) -> None:
    page = build_page(sample_reports["simsiam"])
    symloss = _item(page, "eq-symloss")
    assert (symloss.display, symloss.status) == ("Eq. (3b)", "implemented")
    assert [(ref.text, ref.href, ref.detail) for ref in symloss.code] == [
        ("src/train.py:36", "#f1-36", "symmetric_loss"),
        ("src/train.py:43", "#f1-43", ""),
        ("src/train.py:44", "#f1-44", ""),
        ("src/train.py:45", "#f1-45", ""),
    ]
    assert symloss.math is not None and "<mo>sg</mo>" in symloss.math  # \sg from \DeclareMathOperator
    cosine = _item(page, "eq-cosine")
    assert (cosine.status, cosine.code) == ("missing", ())
    assert [ref.text for ref in cosine.findings] == ["PL110 Eq. (6) eq:cosine has no implementing code"]


def test_simsiam_code_lines_link_back_and_show_their_diagnostics(sample_reports) -> None:
    page = build_page(sample_reports["simsiam"])
    train = _file(page, "src/train.py")
    by_number = {line.number: line for line in train.lines}  # only the lines around links and findings
    line = by_number[43]
    assert (line.number, line.id, line.linked) == (43, "f1-43", True)
    assert [(ref.text, ref.href) for ref in line.refs] == [("Eq. (3b)", "#eq-symloss")]
    assert [f.code for f in by_number[77].findings] == ["PL101"]
    assert by_number[77].findings[0].id in {finding.id for finding in page.findings}
    in_code = sum(len(line.findings) for file in page.files for line in file.lines if file.path.endswith(".py"))
    in_paper = sum(1 for finding in page.findings if finding.location.text.startswith("paper.tex:"))
    assert in_code + in_paper == len(page.findings)
    assert [file.path for file in page.files] == ["src/model.py", "src/train.py", "paper.tex"]


def test_coverage_rows_list_the_items_without_code(sample_reports) -> None:
    page = build_page(sample_reports["simsiam"])
    assert [
        (v.row.kind, v.row.implemented, v.row.needed, v.row.percent_text, [r.text for r in v.missing_items])
        for v in page.coverage
    ] == [
        ("algorithm", 1, 1, "100%", []),
        ("equation", 8, 9, "89%", ["Eq. (6)"]),
    ]


def test_algorithm_lines_read_as_in_the_pdf(sample_reports) -> None:
    page = build_page(sample_reports["simsiam"])
    algorithm = _item(page, "alg-simsiam")
    assert [line.number for line in algorithm.lines] == ["1", "2", "3", "4", "5", "6", "7"]
    third = algorithm.lines[2]
    assert str(third.text).startswith("<math") and third.text.endswith('<b class="kw">\u25b7</b> Eq. (1)')
    assert '<b class="kw">for</b>' in algorithm.lines[0].text and "end for" in algorithm.lines[6].text
    assert [ref.text for ref in algorithm.lines[4].code] == ["src/train.py:36"]


@pytest.mark.parametrize("sample", ["simsiam", "dqn", "transformer"])
def test_every_sample_equation_is_mathml(sample_reports, sample) -> None:
    report = sample_reports[sample]
    page = build_page(report)
    equations = [
        item for paper in page.papers for section in paper.sections for item in section.items if item.kind == "equation"
    ]
    groups = [item for item in equations if item.title.startswith("rows ")]
    assert len(equations) == sum(1 for item in report.papers[sample].items if item.kind is ItemKind.EQUATION)
    assert [item.display for item in equations if item.math is None and item not in groups] == []


@pytest.mark.parametrize("sample", ["simsiam", "dqn", "transformer"])
def test_page_structure(sample_reports, sample) -> None:
    report = sample_reports[sample]
    found = parse_page(render_html(report))
    duplicated = [name for name, count in found.ids.items() if count > 1]
    assert duplicated == []
    dangling = [href for href in found.hrefs if href.startswith("#") and href[1:] not in found.ids]
    assert dangling == []
    assert found.external == [] and found.scripts == 1 and found.handler_attributes == []
    finding_rows = [row for row in found.rows if "data-code" in row]
    assert [row["data-code"] for row in finding_rows] == [d.code for d in report.diagnostics]
    assert found.tags["math"] >= sum(1 for item in report.papers[sample].items if item.kind is ItemKind.EQUATION) - 2


def test_hyperparameters_without_the_analysis_are_the_papers_values() -> None:
    simsiam = ROOT / "sample_papers" / "simsiam"
    paper = build_page(check(load_config(None, simsiam), [simsiam], jobs=1, ignore=["PL4"])).papers[0]
    assert not paper.compared
    optimiser = [row for row in paper.hyperparameters if row.paper_ref.text == "Section 2.3"]
    assert [(row.name, row.paper_value, row.paper_ref.text, [v.where.text for v in row.code]) for row in optimiser][
        :3
    ] == [
        ("momentum", "0.9", "Section 2.3", ["src/train.py:21"]),
        ("weight decay", "10^{-4}", "Section 2.3", ["src/train.py:22"]),
        ("learning rate", "0.05", "Section 2.3", ["src/train.py:19"]),
    ]
    assert [row.name for row in paper.hyperparameters if row.paper_math is not None] == ["weight decay"]  # 10^{-4}
    assert "<msup><mn>10</mn>" in optimiser[1].paper_math


def test_the_hyperparameter_table_shows_each_site_with_its_own_status() -> None:
    project = ROOT / "tests" / "golden" / "hparams" / "project"
    report = check(load_config(None, project), [project], jobs=1, select=["PL4"])
    rows = {
        (row.name, row.paper_ref.text if row.paper_ref else ""): row
        for row in build_page(report).papers[0].hyperparameters
    }
    assert [(v.value, v.status) for v in rows["gamma", "discount"].code] == [
        ("0.99", "match"),
        ("0.95", "mismatch"),
        ("0.9", "mismatch"),
    ]
    atari = next(row for (name, ref), row in rows.items() if name == "learning_rate" and "scope atari" in ref)
    assert [(v.value, v.status) for v in atari.code] == [
        ("1e-4", "match"),
        ("5e-4", "out-of-scope"),
        ("0.01", "out-of-scope"),
    ]
    assert rows["lambda", "penalty weight"].paper_value == "{0, 1, 10}"
    html = render_html(report)
    table = html[html.index('<table class="hyperparameters">') :]
    table = table[: table.index("</table>")]
    sites = sum(len(row["code"]) or 1 for row in report.sections["hyperparameters"])
    assert table.count("<tr class=") == sites  # one table line per site


def _span(path: str, line: int) -> dict:
    return {"path": path, "line": line, "column": 5, "end_line": line, "end_column": 20}


SECTIONS = {
    "gradient_stops": [
        {
            "span": _span("src/train.py", 43),
            "kind": "detach",
            "api": "torch.Tensor.detach",
            "context": "training",
            "function": "symmetric_loss",
            "documented_by": "annotation",
            "items": [{"paper": "simsiam", "item": "eq:symloss"}],
            "justification": None,
        },
        {
            "span": _span("src/model.py", 70),
            "kind": "no_grad",
            "api": "torch.no_grad",
            "context": "training",
            "function": "SimSiam.forward",
            "documented_by": None,
            "items": [],
            "justification": None,
        },
    ],
    "hidden_inputs": {
        "globals": [
            {
                "name": "args",
                "span": _span("src/train.py", 27),
                "kind": "config",
                "read_by": ["train_one_epoch"],
                "written_by": [],
            }
        ],
        "env_vars": [{"name": None, "span": _span("src/train.py", 30), "function": "main"}],
        "seeds": [{"library": "torch", "value": "0", "span": _span("elsewhere.py", 3), "configurable": False}],
        "nondeterminism": [
            {"setting": "torch.backends.cudnn.benchmark", "span": _span("src/train.py", 31), "documented": False}
        ],
    },
    "hyperparameters": [
        {
            "name": "weight decay",
            "paper": {
                "paper": "simsiam",
                "item": "hp:weight_decay",
                "number": "Table 1",
                "value": "10^{-4}",
                "span": _span("paper.tex", 155),
            },
            "code": [
                {
                    "value": "5e-4",
                    "numeric": 0.0005,
                    "span": _span("src/train.py", 22),
                    "source": "default",
                    "configurable": True,
                    "api": "argparse.ArgumentParser.add_argument",
                }
            ],
            "status": "mismatch",
        },
        {
            "name": "max norm",
            "paper": None,
            "code": [
                {
                    "value": "5.0",
                    "numeric": 5.0,
                    "span": _span("src/train.py", 80),
                    "source": "literal",
                    "configurable": False,
                    "api": None,
                }
            ],
            "status": "only-in-code",
        },
    ],
}


def test_analysis_sections_become_panels(sample_reports) -> None:
    report = dataclasses.replace(sample_reports["simsiam"], sections=SECTIONS)
    page = build_page(report)
    stops = page.gradient_stops
    assert [(s.where.text, s.where.href, s.documented_by, [i.href for i in s.items]) for s in stops] == [
        ("src/train.py:43", "#f1-43", "annotation", ["#eq-symloss"]),
        ("src/model.py:70", "#f0-70", None, []),
    ]
    hidden = page.hidden_inputs
    assert [(g.name, g.where.href, g.read_by) for g in hidden.globals] == [("args", "#f1-27", ("train_one_epoch",))]
    assert [(e.name, e.where.href) for e in hidden.env_vars] == [(None, "#f1-30")]
    assert [(s.value, s.where.text, s.where.href) for s in hidden.seeds] == [
        ("0", "elsewhere.py:3", None)
    ]  # not a checked file
    rows = page.papers[0].hyperparameters
    assert page.papers[0].compared
    assert [
        (r.name, r.paper_value, r.paper_ref and r.paper_ref.text, r.status, [v.value for v in r.code]) for r in rows
    ] == [
        ("weight decay", "10^{-4}", "weight decay (Table 1)", "mismatch", ["5e-4"]),
        ("max norm", None, None, "only-in-code", ["5.0"]),
    ]
    html = render_html(report)
    found = parse_page(html)
    assert [href for href in found.hrefs if href.startswith("#") and href[1:] not in found.ids] == []
    assert 'id="gradient-stops"' in html and 'id="hidden-inputs"' in html and 'class="hp-mismatch"' in html


def test_the_environment_panel_lists_the_files_what_they_pin_and_the_versions(sample_reports) -> None:
    environment = build_page(sample_reports["simsiam"]).environment
    assert [(v.name, v.version, v.via, v.where.text) for v in environment.versions] == [
        ("Python", "3.11", "python=3.11", "environment.yml:8"),
        ("torch", "2.1.2", "pytorch=2.1.2", "environment.yml:9"),
        ("CUDA", "12.1", "pytorch-cuda=12.1", "environment.yml:11"),
    ]
    [file] = environment.files
    assert (file.where.text, file.kind, file.count) == ("environment.yml", "conda", 5)
    assert [(p.text, p.exact) for p in file.pins] == [
        ("pytorch=2.1.2", True),
        ("torchvision=0.16.2", True),
        ("pytorch-cuda=12.1", True),
        ("pip", False),
        ("paperlink==0.1.0", True),
    ]
    assert [(p.module, p.status, [r.text for r in p.where]) for p in environment.packages] == [
        ("torch", "pinned", ["environment.yml:9"]),
        ("torchvision", "pinned", ["environment.yml:10"]),
    ]
    dqn = build_page(sample_reports["dqn"])
    assert [(v.name, v.version) for v in dqn.environment.versions] == [
        ("Python", None),
        ("torch", "2.1.2"),
        ("CUDA", None),
    ]
    # the environment file with a finding is shown in the code view, and the panel links to it
    assert "requirements.txt" in [f.path for f in dqn.files]
    assert dqn.environment.files[0].where.href is not None
    html = render_html(sample_reports["dqn"])
    found = parse_page(html)
    assert [href for href in found.hrefs if href.startswith("#") and href[1:] not in found.ids] == []
    assert '<a href="#environment">Environment</a>' in html and '<code class="pin-exact">numpy==1.26.4</code>' in html


def test_panels_are_absent_when_their_analyses_did_not_run(sample_reports) -> None:
    assert 'id="hidden-inputs"' in render_html(sample_reports["dqn"])  # the analyses run by default
    dqn = ROOT / "sample_papers" / "dqn"
    html = render_html(
        check(load_config(None, dqn), [dqn], jobs=1, select=["PL1"])
    )  # PL006 (in PL0) reads environments
    assert 'id="gradient-stops"' not in html and 'id="hidden-inputs"' not in html and 'id="environment"' not in html


def test_malformed_sections_show_what_they_can(sample_reports) -> None:
    sections = {
        "gradient_stops": [None, {"span": "nowhere"}],
        "hidden_inputs": {"globals": "x", "seeds": [3]},
        "hyperparameters": [1],
        "environment": {"files": [3, {"pins": "x"}], "versions": {"python": "3.10"}, "packages": [{"pins": [None]}]},
    }
    page = build_page(dataclasses.replace(sample_reports["dqn"], sections=sections))
    assert [(s.where.text, s.kind) for s in page.gradient_stops] == [("?", "")]
    assert page.hidden_inputs.globals == () and page.hidden_inputs.seeds == ()
    assert [(f.where.text, f.pins) for f in page.environment.files] == [("?", ())]
    assert [v.version for v in page.environment.versions] == [None, None, None]
    assert [[r.text for r in p.where] for p in page.environment.packages] == [["?"]]
    assert page.papers[0].hyperparameters == ()


def test_header_shows_a_time_and_commit_only_when_given(sample_reports) -> None:
    report = sample_reports["dqn"]
    plain = build_page(report).header
    assert (plain.generated_at, plain.commit, plain.project, plain.papers[0].title[:8]) == (
        None,
        None,
        "dqn",
        "Periodic",
    )
    assert plain.papers[0].authors[0] == "Rafaela Nkemelu"
    html = render_html(report, PageOptions(generated_at="2023-11-14 22:13:20 UTC", commit="a" * 40))
    assert "2023-11-14 22:13:20 UTC" in html and "a" * 40 in html


def test_generation_time_parses_epoch_seconds_and_iso() -> None:
    assert generation_time("1700000000") == "2023-11-14 22:13:20 UTC"
    assert generation_time("2024-01-02T03:04:05+01:00") == "2024-01-02 02:04:05 UTC"
    assert generation_time(None) is None and generation_time(" ") is None
    with pytest.raises(UsageError):
        generation_time("yesterday")


def test_project_name_from_pyproject_or_folder(tmp_path) -> None:
    from paperlink.report.page import project_name

    assert project_name(tmp_path) == tmp_path.name
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "simsiam-repro"\n', encoding="utf-8")
    assert project_name(tmp_path) == "simsiam-repro"
    (tmp_path / "pyproject.toml").write_text("[project\n", encoding="utf-8")
    assert project_name(tmp_path) == tmp_path.name


def test_git_commit_is_none_outside_a_repository(tmp_path) -> None:
    assert git_commit(tmp_path) is None


def test_git_commit_inside_a_repository(tmp_path) -> None:
    import subprocess

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "a.py").write_text("x = 1\n")
    subprocess.run(["git", "-C", str(tmp_path), "add", "a.py"], check=True)
    subprocess.run(
        ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "m"], check=True
    )
    head = subprocess.run(
        ["git", "-C", str(tmp_path), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert git_commit(tmp_path) == head


def test_rules_legend_comes_from_the_rules_docs(sample_reports) -> None:
    from paperlink.rules import ALL_RULES

    page = build_page(sample_reports["simsiam"])
    assert [rule.code for rule in page.rules] == [rule.code for rule in ALL_RULES]
    pl101 = next(rule for rule in page.rules if rule.code == "PL101")
    assert pl101.found == 1 and "## What it does" in pl101.documentation


def test_a_project_without_a_paper_still_gets_a_page(tmp_path) -> None:
    from paperlink.config import load_config
    from paperlink.engine import check

    (tmp_path / "train.py").write_text("x = 1  # paper: eq:loss\n", encoding="utf-8")
    (tmp_path / "broken.py").write_bytes(b"x = '\xff'\n")
    report = check(load_config(None, tmp_path), [tmp_path], jobs=1)
    page = build_page(report)
    assert page.papers == () and page.coverage == ()
    broken = _file(page, "broken.py")
    assert broken.lines == () and broken.note.startswith("this file could not be read")
    assert [f.code for f in broken.file_findings] == ["PL002"]
    found = parse_page(render_html(report))
    assert [href for href in found.hrefs if href.startswith("#") and href[1:] not in found.ids] == []


def test_two_papers_with_the_same_labels_get_distinct_ids(tmp_path) -> None:
    from paperlink.config import load_config
    from paperlink.engine import check

    paper = "\\documentclass{article}\\usepackage{amsmath}\\begin{document}\\section{A}\\begin{equation}\\label{eq:x} x = 1\\end{equation}\\end{document}\n"
    (tmp_path / "a.tex").write_text(paper, encoding="utf-8")
    (tmp_path / "b.tex").write_text(paper, encoding="utf-8")
    (tmp_path / "paperlink.yaml").write_text("papers:\n  a: a.tex\n  b: b.tex\ndefault-paper: a\n", encoding="utf-8")
    (tmp_path / "m.py").write_text("x = 1  # paper: eq:x\ny = 1  # paper[b]: eq:x\n", encoding="utf-8")
    report = check(load_config(None, tmp_path), [tmp_path], jobs=1)
    page = build_page(report)
    assert [paper.id for paper in page.papers] == ["paper-a", "paper-b"]
    assert [[ref.href for ref in line.refs] for line in page.files[0].lines] == [["#a-eq-x"], ["#b-eq-x"]]
    found = parse_page(render_html(report))
    assert [name for name, count in found.ids.items() if count > 1] == []
    assert [href for href in found.hrefs if href.startswith("#") and href[1:] not in found.ids] == []


def test_include_code_linked_embeds_the_lines_around_links_findings_and_paper_items(sample_reports) -> None:
    from paperlink.report.scope import CONTEXT

    report = sample_reports["simsiam"]
    page = build_page(report)
    whole = build_page(report, PageOptions(include_code="all"))
    assert sum(len(f.lines) for f in page.files) < sum(len(f.lines) for f in whole.files)
    train = _file(page, "src/train.py")
    numbers = [line.number for line in train.lines]
    for link in report.links:
        if link.target.path == "src/train.py":
            end = link.target.end_line or link.target.line
            assert set(range(max(1, link.target.line - CONTEXT), end + CONTEXT + 1)) <= set(numbers), link
    # each run of left-out lines is counted once, before the next shown line or at the end
    assert sum(line.gap_before for line in train.lines) + train.gap_after + len(numbers) == len(
        _file(whole, "src/train.py").lines
    )
    assert all(line.gap_before == 0 or line.gap_before > 1 for line in train.lines) and train.gap_after != 1
    html = render_html(report)
    assert '<tr class="gap"><td></td><td>&#8943; ' in html
    # every link into the code still lands on a shown line or the file
    found = parse_page(html)
    assert all(found.ids[href[1:]] == 1 for href in found.hrefs if href.startswith("#"))


def test_include_code_findings_embeds_only_the_lines_with_diagnostics(sample_reports) -> None:
    report = sample_reports["simsiam"]
    page = build_page(report, PageOptions(include_code="findings"))
    with_findings = {d.span.path for d in report.diagnostics}
    assert {file.path for file in page.files} == with_findings
    shown = {(file.path, line.number) for file in page.files for line in file.lines}
    assert {(d.span.path, d.span.line) for d in report.diagnostics} <= shown
    symloss = _item(page, "eq-symloss")  # its code is not embedded: the location stays text
    assert [(ref.text, ref.href) for ref in symloss.code][:1] == [("src/train.py:36", "#file-src-train-py")]


def test_include_code_rejects_an_unknown_mode(sample_reports) -> None:
    with pytest.raises(UsageError, match="--include-code must be one of all, linked, findings, not 'some'"):
        build_page(sample_reports["simsiam"], PageOptions(include_code="some"))


def test_gradient_stop_map_says_undocumented_only_where_a_rule_flagged_the_stop(sample_reports) -> None:
    evaluation = dict(SECTIONS["gradient_stops"][1], span=_span("src/train.py", 80), context="evaluation")
    report = dataclasses.replace(
        sample_reports["simsiam"], sections={"gradient_stops": [*SECTIONS["gradient_stops"], evaluation]}
    )
    # the sample's PL201 warning is at src/model.py:70; no gradient rule flags src/train.py:80
    assert [d.code for d in report.diagnostics if (d.span.path, d.span.line) == ("src/model.py", 70)] == ["PL201"]
    page = build_page(report)
    assert [(s.where.text, s.flagged, [r.text for r in s.findings]) for s in page.gradient_stops] == [
        ("src/train.py:43", False, []),
        ("src/model.py:70", True, ["PL201"]),
        ("src/train.py:80", False, []),
    ]
    table = render_html(report).split('<section id="gradient-stops">')[1].split("</section>")[0]
    assert table.count('<span class="badge missing">undocumented</span>') == 1
    assert '<span class="badge exempt">not needed in evaluation code</span>' in table


def test_coverage_lists_missing_items_in_a_collapsible_list(sample_reports) -> None:
    html = render_html(sample_reports["simsiam"])
    coverage = html.split('<section id="coverage">')[1].split("</section>")[0]
    assert (
        '<details><summary>1 item</summary><ul class="missing-items"><li><a href="#eq-cosine">Eq. (6)</a>' in coverage
    )


def test_windows_fill_gaps_of_one_line() -> None:
    from paperlink.report.scope import windows

    assert sorted(windows({6}, 20)) == [3, 4, 5, 6, 7, 8, 9]
    assert sorted(windows({5}, 20)) == [1, 2, 3, 4, 5, 6, 7, 8]  # line 1 alone before: filled
    assert sorted(windows({4}, 8)) == [1, 2, 3, 4, 5, 6, 7, 8]  # line 8 alone after: filled
    assert sorted(windows({2, 10}, 11)) == list(range(1, 12))  # line 6 alone between: filled
    assert sorted(windows({2, 11}, 20)) == [1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13, 14]
    assert windows(set(), 10) == frozenset()


def test_a_float_shows_its_caption_not_its_whole_environment(sample_reports) -> None:
    """A table's LaTeX is its whole environment (placement, tabular); the page shows the caption,
    with its reference as printed (found by looking at the screenshots: "[t] ... & 0.05 \\\\ ...")."""
    page = build_page(sample_reports["simsiam"])
    assert str(_item(page, "tab-hparams").title) == (
        "Pretraining hyperparameters. The learning rate is the base value before the scaling of Eq.\u00a0(5)."
    )
    assert (
        str(_item(page, "tab-ablation").title) == "Linear-probe top-1 accuracy (%) on the 100-class subset, one seed."
    )


def test_hyperparameter_statements_written_in_latex_show_as_mathml(sample_reports) -> None:
    page = build_page(sample_reports["simsiam"])
    statements = {s.name: s for paper in page.papers for section in paper.sections for s in section.hyperparameters}
    eta = statements["\\eta_0"]
    assert eta.name_math is not None and "<mi>η</mi>" in eta.name_math and eta.value_math is None
    decay = statements["weight decay"]
    assert (decay.value, decay.name_math) == ("10^{-4}", None)
    assert (
        decay.value_math is not None and "<msup><mn>10</mn><mrow><mo>−</mo><mn>4</mn></mrow></msup>" in decay.value_math
    )
    html = render_html(sample_reports["simsiam"])
    assert '<span title="10^{-4}"><math' in html and "<code>10^{-4}</code>" not in html


def test_the_hyperparameter_table_names_a_symbol_statement_by_its_symbol_in_mathml(sample_reports) -> None:
    """Found in the screenshots: the table's "where" cell showed ``\\eta_0`` as raw LaTeX."""
    page = build_page(sample_reports["simsiam"])
    rows = [row for paper in page.papers for row in paper.hyperparameters if row.name == "eta_0"]
    assert [row.paper_ref.text for row in rows if row.paper_ref] == ["\\eta_0"]
    assert rows[0].paper_ref_math is not None and "<mi>η</mi>" in rows[0].paper_ref_math
    assert all(
        row.paper_ref_math is None for paper in page.papers for row in paper.hyperparameters if row.name != "eta_0"
    )
    table = render_html(sample_reports["simsiam"]).split('<table class="hyperparameters">')[1].split("</table>")[0]
    assert "\\eta_0" not in table.replace('title="', "")  # only MathML's annotation may keep the source


def test_include_code_linked_leaves_out_hyperparameter_sites_the_paper_states_no_value_for(sample_reports) -> None:
    from paperlink.report.scope import wanted_lines

    report = sample_reports["dqn"]
    bare = dataclasses.replace(
        report, sections={name: found for name, found in report.sections.items() if name != "hyperparameters"}
    )
    length = len((ROOT / "sample_papers" / "dqn" / "src" / "agent.py").read_text(encoding="utf-8").splitlines())
    free = sorted(set(range(1, length + 1)) - wanted_lines(bare, "linked")["src/agent.py"])
    stated, unstated = free[0], free[-1]

    def row(paper: dict | None, line: int) -> dict:
        return {"name": "x", "paper": paper, "code": [{"span": {"path": "src/agent.py", "line": line}}]}

    sections = {**bare.sections, "hyperparameters": [row({"item": "hp:x"}, stated), row(None, unstated)]}
    wanted = wanted_lines(dataclasses.replace(bare, sections=sections), "linked")["src/agent.py"]
    assert (stated in wanted, unstated in wanted) == (True, False)
