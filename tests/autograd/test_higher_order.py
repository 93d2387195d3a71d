"""Higher-order derivatives through grad(..., create_graph=True)."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, grad, gradcheck, no_grad, ops
from autograd.testing import arguments, scalars
from autograd.value import apply

RTOL = 1e-10
"""Against hand-derived formulas: exact math on both sides, rounding only."""


def nth_derivative(f: Callable[[Value], Value], x: float, n: int) -> float:
    v = Value(x)
    out = f(v)
    for _ in range(n):
        (out,) = grad(out, [v], create_graph=True)
    return out.data


def sech2(x: float) -> float:
    return 1.0 / math.cosh(x) ** 2


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


# (name, f, [f', f'', f''']) derived by hand
CASES: list[tuple[str, Callable[[Value], Value], list[Callable[[float], float]]]] = [
    (
        "x**3",
        lambda x: x**3,
        [lambda x: 3 * x**2, lambda x: 6 * x, lambda x: 6.0],
    ),
    (
        "tanh",
        lambda x: x.tanh(),
        [
            sech2,
            lambda x: -2 * math.tanh(x) * sech2(x),
            lambda x: -2 * sech2(x) ** 2 + 4 * math.tanh(x) ** 2 * sech2(x),
        ],
    ),
    (
        "sigmoid",
        lambda x: x.sigmoid(),
        [
            lambda x: sigmoid(x) * (1 - sigmoid(x)),
            lambda x: sigmoid(x) * (1 - sigmoid(x)) * (1 - 2 * sigmoid(x)),
            lambda x: sigmoid(x) * (1 - sigmoid(x)) * (1 - 6 * sigmoid(x) + 6 * sigmoid(x) ** 2),
        ],
    ),
    (
        "exp(x)*sin(x)",
        lambda x: x.exp() * x.sin(),
        [
            lambda x: math.exp(x) * (math.sin(x) + math.cos(x)),
            lambda x: 2 * math.exp(x) * math.cos(x),
            lambda x: 2 * math.exp(x) * (math.cos(x) - math.sin(x)),
        ],
    ),
    (
        "log",
        lambda x: (x * x + 1).log(),
        [
            lambda x: 2 * x / (x * x + 1),
            lambda x: (2 - 2 * x * x) / (x * x + 1) ** 2,
            lambda x: (4 * x**3 - 12 * x) / (x * x + 1) ** 3,
        ],
    ),
    (
        "softplus",
        lambda x: x.softplus(),
        [
            sigmoid,
            lambda x: sigmoid(x) * (1 - sigmoid(x)),
            lambda x: sigmoid(x) * (1 - sigmoid(x)) * (1 - 2 * sigmoid(x)),
        ],
    ),
    (
        "sqrt",
        lambda x: (x * x + 1).sqrt(),
        [
            lambda x: x / math.sqrt(x * x + 1),
            lambda x: (x * x + 1) ** -1.5,
            lambda x: -3 * x * (x * x + 1) ** -2.5,
        ],
    ),
    (
        "2**x",
        lambda x: 2**x,
        [
            lambda x: 2**x * math.log(2),
            lambda x: 2**x * math.log(2) ** 2,
            lambda x: 2**x * math.log(2) ** 3,
        ],
    ),
    (
        "x/(1+x*x)",
        lambda x: x / (1 + x * x),
        [
            lambda x: (1 - x * x) / (1 + x * x) ** 2,
            lambda x: (2 * x**3 - 6 * x) / (1 + x * x) ** 3,
            lambda x: (-6 * x**4 + 36 * x**2 - 6) / (1 + x * x) ** 4,
        ],
    ),
]


@pytest.mark.parametrize(("name", "f", "derivatives"), CASES, ids=[c[0] for c in CASES])
@given(x=scalars(-3, 3))
def test_first_second_and_third_derivatives(
    name: str, f: Callable[[Value], Value], derivatives: list[Callable[[float], float]], x: float
) -> None:
    for order, expected in enumerate(derivatives, start=1):
        got = nth_derivative(f, x, order)
        assert got == pytest.approx(expected(x), rel=RTOL, abs=RTOL), f"order {order} at {x}"


def test_mixed_partial_derivative() -> None:
    # f = x**y: d2f/dxdy = x**(y-1) * (1 + y log x)
    x, y = Value(1.7), Value(2.3)
    f = x**y
    dfdx, _ = grad(f, [x, y], create_graph=True)
    _, d2f = grad(dfdx, [x, y])
    assert d2f.data == pytest.approx(1.7**1.3 * (1 + 2.3 * math.log(1.7)), rel=RTOL)


@pytest.mark.parametrize("key", sorted(ops.REGISTRY))
@given(data=st.data())
def test_every_op_has_a_differentiable_derivative(key: str, data: st.DataObject) -> None:
    """The gradient graph of each op passes gradcheck itself: its slope is the 2nd derivative."""
    op = ops.REGISTRY[key]
    xs = data.draw(arguments(op, -3, 3), label="arguments")
    for i in range(len(xs)):

        def ith_gradient(*vs: Value, i: int = i) -> Value:
            return grad(apply(op, vs), list(vs), create_graph=True)[i]

        assert gradcheck(ith_gradient, xs, atol=1e-5, rtol=1e-4)


def test_gradient_graph_reuses_the_forward_graph() -> None:
    x = Value(0.5)
    y = x.tanh()
    (dy,) = grad(y, [x], create_graph=True)
    # d tanh = 1 - y*y: the gradient's graph is built on y itself, not on a copy.
    nodes = [dy]
    seen = []
    while nodes:
        node = nodes.pop()
        seen.append(node)
        nodes.extend(node.children)
    assert any(node is y for node in seen)
    assert dy.op == "-"


def test_create_graph_records_even_under_no_grad() -> None:
    x = Value(0.7)
    y = x.tanh() * x
    with no_grad():  # e.g. inside an evaluation loop: asked for a graph, it gets one
        (dy,) = grad(y, [x], create_graph=True)
    (d2y,) = grad(dy, [x])
    t = math.tanh(0.7)
    expected = 2 * (1 - t * t) - 2 * 0.7 * t * (1 - t * t)  # d2/dx2 of x tanh(x)
    assert d2y.data == pytest.approx(expected, rel=RTOL)


def test_create_graph_hands_back_copies_not_the_callers_values() -> None:
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    da, db = grad(a * b, [a, b], create_graph=True)
    assert da is not b and db is not a
    assert (da.op, da.children, da.data) == ("copy", (b,), 3.0)
    da.label = "dy/da"
    assert b.label == "b"
    x = Value(1.0)
    y = x.exp()
    (dx,) = grad(y, [x], create_graph=True)
    assert dx is not y and dx.children == (y,)
