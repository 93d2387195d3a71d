"""gradstep's scalar autograd engine.

A :class:`Value` is a number that records the operations applied to it, building a
graph; ``backward()`` walks that graph in reverse and fills in every ``.grad`` with
the chain rule.

Example:
    >>> from autograd import Value
    >>> x = Value(2.0, label="x")
    >>> w = Value(-3.0, label="w")
    >>> b = Value(6.5, label="b")
    >>> y = (x * w + b).tanh()
    >>> y.backward()
    >>> round(y.data, 4), round(x.grad, 4), round(w.grad, 4)
    (0.4621, -2.3593, 1.5729)

Public API:

* :class:`Value`, :class:`Constant`: graph nodes; ``Value.backward()``.
* :func:`sum`, :func:`dot`, :func:`logsumexp`: ops over many Values as one node;
  :func:`linear`: a layer's dot nodes for a batch.
* :func:`apply`: record any op of :mod:`autograd.ops` (or one you write) on Values.
* :func:`grad`: gradients as Values, with ``create_graph=True`` for higher orders.
* :func:`trace`: the backward walk recorded node by node (a :class:`Visit` each).
* :func:`topological_order`: the order backpropagation walks.
* :class:`no_grad`, :class:`enable_grad`, :func:`is_grad_enabled`: switch graph recording
  off (and back on).
* :func:`gradcheck`, :class:`GradcheckError`: compare with finite differences.
* :mod:`autograd.testing`: hypothesis strategies (random expression graphs).
* :mod:`autograd.ops`: every op, its forward formula and its local derivatives.
"""

from __future__ import annotations

from autograd import ops
from autograd.backprop import Visit
from autograd.grad_mode import enable_grad, is_grad_enabled, no_grad
from autograd.gradcheck import GradcheckError, gradcheck, numerical_grad
from autograd.gradients import grad, trace
from autograd.graph import topological_order
from autograd.nary import (
    dot,
    linear,
    logsumexp,
    sum,  # noqa: A004 - mirrors torch.sum
)
from autograd.value import Constant, Value, apply

__distribution__ = "gradstep"
"""This package is gradstep's, not a namesake's (see :mod:`autograd._own`)."""

__all__ = [
    "Constant",
    "GradcheckError",
    "Value",
    "Visit",
    "apply",
    "dot",
    "enable_grad",
    "grad",
    "gradcheck",
    "is_grad_enabled",
    "linear",
    "logsumexp",
    "no_grad",
    "numerical_grad",
    "ops",
    "sum",
    "topological_order",
    "trace",
]
