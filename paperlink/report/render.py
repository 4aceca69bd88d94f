"""The page's HTML: jinja2 templates (autoescape on, StrictUndefined) over the view model.

The templates live in the top-level ``templates/`` folder of the source tree; the wheel
ships them as ``paperlink/templates`` (hatch force-include). CSS and JavaScript are inlined,
and the page's Content-Security-Policy allows exactly those two blocks by their hashes:
nothing else can load or run, even from a file:// URL.
"""

from __future__ import annotations

import base64
import hashlib
from importlib import resources
from pathlib import Path

from markupsafe import Markup

from paperlink.escaping import markup_visible, visible
from paperlink.report.views import Page

__all__ = ["templates_folder", "render_page"]


def templates_folder() -> Path:
    """Where the templates are: inside the installed package, else beside it in a checkout."""
    installed = Path(str(resources.files("paperlink") / "templates"))
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[2] / "templates"


def _hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _shown(value: object) -> object:
    """Every value the templates print, before autoescaping: control and bidi characters of
    project names and text made visible (a bidi override would reorder what a reader sees)."""
    if isinstance(value, Markup):
        return Markup(markup_visible(str(value)))
    return visible(value) if isinstance(value, str) else value


def render_page(page: Page) -> str:
    import jinja2

    folder = templates_folder()
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_shown,
    )
    style = (folder / "report.css").read_text(encoding="utf-8")
    script = (folder / "report.js").read_text(encoding="utf-8")
    return environment.get_template("report.html.j2").render(
        page=page,
        style=Markup(style),
        style_hash=_hash(style),
        script=Markup(script),
        script_hash=_hash(script),
    )
