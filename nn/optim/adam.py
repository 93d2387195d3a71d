"""Adam and AdamW: momentum on the gradient, scaled by a running RMS, bias-corrected."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

from autograd import Value
from nn.optim.optimizer import (
    HyperParameter,
    Optimizer,
    ParamsT,
    StateView,
    check_beta,
    check_flag,
    check_non_negative,
    check_positive,
    lerp,
)


class Adam(Optimizer):
    """Adam, PyTorch's ``torch.optim.Adam`` update rule.

    At the parameter's step t (from 1), for each parameter p with gradient g (γ = lr,
    β1, β2 = betas, λ = weight_decay, ε = eps; m, v and v̂max start at 0)::

        g ← −g                                   (if maximize)
        if λ ≠ 0:
            p ← p (1 − γ λ)                      (decoupled_weight_decay: AdamW's kind)
            g ← g + λ p                          (otherwise: L2, added to the gradient)
        m ← β1 m + (1 − β1) g                    (first moment: momentum)
        v ← β2 v + (1 − β2) g²                   (second moment)
        m̂ = m / (1 − β1^t),  v̂ = v / (1 − β2^t)   (bias corrections: m, v start at 0)
        if amsgrad:  v̂max ← max(v̂max, v);  v̂ = v̂max / (1 − β2^t)
        p ← p − γ m̂ / (√v̂ + ε)

    (m is updated with PyTorch's ``lerp``, the same formula rounded the same way.)

    Args:
        params: the parameters, e.g. ``model.parameters()``, or param groups (see
            :class:`~nn.optim.Optimizer`).
        lr: the learning rate γ (step sizes are about γ, whatever the gradient's scale).
        betas: (β1, β2), the decay of the first and second moments, each in [0, 1).
        eps: ε, guards the division.
        weight_decay: λ, L2 regularisation added to the gradient (or, with
            ``decoupled_weight_decay``, applied to the parameter: see :class:`AdamW`).
        amsgrad: use the maximum of past second moments (the AMSGrad variant).
        foreach, maximize, capturable, differentiable, fused: as for
            :class:`~nn.optim.SGD` (``capturable`` is a no-op too).
        decoupled_weight_decay: shrink the parameter directly, which makes this
            :class:`AdamW`.

    State (``opt.state[p]``), made at the parameter's first step: ``"step"`` t,
    ``"exp_avg"`` m, ``"exp_avg_sq"`` v, and ``"max_exp_avg_sq"`` v̂max (amsgrad
    only); ``opt.exp_avg`` and its kind list them for every parameter.

    Raises:
        ValueError: for an lr or weight_decay that is negative, NaN or infinite, an eps
            that is not a finite number > 0 (with eps = 0, a parameter whose gradients
            have all been 0 would compute 0 / 0), or a beta outside [0, 1).
        TypeError: for a hyper-parameter that is not a number (amsgrad: not a bool).

    Example:
        >>> from autograd import Value
        >>> from nn.optim import Adam
        >>> x = Value(3.0)
        >>> opt = Adam([x], lr=0.1)
        >>> (x * x).backward(); opt.step()      # the first step moves by lr: m̂/√v̂ = 1
        >>> round(x.data, 9)
        2.9
    """

    state_names = ("exp_avg", "exp_avg_sq", "max_exp_avg_sq")
    required_state_names = ("step", "exp_avg", "exp_avg_sq")
    non_negative_state_names = ("exp_avg_sq", "max_exp_avg_sq")
    hyperparameter_names = ("lr", "betas", "eps", "weight_decay", "amsgrad")
    option_defaults: ClassVar[dict[str, Any]] = {
        **Optimizer.option_defaults,
        "decoupled_weight_decay": False,
    }

    lr = HyperParameter()
    betas = HyperParameter()
    eps = HyperParameter()
    weight_decay = HyperParameter()
    amsgrad = HyperParameter()
    decoupled_weight_decay = HyperParameter()
    exp_avg = StateView()
    exp_avg_sq = StateView()
    max_exp_avg_sq = StateView()

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
            "fused": fused,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: Mapping[str, Any]) -> dict[str, Any]:
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r:.60}")
        return {
            "lr": check_non_negative("learning rate (lr)", group["lr"]),
            "betas": (
                check_beta("beta parameter at index 0", betas[0]),
                check_beta("beta parameter at index 1", betas[1]),
            ),
            "eps": check_positive("eps", group["eps"]),
            "weight_decay": check_non_negative("weight_decay", group["weight_decay"]),
            "amsgrad": check_flag("amsgrad", group["amsgrad"]),
            "decoupled_weight_decay": check_flag(
                "decoupled_weight_decay", group["decoupled_weight_decay"]
            ),
        }

    def _update(
        self, hyper: dict[str, Any], params: list[Value], states: list[dict[str, Any]]
    ) -> tuple[list[float], list[dict[str, Any]]]:
        lr, eps, wd = hyper["lr"], hyper["eps"], hyper["weight_decay"]
        beta1, beta2 = hyper["betas"]
        amsgrad, decoupled, sign = (
            hyper["amsgrad"],
            hyper["decoupled_weight_decay"],
            hyper["maximize"],
        )
        values: list[float] = []
        new_states: list[dict[str, Any]] = []
        known = 0  # the step whose bias corrections are computed (parameters usually share it)
        step_size = bias_correction2_sqrt = 0.0
        for p, state in zip(params, states, strict=True):
            step = state.get("step", 0) + 1
            if step != known:
                step_size = lr / (1.0 - beta1**step)
                bias_correction2_sqrt = math.sqrt(1.0 - beta2**step)
                known = step
            g = -p.grad if sign else p.grad
            x = p.data
            if wd:
                if decoupled:
                    x *= 1.0 - lr * wd
                else:
                    g = g + wd * x
            m = lerp(state.get("exp_avg", 0.0), g, 1.0 - beta1)
            v = beta2 * state.get("exp_avg_sq", 0.0) + (1.0 - beta2) * g * g
            new = {**state, "step": step, "exp_avg": m, "exp_avg_sq": v}
            if amsgrad:
                v_max = max(state.get("max_exp_avg_sq", 0.0), v)
                new["max_exp_avg_sq"] = v_max
                denom = math.sqrt(v_max) / bias_correction2_sqrt + eps
            else:
                denom = math.sqrt(v) / bias_correction2_sqrt + eps
            values.append(x - step_size * m / denom)
            new_states.append(new)
        return values, new_states


class AdamW(Adam):
    """Adam with *decoupled* weight decay, PyTorch's ``torch.optim.AdamW`` update rule.

    Identical to :class:`Adam` except for the weight decay, which shrinks the
    parameter directly instead of being added to the gradient (where Adam's scaling
    would weaken it for parameters with large gradients)::

        p ← p (1 − γ λ)                          (first, at every step)
        ...then Adam's update with λ = 0.

    The default ``weight_decay`` is 1e-2 (Adam's is 0). As in PyTorch, it is Adam with
    ``decoupled_weight_decay=True`` (each param group holds that key, and it must stay
    True: with False this would be Adam, so a state dict saved by an Adam is refused).

    Example:
        >>> from autograd import Value
        >>> from nn.optim import AdamW
        >>> x = Value(3.0)
        >>> opt = AdamW([x], lr=0.1, weight_decay=0.5)
        >>> (x * x).backward(); opt.step()     # 3 (1 − 0.05) − 0.1
        >>> round(x.data, 9)
        2.75
    """

    option_defaults: ClassVar[dict[str, Any]] = {
        **Adam.option_defaults,
        "decoupled_weight_decay": True,
    }

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            foreach=foreach,
            maximize=maximize,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=True,
        )

    def _check_hyperparameters(self, group: Mapping[str, Any]) -> dict[str, Any]:
        checked = super()._check_hyperparameters(group)
        if not checked["decoupled_weight_decay"]:
            raise ValueError(
                "AdamW's weight decay is decoupled: decoupled_weight_decay must be True "
                "(with False this is Adam: use nn.optim.Adam, or load an Adam's state dict "
                "into an Adam)"
            )
        return checked
