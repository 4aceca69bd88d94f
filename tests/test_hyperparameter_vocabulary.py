"""The paper's hyperparameter vocabulary and the code's agree.

Two readers name hyperparameters: the paper reader (``paper/hyperparams.py``: phrases in
prose and table rows -> keys) and the code scan (``analysis/hyperparameters/vocabulary.py``:
flags, fields and API parameters -> canonical names), joined by ``same_hyperparameter``.
They cannot be one table (one matches phrases in order, the other exact identifiers), so
this test holds them together: every name the code knows, written as a paper writes it,
reads back to a key that joins it; every key the paper reader gives joins a name the code
gives. A new synonym on one side fails here until the other side knows it.
"""

from __future__ import annotations

import pytest

from paperlink.analysis.hyperparameters import vocabulary
from paperlink.analysis.hyperparameters.vocabulary import config_name, known_names, same_hyperparameter
from paperlink.paper import hyperparams
from paperlink.paper.hyperparams import canonical_key, mentions_in_text

# The code's canonical names and their spellings in flags and config fields.
CODE_WORDS = sorted((name, word) for name, words in vocabulary._CONFIG_NAMES.items() for word in {name, *words.split()})
# Every key the paper reader's vocabulary can give (table rows and prose).
PAPER_KEYS = sorted(
    {key for rule in hyperparams._VOCABULARY for key in (rule.key, rule.adam_key) if key}
    | {pattern.key for pattern in hyperparams._PROSE_PATTERNS if pattern.key}
)
# A pair of values in one cell: the code never holds Adam's betas as one hyperparameter.
PAPER_ONLY = frozenset({"betas", "adam.betas"})


@pytest.mark.parametrize(("name", "word"), CODE_WORDS)
def test_a_code_name_written_in_a_table_row_reads_back_to_a_key_that_joins_it(name: str, word: str) -> None:
    key = canonical_key(word.replace("_", " ").replace(".", " "))
    assert key is not None and same_hyperparameter(name, key), f"{word!r} (code: {name}) reads as {key!r} in a paper"


@pytest.mark.parametrize("key", PAPER_KEYS)
def test_every_paper_key_joins_a_code_name(key: str) -> None:
    if key in PAPER_ONLY:
        return
    # a name the code's APIs and config words give, or a config field spelled as the key
    field = config_name(key.replace(".", "_"))
    joined = any(same_hyperparameter(name, key) for name in known_names()) or (
        field is not None and same_hyperparameter(field, key)
    )
    assert joined, f"no code name joins the paper's hp:{key}"


@pytest.mark.parametrize(
    ("prose", "key"),
    [
        (r"a minimum learning rate of $10^{-6}$", "min_lr"),
        (r"the learning rate is $3\times10^{-4}$", "learning_rate"),
    ],
)
def test_prose_and_rows_give_the_same_key(prose: str, key: str) -> None:
    [mention] = mentions_in_text(prose)
    assert mention.key == key == canonical_key(mention.name)
