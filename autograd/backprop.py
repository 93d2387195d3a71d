"""Reverse-mode differentiation: the backward walk, and what is built on it.

:func:`walk` is backpropagation itself, written once. It visits the nodes from the
output back to the inputs (reverse topological order). At each node the gradient
g = d(output)/d(node) is complete, so it asks the node's op for the local derivatives
d(node)/d(child) and adds ``g × local`` to each child's gradient: the chain rule,
summed over every path (a node used twice receives two additions).

Three things use the walk:

* :func:`backward` (``Value.backward()``): gradients as floats, into ``.grad``;
* :func:`grad`: gradients returned instead, optionally as Values with a graph of their
  own (``create_graph=True``: higher-order derivatives);
* :func:`trace`: the walk recorded node by node, what ``viz.BackpropStepper`` shows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from math import isfinite
from operator import attrgetter
from typing import Any, NamedTuple

from autograd.grad_mode import enable_grad
from autograd.graph import topological_order
from autograd.ops import COPY
from autograd.value import Number, Value, as_float, record


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


def _check_finite(order: Sequence[Value]) -> None:
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
    _check_finite(order)


@contextmanager
def _scratch(order: Sequence[Value]) -> Iterator[None]:
    """Every ``.grad`` of ``order`` set to 0 for a walk, and restored afterwards."""
    saved = [node.grad for node in order]
    for node in order:
        node.grad = 0.0
    try:
        yield
    finally:
        for node, old in zip(order, saved, strict=True):
            node.grad = old


def grad(output: Value, inputs: Sequence[Value], create_graph: bool = False) -> list[Value]:
    """The gradients d(output)/d(input), one Value per input, leaving ``.grad`` untouched.

    Args:
        output: the Value to differentiate.
        inputs: the Values to differentiate with respect to. An input that ``output``
            does not depend on gets a gradient of 0.
        create_graph: if True, the returned gradients are Values with a graph of their
            own, so they can be differentiated again (second and higher derivatives).

    Returns:
        A list of Values, in the order of ``inputs``.

    Example:
        >>> from autograd import Value, grad
        >>> x = Value(2.0)
        >>> y = x ** 3                                  # y = x^3
        >>> (dy,) = grad(y, [x], create_graph=True)     # 3x^2 = 12
        >>> (d2y,) = grad(dy, [x])                      # 6x = 12
        >>> dy.data, d2y.data
        (12.0, 12.0)
    """
    if not isinstance(output, Value):
        raise TypeError(f"grad() needs a Value as output, got {type(output).__name__}")
    inputs = list(inputs)
    for i, x in enumerate(inputs):
        if not isinstance(x, Value):
            raise TypeError(f"grad() inputs must be Values, got {type(x).__name__} at index {i}")
    order = topological_order(output)
    in_graph = set(order)
    with _scratch(order):
        output.grad = 1.0
        for _ in walk(order, values=create_graph):
            pass
        found: list[Any] = [x.grad if x in in_graph else 0.0 for x in inputs]
        if not create_graph:
            _check_finite(order)
    if not create_graph:
        return [Value(g) for g in found]
    # A gradient that is a node of the forward graph itself (d(a*b)/da is b) is handed
    # back as a copy, so that relabelling it cannot rename the caller's b.
    with enable_grad():
        return [
            Value(g) if not isinstance(g, Value) else record(COPY, (g,)) if g in in_graph else g
            for g in found
        ]


def trace(root: Value, gradient: Value | Number = 1.0) -> tuple[list[Visit], dict[Value, float]]:
    """The backward walk from ``root`` recorded node by node, leaving every ``.grad`` as it was.

    Returns:
        The :class:`Visit` of every node with children, in the order the walk visits
        them, and the gradient of every node after the last one: exactly what
        ``backward()`` adds on a graph whose gradients start at zero.

    Raises:
        ArithmeticError: as ``backward()`` does, where a local derivative is infinite
            or a gradient overflows.

    Example:
        >>> from autograd import Value
        >>> from autograd.backprop import trace
        >>> a, b = Value(2.0), Value(-3.0)
        >>> visits, grads = trace(a * b)
        >>> visits[0].local, grads[a], a.grad
        ((-3.0, 2.0), -3.0, 0.0)
    """
    seed = gradient.data if isinstance(gradient, Value) else as_float(gradient, "gradient")
    order = topological_order(root)
    with _scratch(order):
        root.grad = seed
        visits = list(walk(order, trace=True))
        _check_finite(order)
        grads = {node: node.grad for node in order}
    return visits, grads
