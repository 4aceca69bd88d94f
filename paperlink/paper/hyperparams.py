"""Hyperparameters a paper states, read from LaTeX source.

Papers state them in running prose ("a learning rate of $3\\times10^{-4}$") and in the
rows of hyperparameter tables. The LaTeX reader hands this module raw LaTeX substrings;
everything here uses the standard library only, so readers can change without touching it.
Keys are canonical snake_case names without the ``hp:`` prefix (``learning_rate``,
``adam.beta1``, ``gamma``); names outside the known vocabulary become slugs.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass

from paperlink.numbers import LATEX_NUMBER_IN_TEXT, parse_latex_number
from paperlink.paper import hpcontext, hpphrases
from paperlink.paper.model import Hyperparameter, Provenance
from paperlink.numbers import SPANNING_CELL as _SPANNING_CELL
from paperlink.numbers import TABLE_RULE as _TABLE_RULE

__all__ = [
    "Mention",
    "canonical_key",
    "mentions_in_text",
    "mention_from_row",
    "is_hyperparameter_table",
    "VOCABULARY_KEYS",
    "statement",
]


@dataclass(frozen=True)
class Mention:
    """One stated hyperparameter value and where it sits in the text it came from.

    ``start``..``end`` covers the whole statement: from the name to just past the value,
    or from the value to the end of the name where the value comes first ("4000 warm-up
    steps").
    """

    key: str  # canonical key without "hp:", e.g. "learning_rate", "adam.beta1"
    name: str  # the name as written, markup stripped, e.g. "learning rate", "beta_1"
    value: float | None
    raw: str  # the value exactly as written, e.g. "3\\times10^{-4}"
    start: int
    end: int
    symbol: str = ""  # the math symbol assigned, e.g. "N", "\\tau"
    members: tuple[str, ...] = ()  # a stated set (sweep, ablation arms); value is then None
    cited: bool = False  # the sentence describes other work: listed, never checked
    canonical: str | None = None  # a canonical name outside the vocabulary keys ("num_seeds")
    scope: str | None = None  # a table column's scope; None: the enclosing headings'


def statement(mention: Mention, headings: Sequence[str], *, appendix: bool = False) -> Hyperparameter:
    """The paper model's statement of a mention found under ``headings`` (outermost first)."""
    canonical = mention.canonical or (mention.key if mention.key in VOCABULARY_KEYS else None)
    scope = mention.scope if mention.scope is not None else hpcontext.scope_of(headings, appendix=appendix)
    members = mention.members
    if not members and mention.value is not None and hpcontext.is_ablation(headings):
        members = (mention.raw,)  # an ablation's or sensitivity study's value is one arm it compares
    return Hyperparameter(
        mention.name,
        None if members else mention.value,
        mention.raw,
        symbol=mention.symbol,
        members=members,
        scope=scope,
        provenance=Provenance.CITED if mention.cited else Provenance.OWN,
        canonical=canonical,
    )


# --- names -----------------------------------------------------------------------------

_GREEK_LETTERS = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma"
    " tau upsilon phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega"
).split()
_GREEK_MACRO = re.compile(r"\\(?:var)?(" + "|".join(_GREEK_LETTERS) + r")(?![A-Za-z])")
_UNICODE_GREEK = {
    "α": "alpha",
    "β": "beta",
    "γ": "gamma",
    "δ": "delta",
    "ε": "epsilon",
    "ϵ": "epsilon",
    "ζ": "zeta",
    "η": "eta",
    "θ": "theta",
    "ι": "iota",
    "κ": "kappa",
    "λ": "lambda",
    "μ": "mu",
    "ν": "nu",
    "ξ": "xi",
    "π": "pi",
    "ρ": "rho",
    "σ": "sigma",
    "τ": "tau",
    "υ": "upsilon",
    "φ": "phi",
    "ϕ": "phi",
    "χ": "chi",
    "ψ": "psi",
    "ω": "omega",
}
_SUBSCRIPT_DIGITS = {chr(0x2080 + digit): str(digit) for digit in range(10)}
_UNICODE_PLAIN = str.maketrans(_UNICODE_GREEK | _SUBSCRIPT_DIGITS)
_DROPPED_COMMAND = re.compile(
    r"\\(?:cite[A-Za-z]*|ref|eqref|autoref|[cC]ref|label|footnote|url)\*?"
    r"(?:\[[^\]]*\])*\s*\{[^{}]*\}"
)
_ESCAPED_CHARACTERS = {"\\_": "_", "\\%": "%", "\\&": "&", "\\#": "#", "\\-": ""}
_MACRO = re.compile(r"\\[A-Za-z]+\*?|\\.")
_PARENTHETICAL = re.compile(r"\([^()]*\)")
_HEADER_NAME = re.compile(r"(?:hyper ?)?parameters?|values?|settings?|name")
_ADAM = re.compile(r"(?<![A-Za-z])adam", re.IGNORECASE)

# A vocabulary name may carry a symbol and a qualifier; slugs must look like short names.
_MAX_NAME_WORDS = 8
_MAX_SLUG_WORDS = 5
_MAX_NAME_LENGTH = 80


def _plain_name(latex: str) -> str:
    """LaTeX reduced to readable text: ``Adam $\\beta_{1}$`` -> ``Adam beta_1``."""
    text = _DROPPED_COMMAND.sub(" ", latex)
    text = _TABLE_RULE.sub(" ", _SPANNING_CELL.sub("", text))
    for escaped, character in _ESCAPED_CHARACTERS.items():
        text = text.replace(escaped, character)
    text = _MACRO.sub(" ", _GREEK_MACRO.sub(lambda match: match[1], text))
    text = re.sub(r"[${}]", "", text.translate(_UNICODE_PLAIN)).replace("~", " ")
    return " ".join(text.split()).replace(" _", "_").replace("_ ", "_")


def _phrase(plain: str) -> str:
    """Lowercase words for vocabulary matching: "Mini-batch size" -> "mini batch size"."""
    text = re.sub(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])", " ", plain.lower())  # "β1" -> "beta 1"
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _looks_like_name(plain: str) -> bool:
    """Whether a cell could name something: letters, short, and not itself a number."""
    return (
        re.search(r"[A-Za-z]", plain) is not None
        and len(plain) <= _MAX_NAME_LENGTH
        and len(plain.split()) <= _MAX_NAME_WORDS
        and parse_latex_number(plain) is None
    )


def _slug(plain: str) -> str | None:
    """Snake-case key for a name outside the vocabulary, without a trailing "(symbol)"."""
    core = _PARENTHETICAL.sub(" ", plain)
    if re.search(r"[A-Za-z]", core) is None:
        core = plain
    if len(core.split()) > _MAX_SLUG_WORDS:
        return None
    return re.sub(r"[^a-z0-9]+", "_", core.lower()).strip("_") or None


@dataclass(frozen=True)
class _VocabularyRule:
    """Names matching ``pattern`` (on :func:`_phrase` text) share one canonical key."""

    pattern: re.Pattern[str]
    key: str | None  # None: a known name whose value is a word, e.g. the optimizer
    adam_key: str | None = None  # replaces key when Adam is mentioned alongside

    def key_for(self, *, adam: bool) -> str | None:
        return self.adam_key if adam and self.adam_key else self.key


def _rule(pattern: str, key: str | None, adam_key: str | None = None) -> _VocabularyRule:
    """A vocabulary rule from a regex over :func:`_phrase` text."""
    return _VocabularyRule(re.compile(pattern), key, adam_key)


# First match wins, so specific names come before the general words they contain:
# "warmup learning rate" is about warm-up, "exploration epsilon" is not Adam's epsilon.
_VOCABULARY = (
    _rule(r"\bwarm ?up\b.*\bepochs?\b", "warmup_epochs"),
    _rule(r"\bwarm ?up\b", "warmup_steps"),
    _rule(r"^(?:(?:learning rate|lr) )?(?:decay )?schedul(?:e|er|ing)$", None),
    _rule(r"\b(?:learning rate|lr) (?:decay|gamma)\b", "lr_decay"),
    # Before the learning rate: "minimum learning rate" is the schedule's floor (code's min_lr).
    _rule(r"\b(?:min|minimum)\b.*\b(?:learning rate|lr)\b|\b(?:learning rate|lr) min\b", "min_lr"),
    _rule(r"\blabel smoothing\b|\bepsilon ls\b", "label_smoothing"),
    _rule(
        r"\bexploration\b.*\b(?:epsilon|eps|rate|probability)\b|\bepsilon greedy\b|^exploration$",
        "exploration_eps",
    ),
    _rule(
        r"\b(?:soft|polyak)\b|\btarget\b.*\b(?:rate|smoothing|coefficient)\b",
        "target_update_rate",
    ),
    _rule(r"\btarget\b.*\b(?:update[sd]?|sync|synchroni[sz]ation|copy)\b", "target_update_period"),
    _rule(
        r"\bgrad(?:ient)?s?\b.*\b(?:clip|clipping|norm)\b|\bclip(?:ping)?\b.*\bgrad(?:ient)?s?\b",
        "max_grad_norm",
    ),
    _rule(r"\bema\b|\bexponential moving average\b", "ema_decay"),
    _rule(
        r"\breplay (?:buffer |memory )?(?:size|capacity)\b|\b(?:buffer|memory) (?:size|capacity)\b"
        r"|\breplay (?:buffer|memory)$|^capacity$",
        "buffer_size",
    ),
    _rule(r"\b(?:mini ?)?batch ?size\b|^(?:mini ?)?batch$", "batch_size"),
    _rule(r"\b(?:learning rate|lr|step size)\b", "learning_rate"),
    _rule(r"\bbeta 1\b", "beta1", "adam.beta1"),
    _rule(r"\bbeta 2\b", "beta2", "adam.beta2"),
    _rule(r"\bbeta ?s\b", "betas", "adam.betas"),
    _rule(r"\b(?:epsilon|eps)\b", "eps", "adam.eps"),
    _rule(r"\bweight decay\b|\b(?:l|ell) 2\b", "weight_decay"),
    _rule(r"\b(?:bn|batch ?norm\w*)\b.*\bmomentum\b", "bn_momentum"),
    _rule(r"\bmomentum\b", "momentum"),
    _rule(r"\btemperature\b", "temperature"),
    _rule(r"\b(?:attention|attn) dropout\b", "attention_dropout"),
    _rule(r"\bdrop ?out\b|\bp drop\b", "dropout"),
    _rule(r"\bdiscount\b|^gamma$", "gamma"),
    _rule(r"\bgae\b", "gae_lambda"),
    _rule(r"\bepochs?\b", "epochs"),
    _rule(
        r"\b(?:training|train|total|max|maximum|number of|num|optimi[sz]ation|gradient)"
        r" (?:training )?(?:steps|iterations|updates)\b|^(?:steps|iterations)$",
        "training_steps",
    ),
    _rule(r"\bd ff\b|\b(?:feed ?forward|ffn|mlp) (?:dim|dimension|size|hidden)\b", "d_ff"),
    _rule(
        r"\bd model\b|\bhidden (?:size|dim|dimension|units)\b"
        r"|\bmodel (?:dim|dimension|width|size)\b",
        "d_model",
    ),
    _rule(r"\bheads\b|^h$", "num_heads"),
    _rule(r"\blayers\b", "num_layers"),
    _rule(r"^tau$", "tau"),
    _rule(r"\boptimi[sz]er\b", None),
)


# Every key the vocabulary gives; any other key is a slug of the paper's words.
VOCABULARY_KEYS = frozenset(key for rule in _VOCABULARY for key in (rule.key, rule.adam_key) if key is not None)


def _vocabulary_rule(phrase: str) -> _VocabularyRule | None:
    """The first vocabulary rule naming ``phrase``, if any."""
    return next((rule for rule in _VOCABULARY if rule.pattern.search(phrase)), None)


def _name_key(plain: str, *, adam: bool, allow_slug: bool) -> str | None:
    """Key of a plain name: vocabulary first, then (if allowed) a slug."""
    if not _looks_like_name(plain):
        return None
    phrase = _phrase(_PARENTHETICAL.sub(" ", plain))
    rule = _vocabulary_rule(phrase)
    if rule is not None and rule.key is not None and (hpcontext.is_qualified(plain) or _trailing(rule, phrase)):
        return _slug(plain)  # "inner step size", "epsilon decay horizon": not the canonical name
    if rule is not None:
        return rule.key_for(adam=adam)
    return _slug(plain) if allow_slug else None


# Words that may follow a vocabulary name without changing it: "dropout rate", "discount
# factor gamma", "learning rate alpha"; any other ("epsilon initial", "dropout rate
# convolutions", "batch size per device") names something else.
_NEUTRAL_TRAILING = frozenset(
    "rate rates coefficient factor value values size parameter parameters probability ratio constant term"
    " used default adam adamw regularization regularisation penalty frequency period interval norm".split()
    + _GREEK_LETTERS
)


def _trailing(rule: _VocabularyRule, phrase: str) -> bool:
    """Whether words the vocabulary name does not cover follow it in ``phrase``."""
    match = rule.pattern.search(phrase)
    words = phrase[match.end() :].split() if match is not None else []
    return any(word not in _NEUTRAL_TRAILING and not (len(word) <= 2 or word.isdigit()) for word in words)


def canonical_key(name_latex: str) -> str | None:
    """Canonical key of a hyperparameter name, a slug for other short names, else None."""
    plain = _plain_name(name_latex)
    return _name_key(plain, adam=_ADAM.search(plain) is not None, allow_slug=True)


# --- table rows ------------------------------------------------------------------------

_ROW_END = re.compile(r"(?:\\\\(?:\[[^\]]*\])?|\\(?:hline|midrule|bottomrule|toprule))\Z")
_ENCLOSING_MATH = re.compile(r"\$([^$]*)\$")
_CAPTION_HINT = re.compile(
    r"hyper[\s-]*parameters?|training (?:settings?|details|setup|configurations?)"
    r"|configurations?|implementation details",
    re.IGNORECASE,
)
_HYPER_HEADER = re.compile(r"hyper[\s-]*param", re.IGNORECASE)
_VALUE_HEADER = re.compile(r"(?:default |chosen |our )?(?:values?|settings?)")
_VARIANT = re.compile(r"=\s*\$?\s*[-+]?\.?\d")


def mention_from_row(cells: Sequence[str], *, hyperparameter_table: bool, adam: bool = False) -> Mention | None:
    """The hyperparameter a table row states: a name cell, then its first numeric cell.

    Outside hyperparameter tables only known vocabulary counts, so result tables with a
    row label and scores do not produce mentions. A name cell that carries its own value
    (``warmup = 2000`` in an ablation) describes a variant, not the paper's setting.
    ``adam`` says the table is about Adam (another row names it), for ``beta_1`` and ``eps``.
    """
    if len(cells) < 2 or _VARIANT.search(cells[0]):
        return None
    plain = _plain_name(cells[0])
    if _HEADER_NAME.fullmatch(_phrase(plain)):
        return None
    adam = adam or any(_ADAM.search(cell) for cell in cells)
    key = _name_key(plain, adam=adam, allow_slug=hyperparameter_table)
    for cell in cells[1:]:
        raw = _without_row_end(cell)
        value = parse_latex_number(raw)
        if value is not None:
            return Mention(key, plain, value, raw, 0, len(cells[0])) if key is not None else None
    key = key or _slug(plain)
    if hyperparameter_table and key and _looks_like_name(plain):
        # a setting that is no number: "Optimizer & AdamW", "Hidden sizes & [512, 512]"
        raw = _without_row_end(cells[1])
        with_unit = len(raw.split()) > 1 and parse_latex_number(raw.split()[0]) is not None  # "1M frames"
        if not with_unit and _CATEGORICAL.fullmatch(raw) and not _HEADER_NAME.fullmatch(_phrase(_plain_name(raw))):
            return Mention(key, plain, None, raw, 0, len(cells[0]))
    return None


# A categorical cell: a short word, name or list with no sentence in it ("AdamW", "bf16",
# "ResNet18", "[1024, 1024]", "256$\times$2"); "--", "n/a", "see text" are no value.
_CATEGORICAL = re.compile(
    r"(?!(?:n/?a|none|see\b|same\b|--|-|\$-\$|—|yes|no)\b)[\w\[][\w\[\](),.$\\{}+-]*(?:[ ,][\w\[\](),.$\\{}+-]+){0,3}",
    re.IGNORECASE,
)


def _without_row_end(cell: str) -> str:
    """A cell without the row terminator and rules the splitter may have left on it."""
    text = cell.strip()
    while (row_end := _ROW_END.search(text)) is not None:
        text = text[: row_end.start()].rstrip()
    # Same raw form as in prose, where the value is matched inside the math.
    enclosed = _ENCLOSING_MATH.fullmatch(text)
    return enclosed[1].strip() if enclosed else text


def is_hyperparameter_table(caption: str, header: Sequence[str]) -> bool:
    """Whether a table lists settings: by its caption, or by a header naming
    hyperparameters or a value column after the first ("Setting & BLEU" is a results table)."""
    if _CAPTION_HINT.search(_plain_name(caption)):
        return True
    cells = [_plain_name(cell) for cell in header]
    return any(_HYPER_HEADER.search(cell) for cell in cells) or any(
        _VALUE_HEADER.fullmatch(_phrase(cell)) for cell in cells[1:]
    )


# --- prose -----------------------------------------------------------------------------

_PROSE_FLAGS = re.IGNORECASE | re.ASCII
_GAP = r"(?:\s|~|\\[,;: ])*"
_WORD_GAP = r"(?:\s|~)+"

_VALUE = LATEX_NUMBER_IN_TEXT  # numbers.py finds a value's spelling; parse_latex_number decides

# What may stand between a name and its value: "of", "is set to", "=", a symbol such as
# "$\tau$" or "($P_{drop}$", a citation. Bounded so a name never reaches a far-off number.
_FILLER_WORD = (
    r"(?:of|is|was|were|are|be|set|to|equal|equals|fixed|at|a|an|the|value|values|initial"
    r"|initially|initiali[sz]ed|with|as|by|default|maximum|max|norm|threshold|coefficient"
    r"|factor|rate|size|capacity|around|approximately|about|roughly|constant)(?![A-Za-z])"
)
_MATH_SYMBOL = (
    r"\(?\$\s*(?:\\[A-Za-z]+|[A-Za-z])(?![A-Za-z])"
    r"(?:\s*_\s*(?:\{[^{}$]{0,20}\}|[A-Za-z0-9]))?(?:\s*\$)?\)?"
)
_CITATION = r"\\cite[A-Za-z]*\*?(?:\[[^\]]{0,40}\])*\{[^{}]{0,200}\}"
_BRIDGE_TOKEN = rf"(?:{_FILLER_WORD}|=|:|\\approx|\\sim|\\leftarrow|\\gets|{_MATH_SYMBOL}|{_CITATION}|[$()}}])"
_BRIDGE = rf"(?:{_GAP}{_BRIDGE_TOKEN}){{0,6}}{_GAP}"
# Symbols and counts need an explicit connector: "$\tau = 0.07$", "epochs is 100".
_SET_TO = rf"(?:is|was)(?:{_WORD_GAP}set{_WORD_GAP}to)?|set{_WORD_GAP}to"
_CONNECTOR = (
    rf"{_GAP}(?:\${_GAP})?(?:=|:=|:|\\coloneqq|\\leftarrow|\\gets|{_SET_TO}|of)(?![A-Za-z])"
    rf"{_GAP}(?:\${_GAP})?"
)
# "every $C = 1000$ steps": the period's own symbol may sit between "every" and the value.
_EQUATED_SYMBOL = (
    rf"{_GAP}(?:\${_GAP})?"
    rf"(?:(?:\\[A-Za-z]+|[A-Za-z])(?![A-Za-z])(?:_\{{?\w{{1,10}}\}}?)?{_GAP}={_GAP})?"
)
_TARGET_UPDATE_BRIDGE = (
    rf"(?:{_WORD_GAP}(?:is|are|was|were|gets|get|being|only)){{0,3}}{_WORD_GAP}"
    rf"(?:updated|synchroni[sz]ed|synced|copied|refreshed|reset){_WORD_GAP}"
    rf"(?:once{_WORD_GAP})?every{_EQUATED_SYMBOL}"
)
_FOR_COUNT = (
    rf"\bfor{_WORD_GAP}(?:(?:a{_WORD_GAP}total{_WORD_GAP}of|another|only|up{_WORD_GAP}to|about"
    rf"|roughly|approximately|around){_WORD_GAP})?(?:\${_GAP})?"
)
_EPSILON_SUBSCRIPT = r"\s*_\s*\{\s*(?:\\(?:text|mathrm|mathit)\s*\{\s*)?(?:ls|[Aa]dam)\s*\}?\s*\}"


@dataclass(frozen=True)
class _ProsePattern:
    """A regex with ``name`` and ``value`` groups; key None derives it from the name."""

    key: str | None
    regex: re.Pattern[str]


def _forward(key: str | None, name: str, bridge: str = _BRIDGE) -> _ProsePattern:
    """Name first: "a learning rate of 0.1", "$\\tau = 0.07$"."""
    pattern = rf"(?<![A-Za-z\\])(?P<name>{name})(?![A-Za-z]){bridge}(?P<value>{_VALUE})"
    return _ProsePattern(key, re.compile(pattern, _PROSE_FLAGS))


def _backward(key: str, name: str, lead: str = "") -> _ProsePattern:
    """Value first: "for 100 epochs", "4000 warm-up steps"."""
    pattern = rf"{lead}(?<![\w.])(?P<value>{_VALUE})\$?{_GAP}(?P<name>{name})(?![A-Za-z])"
    return _ProsePattern(key, re.compile(pattern, _PROSE_FLAGS))


def _words(*words: str) -> str:
    """A multi-word name as prose spells it: "learning rate", "learning~rate", "warm-up"."""
    return r"[\s~-]+".join(words)


_STEPS = r"(?:steps|iterations|updates)"
_PROSE_PATTERNS = (
    _forward("learning_rate", _words("learning", "rates?") + "|lr"),
    # starts before "learning rate", so it wins for the same value: the schedule's floor
    _forward("min_lr", r"min(?:imum)?[\s~]+(?:" + _words("learning", "rate") + "|lr)"),
    _forward("momentum", "momentum"),
    _forward(
        "weight_decay",
        _words("weight", "decay") + "|" + _words("L_?2", "(?:regulari[sz]ation|penalty)"),
    ),
    _forward("temperature", "temperature"),
    _forward("batch_size", r"(?:mini[\s~-]?)?batch[\s~-]?size"),
    _forward("attention_dropout", _words("attention", r"dropout(?:[\s~]+(?:rate|probability))?")),
    _forward("dropout", r"dropout(?:[\s~]+(?:rate|probability))?"),
    _forward("label_smoothing", _words("label", "smoothing")),
    _forward("gamma", r"discount(?:[\s~]+factor)?"),
    _forward("warmup_steps", rf"warm[\s~-]?up(?:(?:\\?_|[\s~-]+){_STEPS})?"),
    _forward("epochs", _words("(?:number", "of", r"(?:training[\s~]+)?)?epochs"), _CONNECTOR),
    _forward("training_steps", _words("training", "(?:steps|iterations)"), _CONNECTOR),
    _forward(
        "target_update_period",
        _words("target", r"(?:network[\s~]+)?update", "(?:frequency|period|interval)"),
    ),
    _forward("target_update_period", r"target(?:[\s~]+network)?", _TARGET_UPDATE_BRIDGE),
    _forward(
        "max_grad_norm",
        _words("grad(?:ient)?", "(?:clipping|norm)") + "|" + _words("max(?:imum)?", "grad(?:ient)?", "norm"),
    ),
    _forward("ema_decay", r"(?:EMA|exponential[\s~]+moving[\s~]+average)[\s~]+decay|EMA"),
    _forward(
        "buffer_size",
        _words(r"(?:replay[\s~]+)?(?:buffer|memory)", "(?:size|capacity)")
        + "|"
        + _words("replay", "(?:buffer|memory)"),
    ),
    _forward("d_model", _words("hidden", "(?:size|dimension)") + "|" + _words("model", "dimension")),
    _forward("num_heads", _words("number", "of", r"(?:attention[\s~]+)?heads")),
    _forward("num_layers", _words("number", "of", "layers")),
    # Bare symbols; their keys depend on the subscript and on Adam appearing in the text.
    _forward(None, r"(?-i:\\tau|\u03c4)", _CONNECTOR),
    _forward(None, r"(?-i:\\beta\s*_\s*(?:\{\s*[12]\s*\}|[12])|beta_?\{?[12]\}?)", _CONNECTOR),
    _forward(None, rf"(?-i:\\(?:var)?epsilon{_EPSILON_SUBSCRIPT})", _CONNECTOR),
    _forward(None, r"(?-i:\\(?:var)?epsilon(?!\s*_))", _CONNECTOR),
    _forward(None, r"(?-i:\\gamma(?!\s*_))", _CONNECTOR),
    _forward(None, r"(?-i:P\s*_\s*\{\s*(?:\\(?:text|mathrm)\s*\{)?drop\}?\s*\})", _CONNECTOR),
    _forward(None, r"(?-i:d\s*_\s*\{\s*(?:\\(?:text|mathrm)\s*\{)?model\}?\s*\})", _CONNECTOR),
    _backward("epochs", r"(?:training[\s~]+)?epochs", lead=_FOR_COUNT),
    _backward(
        "training_steps",
        rf"(?:(?:training|gradient|optimi[sz]ation)[\s~]+)?{_STEPS}",
        lead=_FOR_COUNT,
    ),
    _backward("warmup_steps", rf"(?:linear[\s~]+)?warm[\s~-]?up[\s~]+{_STEPS}"),
    _backward("warmup_epochs", r"(?:linear[\s~]+)?warm[\s~-]?up[\s~]+epochs"),
    _backward("num_heads", _words("attention", "heads")),
)
_EXPLORATION = re.compile(r"greedy|exploration", re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_NUMBER_WORD = re.compile(r"\b(?:" + "|".join(hpphrases.NUMBER_WORDS) + r")\b", re.IGNORECASE)
_QUALIFIER_BEFORE = re.compile(r"([A-Za-z-]+)[\s~]+\Z")
_ALTERNATIVE_BEFORE = re.compile(
    r"\b(?:rather\s+than|instead\s+of|as\s+opposed\s+to)[\s~]+(?:(?:a|an|the|using|with)[\s~]+)?\Z", re.IGNORECASE
)
_DENOMINATOR = re.compile(r"\s*/\s*(\d+)(?![\d.])")
_EPOCHS_NEXT = re.compile(r"\$?(?:\s|~)*epochs?(?![A-Za-z])", re.IGNORECASE)


def mentions_in_text(text: str) -> list[Mention]:
    """Hyperparameter statements in a paragraph of raw LaTeX, sorted by start; never raises.

    The vocabulary's phrases first, then symbol assignments, sets, counts and named sizes
    (``hpphrases``) where they state a value no vocabulary phrase did. Assignments in worked
    examples, limits and ablation arms are left out; values in sentences that describe other
    work are marked ``cited``."""
    if not isinstance(text, str):
        return []
    if not _DIGIT.search(text) and not _NUMBER_WORD.search(text):
        return []  # every statement has a number, written in digits or as a word
    adam = _ADAM.search(text) is not None
    found: list[tuple[int, Mention]] = []
    for pattern in _PROSE_PATTERNS:
        for match in pattern.regex.finditer(text):
            mention = _prose_mention(pattern, match, text, adam=adam)
            if mention is not None:
                found.append((match.start("value"), mention))
    vocabulary = sorted(found, key=lambda pair: pair[0])
    starts = [start for start, _ in vocabulary]
    for phrase in hpphrases.phrases_in_text(text):
        mention = _phrase_mention(phrase, adam=adam)
        value_start = phrase.end - len(phrase.raw) if not phrase.members else phrase.start
        if mention is not None and not _overlaps(mention, vocabulary, starts):
            found.append((value_start, mention))
    return _in_context(_without_duplicates(found), text)


def _overlaps(mention: Mention, found: list[tuple[int, Mention]], starts: list[int]) -> bool:
    """Whether a vocabulary mention (``found``, sorted by value start) already states a value
    inside ``mention``; bisected, so a long paragraph costs no more per mention."""
    first = bisect.bisect_left(starts, mention.start)
    last = bisect.bisect_left(starts, mention.end)
    return any(other.raw in mention.raw or mention.raw in other.raw for _, other in found[first:last])


def _phrase_mention(phrase: hpphrases.Phrase, *, adam: bool) -> Mention | None:
    """A phrase as a mention, keyed by its canonical name, its vocabulary name, its symbol or its words."""
    plain = _plain_name(phrase.name) if phrase.name else ""
    canonical = None
    if phrase.key is not None and not hpcontext.is_qualified(plain):
        key: str | None = phrase.key
        canonical = phrase.key
    else:
        named = plain and plain != _plain_name(phrase.symbol) and not phrase.counted
        key = _name_key(plain, adam=adam, allow_slug=False) if named else None
        if key is None and phrase.symbol:
            key = _symbol_slug(phrase.symbol)
        if key is None:
            key = _slug(plain) if plain else None
    if not key:
        return None
    return Mention(
        key,
        phrase.symbol if phrase.name == phrase.symbol else plain or phrase.symbol,
        phrase.value,
        phrase.raw,
        phrase.start,
        phrase.end,
        symbol=phrase.symbol,
        members=phrase.members,
        canonical=canonical,
    )


def _symbol_slug(symbol: str) -> str | None:
    """A symbol as a key: ``N`` -> ``N``, ``\\tau`` -> ``tau``, ``\\lambda_{\\text{gp}}`` -> ``lambda_gp``."""
    text = re.sub(r"\\(?:text|mathrm|mathit|textit|rm|operatorname|mathbf|bm)\s*", "", symbol)
    text = re.sub(r"\\(?:var)?([A-Za-z]+)", r"\1", text)
    text = re.sub(r"[{}\s]", "", text).replace("^", "_")
    return re.sub(r"[^A-Za-z0-9_]+", "", text).strip("_") or None


def _in_context(mentions: list[Mention], text: str) -> list[Mention]:
    """Mentions with their sentence's provenance; symbol assignments in hypotheticals dropped."""
    if not mentions:
        return mentions
    bounds = hpcontext.sentence_bounds(text)
    starts = [start for start, _ in bounds]
    kept = []
    for mention in mentions:
        start, end = bounds[max(bisect.bisect_right(starts, mention.start) - 1, 0)]
        sentence = text[start:end]
        if mention.symbol and not mention.members and hpcontext.is_hypothetical(sentence):
            continue
        if _ALTERNATIVE_BEFORE.search(text, max(0, mention.start - 40), mention.start):
            continue  # "stride 16 rather than stride 4": the alternative not taken
        if hpcontext.is_cited(sentence):
            mention = dataclasses.replace(mention, cited=True)
        subject = hpcontext.sentence_scope(sentence) if mention.scope is None else None
        if subject is not None:
            mention = dataclasses.replace(mention, scope=subject)
        kept.append(mention)
    return kept


def _prose_mention(pattern: _ProsePattern, match: re.Match[str], text: str, *, adam: bool) -> Mention | None:
    """The mention one match states, or None where its value is not a number after all."""
    raw = match["value"]
    if raw.startswith("-") and match.start("value") == match.end("name"):
        raw = raw[1:]  # "temperature-1 sampling": a compound, not a negative number
    value = parse_latex_number(raw)
    denominator = _DENOMINATOR.match(text, match.end("value"))
    if denominator is not None and value is not None:  # "$\gamma = 7/8$" states 0.875, not 7
        value = value / float(denominator[1]) if float(denominator[1]) else None
        raw = f"{raw}/{denominator[1]}"
    if value is None:
        return None
    key = pattern.key or _symbol_key(match["name"], text, adam=adam)
    if key == "warmup_steps" and _EPOCHS_NEXT.match(text, match.end("value")):
        key = "warmup_epochs"  # "a warm-up of 5 epochs"
    qualifier = _QUALIFIER_BEFORE.search(text, max(0, match.start("name") - 40), match.start("name"))
    if qualifier is not None and pattern.key is not None and hpcontext.is_qualified(qualifier[1]):
        # "the critic learning rate", "an outer learning rate": not the canonical name
        name = f"{qualifier[1]} {_plain_name(match['name'])}"
        start = min(match.start("name"), match.start("value"))
        return Mention(_slug(name) or key, name, value, raw, start, max(match.end("name"), match.end("value")))
    start = min(match.start("name"), match.start("value"))
    end = max(match.end("name"), match.end("value"))
    symbol = " ".join(match["name"].split()) if pattern.key is None else ""
    return Mention(key, _plain_name(match["name"]), value, raw, start, end, symbol=symbol)


def _symbol_key(symbol: str, text: str, *, adam: bool) -> str:
    """Key of a bare symbol, which depends on its subscript and on the surrounding text."""
    plain = _plain_name(symbol)
    key = _name_key(plain, adam=adam, allow_slug=True) or plain
    if key == "eps" and _EXPLORATION.search(text):
        return "exploration_eps"  # "$\epsilon$-greedy ... $\epsilon = 0.1$"
    return key


def _without_duplicates(found: list[tuple[int, Mention]]) -> list[Mention]:
    """One mention per stated value: the one whose name starts first wins.

    "temperature $\\tau = 0.07$" matches both the word and the symbol; the word names it.
    """
    by_value: dict[tuple[int, str], Mention] = {}
    for value_start, mention in found:
        kept = by_value.get((value_start, mention.raw))
        if kept is None or mention.start < kept.start:
            by_value[(value_start, mention.raw)] = mention
    by_span = {(mention.start, mention.end): mention for mention in by_value.values()}
    return sorted(by_span.values(), key=lambda mention: (mention.start, mention.end))
