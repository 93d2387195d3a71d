"""Every registered op's independent reference and hand-derived derivative, for the tests.

``REFERENCE[key]`` computes the op's value with the ``math`` module, another way than
the op does; ``HAND_DERIVED[key]`` gives its local derivatives, worked out by hand. An
op in ``autograd.ops.REGISTRY`` (nn's included) without both fails
``test_ops.py::test_every_op_has_references``, which names it.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from autograd import ops


def _half(xs: tuple[float, ...]) -> int:
    return len(xs) // 2


REFERENCE: dict[str, Callable[..., float]] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": math.pow,
    "neg": lambda x: -x,
    "copy": lambda x: x,
    "square": lambda x: math.pow(x, 2),
    "cube": lambda x: math.pow(x, 3),
    "reciprocal": lambda x: 1.0 / x,
    "pow_half": math.sqrt,
    "pow_neg_1.5": lambda x: math.pow(x, -1.5),
    "exp": math.exp,
    "log": math.log,
    "sqrt": math.sqrt,
    "tanh": lambda x: math.sinh(x) / math.cosh(x),
    "sigmoid": lambda x: 1.0 / (1.0 + math.exp(-x)),
    "softplus": lambda x: math.log(1.0 + math.exp(x)),
    "relu": lambda x: max(x, 0.0),
    "leaky_relu": lambda x: x if x > 0 else 0.01 * x,
    "abs": math.fabs,
    "sin": math.sin,
    "cos": math.cos,
    "sum": lambda *xs: math.fsum(xs),
    "dot": lambda *xs: math.fsum(
        a * b for a, b in zip(xs[: _half(xs)], xs[_half(xs) :], strict=True)
    ),
    "dot_bias": lambda *xs: math.fsum(
        [a * b for a, b in zip(xs[: _half(xs)], xs[_half(xs) : -1], strict=True)] + [xs[-1]]
    ),
    "logsumexp": lambda *xs: math.log(math.fsum(math.exp(x) for x in xs)),
    "bce": lambda p, y: -(y * math.log(p) + (1 - y) * math.log(1 - p)),
}

HAND_DERIVED: dict[str, Callable[..., tuple[float, ...]]] = {
    "add": lambda a, b: (1.0, 1.0),
    "sub": lambda a, b: (1.0, -1.0),
    "mul": lambda a, b: (b, a),
    "div": lambda a, b: (1.0 / b, -a / b**2),
    "pow": lambda a, b: (b * a ** (b - 1), a**b * math.log(a)),
    "neg": lambda x: (-1.0,),
    "copy": lambda x: (1.0,),
    "square": lambda x: (2 * x,),
    "cube": lambda x: (3 * x**2,),
    "reciprocal": lambda x: (-1.0 / x**2,),
    "pow_half": lambda x: (0.5 / math.sqrt(x),),
    "pow_neg_1.5": lambda x: (-1.5 * x**-2.5,),
    "exp": lambda x: (math.exp(x),),
    "log": lambda x: (1.0 / x,),
    "sqrt": lambda x: (1.0 / (2.0 * math.sqrt(x)),),
    "tanh": lambda x: (1.0 / math.cosh(x) ** 2,),
    "sigmoid": lambda x: (math.exp(-x) / (1.0 + math.exp(-x)) ** 2,),
    "softplus": lambda x: (1.0 / (1.0 + math.exp(-x)),),
    "relu": lambda x: (1.0 if x > 0 else 0.0,),
    "leaky_relu": lambda x: (1.0 if x > 0 else 0.01,),
    "abs": lambda x: (math.copysign(1.0, x),),
    "sin": lambda x: (math.cos(x),),
    "cos": lambda x: (-math.sin(x),),
    "sum": lambda *xs: (1.0,) * len(xs),
    "dot": lambda *xs: xs[_half(xs) :] + xs[: _half(xs)],
    "dot_bias": lambda *xs: xs[_half(xs) : -1] + xs[: _half(xs)] + (1.0,),
    "logsumexp": lambda *xs: tuple(math.exp(x) / math.fsum(math.exp(y) for y in xs) for x in xs),
    "bce": lambda p, y: ((p - y) / (p * (1 - p)), math.log(1 - p) - math.log(p)),
}


def missing_references() -> list[str]:
    """The registered ops that lack a REFERENCE or a HAND_DERIVED entry, by key."""
    return sorted(set(ops.REGISTRY) - (set(REFERENCE) & set(HAND_DERIVED)))
