"""Fuzz paperlink's readers with mutants of real inputs: no crash, no hang, bounded memory.

    python3 benchmarks/fuzz.py [--inputs 10000] [--workers 2] [--seed 0] [--corpus /work/corpus]
                               [--timeout 10] [--memory-mb 1024] [--kinds latex,python,...]
                               [--layouts 50] [--out fuzz-findings]

Seeds are the sample papers (LaTeX, Python, configs, environment files) and, where given,
a local corpus of real code (its ``.py``, ``.ipynb``, ``.yaml``/``.json``/``.toml``).
Each input is a seed fragment changed by a few mutations: bytes cut, repeated or swapped,
hostile tokens spliced in (deep brackets, long operator chains, huge numbers, self-using
macros, counter cycles, YAML aliases). For throughput each worker is one long-lived
process calling paperlink's entry points in-process under ``RLIMIT_AS`` and an alarm per
input; one that dies (a signal, an exhausted stack) is restarted and the input recorded.
Project layouts (symlinks, odd file names) are slower, so a few run as whole
``python -m paperlink check`` subprocesses.

Per kind it prints inputs, crashes (an exception that is not a ``PaperlinkError``, or a
dead worker), hangs (over ``--timeout`` s), and the peak memory of one input (the
worker's high-water mark, reset before each input); for layouts also leaks (a file outside
the project, linked in, whose content or path reaches the output). Each failure is shrunk by deleting
chunks while it still fails the same way and written to ``--out`` with its traceback.
Numbers go into notes, never into tests.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import multiprocessing as mp
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KINDS = ("latex", "python", "notebook", "yaml", "json", "toml", "config", "manifest", "environment")
_SUFFIX = {"latex": ".tex", "python": ".py", "notebook": ".ipynb", "yaml": ".yaml", "json": ".json", "toml": ".toml"}
_FRAGMENT = 6_000  # characters of a seed one input starts from: fast inputs, many of them

# Tokens spliced in by the mutator, per kind: the shapes that broke readers before.
_HOSTILE = {
    "latex": [
        "\\numberwithin{equation}{equation}",
        "\\numberwithin{section}{subsection}",
        "\\counterwithin{subsection}{subsubsection}",
        "\\setcounter{section}{999999999999}",
        "\\addtocounter{equation}{2147483647}",
        "\\renewcommand{\\thesection}{\\Roman{section}}",
        "\\renewcommand{\\thesection}{\\thesection\\thesection}",
        "\\renewcommand{\\theequation}{\\thesection.\\arabic{equation}}",
        "\\newcommand{\\m}{\\m\\m}",
        "\\newcommand{\\s}[1]{\\section{#1}\\s{#1}}",
        "\\def\\x{\\x}",
        "\\newenvironment{e}{\\begin{e}}{\\end{e}}",
        "\\section{A}\\label{x}",
        "\\begin{equation}a\\label{eq:a}\\end{equation}",
        "\\begin{align}a\\\\b\\label{eq:b}\\end{align}",
        "\\input{paper}",
        "\\input{../../etc/passwd}",
        "{" * 300,
        "}" * 50,
        "\\begin{itemize}" * 40,
        "$",
        "\\iffalse",
        "\\fi",
        "\\verb|",
        "%",
        "learning rate of $3\\times10^{-4}$ and batch size 256",
        "\\label{" + "x" * 2000 + "}",
    ],
    "python": [
        "(" * 250,
        ")" * 30,
        "+1" * 1200,
        ".a" * 1500,
        "not " * 400,
        "lambda: " * 300,
        "    " * 120,
        "\n" + "if x:\n    " * 60,
        "# paper: eq:loss\n",
        "# paper: Eq. (" + "3" * 500 + ")\n",
        "# paperlink: ignore[PL201]\n",
        "@implements('eq:x')\n",
        "type X = int\n",
        'f"{x!r:{y}}"',
        "\\\n",
        '"""',
        "\x00",
        "\ufeff",
        "1" + "0" * 5000,
        "x.detach()",
        "with torch.no_grad():\n    pass\n",
        "torch.manual_seed(0)\n",
        "optimizer = torch.optim.Adam(model.parameters(), lr=3e-4)\n",
    ],
    "yaml": [
        "[" * 150,
        "{a: " * 150,
        "&a [*a]",
        "x: 1" + "0" * 4400,
        "- " * 200,
        "? ",
        "!!python/object:os.system",
        "\t",
    ],
    "json": ["[" * 150, '{"a":' * 150, "1" + "0" * 4400, '"\\ud800"', "NaN", "1e999999", "\x00"],
    "toml": [
        "[" * 150,
        "{a=" * 150,
        "x = 1" + "0" * 4400,
        "[[a]]\n",
        "a.b.c.d.e.f.g = 1\n",
        '"""',
        "x = 1979-05-27T07:32:00Z\n",
    ],
}
_HOSTILE["config"] = _HOSTILE["yaml"] + ["papers: {main: paper.tex}\n", "select: [PL999]\n", "ignore: [" * 50]
_HOSTILE["manifest"] = _HOSTILE["yaml"] + ["items:\n  - key: eq:a\n    kind: equation\n", "number: " * 10]
_HOSTILE["environment"] = _HOSTILE["yaml"] + _HOSTILE["toml"] + ["torch==", "-r req.txt\n", "--hash=" * 50]
_HOSTILE["notebook"] = _HOSTILE["json"] + _HOSTILE["python"]


# --- seeds ------------------------------------------------------------------------------------------


def seeds(corpus: list[Path]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    folders = [ROOT / "sample_papers", *corpus]
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or ".paperlink_cache" in path.parts or path.stat().st_size > 2_000_000:
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            suffix = path.suffix.lower()
            if suffix == ".tex":
                found["latex"].append(text)
            elif suffix == ".py":
                found["python"].append(text)
            elif suffix == ".ipynb":
                found["notebook"].append(text)
            elif suffix in (".yaml", ".yml"):
                found["yaml"].append(text)
                (found["environment"] if "dependencies" in text else found["config"]).append(text)
            elif suffix == ".json":
                found["json"].append(text)
            elif suffix == ".toml":
                found["toml"].append(text)
                found["environment"].append(text)
            elif path.name in ("requirements.txt", "Dockerfile", "setup.cfg", "Pipfile"):
                found["environment"].append(text)
    found["manifest"].append(
        "title: Sample\nitems:\n  - key: eq:loss\n    kind: equation\n    number: '1'\n    latex: 'L = x'\n"
        "  - key: hp:lr\n    kind: hyperparameter\n    value: 3e-4\n"
    )
    found["notebook"].append(
        '{"cells": [{"cell_type": "code", "source": ["# paper: eq:a\\n", "x = 1\\n"], "metadata": {}, '
        '"outputs": [], "execution_count": null}], "metadata": {"kernelspec": {"language": "python"}}, '
        '"nbformat": 4, "nbformat_minor": 5}'
    )
    found["config"].append("papers:\n  main: paper.tex\nselect: [PL1, PL2]\nignore: []\n")
    found["yaml"].append("model:\n  lr: 3.0e-4  # paper: hp:lr\n  layers: [64, 64]\ndefaults:\n  - optim: adam\n")
    found["json"].append('{"lr": 0.0003, "batch_size": 256, "layers": [64, 64], "opt": {"name": "adam", "eps": 1e-8}}')
    found["toml"].append("[train]\nlr = 3e-4  # paper: hp:lr\nbatch_size = 256\n[model]\nlayers = [64, 64]\n")
    return found


def mutate(text: str, kind: str, rng: random.Random) -> str:
    if len(text) > _FRAGMENT:
        start = rng.randrange(len(text) - _FRAGMENT)
        text = text[start : start + _FRAGMENT]
    for _ in range(rng.randint(1, 4)):
        text = rng.choice(_MUTATIONS)(text, kind, rng)
    return text


def _splice(text: str, kind: str, rng: random.Random) -> str:
    at = rng.randint(0, len(text))
    return text[:at] + rng.choice(_HOSTILE[kind]) + text[at:]


def _cut(text: str, kind: str, rng: random.Random) -> str:
    if not text:
        return text
    at = rng.randrange(len(text))
    return text[:at] + text[at + rng.randint(1, 200) :]


def _repeat(text: str, kind: str, rng: random.Random) -> str:
    if not text:
        return text
    at = rng.randrange(len(text))
    chunk = text[at : at + rng.randint(1, 80)]
    return text[:at] + chunk * rng.choice((2, 10, 100, 1000)) + text[at:]


def _swap(text: str, kind: str, rng: random.Random) -> str:
    if len(text) < 4:
        return text
    a, b = sorted(rng.sample(range(len(text)), 2))
    return text[:a] + text[b:] + text[a:b]


def _nest(text: str, kind: str, rng: random.Random) -> str:
    at = rng.randint(0, len(text))
    opener, closer = rng.choice((("(", ")"), ("[", "]"), ("{", "}")))
    depth = rng.choice((50, 150, 500, 3000))
    return text[:at] + opener * depth + closer * rng.choice((0, depth)) + text[at:]


def _byte(text: str, kind: str, rng: random.Random) -> str:
    at = rng.randint(0, len(text))
    return text[:at] + chr(rng.choice((0, 9, 13, 0x202E, 0xFEFF, 0xD7FF, rng.randrange(32, 0x2FFF)))) + text[at:]


_MUTATIONS: tuple[Callable[[str, str, random.Random], str], ...] = (
    _splice,
    _splice,
    _cut,
    _repeat,
    _swap,
    _nest,
    _byte,
)


# --- the worker: paperlink's entry points, in-process ------------------------------------------------


def run_one(kind: str, text: str, folder: Path) -> None:
    """Read ``text`` as ``kind`` with paperlink's own reader; a PaperlinkError is a clean refusal."""
    from paperlink.errors import PaperlinkError

    try:
        _READERS[kind](text, folder)
    except PaperlinkError:
        pass


def _latex(text: str, folder: Path) -> None:
    from paperlink.paper.latex import read_latex_paper

    (folder / "paper.tex").write_text(text, encoding="utf-8", errors="surrogatepass")
    read_latex_paper(folder / "paper.tex", name="fuzz", root=folder)


def _python(text: str, folder: Path, name: str = "a.py") -> None:
    from paperlink.analysis import ANALYSES
    from paperlink.engine import _scan_file

    path = folder / name
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    _scan_file(path, folder, tuple(analysis.name for analysis in ANALYSES))


def _config_file(text: str, folder: Path, suffix: str) -> None:
    from paperlink.configfiles.read import parse_config_text

    parse_config_text(f"configs/a{suffix}", text)


def _config(text: str, folder: Path) -> None:
    from paperlink.config import load_config

    (folder / "paperlink.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
    load_config(folder / "paperlink.yaml")


def _manifest(text: str, folder: Path) -> None:
    from paperlink.paper import parse_paper

    (folder / "paper.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
    parse_paper(folder / "paper.yaml", name="fuzz", root=folder)


def _environment(text: str, folder: Path) -> None:
    from paperlink.source.environment import conda, docker, locks, packaging_files, requirements

    for parse in (
        requirements.parse_requirements_file,
        conda.parse_conda_file,
        conda.parse_conda_lock,
        docker.parse_dockerfile,
        locks.parse_toml_lock,
        locks.parse_pipfile_lock,
        locks.parse_python_version,
        packaging_files.parse_pyproject,
        packaging_files.parse_setup_py,
        packaging_files.parse_setup_cfg,
        packaging_files.parse_pipfile,
    ):
        parse(text, "env")


_READERS: dict[str, Callable[[str, Path], None]] = {
    "latex": _latex,
    "python": _python,
    "notebook": lambda text, folder: _python(text, folder, "a.ipynb"),
    "yaml": lambda text, folder: _config_file(text, folder, ".yaml"),
    "json": lambda text, folder: _config_file(text, folder, ".json"),
    "toml": lambda text, folder: _config_file(text, folder, ".toml"),
    "config": _config,
    "manifest": _manifest,
    "environment": _environment,
}


class _Hang(BaseException):  # not an Exception: readers that catch those must not swallow it
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _Hang()


def _peak_kb() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def worker(connection: Connection, memory_mb: int, timeout: float) -> None:
    """Serve inputs until the pipe closes: ("ok"|"crash"|"hang", detail, peak KB, seconds)."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))
    signal.signal(signal.SIGALRM, _alarm)
    folder = Path(tempfile.mkdtemp(prefix="paperlink-fuzz-"))
    for module in ("paperlink.engine", "paperlink.paper.latex", "paperlink.config"):
        importlib.import_module(module)  # once, outside every input's budget

    while True:
        try:
            kind, text = connection.recv()
        except EOFError:
            return
        try:
            with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
                clear.write("5")  # reset the high-water mark: each input's own peak
        except OSError:
            pass
        started = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            run_one(kind, text, folder)
            outcome, detail = "ok", ""
        except _Hang:
            outcome, detail = "hang", traceback.format_exc(limit=-8)
        except BaseException:  # noqa: BLE001 - anything else is the finding
            outcome, detail = "crash", traceback.format_exc(limit=-8)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        connection.send((outcome, detail, _peak_kb(), time.perf_counter() - started))


@dataclass
class _Worker:
    memory_mb: int
    timeout: float
    process: mp.Process | None = None
    connection: Connection | None = None

    def start(self) -> None:
        parent, child = mp.Pipe()
        self.process = mp.get_context("fork").Process(
            target=worker, args=(child, self.memory_mb, self.timeout), daemon=True
        )
        self.process.start()
        self.connection = parent

    def run(self, kind: str, text: str) -> tuple[str, str, int, float]:
        if self.process is None or not self.process.is_alive():
            self.start()
        assert self.connection is not None and self.process is not None
        started = time.perf_counter()
        try:
            self.connection.send((kind, text))
            if self.connection.poll(self.timeout + 20):
                return self.connection.recv()
            outcome, detail = "hang", "no answer: the worker did not return (a loop in C code?)"
        except (EOFError, BrokenPipeError, ConnectionResetError):
            self.process.join(5)
            outcome, detail = "crash", f"the worker died: exit code {self.process.exitcode}"
        self.process.kill()
        self.process.join()
        self.process = None
        return outcome, detail, 0, time.perf_counter() - started


# --- shrinking and reporting --------------------------------------------------------------------------


def shrink(worker: _Worker, kind: str, text: str, outcome: str, budget: int = 150) -> str:
    """Delete chunks (halving their size) while the input still fails the same way."""
    chunk = max(len(text) // 2, 1)
    tries = 0
    while chunk >= 1 and tries < budget:
        at = 0
        changed = False
        while at < len(text) and tries < budget:
            candidate = text[:at] + text[at + chunk :]
            tries += 1
            if candidate and worker.run(kind, candidate)[0] == outcome:
                text, changed = candidate, True
            else:
                at += chunk
        if not changed:
            chunk //= 2
    return text


@dataclass
class _Tally:
    inputs: int = 0
    crashes: int = 0
    hangs: int = 0
    leaks: int = 0  # layouts: content or paths from outside the project in the output
    peak_kb: int = 0
    slowest: float = 0.0
    found: list[str] = field(default_factory=list)


def record(out: Path, kind: str, text: str, outcome: str, detail: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    out.mkdir(parents=True, exist_ok=True)
    name = f"{kind}-{outcome}-{digest}"
    (out / (name + _SUFFIX.get(kind, ".txt"))).write_bytes(text.encode("utf-8", "surrogatepass"))
    (out / (name + ".log")).write_text(detail, encoding="utf-8")
    return name


def fuzz_share(arguments: tuple[argparse.Namespace, list[str], int, dict[str, list[str]]]) -> dict[str, _Tally]:
    options, kinds, index, corpus = arguments
    rng = random.Random(options.seed * 1000 + index)
    share = options.inputs // options.workers + (1 if index < options.inputs % options.workers else 0)
    runner = _Worker(options.memory_mb, options.timeout)
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    for number in range(share):
        kind = kinds[number % len(kinds)]
        text = mutate(rng.choice(corpus[kind]), kind, rng)
        outcome, detail, peak_kb, seconds = runner.run(kind, text)
        tally = tallies[kind]
        tally.inputs += 1
        tally.peak_kb = max(tally.peak_kb, peak_kb)
        tally.slowest = max(tally.slowest, seconds)
        if outcome == "ok" and seconds > options.timeout / 4:  # not a failure, but worth a look
            tally.found.append(record(Path(options.out), kind, text, "slow", f"{seconds:.2f} s"))
        if outcome != "ok":
            tally.crashes += outcome == "crash"
            tally.hangs += outcome == "hang"
            small = shrink(runner, kind, text, outcome)
            tally.found.append(record(Path(options.out), kind, small, outcome, detail))
    return dict(tallies)


# --- layouts: whole runs as subprocesses ---------------------------------------------------------------


def fuzz_layouts(count: int, seed: int, timeout: float, out: Path) -> _Tally:
    """Small projects with symbolic links (loops, outside the root, dangling) and odd names."""
    rng = random.Random(seed)
    tally = _Tally()
    outside = Path(tempfile.mkdtemp(prefix="paperlink-fuzz-outside-"))
    (outside / "secret.py").write_text("SECRET = 'outside'  # paper: eq:a\n", encoding="utf-8")
    names = [b"a.py", b"\xff.py", b"b\rc.py", b"\xe2\x80\xaeevil.py", b"paperlink.yaml", b"pyproject.toml",
             b"environment.yml", b"requirements.txt", b"n.ipynb", b"paper.tex", b".paperlink_cache"]  # fmt: skip
    for _ in range(count):
        root = Path(tempfile.mkdtemp(prefix="paperlink-fuzz-layout-"))
        for _ in range(rng.randint(1, 5)):
            name = rng.choice(names)
            target = os.path.join(bytes(root), name)
            choice = rng.random()
            if os.path.lexists(target):
                continue
            if choice < 0.4:
                with open(target, "wb") as handle:
                    handle.write(b"x = 1  # paper: eq:a\n")
            elif choice < 0.6:
                os.symlink(bytes(outside / "secret.py"), target)
            elif choice < 0.8:
                os.symlink(rng.choice(names), target)  # loops, dangling, between files
            else:
                os.symlink(b"/dev/zero", target)
        tally.inputs += 1
        started = time.perf_counter()
        try:
            done = subprocess.run(
                [sys.executable, "-m", "paperlink", "check", "--jobs", "1", "--format", "json"],
                cwd=root,
                capture_output=True,
                timeout=timeout,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            )
            leaked = b"SECRET" in done.stdout or bytes(outside) in done.stdout
            failed = done.returncode not in (0, 1, 2) or leaked
            detail = done.stderr.decode("utf-8", "replace")[-4000:]
            outcome = "crash" if done.returncode not in (0, 1, 2) else "leak"
            tally.leaks += leaked
        except subprocess.TimeoutExpired:
            failed, detail, outcome = True, "timed out", "hang"
        tally.slowest = max(tally.slowest, time.perf_counter() - started)
        if failed:
            tally.crashes += outcome == "crash"
            tally.hangs += outcome == "hang"
            entries = [os.path.join(bytes(root), name) for name in sorted(os.listdir(bytes(root)))]
            listing = "\n".join(
                f"{os.path.basename(p)!r} -> {os.readlink(p)!r}" if os.path.islink(p) else f"{os.path.basename(p)!r}"
                for p in entries
            )
            tally.found.append(record(out, "layout", listing, outcome, detail))
        shutil.rmtree(root, ignore_errors=True)
    return tally


# --- main ------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inputs", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--corpus", type=Path, action="append", default=[])
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per input before it is a hang")
    parser.add_argument("--memory-mb", type=int, default=1024, help="address-space limit of each worker")
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--layouts", type=int, default=0, help="project layouts run as subprocesses")
    parser.add_argument("--out", default="fuzz-findings")
    options = parser.parse_args(argv)
    kinds = [k for k in options.kinds.split(",") if k]
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        parser.error(f"unknown kinds: {', '.join(unknown)}")
    corpus = seeds(options.corpus)
    started = time.perf_counter()
    with ThreadPoolExecutor(options.workers) as threads:  # each drives its own worker process
        shares = list(threads.map(fuzz_share, [(options, kinds, i, corpus) for i in range(options.workers)]))
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    for share in shares:
        for kind, part in share.items():
            whole = tallies[kind]
            whole.inputs += part.inputs
            whole.crashes += part.crashes
            whole.hangs += part.hangs
            whole.peak_kb = max(whole.peak_kb, part.peak_kb)
            whole.slowest = max(whole.slowest, part.slowest)
            whole.found += part.found
    if options.layouts:
        tallies["layout"] = fuzz_layouts(options.layouts, options.seed, options.timeout, Path(options.out))
    elapsed = time.perf_counter() - started
    print(f"{'kind':<12} {'inputs':>7} {'crashes':>7} {'hangs':>6} {'peak MB':>8} {'slowest s':>9} {'leaks':>6}")
    for kind in sorted(tallies):
        t = tallies[kind]
        peak = f"{t.peak_kb / 1024:.0f}" if t.peak_kb else "-"
        leaks = str(t.leaks) if kind == "layout" else "-"
        print(f"{kind:<12} {t.inputs:>7} {t.crashes:>7} {t.hangs:>6} {peak:>8} {t.slowest:>9.2f} {leaks:>6}")
    total = sum(t.inputs for t in tallies.values())
    print(f"{total} inputs in {elapsed:.0f} s ({total / max(elapsed, 1e-9):.0f}/s), seed {options.seed}")
    for kind in sorted(tallies):
        for name in tallies[kind].found:
            print(f"  {options.out}/{name}")
    return 1 if any(t.crashes or t.hangs or t.leaks for t in tallies.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
