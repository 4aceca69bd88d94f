#!/usr/bin/env python3
"""Recompile the LaTeX stress documents and (re)write their .aux.expected oracles.

Usage:
    python3 regenerate_expected.py            # rewrite every NAME.aux.expected
    python3 regenerate_expected.py --check    # compare only, exit 1 on mismatch
    python3 regenerate_expected.py 02_equation.tex multifile/main.tex

Each document is copied (with its whole folder) into a temporary directory and
compiled there with ``pdflatex -interaction=nonstopmode -halt-on-error`` three
times, so nothing is left in the repository except the .aux.expected files.
The oracle is every ``\\newlabel`` line of the final .aux, in file order, with
``\\@input{other.aux}`` lines (written by ``\\include``) expanded in place.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
RUNS = 3
INPUT_RE = re.compile(r"^\\@input\{([^}]*)\}")


def documents() -> list[Path]:
    docs = sorted(HERE.glob("*.tex"))
    docs.extend(sorted(HERE.glob("*/main.tex")))  # multi-file cases: one folder each
    return docs


def collect(aux: Path) -> list[str]:
    out: list[str] = []
    if not aux.exists():
        return out
    for line in aux.read_text(encoding="utf-8", errors="surrogateescape").splitlines():
        m = INPUT_RE.match(line)
        if m:
            out.extend(collect(aux.parent / m.group(1)))
        elif line.startswith("\\newlabel{"):
            out.append(line)
    return out


def compile_doc(doc: Path) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "w"
        shutil.copytree(doc.parent, work, ignore=shutil.ignore_patterns("*.aux.expected"))
        for _ in range(RUNS):
            proc = subprocess.run(
                ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", doc.name],
                cwd=work,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            if proc.returncode != 0:
                tail = proc.stdout.decode("utf-8", "replace")[-3000:]
                raise RuntimeError(f"pdflatex failed on {doc}:\n{tail}")
        return collect(work / (doc.stem + ".aux"))


def main(argv: list[str]) -> int:
    check = "--check" in argv
    names = [a for a in argv if not a.startswith("--")]
    docs = [HERE / n for n in names] if names else documents()
    bad = 0
    for doc in docs:
        text = "\n".join(compile_doc(doc)) + "\n"
        expected = doc.with_suffix(".aux.expected")
        if check:
            old = expected.read_text(encoding="utf-8", errors="surrogateescape") if expected.exists() else None
            status = "ok" if old == text else "MISMATCH"
            bad += status != "ok"
            print(f"{status:8} {doc.relative_to(HERE)}")
        else:
            expected.write_text(text, encoding="utf-8", errors="surrogateescape")
            print(f"wrote    {expected.relative_to(HERE)} ({text.count(chr(10))} labels)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
