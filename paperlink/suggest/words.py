"""Words on both sides: identifiers split, LaTeX symbols spelled out, synonyms folded.

Paper and code name the same thing differently (``\\tau`` and ``temp``, "learning rate" and
``lr``); both sides become the same small vocabulary here, so the ranking compares words.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

__all__ = ["words", "latex_words", "latex_operators", "STOP_WORDS"]

_PART = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+(?:\.\d+)?")
_COMMAND = re.compile(r"\\([A-Za-z]+)")
_TEXT_ARGUMENT = re.compile(r"\\(?:text|mathrm|operatorname|textrm|textit|texttt|mbox|mathit)\s*\{([^{}]*)\}")

STOP_WORDS = frozenset(
    "a an the of and or for to in on at by from is are be as it its we our this that with into via per over all "
    "each not no use using used then than which where when while if else so such can may also these those there "
    "here one two three let given see eq eqs sec fig tab alg algorithm equation section figure table appendix "
    "self cls none true false return def class import np torch tf nn args kwargs i j k x y n m t".split()
)

# Spelled-out forms: each group is one concept; the first member is how it is reported.
_SYNONYMS = (
    ("lr", "learning", "eta"),
    ("std", "sigma", "stddev", "deviation"),
    ("temperature", "tau", "temp"),
    ("eps", "epsilon"),
    ("lam", "lambda", "lambd"),
    ("momentum", "mom"),
    ("weight_decay", "wd", "decay", "l2"),
    ("batch", "bs", "minibatch"),
    ("epoch", "epochs"),
    ("iteration", "iter", "iters", "steps"),
    ("reconstruction", "rec", "recon"),
    ("gradient", "grad", "grads", "nabla", "derivative"),
    ("loss", "objective", "cost", "criterion"),
    ("mean", "average", "avg", "expectation", "expected"),
    ("variance", "var"),
    ("probability", "prob", "probs"),
    ("log", "logarithm"),
    ("distribution", "dist"),
    ("parameter", "param", "params", "theta", "weights"),
    ("dimension", "dim", "dims"),
    ("hidden", "hid"),
    ("layer", "layers"),
    ("sample", "samples", "sampling", "sampled", "draw"),
    ("noise", "noisy"),
    ("update", "updates", "step_update"),
    ("initial", "init", "initialization", "initialize", "initialise", "initialisation"),
    ("velocity", "vel", "v"),
    ("position", "pos"),
    ("optimizer", "optim", "optimise", "optimize", "optimization", "optimisation"),
    ("estimator", "estimate", "est", "estimation"),
    ("regularization", "regularizer", "reg", "regularisation", "regulariser"),
    ("encoder", "enc", "encode"),
    ("decoder", "dec", "decode"),
    ("attention", "attn"),
    ("number", "num", "count"),
    ("solver", "solve", "integrator", "integrate"),
    ("error", "err"),
    ("tolerance", "tol", "atol", "rtol"),
    ("discount", "gamma"),
    ("target", "tgt"),
    ("teacher", "teach"),
    ("student", "stud"),
    ("augmentation", "aug", "augs", "augment", "transform"),
    ("projection", "proj", "project", "projector"),
    ("normalization", "norm", "normalize", "normalise", "normalisation"),
    ("embedding", "embed", "emb"),
    ("buffer", "buf", "memory", "replay"),
    ("observation", "obs", "state"),
    ("action", "act", "actions"),
    ("reward", "rew"),
    ("store", "add", "push", "append", "insert"),
    ("next", "nxt"),
    ("copy", "sync", "clone", "synchronize", "synchronise"),
    ("hyperparameter", "config", "configuration", "cfg", "hparam", "hparams", "hyperparam", "setting"),
)
_CANONICAL = {member: group[0] for group in _SYNONYMS for member in group}

# LaTeX commands whose name is a word code uses (Greek letters, operators).
_MARKUP = (
    "state statex comment label textbf mathbf bfseries boldsymbol bm mathrm mathit mathsf mathbb mathcal end begin "
    "hfill vspace hspace left right big bigg bigl bigr cdot cdots ldots dots quad qquad frac dfrac tfrac text mbox "
    "require ensure return for endfor while endwhile if endif else to do gets leftarrow rightarrow top tra emph "
    "textit texttt hat tilde bar overline widehat widetilde mathop limits displaystyle scriptstyle nonumber notag "
    "scalebox strut minipage baselineskip cm pt em in sim mid le leq ge geq neq approx times ref eqref cite citep citet"
)
_SPELLED = {word: "" for word in _MARKUP.split()}
_SPELLED |= {
    "nabla": "gradient",
    "partial": "gradient",
    "sum": "sum",
    "prod": "product",
    "log": "log",
    "exp": "exp",
    "sqrt": "sqrt",
    "max": "max",
    "min": "min",
    "argmax": "argmax",
    "argmin": "argmin",
    "mathbb": "",
    "lVert": "normalization",
    "Vert": "normalization",
    "tanh": "tanh",
    "sigmoid": "sigmoid",
    "softmax": "softmax",
}

# Equation operators and the calls that implement them.
_OPERATORS = (
    ("sum", re.compile(r"\\sum\b")),
    ("mean", re.compile(r"\\mathbb\s*\{?E\}?|\\frac\s*\{?1\}?\s*\{[^{}]*\}\s*\\sum|\\E\b|\\mathop\{\\mathbb\{E\}\}")),
    ("log", re.compile(r"\\log\b")),
    ("exp", re.compile(r"\\exp\b|e\^\{")),
    ("softmax", re.compile(r"softmax")),
    ("norm", re.compile(r"\\\|[^|]|\\lVert|\\Vert|\\|\|\\mathrm\{norm\}|\\operatorname\{norm\}")),
    ("sg", re.compile(r"\\?(?:operatorname|mathrm|text)?\{?(?:sg|stopgrad|stop_?grad)\b")),
    ("sqrt", re.compile(r"\\sqrt\b")),
    ("square", re.compile(r"\^\{?2\}?")),
    ("grad", re.compile(r"\\nabla|\\partial|\\frac\{\\?d")),
    ("max", re.compile(r"\\max\b")),
    ("min", re.compile(r"\\min\b")),
)


def _fold(word: str) -> str:
    word = word.lower()
    if word in _CANONICAL:
        return _CANONICAL[word]
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    if word in _CANONICAL:
        return _CANONICAL[word]
    # a light stemmer, the same on both sides: caching/cache, learned/learn, features/feature
    for suffix in ("ing", "ed"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            word = word[: -len(suffix)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
                word = word[:-1]
            break
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return _CANONICAL.get(word, _CANONICAL.get(word + "e", word))


def words(text: str) -> list[str]:
    """The words of ``text`` (identifiers split at ``_`` and case changes), folded, without stop words."""
    return list(_words(text))


@functools.lru_cache(maxsize=65536)
def _words(text: str) -> tuple[str, ...]:
    found = []
    for part in _PART.findall(text.replace("_", " ")):
        folded = _fold(part)
        if folded not in STOP_WORDS and (len(folded) > 1 or folded.isdigit()) and not folded[0].isdigit():
            found.append(folded)
    return tuple(found)


def latex_words(latex: str) -> list[str]:
    """The words of a LaTeX fragment: ``\\text{...}`` arguments, symbol names spelled out."""
    found: list[str] = []
    for argument in _TEXT_ARGUMENT.findall(latex):
        found.extend(words(argument))
    body = _TEXT_ARGUMENT.sub(" ", latex)
    for command in _COMMAND.findall(body):
        spelled = _SPELLED.get(command, command)
        if spelled:
            found.extend(words(spelled))
    body = _COMMAND.sub(" ", body)
    found.extend(words(body))
    if re.search(r"\\mathcal\s*\{?L\}?|\\ell\b", latex):
        found.append("loss")
    return found


def latex_operators(latex: str) -> set[str]:
    """The operators an equation applies: sum, mean, log, exp, softmax, norm, sg, sqrt, square, grad, max, min."""
    return {name for name, pattern in _OPERATORS if pattern.search(latex)}


def unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        seen.setdefault(value, None)
    return list(seen)
