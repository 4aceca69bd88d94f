"""Ranking code targets for paper items, with the evidence in words.

Each kind of evidence adds to a target's raw score: shared words (weighted by how rare
they are in the code), shared math symbols, the equation's operators among the target's
calls, a hyperparameter's value among its literals, the algorithm's line order against
the function's statement order, and the links already written nearby. The raw score maps
to 0..1; the evidence for a suggestion is the list of what contributed, in words.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from paperlink.paper.model import ItemKind, PaperItem, display_name
from paperlink.suggest.items import Query
from paperlink.suggest.targets import Target
from paperlink.suggest.words import words

__all__ = ["Candidate", "Ranking", "Link", "rank", "KINDS_FOR"]

# The targets each kind of item is implemented by.
KINDS_FOR = {
    ItemKind.SECTION: frozenset({"function", "class"}),
    ItemKind.ALGORITHM: frozenset({"function"}),
    ItemKind.TABLE: frozenset({"function", "class"}),
    ItemKind.FIGURE: frozenset({"function", "class"}),
    ItemKind.THEOREM: frozenset({"function", "class"}),
    ItemKind.OTHER: frozenset({"function", "class"}),
    ItemKind.EQUATION: frozenset({"function", "class", "statement"}),
    ItemKind.ALGORITHM_LINE: frozenset({"statement"}),
    ItemKind.HYPERPARAMETER: frozenset({"statement"}),
}
# A definition implements a hyperparameter statement only through a parameter's default.
_VALUE_KINDS = frozenset({"statement", "function"})
_FIELD_WEIGHT = (("name_words", 3.0), ("text_words", 1.5), ("body_words", 1.0), ("context_words", 0.8))
_OPERATOR_NAMES = {
    "sum": "a sum",
    "mean": "a mean",
    "log": "a log",
    "exp": "an exp",
    "softmax": "a softmax",
    "norm": "a norm",
    "sg": "sg(·)",
    "sqrt": "a square root",
    "square": "a square",
    "grad": "a gradient",
    "max": "a max",
    "min": "a min",
}
_SCALE = 6.0  # raw score at which the score is 0.5
_LEXICAL = 1.0  # shared words against the other evidence


@dataclass(frozen=True)
class Link:
    """An annotation already written: which item, at which file and line."""

    item: str  # the item's key
    path: str
    line: int


@dataclass(frozen=True)
class Candidate:
    """One target proposed for one item, its score (0..1) and why."""

    target: Target
    score: float
    evidence: tuple[str, ...]
    # evidence specific enough to write: the title in the name, the value under its name, the
    # algorithm's order, the equation's operators (words alone are not)
    specific: bool = False


@dataclass(frozen=True)
class Ranking:
    """The best targets for one paper item, best first."""

    item: PaperItem
    candidates: tuple[Candidate, ...]


class _Index:
    def __init__(self, targets: Sequence[Target]) -> None:
        self.targets = targets
        self.docs: list[dict[str, float]] = []
        postings: dict[str, list[int]] = defaultdict(list)
        by_kind: dict[str, dict[str, list[tuple[int, float]]]] = defaultdict(lambda: defaultdict(list))
        symbols: dict[str, list[int]] = defaultdict(list)
        values: dict[float, list[int]] = defaultdict(list)
        for index, target in enumerate(targets):
            doc: dict[str, float] = {}
            for field, weight in _FIELD_WEIGHT:
                for word in getattr(target, field):
                    if doc.get(word, 0.0) < weight:
                        doc[word] = weight
            self.docs.append(doc)
            for word, weight in doc.items():
                postings[word].append(index)
                by_kind[target.kind][word].append((index, weight))
            for symbol in target.symbols:
                symbols[symbol].append(index)
            for value in {round(literal.value, 12) for literal in target.literals}:
                values[value].append(index)
        count = max(len(targets), 1)
        self.postings = postings
        self.by_kind = by_kind
        self.idf = {word: math.log(1 + count / len(found)) for word, found in postings.items()}
        self.symbols = symbols
        self.symbol_idf = {symbol: math.log(1 + count / len(found)) for symbol, found in symbols.items()}
        self.values = values
        named: dict[str, list[int]] = defaultdict(list)  # a word of a literal's name -> statements
        for index, target in enumerate(targets):
            if target.kind == "statement":
                for word in {w for literal in target.literals for w in words(literal.name)}:
                    named[word].append(index)
        self.named = named
        self.length = [(1 + 0.25 * math.sqrt(len(doc))) / _LEXICAL for doc in self.docs]
        first: dict[str, int] = {}
        for i, target in enumerate(targets):  # a file's targets are consecutive; Target.statements counts within it
            first.setdefault(target.path, i)
        self.statements = [tuple(first[t.path] + j for j in t.statements) for t in targets]
        self.methods: dict[tuple[str, str], list[int]] = defaultdict(list)
        for i, target in enumerate(targets):
            if target.kind == "function" and target.scope:
                self.methods[(target.path, target.scope)].append(i)
        self.scopes: dict[tuple[str, str], int] = {
            (t.path, t.name): i for i, t in enumerate(targets) if t.kind in ("function", "class")
        }
        self.in_notebooks = _notebook_targets(targets)
        functions: dict[str, list[int]] = defaultdict(list)  # a function's own name -> its definitions
        for i, target in enumerate(targets):
            if target.kind == "function":
                functions[target.name.rsplit(".", 1)[-1]].append(i)
        self.functions = functions
        callers: dict[int, set[int]] = defaultdict(set)
        for i, target in enumerate(targets):
            if target.kind == "function":
                for j in self.statements[i]:
                    for callee in self.callees(j, i):
                        callers[callee].add(i)
        self.callers = callers

    def callees(self, statement: int, owner: int) -> list[int]:
        """The functions of its own file a statement of ``owner`` calls: a method of its class
        (``self._step``), else a module-level function of that name defined once there."""
        function = self.targets[owner]
        found = []
        for call in dict.fromkeys(self.targets[statement].calls):
            method = self.scopes.get((function.path, f"{function.scope}.{call}")) if function.scope else None
            named = self.functions.get(call, [])
            here = [i for i in named if self.targets[i].path == function.path and not self.targets[i].scope]
            callee = method if method is not None else (here[0] if len(here) == 1 else None)
            if callee is not None and callee != owner and self.targets[callee].kind == "function":
                found.append(callee)
        return found


def rank(
    queries: Sequence[Query], targets: Sequence[Target], links: Sequence[Link] = (), top: int = 3
) -> list[Ranking]:
    """The ``top`` targets for each query's item, best first (items with none left out)."""
    index = _Index(targets)
    # by query, not by key: a paper may state one hyperparameter (one key) several times, each its own item
    raw = {id(query): _score(query, index) for query in queries}
    _algorithm_structure(queries, index, raw)
    _hyperparameter_tables(queries, index, raw)
    _neighbours(queries, index, raw, links)
    for scores in raw.values():
        for i in index.in_notebooks & scores.keys():
            value, evidence = scores[i]
            scores[i] = (value * _NOTEBOOK, [*evidence, "in a notebook (the project's modules rank first)"])
    rankings = []
    for query in queries:
        scores = raw[id(query)]
        best = sorted(scores.items(), key=lambda pair: (-pair[1][0], index.targets[pair[0]].path, pair[0]))[:top]
        candidates = tuple(
            Candidate(
                index.targets[i],
                round(value / (value + _SCALE), 3),
                _evidence(index.targets[i], evidence),
                _specific(query, index.targets[i], evidence),
            )
            for i, (value, evidence) in best
            if value > 0
        )
        if candidates:
            rankings.append(Ranking(query.item, candidates))
    return rankings


# Where a project has Python modules, its notebooks try, show or copy what the modules implement:
# a notebook's target ranks behind a module's with the same evidence
_NOTEBOOK = 0.5


def _notebook_targets(targets: Sequence[Target]) -> frozenset[int]:
    """The targets in notebooks, when the project has modules too (none in a notebook-only project)."""
    found = frozenset(i for i, target in enumerate(targets) if target.cell is not None)
    return found if len(found) < len(targets) else frozenset()


# target index -> (raw score, evidence); the shared words stay a tuple until shown
_Scores = dict[int, tuple[float, list[Any]]]


def _evidence(target: Target, evidence: list[Any]) -> tuple[str, ...]:
    said = (_words_evidence(target, list(part)) if isinstance(part, tuple) else part for part in evidence)
    return tuple(part for part in said if part)


def _score(query: Query, index: _Index) -> _Scores:
    allowed = KINDS_FOR.get(query.item.kind, frozenset({"function", "class"}))
    lexical: dict[int, float] = defaultdict(float)
    shared: dict[int, list[str]] = defaultdict(list)
    for word, weight in query.weights.items():
        idf = index.idf.get(word)
        if idf is None:
            continue
        for kind in allowed:
            for i, found in index.by_kind[kind].get(word, ()):
                lexical[i] += weight * idf * found
                shared[i].append(word)
    scores: _Scores = {}
    for i, value in lexical.items():
        scores[i] = (value / index.length[i], [tuple(shared[i])])  # put in words only if shown (rank)
    if query.symbols and query.item.kind in (ItemKind.ALGORITHM_LINE, ItemKind.EQUATION, ItemKind.HYPERPARAMETER):
        _add_symbols(query, index, scores)
    if query.operators:
        _add_operators(query, index, scores)
    if query.control:
        _add_control(query, index, scores, allowed)
    if query.item.hyperparameter is not None:
        _add_named(query, index, scores)
    if query.values:
        _add_values(
            query, index, scores, allowed | _VALUE_KINDS if query.item.kind is ItemKind.HYPERPARAMETER else allowed
        )
    return scores


# Which evidence makes a suggestion specific enough to write, by kind of item: words alone
# often tie a section, figure or table of results to some function; equations and algorithm
# lines need none beyond their score
_SPECIFIC = {
    ItemKind.HYPERPARAMETER: ("value", "name"),
    ItemKind.ALGORITHM: ("order", "name"),
    ItemKind.SECTION: ("name",),
    ItemKind.TABLE: ("holds",),
    ItemKind.FIGURE: ("name",),
    ItemKind.THEOREM: ("name",),
    ItemKind.OTHER: ("name",),
}


def _specific(query: Query, target: Target, evidence: list[Any]) -> bool:
    found = set()
    title = {word for word, weight in query.weights.items() if weight >= 3.0}
    for part in evidence:
        if isinstance(part, tuple):
            named = title & set(part) & set(target.name_words)
            if named and (query.item.kind is not ItemKind.SECTION or _spelled(query.item, target)):
                found.add("name")
        elif "is the paper's value" in part and not part.endswith("(name unrelated)"):
            found.add("value")
        elif part.startswith("sets `"):
            found.add("name")
        elif part.startswith("holds the statements of"):
            found.add("holds")
        elif "in order" in part:
            found.add("order")
        elif part.startswith("calls `") and "`**`" not in part:
            found.add("operators")
    if any(isinstance(part, str) and part.endswith(_ORDER_ALONE) for part in evidence):
        return False
    wanted = _SPECIFIC.get(query.item.kind)
    return wanted is None or bool(found & set(wanted))


def _spelled(item: PaperItem, target: Target) -> bool:
    """A section is a whole part of the paper: a definition implements it when its name spells the
    section's title ("Replay buffer" and ``ReplayBuffer``), not when they share a word. A title of one
    word names a definition only as the last word of a short name ("Network" and ``QNetwork``, not
    ``ODESolveResult`` for "Results"); an unnumbered heading (a ``\\paragraph``, a ``\\section*``)
    is seldom what code cites"""
    title = list(dict.fromkeys(words(item.title or "")))
    numbered = item.kind is not ItemKind.SECTION or item.number is not None
    name = target.name_words
    if not title or not numbered:
        return False
    if len(title) == 1:
        return bool(name) and len(name) <= 2 and name[-1] == title[0]
    return set(title) <= set(name)


def _words_evidence(target: Target, shared: list[str]) -> str:
    named = [w for w in shared if w in target.name_words]
    if named:
        return f"name `{target.name.rsplit('.', 1)[-1]}` ~ '{' '.join(named)}'"
    said = [w for w in shared if w in target.text_words]
    rest = [w for w in shared if w not in target.text_words]
    parts = []
    if said:
        parts.append(f"comments say '{' '.join(said[:5])}'")
    if rest:
        parts.append(f"uses '{' '.join(rest[:5])}'")
    return "; ".join(parts)


def _add_symbols(query: Query, index: _Index, scores: _Scores) -> None:
    found: dict[int, list[str]] = defaultdict(list)
    for symbol in query.symbols:
        for i in index.symbols.get(symbol, ()):
            found[i].append(symbol)
    for i, symbols in found.items():
        target = index.targets[i]
        if target.kind != "statement":
            continue
        weight = sum(index.symbol_idf[s] for s in symbols) / math.sqrt(len(query.symbols | target.symbols))
        value, evidence = scores.get(i, (0.0, []))
        scores[i] = (value + 1.5 * weight, [*evidence, f"symbols {', '.join(sorted(symbols))} as in the formula"])


def _add_operators(query: Query, index: _Index, scores: _Scores) -> None:
    for i, (value, evidence) in list(scores.items()):
        target = index.targets[i]
        common = sorted(query.operators & target.operators)
        if not common:
            continue
        calls = [c for c in target.calls if _operator(c) in common]
        spelled = ", ".join(f"`{c}()`" for c in dict.fromkeys(calls)) or "`**`"
        where = " and ".join(_OPERATOR_NAMES[o] for o in common)
        scores[i] = (
            value + 1.2 * len(common),
            [*evidence, f"calls {spelled} where {display_name(query.item)} has {where}"],
        )


_CONTROL_WORDS = {"loop": "a loop", "if": "an if", "return": "a return"}


def _add_control(query: Query, index: _Index, scores: _Scores, allowed: frozenset[str]) -> None:
    """An algorithm's \\For line is a loop in code, its \\If an ``if``: structure, not words."""
    for i, (value, evidence) in list(scores.items()):
        if index.targets[i].control == query.control:
            said = f"{_CONTROL_WORDS[query.control]} where the algorithm's line is one"
            scores[i] = (value + 2.0, [*evidence, said])


def _operator(call: str) -> str:
    from paperlink.suggest.targets import CALL_OPERATORS

    return CALL_OPERATORS.get(call, "")


def _add_values(query: Query, index: _Index, scores: _Scores, allowed: frozenset[str]) -> None:
    for wanted in query.values:
        for i in index.values.get(round(wanted, 12), ()):
            target = index.targets[i]
            if target.kind not in allowed:
                continue
            literal = next(lit for lit in target.literals if round(lit.value, 12) == round(wanted, 12))
            # under the statement's own name (its words, its symbol), not a word of the prose around it:
            # "batch size" said beside the predictor's width does not name `batch_size=512`
            named = bool(set(words(literal.name)) & {w for w, weight in query.weights.items() if weight >= 2.0})
            value, evidence = scores.get(i, (0.0, []))
            bonus = 9.0 if named else 1.5
            shown = (
                f"`{literal.name}={_number(literal.value)}`" if literal.name else f"literal {_number(literal.value)}"
            )
            said = (
                f"{shown} is the paper's value {query.item.hyperparameter.raw if query.item.hyperparameter else wanted}"
            )
            scores[i] = (value + bonus, [*evidence, said if named else f"{said} (name unrelated)"])


def _add_named(query: Query, index: _Index, scores: _Scores) -> None:
    """A statement that sets a name spelling the hyperparameter's (``warmup_steps = 8000`` for the
    paper's warmup steps) is where its value lives, whatever the value: a differing one is what
    ``check`` then reports"""
    hyper = query.item.hyperparameter
    assert hyper is not None
    for spelled in {hyper.name, hyper.canonical or ""} - {""}:
        wanted = frozenset(words(spelled))
        if not wanted:
            continue
        for i in sorted({i for word in wanted for i in index.named.get(word, ())}):
            target = index.targets[i]
            literal = next((lit for lit in target.literals if _spells(lit.name, wanted)), None)
            if target.kind != "statement" or literal is None:
                continue
            value, evidence = scores.get(i, (0.0, []))
            if any(isinstance(part, str) and part.startswith("sets `") for part in evidence):
                continue
            said = f"sets `{literal.name}`, the paper's {hyper.name}"
            scores[i] = (value + 4.0, [*evidence, said])


# Head nouns a name may leave out or add: ``LR`` is the learning rate, ``BATCH`` the batch size,
# ``num_layers`` the layers; alone they name nothing
_GENERIC = frozenset({"rate", "size", "number", "factor", "coefficient", "ratio"})


def _spells(name: str, wanted: frozenset[str]) -> bool:
    """``name``'s words are the hyperparameter's (``target_update`` for 'target update period'), two at
    least unless they are all of them (generic head nouns aside): one shared word ('size', 'rate',
    'steps') names too many things"""
    found = set(words(name)) - _GENERIC
    wanted = wanted - _GENERIC
    return bool(found) and found <= wanted and (len(found) >= 2 or found == wanted)


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:g}"


def _algorithm_structure(queries: Sequence[Query], index: _Index, raw: dict[int, _Scores]) -> None:
    """An algorithm and its lines: the function whose statements match the lines in the same order
    (the statements of the project's functions it calls counted where it calls them: a training
    loop calls the step its algorithm writes out)."""
    lines: dict[str, list[Query]] = defaultdict(list)
    for query in queries:
        if query.algorithm:
            lines[query.algorithm].append(query)
    for algorithm, members in lines.items():
        home = next((id(query) for query in queries if query.item.key == algorithm), None)
        own = raw.get(home, {}) if home is not None else {}
        owners = _owners(members, own, index, raw)
        aligned = {owner: _align(members, index, raw, owner) for owner in owners}
        aligned = {owner: found for owner, found in aligned.items() if len(found[1]) >= min(2, len(members))}
        if not aligned:
            continue
        loops = any(query.control == "loop" for query in members)
        strength = {
            i: _strength(found, len(members), own.get(i, (0.0, []))[0], loops and index.targets[i].loops > 0)
            for i, found in aligned.items()
        }
        chosen = max(aligned, key=lambda i: (strength[i], -i))
        total = aligned[chosen][0]
        pairs = _align(members, index, raw, chosen, placing=True)[1]
        function = index.targets[chosen]
        for query, i in pairs:
            value, evidence = raw[id(query)][i]
            where = index.targets[i].scope
            said = f"in `{function.name}`, whose statements match the algorithm's lines in order" + (
                f" (through its call of `{where.rsplit('.', 1)[-1]}`)" if where != function.name else ""
            )
            if value < _WEAK_LINE:  # the order places it; little of the line is in it
                said += f"; {_ORDER_ALONE}"
            raw[id(query)][i] = (value + 6.5, [*evidence, said])
        if home is not None:
            value, evidence = raw[home].get(chosen, (0.0, []))
            said = f"its statements match {len(pairs)} of the algorithm's {len(members)} lines in order"
            if loops and function.loops:
                said += ", in its loop"
            most = _MOST if 2 * len(pairs) >= len(members) else 0.0  # most of its lines, in order
            raw[home][chosen] = (value + most + 2.5 * total / len(members), [*evidence, said])


def _owners(members: Sequence[Query], own: _Scores, index: _Index, raw: dict[int, _Scores]) -> set[int]:
    """The functions worth aligning an algorithm's lines against: those holding statements that match
    a line, the algorithm's own best (and their methods), and the functions calling any of them."""
    owners = {
        owner
        for query in members
        for i in raw[id(query)]
        if (owner := index.scopes.get((index.targets[i].path, index.targets[i].scope))) is not None
    }
    for i, _ in sorted(own.items(), key=lambda pair: -pair[1][0])[:5]:
        owners.add(i)
        owners.update(index.methods.get((index.targets[i].path, index.targets[i].name), ()))
    owners |= {caller for owner in list(owners) for caller in index.callers.get(owner, ())}
    owners = {i for i in owners if index.targets[i].kind == "function"}
    if len(owners) <= 12:
        return owners
    # align only against the functions whose statements match the lines best
    matched: dict[int, float] = defaultdict(float)
    for query in members:
        for i, (value, _) in raw[id(query)].items():
            owner = index.scopes.get((index.targets[i].path, index.targets[i].scope))
            if owner is not None:
                matched[owner] += value
                for caller in index.callers.get(owner, ()):
                    matched[caller] += value
    return set(sorted(owners, key=lambda i: (-matched[i] - 1e6 * (i in own), i))[:12])


def _strength(aligned: tuple[float, list[tuple[Query, int]]], lines: int, own: float, looped: bool) -> float:
    """How well a function implements an algorithm: its statements' match to the lines in order, by the
    share of lines it holds; the algorithm's own match (its caption against the function's names)
    beside it; and, where the algorithm loops, whether the function does."""
    total, pairs = aligned
    return total * len(pairs) / lines + 0.5 * own + (_LOOP if looped else 0.0)


# What an algorithm's structure is worth against other evidence: most of its lines matched in order
# by one function's statements outweighs a caption word in another function's name
_MOST = 5.0
_LOOP = 2.0
# A called function's statements count less than the caller's own: the function that writes the lines
# out itself is the algorithm, its callers only when they add lines (the loop around the step)
_CALLED = 0.8
_CALL = 0.5
# Below this score of its own, a statement matched to an algorithm line is there by the order of the
# lines alone: ranked, not written
_WEAK_LINE = 4.0
_ORDER_ALONE = "placed by the order alone"


def _align(
    members: Sequence[Query], index: _Index, raw: dict[int, _Scores], owner: int, placing: bool = False
) -> tuple[float, list[tuple[Query, int]]]:
    """The best order-keeping assignment of algorithm lines to the function's own statements, each
    followed by those of the project's function it calls (dynamic programming over lines x statements;
    a line may stay unassigned). Choosing the function, a called function's statements count less
    than its own; ``placing`` the lines in the function chosen, a call counts less than the statements
    of the function it calls (which write the line out, where an author annotates it)."""
    function = index.targets[owner]
    statements: list[int] = []
    weights: list[float] = []
    for i in index.statements[owner]:
        if index.targets[i].scope != function.name:
            continue
        callees = index.callees(i, owner)
        statements.append(i)
        weights.append(_CALL if placing and callees else 1.0)
        for callee in callees:
            called = [j for j in index.statements[callee] if index.targets[j].scope == index.targets[callee].name]
            statements.extend(called)
            weights.extend([1.0 if placing else _CALLED] * len(called))
    rows, columns = len(members), len(statements)
    gains = [[raw[id(q)].get(i, (0.0, []))[0] * w for i, w in zip(statements, weights)] for q in members]
    table = [[0.0] * (columns + 1) for _ in range(rows + 1)]
    for r in range(1, rows + 1):
        for c in range(1, columns + 1):
            table[r][c] = max(table[r][c - 1], table[r - 1][c], table[r - 1][c - 1] + gains[r - 1][c - 1])
    pairs: list[tuple[Query, int]] = []
    r, c = rows, columns
    while r > 0 and c > 0:
        if table[r][c] == table[r][c - 1]:
            c -= 1
        elif table[r][c] == table[r - 1][c]:
            r -= 1
        else:
            if gains[r - 1][c - 1] > 0:
                pairs.append((members[r - 1], statements[c - 1]))
            r, c = r - 1, c - 1
    pairs.reverse()
    # a long function offers every line a weak match somewhere: only a compact one counts in full
    return table[rows][columns] * min(1.0, 2.0 * rows / max(columns, 1)) ** 0.5, pairs


def _hyperparameter_tables(queries: Sequence[Query], index: _Index, raw: dict[int, _Scores]) -> None:
    """A table of hyperparameters and the definition (a config class, a setup function) that holds
    the statements setting most of them, each found under its own name."""
    for table in queries:
        if table.item.kind is not ItemKind.TABLE:
            continue
        members = [q for q in queries if q.item.parent == table.item.key and q.item.hyperparameter is not None]
        held: dict[int, int] = defaultdict(int)
        for query in members:
            named = [
                (value, i)
                for i, (value, evidence) in raw[id(query)].items()
                if index.targets[i].kind == "statement" and any(_under_its_name(part) for part in evidence)
            ]
            if named:
                statement = index.targets[max(named)[1]]
                owner = index.scopes.get((statement.path, statement.scope))
                if owner is not None:
                    held[owner] += 1
        scores = raw[id(table)]
        for owner, count in held.items():
            if count >= 2 and 2 * count >= len(members):
                value, evidence = scores.get(owner, (0.0, []))
                said = f"holds the statements of {count} of the table's {len(members)} hyperparameters"
                scores[owner] = (value + _MOST + 2.0 * count, [*evidence, said])


def _under_its_name(part: Any) -> bool:
    """Evidence that a statement sets the hyperparameter under its own name."""
    if not isinstance(part, str):
        return False
    return part.startswith("sets `") or ("is the paper's value" in part and not part.endswith("(name unrelated)"))


def _neighbours(queries: Sequence[Query], index: _Index, raw: dict[int, _Scores], links: Sequence[Link]) -> None:
    """Files that already implement items of the same section are likelier homes for its other items."""
    if not links:
        return
    section_of = {query.item.key: query.section for query in queries}
    files: dict[str, dict[str, str]] = defaultdict(dict)  # section -> path -> a linked item
    for link in links:
        section = section_of.get(link.item, "")
        if section:
            files[section].setdefault(link.path, link.item)
    for query in queries:
        homes = files.get(query.section, {})
        scores = raw[id(query)]
        for i, (value, evidence) in list(scores.items()):
            linked = homes.get(index.targets[i].path)
            if linked and linked != query.item.key:
                scores[i] = (value + 1.5, [*evidence, f"its file already implements {linked} of the same section"])
