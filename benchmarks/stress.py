"""Benchmark: the hostile and oversized inputs the tests bound by work, timed.

    python3 benchmarks/stress.py [--scale 1] [--repeat N]

The tests assert how much work these inputs may cost (function calls, macro expansions,
characters handed to regular expressions: tests/work.py); the times live here. ``--scale 1``
gives the sizes the tests once held to a time limit: a 5 MB LaTeX paper (60 s), a 10 MiB
Python file parsed with positions, 20 000-character annotation texts (10 s), self-using
macros (10 s). With no arguments the sizes are scaled down so it runs in about a second, as
the test suite smoke-tests it. Prints the best of N runs for each case.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from paperlink.paper.latex import read_latex_paper  # noqa: E402
from paperlink.references import parse_references  # noqa: E402
from paperlink.source.files import SourceText  # noqa: E402
from paperlink.source.parse import ParsedSource, parse_source  # noqa: E402

PARAGRAPH = (
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, with $a_i + b_i = c_i$ "
    "and \\emph{sed do eiusmod} tempor incididunt ut labore et dolore magna aliqua.\n"
)


def long_paper(megabytes: float) -> str:
    """Sections, prose and numbered equations (tests/paper/test_latex_reader.py's long document)."""
    parts = ["\\documentclass{article}\n\\begin{document}\n"]
    size, count = 0, 0
    while size < megabytes * 1_000_000:
        count += 1
        chunk = (
            f"\\section{{Part {count}}}\\label{{s:{count}}}\n"
            + PARAGRAPH * 6
            + f"\\begin{{equation}}\n  x_{{{count}}} = \\frac{{y}}{{2}} \\label{{e:{count}}}\n\\end{{equation}}\n"
            + PARAGRAPH * 6
        )
        parts.append(chunk)
        size += len(chunk)
    parts.append("\\end{document}\n")
    return "".join(parts)


def long_python(mebibytes: float) -> str:
    """Annotated functions and literal tables (tests/source/test_parse.py's ten_megabytes)."""
    parts: list[str] = []
    size, index = 0, 0
    while size < mebibytes * 1024 * 1024:
        rows = "".join(f'    "{index * 1000 + row:064x}{"a" * 100}",\n' for row in range(60))
        part = (
            f"# paper: Eq. {index}\n"
            f"def layer_{index}(x, weight=WEIGHTS_{index}):\n"
            f'    """Layer {index}."""\n'
            "    return sum(w * v for w, v in zip(weight, x))\n\n\n"
            f"WEIGHTS_{index} = [\n{rows}]\n\n\n"
        )
        parts.append(part)
        size += len(part)
        index += 1
    return "".join(parts)


def macro_papers(uses: int, prose_lines: int) -> dict[str, str]:
    """The self-using macros of tests/paper/test_latex_reader.py."""
    body = "\\label{a}" + "\\x" * uses
    return {
        f"macro using itself {uses} times": (
            f"\\newcommand{{\\x}}{{{body}}}\n\\section{{A}}\n\\x\n\\section{{B}}\\label{{s:b}}\n"
        ),
        "10^4 macro uses": (
            "\\newcommand{\\le}{\\label{l}}\n"
            "\\newcommand{\\ld}{\\le\\le\\le\\le\\le\\le\\le\\le\\le\\le}\n"
            "\\newcommand{\\lc}{\\ld\\ld\\ld\\ld\\ld\\ld\\ld\\ld\\ld\\ld}\n"
            "\\newcommand{\\lb}{\\lc\\lc\\lc\\lc\\lc\\lc\\lc\\lc\\lc\\lc}\n"
            "\\newcommand{\\la}{\\lb\\lb\\lb\\lb\\lb\\lb\\lb\\lb\\lb\\lb}\n"
            "\\section{A}\\la\n\\section{B}\\label{s:b}\n"
        ),
        f"prose macro using itself, {prose_lines} lines": (
            "\\newcommand{\\y}{a\\y\\y\\y\\y}\n"
            + "We use \\y{} with a learning rate of 0.1.\\label{l}\n" * prose_lines
            + "\\section{B}\\label{s:b}\n"
        ),
    }


def reference_texts(spaces: int) -> dict[str, str]:
    """The annotation texts that once took quadratic time (tests/test_references.py)."""
    return {
        f"'Alg. 1' + {spaces} spaces": "Alg. 1" + " " * spaces + "x",
        f"2 x {spaces} spaces around a dot": "x" + " " * spaces + "." + " " * spaces + "y",
        f"'Eq. 3' + {spaces} ' ~'": "Eq. 3" + " ~" * spaces + ".",
    }


def _best(function: Callable[[], object], repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return min(timings)


def _read_paper(folder: Path, text: str) -> Callable[[], object]:
    main = folder / f"paper{len(list(folder.iterdir()))}.tex"
    main.write_text(text, encoding="utf-8")
    return lambda: read_latex_paper(main, name="bench", root=folder)


def _parse_with_positions(text: str) -> None:
    parsed = parse_source(SourceText(Path("big.py"), "big.py", text))
    assert isinstance(parsed, ParsedSource), parsed
    parsed.span(parsed.module.body[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.02, help="1 for the sizes the tests once timed")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    scale, repeat = args.scale, args.repeat
    print(f"{'case':<52} {'size':>12} {'best s':>8}")
    with tempfile.TemporaryDirectory(prefix="paperlink-stress-") as temporary:
        folder = Path(temporary)
        paper = long_paper(5 * scale)
        print(f"{'LaTeX paper read':<52} {len(paper) / 1e6:9.2f} MB {_best(_read_paper(folder, paper), repeat):8.2f}")
        code = long_python(10 * scale)
        seconds = _best(lambda: _parse_with_positions(code), repeat)
        print(f"{'Python file parsed, last statement positioned':<52} {len(code) / 2**20:8.2f} MiB {seconds:8.2f}")
        for name, text in macro_papers(max(round(8 * scale), 2), max(round(200 * scale), 1)).items():
            print(f"{name:<52} {len(text):9d} ch {_best(_read_paper(folder, text), repeat):8.2f}")
        for name, text in reference_texts(max(round(20000 * scale), 1)).items():
            print(f"{name:<52} {len(text):9d} ch {_best(partial(parse_references, text), repeat):8.3f}")


if __name__ == "__main__":
    main()
