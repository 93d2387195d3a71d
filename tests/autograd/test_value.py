"""The Value node: construction, attributes, operators, comparisons, n-ary helpers."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

import autograd
from autograd import Constant, Value


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (3, 3.0),
        (2.5, 2.5),
        (True, 1.0),
        (Fraction(1, 4), 0.25),
        (np.float32(0.5), 0.5),
        (np.float64(-1.25), -1.25),
        (np.int64(7), 7.0),
        (np.bool_(True), 1.0),
        (np.array(4.0), 4.0),
    ],
)
def test_accepted_data_is_stored_as_float(data: object, expected: float) -> None:
    v = Value(data)  # type: ignore[arg-type]
    assert type(v.data) is float
    assert v.data == expected


@pytest.mark.parametrize(
    ("data", "type_name"),
    [
        ("1.0", "str"),
        ([1.0], "list"),
        (None, "NoneType"),
        (1 + 2j, "complex"),
        (Decimal("1.5"), "Decimal"),
        (np.array([1.0, 2.0]), "ndarray"),
        (np.complex128(1), "complex128"),
    ],
)
def test_rejected_data_raises_type_error_naming_the_type(data: object, type_name: str) -> None:
    with pytest.raises(TypeError, match=type_name):
        Value(data)  # type: ignore[arg-type]


def test_a_value_is_not_data_for_another_value() -> None:
    with pytest.raises(TypeError, match="got a Value"):
        Value(Value(1.0))  # type: ignore[arg-type]


def test_huge_int_raises_overflow_error() -> None:
    with pytest.raises(OverflowError, match="too large"):
        Value(10**400)


def test_nan_and_inf_data_are_allowed_and_propagate() -> None:
    assert math.isnan(Value(math.nan).data)
    y = Value(math.inf) + 1
    assert y.data == math.inf
    assert math.isnan((Value(math.nan) * 2).data)


def test_leaf_attributes() -> None:
    v = Value(1.5, label="x")
    assert (v.data, v.grad, v.label, v.op, v.children) == (1.5, 0.0, "x", "", ())
    assert v.is_leaf
    v.label = "renamed"
    assert v.label == "renamed"
    with pytest.raises(TypeError, match="label"):
        Value(1.0, label=3)  # type: ignore[arg-type]


def test_label_default_and_op_names() -> None:
    a, b = Value(2.0), Value(3.0)
    cases = {
        "+": a + b,
        "-": a - b,
        "*": a * b,
        "/": a / b,
        "**": a**b,
        "neg": -a,
        "abs": abs(a),
        "exp": a.exp(),
        "log": a.log(),
        "sqrt": a.sqrt(),
        "tanh": a.tanh(),
        "sigmoid": a.sigmoid(),
        "relu": a.relu(),
        "leaky_relu": a.leaky_relu(),
        "softplus": a.softplus(),
        "sin": a.sin(),
        "cos": a.cos(),
    }
    for name, v in cases.items():
        assert v.op == name
        assert v.label == ""
        assert not v.is_leaf
    assert (a**2).op == "**"
    assert (a**2).children == (a,)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (lambda v: v + 2, 5.0),
        (lambda v: 2 + v, 5.0),
        (lambda v: v - 2, 1.0),
        (lambda v: 2 - v, -1.0),
        (lambda v: v * 2, 6.0),
        (lambda v: 2 * v, 6.0),
        (lambda v: v / 2, 1.5),
        (lambda v: 6 / v, 2.0),
        (lambda v: v**2, 9.0),
        (lambda v: 2**v, 8.0),
        (lambda v: v ** Value(2.0), 9.0),
        (lambda v: -v, -3.0),
        (lambda v: +v, 3.0),
        (lambda v: abs(-v), 3.0),
        (lambda v: v.abs(), 3.0),
    ],
)
def test_operators_with_numbers_on_either_side(expression, expected: float) -> None:  # type: ignore[no-untyped-def]
    out = expression(Value(3.0))
    assert isinstance(out, Value)
    assert out.data == expected


def test_numbers_become_constant_children_in_argument_order() -> None:
    x = Value(3.0)
    y = 2 - x
    left, right = y.children
    assert isinstance(left, Constant) and left.data == 2.0
    assert right is x


def test_unsupported_operand_raises_type_error() -> None:
    with pytest.raises(TypeError, match="str"):
        Value(1.0) + "2"  # type: ignore[operator]
    with pytest.raises(TypeError, match="NoneType"):
        None * Value(1.0)  # type: ignore[operator]


def test_comparisons_use_data_and_identity_stays_identity() -> None:
    a, b = Value(1.0), Value(2.0)
    assert a < b and b > a and a <= 1 and b >= 2.0
    assert a != Value(1.0)
    assert len({a, Value(1.0)}) == 2
    assert max([a, b]) is b


def test_conversions_and_repr() -> None:
    v = Value(2.5, label="x")
    assert float(v) == 2.5 and v.item() == 2.5
    assert repr(v) == "Value(2.5, grad=0.0, label='x')"
    assert repr(v * 2) == "Value(5.0, grad=0.0, op='*')"


def test_sum_dot_and_logsumexp_are_single_nodes() -> None:
    xs = [Value(float(i)) for i in range(1, 5)]
    s = autograd.sum(xs)
    assert (s.data, s.op, s.children) == (10.0, "sum", tuple(xs))
    d = autograd.dot(xs[:2], xs[2:], bias=1.0)
    assert d.data == 1 * 3 + 2 * 4 + 1.0
    assert len(d.children) == 5
    lse = autograd.logsumexp([1000.0, 1000.0])
    assert lse.data == pytest.approx(1000 + math.log(2), rel=1e-15)
    assert autograd.sum([]).data == 0.0


def test_n_ary_argument_errors() -> None:
    with pytest.raises(ValueError, match="equal length, got 2 and 3"):
        autograd.dot([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="empty"):
        autograd.logsumexp([])
    with pytest.raises(TypeError, match="str"):
        autograd.sum([Value(1.0), "x"])  # type: ignore[list-item]
