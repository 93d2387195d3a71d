"""Loss functions: one Value that measures how wrong a batch of predictions is.

Each loss computes one term per element and combines them with ``reduction``:
``"mean"`` (the default, as in PyTorch), ``"sum"``, or ``"none"``, which returns the
terms themselves (a list of Values, one per prediction: rows of them for predictions in
rows of several entries, and one per row for ``cross_entropy``). Arguments, options
(``weight``, ``pos_weight``, ``ignore_index``, ``label_smoothing``) and values agree with
PyTorch's functions of the same name; the loss modules (``nn.MSELoss``...) are in
:mod:`nn.loss_modules`.

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
import warnings
from collections.abc import Sequence
from typing import Literal, TypeGuard, overload

import autograd
from autograd import Value, ops
from autograd.numbers import as_float
from autograd.value import Constant, apply, lift
from nn._tensor import format_shape, tolist

Reduction = Literal["mean", "sum", "none"]
"""How a loss combines its terms: their mean, their sum, or none (the terms themselves)."""

Terms = list[Value] | list[list[Value]]
"""What ``reduction="none"`` returns: one Value per prediction (rows for rows)."""

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


def resolve_reduction(
    reduction: object, size_average: object, reduce: object, loss: str
) -> Reduction:
    """The reduction to use: ``reduction``, or what PyTorch's deprecated pair says.

    ``size_average`` and ``reduce`` are PyTorch's old way to choose (None means "not
    given"): ``reduce=False`` gives "none", ``size_average=False`` "sum", else "mean".
    Given either, they win over ``reduction`` and a warning says which reduction to
    write instead, as in PyTorch.

    Raises:
        ValueError: for a reduction other than "mean", "sum" and "none".
        TypeError: for a size_average or reduce that is neither None nor a bool.
    """
    for name, flag in (("size_average", size_average), ("reduce", reduce)):
        if isinstance(flag, str):  # nn.mse_loss(p, t, "sum"): reduction passed by position
            raise TypeError(
                f"{loss}: {name} must be None, True or False, got {flag!r:.60}; pass the "
                f"reduction by name, reduction={flag!r:.60} (the arguments after the target "
                "are in PyTorch's order, where the deprecated size_average and reduce come "
                "first)"
            )
        if flag is not None and not isinstance(flag, bool):
            raise TypeError(f"{loss}: {name} must be None, True or False, got {flag!r:.60}")
    if size_average is not None or reduce is not None:
        legacy: Reduction = (
            "none" if reduce is False else "sum" if size_average is False else "mean"
        )
        warnings.warn(
            f"{loss}: size_average and reduce are deprecated (in PyTorch too); "
            f"write reduction={legacy!r} instead",
            UserWarning,
            stacklevel=3,
        )
        return legacy
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(
            f"{loss}: reduction must be 'mean', 'sum' or 'none', got {reduction!r:.60}"
        )
    return reduction


def _reduce(
    terms: list[Value],
    reduction: Reduction,
    loss: str,
    shape: tuple[int, ...] = (),
    denominator: float | None = None,
) -> Value | Terms:
    """Combine the terms: their mean (over ``denominator`` if given), sum, or themselves.

    With ``"none"`` the terms come back as a list, in rows if ``shape`` is rows of
    several entries.
    """
    if reduction == "none":
        if len(shape) == 2:
            width = shape[1]
            return [terms[i : i + width] for i in range(0, len(terms), width)]
        return terms
    if reduction == "sum":
        return autograd.sum(terms)
    if denominator is None:
        return autograd.sum(terms) / len(terms)
    if not denominator > 0.0:
        raise ValueError(
            f"{loss}: the weights of the targets sum to {denominator!r}, so their weighted "
            "mean is undefined; give a positive weight somewhere, or use reduction='sum'"
        )
    if math.isinf(denominator):  # each weight finite, their sum not: the mean would be 0
        raise OverflowError(
            f"{loss}: the weights sum to more than a float holds, so their weighted mean "
            "would come out as 0; scale the weights down"
        )
    return autograd.sum(terms) / denominator


def _weight_sum(weights: list[float], loss: str) -> float:
    """The exact sum of finite ``weights``, or OverflowError if no float holds it."""
    try:
        total = math.fsum(weights)
    except OverflowError:  # fsum's own message ("intermediate overflow") names nothing
        total = math.inf
    if math.isinf(total):
        raise OverflowError(
            f"{loss}: the weights sum to more than a float holds; scale the weights down"
        )
    return total


def _weights(
    weight: object, shape: tuple[int, ...], count: int, loss: str, what: str
) -> list[float]:
    """``weight`` spread over the ``count`` predictions of ``shape``: one finite number >= 0
    per prediction.

    Accepted, as PyTorch's broadcasting would: one number (or a one-element list) for
    all; one per prediction, in the predictions' shape; or, for rows of several entries,
    one per column (a weight per output, the same in every row).

    Raises:
        ValueError: for another shape, or a weight that is negative, NaN or infinite (a
            negative weight rewards an error: the loss would have no minimum).
        TypeError: for a weight that is not a number.
    """
    weight = tolist(weight)
    if isinstance(weight, str) and weight in ("mean", "sum", "none"):  # bce(p, t, "sum")
        raise TypeError(
            f"{loss}: {what} must be numbers, got {weight!r}; pass the reduction by name, "
            f"reduction={weight!r} (the arguments after the target are in PyTorch's order)"
        )
    if not _is_row(weight):
        entries: list[object] = [weight] * count
    else:
        w_shape, flat = _flat(weight, loss, what)
        if w_shape == shape:
            entries = flat
        elif len(shape) == 2 and w_shape == (shape[1],):
            entries = flat * shape[0]
        elif w_shape == (1,):
            entries = flat * count
        else:
            rows_hint = " or one per column" if len(shape) == 2 else ""
            raise ValueError(
                f"{loss}: {what} has shape {format_shape(w_shape)}, which does not fit "
                f"predictions of shape {format_shape(shape)}: give one number, one per "
                f"prediction{rows_hint}"
            )
    out = []
    for i, w in enumerate(entries):
        if isinstance(w, bool):
            raise TypeError(f"{loss}: {what} {_position(i, shape)} is the bool {w!r}")
        number = as_float(w, f"{loss} {what}")
        if not (math.isfinite(number) and number >= 0.0):
            raise ValueError(
                f"{loss}: {what} {_position(i, shape)} is {number!r}; weights must be finite "
                "numbers >= 0"
            )
        out.append(number)
    return out


@overload
def mse_loss(
    input: object,
    target: object,
    size_average: None = None,
    reduce: None = None,
    reduction: Literal["mean", "sum"] = "mean",
    weight: object = None,
) -> Value: ...
@overload
def mse_loss(
    input: object,
    target: object,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: Reduction = "mean",
    weight: object = None,
) -> Value | Terms: ...
def mse_loss(
    input: object,  # noqa: A002
    target: object,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: Reduction = "mean",
    weight: object = None,
) -> Value | Terms:
    """Mean squared error: mean_i (p_i - t_i)**2 (or the sum, or each term).

    With weights w_i each term is w_i (p_i - t_i)**2, and the mean is the weighted mean
    sum_i w_i (p_i - t_i)**2 / sum_i w_i, as in PyTorch.

    Args:
        input: the predictions p: a flat list of Values (or numbers), a batch of
            one-element rows, or rows of several entries (then every entry counts).
        target: numbers (or Values) t of the same shape.
        size_average, reduce: PyTorch's deprecated way to choose the reduction (see
            :func:`resolve_reduction`); leave them None.
        reduction: "mean", "sum" or "none" (the list of terms).
        weight: None, or a weight per prediction (a number for all, or, for rows, one
            per column), each finite and >= 0.

    Returns:
        The loss, one Value (a list of them for "none").

    Raises:
        ValueError: for mismatched shapes or ragged rows, an empty batch, a prediction or
            target that is NaN or infinite, a bad weight, or an unknown reduction.
        TypeError: for an entry that is neither a number nor a Value.

    Example:
        >>> import nn
        >>> nn.mse_loss([1.0, 2.0], [0.0, 4.0]).data      # (1 + 4) / 2
        2.5
        >>> [v.data for v in nn.mse_loss([1.0, 2.0], [0.0, 4.0], reduction="none")]
        [1.0, 4.0]
    """
    how = resolve_reduction(reduction, size_average, reduce, "mse_loss")
    p, t, shape = _flatten_pair(input, target, "mse_loss")
    terms = [(pi - ti) ** 2 for pi, ti in zip(p, t, strict=True)]
    if weight is None:
        return _reduce(terms, how, "mse_loss", shape)
    w = _weights(weight, shape, len(p), "mse_loss", "weight")
    terms = [term * wi for term, wi in zip(terms, w, strict=True)]
    return _reduce(terms, how, "mse_loss", shape, _weight_sum(w, "mse_loss"))


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


@overload
def binary_cross_entropy(
    input: object,
    target: object,
    weight: object = None,
    size_average: None = None,
    reduce: None = None,
    reduction: Literal["mean", "sum"] = "mean",
) -> Value: ...
@overload
def binary_cross_entropy(
    input: object,
    target: object,
    weight: object = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: Reduction = "mean",
) -> Value | Terms: ...
def binary_cross_entropy(
    input: object,  # noqa: A002
    target: object,
    weight: object = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: Reduction = "mean",
) -> Value | Terms:
    """Binary cross-entropy of probabilities: mean_i -w_i (y_i log p_i + (1 - y_i) log(1 - p_i)).

    Each log is clamped at -100, as in PyTorch, so a confident wrong prediction
    (p = 0 for y = 1) costs 100 rather than infinity. For raw scores (logits) use
    :func:`binary_cross_entropy_with_logits`, which is exact where this one clamps.
    The weights w_i are 1 unless given; the mean is over the predictions (it is not
    divided by the sum of the weights), as in PyTorch.

    Args:
        input: probabilities p in [0, 1] (e.g. a Sigmoid's outputs).
        target: y, usually 0 or 1 (any number in [0, 1] works; others are refused).
        weight: None, or a weight per prediction (a number for all, or, for rows, one
            per column), each finite and >= 0.
        size_average, reduce: PyTorch's deprecated pair; leave them None.
        reduction: "mean", "sum" or "none".

    Raises:
        ValueError: for a prediction or a target outside [0, 1] (NaN included),
            mismatched shapes or ragged rows, an empty batch, a bad weight.

    Example:
        >>> import nn
        >>> round(nn.binary_cross_entropy([0.9, 0.2], [1, 0]).data, 6)   # -(ln .9 + ln .8)/2
        0.164252
    """
    how = resolve_reduction(reduction, size_average, reduce, "binary_cross_entropy")
    p, t, shape = _flatten_pair(input, target, "binary_cross_entropy")
    _check_probabilities(t, shape, "binary_cross_entropy")
    terms = [apply(BCE, (pi, lift(ti))) for pi, ti in zip(p, t, strict=True)]
    if weight is not None:
        w = _weights(weight, shape, len(p), "binary_cross_entropy", "weight")
        terms = [term * wi for term, wi in zip(terms, w, strict=True)]
    return _reduce(terms, how, "binary_cross_entropy", shape)


@overload
def binary_cross_entropy_with_logits(
    input: object,
    target: object,
    weight: object = None,
    size_average: None = None,
    reduce: None = None,
    reduction: Literal["mean", "sum"] = "mean",
    pos_weight: object = None,
) -> Value: ...
@overload
def binary_cross_entropy_with_logits(
    input: object,
    target: object,
    weight: object = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: Reduction = "mean",
    pos_weight: object = None,
) -> Value | Terms: ...
def binary_cross_entropy_with_logits(
    input: object,  # noqa: A002
    target: object,
    weight: object = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: Reduction = "mean",
    pos_weight: object = None,
) -> Value | Terms:
    """Binary cross-entropy of sigmoid(x), computed from the logit x without overflow.

    -(y log s(x) + (1 - y) log(1 - s(x))) simplifies to softplus(x) - x y, where
    softplus(x) = log(1 + e**x) is computed stably; so x = +-1000 gives exact answers
    where sigmoid then log would give log(0). Its derivative is s(x) - y.

    With ``pos_weight`` = q the positive part weighs q times as much,
    -(q y log s(x) + (1 - y) log(1 - s(x))) = (1 - y) x + (1 + (q - 1) y) softplus(-x):
    q > 1 favours recall, the usual remedy when positives are rare (q = negatives /
    positives). ``weight`` multiplies each term, as in :func:`binary_cross_entropy`.

    Args:
        input: raw scores x (any real numbers), e.g. the last Linear's outputs.
        target: y, usually 0 or 1.
        weight: None, or a weight per prediction (a number for all, or, for rows, one
            per column), each finite and >= 0.
        size_average, reduce: PyTorch's deprecated pair; leave them None.
        reduction: "mean", "sum" or "none".
        pos_weight: None, or the weight of the positive part, per prediction as
            ``weight`` (usually one number, or one per column), finite and >= 0.

    Raises:
        ValueError: for a target outside [0, 1], a logit that is NaN or infinite,
            mismatched shapes or ragged rows, an empty batch, a bad weight.

    Example:
        >>> import nn
        >>> nn.binary_cross_entropy_with_logits([1000.0, -1000.0], [1, 0]).data
        0.0
    """
    name = "binary_cross_entropy_with_logits"
    how = resolve_reduction(reduction, size_average, reduce, name)
    x, t, shape = _flatten_pair(input, target, name)
    _check_probabilities(t, shape, name)
    if pos_weight is None:
        terms = [xi.softplus() - xi * ti for xi, ti in zip(x, t, strict=True)]
    else:
        q = _weights(pos_weight, shape, len(x), name, "pos_weight")
        terms = []
        for xi, ti, qi in zip(x, t, q, strict=True):
            yi = ti.data if isinstance(ti, Value) else ti
            if isinstance(ti, Value):  # a differentiable target: keep it in the graph
                terms.append((1.0 - ti) * xi + (1.0 + (qi - 1.0) * ti) * (-xi).softplus())
            else:
                terms.append((1.0 - yi) * xi + (1.0 + (qi - 1.0) * yi) * (-xi).softplus())
    if weight is not None:
        w = _weights(weight, shape, len(x), name, "weight")
        terms = [term * wi for term, wi in zip(terms, w, strict=True)]
    return _reduce(terms, how, name, shape)


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


def _is_ignored(c: object, ignore_index: int) -> bool:
    """Whether target ``c`` is the ``ignore_index`` (a bool never is)."""
    if isinstance(c, bool) or type(c).__name__ in ("bool", "bool_"):
        return False
    return isinstance(c, numbers.Real) and c == ignore_index


@overload
def cross_entropy(
    input: object,
    target: object,
    weight: object = None,
    size_average: None = None,
    ignore_index: int = -100,
    reduce: None = None,
    reduction: Literal["mean", "sum"] = "mean",
    label_smoothing: float = 0.0,
) -> Value: ...
@overload
def cross_entropy(
    input: object,
    target: object,
    weight: object = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: Reduction = "mean",
    label_smoothing: float = 0.0,
) -> Value | Terms: ...
def cross_entropy(
    input: object,  # noqa: A002
    target: object,
    weight: object = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: Reduction = "mean",
    label_smoothing: float = 0.0,
) -> Value | Terms:
    """Softmax cross-entropy: mean_i (logsumexp(z_i) - z_i[c_i]), i.e. -log softmax(z_i)[c_i].

    The log-sum-exp is one stable node (shifted by the row's maximum), so large logits
    never overflow. The options are PyTorch's; for row i with class c, C classes and
    nll_c = logsumexp(z_i) - z_i[c], the term is

        (1 - e) w_c nll_c + (e / C) sum_k w_k nll_k

    with class weights w (1 unless given) and label smoothing e (0 unless given: then
    the term is w_c nll_c). The mean divides the sum of the terms by the sum of w_c
    over the rows (the number of rows, unweighted); rows whose target is
    ``ignore_index`` count for nothing (their term is 0).

    Args:
        input: a batch of rows of C logits each (or one row).
        target: the correct class of each row, an int in [0, C) (or one int); any
            integer type works (numpy's too), and so does an integer-valued float.
        weight: None, or C weights, one per class, each finite and >= 0 (rare classes
            weighted up).
        size_average, reduce: PyTorch's deprecated pair; leave them None.
        ignore_index: a target value that marks a row to skip (-100 by default).
        reduction: "mean", "sum" or "none" (one term per row, a flat list).
        label_smoothing: e in [0, 1]: the target becomes (1 - e) on the class plus e / C
            on every class, which keeps the model from growing over-confident.

    Raises:
        ValueError: for a class index out of range, a bool or a fractional number; a
            number of rows different from the number of targets; rows of different
            lengths (ragged: naming the row), an empty row, or a logit that is NaN or
            infinite; a bad weight or label_smoothing; a mean over no row (every target
            ignored).

    Example:
        >>> import nn
        >>> round(nn.cross_entropy([[2.0, 0.0, 0.0]], [0]).data, 6)   # -log(e²/(e²+2))
        0.239545
    """
    how = resolve_reduction(reduction, size_average, reduce, "cross_entropy")
    ignore: object = ignore_index  # checked as any object: callers may pass anything
    if isinstance(ignore, bool) or not isinstance(ignore, numbers.Integral):
        raise TypeError(f"cross_entropy: ignore_index must be an int, got {ignore!r:.60}")
    smoothing_: object = label_smoothing
    if (
        isinstance(smoothing_, bool)
        or not isinstance(smoothing_, (int, float))
        or not 0.0 <= smoothing_ <= 1.0
    ):
        raise ValueError(
            f"cross_entropy: label_smoothing must be a number in [0, 1], got {smoothing_!r:.60}"
        )
    smoothing = float(smoothing_)
    rows = tolist(input)
    targets = tolist(target)
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
    w = None
    if weight is not None:
        weight = tolist(weight)
        if not _is_row(weight) or len(weight) != n_classes:
            got = f"{len(weight)} entries" if _is_row(weight) else f"a {type(weight).__name__}"
            raise ValueError(
                f"cross_entropy: weight is {got} but the rows have {n_classes} logits; give "
                "one weight per class"
            )
        w = _weights(weight, (n_classes,), n_classes, "cross_entropy", "weight")
    terms: list[Value] = []
    total_weight = 0.0
    counted = 0
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
        if _is_ignored(c, ignore_index):
            terms.append(Constant(0.0))
            continue
        k = _class_index(c, i, n_classes)
        lse = autograd.logsumexp(logits)
        term = lse - logits[k]
        if w is not None:
            term = term * w[k]
        total_weight += 1.0 if w is None else w[k]
        counted += 1
        if smoothing:
            # sum_k w_k (lse - z_k) = (sum_k w_k) lse - w . z, two nodes for the row
            spread = (
                n_classes * lse - autograd.sum(logits)
                if w is None
                else _weight_sum(w, "cross_entropy") * lse - autograd.dot(w, logits)
            )
            term = (1.0 - smoothing) * term + (smoothing / n_classes) * spread
        terms.append(term)
    if how == "mean" and counted == 0:
        raise ValueError(
            f"cross_entropy: every target is ignore_index ({ignore_index}), so there is no "
            "row to average over (PyTorch would return NaN)"
        )
    # Unweighted with no row ignored: the plain mean (the same numbers as before options).
    denominator = None if w is None and counted == len(terms) else total_weight
    return _reduce(terms, how, "cross_entropy", (len(terms),), denominator)


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


@overload
def hinge_loss(
    input: object,
    target: object,
    reduction: Literal["mean", "sum"] = "mean",
) -> Value: ...
@overload
def hinge_loss(
    input: object,
    target: object,
    reduction: Reduction = "mean",
) -> Value | Terms: ...
def hinge_loss(
    input: object,  # noqa: A002
    target: object,
    reduction: Reduction = "mean",
) -> Value | Terms:
    """micrograd's max-margin loss: mean_i relu(1 - y_i * s_i), with labels y_i in {-1, +1}.

    A correct prediction with margin (y s >= 1) costs nothing; anything else costs
    linearly. This is the loss of micrograd's demo (and of a linear SVM without its
    regulariser); PyTorch has no function of exactly this form (its
    ``hinge_embedding_loss`` is a different loss).

    Args:
        input: raw scores s (positive means class +1).
        target: labels, each -1 or +1 (turn 0/1 labels into them with ``2 * y - 1``).
        reduction: "mean", "sum" or "none".

    Raises:
        ValueError: for a label other than -1 or +1, a score that is NaN or infinite,
            mismatched shapes or ragged rows, an empty batch.

    Example:
        >>> import nn
        >>> nn.hinge_loss([2.0, 0.5, -1.0], [1, 1, 1]).data     # (0 + 0.5 + 2) / 3
        0.8333333333333334
    """
    how = resolve_reduction(reduction, None, None, "hinge_loss")
    s, t, shape = _flatten_pair(input, target, "hinge_loss")
    for i, y in enumerate(t):
        label = y.data if isinstance(y, Value) else y
        if label not in (-1.0, 1.0):
            raise ValueError(
                f"hinge_loss: target {i} is {label!r}, expected -1 or +1 "
                "(for 0/1 labels use 2 * y - 1)"
            )
    terms = [(1.0 - si * yi).relu() for si, yi in zip(s, t, strict=True)]
    return _reduce(terms, how, "hinge_loss", shape)
