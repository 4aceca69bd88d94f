"""Reading Jupyter notebooks as Python: IPython syntax, cell layout, positions in the file."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperlink.source.notebook import NotebookError, read_notebook
from paperlink.spans import Span
from tests.notebooks import notebook_json


def _python(*cells: tuple[str, str]) -> list[str]:
    return read_notebook(notebook_json(cells), "nb.ipynb").python.split("\n")[:-1]


def test_line_magics_and_shell_escapes_become_pass_at_their_indentation() -> None:
    lines = _python(("code", "%matplotlib inline\nimport torch\nfor i in range(2):\n    !echo $i\n    %time f(i)\n"))
    assert lines == ["pass", "import torch", "for i in range(2):", "    pass", "    pass"]


def test_captured_shell_output_keeps_its_name_and_help_lines_are_emptied() -> None:
    lines = _python(("code", "files = !ls data\nlr = 0.1\ntorch.optim.SGD?\n?len\n"))
    assert lines == ["files = None", "lr = 0.1", "", ""]


def test_a_continued_shell_command_is_emptied_to_its_last_line() -> None:
    lines = _python(("code", "!pip install \\\n    torch \\\n    numpy\nx = 1\n"))
    assert lines == ["pass", "", "", "x = 1"]


def test_a_percent_sign_that_starts_a_line_inside_brackets_is_python() -> None:
    code = "x = (7\n% 3)\n"
    assert _python(("code", code)) == ["x = (7", "% 3)"]


def test_cell_magics_empty_the_cell_unless_the_kernel_runs_it_as_python() -> None:
    lines = _python(("code", "%%bash\necho hi\nls\n"), ("code", "%%time\ny = 2\n"))
    assert lines == ["", "", "", "", "y = 2"]


def test_markdown_keeps_only_annotation_lines_as_comments_and_raw_cells_are_empty() -> None:
    lines = _python(
        ("markdown", "# Loss\nThe paper: a classic.\npaper: Eq. 3\n  <!-- paper[simsiam]: eq:loss -->\n"),
        ("raw", "paper: Eq. 9\n"),
    )
    assert lines == ["", "", "# paper: Eq. 3", "# paper[simsiam]: eq:loss", ""]


def test_a_cell_python_cannot_parse_is_reported_at_its_cell_and_left_out() -> None:
    notebook = read_notebook(notebook_json([("code", "a = 1\n"), ("code", "b = (\n"), ("code", "c = a\n")]), "nb.ipynb")
    assert notebook.python == "a = 1\n\nc = a\n"
    [problem] = notebook.problems
    assert (problem.code, problem.span, problem.message) == (
        "PL001",
        Span("nb.ipynb", 1, 5, cell=2),
        "cannot parse this cell: '(' was never closed; the cell is left out",
    )


def test_a_notebook_in_another_language_has_no_python_code() -> None:
    notebook = read_notebook(
        notebook_json([("code", "x <- c(1, 2)\n"), ("markdown", "paper: Eq. 1\n")], language="R"), "nb.ipynb"
    )
    assert (notebook.language, notebook.python, notebook.problems) == ("r", "\n\n", ())


def test_sources_written_as_one_string_and_crlf_line_breaks() -> None:
    text = json.dumps(
        {
            "cells": [{"cell_type": "code", "source": "a = 1\r\nb = 2\r\n", "metadata": {}, "outputs": []}],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 2,
        }
    )
    notebook = read_notebook(text, "nb.ipynb")
    assert notebook.python == "a = 1\nb = 2\n"
    assert notebook.layout.file_line(Span("nb.ipynb", 2, cell=1)) == 1  # both lines are on the file's one line


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ('{"cells": [', "not a notebook: invalid JSON (Expecting value)", 1),
        ("[1, 2]", "not a notebook: the file holds JSON, but not an object", 1),
        ('{"nbformat": 4}', "not a notebook: it has no 'cells' list", 1),
        ('{"cells": [{"cell_type": "code"}]}', "not a notebook: cell 1 has no 'cell_type' or 'source'", 1),
        (
            '{"cells": [{"cell_type": "code", "source": 3}]}',
            "not a notebook: the source of cell 1 is neither text nor a list of lines",
            1,
        ),
        (
            '{\n"nbformat": 3, "worksheets": []}',
            "nbformat 3 notebooks are not supported: convert with 'jupyter nbconvert --to notebook'",
            1,
        ),
        ("{\n\n  oops}", "not a notebook: invalid JSON (Expecting property name enclosed in double quotes)", 3),
    ],
)
def test_what_is_not_a_notebook_is_an_error_with_its_position(text: str, message: str, line: int) -> None:
    with pytest.raises(NotebookError) as raised:
        read_notebook(text, "nb.ipynb")
    assert (str(raised.value), raised.value.line) == (message, line)


def test_file_lines_point_at_each_source_line_in_the_json_text() -> None:
    text = notebook_json(
        [("markdown", "# Title\n"), ("code", 'print("source")\nx = {"source": 1}\n'), ("code", "y = 2\n")]
    )
    notebook = read_notebook(text, "nb.ipynb")
    file = text.split("\n")
    for cell, source in zip(notebook.layout.cells, notebook.sources):
        for number, line in enumerate(source.splitlines(keepends=True), start=1):
            written = file[notebook.layout.file_line(Span("nb.ipynb", number, cell=cell.number)) - 1]
            assert written.strip().rstrip(",") == json.dumps(line, ensure_ascii=False)


def test_megabytes_of_outputs_are_read_and_do_not_move_positions() -> None:
    output = {"output_type": "stream", "name": "stdout", "text": ["x" * 1_000_000 + "\n"] * 50}
    document = json.loads(notebook_json([("code", "a = 1\n"), ("code", "b = a\n")]))
    document["cells"][0]["outputs"] = [output]
    text = json.dumps(document, indent=1, sort_keys=True)
    notebook = read_notebook(text, "nb.ipynb")
    assert notebook.python == "a = 1\nb = a\n"
    assert text.split("\n")[notebook.layout.file_line(Span("nb.ipynb", 1, cell=2)) - 1].strip() == '"b = a\\n"'


_LINE = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"),
    max_size=12,
)
_CELL = st.tuples(
    st.sampled_from(["code", "markdown", "raw"]),
    st.lists(_LINE, max_size=5).map(lambda lines: "".join(f"{l}\n" for l in lines)),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_CELL, max_size=8))
def test_every_text_line_is_one_cell_line_and_back(cells: list[tuple[str, str]]) -> None:
    notebook = read_notebook(notebook_json(cells), "nb.ipynb")
    layout = notebook.layout
    total = notebook.python.count("\n")
    assert total == sum(cell.line_count for cell in layout.cells)
    seen = set()
    for line in range(1, total + 1):
        in_cell = layout.to_cells(Span("nb.ipynb", line, 1, line, 2))
        assert in_cell.cell is not None and 1 <= in_cell.line <= layout.cells[in_cell.cell - 1].line_count
        assert layout.to_text_lines(in_cell) == Span("nb.ipynb", line, 1, line, 2)
        seen.add((in_cell.cell, in_cell.line))
    assert len(seen) == total


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(
                st.sampled_from(["cells", "source", "cell_type", "nbformat", "metadata", "x"]), inner, max_size=4
            )
        ),
        max_leaves=20,
    )
)
def test_any_json_is_read_or_refused_with_a_notebook_error(data: object) -> None:
    try:
        read_notebook(json.dumps(data), "nb.ipynb")
    except NotebookError:
        pass


def test_a_percent_line_inside_a_triple_quoted_string_is_text() -> None:
    code = '%matplotlib inline\nreport = """\n%d items \\\n! done\n"""\nx = 1\n'
    assert _python(("code", code)) == ["pass", 'report = """', "%d items \\", "! done", '"""', "x = 1"]


def test_a_cell_whose_first_line_is_indented_runs_dedented_as_in_ipython() -> None:
    notebook = read_notebook(notebook_json([("code", "    x = 1\n    y = x.detach()\n")]), "nb.ipynb")
    assert notebook.python == "x = 1\ny = x.detach()\n" and notebook.problems == ()
    # positions point at the text as written, indentation included
    assert notebook.layout.to_cells(Span("nb.ipynb", 2, 5, 2, 15)) == Span("nb.ipynb", 2, 9, 2, 19, cell=1)
    assert notebook.layout.to_text_lines(Span("nb.ipynb", 2, 9, 2, 19, cell=1)) == Span("nb.ipynb", 2, 5, 2, 15)


def test_a_lone_surrogate_in_a_cell_becomes_a_replacement_character() -> None:
    text = '{"cells": [{"cell_type": "code", "source": ["x = \\"\\ud800\\"\\n"]}], "nbformat": 4}'
    assert read_notebook(text, "nb.ipynb").sources == ('x = "?"\n',)


def test_an_integer_too_long_to_convert_is_not_a_notebook() -> None:
    with pytest.raises(NotebookError) as raised:
        read_notebook('{"nbformat": 4' + "0" * 5000 + ', "cells": []}', "nb.ipynb")
    assert str(raised.value).startswith("not a notebook: Exceeds the limit (4300 digits)")


def test_source_keys_in_outputs_and_metadata_do_not_hide_the_cells_lines() -> None:
    document = json.loads(notebook_json([("code", "a = 1\n"), ("code", "b = 2\nc = 3\n")]))
    document["cells"][0]["outputs"] = [
        {
            "output_type": "display_data",
            "metadata": {"source": "x"},
            "data": {"application/json": {"source": ["b = 2\n", "c = 3\n"]}},
        }
    ]
    document["metadata"]["source"] = "notebook"
    text = json.dumps(document, indent=1, sort_keys=True)
    layout = read_notebook(text, "nb.ipynb").layout
    written = text.split("\n")
    assert written[layout.file_line(Span("nb.ipynb", 1, cell=1)) - 1].strip() == '"a = 1\\n"'
    line = layout.file_line(Span("nb.ipynb", 2, cell=2))
    assert written[line - 1].strip() == '"c = 3\\n"' and line > layout.file_line(Span("nb.ipynb", 1, cell=1))
