"""`paperlink suggest`'s evidence, one kind at a time, with the cases that must not be suggested."""

from __future__ import annotations

from pathlib import Path

from paperlink.paper import parse_paper
from paperlink.paper.model import Paper
from paperlink.suggest import DEFAULT_MIN_SCORE, Link, Suggestions, accepted, suggest

HEADER = "\\documentclass{article}\n\\usepackage{amsmath}\n\\usepackage{algpseudocode}\n\\begin{document}\n"


def _paper(tmp_path: Path, body: str) -> tuple[Paper, dict[str, list[str]]]:
    text = HEADER + body + "\n\\end{document}\n"
    (tmp_path / "paper.tex").write_text(text, encoding="utf-8")
    paper = parse_paper(tmp_path / "paper.tex", name="p", root=tmp_path)
    return paper, {"paper.tex": text.splitlines()}


def _run(tmp_path: Path, body: str, sources: dict[str, str], links: tuple[Link, ...] = ()) -> Suggestions:
    paper, lines = _paper(tmp_path, body)
    return suggest(paper, sorted(sources.items()), lines, links)


def _best(found: Suggestions, key: str) -> tuple[str, int, float, tuple[str, ...]]:
    ranking = next(r for r in found.rankings if r.item.key == key)
    best = ranking.candidates[0]
    return best.target.path, best.target.line, best.score, best.evidence


def _written(found: Suggestions) -> dict[str, tuple[str, int]]:
    return {r.item.key: (c.target.path, c.target.line) for r, c in accepted(found)}


def test_a_function_named_as_the_section_title_ranks_first_and_says_so(tmp_path: Path) -> None:
    found = _run(
        tmp_path,
        "\\section{Symmetric loss}\\label{sec:symmetric}\nBoth branches predict each other.",
        {"train.py": "def symmetric_loss(p, z):\n    return p - z\n\n\ndef data_loader(path):\n    return path\n"},
    )
    path, line, score, evidence = _best(found, "sec:symmetric")
    assert (path, line) == ("train.py", 1)
    assert evidence == ("name `symmetric_loss` ~ 'symmetric loss'",)
    assert score >= DEFAULT_MIN_SCORE


def test_a_symbol_spelled_out_matches_the_parameter_that_names_it(tmp_path: Path) -> None:
    body = "\\begin{equation}\\label{eq:one} s = z / \\tau \\end{equation}"
    code = "def divide(z, temp):\n    s = z / temp\n    return s\n\n\ndef shift(z, offset):\n    return z + offset\n"
    found = _run(tmp_path, body, {"model.py": code})
    path, line, _, evidence = _best(found, "eq:one")
    assert (path, line) == ("model.py", 2)
    assert "uses 'temperature'" in evidence[0]  # \tau and temp are one word once spelled out


def test_stop_gradient_in_the_equation_matches_detach_in_the_code(tmp_path: Path) -> None:
    body = (
        "Each branch is a target for the other.\n"
        "\\begin{equation}\\label{eq:target} \\mathcal{L} = D(p_1, \\operatorname{sg}(z_2)) \\end{equation}"
    )
    code = (
        "def branch_target(p1, z2):\n    return distance(p1, z2.detach())\n\n\n"
        "def branch_other(p1, z2):\n    return distance(p1, z2)\n"
    )
    found = _run(tmp_path, body, {"loss.py": code})
    path, line, _, evidence = _best(found, "eq:target")
    assert (path, line) == ("loss.py", 1)
    assert "calls `detach()` where Eq. (1) has sg(·)" in evidence


def test_a_helper_named_loss_that_implements_no_equation_is_not_written(tmp_path: Path) -> None:
    body = (
        "\\section{Method}\\label{sec:method}\nThe contrastive objective compares each pair.\n"
        "\\begin{equation}\\label{eq:contrastive} \\mathcal{L} = -\\log \\frac{\\exp(s_{ii})}{\\sum_j \\exp(s_{ij})}"
        " \\end{equation}"
    )
    code = (
        "def loss(value):\n    return float(value)\n\n\n"
        "def contrastive(s):\n    return -(s.diag() - s.exp().sum(1).log()).mean()\n"
    )
    found = _run(tmp_path, body, {"train.py": code})
    ranking = next(r for r in found.rankings if r.item.key == "eq:contrastive")
    assert ranking.candidates[0].target.line == 5  # the operators outweigh the name
    assert _written(found).get("eq:contrastive") == ("train.py", 5)
    assert all(c.target.line != 1 or c.score < DEFAULT_MIN_SCORE for c in ranking.candidates)


def test_the_papers_value_under_its_name_is_a_hyperparameter_statement(tmp_path: Path) -> None:
    body = "\\section{Setup}\nWe train with a learning rate of $3 \\times 10^{-4}$ for all runs."
    code = "lr = 3e-4\nwidth = 3e-4\n"
    found = _run(tmp_path, body, {"config.py": code})
    path, line, score, evidence = _best(found, "hp:learning_rate")
    assert (path, line) == ("config.py", 1)
    assert evidence[-1] == "`lr=0.0003` is the paper's value 3 \\times 10^{-4}"
    assert score >= DEFAULT_MIN_SCORE


def test_a_constant_equal_to_the_papers_momentum_under_another_name_is_not_written(tmp_path: Path) -> None:
    body = "\\section{Setup}\nWe use SGD with momentum 0.9 throughout."
    code = "smoothing = 0.9\nwidth = 128\n"
    found = _run(tmp_path, body, {"config.py": code})
    path, line, score, evidence = _best(found, "hp:momentum")
    assert (path, line) == ("config.py", 1)
    assert evidence[-1].endswith("(name unrelated)")
    assert score < DEFAULT_MIN_SCORE
    assert "hp:momentum" not in _written(found)


ALGORITHM = r"""\begin{algorithm}
\caption{Momentum descent}\label{alg:descent}
\begin{algorithmic}[1]
\State $v \gets 0$
\For{$t = 1, \dots, T$}
\State $g \gets \nabla f(x)$ \Comment{evaluate gradient}
\State $v \gets \beta v + g$ \Comment{update velocity}
\State $x \gets x - \alpha v$ \Comment{update position}
\EndFor
\end{algorithmic}
\end{algorithm}"""

DESCENT = """def descent(f, x, alpha, beta, steps):
    v = 0
    for t in range(steps):
        g = grad(f)(x)
        v = beta * v + g
        x = x - alpha * v
    return x


def reverse(f, x, alpha, beta, steps):
    for t in range(steps):
        x = x + alpha * v
        v = (v - g) / beta
        g = grad(f)(x)
    return x
"""


def test_algorithm_lines_go_to_the_function_whose_statements_follow_them_in_order(tmp_path: Path) -> None:
    found = _run(tmp_path, ALGORITHM, {"optim.py": DESCENT})
    lines = {
        r.item.number: r.candidates[0].target.line for r in found.rankings if r.item.kind.value == "algorithm_line"
    }
    assert {number: lines[number] for number in "12345"} == {"1": 2, "2": 3, "3": 4, "4": 5, "5": 6}
    assert _best(found, "alg:descent")[1] == 1
    evidence = _best(found, "alg:descent:line:2")[3]
    assert "a loop where the algorithm's line is one" in evidence
    assert "in `descent`, whose statements match the algorithm's lines in order" in evidence


def test_a_file_that_implements_the_same_section_is_preferred(tmp_path: Path) -> None:
    body = (
        "\\section{Objective}\\label{sec:objective}\n"
        "\\begin{equation}\\label{eq:first} a = b \\end{equation}\n"
        "\\begin{equation}\\label{eq:second} y = \\operatorname{clip}(x) \\end{equation}"
    )
    code = "def helper(x):\n    y = clip(x)\n    return y\n"
    sources = {"a.py": code, "b.py": code}
    alone = _run(tmp_path, body, sources)
    assert _best(alone, "eq:second")[0] == "a.py"  # a tie, broken by path
    linked = _run(tmp_path, body, sources, (Link("eq:first", "b.py", 1),))
    path, _, _, evidence = _best(linked, "eq:second")
    assert path == "b.py"
    assert evidence[-1] == "its file already implements eq:first of the same section"
    assert "eq:first" in linked.linked and "eq:first" not in _written(linked)


def test_a_section_that_shares_only_body_words_with_a_function_is_ranked_but_not_written(tmp_path: Path) -> None:
    body = "\\section{Related work}\\label{sec:related}\nEarlier methods sample negatives from a memory bank."
    code = "def train(model):\n    bank = memory_bank(model)\n    return sample(bank)\n"
    found = _run(tmp_path, body, {"train.py": code})
    ranking = next(r for r in found.rankings if r.item.key == "sec:related")
    best = ranking.candidates[0]
    assert (best.target.line, best.specific) == (1, False)
    assert "sec:related" not in _written(found)


# unrelated code around the fixtures, as a repository has
OTHER = "".join(f"def helper_{n}(x):\n    y = x + {n}\n    return y\n\n\n" for n in range(8))


def test_a_statement_setting_the_hyperparameters_name_is_written_whatever_its_value(tmp_path: Path) -> None:
    body = "\\section{Setup}\nWe use 4000 warmup steps for all runs."
    code = "warmup_steps = 8000\nsteps = 100\n"
    found = _run(tmp_path, body, {"config.py": code, "other.py": OTHER})
    path, line, _, evidence = _best(found, "hp:warmup_steps")
    assert (path, line) == ("config.py", 1)
    assert evidence[-1] == "sets `warmup_steps`, the paper's warmup steps"
    assert _written(found) == {"hp:warmup_steps": ("config.py", 1)}  # where check then reports 8000 != 4000


def test_a_name_sharing_one_word_with_the_hyperparameter_is_not_its_name(tmp_path: Path) -> None:
    body = "\\section{Setup}\nWe use 4000 warmup steps for all runs."
    code = "steps = 8000\n"
    found = _run(tmp_path, body, {"config.py": code})
    assert not any("sets `" in part for r in found.rankings for c in r.candidates for part in c.evidence)
    assert _written(found) == {}


def test_two_targets_with_the_same_evidence_are_a_guess_and_not_written(tmp_path: Path) -> None:
    body = "\\section{Setup}\nWe train with a learning rate of $3 \\times 10^{-4}$ for all runs."
    found = _run(tmp_path, body, {"pretrain.py": "lr = 3e-4\n", "finetune.py": "lr = 3e-4\n"})
    ranking = next(r for r in found.rankings if r.item.key == "hp:learning_rate")
    assert [c.score for c in ranking.candidates[:2]] == [ranking.candidates[0].score] * 2
    assert all(c.specific for c in ranking.candidates[:2])
    assert _written(found) == {}


def test_a_section_is_written_only_where_a_name_spells_its_whole_title(tmp_path: Path) -> None:
    body = "\\section{Replay buffer}\\label{sec:replay}\nTransitions are stored.\n\\section{Target network}\\label{sec:target}\nA copy."
    code = "class ReplayBuffer:\n    pass\n\n\ndef sync_target(online):\n    return online\n"
    found = _run(tmp_path, body, {"replay.py": code, "other.py": OTHER})
    assert _best(found, "sec:target")[:2] == ("replay.py", 5)  # ranked: `sync_target` ~ 'target'
    assert _written(found) == {"sec:replay": ("replay.py", 1)}


def test_a_figure_is_ranked_but_never_written(tmp_path: Path) -> None:
    body = "\\begin{figure}\\caption{Stability regions}\\label{fig:stability}\\end{figure}"
    code = "def plot_stability_regions(ax):\n    return ax\n"
    found = _run(tmp_path, body, {"plots.py": code})
    assert _best(found, "fig:stability")[:2] == ("plots.py", 1)
    assert _written(found) == {}


def test_the_value_under_a_name_said_only_in_the_prose_around_is_not_under_its_name(tmp_path: Path) -> None:
    body = "\\section{Setup}\nWith a batch size of 256, we use a momentum of 0.9."
    code = "batch_momentum = 0.9\nother = 1\n"
    found = _run(tmp_path, body, {"config.py": code, "other.py": OTHER})
    path, line, _, evidence = _best(found, "hp:momentum")
    assert (path, line) == ("config.py", 1)
    assert evidence[-1] == "`batch_momentum=0.9` is the paper's value 0.9"
    found = _run(tmp_path, body, {"config.py": "batch_decay = 0.9\nother = 1\n", "other.py": OTHER})
    assert _best(found, "hp:momentum")[3][-1] == "`batch_decay=0.9` is the paper's value 0.9 (name unrelated)"
