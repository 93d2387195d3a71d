"""RMSprop: divide each gradient by a running root-mean-square of recent gradients."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from autograd import Value
from nn.optim.optimizer import (
    HyperParameter,
    Optimizer,
    ParamsT,
    StateView,
    check_flag,
    check_fraction,
    check_non_negative,
    check_positive,
    lerp,
)


class RMSprop(Optimizer):
    """RMSprop, PyTorch's ``torch.optim.RMSprop`` update rule.

    At each step, for each parameter p with gradient g (α = alpha, γ = lr,
    λ = weight_decay, μ = momentum, ε = eps; v, ḡ and b start at 0)::

        g ← −g                                   (if maximize)
        g ← g + λ p                              (if λ ≠ 0)
        v ← α v + (1 − α) g²                     (running mean of g²)
        if centered:
            ḡ ← ḡ + (1 − α)(g − ḡ)               (running mean of g)
            d = √max(v − ḡ², 0) + ε              (≈ the standard deviation of g)
        else:
            d = √v + ε
        if μ > 0:   b ← μ b + g / d;   p ← p − γ b
        else:       p ← p − γ g / d

    Note: ε is added *outside* the square root (as PyTorch does; Keras adds it inside).

    Note: v − ḡ² is a variance, never negative in exact arithmetic, but rounding can
    make it slightly negative when the gradient barely varies (a constant gradient
    of 0.1 with α = 0.9 does it at step 331). There PyTorch takes the square root of a
    negative number and the parameter becomes NaN; this class clamps the difference
    at 0, so d = ε and the step is large but finite. Elsewhere the two agree exactly.

    Args:
        params: the parameters, or param groups (see :class:`~nn.optim.Optimizer`).
        lr: γ. alpha: α. eps: ε. weight_decay: λ. momentum: μ.
        centered: divide by the standard deviation of g rather than its RMS.
        capturable, foreach, maximize, differentiable: as for :class:`~nn.optim.SGD`
            (``capturable`` is a no-op too).

    State (``opt.state[p]``), made at the parameter's first step: ``"step"``,
    ``"square_avg"`` v, ``"grad_avg"`` ḡ (centered only) and ``"momentum_buffer"`` b
    (with momentum only); ``opt.square_avg`` and its kind list them. Turning centered
    or momentum on later starts ḡ or b at 0 (where PyTorch raises a KeyError).

    Raises:
        ValueError: for an lr, momentum or weight_decay that is negative, NaN or
            infinite, an alpha outside [0, 1] (above 1, v would turn negative and its
            square root fail), and an eps that is not a finite number > 0 (with eps = 0
            a zero gradient would compute 0 / 0); the message repeats the value.
        TypeError: for a hyper-parameter that is not a number (centered: not a bool).

    Example:
        >>> from autograd import Value
        >>> from nn.optim import RMSprop
        >>> x = Value(3.0)
        >>> opt = RMSprop([x], lr=0.01, alpha=0.0)
        >>> (x * x).backward(); opt.step()     # v = 36, x ← 3 − 0.01 · 6 / (6 + ε)
        >>> round(x.data, 9)
        2.99
    """

    state_names = ("square_avg", "momentum_buffer", "grad_avg")
    required_state_names = ("step", "square_avg")
    non_negative_state_names = ("square_avg",)
    hyperparameter_names = ("lr", "momentum", "alpha", "eps", "centered", "weight_decay")

    lr = HyperParameter()
    momentum = HyperParameter()
    alpha = HyperParameter()
    eps = HyperParameter()
    centered = HyperParameter()
    weight_decay = HyperParameter()
    square_avg = StateView()
    grad_avg = StateView()
    momentum_buffer = StateView()

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "capturable": capturable,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "lr": check_non_negative("learning rate (lr)", group["lr"]),
            "momentum": check_non_negative("momentum", group["momentum"]),
            "alpha": check_fraction("alpha", group["alpha"]),
            "eps": check_positive("eps", group["eps"]),
            "centered": check_flag("centered", group["centered"]),
            "weight_decay": check_non_negative("weight_decay", group["weight_decay"]),
        }

    def _update(
        self, hyper: dict[str, Any], params: list[Value], states: list[dict[str, Any]]
    ) -> tuple[list[float], list[dict[str, Any]]]:
        lr, alpha, eps = hyper["lr"], hyper["alpha"], hyper["eps"]
        wd, mu, centered, sign = (
            hyper["weight_decay"],
            hyper["momentum"],
            hyper["centered"],
            hyper["maximize"],
        )
        values: list[float] = []
        new_states: list[dict[str, Any]] = []
        for p, state in zip(params, states, strict=True):
            new = {**state, "step": state.get("step", 0) + 1}
            g = -p.grad if sign else p.grad
            if wd:
                g = g + wd * p.data
            v = alpha * state.get("square_avg", 0.0) + (1.0 - alpha) * g * g
            new["square_avg"] = v
            if centered:
                g_avg = lerp(state.get("grad_avg", 0.0), g, 1.0 - alpha)
                # Clamped: rounding can make this variance slightly negative (see Note).
                d = math.sqrt(max(v - g_avg * g_avg, 0.0)) + eps
            else:
                d = math.sqrt(v) + eps
            if mu > 0.0:
                b = mu * state.get("momentum_buffer", 0.0) + g / d
                new["momentum_buffer"] = b
                values.append(p.data - lr * b)
            else:
                values.append(p.data - lr * g / d)
            if centered:  # after momentum_buffer: PyTorch's order of the state's keys
                new["grad_avg"] = g_avg
            new_states.append(new)
        return values, new_states
