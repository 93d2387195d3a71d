"""Check your own autograd engine against gradstep: :func:`check_engine`.

You wrote a micrograd-style ``Value`` class: a number that remembers how it was
computed, with ``.data``, ``.grad`` and ``.backward()``. Does it compute the right
gradients? Hand-picked examples rarely find the interesting bugs, which only show up
when a node is used more than once or when the graph has a certain shape.
:func:`check_engine` builds hundreds of random expressions with both your class and
gradstep's :class:`~autograd.Value`, and compares every number.

Example (a tiny engine with ``+`` and ``*`` only; it is checked on those):

    >>> from autograd.testing import check_engine
    >>> class Tiny:
    ...     def __init__(self, data, children=()):
    ...         self.data, self.grad, self.children = data, 0.0, children
    ...         self._backward = lambda: None
    ...     def __add__(self, other):
    ...         out = Tiny(self.data + other.data, (self, other))
    ...         def _backward():
    ...             self.grad += out.grad
    ...             other.grad += out.grad
    ...         out._backward = _backward
    ...         return out
    ...     def __mul__(self, other):
    ...         out = Tiny(self.data * other.data, (self, other))
    ...         def _backward():
    ...             self.grad += other.data * out.grad
    ...             other.grad += self.data * out.grad
    ...         out._backward = _backward
    ...         return out
    ...     def backward(self):
    ...         order, seen = [], set()
    ...         def visit(node):  # children first: a topological order
    ...             if id(node) not in seen:
    ...                 seen.add(id(node))
    ...                 for child in node.children:
    ...                     visit(child)
    ...                 order.append(node)
    ...         visit(self)
    ...         self.grad = 1.0
    ...         for node in reversed(order):
    ...             node._backward()
    >>> report = check_engine(Tiny, max_examples=30, seed=1)
    >>> report.ops
    ('x + y', 'x * y')

What is checked
---------------

1. **What your class can do.** ``check_engine`` makes ``YourClass(2.0)`` and looks for
   ``.data``, ``.grad`` (a number, starting at 0) and ``.backward()``; without them it
   raises ``TypeError`` naming what is missing. Then it tries each operation it knows
   once on small numbers: ``x + y``, ``x - y``, ``x * y``, ``x / y``; the same with a
   plain number on the right (``x + 2``, which calls ``__add__``) and on the left
   (``2 + x``, which calls ``__radd__``); ``x ** n`` for the number exponents 2, 3, -1
   and 0.5; ``-x``; and the methods ``tanh()``, ``exp()``, ``relu()``, ``sigmoid()``.
   Only what exists and works is used; the report lists the rest and why.
2. **Random expressions.** Each example has one to three inputs (x, y, z) and up to
   eight operations. Every operation uses the result of the one before it, and may
   also use any earlier node again: a shared subexpression, an input used several
   times, ``x * x``. The numbers stay where every operation is smooth and safe:
   no division by anything within 0.1 of zero, fractional powers of positive numbers
   only, relu away from its kink at 0, and every intermediate value within ±100.
3. **Forward values and every gradient.** The same expression is built with your
   class and with gradstep's ``Value``, and ``out.backward()`` is called on both. Then
   each node's ``.data`` and each node's ``.grad`` (inputs, intermediate results and
   ``out`` itself) must agree with gradstep's.
4. **A second backward pass, as in a training loop.** Then every input's ``.grad`` is
   set to 0.0 (what ``zero_grad()`` does), the same expression is built again from the
   same inputs, and ``backward()`` is called on the new output. The gradients must be
   the same as the first time. This catches state that leaks from one backward pass
   into the next, such as a topological-order list kept outside ``backward()``.

The protocol assumed is micrograd's: every ``backward()`` runs on a freshly built
graph, and the *user* zeroes the inputs' gradients before building it again.
``backward()`` is never called twice on the same output (PyTorch's accumulation
semantics for that case are not required: micrograd itself does not have them).

Numbers are compared as ``|got - expected| <= atol + rtol * scale``. For values the
scale is ``|expected|`` (:data:`VALUE_RTOL`, :data:`VALUE_ATOL`); for a gradient it is
the sum of the sizes of all the chain-rule terms that were added up to make it
(:data:`GRAD_RTOL`, :data:`GRAD_ATOL`), so that terms cancelling each other out never
cause a false alarm, while any real bug (a lost term, a wrong formula) is far
larger than the tolerance.

When a check fails
------------------

Hypothesis, the property-testing library behind ``check_engine``, shrinks the failing
example to the smallest one it can find; ``check_engine`` then also tries each
sub-expression and each operation alone on its numbers. It raises an ``AssertionError``
showing the smallest expression that still fails, written out with its input numbers;
the node; which gradient (``d out / d x``); gradstep's number and yours; and a hint
when the pattern is a known one (``=`` instead of ``+=``, a backward pass out of
topological order, a wrong local derivative, state kept between passes). An exception
raised by your class (also when reading a ``.data`` or ``.grad`` property) is reported
the same way, with the expression that caused it.
The message ends with the seed that repeats the check exactly.
"""

from __future__ import annotations

import linecache
import math
import operator
import os
import random
import textwrap
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations, product
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, assume, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.errors import Flaky, HypothesisException

from autograd.grad_mode import enable_grad
from autograd.value import Value

__all__ = [
    "DEFAULT_MAX_EXAMPLES",
    "GRAD_ATOL",
    "GRAD_RTOL",
    "VALUE_ATOL",
    "VALUE_RTOL",
    "EngineReport",
    "check_engine",
]

VALUE_RTOL = 1e-9
"""Relative tolerance for forward values (``.data``)."""
VALUE_ATOL = 1e-9
"""Absolute tolerance for forward values; covers e.g. tanh computed from exp near 0."""
GRAD_RTOL = 1e-6
"""Relative tolerance for gradients, relative to the size of the chain-rule terms summed."""
GRAD_ATOL = 1e-9
"""Absolute tolerance for gradients."""
DEFAULT_MAX_EXAMPLES = 300
"""Random expressions per call: under a second on a laptop, a few on a slow machine."""

MAX_INPUTS = 3
MAX_STEPS = 8
VALUE_BOUND = 100.0
"""Every value in an expression stays within ±VALUE_BOUND, so no engine overflows."""
POLE_MARGIN = 0.1
"""Divisors and bases of negative or fractional powers keep this far from 0."""
KINK_MARGIN = 0.01
"""relu's input keeps this far from 0, where conventions for relu'(0) differ."""
NUMBERS: tuple[int | float, ...] = (2, 3, 0.5, -1, 1.5)
"""Plain numbers mixed into expressions (``2 * x``, ``x + 0.5``)."""
EXPONENTS: tuple[int | float, ...] = (2, 3, -1, 0.5)
"""The number exponents tried for ``x ** n``."""
_NICE_INPUTS = (1.0, 2.0, 0.5, -1.0, 1.5, -0.5, -2.0)
"""Inputs the shrinker tries first, so that reported examples have round numbers."""

# Operator precedence, for writing expressions with just the parentheses they need.
_SUM, _PRODUCT, _NEGATION, _POWER, _ATOM = 1, 2, 3, 4, 5
_BINARY: dict[str, tuple[Callable[[Any, Any], Any], int, str, str]] = {
    # symbol: (function, precedence, method for `x op ...`, method for `number op x`)
    "+": (operator.add, _SUM, "__add__", "__radd__"),
    "-": (operator.sub, _SUM, "__sub__", "__rsub__"),
    "*": (operator.mul, _PRODUCT, "__mul__", "__rmul__"),
    "/": (operator.truediv, _PRODUCT, "__truediv__", "__rtruediv__"),
}
_METHODS = ("tanh", "exp", "relu", "sigmoid")


# -- the report ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EngineReport:
    """What :func:`check_engine` checked, for an engine that passed.

    Attributes:
        engine: the name of the class that was checked.
        ops: the operations checked, written as forms such as ``"x + y"``, ``"2 * x"``,
            ``"x ** 0.5"``, ``"tanh(x)"``.
        not_checked: ``(form, reason)`` for each operation check_engine knows but did
            not check: the method is missing (``("2 - x", "no __rsub__")``) or raised
            on a first try (``("x + 2", "AttributeError: ...")``).
        examples: how many random expressions were checked.
        values_compared: how many ``.data`` values were compared with gradstep's.
        gradients_compared: how many ``.grad`` values were compared with gradstep's.
        seed: the seed of the random expressions; ``check_engine(cls, seed=seed)``
            repeats the run exactly.
    """

    engine: str
    ops: tuple[str, ...]
    not_checked: tuple[tuple[str, str], ...]
    examples: int
    values_compared: int
    gradients_compared: int
    seed: int

    def __str__(self) -> str:
        lines = [
            f"check_engine: {self.engine} agrees with gradstep on {self.examples} random "
            f"expressions (seed={self.seed}).",
            *_wrap("ops checked: ", [f"{op}," for op in self.ops]),
        ]
        missing = [r.removeprefix("no ") for _, r in self.not_checked if r.startswith("no ")]
        if missing:
            lines += _wrap("not defined: ", [f"{m}," for m in dict.fromkeys(missing)])
        failed: dict[str, list[str]] = {}
        for form, reason in self.not_checked:
            if not reason.startswith("no "):
                failed.setdefault(reason, []).append(form)
        for reason, forms in failed.items():
            items = [f"{form}," for form in forms[:-1]] + [f"{forms[-1]} ({reason})"]
            lines += _wrap("not checked: ", items)
        compared = (
            f"{self.values_compared} values and {self.gradients_compared} gradients, in two "
            "backward passes per expression (the second after zeroing the inputs' .grad, "
            "as a training loop does)"
        )
        lines += _wrap("compared: ", compared.split(" "))
        return "\n".join(lines)


def _wrap(head: str, items: Sequence[str], width: int = 88) -> list[str]:
    """``head`` and the items, on as many lines as needed, never breaking inside an item."""
    items = [*items[:-1], items[-1].rstrip(",")] if items else []
    lines, line = [], "  " + head
    for item in items:
        if len(line) + 1 + len(item) > width and line.strip() != head.strip():
            lines.append(line)
            line = "    " + item
        else:
            line += ("" if line.endswith(head) else " ") + item
    return [*lines, line]


# -- the operations --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Kind:
    """One operation in one form: ``x + y``, ``x + 2`` and ``2 + x`` are three kinds.

    ``shape`` says what the operation takes: "vv" two nodes, "vn" a node and a number
    on its right, "nv" a number on the left of a node, "pow" a node to a fixed number
    power, "unary" one node.
    """

    form: str
    op: str
    shape: str
    method: str
    exponent: int | float = 0

    @property
    def arity(self) -> int:
        """How many nodes the operation takes."""
        return 2 if self.shape == "vv" else 1

    @property
    def takes_number(self) -> bool:
        return self.shape in ("vn", "nv")

    @property
    def slots(self) -> tuple[int, ...]:
        """Where the nodes sit among gradstep's children (``2 + x`` has x second)."""
        return {"vv": (0, 1), "nv": (1,)}.get(self.shape, (0,))


def _all_kinds() -> tuple[_Kind, ...]:
    # The order matters: hypothesis shrinks towards the first kinds, so a failing
    # example is reported with the simplest operations that still fail.
    kinds = [_Kind(f"x {s} y", s, "vv", _BINARY[s][2]) for s in "+*-/"]
    for s in "+*-/":
        kinds.append(_Kind(f"x {s} 2", s, "vn", _BINARY[s][2]))
        kinds.append(_Kind(f"2 {s} x", s, "nv", _BINARY[s][3]))
    kinds += [_Kind(f"x ** {n}", "**", "pow", "__pow__", n) for n in EXPONENTS]
    kinds.append(_Kind("-x", "neg", "unary", "__neg__"))
    kinds += [_Kind(f"{m}(x)", m, "unary", m) for m in _METHODS]
    return tuple(kinds)


_KINDS = _all_kinds()


def _apply(kind: _Kind, args: Sequence[Any], number: int | float | None) -> Any:
    """The operation on the learner's values or on gradstep's (the same Python code)."""
    if kind.shape == "vv":
        return _BINARY[kind.op][0](args[0], args[1])
    if kind.shape == "vn":
        return _BINARY[kind.op][0](args[0], number)
    if kind.shape == "nv":
        return _BINARY[kind.op][0](number, args[0])
    if kind.shape == "pow":
        return args[0] ** kind.exponent
    if kind.op == "neg":
        return -args[0]
    return getattr(args[0], kind.op)()


def _in_domain(kind: _Kind, xs: Sequence[float], number: int | float | None) -> bool:
    """Whether the operation is safely away from poles, kinks and complex results."""
    if kind.op == "/":
        divisor = xs[1] if kind.shape == "vv" else xs[0] if kind.shape == "nv" else number
        return divisor is not None and abs(divisor) >= POLE_MARGIN
    if kind.shape == "pow":
        n = kind.exponent
        if not float(n).is_integer():
            return xs[0] >= POLE_MARGIN  # also keeps away from the infinite slope at 0
        return n >= 0 or abs(xs[0]) >= POLE_MARGIN
    if kind.op == "relu":
        return abs(xs[0]) >= KINK_MARGIN
    return True


def _reference_value(kind: _Kind, xs: Sequence[float], number: int | float | None) -> float | None:
    """gradstep's result, or None where the operation is unsafe or too large."""
    if not _in_domain(kind, xs, number):
        return None
    try:
        result = _apply(kind, [Value(x) for x in xs], number).data
    except (ArithmeticError, ValueError):
        return None
    return result if abs(result) <= VALUE_BOUND else None


# -- expressions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Step:
    """One node of an expression: ``kind`` applied to earlier nodes (indices)."""

    kind: _Kind
    operands: tuple[int, ...]
    number: int | float | None


@dataclass(frozen=True)
class _Case:
    """A random expression: the inputs' values, then the steps (the last is ``out``)."""

    inputs: tuple[float, ...]
    steps: tuple[_Step, ...]

    @property
    def size(self) -> int:
        return len(self.inputs) + len(self.steps)


_INPUT = st.one_of(st.sampled_from(_NICE_INPUTS), st.integers(-200, 200).map(lambda i: i / 100))


def _cases(kinds: Sequence[_Kind]) -> st.SearchStrategy[_Case]:
    """Random expressions over 1 to MAX_INPUTS inputs, in the domain of every step."""

    @st.composite
    def draw_case(draw: st.DrawFn) -> _Case:
        inputs = tuple(draw(_INPUT) for _ in range(draw(st.integers(1, MAX_INPUTS))))
        values = list(inputs)
        steps: list[_Step] = []
        for _ in range(draw(st.integers(1, MAX_STEPS))):
            for _attempt in range(3):
                step = _draw_step(draw, kinds, len(values))
                value = _reference_value(step.kind, [values[i] for i in step.operands], step.number)
                if value is not None:
                    steps.append(step)
                    values.append(value)
                    break
            else:
                break  # three tries out of the domain: end the expression here
        assume(steps)
        return _Case(inputs, tuple(steps))

    return draw_case()


def _draw_step(draw: st.DrawFn, kinds: Sequence[_Kind], count: int) -> _Step:
    latest = count - 1
    kind = draw(st.sampled_from(kinds))
    # Each step uses the node just before it, so every node feeds into `out`; a second
    # operand may be any earlier node, which is how nodes come to be used several times.
    operands: tuple[int, ...] = (latest,)
    if kind.arity == 2:
        other = draw(st.integers(0, latest))
        operands = (other, latest) if draw(st.booleans()) else (latest, other)
    number = draw(st.sampled_from(NUMBERS)) if kind.takes_number else None
    return _Step(kind, operands, number)


@dataclass(frozen=True)
class _Use:
    """Node ``consumer`` takes this node as its operand number ``position``."""

    consumer: int
    position: int
    local: float  # d consumer / d this node, through this operand
    contribution: float  # consumer.grad * local: this use's share of the gradient


@dataclass
class _Reference:
    """gradstep's numbers for one expression, and the chain rule spelled out."""

    values: list[float]
    grads: list[float]
    scales: list[float]  # sum over the chain-rule terms of |term|: each grad's tolerance scale
    uses: list[list[_Use]]

    @staticmethod
    def of(case: _Case) -> _Reference:
        with enable_grad():  # the caller may be inside no_grad()
            nodes = [Value(x) for x in case.inputs]
            for step in case.steps:
                nodes.append(_apply(step.kind, [nodes[i] for i in step.operands], step.number))
            nodes[-1].backward()
        grads = [node.grad for node in nodes]
        scales = [0.0] * len(nodes)
        scales[-1] = 1.0
        uses: list[list[_Use]] = [[] for _ in nodes]
        first = len(case.inputs)
        for j in reversed(range(first, len(nodes))):
            step, node = case.steps[j - first], nodes[j]
            assert node.op_info is not None
            derivatives = node.op_info.derivatives(node.data, *[c.data for c in node.children])
            for position, (i, slot) in enumerate(zip(step.operands, step.kind.slots, strict=True)):
                local = float(derivatives[slot])
                scales[i] += scales[j] * abs(local)
                uses[i].append(_Use(j, position, local, grads[j] * local))
        return _Reference([n.data for n in nodes], grads, scales, uses)


def _reductions(case: _Case) -> list[_Case]:
    """Smaller expressions to try after a failure, simplest first (see _Checker.reduce).

    Every sub-expression ending before ``out``, and every step alone with its operands'
    values as inputs, rounded to two decimals when that stays in the domain (for a
    readable message). Only candidates strictly simpler than ``case`` are returned, so
    repeated reduction ends.
    """
    values = _Reference.of(case).values
    candidates = [_Case(case.inputs, case.steps[:k]) for k in range(1, len(case.steps))]
    used = sorted({i for step in case.steps for i in step.operands if i < len(case.inputs)})
    if len(used) < len(case.inputs):
        renumber = {old: new for new, old in enumerate(used)}
        for i in range(len(case.inputs), case.size):
            renumber[i] = i - len(case.inputs) + len(used)
        steps = tuple(
            _Step(s.kind, tuple(renumber[i] for i in s.operands), s.number) for s in case.steps
        )
        candidates.append(_Case(tuple(case.inputs[i] for i in used), steps))
    for step in case.steps:
        operands = list(dict.fromkeys(step.operands))
        alone = _Step(step.kind, tuple(operands.index(i) for i in step.operands), step.number)
        exact = tuple(values[i] for i in operands)
        rounded = tuple(round(x, 2) for x in exact)
        in_domain = _reference_value(step.kind, [rounded[i] for i in alone.operands], step.number)
        if in_domain is not None:
            candidates.append(_Case(rounded, (alone,)))
        candidates.append(_Case(exact, (alone,)))
    simpler = [c for c in candidates if _simplicity(c) < _simplicity(case)]
    return sorted(simpler, key=_simplicity)


def _simplicity(case: _Case) -> tuple[int, int, bool]:
    """Fewer steps, then fewer nodes, then round inputs: smaller is simpler."""
    return len(case.steps), case.size, any(round(x, 2) != x for x in case.inputs)


# -- writing expressions for people ------------------------------------------------------------


def _number_text(x: int | float) -> str:
    text = repr(x)
    return f"({text})" if x < 0 else text


def _show(x: float) -> str:
    """A number, short: 7 significant digits are plenty to see what is wrong."""
    return f"{x:.7g}"


def _show_pair(expected: float, got: float) -> tuple[str, str]:
    """Both numbers with enough digits to see that they differ."""
    for digits in (7, 12, 17):
        a, b = f"{expected:.{digits}g}", f"{got:.{digits}g}"
        if a != b:
            return a, b
    return repr(expected), repr(got)


class _Text:
    """Names and infix text for the nodes of a case.

    Inputs are x, y, z; the output is ``out``; an intermediate node gets a name (t1,
    t2, ...) when it is used more than once or is mentioned in a message, and is
    written inline otherwise: ``out = tanh(t1) + t1   where t1 = x * y``.
    """

    def __init__(self, case: _Case, mention: Iterable[int] = ()) -> None:
        self.case = case
        first, last = len(case.inputs), case.size - 1
        uses = [0] * case.size
        for step in case.steps:
            for i in step.operands:
                uses[i] += 1
        self.uses = uses
        named = {i for i in range(first, last) if uses[i] > 1} | {
            i for i in mention if first <= i < last
        }
        self.names: dict[int, str] = {i: "xyz"[i] for i in range(first)}
        for k, i in enumerate(sorted(named), start=1):
            self.names[i] = f"t{k}"
        self.names[last] = "out"
        self.inline: list[tuple[str, int]] = []
        self.definitions: list[str] = []
        for i in range(case.size):
            if i < first:
                self.inline.append((self.names[i], _ATOM))
                self.definitions.append("")
                continue
            text, precedence = self._write(case.steps[i - first])
            self.definitions.append(text)
            self.inline.append((self.names[i], _ATOM) if i in self.names else (text, precedence))

    def _operand(self, i: int) -> tuple[str, int]:
        return self.inline[i]

    def _write(self, step: _Step) -> tuple[str, int]:
        kind = step.kind
        args = [self._operand(i) for i in step.operands]
        if kind.shape == "unary" and kind.op != "neg":
            return f"{kind.op}({args[0][0]})", _ATOM
        if kind.op == "neg":
            text, precedence = args[0]
            return "-" + (text if precedence >= _POWER else f"({text})"), _NEGATION
        if kind.shape == "pow":
            text, precedence = args[0]
            base = text if precedence == _ATOM else f"({text})"
            return f"{base} ** {_number_text(kind.exponent)}", _POWER
        assert step.number is not None or kind.shape == "vv"
        number = (_number_text(step.number), _ATOM) if step.number is not None else ("", 0)
        if kind.shape == "vv":
            left, right = args
        else:
            left, right = (args[0], number) if kind.shape == "vn" else (number, args[0])
        precedence = _BINARY[kind.op][1]
        # The right side gets parentheses at equal precedence too: x - (y - z), and
        # x + (y + z), which shows the graph's real shape.
        left_text = left[0] if left[1] >= precedence else f"({left[0]})"
        right_ok = right[1] > precedence and right[1] != _NEGATION
        right_text = right[0] if right_ok else f"({right[0]})"
        return f"{left_text} {kind.op} {right_text}", precedence

    def name(self, i: int) -> str:
        """How to refer to node i in a sentence."""
        return self.names.get(i, f"({self.definitions[i]})")

    def gradient(self, i: int) -> str:
        return f"d out / d {self.name(i)}"

    def node(self, i: int) -> str:
        """The node with its definition and how often it is used: ``t1 = x * y (used 2 times)``."""
        first = len(self.case.inputs)
        if i < first:
            what = f"{self.names[i]}, an input"
        elif i == self.case.size - 1:
            what = "out, the output"
        else:
            what = f"{self.name(i)} = {self.definitions[i]}"
        uses = self.uses[i]
        if i < self.case.size - 1:
            what += f" (used {uses} times)" if uses != 1 else " (used once)"
        return what

    def expression(self) -> str:
        last = self.case.size - 1
        text = f"out = {self.definitions[last]}"
        named = [i for i in sorted(self.names) if len(self.case.inputs) <= i < last]
        if named:
            text += "   where " + ", ".join(
                f"{self.names[i]} = {self.definitions[i]}" for i in named
            )
        return text

    def inputs(self) -> str:
        parts = []
        for i, x in enumerate(self.case.inputs):
            parts.append(f"{self.names[i]} = {x!r}" + ("" if self.uses[i] else " (not used)"))
        return ", ".join(parts)

    def formula(self, consumer: int, position: int) -> str:
        """The local derivative d consumer / d operand, written with the operands' names."""
        step = self.case.steps[consumer - len(self.case.inputs)]
        kind, names = step.kind, [self._atom(i) for i in step.operands]
        c = _number_text(step.number) if step.number is not None else ""
        x = names[0]
        if kind.op == "+":
            return "1"
        if kind.op == "-":
            return "-1" if (kind.shape == "vv" and position == 1) or kind.shape == "nv" else "1"
        if kind.op == "*":
            return names[1 - position] if kind.shape == "vv" else c
        if kind.op == "/":
            if kind.shape == "vv":
                return f"1 / {names[1]}" if position == 0 else f"-{names[0]} / {names[1]}**2"
            return f"1 / {c}" if kind.shape == "vn" else f"-{c} / {x}**2"
        if kind.shape == "pow":
            n = kind.exponent
            return f"2 * {x}" if n == 2 else f"{n} * {x} ** {_number_text(n - 1)}"
        return {
            "neg": "-1",
            "tanh": f"1 - tanh({x})**2",
            "exp": f"exp({x})",
            "relu": f"(1 if {x} > 0 else 0)",
            "sigmoid": f"sigmoid({x}) * (1 - sigmoid({x}))",
        }[kind.op]

    def _atom(self, i: int) -> str:
        text, precedence = self.inline[i]
        return text if precedence == _ATOM else f"({text})"


# -- running the learner's engine --------------------------------------------------------------


class _EngineError(Exception):
    """A mismatch or an exception in the checked engine, with the message for the learner."""

    def __init__(self, message: str, case: _Case) -> None:
        super().__init__(message)
        self.message = message
        self.case = case


def _as_number(x: object) -> float | None:
    if isinstance(x, (str, bytes)) or x is None:
        return None
    try:
        return float(x)  # type: ignore[arg-type]
    except Exception:  # also an engine's own number type whose __float__ raises
        return None


def _describe_error(error: BaseException) -> str:
    try:
        text = str(error)
    except Exception:  # an exception class of the engine's whose __str__ raises
        text = ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _show_object(x: object) -> str:
    """``repr(x)`` cut to 60 characters, for messages; never raises."""
    try:
        text = repr(x)
    except Exception:
        return f"a {type(x).__name__} (whose repr raised)"
    return text if len(text) <= 60 else text[:57] + "..."


_MISSING = object()
"""What :func:`_read` gives for an attribute that is not there."""


def _read(obj: object, attribute: str, name: str) -> object:
    """``obj.attribute``, :data:`_MISSING` if there is none; a TypeError naming it when
    reading it raises (a broken ``__getattr__`` or property of the engine's)."""
    try:
        return getattr(obj, attribute)
    except AttributeError:
        return _MISSING
    except KeyboardInterrupt:
        raise
    except BaseException as error:
        raise TypeError(
            f"check_engine reads .{attribute} of a {name}, but that raised {_describe_error(error)}"
        ) from None


def _where(error: BaseException) -> str | None:
    """The innermost line of the traceback outside this module: usually the learner's."""
    last = None
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename != __file__:
            last = tb
        tb = tb.tb_next
    if last is None:
        return None
    code, line = last.tb_frame.f_code, last.tb_lineno
    name = getattr(code, "co_qualname", code.co_name)  # Python 3.11+: Value.tanh.<locals>...
    source = linecache.getline(code.co_filename, line).strip()
    where = f"{os.path.basename(code.co_filename)}, line {line}, in {name}"
    return where + (f"\n               {source}" if source else "")


def _close(got: float, expected: float, scale: float, rtol: float, atol: float) -> bool:
    return abs(got - expected) <= atol + rtol * scale


@dataclass
class _Checker:
    """Runs one engine on expressions and turns any disagreement into a :class:`_EngineError`."""

    engine: Callable[..., Any]
    name: str
    seed: int
    examples: int = 0
    values_compared: int = 0
    gradients_compared: int = 0
    smallest: _EngineError | None = field(default=None, repr=False)

    def check(self, case: _Case) -> None:
        """Check one expression; raise :class:`_EngineError` on any disagreement."""
        reference = _Reference.of(case)
        try:
            self._check(case, reference)
        except _EngineError as failure:
            if self.smallest is None or _simplicity(case) <= _simplicity(self.smallest.case):
                self.smallest = failure
            raise
        self.examples += 1

    def reduce(self, failure: _EngineError) -> _EngineError:
        """A smaller failing expression than hypothesis's, if one of the obvious ones fails.

        Hypothesis shrinks by small moves and can stop at a local minimum: it cannot
        delete two steps and flip an input's sign in one move, say. So also try each
        sub-expression ending at an earlier node, and each step alone on its operands'
        values, smallest first, and keep going while one of them still fails.
        """
        while True:
            for smaller in _reductions(failure.case):
                try:
                    self._check(smaller, _Reference.of(smaller))
                except _EngineError as smaller_failure:
                    failure = smaller_failure
                    break
            else:
                return failure

    def _check(self, case: _Case, ref: _Reference) -> None:
        leaves = []
        for i, x in enumerate(case.inputs):
            try:
                leaves.append(self.engine(x))
            except KeyboardInterrupt:
                raise
            except BaseException as error:
                doing = f"making the input {'xyz'[i]} = {self.name}({x!r})"
                raise self._error(case, ref, doing, error, 1) from None
        for run in (1, 2):
            if run == 2:
                # The training-loop protocol: zero the inputs' gradients, build the
                # same graph again from the same inputs, backpropagate again.
                for i, leaf in enumerate(leaves):
                    try:
                        leaf.grad = 0.0
                    except KeyboardInterrupt:
                        raise
                    except BaseException as error:
                        raise self._error(case, ref, f"{'xyz'[i]}.grad = 0.0", error, 2) from None
            nodes = self._forward(case, ref, leaves, run)
            try:
                self._compare_values(case, ref, nodes, run)
            except (KeyboardInterrupt, _EngineError):
                raise
            except BaseException as error:  # a .data property that raises
                raise self._error(case, ref, "reading .data", error, run) from None
            try:
                nodes[-1].backward()
            except KeyboardInterrupt:
                raise
            except BaseException as error:
                raise self._error(case, ref, "out.backward()", error, run) from None
            try:
                self._compare_grads(case, ref, nodes, run)
            except (KeyboardInterrupt, _EngineError):
                raise
            except BaseException as error:  # a .grad property that raises
                raise self._error(case, ref, "reading .grad", error, run) from None

    def _forward(self, case: _Case, ref: _Reference, leaves: list[Any], run: int) -> list[Any]:
        nodes = list(leaves)
        for step in case.steps:
            try:
                nodes.append(_apply(step.kind, [nodes[i] for i in step.operands], step.number))
            except KeyboardInterrupt:
                raise
            except BaseException as error:
                raise self._error(case, ref, "", error, run, node=len(nodes)) from None
        return nodes

    def _compare_values(self, case: _Case, ref: _Reference, nodes: list[Any], run: int) -> None:
        # In creation order: the first wrong value is the op to blame, since its
        # operands were still right.
        for i, node in enumerate(nodes):
            self.values_compared += 1
            got = _as_number(getattr(node, "data", None))
            expected = ref.values[i]
            if got is None or not _close(got, expected, abs(expected), VALUE_RTOL, VALUE_ATOL):
                raise self._value_failure(case, ref, i, getattr(node, "data", None), run)

    def _compare_grads(self, case: _Case, ref: _Reference, nodes: list[Any], run: int) -> None:
        # From out back to the inputs: the first wrong gradient found is one whose
        # users all have the right gradient, which narrows down what went wrong.
        wrong = []
        for i in reversed(range(len(nodes))):
            self.gradients_compared += 1
            raw = getattr(nodes[i], "grad", None)
            got = _as_number(raw)
            if got is None or not _close(got, ref.grads[i], ref.scales[i], GRAD_RTOL, GRAD_ATOL):
                wrong.append((i, raw))
        if wrong:
            raise self._grad_failure(case, ref, wrong, run)

    # -- messages -------------------------------------------------------------------------

    def _head(self, text: _Text, run: int) -> list[str]:
        lines = [f"  expression:  {text.expression()}", f"  inputs:      {text.inputs()}"]
        if run == 2:
            lines += [
                "  when:        in the SECOND backward pass: after out.backward(), every input's",
                "               .grad was set to 0.0 and the same expression was built again",
                "               from the same inputs, as a training loop does",
            ]
        return lines

    def _finish(self, title: str, lines: list[str], hint: str | None, case: _Case) -> _EngineError:
        parts = [title, "", *lines]
        if hint:
            parts += ["", *textwrap.wrap("Hint: " + hint, 92)]
        parts += ["", f"To repeat this check exactly: check_engine({self.name}, seed={self.seed})"]
        return _EngineError("\n".join(parts), case)

    def _error(
        self,
        case: _Case,
        ref: _Reference,
        doing: str,
        error: BaseException,
        run: int,
        node: int | None = None,
    ) -> _EngineError:
        text = _Text(case, [node] if node is not None else [])
        lines = self._head(text, run)
        if node is None:
            lines.append(f"  while:       {doing}")
        else:
            step = case.steps[node - len(case.inputs)]
            at = ", ".join(
                f"{text.name(i)} = {_show(ref.values[i])}" for i in dict.fromkeys(step.operands)
            )
            lines.append(f"  while:       computing {text.name(node)} = {text.definitions[node]}")
            if any(i >= len(case.inputs) for i in step.operands):
                lines.append(f"               with {at}")
        lines.append(f"  error:       {_describe_error(error)}")
        where = _where(error)
        if where:
            lines.append(f"  raised at:   {where}")
        return self._finish(
            f"{self.name} raised an exception on this expression.", lines, None, case
        )

    def _value_failure(
        self, case: _Case, ref: _Reference, i: int, raw: Any, run: int
    ) -> _EngineError:
        text = _Text(case, [i])
        lines = self._head(text, run)
        lines.append(f"  node:        {text.node(i)}")
        lines.append(f"  value:       {text.name(i)}.data")
        expected, got = ref.values[i], _as_number(raw)
        if got is None:
            lines.append(f"  expected:    {_show(expected)} (gradstep)")
            lines.append(f"  got:         {raw!r:.60}, which is not a number")
            return self._finish(
                f"{self.name} computes a value that is not a number.", lines, None, case
            )
        shown_expected, shown_got = _show_pair(expected, got)
        lines.append(f"  expected:    {shown_expected} (gradstep)")
        lines.append(f"  got:         {shown_got} ({self.name})")
        first = len(case.inputs)
        if i < first:
            hint = f"{self.name}({case.inputs[i]!r}).data should be the number itself."
        else:
            hint = _value_hint(case.steps[i - first], ref, got)
        return self._finish(f"{self.name} computes a wrong value.", lines, hint, case)

    def _grad_failure(
        self, case: _Case, ref: _Reference, wrong: list[tuple[int, Any]], run: int
    ) -> _EngineError:
        i, raw = wrong[0]
        expected, got = ref.grads[i], _as_number(raw)
        text = _Text(case, [i, *(use.consumer for use in ref.uses[i])])
        lines = self._head(text, run)
        lines.append(f"  node:        {text.node(i)}")
        lines.append(f"  gradient:    {text.gradient(i)}, that is {text.name(i)}.grad")
        if got is None:
            lines.append(f"  expected:    {_show(expected)} (gradstep)")
            lines.append(f"  got:         {raw!r:.60}, which is not a number")
            title = f"{self.name} leaves a gradient that is not a number."
            return self._finish(title, lines, None, case)
        shown_expected, shown_got = _show_pair(expected, got)
        lines.append(f"  expected:    {shown_expected} (gradstep)")
        lines.append(f"  got:         {shown_got} ({self.name})")
        others = []
        for j, other in wrong[1:4]:
            number = _as_number(other)
            shown = _show(number) if number is not None else f"{other!r:.30}"
            others.append(f"{text.gradient(j)}: expected {_show(ref.grads[j])}, got {shown}")
        if len(wrong) > 4:
            others.append(f"and {len(wrong) - 4} more")
        for k, other in enumerate(others):
            lines.append(("  also wrong:  " if k == 0 else " " * 15) + other)
        if run == 2:
            title = f"{self.name} gets gradients wrong in a second backward pass."
            hint: str | None = _LEAK_HINT
        else:
            title = f"{self.name} computes a wrong gradient."
            hint = _diagnose(case, ref, text, i, got)
        return self._finish(title, lines, hint, case)


# -- recognising common bugs -----------------------------------------------------------------


_LEAK_HINT = (
    "the first backward pass was right, so the ops are fine: something survives from one "
    "backward() to the next. A common cause is a topological-order list or a visited set "
    "that lives outside backward(): at module level, on the class, or as a default "
    "argument such as def backward(self, topo=[]). Then the second backward() also runs "
    "the old graph's _backward functions, which add their gradients to the inputs again. "
    "Build topo and visited afresh inside backward()."
)


def _value_hint(step: _Step, ref: _Reference, got: float) -> str:
    """What to check for a wrong forward value; names the swapped-operands mistake."""
    kind = step.kind
    if kind.shape == "nv" and kind.op in "-/" and step.number is not None:
        x = ref.values[step.operands[0]]
        swapped = x - step.number if kind.op == "-" else x / step.number
        if _close(got, swapped, abs(swapped), VALUE_RTOL, VALUE_ATOL):
            return (
                f"{kind.form} came out as x {kind.op} 2. Python evaluates `2 {kind.op} x` as "
                f"x.{kind.method}(2): the number arrives as the argument `other`, but it "
                f"comes FIRST, so {kind.method} must compute other {kind.op} self."
            )
    return f"the forward computation of {kind.form} is wrong: check {kind.method}."


def _subset_sums(values: Sequence[float]) -> list[float]:
    """Every sum of a proper part of ``values`` (0 included): what an incomplete grad can be."""
    values = list(values)[:8]
    return [math.fsum(chosen) for r in range(len(values)) for chosen in combinations(values, r)]


def _diagnose(case: _Case, reference: _Reference, text: _Text, i: int, got: float) -> str | None:
    """A hint for a wrong gradient at node i, whose consumers all have the right gradient.

    With the consumers right, node i's gradient can only have gone wrong in how their
    contributions were added up: one of them overwrote the others (``=`` instead of
    ``+=``), a consumer passed on its gradient before that was complete (no
    topological order), or a local derivative is wrong.
    """
    last = case.size - 1
    expected, scale = reference.grads[i], reference.scales[i]
    uses = reference.uses[i]

    def close(value: float) -> bool:
        return _close(got, value, scale, GRAD_RTOL, GRAD_ATOL)

    if i == last:
        return (
            "d out / d out is 1: backward() must start by setting out.grad = 1.0 "
            "before it calls any _backward."
        )
    name = text.name(i)
    overwritten = None
    if len(uses) >= 2 and any(close(use.contribution) for use in uses):
        shares = " + ".join(_show(use.contribution) for use in uses)
        overwritten = (
            f"{name} is used {len(uses)} times, so its gradient is the SUM of {len(uses)} "
            f"contributions ({shares} = {_show(expected)}), but it got only one of them. "
            "Did you write `=` instead of `+=` in a _backward? Each _backward must add to "
            "its inputs' .grad (self.grad += ...), never overwrite it."
        )
    early = _partial_consumer(case, reference, text, i, got, close)
    if overwritten and early:
        # Both mistakes explain these numbers. If every use of the node is in one step
        # and there are other steps, that step alone was tried and passed (the failure
        # was reduced, see _Checker.reduce), so its _backward does accumulate.
        if len({use.consumer for use in uses}) == 1 and len(case.steps) > 1:
            return early
        return f"two different mistakes give exactly these numbers. (1) {early} (2) {overwritten}"
    if overwritten or early:
        return overwritten or early
    if len(uses) == 1:
        use = uses[0]
        consumer_grad = reference.grads[use.consumer]
        step = case.steps[use.consumer - len(case.inputs)]
        consumer = text.name(use.consumer)
        where = f"the _backward that {step.kind.method} sets up for {step.kind.form}"
        if consumer_grad == 0.0:
            return f"{name} is used only by {consumer}; check {where}."
        used = _show(got / consumer_grad)
        if consumer_grad != 1.0:
            used += f" (= {_show(got)} / {_show(consumer_grad)})"
        at = ", ".join(
            f"{text.name(k)} = {_show(reference.values[k])}" for k in dict.fromkeys(step.operands)
        )
        formula = text.formula(use.consumer, use.position)
        return (
            f"{name} is used only by {consumer} = {text.definitions[use.consumer]}, whose own "
            f"gradient is right ({_show(consumer_grad)}). So the local derivative "
            f"d {consumer} / d {name} must be wrong: it is {formula} = {_show(use.local)} at "
            f"{at}, but your engine used {used}. Check {where}."
        )
    if not uses:
        return (
            f"{name} is not used in the expression, so its gradient should stay 0; "
            "something else wrote to it."
        )
    if got == 0.0:
        return (
            f"{name}.grad is still 0: nothing was added to it. Does backward() call the "
            f"_backward of every node, and does each _backward add to its inputs' .grad?"
        )
    forms = ", ".join(
        dict.fromkeys(case.steps[u.consumer - len(case.inputs)].kind.form for u in uses)
    )
    return (
        f"{name} is used {len(uses)} times, and the nodes using it have the right gradient, so "
        f"the mistake is in how their _backward functions add to {name}.grad: check the local "
        f"derivatives of {forms}."
    )


def _partial_consumer(
    case: _Case,
    reference: _Reference,
    text: _Text,
    i: int,
    got: float,
    close: Callable[[float], bool],
) -> str | None:
    """A hint if node i's gradient is what it would be had some node using it passed on
    its gradient too early (before every node using *that* node had added its share)."""
    uses = reference.uses[i]
    last = case.size - 1
    consumers = list(dict.fromkeys(use.consumer for use in uses))
    if len(consumers) > 4:
        return None
    local_sum = {c: math.fsum(use.local for use in uses if use.consumer == c) for c in consumers}
    options: list[list[tuple[float, bool]]] = []
    for c in consumers:
        complete = reference.grads[c]
        partial = (
            []
            if c == last
            else [(p, True) for p in _subset_sums([use.contribution for use in reference.uses[c]])]
        )
        options.append([(complete, False), *partial])
    for choice in product(*options):
        if not any(early for _, early in choice):
            continue
        if close(math.fsum(g * local_sum[c] for c, (g, _) in zip(consumers, choice, strict=True))):
            c, (partial_grad, _) = next(
                (c, option) for c, option in zip(consumers, choice, strict=True) if option[1]
            )
            consumer = text.name(c)
            return (
                f"{consumer}'s gradient is right in the end ({_show(reference.grads[c])}), "
                f"but {consumer} passed it on to {text.name(i)} too early, when it was only "
                f"{_show(partial_grad)}: not every node using {consumer} had added its share "
                "yet. backward() must call each node's _backward only after the _backward of "
                "every node that uses it: in reverse topological order. Build the topological "
                "order first (children before parents), then call _backward on the nodes in "
                "reverse."
            )
    return None


# -- the public function --------------------------------------------------------------------------


def _probe(engine: Callable[..., Any], name: str) -> tuple[list[_Kind], list[tuple[str, str]]]:
    """Check the basics (TypeError if missing) and find which operations work."""
    if not callable(engine):
        raise TypeError(
            f"check_engine needs your value class itself, e.g. check_engine(Value); "
            f"got {type(engine).__name__} {engine!r:.60}"
        )
    try:
        probe = engine(2.0)
    except KeyboardInterrupt:
        raise
    except BaseException as error:
        raise TypeError(
            f"check_engine needs a class that can be made from a number, like {name}(2.0), "
            f"but {name}(2.0) raised {_describe_error(error)}"
        ) from None
    probe_data, probe_grad = _read(probe, "data", name), _read(probe, "grad", name)
    missing = [
        f".{a}" for a, got in (("data", probe_data), ("grad", probe_grad)) if got is _MISSING
    ]
    if not callable(_read(probe, "backward", name)):
        missing.append(".backward()")
    if missing:
        raise TypeError(
            f"{name} lacks what check_engine needs: {', '.join(missing)}. A micrograd-style "
            f"value has .data (its number), .grad (its gradient, a number starting at 0) "
            f"and a .backward() method, and is made with {name}(2.0)."
        )
    data, grad = _as_number(probe_data), _as_number(probe_grad)
    if data is None:
        raise TypeError(f"{name}(2.0).data should be a number, got {_show_object(probe_data)}")
    if grad is None:
        raise TypeError(
            f"{name}(2.0).grad should be a number (0 for a new value), got "
            f"{_show_object(probe_grad)}"
        )
    try:
        probe.grad = 0.0
    except KeyboardInterrupt:
        raise
    except BaseException as error:
        raise TypeError(
            f"check_engine sets .grad = 0.0 between two backward passes (as zero_grad does), "
            f"but on a {name} that raised {_describe_error(error)}"
        ) from None
    if data != 2.0:
        raise AssertionError(f"{name}(2.0).data is {data!r}: it should be 2.0, the number itself")
    if grad != 0.0:
        raise AssertionError(
            f"a new {name}'s .grad should start at 0, but {name}(2.0).grad is {grad!r}"
        )

    kinds: list[_Kind] = []
    not_checked: list[tuple[str, str]] = []
    for kind in _KINDS:
        args = [engine(1.5), engine(0.5)][: kind.arity]
        if _read(args[0], kind.method, name) in (None, _MISSING):  # None: "not supported"
            not_checked.append((kind.form, f"no {kind.method}"))
            continue
        try:
            result = _apply(kind, args, 2)
        except KeyboardInterrupt:
            raise
        except BaseException as error:
            not_checked.append((kind.form, _describe_error(error)))
            continue
        if (
            _as_number(_read(result, "data", name)) is None
            or _read(result, "grad", name) is _MISSING
        ):
            not_checked.append((kind.form, f"gave {type(result).__name__}, not a value"))
            continue
        kinds.append(kind)
    if not kinds:
        raise TypeError(
            f"{name} has none of the operations check_engine tests (+ - * / ** with a "
            f"number exponent, unary -, tanh, exp, relu, sigmoid), so there is nothing to "
            f"check. Tried: {'; '.join(f'{form} ({why})' for form, why in not_checked)}"
        )
    return kinds, not_checked


def check_engine(
    value_class: Callable[..., Any],
    *,
    max_examples: int = DEFAULT_MAX_EXAMPLES,
    seed: int | None = None,
) -> EngineReport:
    """Property-test a micrograd-style value class against gradstep's :class:`~autograd.Value`.

    Builds random expressions (shared subexpressions and reused nodes included) with
    both classes, runs ``backward()`` twice per expression the way a training loop does,
    and compares every node's ``.data`` and ``.grad``. See the module documentation
    (:mod:`autograd.engine_check`) for exactly what is checked and with what tolerances.

    Args:
        value_class: your class. It must be callable with one number (``value_class(2.0)``)
            and its objects need ``.data``, ``.grad`` and ``.backward()``. Of the
            operations ``+ - * /`` (with values and with plain numbers on either side),
            ``** n`` for a number n, unary ``-``, ``tanh()``, ``exp()``, ``relu()`` and
            ``sigmoid()``, those it has are checked.
        max_examples: how many random expressions to check. The default takes under a
            second on a laptop; more find rarer bugs.
        seed: makes the run repeatable. ``None`` (the default) picks a new seed each
            call; the report and any error message say which one was used.

    Returns:
        An :class:`EngineReport`: the operations checked, the ones skipped and why, and
        how many expressions, values and gradients were compared. Print it.

    Raises:
        AssertionError: when the class disagrees with gradstep, or raises an exception,
            on some expression. The message shows the smallest such expression found,
            the node, which gradient (``d out / d x``), gradstep's number and the class's
            own, and a hint when the mistake looks like a common one.
        TypeError: when the class lacks what is needed: a constructor from a number,
            ``.data``, ``.grad``, ``.backward()``, or every one of the operations above;
            when reading one of these attributes raises (a ``__getattr__`` that raises
            something other than AttributeError); also for a ``seed`` that is not an int.

    Any exception the class raises counts, ``SystemExit`` and other ``BaseException``
    subclasses included, except ``KeyboardInterrupt``: interrupting stops the check.
        ValueError: for ``max_examples`` below 1.

    Note:
        check_engine runs hypothesis itself: call it from a notebook cell or a plain
        test function. Inside a hypothesis ``@given`` test of your own, hypothesis
        refuses the nesting (its ``nested_given`` health check).

    Example:
        >>> from autograd import Value
        >>> from autograd.testing import check_engine
        >>> report = check_engine(Value, max_examples=20, seed=0)
        >>> report.examples, report.gradients_compared > 0
        (20, True)
    """
    if isinstance(max_examples, bool) or not isinstance(max_examples, int) or max_examples < 1:
        raise ValueError(f"max_examples must be a whole number >= 1, got {max_examples!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise TypeError(f"seed must be an int or None, got {type(seed).__name__} {seed!r:.40}")
    name = getattr(value_class, "__name__", None) or type(value_class).__name__
    if not isinstance(value_class, type) and hasattr(value_class, "data"):
        raise TypeError(
            f"check_engine needs the class, not one of its values: "
            f"check_engine({type(value_class).__name__}), not check_engine({value_class!r:.40})"
        )
    kinds, not_checked = _probe(value_class, name)
    if seed is None:
        seed = random.SystemRandom().randrange(1_000_000)
    checker = _Checker(value_class, name, seed)

    @settings(
        max_examples=max_examples,
        database=None,  # never write a .hypothesis folder into the learner's project
        deadline=None,
        derandomize=False,
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
        report_multiple_bugs=False,
        print_blob=False,
    )
    @given(_cases(kinds))
    def run(case: _Case) -> None:
        checker.check(case)

    try:
        hypothesis_seed(seed)(run)()
    except _EngineError as failure:
        raise AssertionError(checker.reduce(failure).message) from None
    except Flaky:
        # The engine gave different results for the same expression (e.g. it iterates
        # over a set, whose order can change from run to run): report what was seen.
        if checker.smallest is None:
            raise
        note = (
            f"Note: the same expression does not always fail with {name}: its result depends "
            "on something that changes between runs (often the order of iterating over a set)."
        )
        message = checker.reduce(checker.smallest).message
        raise AssertionError(message + "\n\n" + "\n".join(textwrap.wrap(note, 92))) from None
    except HypothesisException as error:
        raise RuntimeError(f"check_engine could not run its examples: {error}") from None
    return EngineReport(
        engine=name,
        ops=tuple(kind.form for kind in kinds),
        not_checked=tuple(not_checked),
        examples=checker.examples,
        values_compared=checker.values_compared,
        gradients_compared=checker.gradients_compared,
        seed=seed,
    )
