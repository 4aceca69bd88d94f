"""Benchmark: how long paperlink takes to read a paper, against pylatexenc's bare parse.

    python3 benchmarks/paper_read.py [MAIN.tex ...] [--repeat N]

With no arguments it reads the bundled sample papers. Pass the main file of a long real
document (a fetched thesis, never committed) to check the target of <= 1 s for a
150-page thesis. For each paper it prints the best of N cold reads (a fresh process
state is not needed: the reader caches nothing), the number of items and files, and the
ratio to the plain pylatexenc parse of the same files.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from paperlink.paper.latex import read_latex_paper  # noqa: E402


def _best(function, repeat: int) -> tuple[float, object]:
    timings = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        timings.append(time.perf_counter() - start)
    return min(timings), result


def _raw_parse(files: list[Path]) -> None:
    from pylatexenc.latexwalker import LatexWalker

    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        LatexWalker(text, tolerant_parsing=True).get_latex_nodes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("papers", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    papers = args.papers or sorted((ROOT / "sample_papers").glob("*/paper.tex"))
    print(f"{'paper':<48} {'KiB':>6} {'files':>5} {'items':>6} {'read s':>8} {'parse s':>8} {'ratio':>6}")
    for main_file in papers:
        main_file = main_file.resolve()
        seconds, paper = _best(lambda: read_latex_paper(main_file, name="bench", root=main_file.parent), args.repeat)  # noqa: B023 - called now
        files = [main_file.parent / f for f in paper.files]
        size = sum(f.stat().st_size for f in files) / 1024
        parse_seconds, _ = _best(lambda: _raw_parse(files), args.repeat)  # noqa: B023 - called now
        ratio = seconds / parse_seconds if parse_seconds else float("nan")
        label = "/".join(main_file.parts[-2:])
        print(
            f"{label[-48:]:<48} {size:6.0f} {len(files):5d} {len(paper.items):6d} {seconds:8.3f} {parse_seconds:8.3f} {ratio:6.2f}"
        )


if __name__ == "__main__":
    main()
