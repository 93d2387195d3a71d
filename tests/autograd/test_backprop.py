"""backward(), grad(), topological_order() and no_grad on whole graphs."""

from __future__ import annotations

import math

import pytest
from hypothesis import given

import autograd
from autograd import Value, grad, gradcheck, no_grad, topological_order
from autograd.testing import Expression, expressions, scalars

GRADCHECK = {"atol": 1e-5, "rtol": 1e-4}
"""Random graphs: a little looser than single ops, since errors compound through steps."""


# -- fan-in: a node used several times gets the sum of all paths ----------------------------


def test_reused_node_gets_the_sum_of_its_paths() -> None:
    a = Value(3.0)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad == 4.0
    assert b.grad == 2.0


def test_square_by_self_multiplication() -> None:
    a = Value(-1.5)
    (a * a).backward()
    assert a.grad == -3.0


def test_diamond_graph() -> None:
    # y = (x*2) * (x+1): dy/dx = 2(x+1) + 2x = 4x + 2
    x = Value(1.25)
    y = (x * 2) * (x + 1)
    y.backward()
    assert x.grad == 4 * 1.25 + 2


def test_self_operand_has_two_child_edges() -> None:
    a = Value(1.0)
    assert (a + a).children == (a, a)
    assert (a * a).children == (a, a)


# -- upstream gradient and accumulation -------------------------------------------------------


def test_upstream_gradient_scales_every_gradient() -> None:
    x, w = Value(0.5), Value(-2.0)
    y = (x * w).tanh()
    y.backward(gradient=3.0)
    local = 1 - math.tanh(-1.0) ** 2
    assert y.grad == 3.0
    assert x.grad == pytest.approx(3.0 * local * -2.0, rel=1e-15)
    assert w.grad == pytest.approx(3.0 * local * 0.5, rel=1e-15)


def test_gradients_accumulate_over_calls_without_double_counting() -> None:
    x = Value(2.0)
    h = x * x  # dh/dx = 4
    y = h * 3  # dy/dh = 3
    y.backward()
    y.backward()
    # Each call adds its own gradient once; the intermediate node h must not pass
    # on what it accumulated in the first call a second time.
    assert x.grad == 2 * 12.0
    assert h.grad == 2 * 3.0
    assert y.grad == 2.0


def test_backward_from_an_intermediate_node_after_the_output() -> None:
    x = Value(2.0)
    h = x * x
    y = h + 1
    y.backward()  # h.grad = 1, x.grad = 4
    h.backward()  # h.grad += 1, x.grad += 4
    assert (h.grad, x.grad) == (2.0, 8.0)


def test_backward_on_a_leaf() -> None:
    x = Value(5.0)
    x.backward()
    assert x.grad == 1.0


def test_backward_rejects_a_non_numeric_gradient() -> None:
    with pytest.raises(TypeError, match="gradient"):
        Value(1.0).backward(gradient="1")  # type: ignore[arg-type]


# -- grad() ---------------------------------------------------------------------------------


def test_grad_matches_backward_and_leaves_grad_untouched() -> None:
    x, y = Value(0.3), Value(-0.8)
    x.grad, y.grad = 10.0, 20.0
    out = (x * y).sigmoid() + x.exp()
    gx, gy = grad(out, [x, y])
    assert (x.grad, y.grad, out.grad) == (10.0, 20.0, 0.0)
    x.grad = y.grad = 0.0
    out.backward()
    assert (gx.data, gy.data) == (x.grad, y.grad)


def test_grad_of_an_unused_input_is_zero() -> None:
    x, unused = Value(1.0), Value(2.0)
    (g,) = grad(x * 3, [unused])
    assert g.data == 0.0


def test_grad_rejects_non_values() -> None:
    with pytest.raises(TypeError, match="Value"):
        grad(Value(1.0), [1.0])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="output"):
        grad(1.0, [Value(1.0)])  # type: ignore[arg-type]


# -- random graphs ----------------------------------------------------------------------------


@given(expressions(variables=("x", "y", "z")))
def test_backward_agrees_with_gradcheck_on_random_graphs(expr: Expression) -> None:
    assert gradcheck(expr, expr.point, **GRADCHECK), str(expr)


@given(expressions(variables=("x", "y")))
def test_grad_backward_and_create_graph_agree(expr: Expression) -> None:
    xs = [Value(p) for p in expr.point]
    out = expr(*xs)
    floats = [g.data for g in grad(out, xs)]
    graphs = [g.data for g in grad(out, xs, create_graph=True)]
    out.backward()
    assert floats == [x.grad for x in xs]
    assert graphs == pytest.approx(floats, rel=1e-12, abs=1e-12)


@given(expressions(variables=("x", "y"), max_steps=12))
def test_topological_order_contract(expr: Expression) -> None:
    out = expr(*expr.point)
    order = topological_order(out)
    position = {id(node): i for i, node in enumerate(order)}
    assert len(position) == len(order), "a node appears twice"
    assert order[-1] is out
    for node in order:
        for child in node.children:
            assert position[id(child)] < position[id(node)], "a child after its parent"
    # Every node the output depends on is there (a walk that ignores the order).
    reachable, frontier = {id(out)}, [out]
    while frontier:
        for child in frontier.pop().children:
            if id(child) not in reachable:
                reachable.add(id(child))
                frontier.append(child)
    assert reachable == set(position)
    assert [id(n) for n in topological_order(out)] == [id(n) for n in order]


def test_topological_order_visits_children_in_argument_order() -> None:
    a, b, c = Value(1.0, label="a"), Value(2.0, label="b"), Value(3.0, label="c")
    out = autograd.sum([c, a * b, a])
    assert [n.label for n in topological_order(out)] == ["c", "a", "b", "", ""]


# -- depth and width ----------------------------------------------------------------------------


@pytest.mark.slow
def test_a_million_op_chain_backpropagates_without_recursion() -> None:
    x = Value(0.5)
    y = x
    for _ in range(1_000_000):
        y = y * 0.999999
    y.backward()
    assert x.grad == pytest.approx(0.999999**1_000_000, rel=1e-9)
    del y  # freeing a million nested nodes must not overflow the C stack either


def test_a_deep_tanh_chain_matches_the_product_of_local_derivatives() -> None:
    x = Value(0.3)
    y, expected = x, 1.0
    for _ in range(5000):
        pre = y.data * 1.0001 + 0.0001
        expected *= (1 - math.tanh(pre) ** 2) * 1.0001
        y = (y * 1.0001 + 0.0001).tanh()
    y.backward()
    assert x.grad == pytest.approx(expected, rel=1e-9)


def test_wide_sum_of_products() -> None:
    ws = [Value(i / 1000) for i in range(20_000)]
    xs = [Value(1 - i / 20_000) for i in range(20_000)]
    total = autograd.sum([w * x for w, x in zip(ws, xs, strict=True)])
    fused = autograd.dot(ws, xs)
    assert fused.data == pytest.approx(total.data, rel=1e-12)
    total.backward()
    assert all(w.grad == x.data for w, x in zip(ws, xs, strict=True))
    for w in ws:
        w.grad = 0.0
    fused.backward()
    assert all(w.grad == x.data for w, x in zip(ws, xs, strict=True))


# -- no_grad -------------------------------------------------------------------------------------


def test_no_grad_records_nothing_and_restores_recording() -> None:
    x = Value(2.0)
    with no_grad():
        assert not autograd.is_grad_enabled()
        y = (x * 3).tanh()
    assert autograd.is_grad_enabled()
    assert (y.op, y.children) == ("", ())
    assert y.data == math.tanh(6.0)
    y.backward()
    assert x.grad == 0.0
    assert (x * 3).children[0] is x


def test_no_grad_as_decorator_nested_and_through_exceptions() -> None:
    @no_grad()
    def square(v: Value) -> Value:
        return v * v

    x = Value(3.0)
    assert square(x).children == ()
    ctx = no_grad()
    with ctx:
        with ctx:
            pass
        assert not autograd.is_grad_enabled()
    assert autograd.is_grad_enabled()
    with pytest.raises(ZeroDivisionError), no_grad():
        x / 0
    assert autograd.is_grad_enabled()


@given(scalars(-3, 3), scalars(-3, 3))
def test_n_ary_nodes_agree_with_binary_chains(a: float, b: float) -> None:
    x, y = Value(a), Value(b)
    fused = autograd.dot([x, y], [y, x], bias=x)
    chained = x * y + y * x + x
    gf = grad(fused, [x, y])
    gc = grad(chained, [x, y])
    assert fused.data == pytest.approx(chained.data, rel=1e-12, abs=1e-12)
    assert [g.data for g in gf] == pytest.approx([g.data for g in gc], rel=1e-12, abs=1e-12)
