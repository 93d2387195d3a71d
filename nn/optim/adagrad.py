"""Adagrad: per-parameter learning rates that shrink with the sum of squared gradients."""

from __future__ import annotations

import math
from collections.abc import Iterable

from autograd import Value
from nn.optim.optimizer import Optimizer, check_non_negative, check_positive


class Adagrad(Optimizer):
    """Adagrad, PyTorch's ``torch.optim.Adagrad`` update rule.

    At step t (counting from 1), for each parameter p with gradient g (γ = lr,
    η = lr_decay, λ = weight_decay, ε = eps)::

        g ← g + λ p                              (if λ ≠ 0)
        γ_t = γ / (1 + (t − 1) η)
        s ← s + g²                               (s starts at initial_accumulator_value)
        p ← p − γ_t g / (√s + ε)

    Parameters with large past gradients take smaller steps.

    Attributes:
        sum: the accumulator s of each parameter.

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
    non_negative_state_names = ("sum",)
    hyperparameter_names = ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps")

    sum: list[float]

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
    ) -> None:
        super().__init__(params)
        self.lr, self.lr_decay, self.weight_decay = lr, lr_decay, weight_decay
        self.initial_accumulator_value, self.eps = initial_accumulator_value, eps
        self._check()
        self.sum = [self.initial_accumulator_value] * len(self.params)

    def _check(self) -> None:
        self.lr = check_non_negative("learning rate (lr)", self.lr)
        self.lr_decay = check_non_negative("lr_decay", self.lr_decay)
        self.weight_decay = check_non_negative("weight_decay", self.weight_decay)
        self.initial_accumulator_value = check_non_negative(
            "initial_accumulator_value", self.initial_accumulator_value
        )
        self.eps = check_positive("eps", self.eps)

    def _update(self, step: int) -> tuple[list[float], dict[str, list[float] | None]]:
        lr_t = self.lr / (1.0 + (step - 1) * self.lr_decay)
        wd, eps = self.weight_decay, self.eps
        values, sums = [], []
        for p, s in zip(self.params, self.sum, strict=True):
            g = p.grad + wd * p.data if wd else p.grad
            s += g * g
            sums.append(s)
            values.append(p.data - lr_t * g / (math.sqrt(s) + eps))
        return values, {"sum": sums}
