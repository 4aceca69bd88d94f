"""The hidden-inputs analysis beyond its rule fixtures: scope resolution, the import graph,
the cache codec round trip and the exact shape of the ``hidden_inputs`` section."""

from __future__ import annotations

import ast
import json
import textwrap
from pathlib import Path

from paperlink.analysis.code_walk import ScopeResolver, walk_code
from paperlink.analysis.hidden_inputs import HiddenInputFacts, scan
from paperlink.analysis.module_graph import ImportGraph
from paperlink.analysis.module_state import module_bindings
from paperlink.cache import from_data, to_data
from paperlink.config import load_config
from paperlink.engine import check
from paperlink.formats import report_to_json
from paperlink.source.code import CodeModule
from tests.json_schema import output_errors

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
    reads = [
        {"path": "src/train.py", "line": 75, "column": column, "end_line": 75, "end_column": column + 4}
        for column in (24, 63)
    ]
    assert report.sections["hidden_inputs"] == {
        "globals": [
            {
                "name": "args",
                "kind": "config",
                "read_by": ["train_one_epoch"],
                "written_by": [],
                "span": span,
                "reads": [{"function": "train_one_epoch", "spans": reads}],
                "writes": [],
            }
        ],
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


def _kinds(text: str) -> dict[str, str]:
    return {name: binding.kind for name, binding in module_bindings(_code(text)).items()}


def test_a_config_block_overridden_at_run_time_is_configuration() -> None:
    text = """
    import torch
    n_embd = 384
    lr = 6e-4
    dims = (64, 128)
    dtype = "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
    items = [n for n in range(3)]
    exec(open("configurator.py").read())
    after = 3
    """
    kinds = _kinds(text)
    assert [name for name, kind in kinds.items() if kind == "config"] == ["n_embd", "lr", "dims", "dtype"]
    assert (kinds["after"], kinds["items"]) == ("other", "container")
    for override in ("globals().update(overrides)", "for k, v in overrides.items():\n    globals()[k] = v"):
        kinds = _kinds(f"n_embd = 384\noverrides = {{}}\n{override}\n")
        assert kinds["n_embd"] == "config", override
    assert _kinds("n_embd = 384\nEPS = 1e-8\n") == {"n_embd": "other", "EPS": "other"}  # nothing overrides them


def test_configuration_propagates_through_module_level_derivations() -> None:
    text = """
    import argparse, os
    import torch
    from torch import nn
    from contextlib import nullcontext
    opt = argparse.ArgumentParser().parse_args()
    img_shape = (opt.channels, opt.img_size, opt.img_size)
    latent = int(opt.latent)
    half = opt.img_size // 2 + 1
    path = os.path.join("runs", opt.name)
    name = f"{opt.name}-{latent}"
    label = "run-{}".format(opt.name)
    gpus = opt.gpu_ids.split(",")
    cuda = torch.cuda.is_available()
    device = torch.device("cuda" if cuda else "cpu")
    ctx = nullcontext() if device.type == "cpu" else torch.autocast(device.type)
    rank = int(os.environ.get("RANK", 0))
    model = nn.Linear(latent, 2)
    built = make(opt)
    wrapped = model.module if opt.ddp else model
    if opt.dataset == "mnist":
        nc = 1
    else:
        nc = 3
    if model.training:
        mode = "train"
    for epoch in range(opt.epochs):
        loss = model(x) / opt.accumulation
    """
    kinds = _kinds(text)
    config = {
        "opt",
        "img_shape",
        "latent",
        "half",
        "path",
        "name",
        "label",
        "gpus",
        "cuda",
        "device",
        "ctx",
        "rank",
        "nc",
    }
    assert {n for n, k in kinds.items() if k == "config"} == config
    assert (kinds["model"], kinds["built"], kinds["wrapped"], kinds["loss"], kinds["epoch"], kinds["mode"]) == (
        "instance",
        "object",
        "other",
        "other",
        "other",
        "other",
    )


def test_a_literal_path_is_a_setting_of_a_script_only() -> None:
    text = 'from pathlib import Path\ndir_img = Path("./data/imgs/")\nROOT = Path(__file__).parent\n'
    assert _kinds(text)["dir_img"] != "config"
    kinds = _kinds(text + 'if __name__ == "__main__":\n    pass\n')
    assert (kinds["dir_img"], kinds["ROOT"]) == ("config", "other")


def test_the_section_lists_every_read_and_write_site(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(
        textwrap.dedent("""
        import torch
        from torch import nn
        lr = 1e-3
        warmup = 100
        exec(open("configurator.py").read())
        model = nn.Linear(2, 2)
        best = 0.0
        unused = 5

        def get_lr(it):
            if it < warmup:
                return lr * it / warmup
            return lr

        def evaluate(x):
            global best
            model.eval()
            y = model(x)
            model.train()
            best = max(best, y)
            best = float(best)

        def predict(x):
            return model(x)
    """),
        encoding="utf-8",
    )
    report = check(load_config(None, tmp_path), [tmp_path], select=["PL3"])
    assert output_errors(json.loads(report_to_json(report))) == []
    entries = {e["name"]: e for e in report.sections["hidden_inputs"]["globals"]}
    assert sorted(entries) == ["best", "lr", "model", "warmup"]

    def lines(uses: list) -> list:
        return [(u["function"], u.get("how"), [s["line"] for s in u["spans"]]) for u in uses]

    assert lines(entries["lr"]["reads"]) == [("get_lr", None, [13, 14])]
    assert lines(entries["warmup"]["reads"]) == [("get_lr", None, [12, 13])]
    assert (entries["model"]["read_by"], entries["model"]["written_by"]) == ([], ["evaluate"])  # predict only reads
    assert lines(entries["model"]["writes"]) == [("evaluate", "mutation", [18, 20])]
    assert lines(entries["best"]["writes"]) == [("evaluate", "rebinding", [17, 21, 22])]
    assert lines(entries["best"]["reads"]) == [("evaluate", None, [21, 22])]
    codes = sorted((d.code, d.span.line, d.message) for d in report.diagnostics)
    assert codes == [
        ("PL301", 17, "evaluate rebinds the module-level best through a global statement"),
        ("PL302", 18, "evaluate mutates the module-level model (model.eval(), model.train())"),
        ("PL303", 12, "get_lr reads the module-level warmup and lr"),
    ]


def test_a_module_level_lambda_called_later_is_a_listed_reader_without_a_diagnostic(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(
        textwrap.dedent("""
        import argparse
        import gym

        def run(env_fn, steps):
            return env_fn(), steps

        if __name__ == "__main__":
            args = argparse.ArgumentParser().parse_args()
            run(lambda: gym.make(args.env), steps=args.steps)
            ranked = sorted(["a", "b"], key=lambda name: args.order.index(name))
    """),
        encoding="utf-8",
    )
    report = check(load_config(None, tmp_path), [tmp_path], select=["PL3"])
    entries = {e["name"]: e for e in report.sections["hidden_inputs"]["globals"]}
    # the key function runs while the main block does; the factory runs later, inside run()
    assert [(u["function"], [s["line"] for s in u["spans"]]) for u in entries["args"]["reads"]] == [("<lambda>", [10])]
    assert report.diagnostics == ()


def test_what_the_machine_offers_configures_a_script_not_a_library_module() -> None:
    device = 'import torch\ndevice = torch.device("cuda" if torch.cuda.is_available() else "cpu")\n'
    assert _kinds(device)["device"] != "config"  # TD3.py: a constant of the process, imported by main.py
    assert _kinds(device + 'if __name__ == "__main__":\n    pass\n')["device"] == "config"
    assert _kinds(device + "for epoch in range(3):\n    pass\n")["device"] == "config"  # a flat training script
    assert _kinds(device + "import argparse\nopt = argparse.ArgumentParser().parse_args()\n")["device"] == "config"


def test_a_partial_binding_settings_is_configuration() -> None:
    text = (
        "import functools, argparse\nargs = argparse.ArgumentParser().parse_args()\n"
        "load = functools.partial(open, buffering=args.buffering)\nplain = functools.partial(open, buffering=1)\n"
    )
    kinds = _kinds(text)
    assert kinds["load"] == "config" and kinds["plain"] != "config"


def _section(tmp_path: Path, fixture: str) -> dict[str, dict]:
    folder = ROOT / "tests" / "rules" / "fixtures" / "PL303_config_read"
    (tmp_path / fixture).write_text((folder / fixture).read_text(encoding="utf-8"), encoding="utf-8")
    report = check(load_config(None, tmp_path), [tmp_path], select=["PL3"])
    assert output_errors(json.loads(report_to_json(report))) == []
    return {e["name"]: e for e in report.sections["hidden_inputs"]["globals"]}


def test_the_flag_registry_through_an_alias_a_direct_read_or_a_wrapper_is_configuration(tmp_path: Path) -> None:
    entries = _section(tmp_path, "flag_registry_aliases.py")
    assert sorted(entries) == ["FLAGS", "WRAPPED", "WRAPPED_DEF", "absl.flags.FLAGS", "absl_flags.FLAGS"]
    found = {name: (e["kind"], e["span"]["line"], e["read_by"]) for name, e in entries.items()}
    assert found == {
        "FLAGS": ("config", 13, ["main"]),  # `FLAGS = flags.FLAGS` after `flags = tf.app.flags`; not `given`'s
        "absl_flags.FLAGS": ("config", 9, ["workdir"]),  # read directly: bound where the import binds it
        "absl.flags.FLAGS": ("config", 6, ["seed"]),  # `import absl.flags`; `tf.reduce_sum` is no registry
        "WRAPPED": ("config", 15, ["schedule"]),  # `WRAPPED, WRAPPED_DEF = mlxu.define_flags_with_default(...)`
        "WRAPPED_DEF": ("config", 15, ["schedule"]),
    }
    assert [s["line"] for s in entries["absl_flags.FLAGS"]["reads"][0]["spans"]] == [23]


def test_a_table_of_presets_read_by_the_config_builder_is_configuration(tmp_path: Path) -> None:
    entries = _section(tmp_path, "config_presets.py")
    assert sorted(entries) == ["MIXUP_DEF", "RANDAUG_DEF"]  # a table of functions is no preset
    assert entries["MIXUP_DEF"]["kind"] == "config"
    assert entries["MIXUP_DEF"]["read_by"] == ["get_config"]  # `describe` reads it too, but builds nothing
    assert [s["line"] for s in entries["RANDAUG_DEF"]["reads"][0]["spans"]] == [29]
