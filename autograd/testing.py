"""Hypothesis strategies for testing gradients, to import into your own tests.

Example (a property test of a function you wrote yourself):

    from hypothesis import given
    from autograd import gradcheck
    from autograd.testing import expressions, scalars

    @given(scalars(-3, 3), scalars(-3, 3))
    def test_my_function(x, y):
        assert gradcheck(lambda a, b: (a * b).tanh() + a.exp(), [x, y])

    @given(expressions(variables=("x", "y")))
    def test_backprop_on_random_graphs(expr):
        assert gradcheck(expr, expr.point)

:func:`expressions` draws a whole computation graph: a sequence of ops over the
variables, where later ops may reuse any earlier result (so a node can feed several
others, the case that makes gradients *accumulate*). Every op is applied only where
it is defined and smooth, with a margin, so finite differences around the drawn point
never cross a kink such as relu's at 0 or a pole such as 1/x's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from hypothesis import assume
from hypothesis import strategies as st

from autograd import ops as autograd_ops
from autograd.engine_check import EngineReport as EngineReport
from autograd.engine_check import check_engine as check_engine
from autograd.numbers import Number
from autograd.value import Value, apply, lift

DEFAULT_MARGIN = 0.1
"""How far (in input units) drawn values keep from kinks, poles and domain edges."""


def scalars(
    min_value: float = -10.0,
    max_value: float = 10.0,
    *,
    avoid: Sequence[float] = (),
    margin: float = DEFAULT_MARGIN,
) -> st.SearchStrategy[float]:
    """Finite floats in [min_value, max_value], at least ``margin`` from each point in ``avoid``.

    Example:
        >>> from autograd.testing import scalars
        >>> s = scalars(-1, 1, avoid=[0.0])   # e.g. for testing relu away from its kink
    """
    if not min_value < max_value:
        raise ValueError(f"need min_value < max_value, got {min_value!r} and {max_value!r}")
    floats = st.floats(min_value, max_value, allow_nan=False, allow_infinity=False)
    if not avoid:
        return floats
    return floats.filter(lambda x: all(abs(x - p) > margin for p in avoid))


def arguments(
    op: autograd_ops.Op,
    min_value: float = -5.0,
    max_value: float = 5.0,
    *,
    margin: float = DEFAULT_MARGIN,
    max_args: int = 6,
    bound: float = 1e3,
) -> st.SearchStrategy[tuple[float, ...]]:
    """Argument tuples at which ``op`` is smooth (see :meth:`autograd.ops.Op.smooth_at`) and its
    result is at most ``bound`` in size. Ops with any number of arguments get 1 to
    ``max_args`` of them (as many as the op accepts).

    Each argument is drawn from [min_value, max_value] or, half of the time, from
    [0, 1] (within the range), so that ops defined on a narrow domain, such as a
    probability, get arguments without most draws being thrown away.
    """
    counts = [n for n in range(1, max_args + 1) if op.accepts(n)]
    if not counts:
        raise ValueError(f"{op!r} accepts no argument count from 1 to {max_args}")

    low, high = max(min_value, 0.0), min(max_value, 1.0)
    one = scalars(min_value, max_value)
    if low < high:
        one = one | scalars(low, high)

    @st.composite
    def draw_arguments(draw: st.DrawFn) -> tuple[float, ...]:
        n = draw(st.sampled_from(counts))
        xs = tuple(draw(one) for _ in range(n))
        assume(op.smooth_at(*xs, margin=margin))
        assume(_moderate(op, xs, bound))
        return xs

    return draw_arguments()


def _moderate(op: autograd_ops.Op, xs: Sequence[float], bound: float) -> bool:
    """Whether op(*xs) is defined and no larger than bound in magnitude."""
    try:
        return abs(op.forward(*xs)) <= bound
    except (ArithmeticError, ValueError):
        return False


@dataclass(frozen=True)
class Step:
    """One node of an :class:`Expression`: ``op`` applied to earlier nodes.

    ``operands`` index the expression's node list, where the variables come first.
    """

    op: autograd_ops.Op
    operands: tuple[int, ...]


@dataclass(frozen=True)
class Expression:
    """A random computation graph drawn by :func:`expressions`.

    Call it with one Value (or number) per variable to build the graph; its output is
    one Value. ``point`` holds variable values at which every op is smooth.

    Attributes:
        variables: the variable names, in call order.
        point: a value for each variable, where the drawn graph is well defined.
        steps: the ops, in the order they are recorded.
        output: the indices of the nodes summed into the output (nodes that no later
            step uses), so that every step matters.
    """

    variables: tuple[str, ...]
    point: tuple[float, ...]
    steps: tuple[Step, ...]
    output: tuple[int, ...]

    def __call__(self, *args: Value | Number) -> Value:
        if len(args) != len(self.variables):
            raise TypeError(f"expected {len(self.variables)} arguments, got {len(args)}")
        nodes = [lift(a) for a in args]
        for step in self.steps:
            nodes.append(apply(step.op, [nodes[i] for i in step.operands]))
        if len(self.output) == 1:
            return nodes[self.output[0]]
        return apply(autograd_ops.SUM, [nodes[i] for i in self.output])

    def _name(self, i: int) -> str:
        return self.variables[i] if i < len(self.variables) else f"t{i - len(self.variables) + 1}"

    def __str__(self) -> str:
        lines = [", ".join(f"{v} = {p!r}" for v, p in zip(self.variables, self.point, strict=True))]
        for k, step in enumerate(self.steps):
            text = step.op.format(*[self._name(i) for i in step.operands])
            lines.append(f"{self._name(len(self.variables) + k)} = {text}")
        lines.append("out = " + " + ".join(self._name(i) for i in self.output))
        return "\n".join(lines)


def _default_ops() -> list[autograd_ops.Op]:
    return list(autograd_ops.REGISTRY.values())


@st.composite
def expressions(
    draw: st.DrawFn,
    variables: Sequence[str] = ("x", "y"),
    *,
    ops: Sequence[autograd_ops.Op] | None = None,
    min_steps: int = 1,
    max_steps: int = 8,
    min_value: float = -3.0,
    max_value: float = 3.0,
    margin: float = DEFAULT_MARGIN,
    bound: float = 100.0,
) -> Expression:
    """Random expression graphs over ``variables``, drawn together with a valid point.

    Args:
        variables: names of the inputs.
        ops: the ops to draw from (default: every op in ``autograd.ops.REGISTRY``).
        min_steps, max_steps: how many ops to record.
        min_value, max_value: the range of the variables' values.
        margin: every op's inputs keep this distance from its kinks and poles.
        bound: every intermediate value stays within [-bound, bound], which keeps
            finite differences accurate.

    Each step applies an op to nodes drawn from everything built so far (variables
    and earlier results, any of them possibly more than once), and is kept only if
    the op is smooth at those values. Nodes that no later step uses are summed into
    the output.
    """
    if not variables:
        raise ValueError("expressions() needs at least one variable")
    if not 1 <= min_steps <= max_steps:
        raise ValueError(f"need 1 <= min_steps <= max_steps, got {min_steps} and {max_steps}")
    choices = list(ops) if ops is not None else _default_ops()
    point = tuple(draw(scalars(min_value, max_value)) for _ in variables)
    values = list(point)
    steps: list[Step] = []
    wanted = draw(st.integers(min_steps, max_steps))
    attempts = 0
    while len(steps) < wanted and attempts < 4 * wanted:
        attempts += 1
        op = draw(st.sampled_from(choices))
        n = draw(st.sampled_from([n for n in range(1, 5) if op.accepts(n)]))
        operands = tuple(draw(st.integers(0, len(values) - 1)) for _ in range(n))
        xs = [values[i] for i in operands]
        if not op.smooth_at(*xs, margin=margin) or not _moderate(op, xs, bound):
            continue
        steps.append(Step(op, operands))
        values.append(op.forward(*xs))
    assume(len(steps) >= min_steps)
    used = {i for step in steps for i in step.operands}
    first = len(variables)
    output = tuple(i for i in range(first, len(values)) if i not in used)
    assume(all(math.isfinite(v) for v in values))
    return Expression(tuple(variables), point, tuple(steps), output)
