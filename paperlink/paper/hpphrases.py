"""Hyperparameter statements the vocabulary patterns of ``hyperparams.py`` do not name.

Three shapes an ML paper uses for the settings that define its method:

* symbol assignments in inline math: ``$N=64$``, ``$H \\defeq 16$``, ``$k := 8$``,
  ``$\\lambda \\in \\{0.1, 1\\}$`` (a set: a sweep or ablation arms, never a conflict);
* counts: a number, or a number word, before the noun it counts ("5 random seeds",
  "two-layer networks", "a GRU with 256 units", "500 candidates");
* sizes and rates named by their head noun: "a planning horizon of 15", "batches of size 50",
  "weight decay in $\\{.001, .0001\\}$".

Every regex here is compiled on first use (:func:`_patterns`), so importing costs nothing.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from paperlink.numbers import LATEX_NUMBER_IN_TEXT, parse_latex_number

__all__ = ["Phrase", "phrases_in_text", "NUMBER_WORDS"]

NUMBER_WORDS = {
    "one": 1,
    "single": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "sixteen": 16,
    "twenty": 20,
    "thirty": 30,
    "fifty": 50,
    "hundred": 100,
}

# Nouns whose count sets how a run is configured; "datasets", "parameters" or "images" count
# what the paper studies or reports, not a setting.
_COUNTED = {
    "layers": "num_layers",
    "hidden layers": "num_layers",
    "units": "hidden_units",
    "hidden units": "hidden_units",
    "neurons": "hidden_units",
    "epochs": "epochs",
    "training epochs": "epochs",
    "random seeds": "num_seeds",
    "seeds": "num_seeds",
    "heads": "num_heads",
    "attention heads": "num_heads",
}
_COUNT_NOUNS = (
    r"(?:hidden\s+)?layers|(?:hidden\s+)?units|neurons|(?:training\s+)?epochs|(?:random\s+)?seeds|runs"
    r"|(?:attention\s+)?heads|filters|channels|blocks|iterations|meta-iterations|(?:gradient\s+)?steps|updates"
    r"|frames|episodes|rollouts|trajectories|samples|candidates|particles|trials|restarts|timesteps"
    r"|time\s*steps|tokens|experts|components|centroids|codewords|clusters|neighbou?rs|workers|actors"
    r"|environments|envs|repeats|repetitions|evaluations|sequences|buckets|bins|checkpoints|modules"
    r"|initiali[sz]ations"
)
# After "a single", "one": the noun is singular ("a single Monte Carlo sample", "one episode").
_ONE_NOUNS = (
    r"layer|unit|neuron|epoch|seed|run|head|block|iteration|step|update|episode|rollout|trajectory|sample|trial"
)
# Words that may stand between a count and its noun ("5 random seeds", "2 deterministic layers").
_ADJECTIVE = (
    r"(?:(?!(?:of|the|a|an|and|or|to|in|on|for|with|from|by|at|per|than|is|are|was|were)\b)[a-z][a-z-]{1,20}"
    r"(?<!-)(?!-?\d)|length-\d+)"
)
# Before a count: a preposition or verb saying the number is a setting, not a result.
_COUNT_LEAD = (
    r"(?:\b(?:with|of|over|using|use|uses|used|for|across|has|have|had|contains?|consist(?:s|ing)?\s+of"
    r"|comprising|into|run|runs|ran|sample|samples|sampled|draw|draws|drew|train|trains|trained|averaged\s+over"
    r"|average\s+over|every|each|are|were|is|was|by|to|on|and|or|stack|stacks|stacked|take|takes|keep|kept"
    r"|do|does|did|perform|performs|performed|having|generate|generates|generated|collect|collected)"
    r"|^|[,;(])"
)
_GAP = r"(?:\s|~|\\[,;: ])+"

# Head nouns of a named setting: "planning horizon", "kernel size", "mask ratio".
_HEAD_NOUNS = (
    r"size|sizes|rate|rates|weight|weights|factor|coefficient|horizon|ratio|probability|length|dimension"
    r"|dimensionality|width|depth|threshold|interval|frequency|scale|std|deviation|margin|radius|stride"
    r"|padding|budget|penalty|strength|capacity|period|window|patience|decay|noise|order|degree|lambda"
    r"|alpha|beta|gamma|epsilon|temperature|momentum|iterations|steps|epochs|s\.d\."
)
_GENERIC_OWNERS = frozenset("neural network networks net nets mlp mlps model models perceptron perceptrons".split())
_VAGUE = frozenset(
    "size sizes rate rates weight weights factor coefficient scale ratio probability length dimension width depth"
    " order degree noise decay threshold interval frequency period window strength penalty std deviation budget"
    " iterations steps epochs".split()
)
# Words a name may hold before its head noun; stops at verbs and at the start of a clause.
_NAME_WORD = (
    r"(?:(?!(?:of|the|a|an|and|or|to|in|on|for|with|from|by|at|is|are|was|were|be|we|our|this|that|these"
    r"|which|it|its|use|used|using|set|sets|chose|choose|selected|than|rather|both|each|all|per|not|no)\b)"
    r"[A-Za-z][A-Za-z-]{0,24})"
)
_NAMED_BRIDGE = (
    r"(?:\s+(?:of|is|was|were|are|to|equal|equals|set|fixed|at|a|an|the|value|values|chosen|selected|size|limited"
    r"|capped|clipped|truncated|restricted|kept)"
    r"(?![A-Za-z])|\s*=|\s*:|\s*\(\s*\$[^$]{1,30}\$\s*\))"
)
_SET_BRIDGE = (
    r"(?:\s+(?:in|from|over|among|of|are|were|is|was|the|set|grid|values?|search(?:ed)?|sweep|tested|tried)"
    r"(?![A-Za-z])|\s*:|\s*\\in)"
)

# A symbol as papers write one: a letter or Greek macro, a subscript and a superscript.
_SYMBOL = (
    r"(?:\\(?:var)?(?:alpha|beta|gamma|delta|epsilon|zeta|eta|theta|kappa|lambda|mu|nu|xi|rho|sigma|tau|phi|chi"
    r"|psi|omega|Gamma|Delta|Theta|Lambda|Xi|Pi|Sigma|Phi|Psi|Omega)|[A-Za-z])(?![A-Za-z])"
    r"(?:\s*_\s*(?:\{(?:[^{}$]|\{[^{}$]{0,20}\}){1,30}\}|[A-Za-z0-9]))?"
    r"(?:\s*\^\s*(?:\{(?:[^{}$]|\{[^{}$]{0,20}\}){1,30}\}|[A-Za-z0-9]))?"
)
_ASSIGN = r"(?:=|:=|\\defeq|\\coloneqq|\\eqqcolon|\\triangleq|\\equiv|\\leftarrow|\\gets)"
_SET_BODY = r"\\\{(?P<members>(?:[^{}$]|\{[^{}$]{0,10}\}){1,200}?)\\\}"


@dataclass(frozen=True)
class Phrase:
    """One statement found by this module, offsets into the text it came from."""

    name: str  # the paper's words, or the symbol's nearby words
    key: str | None  # a canonical key where the words mean exactly one, else None
    value: float | None
    raw: str
    start: int
    end: int
    symbol: str = ""  # the LaTeX symbol assigned, as written
    members: tuple[str, ...] = ()  # a stated set, each member as written
    counted: bool = False  # a count: its key is ``key`` or the words, never the vocabulary's


@functools.cache
def _patterns() -> dict[str, re.Pattern[str]]:
    flags = re.ASCII
    words = "|".join(NUMBER_WORDS)
    value = rf"(?:{LATEX_NUMBER_IN_TEXT}|(?:a\s+)?(?:{words})(?![A-Za-z]))"
    return {
        "count": re.compile(
            rf"{_COUNT_LEAD}{_GAP}(?:a\s+(?:total\s+of\s+)?|the\s+(?:first|last|top|best)\s+|up\s+to\s+|only\s+)?"
            rf"\$?(?P<value>{value})(?P<more>(?:\s*,\s*{value})*\s*,?\s+(?:and|or)\s+{value})?\$?(?:{_GAP}(?P<adjectives>{_ADJECTIVE}(?:{_GAP}{_ADJECTIVE}){{0,2}}))??"
            rf"{_GAP}(?P<noun>{_COUNT_NOUNS})(?![A-Za-z])",
            flags | re.IGNORECASE,
        ),
        "single": re.compile(
            rf"\b(?:with|using|uses|use|used|on|from)\s+(?P<value>a\s+single)(?:{_GAP}(?P<adjectives>{_ADJECTIVE}(?:{_GAP}{_ADJECTIVE}){{0,2}}))??"
            rf"{_GAP}(?P<noun>{_ONE_NOUNS})(?![A-Za-z])",
            flags | re.IGNORECASE,
        ),
        # a code option quoted in the text: "\texttt{kl\_target=0.5}"
        "option": re.compile(
            rf"\\texttt\s*\{{(?P<name>[A-Za-z][A-Za-z0-9_\\]{{0,40}})\s*=\s*(?P<value>{LATEX_NUMBER_IN_TEXT})\s*\}}",
            flags,
        ),
        # "two-layer networks", "a 4-layer MLP", "3-layer", "10-dimensional"
        "compound": re.compile(
            rf"(?<![\w.-])(?P<value>\d+|{words})-(?P<noun>layers?|hidden-layers?|dimensional|heads?|blocks?)"
            rf"(?![A-Za-z])(?P<owner>(?:[\s~]+{_NAME_WORD}){{0,2}})",
            flags | re.IGNORECASE,
        ),
        "named": re.compile(
            rf"(?<![A-Za-z\\])(?P<name>{_HEAD_NOUNS})(?![A-Za-z])(?:(?:{_NAMED_BRIDGE}){{1,4}}|(?=[\s~]+\$?\d))"
            rf"\s*~?\$?\s*(?![-\u2212])(?P<value>{LATEX_NUMBER_IN_TEXT})(?!\.?\d)(?!\s*(?:\\times|\\cdot|[-+*/^]|\\(?:line|text|column)width"
            r"|(?:pt|cm|mm|em|ex|px)\b|\\%?\s*(?:of|higher|lower|better|worse|improvement|accuracy|faster|slower)))",
            flags | re.IGNORECASE,
        ),
        # a list of settings: "\item \textbf{Batch size:} 256", "\item[Duration:] 300 epochs"
        "item": re.compile(
            r"(?:^\s*|\\item\s*)(?:\[(?P<bracket>[^\]:]{1,40}):?\]|\\text(?:bf|it|sc)\s*\{(?P<bold>[^{}:]{1,40}):?\})\s*:?\s*~?\$?"
            rf"(?P<value>{LATEX_NUMBER_IN_TEXT})(?!\.?\d)(?!\$?\s*(?:\\times|\\cdot|x\s*\d))",
            flags,
        ),
        "batches": re.compile(
            rf"\b(?P<name>(?:mini-?)?batches)\s+of\s+(?:size\s+)?\$?(?P<value>{LATEX_NUMBER_IN_TEXT})",
            flags | re.IGNORECASE,
        ),
        # a set is found at its braces; its name is read backwards from there
        "set": re.compile(rf"\$\s*(?:(?P<symbol>{_SYMBOL})\s*\\in\s*)?{_SET_BODY}\s*\$", flags),
        "set_name": re.compile(
            rf"(?<![A-Za-z\\])(?P<name>(?:{_NAME_WORD}[\s~-]+){{0,3}}{_NAME_WORD})(?:{_SET_BRIDGE}){{1,4}}\s*~?\Z",
            flags,
        ),
        "name_words": re.compile(rf"(?<![A-Za-z\\])(?:{_NAME_WORD}[\s~-]+){{1,3}}\Z", flags | re.IGNORECASE),
        "any_number": re.compile(rf"\d|\b(?:{words})\b", flags | re.IGNORECASE),
        "math": re.compile(r"(?<!\\)\$(?P<body>[^$]{1,300})\$", flags),
        "assignment": re.compile(
            rf"(?:^|(?<=[\s,;(]))(?P<symbol>{_SYMBOL})\s*{_ASSIGN}\s*(?P<value>[-+]?(?:\\(?:text|mathrm)\s*\{{[^{{}}]{{1,3}}\}}|[^,;=\s$]){{1,40}}?)\s*"
            r"(?=$|[,;]|\\[,;:! ]|\\q?quad|\\text(?!\s*\{[^{}]{1,3}\})|\\mathrm(?!\s*\{[^{}]{1,3}\})|\s(?:and|for|with)\b)",
            flags,
        ),
        # an interval a value is drawn from: "radius sampled from $[0.1, 2.0]$", "gamma [0.8,1.2]"
        "interval": re.compile(
            rf"\$?\[\s*(?P<low>{LATEX_NUMBER_IN_TEXT})\s*,\s*(?P<high>{LATEX_NUMBER_IN_TEXT})\s*\]\$?(?![\[(])", flags
        ),
        "interval_name": re.compile(
            rf"(?<![A-Za-z\\])(?P<name>(?:{_NAME_WORD}[\s~-]+){{0,3}}{_NAME_WORD})"
            rf"(?:\s+(?:sampled|drawn|chosen|uniformly|from|in|of|range|ranges|within|between)(?![A-Za-z]))*[\s~(]*\Z",
            flags,
        ),
        # a swept range: "we vary $N$ from 1 to 65536", "experimented with ratios from 50\% to 90\%"
        "from_to": re.compile(
            rf"\b(?:vary|varies|varied|varying|experimented\s+with|tried|tested|sweep|swept|ranging)\s+(?:the\s+)?"
            rf"(?P<name>(?:\$[^$]{{1,20}}\$|{_NAME_WORD})(?:[\s~]+{_NAME_WORD}){{0,2}})\s+from\s+\$?(?P<low>{LATEX_NUMBER_IN_TEXT})"
            rf"\$?\s*(?:\\%)?\s+to\s+\$?(?P<high>{LATEX_NUMBER_IN_TEXT})",
            flags | re.IGNORECASE,
        ),
        # a schedule's two ends: "cosine annealing from $3 \times 10^{-4}$ to $1 \times 10^{-6}$"
        "schedule_ends": re.compile(
            rf"(?P<name>(?:[A-Za-z-]+[\s~]+)?(?:annealing|anneals?|decay|decays|decayed|warm-?up|warms\s+up|schedule))"
            rf"[\s~]+from[\s~]+\$?(?P<low>{LATEX_NUMBER_IN_TEXT})\$?[\s~]+to[\s~]+\$?(?P<high>{LATEX_NUMBER_IN_TEXT})",
            flags | re.IGNORECASE,
        ),
        # an assignment written in text: "t with df=3", "(\textit{rate = 1})"
        "text_assignment": re.compile(
            rf"(?<=[\s({{])(?!(?:width|height|scale|trim|angle)\b)(?P<name>[a-z]{{2,12}})\s*=\s*(?P<value>{LATEX_NUMBER_IN_TEXT})"
            r"(?!\d|\.\d|\s*[-+*/^\\]|[A-Za-z])",
            flags,
        ),
        # "(probability 0.5)", "with probability 0.5": the vague noun belongs to the words before
        "owner_before": re.compile(
            rf"(?<![A-Za-z])(?P<name>(?:{_NAME_WORD}[\s~-]+){{0,2}}{_NAME_WORD})\s*(?:\(|with|at)(?:\s+(?:a|an|the))?\s*\Z",
            flags,
        ),
        # an input size written as a product: "a $224 \times 224$ RGB image", "resized ... to
        # $512\times256$"; the number it makes ("$14 \times 14 = 196$") is no setting, and kernels and
        # feature maps ("a $1\times1$ convolution", "a $4 \times 8$ feature map") describe structure
        "product": re.compile(
            r"(?P<lead>\bto[\s~]+)?\$?(?P<value>\d+\s*(?:\\times|x)\s*\d+)\$?(?![\d.^{]|\$?\s*(?:=|\\times))"
            r"(?P<noun>(?:[\s~]+(?:RGB|input|pixel|color|colour|grayscale|training|test))?[\s~]+"
            r"(?:images?|inputs?|crops?|patch(?:es)?|resolution|pixels))?",
            flags | re.IGNORECASE,
        ),
        # value first, before the words it sets: "the 75\% masking ratio", "the 300-epoch training schedule"
        "value_first": re.compile(
            r"\b(?:the|a|an)[\s~]+\$?(?P<value>\d+(?:\.\d+)?)(?P<percent>\\%)?\$?(?:-(?P<unit>epoch|step|layer))?[\s~]+"
            r"(?P<name>(?:[a-z][a-z-]{2,20}[\s~]+){0,2}(?:ratio|probability|schedule|horizon|budget))\b",
            flags | re.IGNORECASE,
        ),
        "mask_share": re.compile(
            r"\bmask(?:s|ed|ing)?(?:[\s~]+out)?[\s~]+\$?(?P<value>\d+(?:\.\d+)?)\\%", flags | re.IGNORECASE
        ),
        # "30000 length-1024 sequences": the length of what it counts
        "length_compound": re.compile(
            r"(?<![\w-])length-(?P<value>\d+)(?:[\s~]+[a-z]+){0,2}?[\s~]+(?P<noun>[a-z]{3,20}s)\b", flags
        ),
        "member_of": re.compile(rf"(?:^|(?<=[\s,;(]))(?P<symbol>{_SYMBOL})\s*\\in\s*{_SET_BODY}", flags),
        "preceding_words": re.compile(r"((?:[A-Za-z][A-Za-z-]*[\s~]+){1,4})(?:\(\s*)?$"),
        "following_noun": re.compile(r"[\s~]+([a-z][a-z-]{2,24}s)(?![A-Za-z])"),
    }


def phrases_in_text(text: str) -> list[Phrase]:
    """Statements of the three shapes in a paragraph of raw LaTeX, in order; never raises."""
    if not isinstance(text, str) or not text:
        return []
    patterns = _patterns()
    if patterns["any_number"].search(text) is None:
        return []
    found: list[Phrase] = []
    found.extend(_math_statements(text, patterns))
    found.extend(_sets(text, patterns))
    found.extend(_counts(text, patterns))
    found.extend(_named(text, patterns))
    found.extend(_intervals(text, patterns))
    return _distinct(sorted(found, key=lambda phrase: (phrase.start, phrase.end)))


_OVERLAP_WINDOW = 8
_NAME_REACH = 120  # how far back a name is looked for


def _distinct(found: list[Phrase]) -> list[Phrase]:
    """One phrase per stated value: of two overlapping phrases stating the same value or set,
    the one that gives a symbol, else the first."""
    kept: list[Phrase] = []
    for phrase in found:
        recent = kept[-_OVERLAP_WINDOW:]  # phrases are short: only the last few can overlap
        same = next(
            (
                other
                for other in recent
                if other.start < phrase.end
                and phrase.start < other.end
                and (other.members or (other.raw,)) == (phrase.members or (phrase.raw,))
            ),
            None,
        )
        if same is None:
            kept.append(phrase)
        elif phrase.symbol and not same.symbol:
            kept[kept.index(same)] = Phrase(
                same.name if same.name != same.raw else phrase.name,
                same.key,
                same.value,
                same.raw,
                min(same.start, phrase.start),
                max(same.end, phrase.end),
                phrase.symbol,
                same.members,
            )
    return kept


def _number(raw: str) -> float | None:
    word = raw.lower().removeprefix("a ").strip()
    if word in NUMBER_WORDS:
        return float(NUMBER_WORDS[word])
    return parse_latex_number(raw)


def _counts(text: str, patterns: dict[str, re.Pattern[str]]) -> list[Phrase]:
    found = []
    for match in patterns["count"].finditer(text):
        raw = match["value"]
        value = _number(raw)
        if value is None or value <= 0 or not float(value).is_integer() or _is_year(raw, value):
            continue
        noun = " ".join(match["noun"].lower().split())
        # "30000 length-1024 sequences": the length is a setting of its own (``length_compound``)
        adjectives = " ".join(word for word in (match["adjectives"] or "").split() if not word.startswith("length-"))
        name = f"{adjectives} {noun}".strip()
        key = _COUNTED.get(name.lower())
        if match["more"] and "," not in match["more"] and not re.search(r"\bor\b", match["more"]):
            # "a horizon of 30 and 500 candidates": the first number is another setting's
            last = re.split(r"\band\b", match["more"])[-1].strip()
            value = _number(last)
            if value is not None:
                start = match.end("more") - len(match["more"]) + match["more"].rindex(last)
                found.append(Phrase(name, key, value, last, start, match.end("noun"), counted=True))
            continue
        if match["more"]:  # "2, 4 and 6 layers", "one or two layers": a set
            written = (raw, *(m.strip() for m in re.split(r",|\band\b|\bor\b", match["more"]) if m.strip()))
            numbers = [_number(member) for member in written]
            if all(number is not None for number in numbers):
                # words as digits, so a set reads the same however the paper spelt it
                members = tuple(w if parse_latex_number(w) is not None else f"{n:g}" for w, n in zip(written, numbers))
                written = text[match.start("value") : match.end("more")]
                found.append(
                    Phrase(
                        name, key, None, written, match.start("value"), match.end("noun"), members=members, counted=True
                    )
                )
            continue
        found.append(Phrase(name, key, value, raw, match.start("value"), match.end("noun"), counted=True))
    for match in patterns["single"].finditer(text):
        noun = match["noun"].lower()
        adjectives = " ".join((match["adjectives"] or "").split())
        name = f"{adjectives} {noun}s".strip() if not noun.endswith("y") else f"{adjectives} {noun[:-1]}ies".strip()
        key = _COUNTED.get(name.lower())
        found.append(Phrase(name, key, 1.0, match["value"], match.start("value"), match.end("noun"), counted=True))
    for match in patterns["compound"].finditer(text):
        value = _number(match["value"])
        noun = match["noun"].lower()
        # "the one-layer model" names a variant; a count of one is rarely a setting
        if value is None or value == 1 or noun == "dimensional":
            continue
        stem = noun.removeprefix("hidden-").rstrip("s")
        name = {"layer": "layers", "head": "heads", "block": "blocks"}[stem]
        key = "num_layers" if name == "layers" else ("num_heads" if name == "heads" else None)
        # "a three-layer projection MLP": the layers of the projection MLP, not of the model
        owner = []
        for word in match["owner"].split():
            if word.lower().endswith("s") and word.lower() not in _GENERIC_OWNERS:
                break  # "a 6-layer encoder adds ...": a verb, or a second noun phrase
            owner.append(word)
        owner = [word for word in owner if word.lower() not in _GENERIC_OWNERS]
        if owner:
            name, key = f"{' '.join(owner)} {name}", None
        found.append(Phrase(name, key, value, match["value"], match.start(), match.end("noun"), counted=True))
    return found


def _is_year(raw: str, value: float) -> bool:
    return raw.isdigit() and len(raw) == 4 and 1900 <= value <= 2100


def _named(text: str, patterns: dict[str, re.Pattern[str]]) -> list[Phrase]:
    found = []
    for match in patterns["option"].finditer(text):
        value = parse_latex_number(match["value"])
        if value is not None:
            name = match["name"].replace("\\_", "_").replace("\\", "")
            found.append(Phrase(name, None, value, match["value"], match.start("name"), match.end("value")))
    for match in patterns["item"].finditer(text):
        value = parse_latex_number(match["value"])
        name = " ".join((match["bracket"] or match["bold"] or "").split())
        if value is not None and re.search(r"[A-Za-z]", name):
            start = match.start("bracket") if match["bracket"] else match.start("bold")
            found.append(Phrase(name, None, value, match["value"], start, match.end("value")))
    for kind in ("named", "batches"):
        for match in patterns[kind].finditer(text):
            value = parse_latex_number(match["value"])
            if value is None:
                continue
            start = match.start("name")
            if kind == "named":  # the words before the head noun: "planning" of "planning horizon"
                before = patterns["name_words"].search(text, max(0, start - _NAME_REACH), start)
                start = before.start() if before is not None else start
            name = " ".join(text[start : match.end("name")].replace("~", " ").split())
            if name.lower() in _VAGUE:  # "a factor of 0.1", "a weight of .01": of what, the words don't say
                # unless the words before say: "horizontal flip (probability 0.5)", "solarization with probability 0.5"
                owner = patterns["owner_before"].search(text, max(0, start - _NAME_REACH), start)
                if owner is None:
                    continue
                start, name = owner.start("name"), f"{' '.join(owner['name'].replace('~', ' ').split())} {name}"
            key = "batch_size" if kind == "batches" else None
            found.append(Phrase(name, key, value, match["value"], start, match.end("value")))
    return found


def _intervals(text: str, patterns: dict[str, re.Pattern[str]]) -> list[Phrase]:
    """An interval a value is drawn from (its name before it), a swept range ("vary $N$ from 1
    to 65536": a set of its two ends) and an assignment written in text ("df=10")."""
    found = []
    for match in patterns["interval"].finditer(text):
        named = patterns["interval_name"].search(text, max(0, match.start() - _NAME_REACH), match.start())
        low, high = parse_latex_number(match["low"]), parse_latex_number(match["high"])
        if named is None or low is None or high is None or (low, high) in ((0.0, 1.0), (-1.0, 1.0)):
            continue  # [0, 1] and [-1, 1] are the domain of a variable, not a setting
        name = " ".join(named["name"].replace("~", " ").split())
        raw = f"[{match['low']}, {match['high']}]"
        found.append(Phrase(name, None, None, raw, named.start(), match.end()))
    for match in patterns["from_to"].finditer(text):
        members = (_plain_number(match["low"]), _plain_number(match["high"]))
        if any(parse_latex_number(member) is None for member in members):
            continue
        name = " ".join(match["name"].strip("$").replace("~", " ").split())
        symbol = name if match["name"].startswith("$") else ""
        written = text[match.start("low") : match.end("high")]
        found.append(Phrase(name, None, None, written, match.start("name"), match.end(), symbol, members))
    for match in patterns["length_compound"].finditer(text):
        noun = match["noun"].removesuffix("s")
        found.append(Phrase(f"{noun} length", None, float(match["value"]), match["value"], match.start(), match.end()))
    for match in patterns["product"].finditer(text):
        if not match["lead"] and not match["noun"]:
            continue  # a product with no object: "a 256x increase", a grid of tokens
        noun = re.sub(r"(?:(?<=ch)es|s)$", "", " ".join((match["noun"] or "input").split()).lower())
        raw = re.sub(r"\s*(?:\\times|x)\s*", "x", match["value"])
        found.append(Phrase(f"{noun} size", None, None, raw, match.start("value"), match.end()))
    for match in patterns["value_first"].finditer(text):
        name = " ".join(match["name"].split())
        value = parse_latex_number(match["value"])
        if value is not None:
            raw = match["value"] + ("\\%" if match["percent"] else "")
            found.append(Phrase(name, None, value, raw, match.start("value"), match.end("name")))
    for match in patterns["mask_share"].finditer(text):
        value = parse_latex_number(match["value"])
        if value is not None:
            found.append(Phrase("mask ratio", None, value, match["value"] + "\\%", match.start(), match.end()))
    for match in patterns["schedule_ends"].finditer(text):
        name = " ".join(match["name"].split()).lower()
        for end, group in (("start", "low"), ("end", "high")):
            value = parse_latex_number(match[group])
            if value is not None:
                found.append(Phrase(f"{name} {end}", None, value, match[group], match.start(group), match.end(group)))
    for match in patterns["text_assignment"].finditer(text):
        value = parse_latex_number(match["value"])
        if value is not None:
            found.append(Phrase(match["name"], None, value, match["value"], match.start(), match.end("value")))
    return found


def _sets(text: str, patterns: dict[str, re.Pattern[str]]) -> list[Phrase]:
    found = []
    for match in patterns["set"].finditer(text):
        named = patterns["set_name"].search(text, max(0, match.start() - _NAME_REACH), match.start())
        members = _members(match["members"])
        if members is None or named is None:
            continue
        name = " ".join(named["name"].replace("~", " ").split())
        symbol = " ".join((match["symbol"] or "").split())
        found.append(Phrase(name, None, None, match["members"].strip(), named.start(), match.end(), symbol, members))
    return found


_SLASH = re.compile(r"(\d+)/(\d+)")


def _fraction(raw: str) -> float | None:
    """``1/2`` in math: a fraction."""
    top, bottom = (int(part) for part in raw.split("/"))
    return top / bottom if bottom else None


_TEXT_WRAPPER = re.compile(r"\\(?:text|mathrm|textrm|mbox)\s*\{([^{}]*)\}")


def _plain_number(written: str) -> str:
    """A number without the text wrappers of its suffix: ``50\\text{K}`` -> ``50K``."""
    return _TEXT_WRAPPER.sub(r"\1", written).strip()


def _members(body: str) -> tuple[str, ...] | None:
    """The members of ``\\{a, b, c\\}`` when every one is a number, else None. ``\\{0, 1\\}``
    and ``\\{-1, 1\\}`` are the domain of a binary variable, not a sweep."""
    members = tuple(_plain_number(part) for part in body.split(",") if part.strip())
    numbers = [number for member in members if (number := parse_latex_number(member)) is not None]
    if len(members) < 2 or len(numbers) < len(members):
        return None
    if sorted(numbers) in ([0.0, 1.0], [-1.0, 1.0]):
        return None
    return members


def _math_statements(text: str, patterns: dict[str, re.Pattern[str]]) -> list[Phrase]:
    found = []
    for math in patterns["math"].finditer(text):
        body, offset = math["body"], math.start("body")
        for match in patterns["assignment"].finditer(body):
            raw = _plain_number(match["value"])
            value = _fraction(raw) if _SLASH.fullmatch(raw) else parse_latex_number(raw)
            if value is None:
                continue
            symbol = " ".join(match["symbol"].split())
            name = _nearby_words(text, math.start(), patterns, after=math.end()) or symbol
            found.append(Phrase(name, None, value, raw, offset + match.start(), offset + match.end("value"), symbol))
        for match in patterns["member_of"].finditer(body):
            members = _members(match["members"])
            if members is None:
                continue
            symbol = " ".join(match["symbol"].split())
            name = _nearby_words(text, math.start(), patterns) or symbol
            found.append(
                Phrase(
                    name,
                    None,
                    None,
                    match["members"].strip(),
                    offset + match.start(),
                    offset + match.end(),
                    symbol,
                    members,
                )
            )
    return found


def _nearby_words(text: str, end: int, patterns: dict[str, re.Pattern[str]], after: int | None = None) -> str:
    """The words just before a formula ("a planning horizon $H = 16$" -> "planning horizon"),
    and the noun it counts just after ("the last $M = 5$ checkpoints" -> "last checkpoints")."""
    before = text[max(0, end - 80) : end]
    match = patterns["preceding_words"].search(before)
    kept: list[str] = []
    words = list(reversed(match[1].replace("~", " ").split() if match else []))
    skipped = 0
    while skipped < min(2, len(words)) and words[skipped].lower() in _COPULAS:
        skipped += 1  # "the gradient penalty weight is $\lambda = 10$": the name is before "is"
    for word in words[skipped:]:
        if word.lower() in _STOP_WORDS:
            break
        kept.insert(0, word)
    if after is not None:
        counted = patterns["following_noun"].match(text, after)
        if counted is not None and counted[1].lower() not in _STOP_WORDS:
            kept.append(counted[1])
    return " ".join(kept)


_COPULAS = frozenset("is are was were be of to set as equals equal".split())
_STOP_WORDS = frozenset(
    "of the a an and or to in on for with from by at is are was were be we our this that these which it its"
    " use used using set sets setting where when if while as than then let has have had gives give given yields"
    " denote denotes denoted becomes draw drew keep kept choose chose select selected pick sweep searched search"
    " tested test try tried vary varied find found fix fixed run ran train trained".split()
)
