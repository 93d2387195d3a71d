"""RMSprop: divide each gradient by a running root-mean-square of recent gradients."""

from __future__ import annotations

import math
from collections.abc import Iterable

from autograd import Value
from nn.optim.optimizer import (
    Optimizer,
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

    Attributes:
        square_avg: v; ``grad_avg``: ḡ (centered only, else None);
        ``momentum_buffer``: b (with momentum only, else None).

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

    state_names = ("square_avg", "grad_avg", "momentum_buffer")
    optional_state_names = ("grad_avg", "momentum_buffer")
    non_negative_state_names = ("square_avg",)
    hyperparameter_names = ("lr", "alpha", "eps", "weight_decay", "momentum", "centered")

    square_avg: list[float]
    grad_avg: list[float] | None
    momentum_buffer: list[float] | None

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        super().__init__(params)
        self.lr, self.alpha, self.eps = lr, alpha, eps
        self.weight_decay, self.momentum, self.centered = weight_decay, momentum, centered
        self._check()
        n = len(self.params)
        self.square_avg = [0.0] * n
        self.grad_avg = [0.0] * n if self.centered else None
        self.momentum_buffer = [0.0] * n if self.momentum > 0.0 else None

    def _check(self) -> None:
        self.lr = check_non_negative("learning rate (lr)", self.lr)
        self.eps = check_positive("eps", self.eps)
        self.momentum = check_non_negative("momentum", self.momentum)
        self.weight_decay = check_non_negative("weight_decay", self.weight_decay)
        self.alpha = check_fraction("alpha", self.alpha)
        self.centered = check_flag("centered", self.centered)

    def _update(self, step: int) -> tuple[list[float], dict[str, list[float] | None]]:
        lr, alpha, eps, wd, mu = self.lr, self.alpha, self.eps, self.weight_decay, self.momentum
        n = len(self.params)
        # State can be missing after the hyper-parameters changed (e.g. momentum set later).
        g_avg = self.grad_avg
        if self.centered and g_avg is None:
            g_avg = [0.0] * n
        buf = self.momentum_buffer
        if mu > 0.0 and buf is None:
            buf = [0.0] * n
        values = []
        v = list(self.square_avg)
        g_avg = None if g_avg is None else list(g_avg)
        buf = None if buf is None else list(buf)
        for i, p in enumerate(self.params):
            g = p.grad + wd * p.data if wd else p.grad
            v[i] = alpha * v[i] + (1.0 - alpha) * g * g
            if g_avg is not None and self.centered:
                g_avg[i] = lerp(g_avg[i], g, 1.0 - alpha)
                # Clamped: rounding can make this variance slightly negative (see Note).
                d = math.sqrt(max(v[i] - g_avg[i] * g_avg[i], 0.0)) + eps
            else:
                d = math.sqrt(v[i]) + eps
            if buf is not None and mu > 0.0:
                buf[i] = mu * buf[i] + g / d
                values.append(p.data - lr * buf[i])
            else:
                values.append(p.data - lr * g / d)
        return values, {"square_avg": v, "grad_avg": g_avg, "momentum_buffer": buf}
