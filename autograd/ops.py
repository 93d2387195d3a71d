"""Every operation a :class:`~autograd.Value` can record, each defined once, in one place.

An op is one class holding two formulas side by side, and the same two in words:

* ``forward(x)`` (or ``forward(a, b)``, or ``forward(*xs)`` for ops over any number of
  arguments): the result, computed on plain floats;
* ``derivatives(out, x)`` (or ``(out, a, b)``, or ``(out, *xs)``): the *local*
  derivative of the result with respect to each argument, d out / d x_i, as a tuple in
  argument order. ``out`` is the result, which many formulas reuse;
* ``arguments``, ``expression`` and ``derivative_text``: the op for a learner to read,
  which the step-through player shows (``d tanh(x)/dx = 1 - tanh(x)²``).

For example, multiplication::

    class Mul(BinaryOp):
        name = "*"
        arguments = ("a", "b")
        expression = "a * b"
        derivative_text = ("b", "a")

        def forward(self, a, b):
            return a * b

        def derivatives(self, out, a, b):
            return (b, a)  # d(a*b)/da = b, d(a*b)/db = a

Backpropagation only ever multiplies an incoming gradient by these local derivatives
(the chain rule) and adds the products up, so an op needs nothing else.

The derivative formulas are written with arithmetic operators only (plus the few
helpers below), so the same formula works on floats, which is what ``backward()``
uses, and on Values, which is what ``autograd.grad(..., create_graph=True)`` uses to
build a differentiable graph of the gradient itself (higher-order derivatives).

**Adding an op** (say ``atan``), the whole recipe:

1. write its class here: ``name``, ``forward``, ``derivatives``, the text
   (``arguments``, ``expression``, ``derivative_text``) and ``function = True`` if
   formulas call it by name, as ``atan(x)``;
2. register an instance: ``ATAN = register(Atan())``, which checks that nothing is
   missing;
3. give :class:`~autograd.Value` a one-line method: ``def atan(self): return
   record(ATAN, (self,))``.

Everything else follows from :data:`REGISTRY`: the ``gradstep`` command's formulas
accept ``atan(x)``, the step-through player explains it, :mod:`autograd.testing` puts
it into random expressions, and the test suite asks for a reference value and a
hand-derived derivative (``tests/autograd/test_ops.py``) and checks both against the
op. An op written elsewhere (``nn`` registers its ``bce``) goes through the same
:func:`register`.

This module is float math and knows nothing of graphs, with one exception: an op may
define ``accumulate(g, children)``, which adds ``g`` × each local derivative to the
children's ``.grad`` directly, for an op whose derivative tuple would be large
(:class:`Dot`, a neuron with many inputs). Domain errors are raised here, by
``forward``, with messages that name the op and the offending number. Overflow (a
finite input giving an infinite result) is detected generically when the node is
recorded, in :mod:`autograd.value`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import mul
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, Union

if TYPE_CHECKING:
    from autograd.value import Value

Scalar = Union[float, "Value"]
"""A plain float (first-order backward) or a Value (when the gradient is itself recorded)."""

S = TypeVar("S", float, "Value")
"""Derivative formulas take all floats or all Values; a result may also be a constant float."""


# Helpers that let a derivative formula use a function on floats and Values alike.
def _exp(x: S) -> S:
    return math.exp(x) if isinstance(x, float) else x.exp()


def _log(x: S) -> S:
    return math.log(x) if isinstance(x, float) else x.log()


def _sin(x: S) -> S:
    return math.sin(x) if isinstance(x, float) else x.sin()


def _cos(x: S) -> S:
    return math.cos(x) if isinstance(x, float) else x.cos()


def _sigmoid(x: S) -> S:
    return SIGMOID.forward(x) if isinstance(x, float) else x.sigmoid()


def _step(x: S) -> float:
    """1.0 where x > 0, else 0.0: the derivative of relu (0 at the kink, as in PyTorch)."""
    return 1.0 if x > 0.0 else 0.0


def _sign(x: S) -> float:
    """The derivative of abs: +1 or -1, and 0 at the kink (as in PyTorch)."""
    return 1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0


@dataclass(frozen=True)
class Formula:
    """An op written out for a learner: its arguments' names, what it computes, its derivatives.

    Attributes:
        arguments: the name of each argument, in argument order (``("a", "b")``).
        expression: what the op computes, in those names (``"a * b"``, ``"tanh(x)"``).
        derivatives: d expression / d argument, for each argument (``("b", "a")``).

    Example:
        >>> TANH.formula(1).local(0)
        'd tanh(x)/dx = 1 - tanh(x)²'
        >>> MUL.formula(2).local(1)
        'd(a * b)/db = a'
    """

    arguments: tuple[str, ...]
    expression: str
    derivatives: tuple[str, ...]

    def local(self, k: int) -> str:
        """The local derivative of argument ``k``, e.g. ``d(a * b)/da = b``."""
        written = self.expression
        call = written.endswith(")") and written.index("(") > 0 and written[0].isalpha()
        head = f"d {written}" if call else f"d({written})"
        return f"{head}/d{self.arguments[k]} = {self.derivatives[k]}"


def _numbered(letter: str, n: int) -> tuple[str, ...]:
    """``("x_1", ..., "x_n")``: argument names for ops over any number of arguments."""
    return tuple(f"{letter}_{i}" for i in range(1, n + 1))


class Op:
    """Base class of all ops: one class holds everything about an op.

    Attributes:
        name: what ``Value.op`` reports, e.g. ``"+"`` or ``"tanh"``.
        arity: the number of arguments, or ``None`` for an op over any number of them.
        arguments, expression, derivative_text: the op in words, for the step-through
            player (see :class:`Formula`): e.g. ``("x",)``, ``"tanh(x)"`` and
            ``("1 - tanh(x)²",)``. Ops over any number of arguments write
            :meth:`formula` instead.
        function: True if formulas call the op by name, as ``name(x)``: the ``gradstep``
            command's formulas then accept it.
    """

    name: ClassVar[str] = ""
    arity: ClassVar[int | None] = None
    arguments: ClassVar[tuple[str, ...]] = ()
    expression: ClassVar[str] = ""
    derivative_text: ClassVar[tuple[str, ...]] = ()
    function: ClassVar[bool] = False

    # Each kind of op spells out its own arguments: forward(x) and derivatives(out, x)
    # for unary ops, forward(a, b) and derivatives(out, a, b) for binary ones, and
    # *xs for ops over any number of arguments.
    forward: Callable[..., float]
    """The result of the op on floats."""
    derivatives: Callable[..., tuple[Any, ...]]
    """d out / d x_i for each argument, given ``out`` and the arguments (floats or Values)."""

    def accepts(self, n: int) -> bool:
        """Whether the op can take ``n`` arguments."""
        return n == self.arity if self.arity is not None else n >= 1

    def formula(self, n: int) -> Formula:
        """The op applied to ``n`` arguments, in words (see :class:`Formula`)."""
        return Formula(self.arguments, self.expression, self.derivative_text)

    @property
    def symbol(self) -> str:
        """Text for drawings; includes parameters, e.g. ``**2`` for ``x ** 2``."""
        return self.name

    def format(self, *args: str) -> str:
        """The call written out with the given argument texts: ``a * b``, ``exp(x)``."""
        if self.arity == 2 and not self.function:
            return f"{args[0]} {self.symbol} {args[1]}"
        return f"{self.name}({', '.join(args)})"

    def describe(self, *xs: float) -> str:
        """The call on numbers, for error messages: ``2.0 * 3.0`` or ``exp(800.0)``."""
        shown = [repr(x) for x in xs[:4]] + (["..."] if len(xs) > 4 else [])
        return self.format(*shown)

    def smooth_at(self, *xs: float, margin: float) -> bool:
        """Whether the op is defined and differentiable on a ball of radius ``margin``.

        Property tests draw inputs with this, so finite differences never straddle a
        kink (relu at 0) or a pole (1/x at 0). Ops that are smooth everywhere keep the
        default.
        """
        return True

    def __repr__(self) -> str:
        return f"<op {self.symbol}>"


# ---------------------------------------------------------------------------------
# Binary ops
# ---------------------------------------------------------------------------------


class BinaryOp(Op):
    """An op of two arguments."""

    arity = 2


class Add(BinaryOp):
    """a + b; d/da = 1, d/db = 1."""

    name = "+"
    arguments = ("a", "b")
    expression = "a + b"
    derivative_text = ("1", "1")

    def forward(self, a: float, b: float) -> float:
        return a + b

    def derivatives(self, out: S, a: S, b: S) -> tuple[S | float, ...]:
        return (1.0, 1.0)


class Sub(BinaryOp):
    """a - b; d/da = 1, d/db = -1."""

    name = "-"
    arguments = ("a", "b")
    expression = "a - b"
    derivative_text = ("1", "-1")

    def forward(self, a: float, b: float) -> float:
        return a - b

    def derivatives(self, out: S, a: S, b: S) -> tuple[S | float, ...]:
        return (1.0, -1.0)


class Mul(BinaryOp):
    """a * b; d/da = b, d/db = a."""

    name = "*"
    arguments = ("a", "b")
    expression = "a * b"
    derivative_text = ("b", "a")

    def forward(self, a: float, b: float) -> float:
        return a * b

    def derivatives(self, out: S, a: S, b: S) -> tuple[S | float, ...]:
        return (b, a)


class Div(BinaryOp):
    """a / b; d/da = 1/b, d/db = -a/b**2 = -out/b.

    Raises:
        ZeroDivisionError: if b == 0.
    """

    name = "/"
    arguments = ("a", "b")
    expression = "a / b"
    derivative_text = ("1 / b", "-a / b²")

    def forward(self, a: float, b: float) -> float:
        if b == 0.0:
            raise ZeroDivisionError(f"division by zero: {a!r} / {b!r}")
        return a / b

    def derivatives(self, out: S, a: S, b: S) -> tuple[S | float, ...]:
        return (1.0 / b, -out / b)

    def smooth_at(self, *xs: float, margin: float) -> bool:
        return abs(xs[1]) > margin  # away from the pole at b = 0


class Pow(BinaryOp):
    """a ** b with both a and b recorded (a Value exponent).

    d/da = b * a**(b - 1), d/db = a**b * log(a) = out * log(a). The second formula
    needs log(a), so the base must be positive, as in real-valued math.

    Raises:
        ValueError: if a <= 0.
    """

    name = "**"
    arguments = ("a", "b")
    expression = "a ** b"
    derivative_text = ("b * a ** (b - 1)", "a ** b * log(a)")

    def forward(self, a: float, b: float) -> float:
        if a <= 0.0:
            raise ValueError(
                f"{a!r} ** {b!r}: a Value exponent needs a positive base (d/db = a**b * log(a)); "
                "for a constant exponent use a plain number, e.g. x ** 2"
            )
        return float(a**b)

    def derivatives(self, out: S, a: S, b: S) -> tuple[S | float, ...]:
        return (b * a ** (b - 1.0), out * _log(a))

    def smooth_at(self, *xs: float, margin: float) -> bool:
        return xs[0] > margin


# ---------------------------------------------------------------------------------
# Unary ops
# ---------------------------------------------------------------------------------


class UnaryOp(Op):
    """An op of one argument."""

    arity = 1


class Neg(UnaryOp):
    """-x; d/dx = -1."""

    name = "neg"
    arguments = ("x",)
    expression = "-x"
    derivative_text = ("-1",)

    def forward(self, x: float) -> float:
        return -x

    def derivatives(self, out: S, x: S) -> tuple[S | float, ...]:
        return (-1.0,)

    @property
    def symbol(self) -> str:
        return "-"

    def format(self, *args: str) -> str:
        return f"-{args[0]}"


class Copy(UnaryOp):
    """x itself, as a new node; d/dx = 1.

    ``autograd.grad(..., create_graph=True)`` returns a gradient that is already a node
    of the graph (d(a*b)/da is b itself) through a copy, so that renaming or changing
    the gradient it hands back cannot change the caller's own Values.
    """

    name = "copy"
    arguments = ("x",)
    expression = "x"
    derivative_text = ("1",)

    def forward(self, x: float) -> float:
        return x

    def derivatives(self, out: S, x: S) -> tuple[S | float, ...]:
        return (1.0,)


class Power(UnaryOp):
    """x ** n for a constant number n; d/dx = n * x**(n - 1).

    Create instances with :meth:`of`, which caches one per exponent.

    Raises:
        ValueError: for a negative x with a non-integer n (the result would be complex).
        ZeroDivisionError: for x == 0 with n < 0.
    """

    name = "**"

    def __init__(self, exponent: float) -> None:
        self.exponent = float(exponent)

    @staticmethod
    def of(exponent: float) -> Power:
        """The op for ``x ** exponent`` (one shared instance per exponent).

        Raises:
            ValueError: for a NaN exponent (every power would be NaN).
        """
        if math.isnan(exponent):
            raise ValueError("x ** n: the exponent n is NaN; every result would be NaN")
        return _power(float(exponent))

    @property
    def symbol(self) -> str:
        return f"**{self.exponent:g}"

    def formula(self, n: int) -> Formula:
        p = self.exponent
        if p in (0.0, 1.0, 2.0):
            derivative = {0.0: "0", 1.0: "1", 2.0: "2 * x"}[p]
        else:
            derivative = f"{p:g} * x ** {p - 1:g}"
        return Formula(("x",), f"x ** {p:g}", (derivative,))

    def format(self, *args: str) -> str:
        return f"{args[0]} ** {self.exponent!r}"

    def forward(self, x: float) -> float:
        n = self.exponent
        if x < 0.0 and not n.is_integer():
            raise ValueError(f"{x!r} ** {n!r}: a negative number to a non-integer power is complex")
        if x == 0.0 and n < 0.0:
            raise ZeroDivisionError(f"{x!r} ** {n!r}: zero to a negative power is 1 / 0")
        return float(x**n)

    def derivatives(self, out: S, x: S) -> tuple[S | float, ...]:
        n = self.exponent
        if n == 0.0:
            return (0.0,)
        if n == 1.0:
            return (1.0,)
        return (n * x ** (n - 1.0),)

    def smooth_at(self, *xs: float, margin: float) -> bool:
        x, n = xs[0], self.exponent
        if n.is_integer() and n >= 0.0:
            return True
        # Non-integer powers are undefined below 0; negative powers have a pole at 0;
        # fractional powers below 1 have an infinite slope at 0.
        return x > margin if not n.is_integer() else abs(x) > margin


@lru_cache(maxsize=256)
def _power(exponent: float) -> Power:
    return Power(exponent)


class Exp(UnaryOp):
    """e**x; d/dx = e**x = out."""

    name = "exp"
    arguments = ("x",)
    expression = "exp(x)"
    derivative_text = ("exp(x)",)
    function = True

    def forward(self, x: float) -> float:
        return math.exp(x)

    def derivatives(self, out: S, x: S) -> tuple[S | float, ...]:
        return (out,)


class Log(UnaryOp):
    """Natural logarithm; d/dx = 1/x.

    Raises:
        ValueError: if x <= 0.
    """

    name = "log"
    arguments = ("x",)
    expression = "log(x)"
    derivative_text = ("1 / x",)
    function = True

    def forward(self, x: float) -> float:
        if x <= 0.0:  # (NaN passes through as NaN)
            raise ValueError(f"log({x!r}): log is only defined for positive numbers")
        return math.log(x)

    def derivatives(self, out: S, x: S) -> tuple[S | float, ...]:
        return (1.0 / x,)

    def smooth_at(self, *xs: float, margin: float) -> bool:
        return xs[0] > margin


class Sqrt(UnaryOp):
    """Square root; d/dx = 1 / (2 sqrt(x)) = 0.5 / out (infinite at 0).

    Raises:
        ValueError: if x < 0.
    """

    name = "sqrt"
    arguments = ("x",)
    expression = "sqrt(x)"
    derivative_text = ("1 / (2 sqrt(x))",)
    function = True

    def forward(self, x: float) -> float:
        if x < 0.0:
            raise ValueError(f"sqrt({x!r}): sqrt is only defined for numbers >= 0")
        return math.sqrt(x)

    def derivatives(self, out: S, x: S) -> tuple[S | float, ...]:
        return (0.5 / out,)

    def smooth_at(self, *xs: float, margin: float) -> bool:
        return xs[0] > margin


class Tanh(UnaryOp):
    """Hyperbolic tangent; d/dx = 1 - tanh(x)**2 = 1 - out**2.

    Finite for every finite x: math.tanh saturates to +-1 instead of overflowing.
    """

    name = "tanh"
    arguments = ("x",)
    expression = "tanh(x)"
    derivative_text = ("1 - tanh(x)²",)
    function = True

    def forward(self, x: float) -> float:
        return math.tanh(x)

    def derivatives(self, out: S, x: S) -> tuple[S | float, ...]:
        return (1.0 - out * out,)


class Sigmoid(UnaryOp):
    """The logistic function 1 / (1 + e**-x); d/dx = out * (1 - out).

    Computed so that e**t is only ever taken for t <= 0, so it never overflows.
    """

    name = "sigmoid"
    arguments = ("x",)
    expression = "sigmoid(x)"
    derivative_text = ("sigmoid(x) (1 - sigmoid(x))",)
    function = True

    def forward(self, x: float) -> float:
        if x >= 0.0:
            return 1.0 / (1.0 + math.exp(-x))
        e = math.exp(x)
        return e / (1.0 + e)

    def derivatives(self, out: S, x: S) -> tuple[S | float, ...]:
        return (out * (1.0 - out),)


class Softplus(UnaryOp):
    """log(1 + e**x), a smooth relu; d/dx = sigmoid(x).

    Computed as max(x, 0) + log1p(e**-|x|), which never overflows.
    """

    name = "softplus"
    arguments = ("x",)
    expression = "softplus(x)"
    derivative_text = ("sigmoid(x)",)
    function = True

    def forward(self, x: float) -> float:
        return max(x, 0.0) + math.log1p(math.exp(-abs(x)))

    def derivatives(self, out: S, x: S) -> tuple[S | float, ...]:
        return (_sigmoid(x),)


class Relu(UnaryOp):
    """max(0, x); d/dx = 1 for x > 0, else 0 (0 at the kink, as in PyTorch)."""

    name = "relu"
    arguments = ("x",)
    expression = "relu(x)"
    derivative_text = ("1 if x > 0 else 0",)
    function = True

    def forward(self, x: float) -> float:
        return 0.0 if x <= 0.0 else x  # (written so that NaN stays NaN)

    def derivatives(self, out: S, x: S) -> tuple[S | float, ...]:
        return (_step(x),)

    def smooth_at(self, *xs: float, margin: float) -> bool:
        return abs(xs[0]) > margin


class LeakyRelu(UnaryOp):
    """x for x > 0, else negative_slope * x; d/dx = 1 or negative_slope (at 0 too).

    Create instances with :meth:`of`, which caches one per slope.
    """

    name = "leaky_relu"
    arguments = ("x",)
    expression = "leaky_relu(x)"
    function = True

    def __init__(self, negative_slope: float) -> None:
        self.negative_slope = float(negative_slope)

    @staticmethod
    def of(negative_slope: float) -> LeakyRelu:
        """The op for a given slope (one shared instance per slope).

        Raises:
            ValueError: for a slope that is NaN or infinite.
        """
        if not math.isfinite(negative_slope):
            raise ValueError(
                f"leaky_relu: negative_slope must be a finite number, got {negative_slope!r}"
            )
        return _leaky_relu(float(negative_slope))

    @property
    def symbol(self) -> str:
        return f"leaky_relu({self.negative_slope:g})"

    def formula(self, n: int) -> Formula:
        slope = f"{self.negative_slope:g}"
        return Formula(("x",), "leaky_relu(x)", (f"1 if x > 0 else {slope}",))

    def format(self, *args: str) -> str:
        return f"leaky_relu({args[0]}, {self.negative_slope!r})"

    def forward(self, x: float) -> float:
        return x if x > 0.0 else self.negative_slope * x

    def derivatives(self, out: S, x: S) -> tuple[S | float, ...]:
        return (1.0 if x > 0.0 else self.negative_slope,)

    def smooth_at(self, *xs: float, margin: float) -> bool:
        return abs(xs[0]) > margin


@lru_cache(maxsize=64)
def _leaky_relu(negative_slope: float) -> LeakyRelu:
    return LeakyRelu(negative_slope)


class Abs(UnaryOp):
    """|x|; d/dx = sign(x), and 0 at the kink (as in PyTorch)."""

    name = "abs"
    arguments = ("x",)
    expression = "abs(x)"
    derivative_text = ("sign(x)",)
    function = True

    def forward(self, x: float) -> float:
        return abs(x)

    def derivatives(self, out: S, x: S) -> tuple[S | float, ...]:
        return (_sign(x),)

    def smooth_at(self, *xs: float, margin: float) -> bool:
        return abs(xs[0]) > margin


class Sin(UnaryOp):
    """sin(x); d/dx = cos(x)."""

    name = "sin"
    arguments = ("x",)
    expression = "sin(x)"
    derivative_text = ("cos(x)",)
    function = True

    def forward(self, x: float) -> float:
        return math.sin(x) if not math.isinf(x) else math.nan  # sin(±inf) is undefined

    def derivatives(self, out: S, x: S) -> tuple[S | float, ...]:
        return (_cos(x),)


class Cos(UnaryOp):
    """cos(x); d/dx = -sin(x)."""

    name = "cos"
    arguments = ("x",)
    expression = "cos(x)"
    derivative_text = ("-sin(x)",)
    function = True

    def forward(self, x: float) -> float:
        return math.cos(x) if not math.isinf(x) else math.nan  # cos(±inf) is undefined

    def derivatives(self, out: S, x: S) -> tuple[S | float, ...]:
        return (-_sin(x),)


# ---------------------------------------------------------------------------------
# Ops over any number of arguments: one node instead of a chain of binary nodes
# ---------------------------------------------------------------------------------


class Sum(Op):
    """x_1 + ... + x_n; d/dx_i = 1."""

    name = "sum"

    def formula(self, n: int) -> Formula:
        names = _numbered("x", n)
        written = " + ".join(names) if n <= 3 else f"{names[0]} + ... + {names[-1]}"
        return Formula(names, written, ("1",) * n)

    def forward(self, *xs: float) -> float:
        return sum(xs)

    def derivatives(self, out: S, *xs: S) -> tuple[S | float, ...]:
        return (1.0,) * len(xs)


def weighted_sum(weights: Sequence[float], inputs: Sequence[float], start: float = 0.0) -> float:
    """start + w_1*x_1 + ... + w_n*x_n, added in that order (the forward of :class:`Dot`)."""
    total: float = sum(map(mul, weights, inputs), start)
    return total


class Dot(Op):
    """w . x = w_1*x_1 + ... + w_n*x_n, arguments ordered (w_1..w_n, x_1..x_n).

    d/dw_i = x_i and d/dx_i = w_i. With ``bias=True`` a last argument b is added:
    w . x + b, with d/db = 1; that is a whole neuron's pre-activation in one node.
    """

    name = "dot"

    def __init__(self, bias: bool) -> None:
        self.bias = bias

    @property
    def symbol(self) -> str:
        return "dot + b" if self.bias else "dot"

    def formula(self, n: int) -> Formula:
        m = (n - 1) // 2 if self.bias else n // 2
        ws, xs = _numbered("w", m), _numbered("x", m)
        if self.bias:
            return Formula((*ws, *xs, "b"), "w·x + b", (*xs, *ws, "1"))
        return Formula((*ws, *xs), "w·x", (*xs, *ws))

    def accepts(self, n: int) -> bool:
        return n >= 3 and n % 2 == 1 if self.bias else n >= 2 and n % 2 == 0

    def forward(self, *xs: float) -> float:
        if self.bias:
            n = (len(xs) - 1) // 2
            return weighted_sum(xs[:n], xs[n:-1], xs[-1])
        n = len(xs) // 2
        return weighted_sum(xs[:n], xs[n:])

    def derivatives(self, out: S, *xs: S) -> tuple[S | float, ...]:
        if self.bias:
            n = (len(xs) - 1) // 2
            return xs[n:-1] + xs[:n] + (1.0,)
        n = len(xs) // 2
        return xs[n:] + xs[:n]

    def accumulate(self, g: float, out: float, children: Sequence[Value]) -> None:
        """Add ``g`` × each local derivative to the children's ``.grad``, on floats.

        The same derivatives as :meth:`derivatives` (d/dw_i = x_i, d/dx_i = w_i, d/db = 1),
        added in the same order, without building the tuple of 2n + 1 of them first: a
        Linear layer's nodes are nearly all dot nodes, so this is most of a training
        step's backward pass. With a finite value every child is finite, so a zero
        ``g`` (a neuron that a relu switched off) would add exactly zero: it is skipped.
        """
        if g == 0.0 and math.isfinite(out):
            return
        n = len(children) // 2
        weights, inputs = children[:n], children[n : 2 * n]
        for w, x in zip(weights, inputs, strict=True):
            w.grad += g * x.data
        for w, x in zip(weights, inputs, strict=True):
            x.grad += g * w.data
        if self.bias:
            children[-1].grad += g


class LogSumExp(Op):
    """log(e**x_1 + ... + e**x_n); d/dx_i = e**(x_i - out), the softmax of x.

    Shifted by the largest x so that no exponential overflows: the heart of a stable
    cross-entropy.
    """

    name = "logsumexp"
    function = True

    def formula(self, n: int) -> Formula:
        names = _numbered("x", n)
        return Formula(
            names, f"logsumexp({', '.join(names)})", tuple(f"exp({x} - out)" for x in names)
        )

    def forward(self, *xs: float) -> float:
        if any(math.isnan(x) for x in xs):
            return math.nan
        m = max(xs)
        if math.isinf(m):
            return m
        return m + math.log(math.fsum(math.exp(x - m) for x in xs))

    def derivatives(self, out: S, *xs: S) -> tuple[S | float, ...]:
        return tuple(_exp(x - out) for x in xs)


REGISTRY: dict[str, Op] = {}
"""Every op, under a unique key: what the test suite, ``autograd.testing``, the formulas of
the ``gradstep`` command and the step-through player all take their ops from.

Parameterised ops (powers, leaky relu) appear with representative parameters.
"""

OpT = TypeVar("OpT", bound=Op)


def _defines(op: Op, method: str) -> bool:
    return callable(getattr(op, method, None)) and getattr(type(op), method) is not getattr(
        Op, method, None
    )


def register(op: OpT, key: str | None = None) -> OpT:
    """Add ``op`` to :data:`REGISTRY` under ``key`` (default: its name); return it.

    Everything a drawing, a formula or a test needs is checked now, so that a missing
    piece is reported when the op is written, not later in a drawing or a parse.

    Raises:
        TypeError: if ``op`` is not an :class:`Op` instance, or lacks ``forward`` or
            ``derivatives``.
        ValueError: if its name or its formula text is missing or does not fit its
            arguments, if ``key`` is taken, or if another kind of op has the same name
            and either is called by name in formulas.

    Example:
        >>> class Square(UnaryOp):
        ...     name = "sq"
        ...     arguments, expression, derivative_text = ("x",), "sq(x)", ("2 x",)
        ...     def forward(self, x): return x * x
        ...     def derivatives(self, out, x): return (2.0 * x,)
        >>> SQ = register(Square())
        >>> SQ.formula(1).local(0)
        'd sq(x)/dx = 2 x'
        >>> del REGISTRY["sq"]
    """
    if not isinstance(op, Op):
        raise TypeError(f"register() takes an Op instance, got {type(op).__name__}: {op!r:.60}")
    what = type(op).__name__
    for method in ("forward", "derivatives"):
        if not _defines(op, method):
            raise TypeError(f"op {what} has no {method}() method: every op needs one")
    if not isinstance(op.name, str) or not op.name:
        raise ValueError(f"op {what} has no name (the text Value.op reports, e.g. 'tanh')")
    key = op.name if key is None else key
    if key in REGISTRY:
        raise ValueError(f"op {what}: the key {key!r} is taken by {REGISTRY[key]!r}")
    for other in REGISTRY.values():
        # Ops that formulas call by name must have names of their own. (Others may share
        # a name: ``x ** 2`` and ``x ** y`` are one operator with a number or a Value.)
        clash = other.name == op.name and type(other) is not type(op)
        if clash and (op.function or other.function):
            raise ValueError(f"op {what}: the name {op.name!r} is taken by {type(other).__name__}")
    n = next((k for k in range(1, 5) if op.accepts(k)), 0)
    if n == 0:
        raise ValueError(f"op {what} accepts no argument count from 1 to 4")
    formula = op.formula(n)
    if not formula.expression or not (len(formula.arguments) == len(formula.derivatives) == n):
        raise ValueError(
            f"op {what} has no formula text for {n} argument(s): give it arguments, "
            "expression and derivative_text (one per argument), or a formula() method"
        )
    REGISTRY[key] = op
    return op


ADD, SUB, MUL, DIV = (
    register(Add(), "add"),
    register(Sub(), "sub"),
    register(Mul(), "mul"),
    register(Div(), "div"),
)
POW, NEG, COPY = register(Pow(), "pow"), register(Neg()), register(Copy())
for _key, _exponent in (
    ("square", 2.0),
    ("cube", 3.0),
    ("reciprocal", -1.0),
    ("pow_half", 0.5),
    ("pow_neg_1.5", -1.5),
):
    register(Power.of(_exponent), _key)
EXP, LOG, SQRT = register(Exp()), register(Log()), register(Sqrt())
TANH, SIGMOID, SOFTPLUS, RELU = (
    register(Tanh()),
    register(Sigmoid()),
    register(Softplus()),
    register(Relu()),
)
register(LeakyRelu.of(0.01))
ABS, SIN, COS = register(Abs()), register(Sin()), register(Cos())
SUM, LOGSUMEXP = register(Sum()), register(LogSumExp())
DOT, DOT_BIAS = register(Dot(bias=False), "dot"), register(Dot(bias=True), "dot_bias")
