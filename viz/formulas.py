"""The local derivative of every op, as text a learner can read: ``d(a * b)/da = b``.

The numbers always come from the op itself (:meth:`autograd.ops.Op.derivatives`);
this module only supplies the words around them. Each op is described by the names of
its arguments (``a, b`` for binary ops, ``x`` for unary ones, ``w_1..w_n, x_1..x_n, b``
for a neuron's ``dot``), the expression it computes in those names, and its derivative
with respect to each argument. :data:`FORMULAS` is keyed by op name (``Value.op``);
an op missing from it still gets a generic description, so a new op never breaks the
step-through player.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from autograd import ops


@dataclass(frozen=True)
class OpFormula:
    """An op written out for one node.

    Attributes:
        arguments: the name of each argument, in argument order (``("a", "b")``).
        expression: what the op computes, in those names (``"a * b"``).
        derivatives: d(expression)/d(argument) for each argument, as text (``("b", "a")``).
    """

    arguments: tuple[str, ...]
    expression: str
    derivatives: tuple[str, ...]

    def local(self, k: int) -> str:
        """The local derivative of argument ``k`` as ``d(<expression>)/d<arg> = <formula>``."""
        arg = self.arguments[k]
        return f"d({self.expression})/d{arg} = {self.derivatives[k]}"


def _g(x: float) -> str:
    return format(x, "g")


def _binary(expression: str, da: str, db: str) -> Callable[[ops.Op, int], OpFormula]:
    return lambda op, n: OpFormula(("a", "b"), expression, (da, db))


def _unary(expression: str, dx: str) -> Callable[[ops.Op, int], OpFormula]:
    return lambda op, n: OpFormula(("x",), expression, (dx,))


def _power(op: ops.Op, n: int) -> OpFormula:
    if n == 2:  # a ** b with a Value exponent
        return OpFormula(("a", "b"), "a ** b", ("b * a ** (b - 1)", "a ** b * log(a)"))
    p = getattr(op, "exponent", None)
    if p is None:
        return _generic(op, n)
    if p == 0:
        derivative = "0"
    elif p == 1:
        derivative = "1"
    elif p == 2:
        derivative = "2 * x"
    else:
        derivative = f"{_g(p)} * x ** {_g(p - 1)}"
    return OpFormula(("x",), f"x ** {_g(p)}", (derivative,))


def _leaky_relu(op: ops.Op, n: int) -> OpFormula:
    slope = _g(getattr(op, "negative_slope", 0.01))
    return OpFormula(("x",), "leaky_relu(x)", (f"1 if x > 0 else {slope}",))


def _many(expression: str, derivative: str) -> Callable[[ops.Op, int], OpFormula]:
    def formula(op: ops.Op, n: int) -> OpFormula:
        args = tuple(f"x_{i}" for i in range(1, n + 1))
        return OpFormula(args, expression, tuple(derivative.format(i=i) for i in range(1, n + 1)))

    return formula


def _dot(op: ops.Op, n: int) -> OpFormula:
    bias = getattr(op, "bias", n % 2 == 1)
    m = (n - 1) // 2 if bias else n // 2
    ws = tuple(f"w_{i}" for i in range(1, m + 1))
    xs = tuple(f"x_{i}" for i in range(1, m + 1))
    derivatives = xs + ws
    if bias:
        return OpFormula(ws + xs + ("b",), "w·x + b", (*derivatives, "1"))
    return OpFormula(ws + xs, "w·x", derivatives)


def _generic(op: ops.Op, n: int) -> OpFormula:
    """Any op without an entry: the derivative is named, its value comes from the op."""
    args = ("x",) if n == 1 else tuple(f"x_{i}" for i in range(1, n + 1))
    where = f"{type(op).__name__}.derivatives"
    return OpFormula(args, f"{op.symbol}({', '.join(args)})", (f"see {where}",) * n)


FORMULAS: dict[str, Callable[[ops.Op, int], OpFormula]] = {
    "+": _binary("a + b", "1", "1"),
    "-": _binary("a - b", "1", "-1"),
    "*": _binary("a * b", "b", "a"),
    "/": _binary("a / b", "1 / b", "-a / b ** 2"),
    "**": _power,
    "neg": _unary("-x", "-1"),
    "copy": _unary("x", "1"),
    "exp": _unary("exp(x)", "exp(x)"),
    "log": _unary("log(x)", "1 / x"),
    "sqrt": _unary("sqrt(x)", "1 / (2 * sqrt(x))"),
    "tanh": _unary("tanh(x)", "1 - tanh(x) ** 2"),
    "sigmoid": _unary("sigmoid(x)", "sigmoid(x) * (1 - sigmoid(x))"),
    "softplus": _unary("softplus(x)", "sigmoid(x)"),
    "relu": _unary("relu(x)", "1 if x > 0 else 0"),
    "leaky_relu": _leaky_relu,
    "abs": _unary("|x|", "sign(x)"),
    "sin": _unary("sin(x)", "cos(x)"),
    "cos": _unary("cos(x)", "-sin(x)"),
    "sum": _many("x_1 + ... + x_n", "1"),
    "dot": _dot,
    "logsumexp": _many("logsumexp(x)", "exp(x_{i} - out)"),
    # nn's binary cross-entropy, one node per example: bce(p, y)
    "bce": lambda op, n: OpFormula(
        ("p", "y"),
        "-(y log p + (1 - y) log(1 - p))",
        ("(p - y) / (p (1 - p))", "log(1 - p) - log(p)"),
    ),
}
"""Op name -> a function of (op, number of arguments) giving its :class:`OpFormula`."""


def formula_for(op: ops.Op, n_arguments: int) -> OpFormula:
    """How to write ``op`` applied to ``n_arguments`` arguments.

    Falls back to a generic description for ops without an entry in :data:`FORMULAS`
    (or with an unexpected number of arguments).

    Example:
        >>> from autograd import ops
        >>> formula_for(ops.MUL, 2).local(0)
        'd(a * b)/da = b'
        >>> formula_for(ops.Power.of(3.0), 1).local(0)
        'd(x ** 3)/dx = 3 * x ** 2'
        >>> formula_for(ops.DOT_BIAS, 5).local(4)
        'd(w·x + b)/db = 1'
    """
    make = FORMULAS.get(op.name)
    formula = make(op, n_arguments) if make is not None else _generic(op, n_arguments)
    if len(formula.arguments) != n_arguments or len(formula.derivatives) != n_arguments:
        return _generic(op, n_arguments)
    return formula
