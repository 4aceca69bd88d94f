"""The environment analysis beyond its rule fixtures: what ``scan`` collects, the cache codec
round trip, how files are found, suppressions in environment files, and the exact section."""

from __future__ import annotations

import ast
import json
import textwrap
from pathlib import Path

from paperlink.analysis.environment import EnvironmentFacts, scan
from paperlink.cache import from_data, to_data
from paperlink.config import Config, load_config
from paperlink.engine import check
from paperlink.formats import report_to_json
from paperlink.source.code import CodeModule
from paperlink.source.environment import read_environment
from tests.json_schema import output_errors

ROOT = Path(__file__).resolve().parent.parent.parent


def _code(text: str, relative: str = "train.py") -> CodeModule:
    text = textwrap.dedent(text)
    return CodeModule(relative, text, ast.parse(text))


def _project(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def _lines(root: Path, select: list[str] | None = None) -> list[str]:
    report = check(Config(root=root), [root], jobs=1, select=select or ["PL505", "PL506", "PL006", "PL112"])
    return [str(d) for d in report.diagnostics]


def test_scan_keeps_third_party_imports_and_marks_the_guarded_ones_optional() -> None:
    facts = scan(
        _code("""\
        from __future__ import annotations
        import os, json
        import torch.nn as nn
        from . import model
        from numpy import random
        import paperlink
        try:
            import apex
        except (ImportError, RuntimeError):
            apex = None
        if TYPE_CHECKING:
            import pandas
        def load(fast):
            import scipy.io
            try:
                import h5py
            finally:
                pass
            if fast:
                import jax
        try:
            from typing import Literal
        except ImportError:
            from typing_extensions import Literal
        if sys.version_info < (3, 8):
            import importlib_metadata
        import apex.amp
        """)
    )
    assert [(i.module, i.span.line, i.optional) for i in facts.imports] == [
        ("torch", 3, False),
        ("numpy", 5, False),
        ("pandas", 12, True),
        ("scipy", 14, False),
        ("h5py", 16, False),
        ("jax", 20, True),
        ("typing_extensions", 24, True),
        ("importlib_metadata", 26, False),
        ("apex", 27, False),
    ]
    assert facts.cuda is None


def test_scan_finds_the_first_use_of_cuda() -> None:
    assert scan(_code("import torch\nx = 1\nok = torch.cuda.is_available()\ny = z.cuda()\n")).cuda_use == "torch.cuda"
    facts = scan(_code("import torch as T\ndef f(x):\n    return x.to('cuda:1')\n"))
    assert (facts.cuda.line, facts.cuda.column, facts.cuda_use) == (3, 17, "'cuda:1'")
    assert scan(_code("CUDA_NOTE = 'cuda is not used here'\n")).cuda is None
    assert scan(_code("def f(x, device='cuda'):\n    return x\n")).cuda_use == "'cuda'"  # a default: in `arguments`
    assert scan(_code("ys = [y for y in xs.cuda()]\n")).cuda_use == ".cuda()"  # in a comprehension's iterator
    one_line = scan(_code("try: import apex\nexcept ImportError: apex = None\nx = 1; import einops\n"))
    assert [(i.module, i.optional) for i in one_line.imports] == [("apex", True), ("einops", False)]


def test_test_files_and_setup_py_are_not_scanned() -> None:
    assert scan(_code("import pytest\n", "tests/test_model.py")) == EnvironmentFacts("tests/test_model.py", test=True)
    assert scan(_code("import setuptools\n", "setup.py")).test


def test_facts_survive_the_cache_codec() -> None:
    facts = scan(
        _code("import torch\ntry:\n    import apex\nexcept ImportError:\n    pass\nx = torch.zeros(1).cuda()\n")
    )
    assert from_data(EnvironmentFacts, json.loads(json.dumps(to_data(facts)))) == facts


def test_files_are_found_at_the_root_in_requirements_folders_and_through_includes(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        {
            "requirements/base.txt": "-r ../shared/common.txt\nnumpy==1.26.4\n",
            "requirements/gpu.txt": "-r base.txt\ntorch==2.1.0\n",
            "shared/common.txt": "-r ../requirements/gpu.txt\neinops==0.7.0\n",  # a cycle: each file read once
            "pyproject.toml": "[tool.paperlink]\npapers = {}\n",  # settings only: no environment
            "docker/Dockerfile.gpu": "FROM nvidia/cuda:12.1.0-runtime-ubuntu22.04\n",
            "src/requirements.txt": "scipy\n",  # not at the root nor in a checked folder
            "notes.txt": "torch\n",
        },
    )
    environment = read_environment(root)
    assert [(f.path, f.kind, [p.package for p in f.pins]) for f in environment.files] == [
        ("docker/Dockerfile.gpu", "dockerfile", []),
        ("requirements/base.txt", "requirements", ["numpy"]),
        ("requirements/gpu.txt", "requirements", ["torch"]),
        ("shared/common.txt", "requirements", ["einops"]),
    ]
    assert environment.problems == ()
    assert [f.path for f in read_environment(root, [root / "src"]).files][-1] == "src/requirements.txt"


def test_a_suppression_in_an_environment_file_is_used_or_reported_unused(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        {
            "train.py": "import torch\nimport numpy\n",
            ".python-version": "3.11\n",
            "requirements.txt": """\
            # paperlink: ignore[PL505] any 2.x reproduces Table 2
            torch>=2.0
            numpy==1.26.4  # paperlink: ignore[PL505]
            """,
        },
    )
    assert _lines(root) == ["requirements.txt:3:16: PL112 unused suppression of PL505: nothing reported on this line"]


def test_the_configuration_can_turn_the_rules_off(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        {
            "train.py": "import torch\n",
            "pyproject.toml": '[tool.paperlink]\nignore = ["PL505"]\n',
        },
    )
    report = check(load_config(None, root), [root], jobs=1)
    assert [d.code for d in report.diagnostics] == ["PL506"]


def test_the_section_lists_files_pins_versions_and_packages() -> None:
    sample = ROOT / "sample_papers" / "simsiam"
    section = json.loads(report_to_json(check(load_config(None, sample), [sample], select=["PL505"])))["environment"]
    assert section["versions"]["python"] == {
        "name": "python",
        "version": "3.11",
        "fixed": True,
        "via": "python=3.11",
        "span": {"path": "environment.yml", "line": 8, "column": 5, "end_line": 8, "end_column": 16},
    }
    assert (section["versions"]["torch"]["version"], section["versions"]["cuda"]["version"]) == ("2.1.2", "12.1")
    [file] = section["files"]
    assert (file["path"], file["kind"], file["lock"]) == ("environment.yml", "conda", False)
    assert [(p["package"], p["written"], p["spec"], p["exact"]) for p in file["pins"]] == [
        ("torch", "pytorch", "=2.1.2", True),
        ("torchvision", "torchvision", "=0.16.2", True),
        ("pytorch-cuda", "pytorch-cuda", "=12.1", True),
        ("pip", "pip", "", False),
        ("paperlink", "paperlink", "==0.1.0", True),
    ]
    assert [(p["module"], p["status"], [pin["line"] for pin in p["pins"]]) for p in section["packages"]] == [
        ("torch", "pinned", [9]),
        ("torchvision", "pinned", [10]),
    ]
    assert section["cuda_use"] == {
        "use": "'cuda'",
        "span": {"path": "src/train.py", "line": 26, "column": 41, "end_line": 26, "end_column": 47},
    }


def test_a_project_without_environment_files_has_an_empty_section(tmp_path: Path) -> None:
    root = _project(tmp_path, {"train.py": "import json\n"})
    report = check(Config(root=root), [root], jobs=1, select=["PL505"])
    assert report.sections["environment"] == {
        "files": [],
        "versions": {"python": None, "torch": None, "cuda": None},
        "packages": [],
        "cuda_use": None,
    }


def test_the_section_of_every_kind_of_file_matches_the_published_schema(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        {
            "train.py": "import torch\nimport numpy\ntry:\n    import apex\nexcept ImportError:\n    pass\nx = torch.zeros(1).cuda()\n",
            "environment.yml": "dependencies:\n  - python>=3.9\n  - pytorch\n  - pip:\n    - numpy==1.26.4\n",
            "requirements.txt": "torch>=2.0\n",
            "pyproject.toml": '[project]\nname = "m"\nrequires-python = ">=3.9"\ndependencies = ["torch"]\n',
            "setup.cfg": "[options]\ninstall_requires =\n    torch\n",
            "Pipfile": '[packages]\ntorch = "*"\n',
            "Dockerfile": "FROM nvidia/cuda:12.1.0-runtime-ubuntu22.04\nRUN pip install torch\n",
            "poetry.lock": '[[package]]\nname = "torch"\nversion = "2.1.0"\n',
            ".python-version": "3.10\n",
        },
    )
    document = json.loads(report_to_json(check(Config(root=root), [root], jobs=1)))
    assert output_errors(document) == []
    section = document["environment"]
    assert [f["kind"] for f in section["files"]] == [
        "python-version",
        "dockerfile",
        "pipfile",
        "conda",
        "lock",
        "pyproject",
        "requirements",
        "setup.cfg",
    ]
    assert {p["module"]: p["status"] for p in section["packages"]} == {
        "apex": "optional",
        "numpy": "pinned",
        "torch": "pinned",
    }
    assert {name: (v["version"], v["fixed"]) for name, v in section["versions"].items()} == {
        "python": ("3.10", True),
        "torch": ("2.1.0", True),
        "cuda": ("12.1.0", True),
    }
    assert [d["code"] for d in document["diagnostics"]] == []
