"""`paperlink audit ENTRY` (paperlink.runtime.entry) and `paperlink check --audit`, through the real entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import needs

from paperlink.cli import main
from paperlink.runtime.result import audit_to_json
from tests.runtime.conftest import needs_grad_mode
from tests.runtime.test_diagnostics import AUDIT

REPO = Path(__file__).resolve().parents[2]
ENTRY = "tests/runtime/entries/dqn_step.py"


def run_main(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(list(args))
    captured = capsys.readouterr()
    return done.value.code, captured.out, captured.err


@pytest.fixture
def at_repo(monkeypatch):
    monkeypatch.chdir(REPO)


@pytest.mark.slow  # torch
@needs_grad_mode
def test_audit_of_a_returned_loss_prints_json(capsys, at_repo):
    needs.torch()
    code, out, err = run_main(capsys, "audit", f"{ENTRY}:loss", "--format", "json", "--seed", "3")
    assert (code, err) == (0, ""), out
    document = json.loads(out)
    assert (document["entry"], document["seed"], document["backward_calls"]) == (f"{ENTRY}:loss", 3, 1)
    assert [(e["location"]["path"], e["location"]["line"], e["kind"], e["cut"]) for e in document["events"]] == [
        ("sample_papers/dqn/src/agent.py", 48, "no-grad", False),
        ("sample_papers/dqn/src/agent.py", 52, "item", True),
    ]
    assert [g["name"] for g in document["groups"]] == ["QNetwork.net", "QNetwork[2].net"]
    assert isinstance(document["loss"], float)


@pytest.mark.slow  # torch
@needs_grad_mode
def test_audit_of_a_whole_step_writes_the_file_and_text_is_the_default(capsys, at_repo, tmp_path):
    needs.torch()
    target = tmp_path / "audit.json"
    code, out, err = run_main(capsys, "audit", f"{ENTRY}:step", "-o", str(target))
    assert (code, out) == (0, "")
    assert err == f"3 stops and exits from autograd, 0 diagnostics; wrote {target}\n"
    assert json.loads(target.read_text())["events"][2]["location"]["path"] == "sample_papers/dqn/src/networks.py"
    code, out, _ = run_main(capsys, "audit", f"{ENTRY}:step")
    assert code == 0 and out.startswith(f"audit of {ENTRY}:step (seed 0, 1 backward pass)\n")
    assert "  sample_papers/dqn/src/networks.py:46  no-grad  torch.no_grad  x1  cuts Tensor.copy_\n" in out


@pytest.mark.slow  # torch
def test_same_seed_same_json(capsys, at_repo):
    needs.torch()
    first = run_main(capsys, "audit", f"{ENTRY}:loss", "--format", "json")
    assert run_main(capsys, "audit", f"{ENTRY}:loss", "--format", "json") == first


ENTRIES = {
    "raises": ("def step():\n    raise ValueError('boom')\n", "the entry {spec} raised ValueError: boom (at {file}:2)"),
    "dict": (
        "def step():\n    return {'loss': 1.0}\n",
        "the entry {spec} returned dict, not a tensor; return the loss, or None after calling backward() yourself",
    ),
    "none": (
        "def step():\n    return None\n",
        "the entry {spec} returned None without calling backward(); return the loss tensor",
    ),
    "vector": (
        "import torch\ndef step():\n    return torch.ones(3, requires_grad=True) * 2\n",
        "the entry {spec} returned a tensor of shape (3,); return a scalar loss",
    ),
    "constant": (
        "import torch\ndef step():\n    return torch.tensor(1.0)\n",
        "the loss the entry {spec} returned does not require grad: no parameter can get a gradient",
    ),
    "cuda": (
        "import torch\ndef step():\n    model = torch.nn.Linear(2, 1).to('cuda')\n    return model(torch.ones(1, 2)).sum()\n",
        "the entry {spec} raised ",
    ),
}


@pytest.mark.slow  # torch
@pytest.mark.parametrize("case", sorted(ENTRIES))
def test_an_entry_that_cannot_be_audited_is_one_clear_line_and_exit_2(capsys, monkeypatch, tmp_path, case):
    needs.torch()
    source, expected = ENTRIES[case]
    monkeypatch.chdir(tmp_path)
    (tmp_path / f"entry_{case}.py").write_text(source, encoding="utf-8")
    spec = f"entry_{case}.py:step"
    code, out, err = run_main(capsys, "audit", spec)
    assert (code, out) == (2, "")
    assert err.startswith("paperlink: error: " + expected.format(spec=spec, file=f"entry_{case}.py"))
    assert err.count("\n") == 1
    if case == "cuda":
        assert err.endswith(f"(at entry_{case}.py:3); the audit runs on CPU: build the model and its inputs on 'cpu'\n")


@pytest.mark.slow  # torch
@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("no_colon", "ENTRY must be module:function or path/to/file.py:function, got 'no_colon'"),
        ("missing.py:step", "entry file not found: missing.py"),
        ("no_such_module_xyz:step", "cannot import module 'no_such_module_xyz': No module named 'no_such_module_xyz'"),
        (f"{ENTRY}:nothing", f"{ENTRY} has no function 'nothing'"),
        (f"{ENTRY}:torch", f"{ENTRY}:torch is a module, not a function"),
    ],
)
def test_an_entry_that_cannot_be_found_is_exit_2(capsys, at_repo, spec, message):
    needs.torch()
    assert run_main(capsys, "audit", spec) == (2, "", f"paperlink: error: {message}\n")


def test_check_with_an_audit_adds_its_diagnostics_at_the_checked_paths(capsys, at_repo, tmp_path):
    audit_file = tmp_path / "audit.json"
    audit_file.write_text(audit_to_json(AUDIT), encoding="utf-8")
    code, out, _ = run_main(
        capsys, "check", "sample_papers/simsiam", "--format", "json", "--audit", str(audit_file), "--no-cache"
    )
    assert code == 1
    runtime = [
        (d["code"], d["span"]["path"], d["span"]["line"])
        for d in json.loads(out)["diagnostics"]
        if d["code"].startswith("PL9")
    ]
    # a parameter without a place goes to the first file the audit ran (layers.py is not checked here);
    # the static map covers model.py:70 and train.py:43/44/48, so the stops at layers.py:9 and
    # train.py:50 were seen only at runtime (PL901); the static map's call of the no_grad helper
    # output_std at train.py:83 has no event in this made-up audit, though train.py ran (PL904)
    assert runtime == [
        ("PL902", "sample_papers/simsiam/src/layers.py", 1),
        ("PL901", "sample_papers/simsiam/src/layers.py", 9),
        ("PL902", "src/model.py", 60),
        ("PL903", "src/train.py", 33),
        ("PL901", "src/train.py", 50),
        ("PL904", "src/train.py", 83),
    ]


def test_check_with_a_bad_audit_file_is_exit_2(capsys, at_repo, tmp_path):
    (tmp_path / "audit.json").write_text("{}", encoding="utf-8")
    code, _, err = run_main(capsys, "check", "sample_papers/simsiam", "--audit", str(tmp_path / "audit.json"))
    assert (code, err) == (2, "paperlink: error: not a paperlink audit of version 1 (found version None)\n")
    code, _, err = run_main(capsys, "check", "sample_papers/simsiam", "--audit", str(tmp_path / "missing.json"))
    assert code == 2 and err.startswith("paperlink: error: cannot read the audit file ")


def without_torch(tmp_path: Path) -> dict[str, str]:
    """An environment in which `import torch` fails, as on a machine without the extra."""
    blocker = tmp_path / "blocker" / "torch"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError(\"No module named 'torch'\")\n", encoding="utf-8")
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path / "blocker"), str(REPO)])}


def test_without_torch_audit_gives_the_install_hint_and_check_still_runs(tmp_path):
    env = without_torch(tmp_path)
    audit = subprocess.run(
        [sys.executable, "-m", "paperlink", "audit", f"{ENTRY}:loss"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert audit.returncode == 2
    assert audit.stderr == (
        "paperlink: error: the gradient audit needs torch (No module named 'torch'); "
        "install it with: pip install 'paperlink[torch]'\n"
    )
    check = subprocess.run(
        [sys.executable, "-m", "paperlink", "check", "sample_papers/simsiam", "--no-cache", "-q"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 1 and "PL101" in check.stdout and check.stderr == ""
