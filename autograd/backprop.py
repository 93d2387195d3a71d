"""Reverse-mode differentiation: the backward walk, and what is built on it.

:func:`walk` is backpropagation itself, written once. It visits the nodes from the
output back to the inputs (reverse topological order). At each node the gradient
g = d(output)/d(node) is complete, so it asks the node's op for the local derivatives
d(node)/d(child) and adds ``g × local`` to each child's gradient: the chain rule,
summed over every path (a node used twice receives two additions).

Three things use the walk: :func:`backward` here (``Value.backward()``: gradients as
floats, into ``.grad``), and :func:`~autograd.gradients.grad` (gradients returned,
optionally as Values for higher orders) and :func:`~autograd.gradients.trace` (the walk
recorded node by node, what ``viz.BackpropStepper`` shows) in :mod:`autograd.gradients`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from math import isfinite
from operator import attrgetter
from typing import Any, NamedTuple

from autograd.grad_mode import enable_grad
from autograd.graph import topological_order
from autograd.numbers import Number, as_float
from autograd.value import Value


class Visit(NamedTuple):
    """One node of the backward walk.

    Attributes:
        node: the node whose gradient is passed on.
        grad: its gradient d(output)/d(node), complete when it is visited.
        local: d(node)/d(child) for each child, in argument order.
        added: ``grad × local`` for each child: what the chain rule adds to its gradient.
    """

    node: Value
    grad: float | Value
    local: tuple[float | Value, ...]
    added: tuple[float | Value, ...]


def walk(order: Sequence[Value], *, values: bool = False, trace: bool = False) -> Iterator[Visit]:
    """Backpropagate through ``order`` (a :func:`topological_order`, output last) in ``.grad``.

    The output's ``.grad`` holds the seed (d output / d output) and every node with
    children holds 0 when the walk starts; leaves may hold earlier gradients, which they
    only accumulate on. When it ends, every ``.grad`` has received d output / d node.

    Args:
        order: the nodes, each after all of its children.
        values: work on Values instead of floats: each gradient is then recorded as a
            graph of its own (a gradient stays a float while it is a constant, so no
            node is recorded for work whose derivative is zero anyway).
        trace: yield a :class:`Visit` per node with children, in the order visited.

    Raises:
        ArithmeticError: where a local derivative is infinite (sqrt at 0...), naming the
            op and its inputs.
    """
    node = order[-1]
    try:
        for node in reversed(order):
            children = node._children
            if not children:
                continue
            g, op = node.grad, node._op
            assert op is not None  # every node with children was made by an op
            if values:
                if isinstance(g, float) and g == 0.0:
                    continue  # a constant zero passes on nothing: record no node for it
                local, added = _pass_on_as_values(node)
            elif len(children) == 2:  # nearly every node: spelled out, this is the hot path
                a, b = children
                local = op.derivatives(node.data, a.data, b.data)
                added = (g * local[0], g * local[1])
                a.grad += added[0]
                b.grad += added[1]
            elif len(children) == 1:
                local = op.derivatives(node.data, children[0].data)
                added = (g * local[0],)
                children[0].grad += added[0]
            elif not trace and hasattr(op, "accumulate"):  # e.g. Dot: no tuple of 2n + 1
                op.accumulate(g, node.data, children)
                continue
            else:
                local = op.derivatives(node.data, *[c.data for c in children])
                added = tuple(g * d for d in local)
                for child, amount in zip(children, added, strict=True):
                    child.grad += amount
            if trace:
                yield Visit(node, g, tuple(local), added)
    except ArithmeticError as error:
        raise derivative_error(node, error) from error


def _pass_on_as_values(node: Value) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """The chain rule at ``node`` on Values: each product is recorded as a graph.

    While ``grad(..., create_graph=True)`` walks, ``.grad`` holds these Values (or a
    float while a gradient is still a constant); the caller restores every ``.grad``.
    """
    g: Any = node.grad
    with enable_grad():  # a gradient asked for as a graph is always recorded
        local = tuple(node._op.derivatives(node, *node._children))  # type: ignore[union-attr]
        # No node for a product with an exact 1 (the seed, a sum's derivative).
        one = isinstance(g, float) and g == 1.0
        added = tuple(
            d if one else g if isinstance(d, float) and d == 1.0 else g * d for d in local
        )
        for child, amount in zip(node._children, added, strict=True):
            before: Any = child.grad
            unset = isinstance(before, float) and before == 0.0
            total: Any = amount if unset else before + amount
            child.grad = total
    return local, added


def derivative_error(node: Value, error: ArithmeticError) -> ArithmeticError:
    """The error for a local derivative of ``node`` that cannot be computed (sqrt at 0...).

    One message for every use of the walk: it names the op and its inputs.
    """
    op = node._op
    assert op is not None
    inputs = op.describe(*[c.data for c in node._children])
    detail = error.args[-1] if error.args else error  # drop an errno from OverflowError(34, ...)
    return type(error)(
        f"backward through {inputs}: its local derivative is not finite here ({detail})"
    )


_GRAD = attrgetter("grad")


def check_finite(order: Sequence[Value]) -> None:
    """Raise OverflowError if a gradient became inf or NaN although every value is finite.

    (With an inf or NaN among the values, such gradients are IEEE arithmetic doing its
    job.) The first bad gradient nearest the output is where it started; the op it came
    through is its first user in the same order.
    """
    # A finite sum (computed in C) means every term is finite: the common case is one
    # pass. Otherwise a gradient is not finite, or the sum of finite ones overflowed.
    if isfinite(sum(map(_GRAD, order))):
        return
    bad = next((node for node in reversed(order) if not isfinite(node.grad)), None)
    if bad is None or not all(isfinite(node.data) for node in order):
        return
    user = next((n for n in reversed(order) if bad in n._children), None)
    if user is None or user._op is None:
        raise OverflowError(f"backward: the gradient to start from is {bad.grad}, not finite")
    name = f"{bad.label!r}" if bad.label else f"a Value of {bad.data!r}"
    where = user._op.describe(*[c.data for c in user._children])
    raise OverflowError(
        f"backward through {where}: the gradient of {name} became {bad.grad}: a local "
        "derivative, or a product or sum of gradients, is too large for a float"
    )


def backward(root: Value, gradient: Value | Number = 1.0) -> None:
    """Add d(root)/d(node) * gradient to ``node.grad`` for every node under ``root``.

    This is what ``Value.backward()`` calls; see there.
    """
    seed = gradient.data if isinstance(gradient, Value) else as_float(gradient, "gradient")
    order = topological_order(root)
    # A node that still holds a gradient from an earlier backward() must not pass that
    # old amount on a second time: park it, walk from zero, then add it back. (Leaves
    # pass nothing on, so they simply keep accumulating.)
    parked = [(node, node.grad) for node in order if node.grad and node._children]
    for node, _ in parked:
        node.grad = 0.0
    root.grad += seed
    try:
        for _ in walk(order):
            pass
    finally:  # even when a derivative fails half-way, no earlier gradient is lost
        for node, old in parked:
            node.grad += old
    check_finite(order)
