"""Gradients returned instead of stored: :func:`grad` and :func:`trace`.

``backward()`` adds its gradients to every node's ``.grad``. These two run the same walk
(:func:`autograd.backprop.walk`) but hand the gradients back and leave ``.grad`` as it
was: :func:`grad` for chosen inputs, optionally as Values with a graph of their own
(higher-order derivatives); :func:`trace` for every node, with a record of each step.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from autograd.backprop import Visit, check_finite, walk
from autograd.grad_mode import enable_grad
from autograd.graph import topological_order
from autograd.numbers import Number, as_float
from autograd.ops import COPY
from autograd.value import Value, record


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
            check_finite(order)
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
        >>> from autograd import trace
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
        check_finite(order)
        grads = {node: node.grad for node in order}
    return visits, grads
