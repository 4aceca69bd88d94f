"""Calls that configure evaluation only: their arguments change no result of training.

A data loader stored under an evaluation name (``val_loader = DataLoader(val_set,
batch_size=256)``, ``test_dataloader``) feeds validation or sampling; its batch size is a
setting of the evaluation, as a paper's hyperparameter table never lists it.
"""

from __future__ import annotations

import ast
import re

from paperlink.source.code import CodeModule

__all__ = ["evaluation_only"]

_EVALUATION = re.compile(r"^(?:val|valid|validation|test|eval|evaluation)(?:_|[A-Z]|$)", re.IGNORECASE)
_LOADERS = frozenset({"torch.utils.data.DataLoader", "torch.utils.data.dataloader.DataLoader"})


def evaluation_only(code: CodeModule, call: ast.Call, statement: ast.stmt) -> bool:
    """Whether ``call`` (in ``statement``) builds a data loader for evaluation."""
    if not isinstance(statement, ast.Assign) or statement.value is not call or len(statement.targets) != 1:
        return False
    target = statement.targets[0]
    name = target.id if isinstance(target, ast.Name) else target.attr if isinstance(target, ast.Attribute) else ""
    return bool(_EVALUATION.match(name)) and code.call_name(call) in _LOADERS
