"""What counts as a number: the data a :class:`~autograd.Value` accepts, as a float.

Python has many kinds of real numbers (int, bool, :class:`fractions.Fraction`, numpy
scalars...). A Value stores every one of them as a float; :func:`as_float` does the
conversion, and refuses loudly what is not a real number, or what no float can hold.
"""

from __future__ import annotations

import math
import numbers
from typing import SupportsFloat

Number = int | float | SupportsFloat
"""Anything :class:`Value` accepts as data: int, float, bool, Fraction, numpy scalar."""


def as_float(x: object, what: str = "Value data") -> float:
    """Convert a real number to float, or raise TypeError naming what was given.

    Accepts int, float, bool, :class:`fractions.Fraction`, numpy scalars and 0-d
    arrays; rejects str, complex, None, containers and Values.

    Raises:
        TypeError: for anything that is not a real number.
        OverflowError: for a finite number too large for a float (a huge int, a numpy
            ``longdouble`` of 1e4000).

    Example:
        >>> from fractions import Fraction
        >>> as_float(Fraction(1, 4)), as_float(True)
        (0.25, 1.0)
    """
    if type(x) is float:
        return x
    if isinstance(x, numbers.Real):
        try:
            result = float(x)
        except OverflowError:
            result = math.inf
        if math.isinf(result) and x != result:  # finite, but beyond a float's range
            raise OverflowError(f"{what}: the number {str(x)[:40]} is too large for a float")
        return result
    if type(x).__module__ == "numpy" and getattr(x, "size", None) == 1:
        item = x.item()  # type: ignore[attr-defined]
        if not isinstance(item, complex):  # numpy bool_ and 0-d arrays land here
            return as_float(item, what)
    if hasattr(x, "backward") and hasattr(x, "data"):
        raise TypeError(f"{what} must be a number, got a Value ({x!r:.60}); use it directly")
    raise TypeError(
        f"{what} must be a real number (int, float, bool, Fraction or numpy scalar), "
        f"got {type(x).__name__}: {x!r:.60}"
    )
