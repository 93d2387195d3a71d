"""Adam and AdamW: momentum on the gradient, scaled by a running RMS, bias-corrected."""

from __future__ import annotations

import math
from collections.abc import Iterable

from autograd import Value
from nn.optim.optimizer import (
    Optimizer,
    check_beta,
    check_flag,
    check_non_negative,
    check_positive,
    lerp,
)


class Adam(Optimizer):
    """Adam, PyTorch's ``torch.optim.Adam`` update rule.

    At step t (from 1), for each parameter p with gradient g (γ = lr, β1, β2 = betas,
    λ = weight_decay, ε = eps; m, v and v̂max start at 0)::

        g ← g + λ p                              (if λ ≠ 0: L2, added to the gradient)
        m ← β1 m + (1 − β1) g                    (first moment: momentum)
        v ← β2 v + (1 − β2) g²                   (second moment)
        m̂ = m / (1 − β1^t),  v̂ = v / (1 − β2^t)   (bias corrections: m, v start at 0)
        if amsgrad:  v̂max ← max(v̂max, v);  v̂ = v̂max / (1 − β2^t)
        p ← p − γ m̂ / (√v̂ + ε)

    (m is updated with PyTorch's ``lerp``, the same formula rounded the same way.)

    Args:
        params: the parameters, e.g. ``model.parameters()``.
        lr: the learning rate γ (step sizes are about γ, whatever the gradient's scale).
        betas: (β1, β2), the decay of the first and second moments, each in [0, 1).
        eps: ε, guards the division.
        weight_decay: λ, L2 regularisation added to the gradient (see :class:`AdamW`
            for the decoupled kind).
        amsgrad: use the maximum of past second moments (the AMSGrad variant).

    Attributes:
        exp_avg: m for each parameter; ``exp_avg_sq``: v; ``max_exp_avg_sq``: v̂max
        (amsgrad only, else None); ``step_count``: t.

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
    optional_state_names = ("max_exp_avg_sq",)
    non_negative_state_names = ("exp_avg_sq", "max_exp_avg_sq")
    hyperparameter_names = ("lr", "betas", "eps", "weight_decay", "amsgrad")
    decoupled_weight_decay = False

    exp_avg: list[float]
    exp_avg_sq: list[float]
    max_exp_avg_sq: list[float] | None

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params)
        self.lr, self.betas, self.eps = lr, betas, eps
        self.weight_decay, self.amsgrad = weight_decay, amsgrad
        self._check()
        n = len(self.params)
        self.exp_avg = [0.0] * n
        self.exp_avg_sq = [0.0] * n
        self.max_exp_avg_sq = [0.0] * n if self.amsgrad else None

    def _check(self) -> None:
        self.lr = check_non_negative("learning rate (lr)", self.lr)
        self.eps = check_positive("eps", self.eps)
        self.weight_decay = check_non_negative("weight_decay", self.weight_decay)
        if not isinstance(self.betas, (tuple, list)) or len(self.betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {self.betas!r}")
        self.betas = (
            check_beta("beta parameter at index 0", self.betas[0]),
            check_beta("beta parameter at index 1", self.betas[1]),
        )
        self.amsgrad = check_flag("amsgrad", self.amsgrad)

    def _update(self, step: int) -> tuple[list[float], dict[str, list[float] | None]]:
        lr, eps, wd = self.lr, self.eps, self.weight_decay
        beta1, beta2 = self.betas
        step_size = lr / (1.0 - beta1**step)
        bias_correction2_sqrt = math.sqrt(1.0 - beta2**step)
        v_max = self.max_exp_avg_sq
        if self.amsgrad:
            v_max = [0.0] * len(self.params) if v_max is None else list(v_max)
        m, v = list(self.exp_avg), list(self.exp_avg_sq)
        decoupled = self.decoupled_weight_decay
        amsgrad = self.amsgrad and v_max is not None
        values: list[float] = []
        for i, p in enumerate(self.params):
            g, x = p.grad, p.data
            if wd:
                if decoupled:
                    x *= 1.0 - lr * wd
                else:
                    g = g + wd * x
            m[i] = lerp(m[i], g, 1.0 - beta1)
            v[i] = beta2 * v[i] + (1.0 - beta2) * g * g
            if amsgrad:
                assert v_max is not None  # for mypy: amsgrad implies it
                v_max[i] = max(v_max[i], v[i])
                denom = math.sqrt(v_max[i]) / bias_correction2_sqrt + eps
            else:
                denom = math.sqrt(v[i]) / bias_correction2_sqrt + eps
            values.append(x - step_size * m[i] / denom)
        return values, {"exp_avg": m, "exp_avg_sq": v, "max_exp_avg_sq": v_max}


class AdamW(Adam):
    """Adam with *decoupled* weight decay, PyTorch's ``torch.optim.AdamW`` update rule.

    Identical to :class:`Adam` except for the weight decay, which shrinks the
    parameter directly instead of being added to the gradient (where Adam's scaling
    would weaken it for parameters with large gradients)::

        p ← p (1 − γ λ)                          (first, at every step)
        ...then Adam's update with λ = 0.

    The default ``weight_decay`` is 1e-2 (Adam's is 0).

    Example:
        >>> from autograd import Value
        >>> from nn.optim import AdamW
        >>> x = Value(3.0)
        >>> opt = AdamW([x], lr=0.1, weight_decay=0.5)
        >>> (x * x).backward(); opt.step()     # 3 (1 − 0.05) − 0.1
        >>> round(x.data, 9)
        2.75
    """

    decoupled_weight_decay = True

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)
