"""Batch normalisation over the features of a batch: :class:`BatchNorm1d`."""

from __future__ import annotations

import math
from typing import Any, cast

import autograd
from autograd import Value
from autograd.value import lift
from nn._tensor import as_batch, check_width
from nn.module import Module


class BatchNorm1d(Module):
    """Normalise each feature over the batch, then scale and shift it (PyTorch semantics).

    For feature j over a batch of N rows, in training mode:

        mean_j = (1/N) sum_i x_ij                       var_j = (1/N) sum_i (x_ij - mean_j)**2
        y_ij = gamma_j * (x_ij - mean_j) / sqrt(var_j + eps) + beta_j

    (the *biased* variance, as PyTorch normalises with). The whole computation is
    recorded in the graph, so gradients flow through the batch statistics too: each
    row's output depends on every row of the batch.

    Training also updates the running statistics (when ``track_running_stats``), with
    the *unbiased* variance (divided by N - 1):

        running_mean = (1 - momentum) * running_mean + momentum * mean_j
        running_var  = (1 - momentum) * running_var  + momentum * var_j * N / (N - 1)

    and counts ``num_batches_tracked``. With ``momentum=None`` the running statistics
    are the plain average of all batches seen (factor 1 / num_batches_tracked).
    In eval mode the running statistics replace the batch's, so each row is
    normalised on its own and a single row works.

    Note:
        This ``momentum`` is not an optimizer's momentum: it is the weight of the
        *new* batch in the running average (0.1 keeps 90% of the old value), the
        opposite convention of an exponential moving average's decay.

    Args:
        num_features: the number of features (columns) C.
        eps: added to the variance before the square root, for stability.
        momentum: the weight of each new batch in the running statistics, or None for
            a cumulative average.
        affine: whether to learn gamma (``weight``, starts at 1) and beta (``bias``,
            starts at 0).
        track_running_stats: whether to keep running statistics; if False the batch
            statistics are used in eval mode too.
        device, dtype: accepted for PyTorch's sake and ignored: gradstep computes in
            Python floats (64-bit) on the CPU.
        bias: (keyword only, as in PyTorch) with ``affine``, whether to learn beta too;
            ``bias=False`` learns gamma only (``y = gamma * x_hat``).

    Raises:
        ValueError: for a training batch of one row (its variance is 0: nothing to
            normalise), for rows that are not ``num_features`` long, and for bad
            arguments.

    Example:
        >>> import nn
        >>> bn = nn.BatchNorm1d(1)
        >>> [round(row[0].data, 6) for row in bn([[1.0], [3.0]])]
        [-0.999995, 0.999995]
        >>> bn.running_mean, bn.running_var, bn.num_batches_tracked
        ([0.2], [1.1], 1)
    """

    weight: list[Value] | None
    bias: list[Value] | None
    running_mean: list[float] | None
    running_var: list[float] | None
    num_batches_tracked: int | None

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        if not isinstance(num_features, int) or isinstance(num_features, bool) or num_features < 1:
            raise ValueError(f"BatchNorm1d needs num_features >= 1, got {num_features!r}")
        if not 0.0 < eps < math.inf:
            raise ValueError(f"BatchNorm1d needs a finite eps > 0, got {eps!r}")
        if momentum is not None and not 0.0 <= momentum <= 1.0:
            raise ValueError(f"BatchNorm1d needs momentum in [0, 1] or None, got {momentum!r}")
        self.num_features = num_features
        self.eps = float(eps)
        self.momentum = None if momentum is None else float(momentum)
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.register_parameter("weight", [Value(1.0) for _ in range(num_features)])
            if bias:
                self.register_parameter("bias", [Value(0.0) for _ in range(num_features)])
            else:
                object.__setattr__(self, "bias", None)
        else:  # as PyTorch: the attributes exist, and are None
            object.__setattr__(self, "weight", None)
            object.__setattr__(self, "bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", [0.0] * num_features)
            self.register_buffer("running_var", [1.0] * num_features)
            self.register_buffer("num_batches_tracked", 0)
        else:  # as PyTorch: the attributes exist, and are None (no buffers to save)
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                object.__setattr__(self, name, None)

    def forward(self, x: object) -> list[Value] | list[list[Value]]:
        """Normalise a batch (or, in eval mode, also a single row)."""
        rows, single = as_batch(x, "BatchNorm1d input")
        check_width(rows, self.num_features, "BatchNorm1d")
        use_batch_stats = self.training or not self.track_running_stats
        if self.training and len(rows) < 2:
            raise ValueError(
                f"BatchNorm1d in training mode needs a batch of more than one row, got "
                f"{len(rows)}: one row has no variance to normalise by. Use a larger "
                f"batch (or drop_last=True when batching), or call .eval() first"
            )
        if not rows:
            return []
        # The parameters, or constants where they are frozen (see Module.in_graph).
        gammas = [] if self.weight is None else cast(list[Value], self.in_graph("weight"))
        betas = None if self.bias is None else cast(list[Value], self.in_graph("bias"))
        columns = []
        for j in range(self.num_features):
            column = [lift(row[j]) for row in rows]
            if use_batch_stats:
                column = self._normalise_with_batch(j, column)
            else:
                inv_std = 1.0 / self._running_std(j)
                mean = self._tracked()[0][j]
                column = [(v - mean) * inv_std for v in column]
            if self.affine:
                gamma = gammas[j]
                if betas is None:
                    column = [v * gamma for v in column]
                else:
                    beta = betas[j]
                    column = [v * gamma + beta for v in column]
            columns.append(column)
        if self.training and self.track_running_stats:
            self.num_batches_tracked = self._tracked()[2] + 1
        out = [list(row) for row in zip(*columns, strict=True)]
        return out[0] if single else out

    def _running_std(self, j: int) -> float:
        """sqrt(running_var[j] + eps), or ValueError if the running variance was set to
        something that is not a variance (``load_state_dict`` refuses those already)."""
        var = self._tracked()[1][j]
        if not (isinstance(var, (int, float)) and 0.0 <= var < math.inf):
            raise ValueError(
                f"BatchNorm1d: running_var[{j}] is {var!r}; a variance must be a finite "
                "number >= 0 (its square root is taken in eval mode)"
            )
        return float((var + self.eps) ** 0.5)

    def _tracked(self) -> tuple[list[float], list[float], int]:
        """The running statistics and the batch count (only asked for when they are kept)."""
        mean, var, count = self.running_mean, self.running_var, self.num_batches_tracked
        assert mean is not None and var is not None and count is not None, "no running stats"
        return mean, var, count

    def _check_state_entry(self, name: str, numbers: list[float | int]) -> str | None:
        """A running variance is never negative: eval mode takes its square root."""
        if name == "running_var":
            for j, var in enumerate(numbers):
                if var < 0:
                    return (
                        f"[{j}] is {var!r}: a variance is never negative (eval mode takes "
                        "the square root of running_var + eps)"
                    )
        return None

    def _normalise_with_batch(self, j: int, column: list[Value]) -> list[Value]:
        """(x - mean) / sqrt(var + eps) over one feature, updating the running stats."""
        n = len(column)
        mean = autograd.sum(column) / n
        centered = [v - mean for v in column]
        squares = autograd.dot(centered, centered)  # sum of squared deviations, one node
        inv_std = (squares / n + self.eps) ** -0.5
        if self.training and self.track_running_stats:
            running_mean, running_var, count = self._tracked()
            factor = self.momentum if self.momentum is not None else 1.0 / (count + 1)
            running_mean[j] = (1.0 - factor) * running_mean[j] + factor * mean.data
            unbiased = squares.data / (n - 1)
            running_var[j] = (1.0 - factor) * running_var[j] + factor * unbiased
        return [v * inv_std for v in centered]

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, track_running_stats={self.track_running_stats}"
            + ("" if not self.affine or self.bias is not None else ", bias=False")
        )
