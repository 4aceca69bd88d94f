"""Whose value a statement is and where it holds, read from the words around it.

* Provenance: a sentence whose subject is other work ("\\citet{x} set $t=.45$", "[12] runs
  its planner with 1000 samples", "Smith et al. use ...") describes that work: its values are
  ``cited``, listed and never checked. A sentence with "we" or "our" is the paper's own, even
  when it cites ("we follow \\citet{x} and use ...").
* Hypotheticals: an assignment in a worked example, a limit, a condition or an ablation arm
  ("with $\\lambda=0$ we recover ...", "e.g. $k=1$", "say, $\\gamma = 0.9$", "when $\\gamma =
  0.98$, ...", "unlike the $\\lambda=1$ setting"), or a measurement ("$\\beta = 0.21 \\pm 0.02$,
  $R^2 = 0.991$") is not the paper's setting; such sentences are skipped for symbol assignments.
* Qualifiers: "inner step size", "critic learning rate", "final learning rate" are not the
  canonical ``learning_rate``.
* Arms: a value under an ablation or sensitivity heading is one arm the study compares (a
  member of a set), never the method's setting.
* Scope: a sentence whose subject is one named experiment ("The Cart Pole experiments were run
  for ...") scopes its values to it; else the innermost heading that names an experiment; the method's own sections and
  generic headings ("Experiments", "Implementation details") hold globally.

Regexes are compiled on first use.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

__all__ = [
    "sentence_bounds",
    "is_cited",
    "is_hypothetical",
    "is_qualified",
    "is_generic",
    "scope_of",
    "scope_words",
    "caption_scope",
    "sentence_scope",
    "is_ablation",
]


@functools.cache
def _patterns() -> dict[str, re.Pattern[str]]:
    return {
        # A full stop ends a sentence unless it ends an abbreviation ("e.g.", "et al.", "Fig.").
        "end": re.compile(
            r"(?<!\be\.g)(?<!\bi\.e)(?<!\bet al)(?<!\bFig)(?<!\bEq)(?<!\bSec)(?<!\bvs)(?<!\bcf)(?<!\bapprox)"
            r"[.!?](?=\s+[A-Z\\$(`'\[])|\n\s*\n"
        ),
        "first_person": re.compile(r"\b(?:we|our|us|ours)\b", re.IGNORECASE),
        "cited_subject": re.compile(
            r"\\(?:citet|citeauthor|citeN|textcite|Citet|citeasnoun)\*?(?:\[[^\]]*\])*\{|\bet[\s~]+al\.?"
            r"|^\s*\[\d+(?:,\s*\d+)*\]|\b(?:they|their|the original (?:paper|work|implementation))\b"
            # "SimCLR~\cite{x}: ... batch size 4096", "[12] runs its planner with ..."
            r"|\\cite[pt]?\*?(?:\[[^\]]*\])*\{[^{}]*\}\s*(?::|\)?\s*(?:uses?|used|trains?|trained|sets?|runs?|ran"
            r"|employs?|employed|adopts?|adopted|reports?|reported)\b)",
            re.IGNORECASE,
        ),
        "hypothetical": re.compile(
            r"\b(?:e\.g\.|i\.e\.|for example|for instance|suppose|consider|recovers?|reduces? to|special case"
            r"|limit|unlike|in contrast|if|whenever|assume|assuming|example|illustrat\w*|toy|shows?|shown|depicts?"
            r"|figure|fit|fitted|fits|estimated?|obtain(?:s|ed)?|yields?|peaks?|declines?|around|converges?|vs|versus"
            r"|suggests?|compared|say|would|could)\b"
            # "when $\gamma = 0.98$, we store ...": a condition; "$\beta = 0.21 \pm 0.02$": a measurement
            r"|\bwhen\s+\$|\\pm(?![A-Za-z])|\u00b1"
            r"|\\figurename",
            re.IGNORECASE,
        ),
        "qualifier": re.compile(
            r"\b(?:inner|outer|meta|critic|actor|teacher|student|final|end|decoder|encoder|unrolled"
            r"|discriminator|generator|control variate|value function|head|backbone|embedding|prior|posterior"
            r"|per[\s-]layer|layer[\s-]wise|caching|fine[\s-]?tuning|pre[\s-]?training|probe|probing|convolutions?"
            r"|fully[\s-]connected|scaling)\b",
            re.IGNORECASE,
        ),
        "experiment_heading": re.compile(
            r"\b(?:experiments?|experimental|results?|evaluations?|benchmarks?|empirical|ablations?|appendix"
            r"|supplementary|case stud(?:y|ies)|applications?)\b",
            re.IGNORECASE,
        ),
        # a sentence whose subject is one named experiment: "The Cart Pole experiments were run ..."
        "subject_experiment": re.compile(
            r"\s*(?:(?:For|On|In)\s+)?[Tt]he\s+(?P<name>(?:[A-Z][\w-]*\s+){1,3})"
            r"(?:experiments?|tasks?|environments?|runs?|domains?|benchmarks?|games?)\b"
        ),
        "ablation_heading": re.compile(r"\b(?:ablations?|ablating|sensitivity)\b", re.IGNORECASE),
        "method_heading": re.compile(
            r"\b(?:method(?:s|ology)?|approach|proposed|framework|our model|model design|architecture"
            r"|preliminar\w*|background|formulation|objective|training recipe)\b",
            re.IGNORECASE,
        ),
    }


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """Sentences of a paragraph as (start, end) offsets, covering it."""
    bounds = []
    start = 0
    for match in _patterns()["end"].finditer(text):
        bounds.append((start, match.end()))
        start = match.end()
    bounds.append((start, len(text)))
    return bounds


def is_cited(sentence: str) -> bool:
    """Whether a sentence describes other work: a citation or "they" as its subject, no "we"."""
    patterns = _patterns()
    return patterns["cited_subject"].search(sentence) is not None and patterns["first_person"].search(sentence) is None


def is_hypothetical(sentence: str) -> bool:
    """Whether a sentence states a worked example, a limit or an ablation arm."""
    return _patterns()["hypothetical"].search(sentence) is not None


def is_qualified(name: str) -> bool:
    """Whether a name carries a word that changes what a vocabulary name means."""
    return _patterns()["qualifier"].search(name) is not None


def scope_words(title: str) -> str:
    """A heading or column as scope words: lowercase, markup, punctuation and generic words
    ("hyper-parameters for ACG" -> "acg") removed."""
    text = re.sub(r"\\[A-Za-z]+\*?|[{}$~\\]", " ", title)
    words = re.sub(r"[^a-z0-9+-]+", " ", text.lower()).split()
    kept = [word.strip("-+") for word in words if word.replace("-", "") not in _GENERIC_WORDS]
    return " ".join(word for word in kept if word)


# Words of headings that name no experiment: "Experimental setup", "Additional implementation
# details", "Results and discussion". A heading made only of these holds for the whole paper.
_GENERIC_WORDS = frozenset(
    """a an and the of for in on our with to details detail additional experimental experiments experiment
    setup set up settings setting results result implementation implementations training train hyperparameters
    hyperparameter hyper parameters parameter choices search tuning method methods methodology approach model
    models framework algorithm architecture architectures network networks evaluation protocol design appendix
    supplementary material background preliminaries introduction conclusion conclusions discussion overview
    related work baselines baseline datasets dataset data optimization optimisation ablation ablations study
    studies analysis reproducibility computational main further more other general procedure recipe summary
    theorem lemma proof proofs shared used use common default same identical across all every each both
    task tasks environments games runs by from at as over per using via under is are we""".split()
)


def _title(heading: str) -> str:
    return " ".join(re.sub(r"\\[A-Za-z]+\*?|[{}$~]", " ", heading).split())


def is_generic(title: str) -> bool:
    """Whether a heading or caption names no experiment (only words such as "experimental setup")."""
    words = re.findall(r"[a-z0-9]+", title.lower())
    return all(word in _GENERIC_WORDS or word.isdigit() for word in words)


def scope_of(headings: Sequence[str], *, appendix: bool = False) -> str:
    """The scope of a statement under ``headings`` (outermost first): the innermost heading
    that names something, inside a part that reports experiments (a heading such as
    "Experiments", "Results", "Evaluation", or the appendix). The method's description holds
    for the whole paper ("" = global), however its subsections are titled."""
    patterns = _patterns()
    for index in range(len(headings) - 1, -1, -1):
        title = _title(headings[index])
        if not title or is_generic(title):
            continue
        outer = headings[:index]
        if any(patterns["method_heading"].search(heading) for heading in (*outer, title)):
            return ""
        if appendix or any(patterns["experiment_heading"].search(heading) for heading in outer):
            return scope_words(title)
        return ""
    return ""


def is_ablation(headings: Sequence[str]) -> bool:
    """Whether a statement is under a heading of an ablation or sensitivity study, whose values
    are the arms it compares, not the method's settings."""
    return any(_patterns()["ablation_heading"].search(heading) for heading in headings)


def sentence_scope(sentence: str) -> str | None:
    """The experiment a sentence names as its subject ("The Cart Pole experiments were run for
    250,000 frames." -> "cart pole"), or None: its values hold for that experiment only."""
    match = _patterns()["subject_experiment"].match(sentence)
    return scope_words(match["name"]) or None if match else None


def caption_scope(caption: str) -> str | None:
    """A table's scope from its caption's first sentence, or None where it names nothing
    ("Hyperparameters.")."""
    first = re.split(r"(?<=[a-z)])\.\s", _title(caption), maxsplit=1)[0]
    return None if not first or is_generic(first) else scope_words(first)
