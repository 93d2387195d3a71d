"""Loss functions: one Value that measures how wrong a batch of predictions is.

Each loss computes one term per element and combines them with ``reduction``:
``"mean"`` (the default, as in PyTorch) or ``"sum"``. Values agree with PyTorch's
functions of the same name.

Predictions may be a flat list (one number per example) or a batch of one-element
rows, which is what a model with one output returns; targets likewise. A batch of
one-element rows counts as a flat list, so ``mse_loss(model(X), y)`` works for
``y = [0, 1, ...]``. Otherwise shapes must be equal, elementwise losses also accept
matching rows of several entries, and anything else raises ValueError naming both
shapes.

Every loss refuses a NaN or infinite prediction or target with a ValueError naming
its position: the loss would be NaN or infinite too, and say nothing about where the
bad number came from. The binary cross-entropies also refuse targets outside [0, 1].
"""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Sequence
from typing import Literal, TypeGuard

import autograd
from autograd import Value, ops
from autograd.numbers import as_float
from autograd.value import Constant, apply, lift
from nn._tensor import format_shape, tolist

Reduction = Literal["mean", "sum"]

_EPSILON = 9.999999960041972e-13
"""PyTorch's floor for p(1 - p) in the BCE gradient: 1e-12 as a 32-bit float."""


def _flatten_pair(
    predictions: object, targets: object, loss: str
) -> tuple[list[Value], list[Value | float], tuple[int, ...]]:
    """Predictions and targets as two flat lists of equal length, or raise naming both shapes.

    Raises:
        ValueError: for mismatched shapes, ragged rows, an empty batch, or a prediction
            or target that is NaN or infinite (a loss of it would be NaN or infinite
            too, and say nothing about where that came from).
        TypeError: for an entry that is not a number or a Value.
    """
    p_shape, p = _flat(predictions, loss, "predictions")
    t_shape, t = _flat(targets, loss, "targets")
    if p_shape != t_shape:
        raise ValueError(
            f"{loss}: predictions have shape {format_shape(p_shape)} but targets have shape "
            f"{format_shape(t_shape)}; they must match (a batch of one-element rows "
            "counts as a flat list)"
        )
    if not p:
        raise ValueError(f"{loss}: got no predictions (an empty batch)")
    predictions_ = [
        v if isinstance(v, Value) else Constant(as_float(v, f"{loss} prediction")) for v in p
    ]
    targets_ = [v if isinstance(v, Value) else as_float(v, f"{loss} target") for v in t]
    for what, entries in (("prediction", predictions_), ("target", targets_)):
        numbers_ = [v.data if isinstance(v, Value) else v for v in entries]
        if not all(map(math.isfinite, numbers_)):
            i = next(i for i, x in enumerate(numbers_) if not math.isfinite(x))
            raise ValueError(
                f"{loss}: {what} {_position(i, p_shape)} is {numbers_[i]}; every {what} must "
                "be a finite number (is an input or a weight NaN or infinite?)"
            )
    return predictions_, targets_, p_shape


def _position(i: int, shape: tuple[int, ...]) -> str:
    """Where flat entry ``i`` sits: ``3`` in a flat list, ``[3, 1]`` in rows of several."""
    if len(shape) < 2:
        return str(i)
    return f"[{i // shape[1]}, {i % shape[1]}]"


def _is_row(x: object) -> TypeGuard[Sequence[object]]:
    """Whether ``x`` is a row (a list, a tuple...) rather than a number; a str is no row."""
    return isinstance(x, Sequence) and not isinstance(x, (str, bytes))


def _flat(x: object, loss: str, what: str) -> tuple[tuple[int, ...], list[object]]:
    """(shape with a trailing 1 squeezed, entries) of a number, a list or a list of rows.

    Raises:
        ValueError: for rows of different lengths (naming the first that differs from
            the first row), or a mix of rows and numbers.
    """
    x = tolist(x)
    if not _is_row(x):
        return (), [x]
    rows = [tolist(r) for r in x]
    if not any(_is_row(r) for r in rows):
        return (len(rows),), rows
    first = next(i for i, r in enumerate(rows) if _is_row(r))
    width = len(rows[first])  # type: ignore[arg-type]
    for i, r in enumerate(rows):
        if not _is_row(r):
            raise ValueError(
                f"{loss}: {what} must be a flat list or rows of equal length, but item {i} "
                f"is a {type(r).__name__} and item {first} is a row"
            )
        if len(r) != width:
            raise ValueError(
                f"{loss}: {what} must be rows of equal length, but row {i} has "
                f"{len(r)} entries and row {first} has {width}"
            )
    entries = [v for r in rows for v in r]  # type: ignore[attr-defined]
    return ((len(rows),) if width == 1 else (len(rows), width)), entries


def _reduce(terms: list[Value], reduction: str, loss: str) -> Value:
    if reduction == "mean":
        return autograd.sum(terms) / len(terms)
    if reduction == "sum":
        return autograd.sum(terms)
    raise ValueError(f"{loss}: reduction must be 'mean' or 'sum', got {reduction!r}")


def mse_loss(predictions: object, targets: object, reduction: Reduction = "mean") -> Value:
    """Mean squared error: mean_i (p_i - t_i)**2 (or the sum, with ``reduction="sum"``).

    Args:
        predictions: a flat list of Values (or numbers), a batch of one-element rows,
            or rows of several entries (then every entry counts).
        targets: numbers (or Values) of the same shape.
        reduction: "mean" or "sum".

    Returns:
        The loss, one Value.

    Raises:
        ValueError: for mismatched shapes or ragged rows, an empty batch, a prediction or
            target that is NaN or infinite, or an unknown reduction.
        TypeError: for an entry that is neither a number nor a Value.

    Example:
        >>> import nn
        >>> nn.mse_loss([1.0, 2.0], [0.0, 4.0]).data      # (1 + 4) / 2
        2.5
    """
    p, t, _ = _flatten_pair(predictions, targets, "mse_loss")
    return _reduce([(pi - ti) ** 2 for pi, ti in zip(p, t, strict=True)], reduction, "mse_loss")


def _clamped_log(x: float) -> float:
    """log(x) floored at -100, so that log(0) is -100 rather than -inf (PyTorch's rule)."""
    return max(math.log(x), -100.0) if x > 0.0 else -100.0 if x == 0.0 else math.nan


def _clamped_log1m(p: float) -> float:
    """log(1 - p) floored at -100, computed as log1p(-p) for accuracy near p = 0 (as PyTorch)."""
    return max(math.log1p(-p), -100.0) if p < 1.0 else -100.0 if p == 1.0 else math.nan


class BinaryCrossEntropy(ops.BinaryOp):
    """The op bce(p, y) = -(y log p + (1 - y) log(1 - p)), each log clamped at -100.

    One node per example, with PyTorch's local derivatives:

        d/dp = (p - y) / max(p (1 - p), 1e-12)        d/dy = log(1 - p) - log(p)

    The floor keeps d/dp finite at p = 0 or 1 (where the clamped loss is flat but
    PyTorch still reports this large gradient); log(1 - p) is computed as log1p(-p)
    for accuracy near p = 0, as PyTorch does.

    Raises:
        ValueError: if p is outside [0, 1] or NaN.
    """

    name = "bce"
    arguments = ("p", "y")
    expression = "bce(p, y)"
    derivative_text = ("(p - y) / (p (1 - p))", "log(1 - p) - log(p)")
    function = True

    def forward(self, p: float, y: float) -> float:
        if not 0.0 <= p <= 1.0:  # NaN included: a loss of NaN would tell nothing
            raise ValueError(
                f"binary_cross_entropy: prediction {p!r} is not a probability in [0, 1]; "
                "apply a sigmoid first, or use binary_cross_entropy_with_logits on raw scores"
            )
        return (y - 1.0) * _clamped_log1m(p) - y * _clamped_log(p)

    def derivatives(self, out: ops.S, p: ops.S, y: ops.S) -> tuple[ops.S | float, ...]:
        pq = p * (1.0 - p)
        d_p = (p - y) / (pq if pq > _EPSILON else _EPSILON)
        if isinstance(p, float):
            d_y: ops.S | float = _clamped_log1m(p) - _clamped_log(p)
        else:  # a Value: second derivatives, where 0 < p < 1
            d_y = (1.0 - p).log() - p.log()
        return (d_p, d_y)

    def smooth_at(self, *xs: float, margin: float) -> bool:
        return margin < xs[0] < 1.0 - margin


BCE = ops.register(BinaryCrossEntropy())


def _check_probabilities(targets: list[Value | float], shape: tuple[int, ...], loss: str) -> None:
    """Raise ValueError naming the first target outside [0, 1].

    PyTorch computes the formula for any target, but outside [0, 1] it is no longer a
    cross-entropy: with y = -1 (a -1/+1 label) the loss has no minimum, and training
    drives the score to minus infinity instead of failing.
    """
    for i, y in enumerate(targets):
        label = y.data if isinstance(y, Value) else y
        if not 0.0 <= label <= 1.0:
            raise ValueError(
                f"{loss}: target {_position(i, shape)} is {label!r}, expected a probability "
                "in [0, 1], usually a 0/1 label (for -1/+1 labels use (y + 1) / 2, or "
                "hinge_loss)"
            )


def binary_cross_entropy(
    predictions: object, targets: object, reduction: Reduction = "mean"
) -> Value:
    """Binary cross-entropy of probabilities: mean_i -(y_i log p_i + (1 - y_i) log(1 - p_i)).

    Each log is clamped at -100, as in PyTorch, so a confident wrong prediction
    (p = 0 for y = 1) costs 100 rather than infinity. For raw scores (logits) use
    :func:`binary_cross_entropy_with_logits`, which is exact where this one clamps.

    Args:
        predictions: probabilities p in [0, 1] (e.g. a Sigmoid's outputs).
        targets: y, usually 0 or 1 (any number in [0, 1] works; others are refused).
        reduction: "mean" or "sum".

    Raises:
        ValueError: for a prediction or a target outside [0, 1] (NaN included),
            mismatched shapes or ragged rows, an empty batch.

    Example:
        >>> import nn
        >>> round(nn.binary_cross_entropy([0.9, 0.2], [1, 0]).data, 6)   # -(ln .9 + ln .8)/2
        0.164252
    """
    p, t, shape = _flatten_pair(predictions, targets, "binary_cross_entropy")
    _check_probabilities(t, shape, "binary_cross_entropy")
    terms = [apply(BCE, (pi, lift(ti))) for pi, ti in zip(p, t, strict=True)]
    return _reduce(terms, reduction, "binary_cross_entropy")


def binary_cross_entropy_with_logits(
    logits: object, targets: object, reduction: Reduction = "mean"
) -> Value:
    """Binary cross-entropy of sigmoid(x), computed from the logit x without overflow.

    -(y log s(x) + (1 - y) log(1 - s(x))) simplifies to softplus(x) - x y, where
    softplus(x) = log(1 + e**x) is computed stably; so x = +-1000 gives exact answers
    where sigmoid then log would give log(0). Its derivative is s(x) - y.

    Args:
        logits: raw scores x (any real numbers), e.g. the last Linear's outputs.
        targets: y, usually 0 or 1.
        reduction: "mean" or "sum".

    Raises:
        ValueError: for a target outside [0, 1], a logit that is NaN or infinite,
            mismatched shapes or ragged rows, an empty batch.

    Example:
        >>> import nn
        >>> nn.binary_cross_entropy_with_logits([1000.0, -1000.0], [1, 0]).data
        0.0
    """
    x, t, shape = _flatten_pair(logits, targets, "binary_cross_entropy_with_logits")
    _check_probabilities(t, shape, "binary_cross_entropy_with_logits")
    terms = [xi.softplus() - xi * ti for xi, ti in zip(x, t, strict=True)]
    return _reduce(terms, reduction, "binary_cross_entropy_with_logits")


def _class_index(c: object, i: int, n_classes: int) -> int:
    """Target ``i`` as an int in [0, n_classes), or raise ValueError saying what is wrong.

    Any integer type is accepted through ``operator.index`` (int, numpy integers, so
    labels from a numpy array work); so is a real number with an integer value (2.0,
    e.g. labels read from a CSV file). A bool or a fractional number is refused: a
    class index is not a truth value, nor a probability.
    """
    expected = f"expected a class index in [0, {n_classes}) for rows of {n_classes} logits"
    if isinstance(c, bool) or type(c).__name__ in ("bool", "bool_"):  # numpy's bool too
        raise ValueError(f"cross_entropy: target {i} is {c!r}, a bool; {expected}")
    try:
        index = operator.index(c)  # type: ignore[arg-type]
    except TypeError:
        if not (isinstance(c, numbers.Real) and float(c).is_integer()):
            raise ValueError(
                f"cross_entropy: target {i} is {c!r} (a {type(c).__name__}), not an integer; "
                f"{expected} (cross_entropy takes class indices, not probabilities)"
            ) from None
        index = int(float(c))
    if not 0 <= index < n_classes:
        raise ValueError(f"cross_entropy: target {i} is {index}, {expected}")
    return index


def cross_entropy(
    logits_rows: object, class_indices: object, reduction: Reduction = "mean"
) -> Value:
    """Softmax cross-entropy: mean_i (logsumexp(z_i) - z_i[c_i]), i.e. -log softmax(z_i)[c_i].

    The log-sum-exp is one stable node (shifted by the row's maximum), so large logits
    never overflow.

    Args:
        logits_rows: a batch of rows of C scores each (or one row).
        class_indices: the correct class of each row, an int in [0, C) (or one int);
            any integer type works (numpy's too), and so does an integer-valued float.
        reduction: "mean" or "sum".

    Raises:
        ValueError: for a class index out of range, a bool or a fractional number; a
            number of rows different from the number of targets; rows of different
            lengths (ragged: naming the row), an empty row, or a logit that is NaN or
            infinite.

    Example:
        >>> import nn
        >>> round(nn.cross_entropy([[2.0, 0.0, 0.0]], [0]).data, 6)   # -log(e²/(e²+2))
        0.239545
    """
    rows = tolist(logits_rows)
    targets = tolist(class_indices)
    if isinstance(rows, Sequence) and rows and not isinstance(tolist(rows[0]), Sequence):
        rows, targets = [rows], [targets]  # one row and one class
    if not isinstance(rows, Sequence) or not isinstance(targets, Sequence):
        raise ValueError("cross_entropy expects rows of logits and a list of class indices")
    if len(rows) != len(targets):
        raise ValueError(
            f"cross_entropy: {len(rows)} rows of logits but {len(targets)} class indices"
        )
    if not rows:
        raise ValueError("cross_entropy: got no predictions (an empty batch)")
    n_classes = _width(rows[0], 0)
    terms = []
    for i, (row, c) in enumerate(zip(rows, targets, strict=True)):
        if _width(row, i) != n_classes:
            raise ValueError(
                f"cross_entropy: row {i} has {_width(row, i)} logits but row 0 has {n_classes}; "
                "every row needs one logit per class"
            )
        logits = [lift(v) for v in tolist(row)]  # type: ignore[attr-defined]
        for j, z in enumerate(logits):
            if not math.isfinite(z.data):
                raise ValueError(
                    f"cross_entropy: logit [{i}, {j}] is {z.data}; every logit must be a "
                    "finite number (is an input or a weight NaN or infinite?)"
                )
        terms.append(autograd.logsumexp(logits) - logits[_class_index(c, i, n_classes)])
    return _reduce(terms, reduction, "cross_entropy")


def _width(row: object, i: int) -> int:
    """The number of logits in row ``i``, or ValueError if it is not a row or has none."""
    row = tolist(row)
    if not _is_row(row):
        raise ValueError(
            f"cross_entropy: row {i} is a {type(row).__name__}, not a row of logits "
            "(expected a batch of rows, one logit per class)"
        )
    if not row:
        raise ValueError(f"cross_entropy: row {i} is empty; it needs one logit per class")
    return len(row)


def hinge_loss(scores: object, targets: object, reduction: Reduction = "mean") -> Value:
    """micrograd's max-margin loss: mean_i relu(1 - y_i * s_i), with labels y_i in {-1, +1}.

    A correct prediction with margin (y s >= 1) costs nothing; anything else costs
    linearly. This is the loss of micrograd's demo (and of a linear SVM without its
    regulariser); PyTorch has no function of exactly this form (its
    ``hinge_embedding_loss`` is a different loss).

    Args:
        scores: raw scores s (positive means class +1).
        targets: labels, each -1 or +1 (turn 0/1 labels into them with ``2 * y - 1``).
        reduction: "mean" or "sum".

    Raises:
        ValueError: for a label other than -1 or +1, a score that is NaN or infinite,
            mismatched shapes or ragged rows, an empty batch.

    Example:
        >>> import nn
        >>> nn.hinge_loss([2.0, 0.5, -1.0], [1, 1, 1]).data     # (0 + 0.5 + 2) / 3
        0.8333333333333334
    """
    s, t, _ = _flatten_pair(scores, targets, "hinge_loss")
    for i, y in enumerate(t):
        label = y.data if isinstance(y, Value) else y
        if label not in (-1.0, 1.0):
            raise ValueError(
                f"hinge_loss: target {i} is {label!r}, expected -1 or +1 "
                "(for 0/1 labels use 2 * y - 1)"
            )
    terms = [(1.0 - si * yi).relu() for si, yi in zip(s, t, strict=True)]
    return _reduce(terms, reduction, "hinge_loss")
