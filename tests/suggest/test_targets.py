"""Code targets: what `suggest` reads from a Python file."""

from __future__ import annotations

from paperlink.suggest.targets import Literal, read_targets

PYTHON2 = """def sgd(grad, x, alpha=0.1):
    for i in range(10):
        if i % 5 == 0: print "iter", i
        x -= alpha * grad(x)
    print
    return x
"""


def test_python_2_files_are_read_at_their_own_lines() -> None:
    targets = read_targets("old.py", PYTHON2)
    assert [(t.kind, t.line, t.code) for t in targets][:3] == [
        ("function", 1, "def sgd(grad, x, alpha=0.1):"),
        ("statement", 2, "for i in range(10):"),
        ("statement", 3, 'if i % 5 == 0: print "iter", i'),
    ]
    assert targets[0].literals == (Literal(0.1, "alpha"),)  # a definition's literals are its defaults
    assert [t.control for t in targets if t.kind == "statement"] == ["loop", "if", "", "", "", "return"]


def test_annotation_comments_are_not_words_and_option_defaults_have_the_options_name() -> None:
    code = 'parser.add_argument("--lr", type=float, default=3e-4)  # paper: hp:learning_rate\n'
    (target,) = read_targets("train.py", code)
    assert target.text_words == ()
    assert target.literals == (Literal(3e-4, "lr"),)
    assert "lr" in target.body_words


def test_a_file_that_does_not_parse_has_no_targets() -> None:
    assert read_targets("broken.py", "def f(:\n") == []
