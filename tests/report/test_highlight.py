"""The tokenize-based highlighter: exact markup, escaping, and what it does with broken code."""

from __future__ import annotations

from paperlink.report.highlight import highlight_python, plain_lines, split_lines


def test_tokens_get_classes_and_text_is_escaped() -> None:
    source = 'def f(x):\n    return x < 1 and "<b>"  # a & b\n'
    assert [str(line) for line in highlight_python(source)] == [
        '<span class="k">def</span> <span class="d">f</span>(x):',
        '    <span class="k">return</span> x &lt; <span class="m">1</span> <span class="k">and</span> '
        '<span class="s">"&lt;b&gt;"</span>  <span class="c"># a &amp; b</span>',
    ]


def test_a_string_over_several_lines_is_coloured_on_each() -> None:
    lines = highlight_python('s = """a\n</textarea>\n"""\n')
    assert [str(line) for line in lines] == [
        's = <span class="s">"""a</span>',
        '<span class="s">&lt;/textarea&gt;</span>',
        '<span class="s">"""</span>',
    ]


def test_after_a_tokenizer_error_the_rest_is_plain_but_present() -> None:
    lines = highlight_python('x = 1\ny = """<open\nz = 2\n')
    assert [str(line) for line in lines] == ['x = <span class="m">1</span>', 'y = """&lt;open', "z = 2"]


def test_soft_keywords_stay_names() -> None:
    assert str(highlight_python("match = 3\n")[0]) == 'match = <span class="m">3</span>'


def test_lines_are_counted_as_python_counts_them() -> None:
    assert split_lines("a\r\nb\rc\x0cd\n") == ["a", "b", "c\x0cd"]
    assert len(highlight_python("a = 1\x0c\nb = 2\n")) == 2
    assert [str(line) for line in plain_lines("<a>\n&\n")] == ["&lt;a&gt;", "&amp;"]
