"""The hypothesis strategies in autograd.testing respect domains and really draw reuse."""

from __future__ import annotations

import math

from hypothesis import find, given
from hypothesis import strategies as st

from autograd import Value, ops
from autograd.testing import DEFAULT_MARGIN, Expression, arguments, expressions, scalars


@given(scalars(-2, 2, avoid=[0.0, 1.0]))
def test_scalars_stay_in_range_and_away_from_avoided_points(x: float) -> None:
    assert -2 <= x <= 2
    assert abs(x) > DEFAULT_MARGIN and abs(x - 1.0) > DEFAULT_MARGIN


@given(expressions(variables=("a", "b", "c")))
def test_every_step_is_smooth_at_the_drawn_point(expr: Expression) -> None:
    values = list(expr.point)
    for step in expr.steps:
        xs = [values[i] for i in step.operands]
        assert step.op.smooth_at(*xs, margin=DEFAULT_MARGIN), str(expr)
        assert all(i < len(values) for i in step.operands)
        values.append(step.op.forward(*xs))
    assert all(math.isfinite(v) and abs(v) <= 100 for v in values)
    out = expr(*expr.point)
    assert isinstance(out, Value) and math.isfinite(out.data)


def _reuses_a_node(expr: Expression) -> bool:
    used = [i for step in expr.steps for i in step.operands if i >= len(expr.variables)]
    return len(used) != len(set(used))


def test_expressions_can_reuse_an_intermediate_node() -> None:
    expr = find(expressions(), _reuses_a_node)
    assert _reuses_a_node(expr)


def test_expressions_can_use_one_node_twice_in_a_step() -> None:
    expr = find(
        expressions(), lambda e: any(len(set(s.operands)) < len(s.operands) for s in e.steps)
    )
    assert any(len(set(s.operands)) < len(s.operands) for s in expr.steps)


def test_expression_text_names_every_step() -> None:
    expr = find(expressions(min_steps=3), lambda e: len(e.steps) >= 3)
    text = str(expr)
    assert text.startswith("x = ")
    assert "t1 = " in text and "t3 = " in text and "out = " in text


@given(st.data())
def test_arguments_respect_arity_and_domain(data: st.DataObject) -> None:
    for op in (ops.LOG, ops.DIV, ops.DOT_BIAS, ops.RELU):
        xs = data.draw(arguments(op))
        assert op.accepts(len(xs))
        assert op.smooth_at(*xs, margin=DEFAULT_MARGIN)
