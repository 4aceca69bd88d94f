"""``[tool.paperlink]`` in pyproject.toml (or a ``paperlink.yaml``) as a frozen :class:`Config`.

Found like ruff finds its settings: walking up from the target to the first
``pyproject.toml`` that has a ``[tool.paperlink]`` table, or the first ``paperlink.yaml``.
Unknown keys and wrong types are :class:`~paperlink.errors.ConfigError` naming the key.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from paperlink.boundary import read_text, within
from paperlink.codes import require_known
from paperlink.errors import ConfigError, yaml_problem
from paperlink.nesting import brackets_too_deep, yaml_too_deep

if TYPE_CHECKING:
    from paperlink.paper.hpdirectives import HyperparameterEdit

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = ["Config", "PaperSource", "find_config", "load_config", "DEFAULT_INCLUDE", "DEFAULT_COVERAGE"]

DEFAULT_INCLUDE = ("**/*.py", "**/*.ipynb")
_KEYS = (
    "papers",
    "default-paper",
    "include",
    "exclude",
    "coverage",
    "not-implemented",
    "select",
    "ignore",
    "extend-select",
    "extend-ignore",
    "per-file-ignores",
    "config-files",
    "paper-hyperparameters",
)
_COVERAGE_KINDS = ("section", "equation", "algorithm", "algorithm_line", "table", "figure", "theorem", "hyperparameter")
DEFAULT_COVERAGE = ("equation", "algorithm")


@dataclass(frozen=True)
class PaperSource:
    """A paper the project links to: a name and its LaTeX main file or YAML manifest."""

    name: str
    path: Path


@dataclass(frozen=True)
class Config:
    """The project's settings. Paths are absolute; ``root`` is where the config file lives."""

    root: Path
    source: Path | None = None
    papers: tuple[PaperSource, ...] = ()
    default_paper: str | None = None
    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = ()
    coverage_kinds: tuple[str, ...] = DEFAULT_COVERAGE  # item kinds PL110 expects code for
    not_implemented: frozenset[str] = frozenset()  # labels or keys exempt from coverage
    select: tuple[str, ...] | None = None  # rule codes or prefixes to report (None: every rule)
    ignore: tuple[str, ...] = ()  # rule codes or prefixes not to report (with extend-ignore's)
    extend_select: tuple[str, ...] = ()  # rule codes or prefixes reported as well as select's
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (glob, codes): not reported in matching files
    config_files: tuple[str, ...] = ()  # globs of YAML/JSON/TOML files whose keys are hyperparameters
    paper_hyperparameters: tuple[HyperparameterEdit, ...] = ()  # edits of the paper's statements, by key

    @property
    def coverage(self) -> frozenset:
        """The coverage kinds as :class:`~paperlink.paper.model.ItemKind` members."""
        from paperlink.paper.model import ItemKind

        return frozenset(ItemKind(kind) for kind in self.coverage_kinds)

    def paper(self, name: str | None = None) -> PaperSource:
        """The named paper, or the default one; ConfigError when there is none."""
        if not self.papers:
            where = self.source.name if self.source else "no configuration file found"
            raise ConfigError(f'no papers configured ({where}); add [tool.paperlink] papers = {{ name = "paper.tex" }}')
        wanted = name or self.default_paper
        if wanted is None:
            if len(self.papers) == 1:
                return self.papers[0]
            names = ", ".join(p.name for p in self.papers)
            raise ConfigError(f"several papers are configured ({names}); set default-paper or name one")
        for paper in self.papers:
            if paper.name == wanted:
                return paper
        raise ConfigError(f"unknown paper '{wanted}'{_did_you_mean(wanted, [p.name for p in self.papers])}")


def _did_you_mean(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def find_config(start: Path) -> Path | None:
    """The nearest configuration file at or above ``start``."""
    directory = start.resolve()
    if directory.is_file():
        directory = directory.parent
    for folder in (directory, *directory.parents):
        yaml_file = folder / "paperlink.yaml"
        if yaml_file.is_file():
            return yaml_file
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _has_paperlink_table(pyproject):
            return pyproject
    return None


def _has_paperlink_table(pyproject: Path) -> bool:
    try:
        text = read_text(pyproject, pyproject.parent)
    except (OSError, UnicodeDecodeError):
        return False
    deep = brackets_too_deep(text, toml=True)
    if deep is not None:
        if "paperlink" not in text:  # cannot hold [tool.paperlink]: not ours, whatever else it holds
            return False
        raise ConfigError(f"{pyproject}:{deep.line}:{deep.column}: invalid TOML: {deep.message}")
    try:
        data = tomllib.loads(text)
    except ValueError as error:  # TOMLDecodeError, or an integer past the 4300-digit limit
        # Skipping it would hide a typo in [tool.paperlink] behind "no configuration found".
        raise ConfigError(f"{pyproject}: invalid TOML: {_toml_message(error)}") from None
    return isinstance(data.get("tool"), dict) and "paperlink" in data["tool"]


def _toml_message(error: ValueError) -> str:
    return str(error).split(";")[0]  # past the digit limit, Python appends advice for programmers


def load_config(path: Path | None, start: Path | None = None) -> Config:
    """Read ``path`` (or the file found from ``start``); no file gives the defaults."""
    if path is None:
        path = find_config(start or Path.cwd())
    if path is None:
        base = (start or Path.cwd()).resolve()
        return Config(root=base if base.is_dir() else base.parent)
    path = within(path)  # a link is read as the folder it sits in allows (docs/security.md)
    table, section = _read_table(path)
    return _build(table, path, section)


def _read_table(path: Path) -> tuple[dict[str, Any], str]:
    try:
        text = read_text(path, path.parent)
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read configuration: {error}") from None
    if path.suffix in (".yaml", ".yml"):
        data = _load_yaml(text, path.name)
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ConfigError(f"{path.name}: expected a mapping of settings at the top level")
        return data, path.name
    deep = brackets_too_deep(text, toml=True)
    if deep is not None:
        raise ConfigError(f"{path.name}:{deep.line}:{deep.column}: invalid TOML: {deep.message}")
    try:
        data = tomllib.loads(text)
    except ValueError as error:  # TOMLDecodeError, or an integer past the 4300-digit limit
        raise ConfigError(f"{path.name}: invalid TOML: {_toml_message(error)}") from None
    tool = data.get("tool", {})
    table = tool.get("paperlink", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        raise ConfigError(f"{path.name}: [tool.paperlink] must be a table")
    return table, f"{path.name} [tool.paperlink]"


def _load_yaml(text: str, name: str) -> Any:
    deep = yaml_too_deep(text)
    if deep is not None:
        raise ConfigError(f"{name}:{deep.line}:{deep.column}: invalid YAML: {deep.message}")
    try:
        loader = yaml.SafeLoader(text)  # its reader refuses some characters at once
    except yaml.YAMLError as error:
        raise ConfigError(f"{name}: invalid YAML: {yaml_problem(error)}") from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        try:
            return loader.construct_document(node)
        except ValueError as error:  # an integer past Python's 4300-digit conversion limit
            where = next((f":{n.start_mark.line + 1}:{n.start_mark.column + 1}" for n in _long_integers(node)), "")
            raise ConfigError(f"{name}{where}: invalid YAML: {_toml_message(error)}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise ConfigError(f"{name}{where}: invalid YAML: {yaml_problem(error)}") from None
    finally:
        loader.dispose()


def _long_integers(node: yaml.Node) -> Iterator[yaml.Node]:
    """The integer scalars under ``node`` too long for ``int()``, walked without recursion."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.ScalarNode):
            if current.tag == "tag:yaml.org,2002:int" and len(current.value) > 4300:
                yield current
        elif isinstance(current, yaml.MappingNode):
            stack.extend(part for pair in reversed(current.value) for part in reversed(pair))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(reversed(current.value))


def _build(table: dict[str, Any], path: Path, section: str) -> Config:
    for key in table:
        if key not in _KEYS:
            raise ConfigError(f"{section}: unknown key '{key}'{_did_you_mean(str(key), list(_KEYS))}")
    root = path.parent
    papers = _papers(table.get("papers", {}), root, section)
    default = table.get("default-paper")
    if default is not None and not isinstance(default, str):
        raise ConfigError(f"{section}: 'default-paper' must be a string, got {type(default).__name__}")
    if default is not None and default not in {p.name for p in papers}:
        raise ConfigError(f"{section}: 'default-paper' names '{default}', which is not in 'papers'")
    return Config(
        root=root,
        source=path,
        papers=papers,
        default_paper=default,
        include=_globs(table, "include", section, DEFAULT_INCLUDE),
        exclude=_globs(table, "exclude", section, ()),
        coverage_kinds=_coverage_kinds(table, section),
        not_implemented=frozenset(_globs(table, "not-implemented", section, ())),
        select=_codes(table, "select", section),
        ignore=(*(_codes(table, "ignore", section) or ()), *(_codes(table, "extend-ignore", section) or ())),
        extend_select=_codes(table, "extend-select", section) or (),
        per_file_ignores=_per_file_ignores(table.get("per-file-ignores"), section),
        config_files=_globs(table, "config-files", section, ()),
        paper_hyperparameters=_hyperparameter_edits(table.get("paper-hyperparameters"), path, section),
    )


_EDIT_FIELDS = ("rename", "scope", "drop", "value", "name")


def _hyperparameter_edits(value: Any, path: Path, section: str) -> tuple[HyperparameterEdit, ...]:
    """``"hp:lr" = { value = 1e-4, scope = "atari" }``, ``{ rename = "x" }``, ``{ drop = true }``."""
    if value is None:
        return ()
    from paperlink.paper.hpdirectives import HyperparameterEdit  # the paper model's, read only when configured
    from paperlink.spans import Span

    where = f"{section}: 'paper-hyperparameters'"
    if not isinstance(value, dict):
        raise ConfigError(f'{where} must be a table of "hp:KEY" = {{ rename, scope, drop, value, name }}')
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines() if path.is_file() else []
    edits = []
    for raw_key, fields in value.items():
        key = str(raw_key).removeprefix("hp:")
        if not key or not isinstance(fields, dict):
            raise ConfigError(f'{where}: "{raw_key}" must be a table such as {{ scope = "atari" }}')
        for field in fields:
            if field not in _EDIT_FIELDS:
                raise ConfigError(
                    f"{where}: \"{raw_key}\" has unknown field '{field}' (fields: {', '.join(_EDIT_FIELDS)})"
                )
        for field in ("rename", "scope", "name"):
            if field in fields and not isinstance(fields[field], str):
                raise ConfigError(f'{where}: "{raw_key}".{field} must be a string')
        if "drop" in fields and not isinstance(fields["drop"], bool):
            raise ConfigError(f'{where}: "{raw_key}".drop must be true or false')
        written = fields.get("value")
        if written is not None and (isinstance(written, bool) or not isinstance(written, (int, float, str, list))):
            raise ConfigError(f'{where}: "{raw_key}".value must be a number, a string or a list of numbers')
        if isinstance(written, list):
            written = "{" + ", ".join(str(member) for member in written) + "}"
        line = next((i + 1 for i, text in enumerate(lines) if str(raw_key) in text), 1)
        edits.append(
            HyperparameterEdit(
                key=key,
                rename=fields.get("rename", "").removeprefix("hp:") or None,
                scope=fields.get("scope"),
                drop=bool(fields.get("drop", False)),
                value=None if written is None else str(written),
                name=fields.get("name"),
                span=Span(path.name, line),
            )
        )
    return tuple(edits)


def _codes(table: dict[str, Any], key: str, section: str) -> tuple[str, ...] | None:
    value = table.get(key)
    return None if value is None else _code_list(value, f"{section}: '{key}'")


def _code_list(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f'{where} must be a list of rule codes or prefixes such as "PL1" or "PL101"')
    require_known(value, where, ConfigError)
    return tuple(value)


def _per_file_ignores(value: Any, section: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``{"tests/**" = ["PL4"], "!src/**" = ["PL110"]}`` as (glob, codes) pairs, codes checked."""
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise ConfigError(f"{section}: 'per-file-ignores' must be a table of glob = [rule codes or prefixes]")
    pairs = []
    for pattern, codes in value.items():
        if not str(pattern).lstrip("!").strip():
            raise ConfigError(f"{section}: 'per-file-ignores' has an empty glob")
        pairs.append((str(pattern), _code_list(codes, f"{section}: 'per-file-ignores' \"{pattern}\"")))
    return tuple(pairs)


def _coverage_kinds(table: dict[str, Any], section: str) -> tuple[str, ...]:
    kinds = _globs(table, "coverage", section, DEFAULT_COVERAGE)
    for kind in kinds:
        if kind not in _COVERAGE_KINDS:
            raise ConfigError(f"{section}: 'coverage' has unknown kind '{kind}' (kinds: {', '.join(_COVERAGE_KINDS)})")
    return kinds


def _papers(value: Any, root: Path, section: str) -> tuple[PaperSource, ...]:
    if not isinstance(value, dict):
        raise ConfigError(f"{section}: 'papers' must be a table of name = path, got {type(value).__name__}")
    papers = []
    for name, location in value.items():
        if not isinstance(location, str):
            raise ConfigError(f"{section}: 'papers.{name}' must be a path string, got {type(location).__name__}")
        if not location.strip():
            raise ConfigError(f"{section}: 'papers.{name}' is an empty path")
        papers.append(PaperSource(str(name), within(root / location)))
    return tuple(papers)


def _globs(table: dict[str, Any], key: str, section: str, default: tuple[str, ...]) -> tuple[str, ...]:
    value = table.get(key)
    if value is None:
        return default
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{section}: '{key}' must be a list of glob strings")
    return tuple(value)
