"""Benchmark: ``paperlink check`` on a corpus, against libcst's bare parse of the same files.

    python3 benchmarks/check.py [CORPUS_DIR ...] [--jobs 2] [--repeat N]

With no arguments it checks the bundled sample papers' folder (tiny: a smoke test). Pass
folders of real code (CPython's Lib, fetched ML repositories; never committed) to measure.

It builds a throwaway project in a temp dir (a ``paperlink.yaml`` naming a small
``paper.yaml`` manifest) whose targets are the corpus folders, and measures, for the same
files and the same number of worker processes:

* floor: ``libcst.parse_module`` of every file (read and decode included) in a
  ``ProcessPoolExecutor`` map with the engine's chunk size; serial where the engine is;
* check: ``engine.check`` cold, discovery included;
* warm: ``engine.check`` again with nothing changed, reading ``.paperlink_cache``;
* peak RSS of the check: the total of the process tree (main, workers, the ``git
  check-ignore`` it runs), sampled every 20 ms from /proc on Linux; and, exactly, the
  main process's and the largest child's own peaks (``ru_maxrss`` of self and children).

Each measurement runs in a fresh interpreter, so nothing is shared between runs; the
best of N runs is printed with all of them. Wall timings exclude interpreter start and
imports; CPU seconds (user + system, main and workers) are printed too, since they move
less than wall time on a shared machine.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import threading
import time
import tokenize
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_CHUNKSIZE = 8  # as engine._scan, so the floor pays the same scheduling costs

_MANIFEST = """\
title: Benchmark paper
items:
  - {kind: section, number: "1", label: "sec:intro", title: Introduction}
  - {kind: section, number: "2", label: "sec:method", title: Method}
  - {kind: equation, number: "1", label: "eq:loss", parent: "sec:method"}
  - {kind: equation, number: "2", label: "eq:update", parent: "sec:method"}
  - {kind: algorithm, number: "1", label: "alg:train", parent: "sec:method"}
  - {kind: hyperparameter, name: learning rate, value: 0.001}
"""


def make_project(folder: Path) -> Path:
    """Write the throwaway configuration and manifest into ``folder``; the config's path."""
    (folder / "paper.yaml").write_text(_MANIFEST, encoding="utf-8")
    config = folder / "paperlink.yaml"
    config.write_text("papers:\n  bench: paper.yaml\ndefault-paper: bench\n", encoding="utf-8")
    return config


def _serial_below() -> int:
    from paperlink import engine

    return getattr(engine, "_SERIAL_BELOW", 0)  # the engine reads few files without workers


# -- measurements, each run in a child interpreter -----------------------------------------


def _parse_one(path: Path) -> bool:
    import libcst

    data = path.read_bytes()
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding).removeprefix("\ufeff")
        libcst.parse_module(text)
    except (SyntaxError, UnicodeDecodeError, LookupError, libcst.ParserSyntaxError, RecursionError):
        return False
    return True


def _measure_floor(files: list[Path], jobs: int) -> dict[str, object]:
    from concurrent.futures import ProcessPoolExecutor

    import libcst  # noqa: F401 - imported before the clock starts, as paperlink is for check

    cpu, start = _cpu_seconds(), time.perf_counter()
    if jobs <= 1 or len(files) < _serial_below():
        parsed = [_parse_one(path) for path in files]
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            parsed = list(pool.map(_parse_one, files, chunksize=_CHUNKSIZE))
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "cpu_seconds": _cpu_seconds() - cpu, "failed": parsed.count(False)}


def _measure_check(
    config_file: Path, targets: list[Path], jobs: int, cache: bool = False, ignore: tuple[str, ...] = ()
) -> dict[str, object]:
    from paperlink.config import load_config
    from paperlink.engine import check

    cpu, start = _cpu_seconds(), time.perf_counter()
    report = check(load_config(config_file), targets, jobs=jobs, cache=cache, ignore=ignore)
    seconds = time.perf_counter() - start
    codes = Counter(d.code for d in report.diagnostics)
    return {
        "seconds": seconds,
        "cpu_seconds": _cpu_seconds() - cpu,
        "files": report.files,
        "codes": dict(sorted(codes.items())),
    }


def _cpu_seconds() -> float:
    import resource

    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(u.ru_utime + u.ru_stime for u in usage)


def _child(args: argparse.Namespace) -> None:
    import resource

    spec = json.loads(Path(args.child).read_text(encoding="utf-8"))
    if spec["kind"] == "floor":
        result = _measure_floor([Path(p) for p in spec["files"]], spec["jobs"])
    else:
        targets = [Path(p) for p in spec["targets"]]
        warm = spec["kind"] == "warm"
        if warm:  # fill the cache (in the throwaway project), then measure a run that uses it
            _measure_check(Path(spec["config"]), targets, spec["jobs"], cache=True)
        result = _measure_check(
            Path(spec["config"]), targets, spec["jobs"], cache=warm, ignore=tuple(spec.get("ignore", ()))
        )
    result["rss_self_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result["rss_children_kib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps(result))


def _tree_rss_kib(pid: int) -> int:
    """Resident KiB of ``pid`` and all its descendants now (Linux /proc; 0 elsewhere)."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
            for task in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(child) for child in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue  # the process ended between two reads
    return total


def _sample_peak(process: subprocess.Popen, peak: list[int], interval: float = 0.02) -> None:
    while process.poll() is None:
        peak[0] = max(peak[0], _tree_rss_kib(process.pid))
        time.sleep(interval)


def _run_child(spec: dict[str, object], folder: Path) -> dict[str, object]:
    spec_file = folder / f"{spec['kind']}.json"
    spec_file.write_text(json.dumps(spec), encoding="utf-8")
    command = [sys.executable, str(Path(__file__).resolve()), "--child", str(spec_file)]
    peak = [0]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        sampler = threading.Thread(target=_sample_peak, args=(process, peak), daemon=True)
        sampler.start()
        stdout, stderr = process.communicate()
        sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{spec['kind']} run failed (exit {process.returncode}):\n{stderr[-4000:]}")
    result = json.loads(stdout.strip().splitlines()[-1])
    result["rss_tree_kib"] = peak[0]
    return result


# -- the report ----------------------------------------------------------------------------


def _count_lines(files: list[Path]) -> int:
    return sum(path.read_bytes().count(b"\n") for path in files)  # as `wc -l`


def _best(runs: list[dict[str, object]]) -> dict[str, object]:
    return min(runs, key=lambda run: run["seconds"])


def _timings(runs: list[dict[str, object]]) -> str:
    return ", ".join(f"{run['seconds']:.3f}" for run in runs)


def _peak(runs: list[dict[str, object]]) -> int:
    return max(int(run["rss_tree_kib"]) for run in runs)


def _mib(kib: object) -> str:
    return f"{int(kib) / 1024:.1f} MiB"


def _print_report(files: list[Path], floor_runs: list[dict], check_runs: list[dict], jobs: int) -> None:
    floor, checked = _best(floor_runs), _best(check_runs)
    ratio = checked["seconds"] / floor["seconds"] if floor["seconds"] else float("nan")
    main, worker = int(checked["rss_self_kib"]), int(checked["rss_children_kib"])
    print(f"files:  {len(files)} (check reported {checked['files']})")
    print(f"lines:  {_count_lines(files)}")
    print(f"jobs:   {jobs}")
    cpu_ratio = checked["cpu_seconds"] / floor["cpu_seconds"] if floor["cpu_seconds"] else float("nan")
    print(f"floor:  {floor['seconds']:.3f} s best of [{_timings(floor_runs)}]; {floor['failed']} files failed to parse")
    print(f"check:  {checked['seconds']:.3f} s best of [{_timings(check_runs)}]")
    print(f"ratio:  {ratio:.2f} check/floor")
    print(
        f"cpu:    floor {floor['cpu_seconds']:.2f} s, check {checked['cpu_seconds']:.2f} s, ratio {cpu_ratio:.2f} (of the best runs; all processes)"
    )
    print(
        f"rss:    check peak total {_mib(_peak(check_runs))} (sampled); main {_mib(main)}, largest child {_mib(worker)}"
    )
    print(
        f"        floor peak total {_mib(_peak(floor_runs))} (sampled); main {_mib(floor['rss_self_kib'])}, largest child {_mib(floor['rss_children_kib'])}"
    )
    print(f"codes:  {json.dumps(checked['codes'])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="*", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--families", action="store_true", help="also time check without each code analysis")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args)
        return
    targets = [p.resolve() for p in (args.corpus or [ROOT / "sample_papers"])]
    for target in targets:
        if not target.is_dir():
            raise SystemExit(f"not a folder: {target}")
    from paperlink.config import load_config
    from paperlink.source.files import discover

    with tempfile.TemporaryDirectory(prefix="paperlink-bench-") as temp:
        folder = Path(temp)
        config_file = make_project(folder)
        files = discover(list(targets), load_config(config_file))
        floor_spec = {"kind": "floor", "files": [str(p) for p in files], "jobs": args.jobs}
        check_spec = {
            "kind": "check",
            "config": str(config_file),
            "targets": [str(t) for t in targets],
            "jobs": args.jobs,
        }
        warm_spec = {**check_spec, "kind": "warm"}
        without = _without_specs(check_spec) if args.families else {}
        floor_runs, check_runs, warm_runs = [], [], []
        without_runs: dict[str, list[dict]] = {name: [] for name in without}
        for _ in range(args.repeat):  # interleaved, so drift in the machine's load hits all
            floor_runs.append(_run_child(floor_spec, folder))
            check_runs.append(_run_child(check_spec, folder))
            warm_runs.append(_run_child(warm_spec, folder))
            for name, spec in without.items():
                without_runs[name].append(_run_child(spec, folder))
    print("corpus: " + " ".join(str(t) for t in targets))
    _print_report(files, floor_runs, check_runs, args.jobs)
    warm, cold = _best(warm_runs), _best(check_runs)
    print(
        f"warm:   {warm['seconds']:.3f} s best of [{_timings(warm_runs)}]; {warm['seconds'] / cold['seconds']:.2f} of cold (nothing changed, .paperlink_cache used)"
    )
    for name, runs in without_runs.items():
        best = _best(runs)
        print(
            f"without {name}: {best['seconds']:.3f} s best of [{_timings(runs)}]; check with it costs {100 * (cold['seconds'] / best['seconds'] - 1):+.0f}%"
        )


def _without_specs(check_spec: dict[str, object]) -> dict[str, dict[str, object]]:
    """A check run without each code analysis, and one without all of them."""
    from paperlink.analysis import ANALYSES

    specs = {a.name: {**check_spec, "ignore": list(a.codes)} for a in ANALYSES}
    if len(ANALYSES) > 1:
        specs["any code analysis"] = {**check_spec, "ignore": sorted({c for a in ANALYSES for c in a.codes})}
    return specs


if __name__ == "__main__":
    main()
