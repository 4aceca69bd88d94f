"""The comments and strings of Python text, and the shape of its code, with lines split as spans split them."""

from __future__ import annotations

from paperlink.source.tokens import StringOrComment, code_shape, comments_and_strings


def test_comments_and_strings_count_rows_at_every_line_break() -> None:
    found, complete = comments_and_strings('x = 1\ry = "a"\r\nz = 3  # c\n')
    assert complete
    assert found == [StringOrComment("string", (2, 4), (2, 7)), StringOrComment("comment", (3, 7), (3, 10))]


def test_a_text_the_tokenizer_stops_in_keeps_what_came_before() -> None:
    found, complete = comments_and_strings('x = 1  # c\ny = """open\n')
    assert (found, complete) == ([StringOrComment("comment", (1, 7), (1, 10))], False)
    assert code_shape('y = """open\n') is None


def test_the_shape_of_code_ignores_what_strings_and_comments_say() -> None:
    shape = code_shape('f("Eq. 1")  # paper: eq:a\n')
    assert shape == code_shape('f("Eq. 22")  # paper: eq:b\n')
    assert shape is not None and shape.comments == 1
    assert shape != code_shape('f("Eq. 2") or print("x")  # paper: eq:a\n')
    assert shape != code_shape('f("Eq. 2", "x")  # paper: eq:a\n')
