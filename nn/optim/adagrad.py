"""Adagrad: per-parameter learning rates that shrink with the sum of squared gradients."""

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
    check_non_negative,
    check_positive,
)


class Adagrad(Optimizer):
    """Adagrad, PyTorch's ``torch.optim.Adagrad`` update rule.

    At the parameter's step t (counting from 1), for each parameter p with gradient g
    (γ = lr, η = lr_decay, λ = weight_decay, ε = eps)::

        g ← −g                                   (if maximize)
        g ← g + λ p                              (if λ ≠ 0)
        γ_t = γ / (1 + (t − 1) η)
        s ← s + g²                               (s starts at initial_accumulator_value)
        p ← p − γ_t g / (√s + ε)

    Parameters with large past gradients take smaller steps.

    Args:
        params: the parameters, or param groups (see :class:`~nn.optim.Optimizer`).
        lr: γ. lr_decay: η. weight_decay: λ. eps: ε.
        initial_accumulator_value: where each s starts.
        foreach, maximize, differentiable, fused: as for :class:`~nn.optim.SGD`.

    State (``opt.state[p]``): ``"step"`` t and ``"sum"`` s, from the start (as in
    PyTorch, where Adagrad alone makes its state in the constructor). ``opt.sum`` lists
    s for every parameter.

    Note: PyTorch starts every parameter's s at the *constructor's*
    initial_accumulator_value, even in a param group that sets its own; gradstep uses
    the group's.

    Raises:
        ValueError: for an lr, lr_decay, weight_decay or initial_accumulator_value that
            is negative, NaN or infinite, and for an eps that is not a finite number
            > 0 (with eps = 0 a parameter whose gradients have all been 0 would compute
            0 / 0), naming the value.
        TypeError: for a hyper-parameter that is not a number.

    Example:
        >>> from autograd import Value
        >>> from nn.optim import Adagrad
        >>> x = Value(3.0)
        >>> opt = Adagrad([x], lr=0.5)
        >>> (x * x).backward(); opt.step()     # x ← 3 − 0.5 · 6 / √36
        >>> round(x.data, 9)
        2.5
    """

    state_names = ("sum",)
    required_state_names = ("step", "sum")
    non_negative_state_names = ("sum",)
    hyperparameter_names = ("lr", "lr_decay", "eps", "weight_decay", "initial_accumulator_value")

    lr = HyperParameter()
    lr_decay = HyperParameter()
    eps = HyperParameter()
    weight_decay = HyperParameter()
    initial_accumulator_value = HyperParameter()
    sum = StateView()

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)

    def _init_group_state(self, group: dict[str, Any]) -> None:
        for p in group["params"]:
            if not self.state.get(p):
                self.state[p] = {"step": 0, "sum": group["initial_accumulator_value"]}

    def _check_hyperparameters(self, group: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "lr": check_non_negative("learning rate (lr)", group["lr"]),
            "lr_decay": check_non_negative("lr_decay", group["lr_decay"]),
            "eps": check_positive("eps", group["eps"]),
            "weight_decay": check_non_negative("weight_decay", group["weight_decay"]),
            "initial_accumulator_value": check_non_negative(
                "initial_accumulator_value", group["initial_accumulator_value"]
            ),
        }

    def _update(
        self, hyper: dict[str, Any], params: list[Value], states: list[dict[str, Any]]
    ) -> tuple[list[float], list[dict[str, Any]]]:
        lr, lr_decay, eps, wd = hyper["lr"], hyper["lr_decay"], hyper["eps"], hyper["weight_decay"]
        start, sign = hyper["initial_accumulator_value"], hyper["maximize"]
        values: list[float] = []
        new_states: list[dict[str, Any]] = []
        for p, state in zip(params, states, strict=True):
            step = state.get("step", 0) + 1
            g = -p.grad if sign else p.grad
            if wd:
                g = g + wd * p.data
            lr_t = lr / (1.0 + (step - 1) * lr_decay)
            s = state.get("sum", start) + g * g
            new_states.append({**state, "step": step, "sum": s})
            values.append(p.data - lr_t * g / (math.sqrt(s) + eps))
        return values, new_states
