"""Counters and what steps them: the document class, packages, ``\\newtheorem``,
``\\numberwithin``, ``\\setcounter``, lists, footnotes and ``\\the<counter>`` definitions.
"""

from __future__ import annotations

import re

from pylatexenc.latexwalker import LatexMacroNode

from paperlink import boundary
from paperlink.paper.latex.host import _ReaderHost
from paperlink.paper.latex.nodes import _argument, _argument_text, _plain
from paperlink.paper.latex.state import (
    _CHAPTER_CLASSES,
    _KNOWN_CLASSES,
    _LIST_COUNTERS,
    _SECTION_PARENTS,
    _Anchor,
    _File,
    _integer,
)
from paperlink.paper.model import ItemKind, Limitation
from paperlink.paper.numbering import MAX_COUNTER_VALUE, arabic, parse_template, within
from paperlink.paper.texscan import (
    MacroTable,
    blank_noise,
    declare_comment_environments,
    expand_in_prose,
    find_definitions,
    prepare,
)
from paperlink.rules.paper_input import MalformedLatex, NumberingUnknown
from paperlink.spans import Span


# llncs's theorem-like environments besides theorem, claim and proof (llncs.cls, \spn@wtheorem)
_LLNCS_THEOREMS = (
    "case", "conjecture", "corollary", "definition", "example", "exercise", "lemma", "note", "problem",
    "property", "proposition", "question", "solution", "remark",
)  # fmt: skip
_LOAD_CLASS = re.compile(r"\\LoadClass(?:WithOptions)?\s*(?:\[[^\]]*\])?\s*\{([^}]+)\}")


def _expanded_class_code(text: str) -> str:
    """A class file with its own macros expanded: ucetd loads its base class as
    ``\\etdSuperClass{\\etdParentClass}{...}``, a macro whose body holds ``\\LoadClass[#2]{#1}``."""
    table = MacroTable.empty()
    return expand_in_prose(prepare(text, table).text, table)


class Counting(_ReaderHost):
    """Mixin of the LaTeX reader: counters, classes, packages, theorems, lists, footnotes."""

    def _setup_article(self) -> None:
        counters = self.counters
        counters.new("secnumdepth")
        counters.set("secnumdepth", 3)
        counters.new("part", template=(("value", "part", "Roman"),))
        for name, parent in (("section", None), *_SECTION_PARENTS.items()):
            counters.new(name, parent, within(parent, name) if parent else None)
        for name in ("equation", "figure", "table", "footnote", "algorithm", "algocf"):
            counters.new(name)
        counters.new("mpfootnote", template=(("value", "mpfootnote", "alph"),))
        counters.new("subfigure", "figure", (("value", "subfigure", "alph"),))
        counters.new("subtable", "table", (("value", "subtable", "alph"),))
        counters.prefixes["subfigure"] = (("the", "figure"),)
        counters.prefixes["subtable"] = (("the", "table"),)
        for depth, name in enumerate(_LIST_COUNTERS):
            style = ("arabic", "alph", "roman", "Alph")[depth]
            counters.new(name, template=(("value", name, style),))
        counters.prefixes["enumii"] = (("the", "enumi"),)
        counters.prefixes["enumiii"] = (("the", "enumi"), ("text", "("), ("the", "enumii"), ("text", ")"))
        counters.prefixes["enumiv"] = (
            ("the", "enumi"),
            ("text", "("),
            ("the", "enumii"),
            ("text", ")"),
            ("the", "enumiii"),
        )

    def _setup_class(self, name: str, span: Span, options: frozenset[str] = frozenset()) -> None:
        self.document_class = name
        counters = self.counters
        if name == "llncs":
            self._llncs_theorems(options)
        if name in _CHAPTER_CLASSES:
            counters.set("secnumdepth", 2)
            counters.new("chapter")
            counters.add_reset("section", "chapter")
            counters.set_template("section", within("chapter", "section"))
            counters.add_reset("footnote", "chapter")
            for counter in ("equation", "figure", "table"):
                counters.add_reset(counter, "chapter")
                counters.set_template(
                    counter,
                    (("positive", "chapter", (("the", "chapter"), ("text", "."))), ("value", counter, "arabic")),
                )
        if name == "IEEEtran" and "compsoc" not in options:  # compsoc numbers everything in Arabic
            counters.set_template("section", (("value", "section", "Roman"),))
            counters.set_template("subsection", (("the", "section"), ("text", "-"), ("value", "subsection", "Alph")))
            counters.set_template("subsubsection", (("the", "subsection"), ("value", "subsubsection", "arabic")))
            counters.set_template("table", (("value", "table", "Roman"),))
        if name not in _KNOWN_CLASSES:
            self.limitations.append(
                Limitation(f"document class '{name}' is not modelled; numbers assume the article class", span)
            )
            self._diagnose(
                span, NumberingUnknown, f"document class '{name}' is not modelled; numbers assume the article class"
            )
        elif name.startswith("revtex") or name == "memoir":
            self.limitations.append(
                Limitation(f"document class '{name}' numbers some items its own way; those numbers may differ", span)
            )

    def _llncs_theorems(self, options: frozenset[str]) -> None:
        """llncs defines its theorem-like environments itself: each with its own counter, or
        Theorem's (``envcountsame``), numbered within sections (``envcountsect``)."""
        within_section = "envcountsect" in options
        self.counters.new("theorem", "section" if within_section or "envcountreset" in options else None)
        if within_section:
            self.counters.set_template("theorem", within("section", "theorem"))
        self.theorems["theorem"] = ("theorem", "Theorem")
        for name in _LLNCS_THEOREMS:
            if "envcountsame" in options:
                self.theorems[name] = ("theorem", name.capitalize())
                continue
            self.counters.new(name, "section" if within_section or "envcountreset" in options else None)
            if within_section:
                self.counters.set_template(name, within("section", name))
            self.theorems[name] = (name, name.capitalize())
        for name in ("claim", "proof"):
            self.theorems[name] = (None, name.capitalize())

    # -- reading files ----------------------------------------------------------------

    def _on_numberwithin(self, node: LatexMacroNode, current: _File) -> None:
        style = (_argument_text(node, 0) or "").strip().lstrip("\\") or "arabic"
        counter = (_argument_text(node, 1) or "").strip()
        parent = (_argument_text(node, 2) or "").strip()
        if counter not in self.counters or parent not in self.counters:
            return
        if self._reset_cycle(node, current, counter, parent):
            return
        self.counters.set_template(counter, within(parent, counter, style))

    def _reset_cycle(self, node: LatexMacroNode, current: _File, counter: str, parent: str) -> bool:
        """Chain ``counter`` to ``parent``; a chain that would loop is reported and not made."""
        cycle = self.counters.add_reset(counter, parent)
        if cycle:
            self._diagnose(
                current.span(node.pos),
                MalformedLatex,
                f"\\{node.macroname}{{{counter}}}{{{parent}}} makes a counter reset cycle"
                f" ({' -> '.join(cycle)}); ignored",
            )
        return bool(cycle)

    def _on_counterwithin(self, node: LatexMacroNode, current: _File) -> None:
        starred = _argument(node, 0) is not None
        counter = (_argument_text(node, 1) or "").strip()
        parent = (_argument_text(node, 2) or "").strip()
        if counter not in self.counters or parent not in self.counters:
            return
        if node.macroname == "counterwithin":
            if self._reset_cycle(node, current, counter, parent):
                return
            if not starred:
                self.counters.set_template(counter, within(parent, counter))
        else:
            self.counters.remove_reset(counter)
            if not starred:
                self.counters.set_template(counter, arabic(counter))

    def _on_counter_value(self, node: LatexMacroNode, current: _File) -> None:
        counter = (_argument_text(node, 0) or "").strip()
        value_text = (_argument_text(node, 1) or "").strip()
        value = _integer(value_text, self.counters)
        if counter not in self.counters:
            return
        if value is None:
            span = current.span(node.pos)
            self._limitation(
                span,
                f"\\{node.macroname}{{{counter}}}{{{value_text}}}: value not understood; later numbers of '{counter}' may be wrong",
            )
            return
        total = value if node.macroname == "setcounter" else self.counters.value(counter) + value
        if abs(total) > MAX_COUNTER_VALUE:
            self._diagnose(
                current.span(node.pos),
                MalformedLatex,
                f"\\{node.macroname}{{{counter}}}: number too big (TeX's largest is {MAX_COUNTER_VALUE}); ignored",
            )
            return
        self.counters.set(counter, total)

    def _on_stepcounter(self, node: LatexMacroNode, current: _File) -> None:
        counter = (_argument_text(node, 0) or "").strip()
        if not counter:
            return
        if node.macroname == "stepcounter":
            self.counters.step(counter)
            return
        item = self._new_item(ItemKind.OTHER, None, current.span(node.pos), environment=counter, keep=False)
        item.number = self._refstep(counter, item)

    def _on_newcounter(self, node: LatexMacroNode, current: _File) -> None:
        counter = (_argument_text(node, 0) or "").strip()
        parent = (_argument_text(node, 1) or "").strip() or None
        if counter:
            self.counters.new(counter, parent if parent in self.counters else None)

    def _on_newtheorem(self, node: LatexMacroNode, current: _File) -> None:
        starred = _argument(node, 0) is not None
        name = (_argument_text(node, 1) or "").strip()
        shared = (_argument_text(node, 2) or "").strip() or None
        printed = _plain(_argument_text(node, 3) or name)
        parent = (_argument_text(node, 4) or "").strip() or None
        if not name or name in self.theorems:  # LaTeX refuses to define an environment twice
            return
        if starred:
            self.theorems[name] = (None, printed)
            return
        if shared:
            self.theorems[name] = (shared if shared in self.counters else None, printed)
            return
        self.counters.new(name, parent if parent in self.counters else None)
        self.theorems[name] = (name, printed)

    def _on_item(self, node: LatexMacroNode, current: _File) -> None:
        if not self.lists or self.lists[-1] != "enumerate" or _argument(node, 0) is not None:
            return
        depth = sum(1 for kind in self.lists if kind == "enumerate")
        counter = _LIST_COUNTERS[min(depth, 4) - 1]
        item = self._new_item(ItemKind.OTHER, None, current.span(node.pos), environment="item", keep=False)
        item.number = self._refstep(counter, item)

    def _on_footnote(self, node: LatexMacroNode, current: _File) -> None:
        with self._group():
            counter = "mpfootnote" if self.minipages else "footnote"
            explicit = _argument_text(node, 0)
            item = self._new_item(ItemKind.OTHER, None, current.span(node.pos), environment="footnote", keep=False)
            if explicit is not None and (value := _integer(explicit, self.counters)) is not None:
                saved = self.counters.value(counter)
                self.counters.set(counter, value - 1)
                item.number = self._refstep(counter, item)
                self.counters.set(counter, saved)
            else:
                item.number = self._refstep(counter, item)
            body = _argument(node, 1)
            if body is not None:
                self._walk([body], current, prose=False)

    def _on_footnotemark(self, node: LatexMacroNode, current: _File) -> None:
        """``\\footnotemark`` uses up a number without changing what labels see."""
        if _argument(node, 0) is None:
            self.counters.step("mpfootnote" if self.minipages else "footnote")

    def _on_footnotetext(self, node: LatexMacroNode, current: _File) -> None:
        """``\\footnotetext``: labels inside get the number of the last mark."""
        counter = "mpfootnote" if self.minipages else "footnote"
        with self._group():
            item = self._new_item(ItemKind.OTHER, None, current.span(node.pos), environment="footnote", keep=False)
            explicit = _integer(_argument_text(node, 0) or "", self.counters)
            if explicit is not None:
                saved = self.counters.value(counter)
                self.counters.set(counter, explicit)
                item.number = self.counters.label_text(counter)
                self.counters.set(counter, saved)
            else:
                item.number = self.counters.label_text(counter)
            self.anchors[-1] = _Anchor(item.number, item)
            body = _argument(node, 1)
            if body is not None:
                self._walk([body], current, prose=False)

    def _on_definition(self, node: LatexMacroNode, current: _File) -> None:
        index = _integer((_argument_text(node, 0) or "").strip(), self.counters)
        if index is None or index >= len(current.definitions):
            return
        definition = current.definitions[index]
        name = definition.macro.name
        if definition.environment_end is not None:
            return
        if name.startswith("the") and name[3:] in self.counters:
            template = parse_template(definition.macro.body)
            if template is None:
                self._limitation(
                    current.span(node.pos),
                    f"\\{name} is defined in a way paperlink cannot evaluate; '{name[3:]}' numbers are not known",
                )
                template = (("text", "?"),)
            self._set_template_locally(name[3:], template)
        elif "\\@currentlabel" in definition.macro.body:
            self._limitation(
                current.span(node.pos), f"\\{name} sets \\@currentlabel itself; labels after it may have other numbers"
            )
        elif name.startswith("p@") and name[2:] in self.counters:
            template = parse_template(definition.macro.body)
            if template is not None:
                self.counters.prefixes[name[2:]] = template

    def _on_documentclass(self, node: LatexMacroNode, current: _File) -> None:
        name = (_argument_text(node, 1) or "").strip()
        if not name or self.document_class:
            return
        # a known class shipped with the paper (llncs.cls beside it) is still that class
        base = None if name in _KNOWN_CLASSES else self._local_class_base(name, current)
        if base is None:
            options = frozenset("".join(o.split()) for o in (_argument_text(node, 0) or "").split(","))
            self._setup_class(name, current.span(node.pos), options)
            return
        self._setup_class(base, current.span(node.pos))
        self.document_class = name
        self.limitations.append(
            Limitation(
                f"document class '{name}' is read as its base class '{base}'; numbering it changes itself is not seen",
                current.span(node.pos),
            )
        )

    def _local_class_base(self, name: str, current: _File) -> str | None:
        """The standard class a class file shipped with the paper loads (``\\LoadClass{book}``)."""
        for folder in (current.path.parent, self.main.parent):
            try:
                text = boundary.read_text(folder / f"{name}.cls", self.paper_dir, errors="replace")
            except OSError:
                continue
            for code in (text, _expanded_class_code(text)):
                loaded = _LOAD_CLASS.search(code)
                if loaded and loaded.group(1).strip() in _KNOWN_CLASSES:
                    return loaded.group(1).strip()
        return None

    def _local_package(self, name: str, current: _File) -> None:
        """What a package shipped with the paper declares that changes which text TeX reads:
        the comment package's ``\\excludecomment`` environments (hevea.sty's ``htmlonly``); and its macros."""
        for folder in dict.fromkeys((current.path.parent, self.main.parent)):
            try:
                text = boundary.read_text(folder / f"{name}.sty", self.paper_dir, errors="replace")
            except OSError:
                continue
            quiet = blank_noise(text)
            if "comment" in text:
                declare_comment_environments(quiet, self.macros)
            self._package_macros(quiet)
            return

    def _package_macros(self, text: str) -> None:
        """The macros a package shipped with the paper defines (notation.sty's ``\\rmd``), kept for
        rendering math only: the reader never expands them, so they change no structure or number.
        Internal ones (``\\@...``) and the paper's own names are left out."""
        _, definitions, _ = find_definitions(text)
        for definition in definitions:
            macro = definition.macro
            if definition.environment_end is None and "@" not in macro.name + macro.body:
                self.package_macros.setdefault(macro.name, macro)

    def _on_usepackage(self, node: LatexMacroNode, current: _File) -> None:
        options = {"".join(o.split()) for o in (_argument_text(node, 0) or "").split(",")}
        for package in (p.strip() for p in (_argument_text(node, 1) or "").split(",")):
            self._local_package(package, current)
            if package == "algorithm2e":
                self.algorithm_counter = "algocf"
                self.algorithm2e_environment = "algorithm2e" if "algo2e" in options else "algorithm"
                for parent in ("chapter", "section", "part"):
                    if f"algo{parent}" in options and parent in self.counters:
                        self.counters.add_reset("algocf", parent)
                        self.counters.set_template("algocf", within(parent, "algocf"))
            elif package == "algorithm":
                for parent in ("chapter", "section"):
                    if parent in options and parent in self.counters:
                        self.counters.add_reset("algorithm", parent)
                        self.counters.set_template("algorithm", within(parent, "algorithm"))
            elif package in ("caption", "subcaption") or (package == "subfig" and "caption=false" not in options):
                self.caption_package = True
            elif package in ("algorithmic", "algpseudocode", "algorithmicx"):
                self.algorithm_style = "algorithmic" if package == "algorithmic" else "algpseudocode"
                self.algorithm_ends = "noend" not in options
