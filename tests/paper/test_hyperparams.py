"""Tests for paperlink.paper.hyperparams: numbers, names, prose mentions and table rows."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperlink.numbers import parse_latex_number
from paperlink.paper import hyperparams
from paperlink.paper.hyperparams import (
    Mention,
    canonical_key,
    is_hyperparameter_table,
    mention_from_row,
    mentions_in_text,
)

# --- API -------------------------------------------------------------------------------


def test_public_api_is_exactly_the_documented_names():
    assert sorted(hyperparams.__all__) == sorted(
        [
            "Mention",
            "canonical_key",
            "mentions_in_text",
            "mention_from_row",
            "VOCABULARY_KEYS",
            "is_hyperparameter_table",
            "statement",
        ]
    )


def test_mention_is_frozen():
    mention = Mention("learning_rate", "learning rate", 0.1, "0.1", 0, 17)
    with pytest.raises(dataclasses.FrozenInstanceError):
        mention.value = 0.2  # type: ignore[misc]


# --- canonical_key ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        (r"Learning rate ($\eta$)", "learning_rate"),
        ("LR", "learning_rate"),
        ("lr", "learning_rate"),
        ("Base learning rate", "learning_rate"),
        ("Batch size", "batch_size"),
        ("Mini-batch size", "batch_size"),
        ("Minibatch size", "batch_size"),
        (r"$\beta_1$", "beta1"),
        (r"$\beta_{2}$", "beta2"),
        ("β1", "beta1"),
        (r"Adam $\beta_1$", "adam.beta1"),
        (r"Adam $\beta_2$", "adam.beta2"),
        (r"AdamW $\beta_2$", "adam.beta2"),
        (r"$\epsilon$", "eps"),
        (r"$\varepsilon$", "eps"),
        (r"Adam $\epsilon$", "adam.eps"),
        (r"$\epsilon_{\text{Adam}}$", "adam.eps"),
        ("Weight decay", "weight_decay"),
        ("L2 regularization", "weight_decay"),
        ("Momentum", "momentum"),
        (r"Temperature $\tau$", "temperature"),
        (r"$\tau$", "tau"),
        ("Dropout", "dropout"),
        ("Dropout rate", "dropout"),
        (r"$P_{drop}$", "dropout"),
        (r"Label smoothing $\epsilon_{ls}$", "label_smoothing"),
        ("Warmup steps", "warmup_steps"),
        ("Warm-up", "warmup_steps"),
        ("Warmup epochs", "warmup_epochs"),
        ("Epochs", "epochs"),
        ("Training epochs", "epochs"),
        ("Training steps", "training_steps"),
        (r"Discount factor $\gamma$", "gamma"),
        ("Discount", "gamma"),
        (r"$\gamma$", "gamma"),
        ("Target update period", "target_update_period"),
        (r"Target network update frequency $C$", "target_update_period"),
        ("Gradient clipping", "max_grad_norm"),
        ("Max gradient norm", "max_grad_norm"),
        ("EMA decay", "ema_decay"),
        ("Replay buffer size", "buffer_size"),
        ("Replay capacity", "buffer_size"),
        (r"Exploration $\epsilon$", "exploration_eps"),
        ("Hidden size", "d_model"),
        (r"$d_{model}$", "d_model"),
        (r"$d_{\text{model}}$", "d_model"),
        ("Number of heads", "num_heads"),
        (r"$h$", "num_heads"),
        ("Layers", "num_layers"),
        (r"\textbf{Learning rate}", "learning_rate"),
        (r"\multirow{2}{*}{Batch size}", "batch_size"),
    ],
)
def test_canonical_key_maps_known_vocabulary(name, key):
    assert canonical_key(name) == key


@pytest.mark.parametrize("name", ["Optimizer", "Optimiser", r"\textbf{Optimizer}", "LR schedule"])
def test_canonical_key_is_none_for_names_whose_value_is_a_word(name):
    assert canonical_key(name) is None


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        (r"$\lambda$", "lambda"),
        ("Huber threshold", "huber_threshold"),
        (r"Entropy coefficient ($c_2$)", "entropy_coefficient"),
        ("Projection dim", "projection_dim"),
        ("Number of negatives", "number_of_negatives"),
    ],
)
def test_canonical_key_slugs_unknown_short_names(name, slug):
    assert canonical_key(name) == slug


@pytest.mark.parametrize(
    "cell",
    [
        "",
        "   ",
        "$$",
        "0.1",
        r"$3\times10^{-4}$",
        "4k",
        "We train every model with the same optimizer settings for fairness.",
    ],
)
def test_canonical_key_is_none_for_non_names(cell):
    assert canonical_key(cell) is None


@given(st.text())
def test_canonical_key_never_raises(text):
    key = canonical_key(text)
    assert key is None or (key and key == key.strip())


# --- mentions_in_text ------------------------------------------------------------------

_PROSE_CASES = [
    # (text, key, value, raw, text[start:end])
    (
        r"we use a learning rate of $3\times10^{-4}$",
        "learning_rate",
        3e-4,
        r"3\times10^{-4}",
        r"learning rate of $3\times10^{-4}",
    ),
    ("with a learning rate of 0.05", "learning_rate", 0.05, "0.05", "learning rate of 0.05"),
    ("learning rate 0.1", "learning_rate", 0.1, "0.1", "learning rate 0.1"),
    (
        "the learning rate is set to 1e-3",
        "learning_rate",
        1e-3,
        "1e-3",
        "learning rate is set to 1e-3",
    ),
    ("lr = 0.01", "learning_rate", 0.01, "0.01", "lr = 0.01"),
    ("momentum 0.9", "momentum", 0.9, "0.9", "momentum 0.9"),
    ("momentum of 0.9", "momentum", 0.9, "0.9", "momentum of 0.9"),
    (
        r"a weight decay of $10^{-4}$",
        "weight_decay",
        1e-4,
        "10^{-4}",
        r"weight decay of $10^{-4}",
    ),
    ("weight decay 1e-4", "weight_decay", 1e-4, "1e-4", "weight decay 1e-4"),
    (r"temperature $\tau = 0.07$", "temperature", 0.07, "0.07", r"temperature $\tau = 0.07"),
    (r"$\tau = 0.07$", "tau", 0.07, "0.07", r"\tau = 0.07"),
    (r"$\epsilon = 10^{-9}$", "eps", 1e-9, "10^{-9}", r"\epsilon = 10^{-9}"),
    ("batch size of 512", "batch_size", 512.0, "512", "batch size of 512"),
    ("a batch size 4096", "batch_size", 4096.0, "4096", "batch size 4096"),
    ("dropout of 0.1", "dropout", 0.1, "0.1", "dropout of 0.1"),
    (
        r"dropout rate $P_{drop} = 0.1$",
        "dropout",
        0.1,
        "0.1",
        r"dropout rate $P_{drop} = 0.1",
    ),
    (
        r"label smoothing of value $\epsilon_{ls} = 0.1$",
        "label_smoothing",
        0.1,
        "0.1",
        r"label smoothing of value $\epsilon_{ls} = 0.1",
    ),
    (
        r"discount factor $\gamma = 0.99$",
        "gamma",
        0.99,
        "0.99",
        r"discount factor $\gamma = 0.99",
    ),
    ("for 100 epochs", "epochs", 100.0, "100", "100 epochs"),
    ("warmup_steps = 4000", "warmup_steps", 4000.0, "4000", "warmup_steps = 4000"),
    (r"$warmup\_steps = 4000$", "warmup_steps", 4000.0, "4000", r"warmup\_steps = 4000"),
    ("4000 warm-up steps", "warmup_steps", 4000.0, "4000", "4000 warm-up steps"),
    (
        r"the target network is updated every $C = 1000$ steps",
        "target_update_period",
        1000.0,
        "1000",
        r"target network is updated every $C = 1000",
    ),
    (
        "the target network is updated every 1000 steps",
        "target_update_period",
        1000.0,
        "1000",
        "target network is updated every 1000",
    ),
    # Further spellings: markup around names and values.
    (r"\emph{learning rate} of 0.1", "learning_rate", 0.1, "0.1", "learning rate} of 0.1"),
    (
        r"learning rate~\cite{kingma2015} of \num{3e-4}",
        "learning_rate",
        3e-4,
        r"\num{3e-4}",
        r"learning rate~\cite{kingma2015} of \num{3e-4}",
    ),
    (
        r"learning rate ($\eta$) of 0.1",
        "learning_rate",
        0.1,
        "0.1",
        r"learning rate ($\eta$) of 0.1",
    ),
    ("batch size of 4{,}096", "batch_size", 4096.0, "4{,}096", "batch size of 4{,}096"),
    (r"dropout of 10\%", "dropout", 0.1, r"10\%", r"dropout of 10\%"),
    ("replay memory of 1M transitions", "buffer_size", 1e6, "1M", "replay memory of 1M"),
    ("trained for 100k steps", "training_steps", 1e5, "100k", "100k steps"),
    ("a warm-up of 5 epochs", "warmup_epochs", 5.0, "5", "warm-up of 5"),
    ("we use 8 attention heads", "num_heads", 8.0, "8", "8 attention heads"),
    ("an EMA decay of 0.999", "ema_decay", 0.999, "0.999", "EMA decay of 0.999"),
    (
        "gradient clipping with a maximum norm of 1.0",
        "max_grad_norm",
        1.0,
        "1.0",
        "gradient clipping with a maximum norm of 1.0",
    ),
    (
        r"$\epsilon$-greedy exploration with $\epsilon = 0.1$",
        "exploration_eps",
        0.1,
        "0.1",
        r"\epsilon = 0.1",
    ),
    ("Learning Rate: 0.3", "learning_rate", 0.3, "0.3", "Learning Rate: 0.3"),
]


@pytest.mark.parametrize(("text", "key", "value", "raw", "covered"), _PROSE_CASES)
def test_mentions_in_text_recognises_prose_statements(text, key, value, raw, covered):
    (mention,) = mentions_in_text(text)
    assert (mention.key, mention.raw) == (key, raw)
    assert mention.value == pytest.approx(value, rel=1e-12)
    assert text[mention.start : mention.end] == covered


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("lr = 0.01", "lr"),
        (r"$\beta_1 = 0.9$", "beta_1"),
        (r"$\beta_{2} = 0.98$", "beta_2"),
        (r"\emph{learning~rate} of 0.1", "learning rate"),
        (r"$warmup\_steps = 4000$", "warmup_steps"),
        (r"$\epsilon = 10^{-9}$", "epsilon"),
    ],
)
def test_mentions_in_text_names_are_plain(text, name):
    (mention,) = mentions_in_text(text)
    assert mention.name == name


def test_betas_without_adam_are_plain_betas():
    text = r"$\beta_1 = 0.9$ and $\beta_2 = 0.98$"
    mentions = mentions_in_text(text)
    assert [(m.key, m.value, m.raw) for m in mentions] == [
        ("beta1", 0.9, "0.9"),
        ("beta2", 0.98, "0.98"),
    ]
    assert [text[m.start : m.end] for m in mentions] == [r"\beta_1 = 0.9", r"\beta_2 = 0.98"]


def test_betas_and_epsilon_with_adam_are_adam_keys():
    text = r"We use Adam with $\beta_1 = 0.9$, $\beta_2 = 0.98$ and $\epsilon = 10^{-9}$."
    mentions = mentions_in_text(text)
    assert [(m.key, m.value) for m in mentions] == [
        ("adam.beta1", 0.9),
        ("adam.beta2", 0.98),
        ("adam.eps", 1e-9),
    ]


def test_a_word_name_and_its_symbol_give_one_mention():
    text = r"We use a temperature $\tau = 0.07$ and a discount factor $\gamma = 0.99$."
    assert [(m.key, m.value) for m in mentions_in_text(text)] == [
        ("temperature", 0.07),
        ("gamma", 0.99),
    ]


def test_simsiam_optimisation_paragraph():
    text = (
        "We use SGD with momentum 0.9 and weight decay $10^{-4}$. The learning rate of\n"
        "0.05 is a base value that is scaled linearly with the batch size $B$,\n"
        "which gives $\\eta_0 = 0.1$ at our batch size of 512. Over $T$ training\n"
        "iterations the step size follows a half-period cosine without restarts."
    )
    mentions = mentions_in_text(text)
    assert [(m.key, m.value, m.raw) for m in mentions] == [
        ("momentum", 0.9, "0.9"),
        ("weight_decay", 1e-4, "10^{-4}"),
        ("learning_rate", 0.05, "0.05"),
        ("eta_0", 0.1, "0.1"),  # a symbol assignment: keyed by its symbol (issue 17)
        ("batch_size", 512.0, "512"),
    ]
    for mention in mentions:
        assert text[mention.start : mention.end].endswith(mention.raw)


def test_dqn_setup_paragraph():
    text = (
        "The discount is $\\gamma = 0.99$, the target network is\n"
        "synchronised every $C = 1000$ steps, and every other setting is given in\n"
        "Table~\\ref{tab:hparams}. Returns are averaged over the last 100 training episodes\n"
        "and over five seeds."
    )
    assert [(m.key, m.value) for m in mentions_in_text(text)] == [
        ("gamma", 0.99),
        ("target_update_period", 1000.0),
        ("training_episodes", 100.0),  # the evaluation protocol is a setting too (issue 17)
        ("num_seeds", 5.0),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "We evaluate on 3 tasks in 2021 and report 95% intervals.",
        r"This $\epsilon$ is four orders of magnitude larger than the default of $10^{-8}$.",
        "the learning rate is decayed by a factor of 0.1 at epoch 30",
        "we tune the learning rate and the batch size on 10% of the data",
        "Table 3 reports 0.9 accuracy after 20 steps.",
        r"$\tau$ and 0.5",
        "lrelu 0.2",
    ],
)
def test_mentions_in_text_does_not_invent_mentions(text):
    assert mentions_in_text(text) == []


def test_mentions_are_sorted_by_start_and_distinct():
    text = (
        r"for 90 epochs with a batch size of 256, momentum 0.9, weight decay $5\times10^{-4}$"
        r" and a learning rate of 0.1 warmed up over 4000 warm-up steps"
    )
    mentions = mentions_in_text(text)
    assert [m.key for m in mentions] == [
        "epochs",
        "batch_size",
        "momentum",
        "weight_decay",
        "learning_rate",
        "warmup_steps",
    ]
    starts = [m.start for m in mentions]
    assert starts == sorted(starts)
    assert len({(m.start, m.end) for m in mentions}) == len(mentions)


_PROSE_TOKENS = st.sampled_from(
    [
        "learning rate",
        "lr",
        "of",
        "is set to",
        "=",
        "$",
        r"\tau",
        r"\beta_1",
        r"\epsilon_{ls}",
        r"\gamma",
        "temperature",
        "batch size",
        "Adam",
        "for",
        "epochs",
        "warm-up steps",
        "target network is updated every",
        "0.1",
        r"3\times10^{-4}",
        "10^{-6}",
        "1{,}000",
        r"\num{1e-4}",
        r"10\%",
        "4k",
        "(",
        ")",
        "~",
        r"\,",
        "{",
        "}",
        "_",
        "-",
        "e",
        "\n",
    ]
)
_PROSE_SOUP = st.lists(_PROSE_TOKENS, max_size=30).map(" ".join) | st.lists(_PROSE_TOKENS, max_size=30).map("".join)


def _assert_well_formed(text: str, mentions: list[Mention]) -> None:
    assert [m.start for m in mentions] == sorted(m.start for m in mentions)
    assert len({(m.start, m.end) for m in mentions}) == len(mentions)
    for mention in mentions:
        assert 0 <= mention.start < mention.end <= len(text)
        assert mention.raw in text[mention.start : mention.end]
        assert mention.key
        assert mention.value == parse_latex_number(mention.raw)


@given(st.text())
@settings(max_examples=300, deadline=None)  # no wall-clock bound: the first call compiles the patterns
def test_mentions_in_text_never_raises_on_arbitrary_text(text):
    _assert_well_formed(text, mentions_in_text(text))


@given(_PROSE_SOUP)
@settings(max_examples=500)
def test_mentions_in_text_never_raises_on_latex_like_text(text):
    _assert_well_formed(text, mentions_in_text(text))


# --- mention_from_row ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "key", "value", "raw"),
    [
        (["Learning rate", "0.05"], "learning_rate", 0.05, "0.05"),
        (["Learning rate", r"$10^{-4}$"], "learning_rate", 1e-4, "10^{-4}"),
        ([r"Adam $\epsilon$", r"$1.5\times10^{-4}$"], "adam.eps", 1.5e-4, r"1.5\times10^{-4}"),
        (["Discount", "0.99"], "gamma", 0.99, "0.99"),
        (["Batch size", r"32 \\"], "batch_size", 32.0, "32"),
        (["Replay capacity", r"$10^{5}$ \\ \hline"], "buffer_size", 1e5, "10^{5}"),
        (["Target update period", "1000"], "target_update_period", 1000.0, "1000"),
        (["Training steps", r"$5\times10^{5}$"], "training_steps", 5e5, r"5\times10^{5}"),
        (["Momentum", r"\textbf{0.9}"], "momentum", 0.9, r"\textbf{0.9}"),
        (["Weight decay", "--", r"\num{5e-4}"], "weight_decay", 5e-4, r"\num{5e-4}"),
        (["Learning rate", "1e-4", "3e-4"], "learning_rate", 1e-4, "1e-4"),
        ([r"$\beta_1$", "0.9", "Adam"], "adam.beta1", 0.9, "0.9"),
        ([r"$\beta_1$", "0.9"], "beta1", 0.9, "0.9"),
        ([r"\textbf{Epochs}", "100"], "epochs", 100.0, "100"),
    ],
)
@pytest.mark.parametrize("hyperparameter_table", [True, False])
def test_mention_from_row_reads_vocabulary_rows(cells, key, value, raw, hyperparameter_table):
    mention = mention_from_row(cells, hyperparameter_table=hyperparameter_table)
    assert mention is not None
    assert (mention.key, mention.raw) == (key, raw)
    assert mention.value == pytest.approx(value, rel=1e-12)
    assert (mention.start, mention.end) == (0, len(cells[0]))


def test_mention_from_row_names_are_plain():
    mention = mention_from_row([r"Learning rate ($\eta$)", "0.1"], hyperparameter_table=False)
    assert mention is not None and mention.name == "Learning rate (eta)"


def test_mention_from_row_slugs_unknown_names_only_in_hyperparameter_tables():
    row = ["Huber threshold", "1"]
    mention = mention_from_row(row, hyperparameter_table=True)
    assert mention is not None and (mention.key, mention.value) == ("huber_threshold", 1.0)
    assert mention_from_row(row, hyperparameter_table=False) is None


@pytest.mark.parametrize(
    "cells",
    [
        ["Hyperparameter", "Value"],
        [r"\textbf{Hyperparameter}", r"\textbf{Value}"],
        ["Hyper-parameters", "1"],
        ["Parameter", "0.1"],
        ["Value", "0.1"],
        ["Setting", "2"],
        ["Optimiser", "0.1"],
        [r"Adam $\beta$s", "(0.9, 0.999)"],
        ["betas", "(0.9, 0.999)"],
        ["Learning rate"],
        ["Learning rate", "see text"],
        ["", "0.1"],
        ["0.1", "0.2"],
        [],
    ],
)
def test_mention_from_row_rejects_headers_words_and_tuples(cells):
    assert mention_from_row(cells, hyperparameter_table=True) is None


@pytest.mark.parametrize(
    ("cells", "key", "raw"),
    [
        (["Optimizer", "Adam"], "optimizer", "Adam"),
        (["Learning rate schedule", "cosine"], "learning_rate_schedule", "cosine"),
        (["MLP Hidden Sizes", "[1024, 1024, 1024]"], "mlp_hidden_sizes", "[1024, 1024, 1024]"),
        (["Encoder output size", r"256$\times$2"], "encoder_output_size", r"256$\times$2"),
    ],
)
def test_mention_from_row_reads_a_categorical_setting_in_a_hyperparameter_table(cells, key, raw):
    mention = mention_from_row(cells, hyperparameter_table=True)
    assert mention is not None and (mention.key, mention.value, mention.raw) == (key, None, raw)
    assert mention_from_row(cells, hyperparameter_table=False) is None


def test_mention_from_row_ignores_result_rows_outside_hyperparameter_tables():
    assert mention_from_row(["ResNet-50", "76.1", "93.0"], hyperparameter_table=False) is None


@given(st.lists(st.text(max_size=60), max_size=5), st.booleans())
def test_mention_from_row_never_raises(cells, hyperparameter_table):
    mention = mention_from_row(cells, hyperparameter_table=hyperparameter_table)
    # a number, or (in a hyperparameter table) a categorical value as written
    assert mention is None or (mention.key and (mention.value is not None or (hyperparameter_table and mention.raw)))


# --- is_hyperparameter_table -----------------------------------------------------------


@pytest.mark.parametrize(
    "caption",
    [
        "Hyperparameters shared by all tasks.",
        r"Pretraining hyperparameters. The learning rate is the base value",
        "Hyper-parameters for fine-tuning.",
        "Training settings.",
        "Training details for all models.",
        "Model configuration.",
        "Implementation details.",
        r"\textbf{Hyperparameter} choices",
    ],
)
def test_is_hyperparameter_table_by_caption(caption):
    assert is_hyperparameter_table(caption, ["Method", "Accuracy"])


@pytest.mark.parametrize(
    "header",
    [
        ["Hyperparameter", "Value"],
        [r"\textbf{Parameter}", r"\textbf{Value}"],
        ["Name", "Setting"],
        ["", "Values"],
    ],
)
def test_is_hyperparameter_table_by_header(header):
    assert is_hyperparameter_table("Results.", header)


@pytest.mark.parametrize(
    ("caption", "header"),
    [
        ("Ablation results on ImageNet.", ["Method", "Top-1", "Top-5"]),
        ("Linear-probe accuracy.", ["Model", "Evaluation accuracy"]),
        ("", []),
    ],
)
def test_is_hyperparameter_table_rejects_result_tables(caption, header):
    assert not is_hyperparameter_table(caption, header)


@given(st.text(), st.lists(st.text(), max_size=4))
def test_is_hyperparameter_table_never_raises(caption, header):
    assert isinstance(is_hyperparameter_table(caption, header), bool)
