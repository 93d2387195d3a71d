"""Stochastic gradient descent, with momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

from collections.abc import Iterable

from autograd import Value
from nn.optim.optimizer import Optimizer, check_flag, check_fraction, check_non_negative


class SGD(Optimizer):
    """Stochastic gradient descent, PyTorch's ``torch.optim.SGD`` update rule.

    At each step, for each parameter p with gradient g (μ = momentum, τ = dampening,
    λ = weight_decay, γ = lr)::

        g ← g + λ p                                   (if λ ≠ 0)
        if μ ≠ 0:
            b ← g                  at the first step
            b ← μ b + (1 − τ) g    afterwards
            g ← g + μ b            (nesterov)   or   g ← b   (otherwise)
        p ← p − γ g

    Args:
        params: the parameters to update, e.g. ``model.parameters()``.
        lr: the learning rate γ.
        momentum: μ, the weight of the previous velocity (0: plain SGD).
        dampening: τ, how much of the new gradient the velocity misses.
        weight_decay: λ, L2 regularisation added to the gradient.
        nesterov: look ahead along the velocity (needs momentum > 0, dampening 0).

    Attributes:
        momentum_buffer: the velocity b of each parameter, None before the first step
            (or always, without momentum).

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
    optional_state_names = ("momentum_buffer",)
    hyperparameter_names = ("lr", "momentum", "dampening", "weight_decay", "nesterov")

    momentum_buffer: list[float] | None

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(params)
        self.lr, self.momentum, self.dampening = lr, momentum, dampening
        self.weight_decay, self.nesterov = weight_decay, nesterov
        self._check()
        self.momentum_buffer = None

    def _check(self) -> None:
        self.lr = check_non_negative("learning rate (lr)", self.lr)
        self.momentum = check_non_negative("momentum", self.momentum)
        self.weight_decay = check_non_negative("weight_decay", self.weight_decay)
        # (1 - dampening) weighs the new gradient: outside [0, 1] it would flip or inflate it.
        self.dampening = check_fraction("dampening", self.dampening)
        self.nesterov = check_flag("nesterov", self.nesterov)
        if self.nesterov and (self.momentum <= 0.0 or self.dampening != 0.0):
            raise ValueError(
                "Nesterov momentum requires a momentum > 0 and zero dampening, got "
                f"momentum={self.momentum!r}, dampening={self.dampening!r}"
            )

    def _update(self, step: int) -> tuple[list[float], dict[str, list[float] | None]]:
        lr, mu, wd = self.lr, self.momentum, self.weight_decay
        if mu == 0.0:
            values = []
            for p in self.params:
                g = p.grad + wd * p.data if wd else p.grad
                values.append(p.data - lr * g)
            return values, {"momentum_buffer": self.momentum_buffer}
        first = self.momentum_buffer is None
        old = [0.0] * len(self.params) if self.momentum_buffer is None else self.momentum_buffer
        keep = 1.0 - self.dampening
        values, buf = [], []
        for i, p in enumerate(self.params):
            g = p.grad + wd * p.data if wd else p.grad
            b = g if first else mu * old[i] + keep * g
            buf.append(b)
            g = g + mu * b if self.nesterov else b
            values.append(p.data - lr * g)
        return values, {"momentum_buffer": buf}
