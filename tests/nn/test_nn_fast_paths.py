"""The speed-ups nn relies on compute exactly what the plain paths compute, and the
benchmark's float reference (bench/float_mlp.py) computes what nn computes."""

from __future__ import annotations

import random

import pytest
from float_mlp import FloatMLP
from hypothesis import given
from hypothesis import strategies as st

import autograd
import nn
from autograd import Constant, Value, ops


def test_float_reference_matches_nn_loss_and_gradients() -> None:
    xs, labels = nn.data.make_moons(50, noise=0.1, seed=0)
    ys = [2.0 * t - 1.0 for t in labels]
    model = nn.MLP(2, [16, 16, 1], seed=0)
    params = model.parameters()
    opt = nn.optim.SGD(params, lr=0.2)
    for _ in range(20):  # train a little, so that some examples meet their margin
        opt.zero_grad()
        nn.hinge_loss(model(xs), ys).backward()
        opt.step()
    opt.zero_grad()
    loss = nn.hinge_loss(model(xs), ys) + 1e-4 * autograd.dot(params, params)
    loss.backward()
    sd = model.state_dict()
    floats = FloatMLP(
        [sd["0.weight"], sd["2.weight"], sd["4.weight"]], [sd["0.bias"], sd["2.bias"], sd["4.bias"]]
    )
    value, cache = floats.forward(xs, ys, 1e-4)
    assert value == pytest.approx(loss.data, rel=1e-13)
    assert 0 < sum(m > 0 for m in cache.margins) < len(xs)  # some examples are skipped
    weight_grads, bias_grads = floats.backward(cache)
    expected = []
    for w, b in zip(weight_grads, bias_grads, strict=True):
        expected += [g for row in w for g in row] + b
    assert [p.grad for p in params] == pytest.approx(expected, rel=1e-11, abs=1e-15)
    before = [p.data for p in params]
    floats.sgd(weight_grads, bias_grads, 0.05)
    nn.optim.SGD(params, lr=0.05).step()
    after = [
        v
        for w, b in zip(floats.weights, floats.biases, strict=True)
        for v in [*(x for r in w for x in r), *b]
    ]
    assert [p.data for p in params] == pytest.approx(after, rel=1e-12)
    assert after != before


@given(
    st.integers(1, 4), st.integers(1, 4), st.integers(0, 3), st.booleans(), st.integers(0, 10**6)
)
def test_linear_builds_exactly_the_dot_nodes(
    nin: int, nout: int, n: int, bias: bool, seed: int
) -> None:
    rng = random.Random(seed)
    w = [[Value(rng.uniform(-2, 2)) for _ in range(nin)] for _ in range(nout)]
    b = [Value(rng.uniform(-2, 2)) for _ in range(nout)] if bias else None
    rows = [
        [rng.uniform(-3, 3) if k % 2 else Value(rng.uniform(-3, 3)) for k in range(nin)]
        for _ in range(n)
    ]
    built = autograd.linear(w, rows, b)
    assert len(built) == n
    for row, outputs in zip(rows, built, strict=True):
        for i, node in enumerate(outputs):
            reference = autograd.dot(w[i], row, b[i] if b else None)
            assert node.data == reference.data  # bit for bit: the same sum in the same order
            assert node.op == reference.op and node.op_info is reference.op_info
            assert len(node.children) == len(reference.children)
            for mine, theirs in zip(node.children, reference.children, strict=True):
                if isinstance(theirs, Constant):
                    assert isinstance(mine, Constant) and mine.data == theirs.data
                else:
                    assert mine is theirs


def test_linear_errors() -> None:
    w = [[Value(1.0), Value(2.0)]]
    with pytest.raises(ValueError, match="equal length, got 2 and 3"):
        autograd.linear(w, [[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="1 weight rows but 2 biases"):
        autograd.linear(w, [[1.0, 2.0]], [Value(0.0), Value(1.0)])
    with pytest.raises(OverflowError):
        autograd.linear([[Value(1e308)]], [[1e308]])
    with autograd.no_grad():
        (node,) = autograd.linear(w, [[1.0, 1.0]])[0]
    assert node.children == () and node.data == 3.0


@given(st.lists(st.floats(-5, 5), min_size=3, max_size=9), st.floats(-3, 3), st.booleans())
def test_dot_fast_backward_equals_the_generic_rule(data: list[float], g: float, bias: bool) -> None:
    n = (len(data) - 1) // 2
    fast = [Value(v) for v in data[: 2 * n + (1 if bias else 0)]]
    slow = [Value(v.data) for v in fast]
    op = ops.DOT_BIAS if bias else ops.DOT
    op.accumulate(g, 1.0, tuple(fast))
    derivatives = op.derivatives(0.0, *[v.data for v in slow])
    for v, d in zip(slow, derivatives, strict=True):
        v.grad += g * d
    assert [v.grad for v in fast] == [v.grad for v in slow]


def test_shared_children_and_zero_gradients_in_dot_backward() -> None:
    params = [Value(1.5), Value(-2.0)]
    l2 = autograd.dot(params, params)  # the same Values as weights and inputs: 2p each
    l2.backward()
    assert [p.grad for p in params] == [3.0, -4.0]
    x = Value(2.0)
    dead = autograd.dot([Value(3.0)], [x], bias=Value(-10.0)).relu()  # relu'(-4) = 0
    dead.backward()
    assert x.grad == 0.0
    nan_input = Value(float("nan"))
    y = autograd.dot([Value(0.0)], [nan_input]) * 0.0  # g = 0, but the value is NaN
    y.backward()
    assert nan_input.grad == 0.0  # 0 * 0: the NaN value, not the gradient, is what is NaN
    weight, zero = Value(float("inf")), Value(0.0)
    z = autograd.dot([weight], [zero])  # inf * 0 = NaN: not skipped when g = 0
    (z * 0.0).backward()
    assert weight.grad == 0.0 and zero.grad != zero.grad  # 0 * 0 and 0 * inf = NaN, as generic


def test_backward_with_the_dot_shortcut_equals_the_traced_generic_walk() -> None:
    """backward() takes Dot.accumulate; trace() (the stepper's walk) takes derivatives():
    on a BatchNorm MLP both give the same gradients, bit for bit."""
    model = nn.MLP(3, [5, 4, 2], batchnorm=True, seed=0)
    out = model([[0.1, 0.2, 0.3], [1.0, -1.0, 0.5], [0.0, 2.0, -0.5]])
    loss = nn.cross_entropy(out, [0, 1, 1])
    _, traced = autograd.trace(loss)
    loss.backward()
    order = autograd.topological_order(loss)
    assert [node.grad for node in order] == [traced[node] for node in order]
