"""Every op in ``autograd.ops.REGISTRY``, checked three ways.

1. Forward value against an independent reference written with the ``math`` module.
2. Backpropagated gradient against central finite differences.
3. Backpropagated gradient against a derivative derived by hand.

The tables below must cover the registry: an op added there without a reference here
fails ``test_every_op_has_references``. The registry includes the ops other packages
of gradstep register (``nn`` registers ``bce``), so nn is imported here.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from op_tables import HAND_DERIVED, REFERENCE, missing_references

import nn  # noqa: F401 - registers its ops (bce)
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
    missing = missing_references()
    assert not missing, f"ops without a REFERENCE and HAND_DERIVED in op_tables.py: {missing}"
    assert set(REFERENCE) <= set(ops.REGISTRY), sorted(set(REFERENCE) - set(ops.REGISTRY))


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
    xs = (0.5,) * (op.arity or (3 if key == "dot_bias" else 2))
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
    xs = [0.5] * n  # inside every op's domain
    xs[position] = bad
    return tuple(xs)


@pytest.mark.parametrize("key", NAMES)
def test_nan_in_gives_nan_out(key: str) -> None:
    op = ops.REGISTRY[key]
    for position in range(op.arity or 2):
        xs = _arguments_with(key, position, math.nan)
        if key == "bce" and position == 0:  # refuses a prediction that is not a probability
            with pytest.raises(ValueError, match="prediction nan is not a probability"):
                record(op, xs)
            continue
        out, _ = record(op, xs)
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
