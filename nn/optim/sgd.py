"""Stochastic gradient descent, with momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

from collections.abc import Iterable

from autograd import Value
from nn.optim.optimizer import Optimizer, check_non_negative


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
        ValueError: for a negative lr, momentum or weight_decay, and for nesterov
            without momentum or with dampening; the message repeats the value.

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
        self.dampening = float(self.dampening)
        self.nesterov = bool(self.nesterov)
        if self.nesterov and (self.momentum <= 0.0 or self.dampening != 0.0):
            raise ValueError(
                "Nesterov momentum requires a momentum > 0 and zero dampening, got "
                f"momentum={self.momentum!r}, dampening={self.dampening!r}"
            )

    def step(self) -> None:
        lr, mu, wd = self.lr, self.momentum, self.weight_decay
        self.step_count += 1
        if mu == 0.0:
            for p in self.params:
                g = p.grad + wd * p.data if wd else p.grad
                p.data -= lr * g
            return
        first = self.momentum_buffer is None
        buf = [0.0] * len(self.params) if self.momentum_buffer is None else self.momentum_buffer
        keep = 1.0 - self.dampening
        for i, p in enumerate(self.params):
            g = p.grad + wd * p.data if wd else p.grad
            b = g if first else mu * buf[i] + keep * g
            buf[i] = b
            g = g + mu * b if self.nesterov else b
            p.data -= lr * g
        self.momentum_buffer = buf
