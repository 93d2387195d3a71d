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

from collections.abc import Sequence
from math import isfinite

from autograd import grad_mode, ops
from autograd.numbers import Number as Number  # re-exported: the data a Value takes
from autograd.numbers import as_float as as_float

_new = object.__new__


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

    # -- arithmetic: each operator records one node ------------------------------------
    # (A number on the other side becomes a Constant; the check is written out rather
    # than calling lift(): these methods build every graph, and a call costs 20%.)

    def __add__(self, other: Value | Number) -> Value:
        return record(ops.ADD, (self, other if isinstance(other, Value) else constant(other)))

    def __radd__(self, other: Number) -> Value:
        return record(ops.ADD, (constant(other), self))

    def __sub__(self, other: Value | Number) -> Value:
        return record(ops.SUB, (self, other if isinstance(other, Value) else constant(other)))

    def __rsub__(self, other: Number) -> Value:
        return record(ops.SUB, (constant(other), self))

    def __mul__(self, other: Value | Number) -> Value:
        return record(ops.MUL, (self, other if isinstance(other, Value) else constant(other)))

    def __rmul__(self, other: Number) -> Value:
        return record(ops.MUL, (constant(other), self))

    def __truediv__(self, other: Value | Number) -> Value:
        return record(ops.DIV, (self, other if isinstance(other, Value) else constant(other)))

    def __rtruediv__(self, other: Number) -> Value:
        return record(ops.DIV, (constant(other), self))

    def __pow__(self, exponent: Value | Number) -> Value:
        """``x ** n`` for a number n (one child), or ``x ** y`` for a Value y (two children).

        With a Value exponent the base must be positive, because d(x**y)/dy = x**y log(x).
        """
        if isinstance(exponent, Value):
            return record(ops.POW, (self, exponent))
        return record(ops.Power.of(as_float(exponent, "exponent")), (self,))

    def __rpow__(self, base: Number) -> Value:
        return record(ops.POW, (constant(base), self))

    def __neg__(self) -> Value:
        return record(ops.NEG, (self,))

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        return record(ops.ABS, (self,))

    def abs(self) -> Value:
        """|x|, with derivative sign(x) and 0 at x = 0 (as in PyTorch)."""
        return record(ops.ABS, (self,))

    def exp(self) -> Value:
        """e**x. Raises OverflowError above x ~ 709.78."""
        return record(ops.EXP, (self,))

    def log(self) -> Value:
        """Natural log. Raises ValueError for x <= 0."""
        return record(ops.LOG, (self,))

    def sqrt(self) -> Value:
        """Square root. Raises ValueError for x < 0; its derivative at 0 is infinite."""
        return record(ops.SQRT, (self,))

    def tanh(self) -> Value:
        """tanh(x), in (-1, 1); derivative 1 - tanh(x)**2, which vanishes for large |x|."""
        return record(ops.TANH, (self,))

    def sigmoid(self) -> Value:
        """1 / (1 + e**-x), in (0, 1); derivative s(1 - s) <= 1/4, vanishing for large |x|."""
        return record(ops.SIGMOID, (self,))

    def relu(self) -> Value:
        """max(0, x); derivative 1 for x > 0 and 0 otherwise (dead for x <= 0)."""
        return record(ops.RELU, (self,))

    def leaky_relu(self, negative_slope: float = 0.01) -> Value:
        """x for x > 0, else negative_slope * x: a relu whose gradient never dies."""
        return record(ops.LeakyRelu.of(as_float(negative_slope, "negative_slope")), (self,))

    def softplus(self) -> Value:
        """log(1 + e**x), a smooth relu whose derivative is sigmoid(x). Never overflows."""
        return record(ops.SOFTPLUS, (self,))

    def sin(self) -> Value:
        """sin(x)."""
        return record(ops.SIN, (self,))

    def cos(self) -> Value:
        """cos(x)."""
        return record(ops.COS, (self,))

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


def constant(x: Number) -> Constant:
    """``Constant(x)``, made faster: a node such as ``y * 1.0001`` makes one every time."""
    leaf = _new(Constant)
    leaf.data = x if type(x) is float else as_float(x)
    leaf.grad = 0.0
    leaf.label = ""
    leaf._op = None
    leaf._children = ()
    return leaf


def lift(x: Value | Number) -> Value:
    """``x`` itself if it is a Value, else a :class:`Constant` holding the number."""
    return x if isinstance(x, Value) else constant(x)


def _overflow(op: ops.Op, children: Sequence[Value]) -> OverflowError:
    described = op.describe(*[c.data for c in children])
    return OverflowError(f"{described} overflows: the result is too large for a float")


def record(op: ops.Op, children: tuple[Value, ...], data: float | None = None) -> Value:
    """The node ``op(*children)``: compute its value and record where it came from.

    Every node of every graph is made here: by the operators and methods of
    :class:`Value`, by :func:`apply`, and by the helpers below. Under ``no_grad`` the
    value is computed but the node is a bare leaf, remembering nothing.

    No op may turn finite numbers into an infinite one: that is an overflow, and so is
    a NaN from finite numbers (every op refuses its domain errors itself, so a NaN can
    only come from an overflowed partial result, inf - inf inside a dot product of
    huge numbers, say). An inf or NaN already among the inputs propagates as in IEEE.

    ``data``, if given, is the value the op's forward gives (computed by a caller that
    shares work between nodes, as :func:`autograd.linear` does); it is not recomputed.

    Raises:
        OverflowError: naming the op and its inputs.
    """
    if data is None:
        n = len(children)
        try:  # unary and binary ops are nearly every node: their arguments are spelled out
            if n == 2:
                data = op.forward(children[0].data, children[1].data)
            elif n == 1:
                data = op.forward(children[0].data)
            else:
                data = op.forward(*[c.data for c in children])
        except OverflowError:
            raise _overflow(op, children) from None
    if not isfinite(data) and all(isfinite(c.data) for c in children):
        raise _overflow(op, children)
    node = _new(Value)
    node.data = data
    node.grad = 0.0
    node.label = ""
    if not grad_mode.threads_off or grad_mode.state.enabled:
        node._op = op
        node._children = children
    else:
        node._op = None
        node._children = ()
    return node


def apply(op: ops.Op, args: Sequence[Value | Number]) -> Value:
    """Record ``op(*args)`` as one node: how any op, including one you write, is applied.

    Numbers among ``args`` become :class:`Constant` children. The generic path behind
    :func:`sum`, :func:`dot` and :func:`logsumexp`.

    Raises:
        TypeError: if ``op`` is not an op of :mod:`autograd.ops`.
        ValueError: if the op cannot take that many arguments.

    Example:
        >>> from autograd import Value, apply, ops
        >>> y = apply(ops.MUL, [Value(3.0), 2])
        >>> y.data, y.op
        (6.0, '*')
    """
    if not isinstance(op, ops.Op):
        raise TypeError(
            f"apply() takes an op of autograd.ops (such as ops.MUL), got "
            f"{type(op).__name__}: {op!r:.60}"
        )
    children = tuple(lift(a) for a in args)
    if not op.accepts(len(children)):
        raise ValueError(f"{op!r} cannot take {len(children)} arguments")
    return record(op, children)
