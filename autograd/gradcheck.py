"""Checking reverse-mode gradients against finite differences.

The derivative of f at x can be estimated without any calculus:

    f'(x) ~ (f(x + eps) - f(x - eps)) / (2 eps)        (central difference)

with an error of order eps**2. :func:`gradcheck` compares that estimate with what
backpropagation computes, input by input, and raises :class:`GradcheckError` listing
every input whose two values disagree by more than ``atol + rtol * |numerical|`` (the
defaults are PyTorch's). It is how this library tests itself, and how you can test your own ops.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from autograd.gradients import grad
from autograd.numbers import Number, as_float
from autograd.value import Value, lift

Function = Callable[..., "Value | Number"]


class GradcheckError(RuntimeError):
    """Raised by :func:`gradcheck` when a gradient disagrees with finite differences."""


def _inputs_as_floats(inputs: Sequence[Value | Number]) -> list[float]:
    return [
        x.data if isinstance(x, Value) else as_float(x, f"input {i}") for i, x in enumerate(inputs)
    ]


def _evaluate(f: Function, xs: Sequence[float]) -> float:
    # Not under no_grad: f may itself differentiate (a gradient's gradient is checked
    # by differentiating inside f), which needs the graph recorded.
    out = f(*[Value(x) for x in xs])
    if isinstance(out, Value):
        return out.data
    return as_float(out, "the function's result")


def numerical_grad(f: Function, inputs: Sequence[Value | Number], eps: float = 1e-6) -> list[float]:
    """Central-difference estimates of df/dx_i at ``inputs``, one per input.

    Args:
        f: a function of Values (one per input) that returns one Value.
        inputs: the point, as numbers (or Values, whose data is used).
        eps: the step; the estimate's error shrinks like eps**2 until rounding
            (about 1e-16 * |f| / eps) takes over.
    """
    point = _inputs_as_floats(inputs)
    slopes = []
    for i, x in enumerate(point):
        up = [*point[:i], x + eps, *point[i + 1 :]]
        down = [*point[:i], x - eps, *point[i + 1 :]]
        slopes.append((_evaluate(f, up) - _evaluate(f, down)) / (2.0 * eps))
    return slopes


def gradcheck(
    f: Function,
    inputs: Sequence[Value | Number],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """Check the backpropagated gradient of ``f`` against central differences.

    Args:
        f: a function of Values, one per input, returning one Value.
        inputs: the point to check at (numbers, or Values whose data is used).
        eps: the finite-difference step.
        atol, rtol: input i passes when
            ``|analytic_i - numerical_i| <= atol + rtol * |numerical_i|``.

    Returns:
        True when every input passes.

    Raises:
        GradcheckError: naming each input that fails, with both values.
        ValueError: for a non-positive eps or a negative tolerance.

    Example:
        >>> from autograd import gradcheck
        >>> gradcheck(lambda x, y: (x * y).tanh() + x.exp(), [0.3, -1.2])
        True
    """
    if not eps > 0.0:
        raise ValueError(f"eps must be positive, got {eps!r}")
    if not (atol >= 0.0 and rtol >= 0.0):
        raise ValueError(f"atol and rtol must be >= 0, got atol={atol!r}, rtol={rtol!r}")
    point = _inputs_as_floats(inputs)
    xs = [Value(x, label=f"x{i}") for i, x in enumerate(point)]
    out = f(*xs)
    if not isinstance(out, Value):
        out = lift(as_float(out, "the function's result"))
    analytic = [g.data for g in grad(out, xs)]
    numerical = numerical_grad(f, point, eps)
    failures = [
        f"  input {i} (= {point[i]!r}): backprop {a!r}, finite differences {n!r}, "
        f"|difference| {abs(a - n):.3g} > {atol + rtol * abs(n):.3g}"
        for i, (a, n) in enumerate(zip(analytic, numerical, strict=True))
        if not abs(a - n) <= atol + rtol * abs(n)
    ]
    if failures:
        raise GradcheckError(
            f"gradient mismatch for {len(failures)} of {len(point)} inputs "
            f"(eps={eps}, atol={atol}, rtol={rtol}):\n" + "\n".join(failures)
        )
    return True
