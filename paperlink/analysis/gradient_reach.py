"""Whether the value one statement binds still reaches the loss, in the order the function runs.

The name-level flow of :mod:`~paperlink.analysis.gradient_contexts` knows which *names* flow into
the loss, not which *bindings*: a training loop that reuses a name (``fake = netG(noise)`` for
the critic's step, ``fake = netG(fixed_noise)`` for the image sheet every 500 iterations) makes
both bindings reach the loss. :func:`reaches_in_order` follows the value of one statement forward
through the function's statements, in execution order (both arms of a branch; loops until nothing
changes, so a value carried to the next iteration is followed), dropping a name where it is
bound again to something else. It only ever narrows the name-level answer: a stop whose
statement it never meets keeps that answer.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from paperlink.source.code import FUNCTIONS

__all__ = ["reaches_in_order"]

Edge = Callable[[ast.AST], "tuple[set[str], set[str]] | None"]
_NESTED = (*FUNCTIONS, ast.ClassDef)


class _Follower:
    """One forward pass: the names holding the value, statement by statement."""

    def __init__(
        self,
        start: ast.stmt,
        names: set[str],
        sinks: Callable[[ast.stmt], set[str]],
        edge: Edge,
        carries: Callable[[ast.AST], bool],
    ) -> None:
        self.start = start
        self.names = frozenset(names)
        self.sinks = sinks  # the names a statement hands to the loss (``loss.backward()`` reads ``loss``)
        self.edge = edge  # (written, read) of an assignment-like node
        self.carries = carries  # whether an assignment-like node carries data (not an in-place weight copy)
        self.met = False
        self.reached = False

    def block(self, statements: list[ast.stmt], held: frozenset[str]) -> frozenset[str]:
        for statement in statements:
            held = self.statement(statement, held)
        return held

    def statement(self, statement: ast.stmt, held: frozenset[str]) -> frozenset[str]:
        if isinstance(statement, _NESTED):
            return held
        if isinstance(statement, ast.If):
            held = self.block(statement.body, held) | self.block(statement.orelse, held)
        elif isinstance(statement, (ast.For, ast.AsyncFor, ast.While)):
            held = self.loop(statement, held)
        elif isinstance(statement, (ast.With, ast.AsyncWith)):
            for item in statement.items:
                held = self.simple(item, held)
            held = self.block(statement.body, held)
        elif isinstance(statement, ast.Try) or type(statement).__name__ == "TryStar":
            body = self.block(statement.body, held)  # type: ignore[attr-defined]
            handled = frozenset().union(
                *(self.block(h.body, held | body) for h in statement.handlers)  # type: ignore[attr-defined]
            )
            held = self.block(statement.finalbody, self.block(statement.orelse, body) | handled)  # type: ignore[attr-defined]
        elif isinstance(statement, ast.Match):
            held = frozenset().union(held, *(self.block(case.body, held) for case in statement.cases))
        else:
            held = self.simple(statement, held)
        if statement is self.start:
            self.met = True
            held = held | self.names
        return held

    def loop(self, statement: ast.For | ast.AsyncFor | ast.While, held: frozenset[str]) -> frozenset[str]:
        entry = held
        for _ in range(4):  # the names only grow: a few passes reach the fixed point
            inner = self.simple(statement, entry) if isinstance(statement, (ast.For, ast.AsyncFor)) else entry
            out = self.block(statement.body, inner)
            if out <= entry:
                break
            entry = entry | out
        return self.block(statement.orelse, entry)

    def simple(self, node: ast.AST, held: frozenset[str]) -> frozenset[str]:
        """A statement without a body of its own (or a loop's target, a ``with`` item)."""
        if not held:
            return held
        if isinstance(node, ast.stmt) and self.sinks(node) & held:
            self.reached = True
        edge = self.edge(node)
        if edge is None:
            return held
        written, read = edge
        if read & held and self.carries(node):
            return held | written
        return held - _rebound(node)


def _rebound(node: ast.AST) -> set[str]:
    """The plain names ``node`` binds anew (``x = ...``, ``for x in ...``); ``xs[i] = v``, ``x += v`` and
    ``xs.append(v)`` change what a name holds without replacing it."""
    if isinstance(node, ast.Assign):
        targets: list[ast.expr] = node.targets
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        targets = [node.target]
    elif isinstance(node, (ast.For, ast.AsyncFor)):
        targets = [node.target]
    elif isinstance(node, ast.withitem) and node.optional_vars is not None:
        targets = [node.optional_vars]
    else:
        return set()
    found: set[str] = set()
    pending = list(targets)
    while pending:
        target = pending.pop()
        if isinstance(target, ast.Name):
            found.add(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            pending += target.elts
        elif isinstance(target, ast.Starred):
            pending.append(target.value)
    return found


def reaches_in_order(
    body: list[ast.stmt],
    start: ast.stmt,
    names: set[str],
    sinks: Callable[[ast.stmt], set[str]],
    edge: Edge,
    carries: Callable[[ast.AST], bool],
) -> bool:
    """Whether the value ``start`` binds to ``names`` reaches a statement handing it to the loss, following
    the function's ``body`` in execution order; True when ``start`` is not met (the name-level answer stands)."""
    follower = _Follower(start, names, sinks, edge, carries)
    follower.block(body, frozenset())
    return follower.reached or not follower.met
