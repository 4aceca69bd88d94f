"""`paperlink suggest`'s evidence, one kind at a time, with the cases that must not be suggested."""

from __future__ import annotations

from pathlib import Path

from paperlink.paper import parse_paper
from paperlink.paper.model import Hyperparameter, ItemKind, Paper, PaperItem
from paperlink.spans import Span
from paperlink.suggest import (
    DEFAULT_MIN_SCORE,
    MARGIN,
    Candidate,
    Link,
    Ranking,
    Suggestions,
    Target,
    accepted,
    suggest,
)
from paperlink.suggest.targets import Literal

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


def test_a_hyperparameter_stated_twice_is_ranked_as_each_statement_and_written_once(tmp_path: Path) -> None:
    body = (
        "\\section{Setup}\nWe pretrain with batch size 256 for all runs.\n\n"
        "\\section{Probing}\nThe linear probe uses batch size 64 instead."
    )
    code = "batch_size = 256\nprobe_batch_size = 64\n"
    found = _run(tmp_path, body, {"config.py": code, "other.py": OTHER})
    rankings = [r for r in found.rankings if r.item.key == "hp:batch_size"]
    assert len(rankings) == 2  # one key, two items: each ranked on its own value
    said = [next(e for e in r.candidates[0].evidence if "paper's value" in e) for r in rankings]
    assert said == ["`batch_size=256` is the paper's value 256", "`probe_batch_size=64` is the paper's value 64"]
    assert _written(found) == {"hp:batch_size": ("config.py", 1)}  # the key names the first statement only


def test_an_abbreviated_name_spells_the_hyperparameter_and_a_generic_word_alone_does_not(tmp_path: Path) -> None:
    body = "\\section{Setup}\nWe train with a learning rate of $3 \\times 10^{-4}$ and batch size 256."
    code = "EPOCHS, BATCH, LR = 300, 16, 1e-4\nrate = 0.5\nsize = 8\n"
    found = _run(tmp_path, body, {"train.py": code, "other.py": OTHER})
    path, line, _, evidence = _best(found, "hp:learning_rate")
    assert (path, line, evidence[-1]) == ("train.py", 1, "sets `LR`, the paper's learning rate")
    path, line, _, evidence = _best(found, "hp:batch_size")
    assert (path, line, evidence[-1]) == ("train.py", 1, "sets `BATCH`, the paper's batch size")
    named = [c.target.line for r in found.rankings for c in r.candidates if any("sets `" in e for e in c.evidence)]
    assert 2 not in named and 3 not in named  # `rate`, `size`: a head noun names no hyperparameter


RK_ALGORITHM = r"""\begin{algorithm}
\caption{Fixed-step integration}\label{alg:integrate}
\begin{algorithmic}[1]
\State $h \gets (t_1 - t_0) / N$
\For{$n = 0, \dots, N - 1$}
\State $k_1 \gets f(t, y)$
\State $k_2 \gets f(t + h, y + h k_1)$
\State $y \gets y + h (k_1 + k_2) / 2$
\EndFor
\end{algorithmic}
\end{algorithm}"""

RK_CODE = """class Heun:
    def _step(self, f, t, y, h):
        k1 = f(t, y)
        k2 = f(t + h, y + h * k1)
        y_next = y + h * (k1 + k2) / 2
        return y_next

    def solve(self, f, y, t0, t1, n):
        h = (t1 - t0) / n
        t = t0
        for i in range(n):
            y = self._step(f, t, y, h)
            t = t + h
        return y
"""


def test_an_algorithm_is_the_loop_that_calls_the_step_its_lines_write_out(tmp_path: Path) -> None:
    found = _run(tmp_path, RK_ALGORITHM, {"solvers.py": RK_CODE, "other.py": OTHER})
    path, line, _, evidence = _best(found, "alg:integrate")
    assert (path, line) == ("solvers.py", 8)  # `solve`, not `_step`: the algorithm loops
    assert "its statements match 6 of the algorithm's 6 lines in order, in its loop" in evidence
    lines = {r.item.number: r.candidates[0].target.line for r in found.rankings if r.item.parent == "alg:integrate"}
    assert lines == {"1": 9, "2": 11, "3": 3, "4": 4, "5": 5, "6": 6}  # \\EndFor is numbered too
    said = _best(found, "alg:integrate:line:3")[3]
    assert (
        "in `Heun.solve`, whose statements match the algorithm's lines in order (through its call of `_step`)" in said
    )


def test_an_algorithm_line_the_order_alone_places_is_ranked_but_not_written(tmp_path: Path) -> None:
    found = _run(tmp_path, RK_ALGORITHM, {"solvers.py": RK_CODE, "other.py": OTHER})
    end = next(r for r in found.rankings if r.item.key == "alg:integrate:line:6")  # \EndFor
    best = end.candidates[0]
    assert (best.target.line, best.specific) == (6, False)
    assert best.evidence[-1].endswith("(through its call of `_step`); placed by the order alone")
    written = _written(found)
    assert "alg:integrate:line:6" not in written
    assert written["alg:integrate:line:3"] == ("solvers.py", 3)  # its own match, not the order alone


HPARAM_TABLE = r"""\section{Setup}\label{sec:setup}
\begin{table}
\caption{Training settings.}\label{tab:settings}
\begin{tabular}{ll}
Learning rate & 0.001 \\
Batch size & 32 \\
Discount & 0.99 \\
\end{tabular}
\end{table}
\begin{table}
\caption{Returns per game.}\label{tab:returns}
\begin{tabular}{ll}
Pong & 20.1 \\
Breakout & 401.2 \\
\end{tabular}
\end{table}"""

HPARAM_CODE = """class Config:
    lr = 0.001
    batch_size = 32
    gamma = 0.99


def report(returns):
    pong = 20.1
    return returns, pong
"""


def test_a_table_of_hyperparameters_is_written_at_the_definition_holding_them(tmp_path: Path) -> None:
    found = _run(tmp_path, HPARAM_TABLE, {"config.py": HPARAM_CODE, "other.py": OTHER})
    path, line, _, evidence = _best(found, "tab:settings")
    assert (path, line) == ("config.py", 1)
    assert evidence[-1] == "holds the statements of 3 of the table's 3 hyperparameters"
    written = _written(found)
    assert written["tab:settings"] == ("config.py", 1)
    assert "tab:returns" not in written  # a table of results holds no setting: ranked at most, never written


def test_a_section_title_of_one_word_names_only_a_short_definition_and_a_paragraph_none(tmp_path: Path) -> None:
    body = (
        "\\section{Network}\\label{sec:network}\nA small network maps observations to values.\n"
        "\\section{Results}\\label{sec:results}\nThe solver results are tabulated.\n"
        "\\paragraph{Projection head.} A projection head maps features down."
    )
    code = "class QNetwork:\n    pass\n\n\nclass ODESolveResult:\n    pass\n\n\nclass ProjectionHead:\n    pass\n"
    found = _run(tmp_path, body, {"model.py": code, "other.py": OTHER})
    assert _best(found, "sec:network")[:2] == ("model.py", 1)
    assert _best(found, "sec:results")[:2] == ("model.py", 5)
    paragraph = next(r for r in found.rankings if r.item.title == "Projection head.")
    assert paragraph.candidates[0].target.line == 9
    assert _written(found) == {"sec:network": ("model.py", 1)}  # "Results" is not ODESolveResult's last word


def test_a_sub_equation_reads_the_lead_in_of_its_group(tmp_path: Path) -> None:
    body = (
        "Agreement is measured by the negative cosine similarity, symmetrised:\n"
        "\\begin{subequations}\\label{eq:loss}\\begin{align}\n"
        "D(p, z) &= - p \\cdot z, \\label{eq:negcos} \\\\\n"
        "L &= D(p_1, z_2) + D(p_2, z_1) \\label{eq:sym}\n"
        "\\end{align}\\end{subequations}"
    )
    code = "def negative_cosine(p, z):\n    return -(p * z).sum()\n\n\ndef dot(p, z):\n    return (p * z).sum()\n"
    found = _run(tmp_path, body, {"loss.py": code, "other.py": OTHER})
    path, line, _, evidence = _best(found, "eq:negcos")
    assert (path, line) == ("loss.py", 1)
    assert evidence[0] == "name `negative_cosine` ~ 'negativ cosin'"


def _claim(name: str, value: float, score: float, target: Target) -> tuple[Ranking, Candidate]:
    item = PaperItem(
        ItemKind.HYPERPARAMETER,
        f"hp:{name}",
        None,
        Span("paper.tex", 3),
        title=name,
        hyperparameter=Hyperparameter(name, value, str(value)),
    )
    return Ranking(item, (Candidate(target, score, (), True),)), Candidate(target, score, (), True)


def test_two_values_claiming_one_number_are_a_guess_unless_one_leads(tmp_path: Path) -> None:
    target = Target(
        "model.py", 1, 1, "statement", "", "", "num_layers = 2", 0, 1, literals=(Literal(2.0, "num_layers"),)
    )
    encoder, decoder = (
        _claim("encoder layers", 2.0, 0.8, target),
        _claim("decoder layers", 4.0, 0.8 - MARGIN / 2, target),
    )
    paper = (encoder[0].item, decoder[0].item)
    assert accepted(Suggestions("p", (encoder[0], decoder[0]), frozenset(), paper)) == []
    decoder = _claim("decoder layers", 4.0, 0.8 - 2 * MARGIN, target)
    assert accepted(Suggestions("p", (encoder[0], decoder[0]), frozenset(), paper)) == [encoder]
    again = _claim("encoder depth", 2.0, 0.78, target)  # the same number said twice is one claim
    assert len(accepted(Suggestions("p", (encoder[0], again[0]), frozenset(), (encoder[0].item, again[0].item)))) == 2
