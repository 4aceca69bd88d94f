"""PL2xx: gradient stops the paper does not account for, and stops the paper has that the code lacks.

The analysis behind them is :mod:`paperlink.analysis.gradients`; docs/gradients.md explains
the model of stops, the contexts and how to document a stop.
"""

from __future__ import annotations

from paperlink.diagnostics import Severity
from paperlink.rules.base import Rule

__all__ = [
    "UndocumentedGradientStop",
    "DataAttributeStop",
    "LossThroughConversion",
    "UndocumentedFreeze",
    "MissingGradientStop",
    "GradientStopOutsideTraining",
]


class UndocumentedGradientStop(Rule):
    """
    ## What it does
    Reports a gradient stop on a training path that neither a paper item nor a
    justification accounts for. Stops are `torch.no_grad()`, `torch.inference_mode()` and
    `torch.set_grad_enabled(False)` (blocks and decorators), `.detach()`/`.detach_()`,
    `Variable(..., requires_grad=False)`,
    `.item()`/`.numpy()`/`.tolist()`/`float(...)` whose value flows into the loss, custom
    `torch.autograd.Function`s whose backward returns only `None` or zeros, and
    `tf.stop_gradient`/`jax.lax.stop_gradient`. Module-level APIs are matched by qualified
    name, so `import torch as T; T.no_grad()` and `from torch import no_grad as ng` count.

    A stop is on a training path when its value flows into the loss of a function that
    calls `.backward()` or `optimizer.step()`, is named as a loss (`td_loss`,
    `compute_loss`, `training_step`), is a module's `forward`, or whose result flows into
    such a loss in the same file. `.data` is reported by PL202 and parameter freezing by
    PL204 instead. A call to a project helper that stops (`self.act(state)` under
    `@torch.no_grad()`) is in the gradient-stop map, but reported where the helper's own
    stop is written. Stops in evaluation (acting, metrics, a training loop's `evaluate()`),
    setup and target-update code (target networks, EMA, momentum encoders, queues) are not
    reported here: PL206 lists them.

    ## Why it matters
    A stop-gradient changes the method. The one the paper has (SimSiam's stop-gradient on
    the target branch, a DQN target) is the method; one it does not have silently trains a
    different model, and nothing in the loss curve says so.

    ## Example
    ```python
    def forward(self, x1, x2):
        z1 = self.encode(x1)
        with torch.no_grad():  # PL201: the paper stops only the target branch
            z2 = self.encode(x2)
        return self.predictor(z1), self.predictor(z2), z1, z2
    ```

    ## How to document it
    Link the statement to the paper item it implements (`# paper: eq:symloss` on the line),
    link its function to an item that marks a stop-gradient (`\\operatorname{sg}`, `\\sg`,
    "stop-gradient" next to the equation), or justify it in place:
    `z = z.detach()  # paperlink: stop-grad target branch, Sec. 3.2`. The reason after
    `stop-grad` is required. A function-level link to an item without a stop-gradient does
    not document the stop: it documents the equation.

    ## Known limits
    The training-path decision is a heuristic over one file: names are followed, objects
    are not (`self.encoder(x)` is not resolved; `agent.get_value(x)` only when one class of
    the file alone defines `get_value`), calls into other files are followed only to find
    helpers, and values returned by `env.step`, `buffer.sample` and similar calls are treated
    as data.
    A stop that only feeds logging is reported as evaluation (PL206), not here.
    """

    code = "PL201"
    name = "undocumented-gradient-stop"
    severity = Severity.WARNING
    summary = "a gradient stop on a training path that no paper item or justification accounts for"
    analysis = "gradient_stops"


class DataAttributeStop(Rule):
    """
    ## What it does
    Reports `.data` used on a tensor: read (`w.data`), assigned (`p.data = ...`) or updated
    in place (`p.data.copy_(q)`), in any context, documented or not. `.data` counts when it
    is written, followed by a tensor method, taken from `.weight`/`.bias`/`.grad` or from a
    call's result, or read from a name such as `p`, `param`, `weight`; `torch.utils.data`,
    `self.data`, `args.data` and a dataset's `.data` field are not reported. One statement
    is reported once (`p.data = m * p.data + ...` is one use).

    ## Why it matters
    `.data` returns the tensor's storage with autograd switched off and without the version
    counter that makes `.detach()` safe: an in-place change through it is invisible to
    autograd, so a gradient computed from the old value is silently wrong instead of an
    error. `.detach()` (for reading) and `torch.no_grad()` (for updates) do the same job
    with the checks in place.

    ## Example
    ```python
    for param_q, param_k in zip(encoder_q.parameters(), encoder_k.parameters()):
        param_k.data = param_k.data * m + param_q.data * (1.0 - m)  # PL202
    ```

    ## How to document it
    Rewrite the update as `with torch.no_grad(): param_k.mul_(m).add_(param_q, alpha=1 - m)`
    and reads as `.detach()`. Where `.data` is deliberate, suppress it with
    `# paperlink: ignore[PL202] <reason>`.

    ## Known limits
    Whether `x.data` is a tensor is decided from the shape of the code, not from types; a
    tensor held in a name that looks like nothing above (`h.data`) is missed. In a file that
    defines a class of its own with a `data` field (a scalar autograd engine, a record),
    only `.data` followed by a tensor method (`p.data.add_(...)`, `w.data.item()`) counts.
    """

    code = "PL202"
    name = "data-attribute-stop"
    severity = Severity.WARNING
    summary = "`.data` used to read or update a tensor outside autograd"
    analysis = "gradient_stops"


class LossThroughConversion(Rule):
    """
    ## What it does
    Reports a loss that depends on a value converted out of autograd (`.item()`,
    `.numpy()`, `.tolist()`, `float(...)`) and turned back into a tensor
    (`torch.tensor`, `torch.as_tensor`, `torch.from_numpy`) on the way to the loss.

    ## Why it matters
    The new tensor looks like part of the computation but is a constant: the chain rule
    stops at the conversion with no error and no warning. (A converted Python number used
    directly in a loss, say as a scale, is an ordinary gradient stop and is PL201's.)

    ## Example
    ```python
    penalty = torch.tensor(weights.norm().item())  # PL203
    loss = criterion(logits, y) + 1e-4 * penalty
    loss.backward()
    ```

    ## How to document it
    Keep the value a tensor (`weights.norm()`). If the constant is intended, justify it:
    `# paperlink: stop-grad <reason>`, or link the statement to its paper item.

    ## Known limits
    The value is followed through assignments inside one function only.
    """

    code = "PL203"
    name = "loss-through-conversion"
    severity = Severity.WARNING
    summary = "a loss depends on a value converted to Python or NumPy and back"
    analysis = "gradient_stops"


class UndocumentedFreeze(Rule):
    """
    ## What it does
    Reports parameters frozen without documentation: `.requires_grad_(False)`,
    `p.requires_grad = False`, `nn.Parameter(..., requires_grad=False)`.

    ## Why it matters
    Frozen parameters are a decision of the method (a target network, a frozen backbone,
    a fixed embedding). When the paper does not say so, the code trains fewer parameters
    than the paper describes.

    ## Example
    ```python
    for p in backbone.parameters():
        p.requires_grad = False  # PL204
    ```

    ## How to document it
    Link the statement or its function to the paper item that freezes them (any item:
    `# paper: Alg. 1 line 1` above `make_target`), or justify it with
    `# paperlink: stop-grad <reason>`.

    ## Known limits
    Freezing computed from a variable (`p.requires_grad = train_backbone`) is not reported.
    """

    code = "PL204"
    name = "undocumented-freeze"
    severity = Severity.WARNING
    summary = "parameters frozen with no paper item or justification"
    analysis = "gradient_stops"


class MissingGradientStop(Rule):
    """
    ## What it does
    The reverse direction: reports a paper item that marks a stop-gradient when none of the
    code linked to it stops a gradient. An item marks one when its LaTeX uses
    `\\operatorname{sg}`, `\\mathrm{sg}`, `\\text{stopgrad}`, `\\sg` or a macro defined as
    one of these, or when the prose right around it says "stop-gradient" or "stop gradient"
    (not "no stop-gradient"). The linked code holds a stop when a stop lies inside a link's
    target (the statement or definition the annotation binds to), or when the target calls
    a function of the same file that stops gradients, directly or through its callees.

    ## Why it matters
    A missing stop-gradient changes the method as much as an extra one: without it, SimSiam
    collapses and a DQN target chases itself.

    ## Example
    ```python
    def loss(p1, z2):  # paper: eq:loss  (L = D(p1, sg(z2)))
        return D(p1, z2)  # PL205: z2 should be z2.detach()
    ```

    ## How to document it
    Add the stop, or link the annotation to the code that holds it. It is reported once per
    item, at its first annotation.

    ## Known limits
    Stops in other files, or in objects called through attributes (`self.target_net(x)`
    under a `no_grad` in another module), are not seen; suppress with
    `# paperlink: ignore[PL205] <where the stop is>`.
    """

    code = "PL205"
    name = "missing-gradient-stop"
    severity = Severity.WARNING
    summary = "the paper marks a stop-gradient that the linked code does not have"
    analysis = "gradient_stops"


class GradientStopOutsideTraining(Rule):
    """
    ## What it does
    Lists the gradient stops outside training paths: in evaluation or inference
    (`@torch.no_grad()` functions, `model.eval()` code, functions named for evaluation,
    testing, prediction, metrics or logging, acting in an environment, and stops whose value
    feeds only monitoring), in setup (weight initialisation and loading, freezing before
    training, constants computed before the training loop), in target updates (target
    networks, EMA teachers, momentum encoders and queues updated on the training step,
    outside the loss graph), or where the context is unknown. It is informational and off by
    default: it is reported only when selected explicitly (`--select PL2`, `--select PL206`).

    ## Why it matters
    These stops are not defects; the listing shows what paperlink decided was not
    training, so a wrong decision can be seen and corrected.

    ## Example
    ```python
    @torch.no_grad()  # PL206 with --select PL2
    def evaluate(model, loader): ...
    ```

    ## How to document it
    Nothing to document. If a stop listed here is really on a training path, link or
    justify it anyway: the map in the JSON output shows every stop and its context.

    An undocumented target update is listed here rather than reported by PL201: it is on
    the training step but changes the second set of weights, not what the loss sees. Link
    it to the paper's update equation (`# paper: eq:momentum`) to tie it to the paper.

    ## Known limits
    Same heuristics as PL201; "unknown" means no rule of thumb applied.
    """

    code = "PL206"
    name = "gradient-stop-outside-training"
    severity = Severity.INFO
    summary = "a gradient stop in evaluation, setup, target-update or unknown code (listed only on request)"
    analysis = "gradient_stops"
    default_enabled = False
