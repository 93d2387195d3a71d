"""Every op in ``autograd.ops.REGISTRY``, checked three ways.

1. Forward value against an independent reference written with the ``math`` module.
2. Backpropagated gradient against central finite differences.
3. Backpropagated gradient against a derivative derived by hand.

The tables below must cover the registry: an op added there without a reference here
fails ``test_every_op_has_references``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import GradcheckError, Value, gradcheck, ops
from autograd.testing import arguments
from autograd.value import apply

FORWARD_RTOL = 1e-12
"""Forward values: only the rounding of a different but exact formula may differ."""
ANALYTIC_RTOL = 1e-10
"""Backprop against a hand-derived derivative: two exact formulas, rounding only."""
NUMERIC_EPS, NUMERIC_ATOL, NUMERIC_RTOL = 1e-6, 1e-6, 1e-5
"""Backprop against central differences: O(eps^2) truncation plus O(1e-16 / eps) rounding,
for values bounded by 1e3; tighter than gradcheck's defaults (1e-5, 1e-3)."""


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
}

NAMES = sorted(ops.REGISTRY)


def record(op: ops.Op, xs: tuple[float, ...]) -> tuple[Value, list[Value]]:
    leaves = [Value(x) for x in xs]
    return apply(op, leaves), leaves


def check_forward(key: str, op: ops.Op, xs: tuple[float, ...]) -> None:
    out, _ = record(op, xs)
    expected = REFERENCE[key](*xs)
    assert math.isclose(out.data, expected, rel_tol=FORWARD_RTOL, abs_tol=FORWARD_RTOL), (
        f"{key}{xs}: got {out.data!r}, math gives {expected!r}"
    )


def check_against_finite_differences(op: ops.Op, xs: tuple[float, ...]) -> None:
    gradcheck(lambda *vs: apply(op, vs), xs, eps=NUMERIC_EPS, atol=NUMERIC_ATOL, rtol=NUMERIC_RTOL)


def check_against_hand_derived(key: str, op: ops.Op, xs: tuple[float, ...]) -> None:
    out, leaves = record(op, xs)
    out.backward()
    expected = HAND_DERIVED[key](*xs)
    for i, (leaf, want) in enumerate(zip(leaves, expected, strict=True)):
        assert math.isclose(leaf.grad, want, rel_tol=ANALYTIC_RTOL, abs_tol=ANALYTIC_RTOL), (
            f"{key}{xs}: d/dx{i} by backprop {leaf.grad!r}, by hand {want!r}"
        )


def test_every_op_has_references() -> None:
    assert set(REFERENCE) == set(ops.REGISTRY)
    assert set(HAND_DERIVED) == set(ops.REGISTRY)


@pytest.mark.parametrize("key", NAMES)
@given(data=st.data())
def test_forward_matches_math_module(key: str, data: st.DataObject) -> None:
    op = ops.REGISTRY[key]
    check_forward(key, op, data.draw(arguments(op), label="arguments"))


@pytest.mark.parametrize("key", NAMES)
@given(data=st.data())
def test_gradient_matches_finite_differences(key: str, data: st.DataObject) -> None:
    op = ops.REGISTRY[key]
    check_against_finite_differences(op, data.draw(arguments(op), label="arguments"))


@pytest.mark.parametrize("key", NAMES)
@given(data=st.data())
def test_gradient_matches_hand_derived_formula(key: str, data: st.DataObject) -> None:
    op = ops.REGISTRY[key]
    check_against_hand_derived(key, op, data.draw(arguments(op), label="arguments"))


@pytest.mark.parametrize("key", NAMES)
def test_op_reports_its_name_and_arity(key: str) -> None:
    op = ops.REGISTRY[key]
    xs = (1.5,) * (op.arity or (3 if key == "dot_bias" else 2))
    out, leaves = record(op, xs)
    assert out.op == op.name
    assert out.children == tuple(leaves)


# -- the checks themselves must be able to fail ---------------------------------------------


class WrongTanh(ops.Tanh):
    """tanh with a plausible but wrong derivative (1 - out instead of 1 - out**2)."""

    def derivatives(self, out: ops.Scalar, *xs: ops.Scalar) -> tuple[ops.Scalar, ...]:
        return (1.0 - out,)


class WrongExp(ops.Exp):
    """exp whose forward is off by one part in a million."""

    def forward(self, *xs: float) -> float:
        return math.exp(xs[0]) * (1 + 1e-6)


def test_finite_difference_check_catches_a_wrong_derivative() -> None:
    with pytest.raises(GradcheckError, match="input 0"):
        check_against_finite_differences(WrongTanh(), (0.7,))


def test_hand_derived_check_catches_a_wrong_derivative() -> None:
    with pytest.raises(AssertionError, match="by hand"):
        check_against_hand_derived("tanh", WrongTanh(), (0.7,))


def test_forward_check_catches_a_slightly_wrong_value() -> None:
    with pytest.raises(AssertionError, match="math gives"):
        check_forward("exp", WrongExp(), (0.7,))


# -- kinks follow PyTorch's conventions --------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "expected"),
    [("relu", 0.0), ("abs", 0.0), ("leaky_relu", 0.01), ("sigmoid", 0.25), ("tanh", 1.0)],
)
def test_derivative_at_zero(method: str, expected: float) -> None:
    x = Value(0.0)
    getattr(x, method)().backward()
    assert x.grad == expected


def test_power_exponents_zero_and_one_need_no_power_of_the_base() -> None:
    x = Value(0.0)
    (x**0).backward()
    (x**1).backward()
    assert x.grad == 1.0


def test_power_caches_one_op_per_exponent() -> None:
    assert ops.Power.of(2) is ops.Power.of(2.0)
    assert (Value(3.0) ** 2).op_info is ops.Power.of(2.0)


# -- NaN and inf inputs --------------------------------------------------------------------


def _arguments_with(key: str, position: int, bad: float) -> tuple[float, ...]:
    op = ops.REGISTRY[key]
    n = op.arity or (3 if key == "dot_bias" else 2)
    xs = [1.5] * n
    xs[position] = bad
    return tuple(xs)


@pytest.mark.parametrize("key", NAMES)
def test_nan_in_gives_nan_out(key: str) -> None:
    op = ops.REGISTRY[key]
    for position in range(op.arity or 2):
        out, _ = record(op, _arguments_with(key, position, math.nan))
        assert math.isnan(out.data), (key, position, out.data)


@pytest.mark.parametrize("key", NAMES)
@pytest.mark.parametrize("bad", [math.inf, -math.inf])
def test_infinite_input_gives_a_value_or_an_error_naming_the_op(key: str, bad: float) -> None:
    op = ops.REGISTRY[key]
    for position in range(op.arity or 2):
        xs = _arguments_with(key, position, bad)
        try:
            record(op, xs)
        except (ValueError, ZeroDivisionError) as error:  # a domain error, e.g. log(-inf)
            message = str(error)
            assert "inf" in message, message
            assert "math domain error" not in message
