"""Screenshots and printed page counts of the sample papers' reports, to look at.

    python3 benchmarks/report_screenshots.py OUTPUT_FOLDER [--width 1400] [--sample dqn ...]

For each sample under ``sample_papers/`` it writes the report page and, taken in a headless
Chromium at ``--width`` pixels: ``NAME-light.png`` (the top of the page), ``NAME-light-paper.png``
and ``NAME-dark-paper.png`` (the paper beside the code of its first linked equation, opened by
URL fragment), ``NAME-dark.png``, ``NAME-nojs-paper.png`` (scripts off: every item followed
by its snippets) and ``NAME-print-1.png`` to ``-3`` (print media, the first three bands of 1400 pixels), and ``NAME.pdf`` printed
by ``chromium --print-to-pdf``; it prints each PDF's page count. Nothing is written to the
checkout: the folder is the only output.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from paperlink.config import load_config  # noqa: E402
from paperlink.engine import check  # noqa: E402
from paperlink.report import render_html  # noqa: E402
from tests.report.browser import Browser, chromium_path  # noqa: E402

PRINT_PARTS, PRINT_BAND = 3, 1400  # print media screenshots: the first bands of the page

# The first equation with code, by the id the page gives it: the fragment the paper views open with.
FIRST_LINKED = """(() => {
  const item = [...document.querySelectorAll('.item.kind-equation')].find(i => i.querySelector('.snippets'));
  return item ? item.id : '';
})()"""


def pdf_pages(chromium: str, page: Path, pdf: Path) -> int:
    """Pages of ``page`` printed by Chromium's own ``--print-to-pdf`` (its default paper, no header lines)."""
    with tempfile.TemporaryDirectory(prefix="paperlink-print-") as profile:
        subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                f"--user-data-dir={profile}",
                "--no-pdf-header-footer",
                f"--print-to-pdf={pdf}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    return len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes()))


def shoot(browser: Browser, chromium: str, sample: Path, out: Path, width: int) -> None:
    name = sample.name
    page = out / f"{name}.html"
    page.write_text(render_html(check(load_config(None, sample), [sample], jobs=1)), encoding="utf-8")
    url = page.as_uri()
    first = browser.visit(url, FIRST_LINKED, width, 1000)
    (out / f"{name}-light.png").write_bytes(first.screenshot)
    fragment = f"#{first.result}" if first.result else ""
    for scheme in ("light", "dark"):
        paper = browser.visit(url + fragment, "1", width, 1000, color_scheme=scheme)
        (out / f"{name}-{scheme}-paper.png").write_bytes(paper.screenshot)
    dark = browser.visit(url, "1", width, 1000, color_scheme="dark")
    (out / f"{name}-dark.png").write_bytes(dark.screenshot)
    nojs = browser.visit(url + fragment, "1", width, 1000, javascript=False)
    (out / f"{name}-nojs-paper.png").write_bytes(nojs.screenshot)
    for part in range(PRINT_PARTS):  # A4's width in CSS pixels; dark asked for, light given
        band = (part * PRINT_BAND, PRINT_BAND)
        printed = browser.visit(url, "1", 794, 1000, media="print", color_scheme="dark", clip=band)
        (out / f"{name}-print-{part + 1}.png").write_bytes(printed.screenshot)
    errors = first.console_errors + first.exceptions + first.log_errors
    pages = pdf_pages(chromium, page, out / f"{name}.pdf")
    print(json.dumps({"sample": name, "bytes": len(page.read_bytes()), "pdf_pages": pages, "errors": errors}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("output", type=Path, help="folder for the pages, PNGs and PDFs (created)")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--sample", action="append", help="a sample's folder name (default: all)")
    arguments = parser.parse_args()
    chromium = chromium_path()
    if chromium is None:
        sys.exit("no chromium on PATH (apt-get install chromium)")
    arguments.output.mkdir(parents=True, exist_ok=True)
    samples = sorted(path.parent for path in (ROOT / "sample_papers").glob("*/paper.tex"))
    with Browser(chromium) as browser:
        for sample in samples:
            if not arguments.sample or sample.name in arguments.sample:
                shoot(browser, chromium, sample, arguments.output.resolve(), arguments.width)


if __name__ == "__main__":
    main()
