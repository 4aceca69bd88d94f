"""A paper described in YAML, for papers without LaTeX source.

The schema (documented in docs/manifest.md)::

    title: SimSiam                       # optional
    authors: [A. Author, B. Author]      # optional
    arxiv: "2011.10566"                  # optional
    items:
      - kind: equation                   # section, equation, algorithm, algorithm_line,
        number: "3"                      #   table, figure, theorem, hyperparameter, other
        label: eq:loss                   # or labels: [eq:loss, eq:symmetric]
        title: Symmetric loss            # optional
        latex: L = D(p_1, z_2)/2 + ...   # optional
        parent: sec:method               # optional: key of the enclosing item
      - kind: hyperparameter
        name: learning rate
        key: learning_rate               # becomes hp:learning_rate
        value: 0.05                      # or values: [0.0, 0.5] (a sweep or ablation set)
        symbol: N                        # optional: the math symbol the paper assigns
        scope: atari                     # optional: the experiment it holds for ("" = all)
        provenance: own                  # optional: own (default), baseline or cited

Every problem raises :class:`~paperlink.errors.ManifestError` naming the file and line.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import yaml

from paperlink import boundary
from paperlink.nesting import yaml_too_deep
from paperlink.errors import ManifestError, PaperNotFoundError, yaml_problem
from paperlink.numbers import parse_latex_number
from paperlink.paper.hyperparams import VOCABULARY_KEYS, canonical_key
from paperlink.paper.model import Hyperparameter, ItemKind, Paper, PaperItem, Provenance
from paperlink.paper.prose import ProseFinder
from paperlink.spans import Span, relative_path

__all__ = ["read_manifest"]

_TOP_KEYS = {"title", "authors", "arxiv", "items"}
_ITEM_KEYS = {
    "kind",
    "number",
    "label",
    "labels",
    "title",
    "latex",
    "parent",
    "name",
    "key",
    "value",
    "level",
    "appendix",
    "symbol",
    "scope",
    "provenance",
    "values",
}
_PROVENANCES = {provenance.value: provenance for provenance in Provenance}
_KINDS = {kind.value: kind for kind in ItemKind}


def read_manifest(path: Path, *, name: str, root: Path) -> Paper:
    """Read the manifest at ``path``; spans are relative to ``root``."""
    try:
        text = boundary.read_text(path, path.parent, where="the paper's folder")
    except FileNotFoundError:
        raise PaperNotFoundError(f"paper manifest not found: {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ManifestError(f"{path.name}: cannot read manifest: {error}") from None
    relative = relative_path(path, root)
    deep = yaml_too_deep(text)
    if deep is not None:
        raise ManifestError(f"{relative}:{deep.line}: invalid YAML: {deep.message}")
    try:
        document = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise ManifestError(f"{relative}:{line}: invalid YAML: {yaml_problem(error)}") from None
    if document is None:
        raise ManifestError(f"{relative}:1: the manifest is empty; it needs at least 'items'")
    reader = _Reader(relative)
    paper = reader.paper(document, name)
    prose = ProseFinder(text)  # read as the LaTeX reader does, for the same conclusions
    return replace(paper, items=tuple(replace(item, prose=prose.around(item.span)) for item in paper.items))


class _Reader:
    def __init__(self, relative: str) -> None:
        self.relative = relative

    def fail(self, node: yaml.Node, message: str) -> ManifestError:
        return ManifestError(f"{self.relative}:{node.start_mark.line + 1}: {message}")

    def mapping(self, node: yaml.Node, where: str, allowed: set[str]) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{where}: expected a mapping")
        out: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, f"{where}: keys must be strings")
            key = key_node.value
            if key not in allowed:
                raise self.fail(key_node, f"{where}: unknown key '{key}' (allowed: {', '.join(sorted(allowed))})")
            if key in out:  # PyYAML would silently keep the last one
                raise self.fail(key_node, f"{where}: key '{key}' given twice")
            out[key] = value_node
        return out

    def string(self, node: yaml.Node, where: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or node.tag.endswith(":null"):
            raise self.fail(node, f"{where}: expected a string")
        return str(node.value)

    def strings(self, node: yaml.Node, where: str) -> tuple[str, ...]:
        if isinstance(node, yaml.ScalarNode):
            return (self.string(node, where),)
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, f"{where}: expected a list of strings")
        return tuple(self.string(child, where) for child in node.value)

    def paper(self, document: yaml.Node, name: str) -> Paper:
        top = self.mapping(document, "manifest", _TOP_KEYS)
        if "items" not in top:
            raise self.fail(document, "manifest: missing required key 'items'")
        items_node = top["items"]
        if not isinstance(items_node, yaml.SequenceNode):
            raise self.fail(items_node, "items: expected a list")
        items = tuple(self.item(node, f"items[{index}]") for index, node in enumerate(items_node.value))
        seen: dict[str, PaperItem] = {}
        scopes: dict[str, set[str]] = {}
        for item in items:
            # one hyperparameter may be stated once per scope under one key (as the LaTeX reader keys them)
            scope = item.hyperparameter.scope if item.hyperparameter else None
            first = seen.get(item.key)
            if first is not None and (scope is None or first.hyperparameter is None or scope in scopes[item.key]):
                raise ManifestError(
                    f"{self.relative}:{item.span.line}: duplicate key '{item.key}' (first at line {seen[item.key].span.line})"
                )
            seen.setdefault(item.key, item)
            if scope is not None:
                scopes.setdefault(item.key, set()).add(scope)
        return Paper(
            name=name,
            source=self.relative,
            title=self.string(top["title"], "title") if "title" in top else "",
            authors=self.strings(top["authors"], "authors") if "authors" in top else (),
            arxiv=self.string(top["arxiv"], "arxiv") if "arxiv" in top else "",
            document_class="manifest",
            items=items,
            files=(self.relative,),
        )

    def item(self, node: yaml.Node, where: str) -> PaperItem:
        fields = self.mapping(node, where, _ITEM_KEYS)
        if "kind" not in fields:
            raise self.fail(node, f"{where}: missing required key 'kind'")
        kind_name = self.string(fields["kind"], f"{where}.kind")
        if kind_name not in _KINDS:
            raise self.fail(fields["kind"], f"{where}.kind: '{kind_name}' is not one of {', '.join(sorted(_KINDS))}")
        kind = _KINDS[kind_name]
        labels = self.strings(fields["labels"], f"{where}.labels") if "labels" in fields else ()
        if "label" in fields:
            labels = (self.string(fields["label"], f"{where}.label"), *labels)
        number = self.string(fields["number"], f"{where}.number") if "number" in fields else None
        span = Span(self.relative, node.start_mark.line + 1, node.start_mark.column + 1)
        text: dict[str, str] = {
            key: self.string(fields[key], f"{where}.{key}")
            for key in ("title", "latex", "parent", "name", "key")
            if key in fields
        }
        hyperparameter = None
        if kind is ItemKind.HYPERPARAMETER:
            hyperparameter, key = self.hyperparameter(node, fields, text, labels, where)
        elif labels:
            key = labels[0]
        elif number is not None:
            key = f"{kind.value}:{number}"
        else:
            raise self.fail(node, f"{where}: an item needs a 'label' or a 'number'")
        level, appendix = self.section_place(fields, number, where) if kind is ItemKind.SECTION else (0, False)
        return PaperItem(
            kind=kind,
            key=key,
            number=number,
            span=span,
            labels=labels,
            title=text.get("title") or text.get("name", ""),
            latex=text.get("latex", ""),
            parent=text.get("parent"),
            environment="manifest",
            hyperparameter=hyperparameter,
            level=level,
            appendix=appendix,
        )

    def section_place(self, fields: dict[str, yaml.Node], number: str | None, where: str) -> tuple[int, bool]:
        """A section's depth (1 for "2", 2 for "2.1" unless ``level`` says) and appendix flag."""
        level = number.count(".") + 1 if number else 1
        if "level" in fields:
            text = self.string(fields["level"], f"{where}.level")
            if not text.lstrip("-").isdigit():
                raise self.fail(fields["level"], f"{where}.level: expected an integer (chapter 0, section 1, ...)")
            level = int(text)
        appendix = False
        if "appendix" in fields:
            flag = self.string(fields["appendix"], f"{where}.appendix").lower()
            if flag not in ("true", "false"):
                raise self.fail(fields["appendix"], f"{where}.appendix: expected true or false")
            appendix = flag == "true"
        return level, appendix

    def hyperparameter(
        self,
        node: yaml.Node,
        fields: dict[str, yaml.Node],
        text: dict[str, str],
        labels: tuple[str, ...],
        where: str,
    ) -> tuple[Hyperparameter, str]:
        name = text.get("name") or text.get("title")
        if not name and not text.get("key") and not labels:
            raise self.fail(node, f"{where}: a hyperparameter needs a 'name', 'key' or 'label'")
        members: tuple[str, ...] = ()
        if "values" in fields:
            if "value" in fields:
                raise self.fail(fields["values"], f"{where}: give 'value' or 'values', not both")
            members = self.strings(fields["values"], f"{where}.values")
            if not members:
                raise self.fail(fields["values"], f"{where}.values: expected at least one value")
            raw, value = ", ".join(members), None
        elif "value" not in fields or fields["value"].tag.endswith(":null"):
            raise self.fail(node, f"{where}: a hyperparameter needs a 'value' (or 'values')")
        else:
            value_node = fields["value"]
            if not isinstance(value_node, yaml.ScalarNode):
                raise self.fail(value_node, f"{where}.value: expected a number or a string")
            raw = str(value_node.value)
            value = parse_latex_number(raw)
        if labels:
            key = labels[0]
        else:
            slug = text.get("key") or canonical_key(name or "")
            if not slug:
                raise self.fail(node, f"{where}: cannot make a key from the name '{name}'; give 'key'")
            key = slug if slug.startswith("hp:") else f"hp:{slug}"
        bare = key.removeprefix("hp:")
        canonical = bare if bare in VOCABULARY_KEYS else None
        provenance = Provenance.OWN
        if "provenance" in fields:
            word = self.string(fields["provenance"], f"{where}.provenance")
            if word not in _PROVENANCES:
                raise self.fail(
                    fields["provenance"],
                    f"{where}.provenance: '{word}' is not one of {', '.join(sorted(_PROVENANCES))}",
                )
            provenance = _PROVENANCES[word]
        scope = " ".join(self.string(fields["scope"], f"{where}.scope").lower().split()) if "scope" in fields else ""
        symbol = self.string(fields["symbol"], f"{where}.symbol") if "symbol" in fields else ""
        hyperparameter = Hyperparameter(
            name or bare,
            value,
            raw,
            symbol=symbol,
            members=members,
            scope=scope,
            provenance=provenance,
            canonical=canonical,
        )
        return hyperparameter, key
