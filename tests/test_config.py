"""Tests for paperlink.config: finding the configuration file, reading it, and its errors."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from paperlink.config import DEFAULT_INCLUDE, Config, PaperSource, find_config, load_config
from paperlink.errors import ConfigError, PaperlinkError

TABLE = '[tool.paperlink]\npapers = { simsiam = "paper.tex" }\n'


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def config_error(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return str(caught.value)


# --- find_config -------------------------------------------------------------------------


def test_find_config_walks_up_to_the_pyproject_with_a_paperlink_table(tmp_path):
    pyproject = write(tmp_path / "pyproject.toml", TABLE)
    deep = tmp_path / "src" / "pkg"
    deep.mkdir(parents=True)
    assert find_config(deep) == pyproject.resolve()


def test_find_config_from_a_file_starts_in_its_folder(tmp_path):
    pyproject = write(tmp_path / "pyproject.toml", TABLE)
    source = write(tmp_path / "src" / "train.py", "")
    assert find_config(source) == pyproject.resolve()


def test_find_config_skips_a_pyproject_without_the_table(tmp_path):
    outer = write(tmp_path / "pyproject.toml", TABLE)
    write(tmp_path / "inner" / "pyproject.toml", '[project]\nname = "x"\n')
    assert find_config(tmp_path / "inner") == outer.resolve()


def test_find_config_stops_at_the_nearest_level_with_the_table(tmp_path):
    write(tmp_path / "paperlink.yaml", "papers: {outer: outer.tex}\n")
    inner = write(tmp_path / "inner" / "pyproject.toml", TABLE)
    assert find_config(tmp_path / "inner") == inner.resolve()


def test_find_config_finds_paperlink_yaml(tmp_path):
    yaml_file = write(tmp_path / "paperlink.yaml", "papers: {a: a.tex}\n")
    (tmp_path / "sub").mkdir()
    assert find_config(tmp_path / "sub") == yaml_file.resolve()


def test_find_config_prefers_paperlink_yaml_to_pyproject_in_the_same_folder(tmp_path):
    # Like ruff: the dedicated file wins over pyproject.toml at the same level.
    write(tmp_path / "pyproject.toml", TABLE)
    yaml_file = write(tmp_path / "paperlink.yaml", "papers: {a: a.tex}\n")
    assert find_config(tmp_path) == yaml_file.resolve()


def test_find_config_without_any_file_is_none(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.ruff]\nline-length = 100\n")
    if any((parent / "paperlink.yaml").exists() for parent in tmp_path.parents):
        pytest.skip("a paperlink.yaml above the temporary folder")
    assert find_config(tmp_path) is None


def test_find_config_reports_an_invalid_pyproject_instead_of_skipping_it(tmp_path):
    pyproject = write(tmp_path / "pyproject.toml", "[tool.paperlink\npapers = {}\n")
    with pytest.raises(ConfigError) as caught:
        find_config(tmp_path)
    assert str(caught.value).startswith(f"{pyproject.resolve()}: invalid TOML: ")
    assert "line 1" in str(caught.value)


# --- load_config: TOML -------------------------------------------------------------------


def test_load_toml_resolves_papers_relative_to_the_config_file(tmp_path):
    write(
        tmp_path / "pyproject.toml",
        "[tool.paperlink]\n"
        'papers = { simsiam = "paper/main.tex", notes = "notes.yaml" }\n'
        'default-paper = "notes"\n'
        'include = ["src/**/*.py"]\n'
        'exclude = "src/vendor/**"\n',
    )
    (tmp_path / "src").mkdir()
    config = load_config(None, tmp_path / "src")
    root = tmp_path.resolve()
    assert config == Config(
        root=root,
        source=root / "pyproject.toml",
        papers=(
            PaperSource("simsiam", root / "paper" / "main.tex"),
            PaperSource("notes", root / "notes.yaml"),
        ),
        default_paper="notes",
        include=("src/**/*.py",),
        exclude=("src/vendor/**",),
    )


def test_load_explicit_path_ignores_the_start_folder(tmp_path):
    config_file = write(tmp_path / "cfg" / "pyproject.toml", TABLE)
    write(tmp_path / "other" / "pyproject.toml", '[tool.paperlink]\npapers = { other = "o.tex" }\n')
    config = load_config(config_file, tmp_path / "other")
    assert config.papers == (PaperSource("simsiam", (tmp_path / "cfg" / "paper.tex").resolve()),)


def test_load_toml_with_an_empty_table_gives_the_defaults_with_a_source(tmp_path):
    pyproject = write(tmp_path / "pyproject.toml", "[tool.paperlink]\n")
    config = load_config(pyproject)
    assert config == Config(root=tmp_path.resolve(), source=pyproject.resolve())
    assert config.include == DEFAULT_INCLUDE == ("**/*.py", "**/*.ipynb")
    assert config.exclude == ()


def test_load_explicit_pyproject_without_the_table_gives_no_papers(tmp_path):
    pyproject = write(tmp_path / "pyproject.toml", "tool = 1\n")
    assert load_config(pyproject) == Config(root=tmp_path.resolve(), source=pyproject.resolve())


def test_load_without_a_file_gives_the_defaults_rooted_at_the_start(tmp_path):
    if any((p / "paperlink.yaml").exists() or (p / "pyproject.toml").exists() for p in tmp_path.parents):
        pytest.skip("a configuration file above the temporary folder")
    assert load_config(None, tmp_path) == Config(root=tmp_path.resolve())
    source = write(tmp_path / "train.py", "")
    assert load_config(None, source) == Config(root=tmp_path.resolve())


def test_config_is_frozen(tmp_path):
    config = Config(root=tmp_path)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.root = Path("/")  # type: ignore[misc]


# --- load_config: YAML -------------------------------------------------------------------


def test_load_yaml_resolves_papers_and_accepts_a_single_include_string(tmp_path):
    yaml_file = write(
        tmp_path / "paperlink.yaml",
        "papers:\n  dqn: ../papers/dqn.tex\ndefault-paper: dqn\ninclude: agent/*.py\nexclude: [a.py, b.py]\n",
    )
    config = load_config(yaml_file)
    assert config.root == tmp_path.resolve()
    assert config.source == yaml_file.resolve()
    assert config.papers == (PaperSource("dqn", (tmp_path.parent / "papers" / "dqn.tex").resolve()),)
    assert config.default_paper == "dqn"
    assert config.include == ("agent/*.py",)
    assert config.exclude == ("a.py", "b.py")


def test_load_empty_yaml_gives_the_defaults(tmp_path):
    yaml_file = write(tmp_path / "paperlink.yaml", "# nothing yet\n")
    assert load_config(yaml_file) == Config(root=tmp_path.resolve(), source=yaml_file.resolve())


# --- load_config: errors -----------------------------------------------------------------


def test_errors_are_paperlink_errors():
    assert issubclass(ConfigError, PaperlinkError)


def test_missing_explicit_file(tmp_path):
    missing = tmp_path / "nope.toml"
    assert config_error(missing) == f"{missing.resolve()}: configuration file not found"


def test_unknown_toml_key_suggests_the_close_one(tmp_path):
    path = write(tmp_path / "pyproject.toml", '[tool.paperlink]\npaper = { a = "a.tex" }\n')
    assert config_error(path) == "pyproject.toml [tool.paperlink]: unknown key 'paper'; did you mean 'papers'?"


def test_unknown_key_without_a_close_match_has_no_suggestion(tmp_path):
    path = write(tmp_path / "pyproject.toml", "[tool.paperlink]\ncolour = 1\n")
    assert config_error(path) == "pyproject.toml [tool.paperlink]: unknown key 'colour'"


def test_unknown_yaml_key_suggests_the_close_one(tmp_path):
    path = write(tmp_path / "paperlink.yaml", "papers: {a: a.tex}\ndefault_paper: a\n")
    assert config_error(path) == "paperlink.yaml: unknown key 'default_paper'; did you mean 'default-paper'?"


def test_non_string_yaml_key_is_an_unknown_key(tmp_path):
    path = write(tmp_path / "paperlink.yaml", "1: x\n")
    assert config_error(path) == "paperlink.yaml: unknown key '1'"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('papers = ["paper.tex"]', "'papers' must be a table of name = path, got list"),
        ("papers = { x = 3 }", "'papers.x' must be a path string, got int"),
        ('papers = { x = " " }', "'papers.x' is an empty path"),
        ('papers = { a = "a.tex" }\ndefault-paper = 1', "'default-paper' must be a string, got int"),
        ('papers = { a = "a.tex" }\ndefault-paper = "b"', "'default-paper' names 'b', which is not in 'papers'"),
        ("include = 3", "'include' must be a list of glob strings"),
        ('exclude = ["a", 1]', "'exclude' must be a list of glob strings"),
        ("select = 101", '\'select\' must be a list of rule codes or prefixes such as "PL1" or "PL101"'),
        ('ignore = ["PL1", 2]', '\'ignore\' must be a list of rule codes or prefixes such as "PL1" or "PL101"'),
        (
            'select = ["PL1", "PL999"]',
            "'select' has unknown rule code or prefix 'PL999'; `paperlink rule --all` lists the codes",
        ),
        ('ignore = ["pl110"]', "'ignore' has unknown rule code or prefix 'pl110'; did you mean 'PL110'?"),
        ('ignore = ["PL"]', "'ignore' has unknown rule code or prefix 'PL'; `paperlink rule --all` lists the codes"),
    ],
)
def test_wrong_types_name_the_key(tmp_path, body, message):
    path = write(tmp_path / "pyproject.toml", f"[tool.paperlink]\n{body}\n")
    assert config_error(path) == f"pyproject.toml [tool.paperlink]: {message}"


def test_paperlink_not_a_table(tmp_path):
    path = write(tmp_path / "pyproject.toml", "[tool]\npaperlink = 1\n")
    assert config_error(path) == "pyproject.toml: [tool.paperlink] must be a table"


def test_invalid_toml_names_the_file_and_line(tmp_path):
    path = write(tmp_path / "pyproject.toml", '[tool.paperlink]\npapers = { a = "a.tex" \n')
    message = config_error(path)
    assert message.startswith("pyproject.toml: invalid TOML: ")
    assert "line 2" in message


def test_invalid_yaml_names_the_file_and_line(tmp_path):
    path = write(tmp_path / "paperlink.yaml", "papers:\n  a: a.tex\ninclude: x: y\n")
    assert config_error(path) == "paperlink.yaml:3: invalid YAML: mapping values are not allowed here"


def test_yaml_wrong_type_names_the_key(tmp_path):
    path = write(tmp_path / "paperlink.yaml", "papers: [a.tex]\n")
    assert config_error(path) == "paperlink.yaml: 'papers' must be a table of name = path, got list"


@pytest.mark.parametrize("text", ["- papers\n", "just a string\n", "3\n"])
def test_yaml_top_level_must_be_a_mapping(tmp_path, text):
    path = write(tmp_path / "paperlink.yaml", text)
    assert config_error(path) == "paperlink.yaml: expected a mapping of settings at the top level"


# --- Config.paper ------------------------------------------------------------------------


def _papers(tmp_path: Path, *names: str) -> tuple[PaperSource, ...]:
    return tuple(PaperSource(name, tmp_path / f"{name}.tex") for name in names)


def test_paper_without_papers_and_without_a_file(tmp_path):
    with pytest.raises(ConfigError) as caught:
        Config(root=tmp_path).paper()
    assert str(caught.value) == (
        'no papers configured (no configuration file found); add [tool.paperlink] papers = { name = "paper.tex" }'
    )


def test_paper_without_papers_names_the_file(tmp_path):
    with pytest.raises(ConfigError) as caught:
        Config(root=tmp_path, source=tmp_path / "pyproject.toml").paper("x")
    assert str(caught.value) == (
        'no papers configured (pyproject.toml); add [tool.paperlink] papers = { name = "paper.tex" }'
    )


def test_paper_single_paper_is_the_default(tmp_path):
    config = Config(root=tmp_path, papers=_papers(tmp_path, "simsiam"))
    assert config.paper() == PaperSource("simsiam", tmp_path / "simsiam.tex")


def test_paper_several_papers_need_a_default_or_a_name(tmp_path):
    config = Config(root=tmp_path, papers=_papers(tmp_path, "simsiam", "dqn"))
    with pytest.raises(ConfigError) as caught:
        config.paper()
    assert str(caught.value) == "several papers are configured (simsiam, dqn); set default-paper or name one"
    assert config.paper("dqn").name == "dqn"


def test_paper_default_and_explicit_name(tmp_path):
    config = Config(root=tmp_path, papers=_papers(tmp_path, "simsiam", "dqn"), default_paper="dqn")
    assert config.paper().name == "dqn"
    assert config.paper("simsiam").name == "simsiam"


def test_paper_unknown_name_suggests_the_close_one(tmp_path):
    config = Config(root=tmp_path, papers=_papers(tmp_path, "simsiam", "dqn"))
    with pytest.raises(ConfigError) as caught:
        config.paper("simsam")
    assert str(caught.value) == "unknown paper 'simsam'; did you mean 'simsiam'?"
    with pytest.raises(ConfigError) as caught:
        config.paper("transformer")
    assert str(caught.value) == "unknown paper 'transformer'"


def test_select_and_ignore_are_read_as_tuples(tmp_path):
    path = write(tmp_path / "pyproject.toml", '[tool.paperlink]\nselect = ["PL1", "PL001"]\nignore = "PL110"\n')
    config = load_config(path)
    assert (config.select, config.ignore) == (("PL1", "PL001"), ("PL110",))


def test_select_and_ignore_default_to_every_rule(tmp_path):
    config = load_config(write(tmp_path / "paperlink.yaml", "papers: {a: a.tex}\n"))
    assert (config.select, config.ignore) == (None, ())
