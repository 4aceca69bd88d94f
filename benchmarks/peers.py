"""Benchmark: paperlink against its peers, in one sitting, in CPU seconds and wall seconds.

    python3 benchmarks/peers.py CORPUS_DIR [CORPUS_DIR ...] [--stdlib] [--repeat 3] [--jobs 2]

For each corpus (the folders given, copied together into a throwaway project; and with
``--stdlib``, this interpreter's standard library, ``Lib/`` without ``test/`` and
``site-packages``) it runs, each as its own process, ``--repeat`` times:

* ``ast.parse`` of every file, and ``libcst.parse_module`` of every file (serial, one process);
* ``ruff check --select ALL`` and ``ruff check`` with ruff's defaults (``--isolated
  --no-cache``, every finding ignored);
* ``paperlink check`` cold (no cache), warm (nothing changed since the previous run) and with
  one file changed (a comment appended to the largest file before each run).

And, on their own: ``paperlink --version`` and a warm ``paperlink check`` of a bundled sample
paper's project (wall seconds, interpreter start included, since that is what a user waits for).

CPU seconds are user + system of the whole process tree (``RUSAGE_CHILDREN`` before and after
each run: every worker and every process paperlink starts is counted). Medians of the runs are
printed, with the ratios the speed issue quotes. The corpus is never committed.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.check import make_project  # noqa: E402

_PARSE = """
import sys, {module}
paths = open(sys.argv[1], encoding="utf-8").read().splitlines()
for path in paths:
    try:
        {call}
    except Exception:
        pass
"""


def _run(command: Sequence[str], cwd: Path) -> tuple[float, float]:
    """(CPU seconds of the process tree, wall seconds) of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run(command, cwd=cwd, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def _median(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(cpu for cpu, _ in runs), statistics.median(wall for _, wall in runs)


def _project(folders: Sequence[Path], work: Path) -> tuple[Path, list[Path]]:
    """A project in ``work`` holding a copy of every ``.py`` file of ``folders``; its files."""
    project = work / "project"
    project.mkdir()
    for folder in folders:
        for path in sorted(folder.rglob("*.py")):
            relative = path.relative_to(folder)
            if any(part in ("test", "tests", "site-packages") for part in relative.parts) or not path.is_file():
                continue
            target = project / folder.name / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    make_project(project)
    return project, sorted(project.rglob("*.py"))


def _measure_corpus(name: str, folders: Sequence[Path], repeat: int, jobs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="paperlink-peers-") as temporary:
        work = Path(temporary)
        project, files = _project(folders, work)
        listing = work / "files.txt"
        listing.write_text("\n".join(str(p) for p in files), encoding="utf-8")
        lines = sum(p.read_bytes().count(b"\n") for p in files)
        python = sys.executable
        paperlink = [python, "-m", "paperlink", "check", "-q", "--jobs", str(jobs), "--format", "json"]
        ruff = ["ruff", "check", "--isolated", "--no-cache", "--exit-zero", "--quiet", "."]
        commands = {
            "ast.parse": [
                python,
                "-c",
                _PARSE.format(module="ast", call="ast.parse(open(path, 'rb').read())"),
                str(listing),
            ],
            "libcst parse": [
                python,
                "-c",
                _PARSE.format(module="libcst", call="libcst.parse_module(open(path, 'rb').read())"),
                str(listing),
            ],
            "ruff --select ALL": [*ruff[:2], "--select", "ALL", *ruff[2:]],
            "ruff default": ruff,
        }
        results = {label: [_run(command, project) for _ in range(repeat)] for label, command in commands.items()}
        cache = project / ".paperlink_cache"
        cold, warm, changed = [], [], []
        largest = max(files, key=lambda p: p.stat().st_size)
        for run in range(repeat):
            shutil.rmtree(cache, ignore_errors=True)
            cold.append(_run([*paperlink, "--no-cache"], project))
            _run(paperlink, project)  # fills the cache
            warm.append(_run(paperlink, project))
            with largest.open("a", encoding="utf-8") as handle:
                handle.write(f"\n# edited {run}\n")
            changed.append(_run(paperlink, project))
        results |= {"paperlink cold": cold, "paperlink warm": warm, "paperlink one file changed": changed}
    medians = {label: _median(runs) for label, runs in results.items()}
    print(f"\n{name}: {len(files)} files, {lines} lines; medians of {repeat}, CPU s (user+sys, process tree) / wall s")
    for label, (cpu, wall) in medians.items():
        print(f"  {label:28} {cpu:7.2f} cpu  {wall:7.2f} wall")
    ratios = {
        "cold / ruff --select ALL": medians["paperlink cold"][0] / medians["ruff --select ALL"][0],
        "cold / libcst parse": medians["paperlink cold"][0] / medians["libcst parse"][0],
        "cold / ast.parse": medians["paperlink cold"][0] / medians["ast.parse"][0],
        "warm / ruff default": medians["paperlink warm"][0] / medians["ruff default"][0],
        "one file changed / ruff default": medians["paperlink one file changed"][0] / medians["ruff default"][0],
    }
    for label, ratio in ratios.items():
        print(f"  ratio {label:34} {ratio:6.2f}x (CPU)")


def _measure_start(repeat: int) -> None:
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="paperlink-peers-") as temporary:
        sample = Path(temporary) / "simsiam"
        shutil.copytree(ROOT / "sample_papers" / "simsiam", sample)
        check = [python, "-m", "paperlink", "check", "-q"]
        _run(check, sample)  # fills the cache
        version = _median([_run([python, "-m", "paperlink", "--version"], sample) for _ in range(max(repeat, 5))])
        warm = _median([_run(check, sample) for _ in range(max(repeat, 5))])
        bare = _median([_run([python, "-c", "pass"], sample) for _ in range(max(repeat, 5))])
    print("\nstart-up, wall s (medians):")
    print(f"  python -c pass                {bare[1]:6.3f}")
    print(f"  paperlink --version           {version[1]:6.3f}")
    print(f"  warm check of sample simsiam  {warm[1]:6.3f}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="*", type=Path, help="folders of real ML code (fetched, never committed)")
    parser.add_argument("--stdlib", action="store_true", help="also measure on this interpreter's standard library")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2, help="paperlink's worker processes")
    args = parser.parse_args(argv)
    if shutil.which("ruff") is None:
        parser.error("ruff is not on PATH (pip install ruff)")
    print(f"{os.cpu_count()} CPUs; {sys.version.split()[0]}; {subprocess.getoutput('ruff --version')}")
    if args.corpus:
        _measure_corpus("ML corpus", args.corpus, args.repeat, args.jobs)
    if args.stdlib:
        _measure_corpus("CPython stdlib", [Path(sysconfig.get_paths()["stdlib"])], args.repeat, args.jobs)
    _measure_start(args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
