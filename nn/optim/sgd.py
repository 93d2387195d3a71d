"""Stochastic gradient descent, with momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

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
)


class SGD(Optimizer):
    """Stochastic gradient descent, PyTorch's ``torch.optim.SGD`` update rule.

    At each step, for each parameter p with gradient g (μ = momentum, τ = dampening,
    λ = weight_decay, γ = lr)::

        g ← −g                                        (if maximize)
        g ← g + λ p                                   (if λ ≠ 0)
        if μ ≠ 0:
            b ← g                  at the parameter's first step
            b ← μ b + (1 − τ) g    afterwards
            g ← g + μ b            (nesterov)   or   g ← b   (otherwise)
        p ← p − γ g

    Args:
        params: the parameters to update, e.g. ``model.parameters()``, or param groups
            (see :class:`~nn.optim.Optimizer`).
        lr: the learning rate γ.
        momentum: μ, the weight of the previous velocity (0: plain SGD).
        dampening: τ, how much of the new gradient the velocity misses.
        weight_decay: λ, L2 regularisation added to the gradient.
        nesterov: look ahead along the velocity (needs momentum > 0, dampening 0).
        maximize: climb the objective instead of descending it.
        foreach, differentiable, fused: PyTorch's ways of computing a step, accepted
            for compatibility; they change nothing here (``differentiable`` must be
            False).

    State (``opt.state[p]``): ``"momentum_buffer"``, the velocity b, from the first
    step on, with momentum only. ``opt.momentum_buffer`` lists it for every parameter.

    Raises:
        ValueError: for an lr, momentum or weight_decay that is negative, NaN or
            infinite, a dampening outside [0, 1], and for nesterov without momentum or
            with dampening; the message repeats the value.
        TypeError: for a hyper-parameter that is not a number (nesterov: not a bool).

    Example:
        >>> from autograd import Value
        >>> from nn.optim import SGD
        >>> x = Value(3.0)
        >>> opt = SGD([x], lr=0.1)
        >>> (x * x).backward(); opt.step()    # x ← 3 − 0.1 · 6
        >>> x.data
        2.4
    """

    state_names = ("momentum_buffer",)
    required_state_names = ("momentum_buffer",)
    counts_steps = False  # PyTorch's SGD keeps no step count
    hyperparameter_names = ("lr", "momentum", "dampening", "weight_decay", "nesterov")

    lr = HyperParameter()
    momentum = HyperParameter()
    dampening = HyperParameter()
    weight_decay = HyperParameter()
    nesterov = HyperParameter()
    momentum_buffer = StateView()

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            "foreach": foreach,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: Mapping[str, Any]) -> dict[str, Any]:
        checked = {
            "lr": check_non_negative("learning rate (lr)", group["lr"]),
            "momentum": check_non_negative("momentum", group["momentum"]),
            # (1 - dampening) weighs the new gradient: outside [0, 1] it would flip or
            # inflate it.
            "dampening": check_fraction("dampening", group["dampening"]),
            "weight_decay": check_non_negative("weight_decay", group["weight_decay"]),
            "nesterov": check_flag("nesterov", group["nesterov"]),
        }
        if checked["nesterov"] and (checked["momentum"] <= 0.0 or checked["dampening"] != 0.0):
            raise ValueError(
                "Nesterov momentum requires a momentum > 0 and zero dampening, got "
                f"momentum={group['momentum']!r}, dampening={group['dampening']!r}"
            )
        return checked

    def _update(
        self, hyper: dict[str, Any], params: list[Value], states: list[dict[str, Any]]
    ) -> tuple[list[float], list[dict[str, Any]]]:
        lr, mu, wd = hyper["lr"], hyper["momentum"], hyper["weight_decay"]
        keep, nesterov, sign = 1.0 - hyper["dampening"], hyper["nesterov"], hyper["maximize"]
        values: list[float] = []
        new_states: list[dict[str, Any]] = []
        for p, state in zip(params, states, strict=True):
            g = -p.grad if sign else p.grad
            if wd:
                g = g + wd * p.data
            if mu != 0.0:
                old = state.get("momentum_buffer")
                b = g if old is None else mu * old + keep * g
                state = {**state, "momentum_buffer": b}
                g = g + mu * b if nesterov else b
            values.append(p.data - lr * g)
            new_states.append(state)
        return values, new_states
