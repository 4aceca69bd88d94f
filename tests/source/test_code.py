"""The code model the rules read: qualified names from imports, positions, directives."""

from __future__ import annotations

import ast
from pathlib import Path

from paperlink.source.code import CodeModule, module_name, read_code
from paperlink.source.files import SourceText
from paperlink.source.parse import parse_source


def _code(text: str, relative: str = "pkg/mod.py") -> CodeModule:
    parsed = parse_source(SourceText(Path(relative), relative, text))
    code = read_code(parsed)
    assert isinstance(code, CodeModule)
    return code


def _calls(code: CodeModule) -> list[str | None]:
    return [code.call_name(node) for node in ast.walk(code.tree) if isinstance(node, ast.Call)]


def test_aliases_resolve_to_one_qualified_name() -> None:
    code = _code(
        "import torch as T\n"
        "from torch import no_grad as ng\n"
        "import torch.nn.functional as F\n"
        "from torch.nn import functional\n"
        "T.no_grad()\nng()\nF.relu(x)\nfunctional.relu(x)\nfloat(x)\nunknown()\n"
    )
    assert sorted(map(str, _calls(code))) == sorted(
        [
            "torch.no_grad",
            "torch.no_grad",
            "torch.nn.functional.relu",
            "torch.nn.functional.relu",
            "builtins.float",
            "None",
        ]
    )


def test_imports_inside_functions_and_relative_imports() -> None:
    code = _code(
        "def f():\n    import numpy as np\n    np.mean(x)\nfrom ..util import helper\nhelper()\n", "pkg/sub/mod.py"
    )
    assert sorted(_calls(code)) == ["numpy.mean", "pkg.util.helper"]


def test_a_module_level_definition_shadows_a_builtin() -> None:
    code = _code("def float(x):\n    return x\nfloat(1)\n")
    assert _calls(code) == [None]


def test_spans_count_characters_not_bytes() -> None:
    code = _code("s = 'é'; t.detach()\n")
    call = next(node for node in ast.walk(code.tree) if isinstance(node, ast.Call))
    span = code.span(call)
    assert (span.line, span.column, span.end_column) == (1, 10, 20)
    assert code.lines[0][span.column - 1 : span.end_column - 1] == "t.detach()"


def test_directives_apply_to_their_statement() -> None:
    code = _code(
        "def f(x):\n"
        "    # paperlink: stop-grad target network per Sec. 3.2\n"
        "    y = x.detach()\n"
        "    z = x.detach()  # paperlink: stop-grad logging only\n"
        "    return x.detach()\n"
    )
    calls = [node for node in ast.walk(code.tree) if isinstance(node, ast.Call)]
    assert [code.directives_for(call) for call in sorted(calls, key=lambda c: c.lineno)] == [
        ["stop-grad target network per Sec. 3.2"],
        ["stop-grad logging only"],
        [],
    ]


def test_scope_names_and_enclosing_function() -> None:
    code = _code("class Model:\n    def forward(self, x):\n        return x.detach()\n")
    call = next(node for node in ast.walk(code.tree) if isinstance(node, ast.Call))
    assert code.scope_name(call) == "Model.forward"
    assert code.enclosing_function(call).name == "forward"


def test_python_it_cannot_parse_is_a_syntax_error_not_a_crash() -> None:
    parsed = parse_source(
        SourceText(Path("new.py"), "new.py", "match = 1\nprint(f'{1 if True else 2=}')\nx = (yield)\n")
    )
    assert isinstance(read_code(parsed), (CodeModule, SyntaxError))


def test_module_names() -> None:
    assert module_name("pkg/sub/mod.py") == "pkg.sub.mod"
    assert module_name("pkg/__init__.py") == "pkg"
