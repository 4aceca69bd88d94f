"""The hidden-inputs analysis beyond its rule fixtures: scope resolution, the import graph,
the cache codec round trip and the exact shape of the ``hidden_inputs`` section."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

from paperlink.analysis.code_walk import ScopeResolver, walk_code
from paperlink.analysis.hidden_inputs import HiddenInputFacts, scan
from paperlink.analysis.module_graph import ImportGraph
from paperlink.cache import from_data, to_data
from paperlink.config import load_config
from paperlink.engine import check
from paperlink.source.code import CodeModule

ROOT = Path(__file__).resolve().parent.parent.parent


def _code(text: str, relative: str = "mod.py") -> CodeModule:
    text = textwrap.dedent(text)
    return CodeModule(relative, text, ast.parse(text))


def _global_reads(text: str) -> list[tuple[int, str]]:
    """(line, dotted path) of every use of `args` that symtable calls the module's global."""
    code = _code(text)
    resolver = ScopeResolver(code)
    return sorted(
        (site.node.lineno, site.path)
        for site in walk_code(code, frozenset({"args"})).names
        if site.function is not None and resolver.is_global("args", site.scopes)
    )


def test_symtable_tells_globals_from_parameters_locals_and_closures() -> None:
    text = """
    args = object()
    def uses(): return args
    def parameter(args): return args
    def local():
        args = 1
        return args
    def outer(args):
        def inner(): return args
        return inner
    def comprehension(): return [a for a in args.items if args]
    class Holder:
        field = args
        def method(self): return args
    lam = lambda: args
    """
    assert _global_reads(text) == [(3, "uses"), (11, "comprehension"), (11, "comprehension"), (14, "Holder.method")]


def test_import_graph_resolves_exact_sibling_and_suffix_names_with_packages() -> None:
    graph = ImportGraph(
        {
            "src.train": ["model", "torch", "pkg.sub.util.helper"],
            "src.model": [],
            "pkg": [],
            "pkg.sub": [],
            "pkg.sub.util": ["os"],
        }
    )
    assert graph.imports["src.train"] == frozenset({"src.model", "pkg", "pkg.sub", "pkg.sub.util"})
    assert graph.importers["src.model"] == frozenset({"src.train"})
    assert graph.split("pkg.sub.util.helper") == ("pkg.sub.util", "helper")
    assert graph.resolve("torch") is None
    assert graph.reachable(["pkg.sub.util"], backwards=True) == frozenset({"pkg.sub.util", "src.train"})


def test_facts_survive_the_cache_codec() -> None:
    sample = ROOT / "tests" / "rules" / "fixtures" / "PL303_config_read" / "train.py"
    facts = scan(_code(sample.read_text(encoding="utf-8"), "train.py"))
    assert facts.state.globals and facts.imports
    assert from_data(HiddenInputFacts, to_data(facts)) == facts


def test_section_of_the_simsiam_sample_is_exact() -> None:
    sample = ROOT / "sample_papers" / "simsiam"
    report = check(load_config(None, sample), [sample], select=["PL3", "PL5"])
    span = {"path": "src/train.py", "line": 27, "column": 1, "end_line": 27, "end_column": 5}
    assert report.sections["hidden_inputs"] == {
        "globals": [{"name": "args", "kind": "config", "read_by": ["train_one_epoch"], "written_by": [], "span": span}],
        "env_vars": [],
        "seeds": [],
        "nondeterminism": [],
    }


def test_section_lists_every_kind_sorted_by_span(tmp_path: Path) -> None:
    (tmp_path / "run.py").write_text(
        textwrap.dedent("""
        import os
        import torch
        from torch.backends import cudnn
        cache = {}
        def fill(k):
            cache[k] = os.environ.get("HOME")
        def main(cfg):
            torch.manual_seed(cfg.seed)
            cudnn.benchmark = cfg.fast
            torch.manual_seed(3)
    """),
        encoding="utf-8",
    )
    report = check(
        load_config(None, tmp_path), [tmp_path], select=["PL3", "PL5"], ignore=["PL505", "PL506"]
    )  # no environment here
    section = report.sections["hidden_inputs"]
    assert [(g["name"], g["kind"], g["written_by"]) for g in section["globals"]] == [("cache", "mutable", ["fill"])]
    assert [(e["name"], e["function"], e["span"]["line"]) for e in section["env_vars"]] == [("HOME", "fill", 7)]
    assert [(s["library"], s["value"], s["configurable"], s["span"]["line"]) for s in section["seeds"]] == [
        ("torch", None, True, 9),
        ("torch", "3", False, 11),
    ]
    assert section["nondeterminism"] == [
        {
            "setting": "torch.backends.cudnn.benchmark = cfg.fast",
            "documented": False,
            "span": {"path": "run.py", "line": 10, "column": 5, "end_line": 10, "end_column": 31},
        }
    ]
    assert sorted(d.code for d in report.diagnostics) == ["PL302", "PL304", "PL503"]


def test_a_literal_passed_to_a_seed_helper_is_listed_at_the_call(tmp_path: Path) -> None:
    (tmp_path / "utils.py").write_text(
        "import torch\ndef set_seed(seed):\n    torch.manual_seed(seed)\n", encoding="utf-8"
    )
    (tmp_path / "train.py").write_text("from utils import set_seed\nset_seed(3)\n", encoding="utf-8")
    report = check(load_config(None, tmp_path), [tmp_path], select=["PL503"])
    seeds = report.sections["hidden_inputs"]["seeds"]
    assert [(s["span"]["path"], s["library"], s["value"], s["configurable"]) for s in seeds] == [
        ("train.py", "torch", "3", False),
        ("utils.py", "torch", None, True),
    ]
    assert [(d.span.path, d.code) for d in report.diagnostics] == [("train.py", "PL503")]
