"""Ops over many Values, each recorded as ONE node: :func:`sum`, :func:`dot`, :func:`logsumexp`.

``x1 + x2 + ... + xn`` written with ``+`` makes n - 1 nodes; :func:`sum` makes one node
with n children, whose local derivatives are all 1. The same holds for a neuron's
``w·x + b`` (:func:`dot`) and for the log-sum-exp of cross-entropy. One node per idea
keeps graphs small, drawings readable and backpropagation fast; :func:`linear` builds a
whole layer's dot nodes for a batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from autograd import ops
from autograd.numbers import Number
from autograd.value import Constant, Value, apply, lift, record


def sum(values: Iterable[Value | Number]) -> Value:  # noqa: A001 - mirrors torch.sum
    """x_1 + ... + x_n as ONE node with n children (the builtin ``sum`` makes n - 1 nodes).

    An empty input gives a constant 0.

    Example:
        >>> import autograd
        >>> xs = [autograd.Value(v) for v in (1.0, 2.0, 3.0)]
        >>> s = autograd.sum(xs)
        >>> s.data, s.op, len(s.children)
        (6.0, 'sum', 3)
    """
    children = [lift(v) for v in values]
    if not children:
        return Constant(0.0)
    return apply(ops.SUM, children)


def dot(
    weights: Sequence[Value | Number],
    inputs: Sequence[Value | Number],
    bias: Value | Number | None = None,
) -> Value:
    """w_1*x_1 + ... + w_n*x_n (+ b) as ONE node: a neuron's pre-activation.

    The children are ``(w_1..w_n, x_1..x_n)``, followed by ``b`` when a bias is given.

    Raises:
        ValueError: if the two sequences differ in length.

    Example:
        >>> import autograd
        >>> w = [autograd.Value(2.0), autograd.Value(-1.0)]
        >>> y = autograd.dot(w, [3.0, 4.0], bias=0.5)
        >>> y.backward()
        >>> y.data, [wi.grad for wi in w]
        (2.5, [3.0, 4.0])
    """
    if len(weights) != len(inputs):
        raise ValueError(
            f"dot needs two sequences of equal length, got {len(weights)} and {len(inputs)}"
        )
    children = [lift(v) for v in weights]
    children += [lift(v) for v in inputs]
    if bias is None:
        return apply(ops.DOT, children)
    children.append(lift(bias))
    return apply(ops.DOT_BIAS, children)


def linear(
    weights: Sequence[Sequence[Value]],
    inputs: Sequence[Sequence[Value | Number]],
    biases: Sequence[Value] | None = None,
) -> list[list[Value]]:
    """A layer's outputs for a batch: one :func:`dot` node per input row and weight row.

    ``linear(W, X, b)[n][i]`` is the node ``dot(W[i], X[n], b[i])``. It is how
    ``nn.Linear`` builds its graph: each row's numbers become Values once, for all the
    weight rows.

    Raises:
        ValueError: if a weight row and an input row differ in length, or the numbers
            of weight rows and biases differ.

    Example:
        >>> import autograd
        >>> from autograd import Value
        >>> W = [[Value(1.0), Value(2.0)], [Value(-1.0), Value(0.5)]]
        >>> b = [Value(0.5), Value(0.0)]
        >>> [[y.data for y in row] for row in autograd.linear(W, [[3.0, 4.0]], b)]
        [[11.5, -1.0]]
    """
    rows = [tuple(lift(w) for w in row) for row in weights]
    width = len(rows[0]) if rows else 0
    if width == 0 or any(len(row) != width for row in rows):
        raise ValueError(
            f"linear needs weight rows of one length >= 1, got lengths {[len(r) for r in rows]}"
        )
    tails: list[tuple[Value, ...]]
    if biases is None:
        op, tails = ops.DOT, [()] * len(rows)
    elif len(biases) != len(rows):
        raise ValueError(f"linear got {len(rows)} weight rows but {len(biases)} biases")
    else:
        op, tails = ops.DOT_BIAS, [(lift(b),) for b in biases]
    # Each weight row's numbers are read once for the batch, each input row's once for
    # all the weight rows: the value of node (n, i) is Dot's forward, w_i · x_n + b_i.
    layer = [
        (row, [w.data for w in row], tail, tail[0].data if tail else 0.0)
        for row, tail in zip(rows, tails, strict=True)
    ]
    out = []
    for x in inputs:
        if len(x) != width:
            raise ValueError(f"dot needs two sequences of equal length, got {width} and {len(x)}")
        xs = tuple(lift(v) for v in x)
        x_data = [v.data for v in xs]
        out.append(
            [
                record(op, row + xs + tail, ops.weighted_sum(w_data, x_data, offset))
                for row, w_data, tail, offset in layer
            ]
        )
    return out


def logsumexp(values: Iterable[Value | Number]) -> Value:
    """log(e**x_1 + ... + e**x_n) as one node, computed without overflow.

    Its gradient is the softmax of the inputs. Used by cross-entropy.

    Raises:
        ValueError: for an empty input.
    """
    children = [lift(v) for v in values]
    if not children:
        raise ValueError("logsumexp of an empty sequence is undefined (it would be log 0)")
    return apply(ops.LOGSUMEXP, children)
