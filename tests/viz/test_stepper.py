"""BackpropStepper: the steps are backward() done one node at a time, and add up to it."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
import viz
from autograd import Value, topological_order
from autograd.testing import Expression, expressions
from viz.graph import NOT_COMPUTED


def build(expr: Expression) -> Value:
    return expr(*[Value(p, label=v) for v, p in zip(expr.variables, expr.point, strict=True)])


# -- properties over random graphs -----------------------------------------------------------


@given(expressions(variables=("x", "y", "z"), max_steps=10), st.booleans())
def test_steps_are_backward_one_node_at_a_time(expr: Expression, forward: bool) -> None:
    root = build(expr)
    order = topological_order(root)
    stepper = viz.BackpropStepper(root, include_forward=forward)
    inner = [v for v in order if v.children]

    kinds = [s.kind for s in stepper]
    n_forward = len(inner) if forward else 0
    assert kinds == ["forward"] * n_forward + ["seed"] + ["backward"] * len(inner)
    assert [s.index for s in stepper] == list(range(len(stepper)))
    # forward steps compute every op in topological order; backward steps cover every
    # non-leaf node exactly once, in the reverse order (the order backward() walks)
    assert [s.node for s in stepper if s.kind == "forward"] == (inner if forward else [])
    assert [s.node for s in stepper if s.kind == "backward"] == inner[::-1]

    running: dict[Value, float] = {root: 1.0}
    for step in stepper:
        if step.kind != "backward":
            continue
        assert step.grad == running[step.node]  # the node's gradient is complete
        op = step.node.op_info
        assert op is not None
        local = op.derivatives(step.node.data, *[c.data for c in step.node.children])
        assert [c.child for c in step.contributions] == list(step.node.children)
        for c, expected_local in zip(step.contributions, local, strict=True):
            assert c.local == expected_local
            assert c.product == step.grad * c.local  # chain rule: incoming grad x local
            assert c.grad_before == running.get(c.child, 0.0)
            assert c.grad_after == c.grad_before + c.product
            running[c.child] = c.grad_after

    # fan-in: one addition per use of a node, counting down to "complete"
    uses = Counter(c for v in order for c in v.children)
    received = Counter(c.child for s in stepper for c in s.contributions)
    assert received == uses
    for step in stepper:
        for c in step.contributions:
            uses[c.child] -= 1
            assert c.remaining == uses[c.child]

    # the stepper never touched .grad, and its final grads are exactly backward()'s
    assert all(v.grad == 0.0 for v in order)
    root.backward()
    assert stepper.grads == {v: v.grad for v in order}
    assert stepper.grads_at(len(stepper) - 1) == stepper.grads

    # every step can be told and drawn
    assert len(stepper.trace().splitlines()) >= len(stepper) + 1
    frame = stepper.frame(len(stepper) // 2).source
    assert frame.count(" -> ") == sum(len(v.children) + 1 for v in inner)


# -- examples --------------------------------------------------------------------------------


def test_neuron_steps_read_like_a_lecture(helpers: Any) -> None:
    root, v = helpers.neuron()
    stepper = viz.BackpropStepper(root)
    assert len(stepper) == 1 + 5
    seed, tanh_step = stepper[0], stepper[1]
    assert (seed.kind, seed.node, seed.grad) == ("seed", root, 1.0)
    assert tanh_step.expression == "tanh(n)"
    (c,) = tanh_step.contributions
    assert c.child is v["n"] and c.argument == "x"
    assert c.formula == "d tanh(x)/dx = 1 - tanh(x)²"
    assert c.local == pytest.approx(0.5)
    mul = stepper[-1]
    assert mul.node_name == "x1*w1" and mul.expression == "x1 * w1"
    assert [c.formula for c in mul.contributions] == ["d(a * b)/da = b", "d(a * b)/db = a"]
    assert [c.local for c in mul.contributions] == [-3.0, 2.0]
    text = stepper.describe(-1)
    assert "x1 (a): local d(a * b)/da = b = -3; adds 0.5 × -3 = -1.5; x1.grad 0 → -1.5" in text


def test_fan_in_shows_as_several_additions() -> None:
    a = Value(3.0, label="a")
    b = a * a
    b.label = "b"
    c = b + a
    c.label = "c"
    stepper = viz.BackpropStepper(c)
    to_a = [(s.index, x) for s in stepper for x in s.contributions if x.child is a]
    assert len(to_a) == 3  # once from c = b + a, twice from b = a * a
    assert [x.grad_before for _, x in to_a] == [0.0, 1.0, 4.0]
    assert [x.grad_after for _, x in to_a] == [1.0, 4.0, 7.0]
    assert [x.remaining for _, x in to_a] == [2, 1, 0]
    assert "2 more additions to come" in stepper.trace()
    assert "(complete)" in stepper.trace()


def test_forward_steps_show_values_appearing(helpers: Any) -> None:
    root, _ = helpers.neuron()
    stepper = viz.BackpropStepper(root, include_forward=True)
    first = stepper.describe(0)
    assert first == "[1/11] forward: x1*w1 = x1 * w1 = 2 * -3 = -6"
    frame0 = stepper.frame(0).source
    assert frame0.count(">?<") > 5  # later values and every grad are not known yet
    assert stepper[5].kind == "seed"


def test_stepper_does_not_touch_existing_grads() -> None:
    x = Value(2.0, label="x")
    y = x * x
    y.backward()
    before = x.grad
    stepper = viz.BackpropStepper(y, gradient=2.0)
    assert x.grad == before == 4.0
    assert stepper.grads[x] == 8.0  # its own pass, seeded with 2, from zero


def test_leaf_root_has_only_the_seed() -> None:
    x = Value(1.0, label="x")
    stepper = viz.BackpropStepper(x)
    assert [s.kind for s in stepper] == ["seed"]
    assert stepper.grads == {x: 1.0}
    assert "seed: dx/dx = 1" in stepper.trace()


def test_indexing_and_errors() -> None:
    x = Value(1.0, label="x")
    stepper = viz.BackpropStepper(x.exp())
    assert stepper[-1] is stepper.steps[-1] and len(stepper[0:1]) == 1
    with pytest.raises(IndexError, match="has 2 steps"):
        stepper.frame(5)
    with pytest.raises(ValueError, match="rankdir"):
        viz.BackpropStepper(x, rankdir="up")
    with pytest.raises(TypeError, match="needs a Value"):
        viz.BackpropStepper(1.0)  # type: ignore[arg-type]


def test_infinite_local_derivative_is_reported_like_backward() -> None:
    y = Value(0.0, label="x").sqrt()
    with pytest.raises(ZeroDivisionError, match=re.escape("backward through sqrt(0.0)")):
        viz.BackpropStepper(y)


def test_frames_highlight_the_step_and_grey_what_is_not_known(helpers: Any) -> None:
    root, _ = helpers.neuron()
    stepper = viz.BackpropStepper(root)
    seed = stepper.frame(0, legend=False).source
    assert seed.count(">?<") == 9  # every grad but the output's
    assert NOT_COMPUTED not in seed
    last = stepper.frame(len(stepper) - 1, legend=False).source
    assert ">?<" not in last
    # what x1.grad receives, as a term added
    assert re.search(r"xlabel=<<TABLE [^>]*><TR><TD><FONT [^>]*><B>− 1\.5</B>", last)
    assert last.count("penwidth=2.6") == 3  # the op's two input edges and its output edge


# -- formulas --------------------------------------------------------------------------------


def test_the_text_of_each_step_is_the_ops_own() -> None:
    x, w = Value(0.5, label="x"), Value(-2.0, label="w")
    y = (x * w).tanh() + (x**3).log() + autograd.dot([w], [x], bias=x)
    y.label = "y"
    for step in viz.BackpropStepper(y)[1:]:
        op = step.node.op_info
        assert op is not None
        for c in step.contributions:
            assert c.formula == op.formula(len(step.node.children)).local(c.position)
    texts = [c.formula for step in viz.BackpropStepper(y)[1:] for c in step.contributions]
    assert "d tanh(x)/dx = 1 - tanh(x)²" in texts
    assert "d(x ** 3)/dx = 3 * x ** 2" in texts and "d(w·x + b)/db = 1" in texts
