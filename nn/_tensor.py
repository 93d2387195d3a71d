"""Small helpers for the nested lists that stand in for tensors in ``nn``.

A "vector" is a list of numbers or Values, a "matrix" (a batch) is a list of rows.
Modules accept either a batch or a single row and answer in kind, as PyTorch does for
1-D input; :func:`as_batch` tells the two apart and :func:`shape_of` describes a
nested list for error messages and for ``load_state_dict``.
"""

from __future__ import annotations

from collections.abc import Sequence

from autograd import Value

Scalar = Value | float | int
"""One entry of an input row: a number or a Value."""

Row = Sequence[Scalar]
"""One example: a sequence of numbers or Values."""


def _is_scalar(x: object) -> bool:
    return isinstance(x, (Value, int, float)) or (
        type(x).__module__ == "numpy" and getattr(x, "ndim", None) == 0
    )


def tolist(x: object) -> object:
    """``x.tolist()`` for numpy arrays and torch tensors; anything else unchanged."""
    convert = getattr(x, "tolist", None)
    return convert() if callable(convert) and not isinstance(x, (list, tuple)) else x


def as_batch(x: object, what: str = "input") -> tuple[list[Row], bool]:
    """Read ``x`` as a batch of rows.

    Returns:
        ``(rows, single)``: the rows, and whether ``x`` was one row (a sequence of
        numbers or Values) rather than a batch (a sequence of rows). An empty
        sequence is an empty batch.

    Raises:
        ValueError: if ``x`` is neither a row nor a batch of rows.
    """
    x = tolist(x)
    if not isinstance(x, Sequence) or isinstance(x, str):
        raise ValueError(
            f"{what} must be a row (a list of numbers or Values) or a batch (a list of rows), "
            f"got {type(x).__name__}"
        )
    if len(x) == 0:
        return [], False
    if _is_scalar(x[0]):
        return [x], True
    rows = [tolist(r) for r in x]
    for i, r in enumerate(rows):
        if not isinstance(r, Sequence) or isinstance(r, str):
            raise ValueError(
                f"{what} must be a batch of rows, but item {i} is a {type(r).__name__}, not a row"
            )
    return rows, False  # type: ignore[return-value]


def check_width(rows: Sequence[Row], width: int, what: str) -> None:
    """Raise ValueError naming the first row whose length is not ``width``."""
    for i, row in enumerate(rows):
        if len(row) != width:
            raise ValueError(
                f"{what} expects rows of {width} features, got a row of {len(row)} (row {i})"
            )


MAX_NESTING = 32
"""How many levels of nested lists :func:`shape_of` follows: a tensor here has one or
two, and a list that contains itself (``r = []; r.append(r)``) has no end."""


def shape_of(x: object) -> tuple[int, ...]:
    """The shape of a nested list: ``()`` for a number, ``(n,)`` for a list, ``(n, m)``...

    Ragged lists are described by their first element (callers check them fully).
    Nesting is followed :data:`MAX_NESTING` levels deep at most (see
    :func:`nested_too_deeply`), so a list that contains itself gets a finite answer.

    Example:
        >>> shape_of([[1, 2, 3], [4, 5, 6]])
        (2, 3)
    """
    shape: list[int] = []
    while isinstance(x, (list, tuple)) and len(shape) <= MAX_NESTING:
        shape.append(len(x))
        if not x:
            break
        x = x[0]
    return tuple(shape)


def nested_too_deeply(x: object) -> bool:
    """Whether ``x`` is lists in lists more than :data:`MAX_NESTING` levels deep.

    Only the first element of each level is followed, as :func:`shape_of` does; a list
    that contains itself as its first element is nested too deeply.
    """
    return len(shape_of(x)) > MAX_NESTING


def format_shape(shape: tuple[int, ...]) -> str:
    """``(2, 3)`` as ``"[2, 3]"``, the way error messages print shapes."""
    if len(shape) > MAX_NESTING:
        return f"[{shape[0]}, {shape[1]}, ... more than {MAX_NESTING} levels deep]"
    return "[" + ", ".join(map(str, shape)) + "]"
