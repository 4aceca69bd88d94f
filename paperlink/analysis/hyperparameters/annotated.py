"""Sites an author names: a value annotated with ``# paper: hp:...`` on its own line.

``beta=0.5,  # paper: hp:beta`` on a parameter, a keyword argument or a dict entry (or the
comment alone on the line above it, inside the brackets) says that this value is the paper's
hyperparameter, whatever the vocabulary knows of its name; so does ``N = 64  # paper: hp:N``.
Where the scan found no site on that line, the value becomes one here, named through the
vocabulary (``lr`` -> ``learning_rate``) or as written. The table binds the annotation to the
sites of that line only (``pairing.place_sites``), not to the whole function or call.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from paperlink.analysis.hyperparameters.config_files import config_site
from paperlink.analysis.hyperparameters.facts import Site, SiteKind, Source
from paperlink.analysis.hyperparameters.vocabulary import config_name, same_hyperparameter
from paperlink.numbers import python_number
from paperlink.references import ReferenceKind
from paperlink.source.code import CodeModule

if TYPE_CHECKING:
    from paperlink.configfiles.model import ConfigSource
    from paperlink.results import Link

__all__ = ["annotated_sites", "annotated_config_sites"]

API = "annotation"  # the api of a site only an annotation makes


def annotated_sites(code: CodeModule, found: Iterable[Site]) -> list[Site]:
    """A site for each value an ``hp:`` annotation is written beside, where ``found`` has none."""
    wanted: dict[int, tuple[int, tuple[str, ...]]] = {}  # value line -> (statement line, keys named)
    for annotation in code.annotations:
        keys = tuple(
            (reference.label or "").removeprefix("hp:")
            for reference in annotation.references
            if reference.kind is ReferenceKind.HYPERPARAMETER
        )
        if annotation.form != "comment" or not keys:
            continue
        line = annotation.span.line
        before = code.lines[line - 1][: max(annotation.span.column - 1, 0)] if line <= len(code.lines) else ""
        wanted[line if before.strip() else line + 1] = (annotation.target.line, keys)
    if not wanted:
        return []
    taken = {site.span.line for site in found if site.source is not Source.DEFAULT}
    candidates: dict[int, list[tuple[str, ast.expr, bool]]] = {}
    for name, value, parameter in _settings(code.tree):
        if value.lineno in wanted and value.lineno not in taken:
            candidates.setdefault(value.lineno, []).append((name, value, parameter))
    sites: list[Site] = []
    for line, entries in sorted(candidates.items()):
        statement, keys = wanted[line]
        if len(entries) > 1:  # several values on the line: the ones the annotation names
            entries = [e for e in entries if any(same_hyperparameter(_name(e[0]), key) for key in keys)]
        sites.extend(_site(code, name, value, parameter, statement) for name, value, parameter in entries)
    return sites


def _name(identifier: str) -> str:
    return config_name(identifier) or identifier.lower()


def _site(code: CodeModule, name: str, value: ast.expr, parameter: bool, statement: int) -> Site:
    text = ast.get_source_segment(code.text, value) or ""
    return Site(
        _name(name),
        text,
        python_number(value),
        code.span(value),
        Source.CONFIG if parameter else Source.LITERAL,
        parameter,
        SiteKind.CONFIG,
        api=API,
        label=name,
        anchors=(statement,),
    )


def _settings(tree: ast.AST) -> Iterator[tuple[str, ast.expr, bool]]:
    """(name, value, is a parameter's default) of every named value a setting can be: keyword
    arguments, parameter defaults, string-keyed dict entries, single-name assignments."""
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg is not None:
            yield node.arg, node.value, False
        elif isinstance(node, ast.arguments):
            positional = [*node.posonlyargs, *node.args]
            for argument, default in zip(positional[len(positional) - len(node.defaults) :], node.defaults):
                yield argument.arg, default, True
            for argument, default in zip(node.kwonlyargs, node.kw_defaults):
                if default is not None:
                    yield argument.arg, default, True
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    yield key.value, value, False
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if len(targets) == 1 and isinstance(targets[0], (ast.Name, ast.Attribute)) and _plain(node.value):
                yield (targets[0].id if isinstance(targets[0], ast.Name) else targets[0].attr), node.value, False


def _plain(value: ast.expr) -> bool:
    """A value a setting holds (a number, a constant, a name), not a computation's result."""
    return python_number(value) is not None or isinstance(value, (ast.Constant, ast.Name, ast.Attribute))


def annotated_config_sites(sources: Sequence[ConfigSource], links: Sequence[Link], found: Iterable[Site]) -> list[Site]:
    """A site for each config value an ``hp:`` annotation links (``n_sample: 100  # paper: hp:N``)
    whose key the vocabulary does not know, so that the table lists what PL404 counts."""
    targets = {(link.target.path, link.target.line) for link in links if link.item_key.startswith("hp:")}
    taken = {(site.span.path, site.span.line) for site in found}
    sites: dict[tuple[str, int], Site] = {}
    for source in sources:
        for value in source.values:
            where = (value.span.path, value.span.line)
            if where in targets and where not in taken and not value.interpolation:
                sites.setdefault(where, config_site(_name(value.key.rsplit(".", 1)[-1]), value, source))
    return list(sites.values())
