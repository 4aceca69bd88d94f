"""Size and render time of ``paperlink report`` on real code with a planted paper.

    python3 benchmarks/report.py [FOLDER ...] [--lines 12000] [--every 2] [--repeat 3] [--jobs 2]
                                 [--paper FOLDER/MAIN.tex]

With no arguments it runs on the bundled sample papers (as they are: they have papers).
For a folder of other code it copies the ``.py`` files (in path order, until ``--lines``
lines) into a temp dir, writes a LaTeX paper (sections, equations using macros, an
algorithm, a hyperparameter table) and, in every ``--every``-th file, an annotation above
the first function (a few of them wrong on purpose, so there are diagnostics to show).
With ``--paper`` the paper is a real one instead (its folder's ``.tex``, ``.sty``, ``.cls`` and
``.bib`` files are copied; the annotations name its ``\\label``s in turn, every fifth a label it
lacks). It prints, for each ``--include-code`` mode (findings, linked, all): lines shown, the page's
size, the time of ``check`` and the time to build the view model and render the page
(best of ``--repeat``, in this process), and whether the default mode's report stays within
the bar of issue 19: at most :data:`BAR_SECONDS` for about 10,000 lines (view model and
templates; ``check`` is timed apart).
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from paperlink.config import load_config  # noqa: E402
from paperlink.engine import check  # noqa: E402
from paperlink.report.page import PageOptions, build_page  # noqa: E402
from paperlink.report.render import render_page  # noqa: E402

EQUATIONS = 24
BAR_SECONDS = 2.0  # report generation for a 10k-line project (issue 19)


def _paper() -> str:
    equations = "\n".join(
        f"\\begin{{equation}}\\label{{eq:e{k}}}\n  \\Loss_{{{k}}} = \\E\\bigl[\\norm{{x_{k} - \\sg(y_{k})}}^2\\bigr] + \\frac{{{k}}}{{2}}\\lambda\n\\end{{equation}}"
        for k in range(1, EQUATIONS + 1)
    )
    return rf"""\documentclass{{article}}
\usepackage{{amsmath}}\usepackage{{algorithm}}\usepackage{{algpseudocode}}
\newcommand{{\Loss}}{{\mathcal{{L}}}}\newcommand{{\E}}{{\mathbb{{E}}}}
\newcommand{{\norm}}[1]{{\lVert #1 \rVert}}\DeclareMathOperator{{\sg}}{{sg}}
\title{{Benchmark paper}}\author{{A. Author}}
\begin{{document}}
\section{{Method}}\label{{sec:method}}
{equations}
\begin{{algorithm}}\caption{{Training.}}\label{{alg:train}}
\begin{{algorithmic}}[1]
\For{{each batch $x$}}
  \State $\Loss \gets \norm{{x - \sg(y)}}$ \Comment{{Eq.~\eqref{{eq:e1}}}}
\EndFor
\end{{algorithmic}}
\end{{algorithm}}
\section{{Setup}}\label{{sec:setup}}
\begin{{table}}\caption{{Hyperparameters.}}\label{{tab:hp}}
\begin{{tabular}}{{lr}}
Learning rate & 0.001 \\
Batch size & 256 \\
\end{{tabular}}
\end{{table}}
\end{{document}}
"""


def _plant(text: str, index: int, labels: list[str] | None = None) -> str:
    """An annotation above the first function of the file (every fifth names no item)."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return text
    first = next((node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))), None)
    if first is None:
        return text
    line = first.decorator_list[0].lineno if first.decorator_list else first.lineno
    lines = text.splitlines(keepends=True)
    indent = lines[line - 1][: len(lines[line - 1]) - len(lines[line - 1].lstrip())]
    named = labels[index % len(labels)] if labels else f"eq:e{index % EQUATIONS + 1}"
    label = "eq:missing" if index % 5 == 4 else named
    lines.insert(line - 1, f"{indent}# paper: {label}\n")
    return "".join(lines)


_LABEL = re.compile(r"\\label\{([A-Za-z0-9:._-]+)\}")


def _project(folder: Path, target: Path, max_lines: int, every: int, paper: Path | None = None) -> int:
    labels: list[str] = []
    main = "paper.tex"
    if paper is not None:
        for path in sorted(paper.parent.rglob("*")):
            if path.suffix in (".tex", ".sty", ".cls", ".bib") and path.is_file():
                copied = target / "paper" / path.relative_to(paper.parent)
                copied.parent.mkdir(parents=True, exist_ok=True)
                text = path.read_text(encoding="utf-8", errors="replace")
                copied.write_text(text, encoding="utf-8")
                labels += _LABEL.findall(text) if path.suffix == ".tex" else []
        main = f"paper/{paper.name}"
    total = 0
    for index, path in enumerate(sorted(folder.rglob("*.py"))):
        if total >= max_lines:
            break
        text = path.read_text(encoding="utf-8", errors="replace")
        total += text.count("\n")
        destination = target / "src" / path.relative_to(folder)
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(_plant(text, index, labels) if index % every == 0 else text, encoding="utf-8")
    if paper is None:
        (target / "paper.tex").write_text(_paper(), encoding="utf-8")
    (target / "paperlink.yaml").write_text(f"papers:\n  bench: {main}\ninclude: ['src/**/*.py']\n", encoding="utf-8")
    return total


def _best(function, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def measure(project: Path, repeat: int, jobs: int) -> float:
    """Print a line per ``--include-code`` mode; the default mode's report time comes back."""
    config = load_config(None, project)
    check_time, report = _best(lambda: check(config, [project], jobs=jobs), repeat)
    linked = 0.0
    for mode in ("findings", "linked", "all"):
        options = PageOptions(include_code=mode)
        build_time, page = _best(lambda: build_page(report, options), repeat)  # noqa: B023 - called now
        render_time, html = _best(lambda: render_page(page), repeat)  # noqa: B023 - called now
        lines = sum(len(file.lines) for file in page.files)
        snippets = html.count('<figure class="snippet">')
        linked = build_time + render_time if mode == "linked" else linked
        print(
            f"  {mode:10s} files {len(page.files):4d}  lines {lines:6d}  snippets {snippets:4d}  "
            f"size {len(html.encode()) / 1e6:6.2f} MB  check {check_time:5.2f} s  "
            f"view model {build_time:5.2f} s  templates {render_time:5.2f} s  report {build_time + render_time:5.2f} s"
        )
    return linked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--lines", type=int, default=12000, help="copy files until this many lines")
    parser.add_argument("--every", type=int, default=2, help="annotate every N-th file")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--paper", type=Path, help="a real paper's main .tex file instead of the planted paper")
    arguments = parser.parse_args()
    if not arguments.folders:
        for sample in sorted((ROOT / "sample_papers").glob("*/paper.tex")):
            print(sample.parent.name)
            measure(sample.parent, arguments.repeat, arguments.jobs)
        return
    for folder in arguments.folders:
        with tempfile.TemporaryDirectory(prefix="paperlink-report-bench-") as temp:
            lines = _project(folder, Path(temp), arguments.lines, arguments.every, arguments.paper)
            print(f"{folder} ({lines} lines copied){f' with {arguments.paper}' if arguments.paper else ''}")
            seconds = measure(Path(temp), arguments.repeat, arguments.jobs)
            verdict = "within" if seconds <= BAR_SECONDS * max(1.0, lines / 10_000) else "OVER"
            print(
                f"  report (linked) {seconds:.2f} s for {lines} lines: {verdict} the bar of {BAR_SECONDS:.0f} s per 10k lines"
            )


if __name__ == "__main__":
    main()
