"""Structural reading of a generated page with the stdlib HTML parser."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

__all__ = ["PageStructure", "parse_page"]


@dataclass
class PageStructure:
    ids: Counter = field(default_factory=Counter)
    hrefs: list[str] = field(default_factory=list)
    scripts: int = 0
    handler_attributes: list[tuple[str, str]] = field(default_factory=list)  # on*= attributes
    tags: Counter = field(default_factory=Counter)
    external: list[str] = field(default_factory=list)  # src/href/action values that leave the page
    rows: list[dict[str, str]] = field(default_factory=list)  # attributes of each <tr>


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found = PageStructure()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = self.found
        found.tags[tag] += 1
        if tag == "script":
            found.scripts += 1
        if tag == "tr":
            found.rows.append({k: v or "" for k, v in attrs})
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                found.handler_attributes.append((tag, name))
            if name == "id":
                found.ids[value] += 1
            if name == "href":
                found.hrefs.append(value)
            if name in (
                "src",
                "href",
                "action",
                "formaction",
                "srcset",
                "data",
                "poster",
                "background",
            ) and not value.startswith("#"):
                found.external.append(value)

    handle_startendtag = handle_starttag


def parse_page(html: str) -> PageStructure:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.found
