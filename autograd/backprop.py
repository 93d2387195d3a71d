"""Reverse-mode differentiation: ``backward()`` and :func:`grad`.

Both walk the graph from the output back to the inputs in reverse topological order.
At each node they take the node's gradient g = d(output)/d(node), ask its op for the
local derivatives d(node)/d(child), and add ``g * local`` to each child's gradient:
the chain rule, summed over every path (a node used twice receives two additions).

``backward()`` does this on floats, writing into ``.grad``. :func:`grad` returns
the gradients instead; with ``create_graph=True`` it does the same walk on Values,
so that the gradients are themselves graphs that can be differentiated again.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from operator import attrgetter

from autograd.grad_mode import enable_grad
from autograd.graph import topological_order
from autograd.ops import COPY, DOT, DOT_BIAS
from autograd.value import Number, Value, apply, as_float

_INF = math.inf


def _dot_backward(g: float, children: tuple[Value, ...]) -> None:
    """The backward step of a dot node (w_1..w_n, x_1..x_n[, b]), on floats.

    The same local derivatives as :class:`autograd.ops.Dot` (d/dw_i = x_i, d/dx_i = w_i,
    d/db = 1), added in the same order, but without building the tuple of 2n + 1
    derivatives first: a Linear layer's nodes are nearly all dot nodes, so this is
    most of a training step's backward pass.
    """
    n = len(children) // 2
    weights, inputs = children[:n], children[n : 2 * n]
    for w, x in zip(weights, inputs, strict=True):
        w.grad += g * x.data
    for w, x in zip(weights, inputs, strict=True):
        x.grad += g * w.data
    if len(children) % 2:
        children[-1].grad += g


def _sweep(order: list[Value]) -> None:
    """Propagate ``.grad`` from the last node of ``order`` down to the leaves (floats)."""
    node = order[-1]
    try:
        for node in reversed(order):
            children = node._children
            if not children:
                continue
            g = node.grad
            op = node._op
            assert op is not None  # every node with children was made by an op
            # Arity 1 and 2 are spelled out: they are nearly every node, and this
            # loop is the hot path of training.
            if len(children) == 2:
                a, b = children
                da, db = op.derivatives(node.data, a.data, b.data)
                a.grad += g * da
                b.grad += g * db
            elif len(children) == 1:
                a = children[0]
                (da,) = op.derivatives(node.data, a.data)
                a.grad += g * da
            elif op is DOT_BIAS or op is DOT:
                # A dot node with a finite value has only finite children (an inf or
                # NaN input would have made the sum inf or NaN), so a zero gradient
                # adds exactly zero to each of them: skip the work. In a relu network
                # that is every neuron a relu switched off.
                if g or not -_INF < node.data < _INF:
                    _dot_backward(g, children)
            else:
                ds = op.derivatives(node.data, *[c.data for c in children])
                for child, d in zip(children, ds, strict=True):
                    child.grad += g * d
    except ArithmeticError as error:
        raise derivative_error(node, error) from error
    _check_finite(order)


def derivative_error(node: Value, error: ArithmeticError) -> ArithmeticError:
    """The error for a local derivative of ``node`` that cannot be computed (sqrt at 0...).

    One message for every backward walk: it names the op and its inputs.
    """
    op = node._op
    assert op is not None
    inputs = op.describe(*[c.data for c in node._children])
    detail = error.args[-1] if error.args else error  # drop an errno from OverflowError(34, ...)
    return type(error)(
        f"backward through {inputs}: its local derivative is not finite here ({detail})"
    )


def local_derivatives(node: Value) -> tuple[float, ...]:
    """d(node)/d(child) for each child of ``node``, as floats (``()`` for a leaf).

    Raises:
        ArithmeticError: where a local derivative is infinite (e.g. sqrt at 0), naming
            the op and its inputs.

    Example:
        >>> from autograd import Value
        >>> from autograd.backprop import local_derivatives
        >>> local_derivatives(Value(2.0) * Value(-3.0))   # d(a*b)/da = b, d(a*b)/db = a
        (-3.0, 2.0)
    """
    if node._op is None:
        return ()
    try:
        return tuple(node._op.derivatives(node.data, *[c.data for c in node._children]))
    except ArithmeticError as error:
        raise derivative_error(node, error) from error


_GRAD = attrgetter("grad")


def _check_finite(order: list[Value]) -> None:
    """Raise OverflowError if a gradient became inf or NaN although every value is finite.

    (With an inf or NaN among the values, inf and NaN gradients are IEEE arithmetic
    doing its job, and they are left alone.) One sum over all gradients, in C, tells
    whether anything is wrong; only then are the nodes looked at one by one.
    """
    if -_INF < sum(map(_GRAD, order)) < _INF:
        return
    if not all(-_INF < node.data < _INF for node in order):
        return
    # The first non-finite gradient nearest the output is where it started; the op it
    # came through is the first of its users in the same order.
    bad = next(node for node in reversed(order) if not -_INF < node.grad < _INF)
    user = next((n for n in reversed(order) if any(c is bad for c in n._children)), None)
    if user is None or user._op is None:
        raise OverflowError(f"backward: the gradient to start from is {bad.grad}, not finite")
    name = f"{bad.label!r}" if bad.label else f"a Value of {bad.data!r}"
    raise OverflowError(
        f"backward through {user._op.describe(*[c.data for c in user._children])}: the "
        f"gradient of {name} became {bad.grad}: a local derivative, or a product or sum of "
        "gradients, is too large for a float"
    )


def backward(root: Value, gradient: Value | Number = 1.0) -> None:
    """Add d(root)/d(node) * gradient to ``node.grad`` for every node under ``root``.

    This is what ``Value.backward()`` calls; see there.
    """
    seed = gradient.data if isinstance(gradient, Value) else as_float(gradient, "gradient")
    order = topological_order(root)
    # A node that still holds a gradient from an earlier backward() must not pass that
    # old amount on a second time: park it, run this pass from zero, then add it back.
    # (Leaves pass nothing on, so they simply keep accumulating.)
    parked = [(node, node.grad) for node in order if node.grad and node._children]
    for node, _ in parked:
        node.grad = 0.0
    root.grad += seed
    try:
        _sweep(order)
    finally:  # even when a derivative fails half-way, no earlier gradient is lost
        for node, old in parked:
            node.grad += old


def _times(g: float | Value, d: float | Value) -> float | Value:
    """g * d, without recording a multiplication by an exact 1 (keeps gradient graphs small)."""
    if isinstance(g, float) and g == 1.0:
        return d
    if isinstance(d, float) and d == 1.0:
        return g
    return g * d


def _graph_sweep(order: list[Value]) -> dict[Value, float | Value]:
    """The backward walk on Values: each gradient is recorded as a graph of its own.

    A gradient stays a float while it is a constant (the seed 1.0, or a relu's 0/1),
    so no node is recorded for work whose derivative is zero anyway.
    """
    grads: dict[Value, float | Value] = {order[-1]: 1.0}
    with enable_grad():  # a gradient asked for as a graph is recorded, even under no_grad
        for node in reversed(order):
            children = node._children
            if not children or node not in grads:
                continue
            g = grads[node]
            op = node._op
            assert op is not None
            try:
                ds = op.derivatives(node, *children)
            except ArithmeticError as error:
                raise derivative_error(node, error) from error
            for child, d in zip(children, ds, strict=True):
                contribution = _times(g, d)
                grads[child] = grads[child] + contribution if child in grads else contribution
    return grads


def _as_value(g: float | Value) -> Value:
    return g if isinstance(g, Value) else Value(g)


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
    if create_graph:
        grads = _graph_sweep(order)
        existing = set(order)
        # A gradient that is a node of the forward graph itself (d(a*b)/da is b) is
        # handed back as a copy, so that relabelling it cannot rename the caller's b.
        return [
            apply(COPY, [g]) if isinstance(g, Value) and g in existing else _as_value(g)
            for g in (grads.get(x, 0.0) for x in inputs)
        ]
    # The float walk works in .grad: save every .grad, walk from zero, restore.
    saved = [node.grad for node in order]
    for node in order:
        node.grad = 0.0
    output.grad = 1.0
    try:
        _sweep(order)
        in_graph = set(order)
        return [Value(x.grad if x in in_graph else 0.0) for x in inputs]
    finally:
        for node, old in zip(order, saved, strict=True):
            node.grad = old
