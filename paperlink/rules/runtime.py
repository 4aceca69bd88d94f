"""PL9xx: what a runtime gradient audit (`paperlink audit`) saw on one real training step."""

from __future__ import annotations

from paperlink.diagnostics import Severity
from paperlink.rules.base import Rule

__all__ = ["RuntimeStopNotStatic", "ParameterWithoutGradient", "NonFiniteOrigin", "StaticStopNotExecuted"]


class RuntimeStopNotStatic(Rule):
    """
    ## What it does
    Reports a place where, in the audited step, a gradient really stopped (an operation
    under `torch.no_grad()` or inference mode consumed a tensor that requires grad, or
    `.detach()`, `.data`, `.item()`, `.numpy()`, `.tolist()`, `float()` was applied to
    one) while the static map of `paperlink check` has no gradient stop on those lines.
    Reported by `paperlink check --audit audit.json`.

    ## Why it matters
    The static map is what the report shows beside the paper's equations. A stop it
    misses (one reached through a helper, a `getattr`, a library wrapper) is exactly the
    kind a reader cannot find by reading the code.

    ## Example
    ```python
    def targets(net, x):
        return getattr(net, "encode")(x).detach()  # the static rules cannot see the call's target
    ```

    ## How to document it
    Annotate the line with the paper item whose stop-gradient it implements
    (`# paper: eq:loss`), or justify it with `# paperlink: stop-grad reason`; suppress
    with `# paperlink: ignore[PL901] reason` when the stop is intended and undocumented.

    ## Known limits
    Only the code the audited step ran is seen. Operations under `torch.inference_mode()`
    are placed at the innermost user frame (the mode's entry is not visible to torch's
    function modes); the outer frames are matched too.
    """

    code = "PL901"
    name = "runtime-stop-not-in-static-map"
    severity = Severity.WARNING
    summary = "a gradient stopped at runtime where the static map has no stop"


class ParameterWithoutGradient(Rule):
    """
    ## What it does
    Reports a trainable parameter (`requires_grad=True`) of an audited model that received
    no gradient, or an all-zero gradient, in the audited step. Frozen parameters
    (`requires_grad=False`) are listed in the audit as `frozen` and not reported.

    ## Why it matters
    A layer that never learns trains silently: the loss goes down through the other
    layers. Common causes are a `torch.no_grad()` or `.detach()` upstream, a module that is
    built but never called, or an output multiplied by zero.

    ## Example
    ```python
    with torch.no_grad():
        features = self.backbone(x)  # the backbone is meant to be fine-tuned
    return self.head(features)
    ```

    ## How to document it
    Freeze the parameter explicitly (`requires_grad_(False)`) when it should not learn;
    otherwise remove the stop. The diagnostic sits where the parameter's module was
    first called.
    """

    code = "PL902"
    name = "parameter-without-gradient"
    severity = Severity.WARNING
    summary = "a trainable parameter received no gradient, or an all-zero one, in the audited step"


class NonFiniteOrigin(Rule):
    """
    ## What it does
    Reports the first operation of the audited step whose output held NaN or Inf: in the
    forward pass the torch call (with statistics of its inputs), and in the backward pass
    the autograd node that turned finite incoming gradients into NaN or Inf (with the
    forward call that created it, at that call's line).

    ## Why it matters
    A NaN spreads to every value computed from it, so where it is finally noticed says
    little about where it began. The origin is usually a `log` of zero, a division by
    a norm that can vanish, or `sqrt` at zero, whose derivative is infinite.

    ## Example
    ```python
    entropy = torch.where(p > 0, p * torch.log(p), 0.0)  # backward still divides by p = 0
    ```

    ## How to document it
    Fix the computation (`torch.log(p.clamp_min(eps))`, `torch.xlogy`), then audit again.

    ## Known limits
    One origin per phase: the first in time. The audit checks outputs for finiteness, which
    costs a reduction per operation until the first NaN/Inf is found.
    """

    code = "PL903"
    name = "non-finite-origin"
    severity = Severity.ERROR
    summary = "the first operation of the audited step that produced NaN or Inf"


class StaticStopNotExecuted(Rule):
    """
    ## What it does
    Reports a gradient stop of the static map that lies in a file the audited step ran but
    that never executed during it. Reported by `paperlink check --audit audit.json`; the
    stop is marked `"runtime": "not-seen"` in the JSON output.

    ## Why it matters
    A stop-gradient the paper requires but the step never reaches (a branch that is never
    taken, a flag left off) is as wrong as a missing one; an evaluation-only stop is
    expected here.

    ## Example
    ```python
    if cfg.stop_gradient:  # false in the audited configuration
        z = z.detach()
    ```

    ## How to document it
    Nothing to do when the stop belongs to code the audited step does not run (evaluation,
    logging); otherwise audit a step that takes that path.

    ## Known limits
    Informational: it never fails a run. Stops in files the audit never ran are marked
    `"runtime": null`, not reported.
    """

    code = "PL904"
    name = "static-stop-not-executed"
    severity = Severity.INFO
    summary = "a static gradient stop that never ran in the audited step"
