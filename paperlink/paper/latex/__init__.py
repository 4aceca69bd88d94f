"""Read a paper's LaTeX source into a :class:`~paperlink.paper.model.Paper`, numbered as pdflatex prints it.

Files are read in document order, following ``\\input``/``\\include``/``\\subfile``/
``\\import``; each is prepared by :mod:`paperlink.paper.texscan` (comments and
definitions lifted, structural macros expanded), parsed once by pylatexenc and walked once.
Counters live in :mod:`paperlink.paper.numbering`; which environment steps what is decided
here. Problems in the source are diagnostics (PL010-PL018) and reading goes on.

This package is the only place paperlink imports pylatexenc.
"""

from paperlink.paper.latex.reader import read_latex_paper

__all__ = ["read_latex_paper"]
