"""Hostile text anywhere in the inputs reaches the page only as text."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from paperlink.config import load_config
from paperlink.engine import check
from paperlink.report import render_html
from tests.report.pagecheck import parse_page

PAPER = r"""\documentclass{article}
\usepackage{amsmath}
\newcommand{\evil}{\text{<script>alert(1)</script>}}
\newcommand{\img}{\text{"><img src=x onerror=alert(2)>}}
\title{<script>alert(3)</script> "><img src=x onerror=alert(4)>}
\author{</textarea><script>alert(5)</script>}
\begin{document}
\section{<script>alert(6)</script> javascript:alert(7)}\label{sec:"><img src=x onerror=alert(8)>}
\begin{equation}\label{javascript:alert(9)}
  x = \evil + \img
\end{equation}
\begin{table}
\caption{</textarea><img src=x onerror=alert(10)> javascript:alert(11)}\label{tab:<script>alert(12)</script>}
\begin{tabular}{lr}
Learning rate & 0.1 \\
\end{tabular}
\end{table}
\end{document}
"""

CODE = """# </textarea><script>alert(13)</script>
x = "<script>alert(14)</script>"  # paper: javascript:alert(9)
y = 1  # paper: sec:"><img src=x onerror=alert(8)>
z = 2  # paper: <script>alert(15)</script>
w = 3  # paper: tab:<script>alert(12)</script>
"""

HOSTILE = '</textarea><script>alert(16)</script>"><img src=x onerror=alert(17)>javascript:alert(18)'


def _span(path: str, line: int) -> dict:
    return {"path": path, "line": line, "column": 1, "end_line": line, "end_column": 2}


def _hostile_sections(path: str) -> dict:
    return {
        "gradient_stops": [
            {
                "span": _span(path, 2),
                "kind": HOSTILE,
                "api": HOSTILE,
                "context": "training",
                "function": HOSTILE,
                "documented_by": "justification",
                "items": [{"paper": HOSTILE, "item": HOSTILE}],
                "justification": HOSTILE,
            }
        ],
        "hidden_inputs": {
            "globals": [
                {
                    "name": HOSTILE,
                    "span": _span(HOSTILE, 1),
                    "kind": HOSTILE,
                    "read_by": [HOSTILE],
                    "written_by": [HOSTILE],
                }
            ],
            "env_vars": [{"name": HOSTILE, "span": _span(path, 3), "function": HOSTILE}],
            "seeds": [{"library": HOSTILE, "value": HOSTILE, "span": _span(path, 1), "configurable": True}],
            "nondeterminism": [{"setting": HOSTILE, "span": _span(path, 1), "documented": False}],
        },
        "environment": {
            "files": [
                {
                    "path": HOSTILE,
                    "kind": HOSTILE,
                    "lock": False,
                    "versions": [],
                    "pins": [
                        {
                            "package": HOSTILE,
                            "written": HOSTILE,
                            "spec": HOSTILE,
                            "exact": False,
                            "span": _span(HOSTILE, 1),
                        }
                    ],
                }
            ],
            "versions": {
                "python": {
                    "name": "python",
                    "version": HOSTILE,
                    "fixed": False,
                    "via": HOSTILE,
                    "span": _span(HOSTILE, 1),
                }
            },
            "packages": [
                {
                    "module": HOSTILE,
                    "status": HOSTILE,
                    "first_import": _span(path, 1),
                    "pins": [{"path": HOSTILE, "line": 1, "written": HOSTILE, "spec": HOSTILE}],
                }
            ],
        },
        "hyperparameters": [
            {
                "name": HOSTILE,
                "paper": {
                    "paper": "evil",
                    "item": HOSTILE,
                    "number": HOSTILE,
                    "value": HOSTILE,
                    "span": _span(path, 1),
                },
                "code": [
                    {
                        "value": HOSTILE,
                        "numeric": None,
                        "span": _span(path, 1),
                        "source": HOSTILE,
                        "configurable": True,
                        "api": HOSTILE,
                    }
                ],
                "status": HOSTILE,
            }
        ],
    }


def _hostile_project(root: Path) -> Path:
    (root / "pyproject.toml").write_text('[tool.paperlink]\npapers = { evil = "paper.tex" }\n', encoding="utf-8")
    (root / "paper.tex").write_text(PAPER, encoding="utf-8")
    (root / '"><img src=x onerror=alert(19)>.py').write_text(CODE, encoding="utf-8")
    return root


def test_hostile_inputs_never_become_markup(tmp_path: Path) -> None:
    root = _hostile_project(tmp_path)
    report = check(load_config(None, root), [root], jobs=1)
    code_file = '"><img src=x onerror=alert(19)>.py'
    assert code_file in report.checked_paths
    report = dataclasses.replace(report, sections=_hostile_sections(code_file))
    html = render_html(report)
    found = parse_page(html)
    assert found.scripts == 1  # ours, allowed by its hash in the page's Content-Security-Policy
    assert found.handler_attributes == []
    assert found.external == []  # no javascript: (or any other) URL in href/src
    assert [
        tag for tag in ("img", "textarea", "iframe", "object", "embed", "svg", "base", "form") if found.tags[tag]
    ] == ["svg", "form"]
    # ours only: the graph and the five status swatches of its legend
    assert found.tags["svg"] == 6 and html.count('<svg xmlns="http://www.w3.org/2000/svg" class="blueprint"') == 1
    assert html.count('<svg class="swatch" width="30" height="18" aria-hidden="true">') == 5
    # the blueprint's node titles carry the hostile caption, as text
    blueprint = html[html.index('<section id="blueprint">') :]
    blueprint = blueprint[: blueprint.index("</section>")]
    assert (
        "<title>Table 1 &lt;/textarea&gt;&lt;img src=x onerror=alert(10)&gt; javascript:alert(11): not counted</title>"
        in blueprint
    )
    lowered = html.lower()
    assert "<script>alert" not in lowered and "<img" not in lowered and "</textarea>" not in lowered
    assert "javascript:" not in "".join(found.hrefs)
    # the hostile text did reach the page, as text
    for number in (1, 3, 5, 6, 13, 14, 16):
        assert f"&lt;script&gt;alert({number})&lt;/script&gt;" in html, number
    for number in (4, 10, 17, 19):
        assert f"&lt;img src=x onerror=alert({number})&gt;" in html, number
    environment = html[html.index('<section id="environment">') :]
    environment = environment[: environment.index("</section>")]
    # as text, twelve times: version, via, where; file, kind, pin name and spec; module, status, pin path, name, spec
    assert environment.count("&lt;script&gt;alert(16)&lt;/script&gt;") == 12


def test_the_only_form_is_the_findings_filter(tmp_path: Path) -> None:
    root = _hostile_project(tmp_path)
    html = render_html(check(load_config(None, root), [root], jobs=1))
    assert html.count("<form") == 1 and '<form class="filters" id="filters">' in html


def test_snippets_and_selection_data_carry_hostile_text_as_text(tmp_path: Path) -> None:
    """The code beside the paper repeats hostile code lines and labels: escaped like the code view."""
    import re

    root = _hostile_project(tmp_path)
    html = render_html(check(load_config(None, root), [root], jobs=1))
    snippets = re.findall(r'<figure class="snippet">.*?</figure>', html, re.S)
    assert len(snippets) == 2
    assert '<a href="#f0-2">&#34;&gt;&lt;img src=x onerror=alert(19)&gt;.py:2</a>' in snippets[0]
    assert '<span class="s">"&lt;script&gt;alert(14)&lt;/script&gt;"</span>' in snippets[0]
    assert "&lt;/textarea&gt;&lt;script&gt;alert(13)&lt;/script&gt;" in snippets[0]  # context line
    for snippet in snippets:
        found = parse_page(snippet)
        assert found.scripts == 0 and found.handler_attributes == [] and not found.tags["img"]
    assert re.findall(r'data-key="[^"]*"', html) == [
        'data-key="sec:&#34;&gt;&lt;img src=x onerror=alert(8)&gt;"',
        'data-key="javascript:alert(9)"',
        'data-key="tab:&lt;script&gt;alert(12)&lt;/script&gt;"',
        'data-key="hp:learning_rate"',
    ]
    assert 'data-name="1 &lt;script&gt;alert(6)&lt;/script&gt; javascript:alert(7)"' in html
