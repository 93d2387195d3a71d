"""The :class:`Value`: one scalar node of a computation graph.

Every arithmetic operation on Values returns a new Value that remembers which op made
it (``.op``) and from which Values (``.children``, in argument order). Those records
form a directed acyclic graph, and ``backward()`` walks it from the output back to
the inputs, applying the chain rule at every node.

Design notes, for readers who want to know why it looks like this:

* A node stores only ``data``, ``grad``, ``label``, its op and its children, in
  ``__slots__``. There are no per-node closures (micrograd keeps one ``_backward``
  function per node): the op object is shared, and its derivative formula lives in
  :mod:`autograd.ops`. Without closures a node holds no reference back to itself, so
  the graph is freed the moment the last reference to its output goes, and the
  garbage collector never has to hunt for cycles.
* Children are a tuple in argument order, so ``a + a`` has two child edges and every
  traversal and drawing of a graph is deterministic.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from typing import SupportsFloat

from autograd import grad_mode, ops

Number = int | float | SupportsFloat
"""Anything :class:`Value` accepts as data: int, float, bool, Fraction, numpy scalar."""

_INF = math.inf
_new = object.__new__


def as_float(x: object, what: str = "Value data") -> float:
    """Convert a real number to float, or raise TypeError naming what was given.

    Accepts int, float, bool, :class:`fractions.Fraction`, numpy scalars and 0-d
    arrays; rejects str, complex, None, containers and Values.

    Raises:
        TypeError: for anything that is not a real number.
        OverflowError: for an int too large for a float.
    """
    if type(x) is float:
        return x
    if isinstance(x, Value):
        raise TypeError(f"{what} must be a number, got a Value ({x!r}); use it directly")
    if isinstance(x, numbers.Real):
        try:
            return float(x)
        except OverflowError:
            raise OverflowError(f"{what}: the integer {x} is too large for a float") from None
    if type(x).__module__ == "numpy" and getattr(x, "size", None) == 1:
        item = x.item()  # type: ignore[attr-defined]
        if not isinstance(item, complex):  # numpy bool_ and 0-d arrays land here
            return as_float(item, what)
    raise TypeError(
        f"{what} must be a real number (int, float, bool, Fraction or numpy scalar), "
        f"got {type(x).__name__}: {x!r:.60}"
    )


class Value:
    """A scalar that remembers how it was computed, so that it can be differentiated.

    Args:
        data: the number. Stored as a float; NaN and +-inf are allowed (they
            propagate as in IEEE arithmetic) but no op turns finite numbers into them:
            overflow raises OverflowError.
        label: a name shown in drawings of the graph, e.g. ``"x"`` or ``"0.weight[3,1]"``.

    Attributes:
        data: the value, a float.
        grad: d(output)/d(this value), accumulated by ``backward()``; starts at 0.0.
        label: a display name (settable).

    Example:
        >>> from autograd import Value
        >>> x = Value(3.0, label="x")
        >>> y = x * x + 2 * x          # y = x**2 + 2x
        >>> y.backward()
        >>> y.data, x.grad            # dy/dx = 2x + 2 = 8
        (15.0, 8.0)
    """

    __slots__ = ("_children", "_op", "data", "grad", "label")

    data: float
    grad: float
    label: str
    _op: ops.Op | None
    _children: tuple[Value, ...]

    def __init__(self, data: Number, label: str = "") -> None:
        self.data = as_float(data)
        self.grad = 0.0
        if not isinstance(label, str):
            raise TypeError(f"label must be a str, got {type(label).__name__}: {label!r:.60}")
        self.label = label
        self._op = None
        self._children = ()

    # -- the graph record -------------------------------------------------------------

    @property
    def op(self) -> str:
        """The name of the op that made this value (``"+"``, ``"tanh"``...); ``""`` for a leaf."""
        return self._op.name if self._op is not None else ""

    @property
    def children(self) -> tuple[Value, ...]:
        """The Values this one was computed from, in argument order (``()`` for a leaf)."""
        return self._children

    @property
    def op_info(self) -> ops.Op | None:
        """The op object itself (with its derivative formula), or None for a leaf."""
        return self._op

    @property
    def is_leaf(self) -> bool:
        """True for an input, a parameter or a constant: a Value no op produced."""
        return not self._children

    def item(self) -> float:
        """The data as a Python float (as ``torch.Tensor.item()``)."""
        return self.data

    def __float__(self) -> float:
        return self.data

    def __repr__(self) -> str:
        parts = [repr(self.data), f"grad={self.grad!r}"]
        if self.label:
            parts.append(f"label={self.label!r}")
        if self._op is not None:
            parts.append(f"op={self._op.symbol!r}")
        return f"Value({', '.join(parts)})"

    # -- arithmetic: each operator records one node -----------------------------------

    def __add__(self, other: Value | Number) -> Value:
        return _apply2(ops.ADD, self, other if isinstance(other, Value) else Constant(other))

    def __radd__(self, other: Number) -> Value:
        return _apply2(ops.ADD, Constant(other), self)

    def __sub__(self, other: Value | Number) -> Value:
        return _apply2(ops.SUB, self, other if isinstance(other, Value) else Constant(other))

    def __rsub__(self, other: Number) -> Value:
        return _apply2(ops.SUB, Constant(other), self)

    def __mul__(self, other: Value | Number) -> Value:
        return _apply2(ops.MUL, self, other if isinstance(other, Value) else Constant(other))

    def __rmul__(self, other: Number) -> Value:
        return _apply2(ops.MUL, Constant(other), self)

    def __truediv__(self, other: Value | Number) -> Value:
        return _apply2(ops.DIV, self, other if isinstance(other, Value) else Constant(other))

    def __rtruediv__(self, other: Number) -> Value:
        return _apply2(ops.DIV, Constant(other), self)

    def __pow__(self, exponent: Value | Number) -> Value:
        """``x ** n`` for a number n (one child), or ``x ** y`` for a Value y (two children).

        With a Value exponent the base must be positive, because d(x**y)/dy = x**y log(x).
        """
        if isinstance(exponent, Value):
            return _apply2(ops.POW, self, exponent)
        return _apply1(ops.Power.of(as_float(exponent, "exponent")), self)

    def __rpow__(self, base: Number) -> Value:
        return _apply2(ops.POW, Constant(base), self)

    def __neg__(self) -> Value:
        return _apply1(ops.NEG, self)

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        return _apply1(ops.ABS, self)

    def abs(self) -> Value:
        """|x|, with derivative sign(x) and 0 at x = 0 (as in PyTorch)."""
        return _apply1(ops.ABS, self)

    def exp(self) -> Value:
        """e**x. Raises OverflowError above x ~ 709.78."""
        return _apply1(ops.EXP, self)

    def log(self) -> Value:
        """Natural log. Raises ValueError for x <= 0."""
        return _apply1(ops.LOG, self)

    def sqrt(self) -> Value:
        """Square root. Raises ValueError for x < 0; its derivative at 0 is infinite."""
        return _apply1(ops.SQRT, self)

    def tanh(self) -> Value:
        """tanh(x), in (-1, 1); derivative 1 - tanh(x)**2, which vanishes for large |x|."""
        return _apply1(ops.TANH, self)

    def sigmoid(self) -> Value:
        """1 / (1 + e**-x), in (0, 1); derivative s(1 - s) <= 1/4, vanishing for large |x|."""
        return _apply1(ops.SIGMOID, self)

    def relu(self) -> Value:
        """max(0, x); derivative 1 for x > 0 and 0 otherwise (dead for x <= 0)."""
        return _apply1(ops.RELU, self)

    def leaky_relu(self, negative_slope: float = 0.01) -> Value:
        """x for x > 0, else negative_slope * x: a relu whose gradient never dies."""
        return _apply1(ops.LeakyRelu.of(as_float(negative_slope, "negative_slope")), self)

    def softplus(self) -> Value:
        """log(1 + e**x), a smooth relu whose derivative is sigmoid(x). Never overflows."""
        return _apply1(ops.SOFTPLUS, self)

    def sin(self) -> Value:
        """sin(x)."""
        return _apply1(ops.SIN, self)

    def cos(self) -> Value:
        """cos(x)."""
        return _apply1(ops.COS, self)

    # -- comparisons look at data and record nothing -----------------------------------
    # (== and hash stay identity-based, so Values can be dict keys and set members.)

    def __lt__(self, other: Value | Number) -> bool:
        return self.data < _data_of(other)

    def __le__(self, other: Value | Number) -> bool:
        return self.data <= _data_of(other)

    def __gt__(self, other: Value | Number) -> bool:
        return self.data > _data_of(other)

    def __ge__(self, other: Value | Number) -> bool:
        return self.data >= _data_of(other)

    # -- differentiation ------------------------------------------------------------

    def backward(self, gradient: Value | Number = 1.0) -> None:
        """Backpropagate from this value: add d(self)/d(node) to ``node.grad`` for every node.

        The gradient of this value with respect to itself is ``gradient`` (1 by
        default; pass another number to backpropagate an upstream gradient). Gradients
        *accumulate* across calls, as in PyTorch; zero them between training steps.
        Works on graphs of any depth (no recursion).

        Raises:
            ArithmeticError: if a local derivative is infinite at this point (e.g.
                sqrt at 0); the message names the op and its input.
        """
        from autograd.backprop import backward

        backward(self, gradient)


class Constant(Value):
    """A plain number that took part in an expression, such as the 2 in ``2 * x``.

    It is a leaf like any other (it even receives a gradient); it is its own type only
    so that drawings can show it as a constant rather than as an input.
    """

    __slots__ = ()


def _data_of(x: Value | Number) -> float:
    return x.data if isinstance(x, Value) else as_float(x)


def _record(op: ops.Op, data: float, children: tuple[Value, ...]) -> Value:
    """Make the node ``op(*children) = data`` (a bare leaf under ``no_grad``)."""
    node = _new(Value)
    node.data = data
    node.grad = 0.0
    node.label = ""
    if grad_mode._enabled:
        node._op = op
        node._children = children
    else:
        node._op = None
        node._children = ()
    return node


def _overflow(op: ops.Op, *xs: float) -> OverflowError:
    return OverflowError(f"{op.describe(*xs)} overflows: the result is too large for a float")


def _check_result(op: ops.Op, data: float, xs: Sequence[float]) -> None:
    """Called only for a non-finite result: fine if an input was already inf or NaN.

    From finite inputs, inf is an overflow, and so is NaN: every op refuses its domain
    errors itself, so a NaN can only come from an overflowed partial result (inf - inf
    inside a dot product of huge numbers, say).
    """
    if all(-_INF < x < _INF for x in xs):
        raise _overflow(op, *xs)


def _apply1(op: ops.Op, x: Value) -> Value:
    try:
        data = op.forward(x.data)
    except OverflowError:
        raise _overflow(op, x.data) from None
    if not -_INF < data < _INF:
        _check_result(op, data, (x.data,))
    return _record(op, data, (x,))


def _apply2(op: ops.Op, a: Value, b: Value) -> Value:
    try:
        data = op.forward(a.data, b.data)
    except OverflowError:
        raise _overflow(op, a.data, b.data) from None
    if not -_INF < data < _INF:
        _check_result(op, data, (a.data, b.data))
    return _record(op, data, (a, b))


def apply(op: ops.Op, args: Sequence[Value | Number]) -> Value:
    """Record ``op(*args)`` as one node: how any op, including one you write, is applied.

    Numbers among ``args`` become :class:`Constant` children. The generic path behind
    :func:`sum`, :func:`dot` and :func:`logsumexp`.

    Raises:
        ValueError: if the op cannot take that many arguments.

    Example:
        >>> from autograd import Value, apply, ops
        >>> y = apply(ops.MUL, [Value(3.0), 2])
        >>> y.data, y.op
        (6.0, '*')
    """
    children = tuple(a if isinstance(a, Value) else Constant(a) for a in args)
    if not op.accepts(len(children)):
        raise ValueError(f"{op!r} cannot take {len(children)} arguments")
    xs = [c.data for c in children]
    try:
        data = op.forward(*xs)
    except OverflowError:
        raise _overflow(op, *xs) from None
    if not -_INF < data < _INF:
        _check_result(op, data, xs)
    return _record(op, data, children)


def lift(x: Value | Number) -> Value:
    """``x`` itself if it is a Value, else a :class:`Constant` holding the number."""
    return x if isinstance(x, Value) else Constant(x)


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

    ``linear(W, X, b)[n][i]`` is the node ``dot(W[i], X[n], b[i])``, with exactly the
    children, value and gradient that call would give. It is how ``nn.Linear`` builds
    its graph, and it is faster than calling :func:`dot` row by row because each input
    row is turned into Values and read once for all the weight rows, and the weights
    are read once for the whole batch.

    Raises:
        ValueError: if a weight row and an input row differ in length, or the numbers
            of weight rows and biases differ.

    Example:
        >>> import autograd
        >>> from autograd import Value
        >>> W = [[Value(1.0), Value(2.0)], [Value(-1.0), Value(0.5)]]
        >>> b = [Value(0.5), Value(0.0)]
        >>> [[y.data for y in row] for row in autograd.value.linear(W, [[3.0, 4.0]], b)]
        [[11.5, -1.0]]
    """
    rows = [tuple(lift(w) for w in row) for row in weights]
    width = len(rows[0]) if rows else 0
    if width == 0:
        raise ValueError("linear needs at least one weight row of at least one weight")
    for row in rows:
        if len(row) != width:
            raise ValueError(
                f"linear needs weight rows of equal length, got {width} and {len(row)}"
            )
    if biases is None:
        op: ops.Op = ops.DOT
        tails: list[tuple[Value, ...]] = [()] * len(rows)
        offsets = [0.0] * len(rows)
    else:
        if len(biases) != len(rows):
            raise ValueError(f"linear got {len(rows)} weight rows but {len(biases)} biases")
        op = ops.DOT_BIAS
        tails = [(lift(b),) for b in biases]
        offsets = [t[0].data for t in tails]
    layer = list(zip(rows, [[w.data for w in row] for row in rows], tails, offsets, strict=True))
    out = []
    for x in inputs:
        if len(x) != width:
            raise ValueError(f"dot needs two sequences of equal length, got {width} and {len(x)}")
        xs = tuple(v if isinstance(v, Value) else Constant(v) for v in x)
        x_data = [v.data for v in xs]
        outputs = []
        for row, row_data, tail, offset in layer:
            data = ops.weighted_sum(row_data, x_data, offset)
            children = row + xs + tail
            if not -_INF < data < _INF:
                _check_result(op, data, [c.data for c in children])
            outputs.append(_record(op, data, children))
        out.append(outputs)
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
