"""Files built to crash or stall a reader (issue 24): each is a diagnostic or a one-line
error at its place, the run goes on, and the work stays linear in the input. Work is
counted (``tests/work.py``), never timed."""

from __future__ import annotations

import subprocess
import sys
from functools import partial
from pathlib import Path

import pytest

from paperlink.config import Config, find_config, load_config
from paperlink.engine import check
from paperlink.errors import ConfigError, ManifestError
from paperlink.paper import parse_paper
from paperlink.paper.latex import read_latex_paper
from paperlink.paper.model import Paper
from paperlink.report.anchors import Anchors
from paperlink.report.paper_view import code_refs_by_item
from paperlink.results import Link
from paperlink.source.files import SourceText
from paperlink.source.parse import MAX_SOURCE_CHARACTERS, ParsedSource, parse_source
from paperlink.spans import Span
from tests.work import function_calls


def _paper(tmp_path: Path, body: str, preamble: str = "") -> Paper:
    main = tmp_path / "paper.tex"
    main.write_text(
        f"\\documentclass{{article}}\n{preamble}\\begin{{document}}\n{body}\n\\end{{document}}\n", encoding="utf-8"
    )
    return read_latex_paper(main, name="test", root=tmp_path)


def _diagnostics(paper: Paper) -> list[str]:
    return [str(d) for d in paper.diagnostics]


def _numbers(paper: Paper) -> dict[str, str | None]:
    return {item.key: item.number for item in paper.items}


# --- LaTeX counters ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "cycle"),
    [
        ("\\numberwithin{equation}{equation}", "equation -> equation"),
        ("\\numberwithin{section}{subsection}", "section -> subsection -> section"),
        ("\\counterwithin{section}{subsubsection}", "section -> subsubsection -> subsection -> section"),
    ],
)
def test_a_counter_reset_cycle_is_reported_and_ignored(tmp_path: Path, command: str, cycle: str) -> None:
    paper = _paper(
        tmp_path,
        f"{command}\n\\section{{A}}\\label{{sec:a}}\n\\subsection{{B}}\\label{{sec:b}}\n"
        "\\begin{equation}x\\label{eq:x}\\end{equation}",
    )
    name = command[1 : command.index("{")]
    arguments = command[command.index("{") :]
    assert _diagnostics(paper) == [
        f"paper.tex:3:1: PL013 \\{name}{arguments} makes a counter reset cycle ({cycle}); ignored"
    ]
    assert _numbers(paper) == {"sec:a": "1", "sec:b": "1.1", "eq:x": "1"}


def test_a_counter_value_past_tex_integers_is_reported_and_the_run_goes_on(tmp_path: Path) -> None:
    paper = _paper(
        tmp_path,
        "\\renewcommand{\\thesection}{\\Roman{section}}\\setcounter{section}{999999999999}\\section{A}\\label{sec:a}\n"
        "\\addtocounter{section}{2147483647}\\section{B}\\label{sec:b}",
    )
    assert _diagnostics(paper) == [
        "paper.tex:3:44: PL013 \\setcounter{section}: number too big (TeX's largest is 2147483647); ignored",
        "paper.tex:4:1: PL013 \\addtocounter{section}: number too big (TeX's largest is 2147483647); ignored",
    ]
    assert _numbers(paper) == {"sec:a": "I", "sec:b": "II"}


def test_a_roman_numeral_of_a_huge_value_is_not_built(tmp_path: Path) -> None:
    body = "\\renewcommand{\\thesection}{\\Roman{section}}\\setcounter{section}{2147483646}\\section{A}\\label{sec:a}"
    paper = _paper(tmp_path, body)
    assert _diagnostics(paper) == [
        "paper.tex:3:76: PL013 \\thesection would print more than 1000 characters; its number is shown as '?'"
    ]
    assert _numbers(paper) == {"sec:a": "?"}


def test_a_self_referencing_counter_template_prints_a_question_mark(tmp_path: Path) -> None:
    paper = _paper(
        tmp_path, "\\renewcommand{\\thesection}{\\thesection\\thesection\\thesection}\\section{A}\\label{sec:a}"
    )
    assert _diagnostics(paper) == ["paper.tex:3:62: PL013 \\thesection uses itself; it is printed as '?'"]
    assert _numbers(paper) == {"sec:a": "???"}


def test_counter_templates_doubling_at_each_level_stop_at_the_length_budget(tmp_path: Path) -> None:
    # \theca prints \thecb twice, \thecb \thecc twice, ...: 2**30 characters unbounded.
    names = [f"c{chr(ord('a') + i)}" for i in range(26)] + ["section"]
    preamble = "".join(f"\\newcounter{{{name}}}\\setcounter{{{name}}}{{7}}\n" for name in names[:-1])
    templates = "".join(
        f"\\renewcommand{{\\the{outer}}}{{\\the{inner}\\the{inner}}}\n" for outer, inner in zip(names[1:], names)
    )
    work = function_calls(lambda: _paper(tmp_path, templates + "\\section{A}\\label{sec:a}", preamble))
    paper = _paper(tmp_path, templates + "\\section{A}\\label{sec:a}", preamble)
    assert _diagnostics(paper) == [
        "paper.tex:55:1: PL013 \\thesection would print more than 1000 characters; its number is shown as '?'"
    ]
    assert work < 2_000_000


def test_unclosed_groups_that_double_pylatexenc_work_stop_at_its_token_budget(tmp_path: Path) -> None:
    # found by benchmarks/fuzz.py: each unclosed \\frac{ doubled the work of pylatexenc's tolerant
    # mode (16 of them: a minute, 24: hours)
    main = tmp_path / "paper.tex"
    main.write_text("x \\frac{a" + "\n \\frac{\\epsil{equation}" * 24 + "\n\\end{equation}\n", encoding="utf-8")
    work = function_calls(lambda: read_latex_paper(main, name="test", root=tmp_path))
    paper = read_latex_paper(main, name="test", root=tmp_path)
    assert _diagnostics(paper)[-1:] == [
        "paper.tex:25:15: PL013 cannot parse this file: its unclosed groups make it too costly to parse"
    ]
    # a second hang the fuzzer found once the budget was 20 tokens per character: 6 KB, 10 s
    main.write_text("\\section{A}" + "\\frac{\\mathbb{" * 300 + "x\n" * 50, encoding="utf-8")
    assert function_calls(lambda: read_latex_paper(main, name="test", root=tmp_path)) < 1_500_000
    assert work < 1_500_000


def test_a_thousand_unclosed_definitions_are_read_in_linear_work(tmp_path: Path) -> None:
    # found by benchmarks/fuzz.py: each \\newcommand{ scanned the rest of the file for its closer
    def read(count: int) -> Paper:
        return _paper(tmp_path, "\\newcommand{\\a" * count + "x " * 2000)

    small, large = _linear(partial(read), 100)
    assert large < 4.5 * small


# --- LaTeX macros and many items: linear work ----------------------------------------------


def _linear(make: partial[object], small: int) -> tuple[int, int]:
    make(small)  # fills first-use caches (compiled patterns, imports)
    return function_calls(lambda: make(small)), function_calls(lambda: make(4 * small))


def test_a_macro_used_thousands_of_times_in_prose_is_read_in_linear_work(tmp_path: Path) -> None:
    def read(uses: int) -> Paper:
        return _paper(tmp_path, "\\m\n" * uses, "\\newcommand{\\m}{learning rate of 0.1}\n")

    small, large = _linear(partial(read), 500)
    assert large < 4.5 * small
    assert sum(1 for item in read(10).items if item.key.startswith("hp:")) == 10


def test_a_macro_with_a_large_body_is_expanded_within_a_size_budget(tmp_path: Path) -> None:
    preamble = "\\newcommand{\\m}{" + "y" * 100_000 + "}\n\\newcommand{\\s}{\\section{" + "z" * 100_000 + "}}\n"

    def read(uses: int) -> Paper:
        return _paper(tmp_path, "\\m " * uses + "\n\n" + "\\s\n" * uses, preamble)

    paper = read(40)
    assert _diagnostics(paper) == [
        "paper.tex:5:1: PL013 macro expansions would make the text too large; stopped expanding",
        "paper.tex:33:1: PL013 macro expansions would make the text too large; stopped expanding",
    ]
    assert function_calls(lambda: read(400)) < 4 * function_calls(lambda: read(100))


def test_thousands_of_sections_with_one_label_are_read_in_linear_work(tmp_path: Path) -> None:
    def read(sections: int) -> Paper:
        return _paper(tmp_path, "\\section{A}\\label{x}\n" * sections)

    small, large = _linear(partial(read), 200)
    assert large < 4.5 * small
    # LaTeX uses a label's last definition: the earlier sections keep no label
    assert [(item.key, item.labels) for item in read(3).items] == [("section:1", ()), ("section:2", ()), ("x", ("x",))]


# --- Python -----------------------------------------------------------------------------------


def _parse(text: str) -> ParsedSource | str:
    parsed = parse_source(SourceText(Path("a.py"), "a.py", text))
    return parsed if isinstance(parsed, ParsedSource) else str(parsed)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "x = " + "(" * 1500 + "1" + ")" * 1500 + "\n",
            "a.py:1:205: PL001 cannot parse this file: too many nested parentheses",
        ),
        (
            "x = " + "+".join(["1"] * 10_000) + "\n",
            "a.py:1:2006: PL001 cannot parse this file: more than 1000 operations in one statement",
        ),
        (  # a syntax error later in the file: CPython's place, and libcst never sees the chain
            "x = " + ".b".join(["a"] * 5_000) + "\ndef f(:\n",
            "a.py:2:7: PL001 cannot parse this file: invalid syntax",
        ),
        (
            "x = 1\n" * (MAX_SOURCE_CHARACTERS // 6 + 1),
            "a.py:1:1: PL001 cannot parse this file: 16,000,002 characters, over the limit of 16,000,000 for one file",
        ),
        (  # found while measuring: 3,000 subscripts took libcst 173 s; CPython's error is reported instead
            "type X = int\nx = a" + "[1]" * 3_000 + "\n",
            "a.py:1:6: PL001 cannot parse this file: invalid syntax",
        ),
        (  # found by benchmarks/fuzz.py: brackets inside an f-string, which the scan skips, crashed libcst
            'x = f"{' + "[" * 3000 + '"\n',
            "a.py:1:3009: PL001 cannot parse this file: f-string: too many nested parenthesis",
        ),
        (  # a long literal is no chain: libcst reads it in linear time, and finds the newer syntax
            "type X = int\nx = {" + ", ".join(f"'k{i}': [{i}, {i}]" for i in range(5_000)) + "}\n",
            "",
        ),
    ],
    ids=[
        "nested-brackets",
        "operator-chain",
        "chain-and-syntax-error",
        "too-large",
        "subscript-chain",
        "long-literal",
        "f-string",
    ],
)
def test_python_that_could_take_the_native_parser_down_never_reaches_it(text: str, expected: str) -> None:
    parsed = _parse(text)
    if expected:
        assert function_calls(lambda: _parse(text)) < 200_000  # the pre-scan's tokens, no libcst parse
        assert parsed == expected
    else:
        assert isinstance(parsed, ParsedSource) and parsed.tree is None


def test_brackets_and_chains_within_the_budgets_still_reach_libcst() -> None:
    parsed = _parse("type X = " + "(" * 150 + "int" + ")" * 150 + "\n" + "y = " + "+".join(["1"] * 100) + "\n")
    assert isinstance(parsed, ParsedSource) and parsed.tree is None and parsed.outline is not None
    # libcst parses a longer chain, but its visitors recurse once per operator: no outline, no crash
    parsed = _parse("type X = int\ny = " + "+".join(["1"] * 900) + "\n")
    assert isinstance(parsed, ParsedSource) and parsed.tree is None and parsed.outline is None


def _check(folder: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """``paperlink check`` in one process without a cache, one diagnostic per line."""
    command = [sys.executable, "-m", "paperlink", "check", "--output-format", "concise", "--jobs", "1", "--no-cache"]
    return subprocess.run([*command, *options], cwd=folder, capture_output=True, text=True, timeout=120)


def test_a_crashing_file_is_a_diagnostic_in_process_with_one_job(tmp_path: Path) -> None:
    (tmp_path / "nested.py").write_text("x = " + "(" * 1500 + "1" + ")" * 1500 + "\n", encoding="utf-8")
    (tmp_path / "chain.py").write_text("x = " + "+".join(["1"] * 10_000) + "\n", encoding="utf-8")
    (tmp_path / "ok.py").write_text("x = 1\n", encoding="utf-8")
    done = _check(tmp_path, "--select", "PL0", ".")
    assert (done.returncode, done.stdout.splitlines()) == (
        1,
        [
            "chain.py:1:2006: PL001 cannot parse this file: more than 1000 operations in one statement",
            "nested.py:1:205: PL001 cannot parse this file: too many nested parentheses",
        ],
    )


def test_the_latex_reproducers_are_diagnostics_on_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.paperlink]\npapers = { main = "paper.tex" }\n', encoding="utf-8")
    (tmp_path / "a.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "paper.tex").write_text(
        "\\documentclass{article}\n\\begin{document}\n"
        "\\numberwithin{equation}{equation}\n"
        "\\renewcommand{\\thesection}{\\Roman{section}}\\setcounter{section}{999999999999}\\section{A}\n"
        "\\renewcommand{\\thesubsection}{\\thesubsection\\thesubsection\\thesubsection}\\subsection{B}\n"
        "\\begin{equation}x\\end{equation}\n\\end{document}\n",
        encoding="utf-8",
    )
    done = _check(tmp_path, "--select", "PL0")
    assert (done.returncode, done.stdout.splitlines()) == (
        1,
        [
            "paper.tex:3:1: PL013 \\numberwithin{equation}{equation} makes a counter reset cycle (equation -> equation); ignored",
            "paper.tex:4:44: PL013 \\setcounter{section}: number too big (TeX's largest is 2147483647); ignored",
            "paper.tex:5:74: PL013 \\thesubsection uses itself; it is printed as '?'",
        ],
    )


def test_a_hostile_paperlink_yaml_stops_the_run_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "paperlink.yaml").write_text("ignore: " + "[" * 1000 + "]" * 1000 + "\n", encoding="utf-8")
    (tmp_path / "a.py").write_text("x = 1\n", encoding="utf-8")
    done = _check(tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (
        2,
        "",
        "paperlink: error: paperlink.yaml:1:108: invalid YAML: nested more than 100 levels deep\n",
    )


# --- configuration, manifests, config and environment files --------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "x: 1" + "0" * 4300 + "\n",
            "paperlink.yaml:1:4: invalid YAML: Exceeds the limit (4300 digits) for integer string conversion: value has 4301 digits",
        ),
        (
            "select: [PL1]\nignore:\n  - a: 1" + "0" * 5000 + "\n",
            "paperlink.yaml:3:8: invalid YAML: Exceeds the limit (4300 digits) for integer string conversion: value has 5001 digits",
        ),
        (
            "ignore: " + "[" * 1000 + "]" * 1000 + "\n",
            "paperlink.yaml:1:108: invalid YAML: nested more than 100 levels deep",
        ),
        (
            "".join(" " * i + f"k{i}:\n" for i in range(1000)),
            "paperlink.yaml:101:101: invalid YAML: nested more than 100 levels deep",
        ),
        (  # found by benchmarks/fuzz.py: PyYAML's reader refuses it before parsing
            "x\0: 1\n",
            "paperlink.yaml: invalid YAML: unacceptable character #x0000: special characters are not allowed",
        ),
    ],
    ids=["long-integer", "long-integer-nested", "flow-nesting", "block-nesting", "null-character"],
)
def test_a_hostile_paperlink_yaml_is_one_error_at_its_place(tmp_path: Path, text: str, expected: str) -> None:
    (tmp_path / "paperlink.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(None, tmp_path)
    assert str(raised.value) == expected


def test_a_deeply_nested_pyproject_breaks_no_folder_below_it(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("x = " + "[" * 1000 + "]" * 1000 + "\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    assert find_config(tmp_path / "sub") is None
    (tmp_path / "pyproject.toml").write_text(
        "[tool.paperlink]\nx = " + "[" * 1000 + "]" * 1000 + "\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError) as raised:
        find_config(tmp_path / "sub")
    assert str(raised.value) == f"{tmp_path / 'pyproject.toml'}:2:105: invalid TOML: nested more than 100 levels deep"
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path / "pyproject.toml")
    assert str(raised.value) == "pyproject.toml:2:105: invalid TOML: nested more than 100 levels deep"


def test_a_deeply_nested_manifest_is_one_error_at_its_place(tmp_path: Path) -> None:
    deep = "title: t\nitems: " + "[{label: a, kind: equation, items: " * 1000 + "[]" + "}]" * 1000 + "\n"
    (tmp_path / "paper.yaml").write_text(deep, encoding="utf-8")
    with pytest.raises(ManifestError) as raised:
        parse_paper(tmp_path / "paper.yaml", name="p", root=tmp_path)
    assert str(raised.value) == "paper.yaml:2: invalid YAML: nested more than 100 levels deep"


def test_a_manifest_nested_deeply_and_left_open_is_one_error(tmp_path: Path) -> None:
    # found by benchmarks/fuzz.py: libyaml refuses the text before its events reach the depth,
    # and PyYAML's composer then recursed (RecursionError)
    (tmp_path / "paper.yaml").write_text(" {a: {a: {a:" + "{" * 500, encoding="utf-8")
    with pytest.raises(ManifestError) as raised:
        parse_paper(tmp_path / "paper.yaml", name="p", root=tmp_path)
    assert str(raised.value) == "paper.yaml:1: invalid YAML: nested more than 100 levels deep"


def test_deeply_nested_config_and_environment_files_are_diagnostics(tmp_path: Path) -> None:
    deep = "[" * 1000 + "]" * 1000
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "a.yaml").write_text(f"x: {deep}\n", encoding="utf-8")
    (tmp_path / "configs" / "b.json").write_text(f'{{"x": {deep}}}\n', encoding="utf-8")
    (tmp_path / "configs" / "c.toml").write_text(f"x = {deep}\n", encoding="utf-8")
    (tmp_path / "train.py").write_text("import torch\n", encoding="utf-8")
    (tmp_path / "environment.yml").write_text(f"dependencies: {deep}\n", encoding="utf-8")
    (tmp_path / "Pipfile.lock").write_text(f'{{"default": {deep}}}\n', encoding="utf-8")
    (tmp_path / "setup.py").write_text("i" + "{" * 200, encoding="utf-8")  # found by benchmarks/fuzz.py: MemoryError
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pyproject.toml").write_text(f"[project]\nx = {deep}\n", encoding="utf-8")
    report = check(Config(root=tmp_path, config_files=("configs/*",)), [tmp_path], jobs=1, select=["PL005", "PL006"])
    assert [str(d) for d in report.diagnostics] == [
        "Pipfile.lock:1:112: PL006 invalid JSON: nested more than 100 levels deep",
        "configs/a.yaml:1:103: PL005 cannot read config file: nested more than 100 levels deep",
        "configs/b.json:1:106: PL005 cannot read config file: nested more than 100 levels deep",
        "configs/c.toml:1:105: PL005 cannot read config file: nested more than 100 levels deep",
        "environment.yml:1:114: PL006 invalid YAML: nested more than 100 levels deep",
        "setup.py:1:1: PL006 invalid Python: nested too deeply",
    ]


# --- the report -----------------------------------------------------------------------------


def test_many_annotations_of_one_item_are_checked_in_linear_work(tmp_path: Path) -> None:
    (tmp_path / "paper.tex").write_text(
        "\\documentclass{article}\\begin{document}\\begin{equation}x\\label{eq:loss}\\end{equation}\\end{document}\n",
        encoding="utf-8",
    )
    config = Config(root=tmp_path, papers=())

    def run(lines: int) -> object:
        (tmp_path / "a.py").write_text(
            "# paper: eq:loss\n" * lines + "x = 1  # paper: eq:loss\n" * lines, encoding="utf-8"
        )
        return check(config, [tmp_path], jobs=1, select=["PL1"])

    small, large = _linear(partial(run), 300)
    assert large < 4.5 * small


def test_the_reports_links_per_item_are_gathered_in_linear_work() -> None:
    def gather(count: int) -> object:
        links = [
            Link("p", "eq:loss", "eq:loss", "comment", Span("a.py", line), Span("a.py", line))
            for line in range(1, count + 1)
        ]
        return code_refs_by_item(links, Anchors({}, {"a.py": count}))

    small, large = _linear(partial(gather), 500)
    assert large < 4.5 * small
