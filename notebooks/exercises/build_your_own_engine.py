"""Checkers for notebook 02, "Build your own engine".

Every answer is the learner's class itself (``answer = Value``), grown one exercise at a
time. The class follows the notebook's conventions:

* ``Value(data, children=(), op="")`` makes a node;
* a node has ``.data``, ``.grad`` (starting at 0), ``.children`` (a tuple of the nodes it
  was computed from, in argument order), ``.op`` (a string, for printing) and
  ``._backward``, a function of no arguments that adds this node's gradient, times each
  local derivative, to its children's ``.grad`` (a leaf's does nothing);
* an operation makes its output node and sets the output's ``_backward``.

Before ``backward()`` exists (Exercise 2.6) the checkers drive the backward pass by hand:
they set ``out.grad`` to an upstream gradient of 0.5 and call ``out._backward()``. Every
expected number comes from gradstep's own :class:`autograd.Value`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import autograd
from exercises.feedback import (
    Verdict,
    attempt,
    checker,
    close,
    describe,
    reject,
    right,
    show,
    stop,
    wrong_type,
)

__all__ = [
    "check_add",
    "check_backward",
    "check_mul",
    "check_node",
    "check_pow",
    "check_tanh_exp",
]

UPSTREAM = 0.5
"""The gradient the checkers put into ``out.grad`` before calling ``out._backward()``.

Not 1, so that forgetting to multiply by ``out.grad`` shows."""

_INIT_HINT = "__init__(self, data, children=(), op='') must store all five attributes"


# -- the answer: a class, and its nodes ------------------------------------------------------


def _the_class(answer: object, attach: str = "") -> type:
    """The learner's class, or a verdict on what else the answer is.

    ``attach`` shows how this exercise's function joins the class ("Value.__add__ = add").
    """
    if answer is autograd.Value:
        reject(
            "the answer is gradstep's own Value (autograd.Value), not yours",
            "write your own class Value in the exercise cell, then set answer = Value",
        )
    if isinstance(answer, type):
        return answer
    if hasattr(answer, "data"):
        stop(
            wrong_type(
                answer,
                "your class Value itself",
                "write answer = Value, the class, without parentheses",
            )
        )
    if callable(answer):
        stop(
            wrong_type(
                answer,
                "your class Value itself",
                f"attach your function to the class ({attach}), then write answer = Value"
                if attach
                else "write answer = Value, the class",
            )
        )
    stop(wrong_type(answer, "your class Value itself", "after the class, write answer = Value"))


def _is_node(obj: object) -> bool:
    return all(hasattr(obj, a) for a in ("data", "grad", "children", "_backward"))


def _number(x: object) -> float | None:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    return float(x)


def _output(out: object, what: str) -> Any:
    """Check that an operation returned a node; return it."""
    if out is None:
        reject(f"{what} gave None", "end the function with return out")
    if not _is_node(out):
        reject(
            f"{what} should give a new Value, but it gave {describe(out)}",
            "make the result with Value(...), set its _backward, and return it",
        )
    if _number(getattr(out, "data", None)) is None:
        reject(
            f"{what} gave a Value whose data is {describe(getattr(out, 'data', None))}",
            "data must be a plain number: compute it from self.data and other.data",
        )
    return out


def _name(cls: type) -> str:
    return getattr(cls, "__name__", "Value")


# -- comparing with gradstep ------------------------------------------------------------------


@dataclass(frozen=True)
class _Op:
    """One operation to try: ``form`` as the learner reads it, built by ``build``."""

    form: str
    build: Callable[..., Any]
    inputs: tuple[float, ...]
    names: tuple[str, ...] = ("x", "y")

    def where(self) -> str:
        return ", ".join(f"{n} = {show(x)}" for n, x in zip(self.names, self.inputs, strict=True))


def _reference(op: _Op) -> tuple[float, list[float]]:
    """gradstep's output value, and the input gradients for an upstream gradient of 0.5."""
    xs = [autograd.Value(x) for x in op.inputs]
    out = op.build(*xs)
    out.backward(UPSTREAM)
    return out.data, [x.grad for x in xs]


def _check_op(
    cls: type,
    op: _Op,
    *,
    method: str,
    value_hint: str,
    grad_hint: Callable[[str, float, float], str],
) -> None:
    """Build ``op`` with the learner's class, compare its value and its local gradients.

    ``grad_hint(name, got, expected)`` explains a wrong gradient of input ``name``.
    """
    nodes = [cls(x) for x in op.inputs]
    what = f"{op.form} at {op.where()}"
    out = _output(attempt(what, lambda: op.build(*nodes), f"look at your {method}"), f"{op.form}")
    data, grads = _reference(op)
    if not close(out.data, data):
        reject(f"{what} should be {show(data)}, your {method} gave {show(out.data)}", value_hint)
    unique = list({id(n): n for n in nodes}.values())
    for node in unique:
        if not any(child is node for child in _children(out, op.form)):
            reject(
                f"the result of {op.form} should have the input(s) among its children, "
                f"but its children are {describe(out.children)}",
                "make the output with Value(data, (self, other), op) so that it knows its inputs",
            )
    out.grad = UPSTREAM
    attempt(
        f"out._backward() for out = {op.form}",
        out._backward,
        f"look at the _backward function inside your {method}",
    )
    for name, node, expected in zip(op.names, nodes, grads, strict=True):
        got = _number(node.grad)
        if got is None:
            reject(
                f"after out._backward() for out = {op.form}, {name}.grad is "
                f"{describe(node.grad)}, not a number",
                "grads are plain numbers: add number * out.grad to them",
            )
        if not close(got, expected):
            reject(
                f"out = {op.form} at {op.where()}, out.grad = {show(UPSTREAM)}: after "
                f"out._backward(), {name}.grad should be {show(expected)}, got {show(got)}",
                grad_hint(name, got, expected),
            )


def _children(out: Any, form: str) -> Sequence[Any]:
    children = out.children
    if not isinstance(children, tuple):
        reject(
            f"the children of {form} should be a tuple, but they are {describe(children)}",
            "store them with tuple(children): a tuple keeps the order, and x + x keeps both",
        )
    return children


def _chain_rule_hint(local: str) -> Callable[[str, float, float], str]:
    """The usual hints for a wrong gradient, given the local derivative in words."""

    def hint(name: str, got: float, expected: float) -> str:
        if got == 0.0:
            return (
                f"nothing reached {name}.grad: does the operation set out._backward = "
                "_backward, and does _backward add to the inputs' .grad?"
            )
        if close(got * UPSTREAM, expected):
            factor = f"({local})" if " " in local else local
            return f"multiply by out.grad: the chain rule gives {name}.grad += {factor} * out.grad"
        return f"the local derivative is {local}; add it times out.grad to {name}.grad"

    return hint


def _basics(cls: type) -> None:
    """Stop unless the class passes Exercise 2.1 (the node itself)."""
    verdict = check_node.judge(cls)
    if not verdict.ok:
        reject(
            f"your class does not pass Exercise 2.1 yet: {verdict.message}",
            verdict.hint or "run the checker of Exercise 2.1",
        )


# -- Exercise 2.1 ---------------------------------------------------------------------------


@checker(start="write the class Value in the cell (remove the # signs), then set answer = Value")
def check_node(answer: object) -> Verdict:
    """Exercise 2.1: a node stores data, grad, children, op and _backward; a readable repr."""
    cls = _the_class(answer)
    name = _name(cls)
    leaf = attempt(f"{name}(2.0)", lambda: cls(2.0), _INIT_HINT)
    for attribute in ("data", "grad", "children", "op", "_backward"):
        if not hasattr(leaf, attribute):
            reject(
                f"{name}(2.0) has no .{attribute}",
                f"store it in __init__: self.{attribute} = ...",
            )
    if _number(leaf.data) != 2.0:
        reject(f"{name}(2.0).data should be 2.0, it is {describe(leaf.data)}", "self.data = data")
    if _number(leaf.grad) != 0.0:
        reject(
            f"a new node's grad should be 0.0, but {name}(2.0).grad is {describe(leaf.grad)}",
            "self.grad = 0.0: no gradient has reached it yet",
        )
    if leaf.children != ():
        reject(
            f"a leaf has no children, but {name}(2.0).children is {describe(leaf.children)}",
            "give children a default of () and store self.children = tuple(children)",
        )
    if leaf.op != "":
        reject(f"a leaf's op should be '', it is {describe(leaf.op)}", "default op to ''")
    if not callable(leaf._backward):
        reject(
            f"{name}(2.0)._backward should be a function, it is {describe(leaf._backward)}",
            "self._backward = lambda: None, a function that does nothing (for now)",
        )
    attempt(
        f"{name}(2.0)._backward()",
        leaf._backward,
        "a leaf's _backward takes no arguments and does nothing: lambda: None",
    )
    if _number(leaf.grad) != 0.0:
        reject(
            f"a leaf's _backward() changed its grad to {describe(leaf.grad)}",
            "a leaf has nothing to pass back: lambda: None",
        )
    a, b = cls(2.0), cls(-3.0)
    node = attempt(f"{name}(-6.0, (a, b), '*')", lambda: cls(-6.0, (a, b), "*"), _INIT_HINT)
    if not isinstance(node.children, tuple):
        reject(
            f"children should be a tuple, but {name}(-6.0, (a, b), '*').children is "
            f"{describe(node.children)}",
            "self.children = tuple(children): a tuple keeps the order, and a + a keeps both",
        )
    if len(node.children) != 2 or node.children[0] is not a or node.children[1] is not b:
        reject(
            f"{name}(-6.0, (a, b), '*').children should be (a, b), the same two nodes in "
            f"order, but it is {describe(node.children)}",
            "self.children = tuple(children)",
        )
    if node.op != "*":
        reject(
            f"{name}(-6.0, (a, b), '*').op should be '*', it is {describe(node.op)}",
            "self.op = op",
        )
    text = attempt(f"repr({name}(2.0))", lambda: repr(leaf), "__repr__ must return a str")
    if " object at 0x" in text or "2" not in text:
        reject(
            f"repr({name}(2.0)) is {text!r}, which does not show the number",
            "define __repr__ to return e.g. f'Value(data={self.data}, grad={self.grad})'",
        )
    return right(f"{name}(2.0) is {text}, with children, op and _backward")


# -- Exercise 2.2 ---------------------------------------------------------------------------


def _add_ops() -> list[_Op]:
    return [
        _Op("x + y", lambda x, y: x + y, (2.0, -3.0)),
        _Op("x + x", lambda x: x + x, (3.0,), ("x",)),
        _Op("x + 2", lambda x: x + 2, (1.5,), ("x",)),
        _Op("2 + x", lambda x: 2 + x, (1.5,), ("x",)),
    ]


def _add_value_hint(form: str) -> str:
    if form == "2 + x":
        return "2 + x calls x.__radd__(2): define radd and set Value.__radd__ = radd"
    return "the data of x + y is x.data + y.data"


def _add_grad_hint(form: str) -> Callable[[str, float, float], str]:
    base = _chain_rule_hint("1")

    def hint(name: str, got: float, expected: float) -> str:
        if form == "x + x" and close(got, expected / 2):
            return (
                "x is both children of x + x, so its two shares must add up: use "
                "self.grad += ... and other.grad += ..., never ="
            )
        return base(name, got, expected)

    return hint


@checker(start="write add (and radd) in the cell, attach them to Value, then set answer = Value")
def check_add(answer: object) -> Verdict:
    """Exercise 2.2: ``x + y``, ``x + 2`` and ``2 + x``, forward and local backward."""
    cls = _the_class(answer, "Value.__add__ = add")
    _basics(cls)
    for op in _add_ops():
        _check_op(
            cls,
            op,
            method="radd" if op.form == "2 + x" else "add",
            value_hint=_add_value_hint(op.form),
            grad_hint=_add_grad_hint(op.form),
        )
    return right("x + y, x + x, x + 2 and 2 + x: values and gradients agree with gradstep")


# -- Exercise 2.3 ---------------------------------------------------------------------------


def _mul_ops() -> list[_Op]:
    return [
        _Op("x * y", lambda x, y: x * y, (2.0, -3.0)),
        _Op("x * x", lambda x: x * x, (3.0,), ("x",)),
        _Op("x * 2", lambda x: x * 2, (1.5,), ("x",)),
        _Op("2 * x", lambda x: 2 * x, (1.5,), ("x",)),
    ]


def _mul_grad_hint(op: _Op) -> Callable[[str, float, float], str]:
    base = _chain_rule_hint("the other factor")

    def hint(name: str, got: float, expected: float) -> str:
        if op.form == "x * x" and close(got, expected / 2):
            return (
                "x is both factors of x * x, so both shares (x.data each) must add up: "
                "use +=, never ="
            )
        if op.form == "x * y" and len(op.inputs) == 2:
            own = op.inputs[0] if name == "x" else op.inputs[1]
            if close(got, own * UPSTREAM):
                return (
                    f"d(x * y)/d{name} is the *other* factor: self.grad += other.data * "
                    "out.grad, other.grad += self.data * out.grad"
                )
        return base(name, got, expected)

    return hint


@checker(start="write mul (and rmul) in the cell, attach them to Value, then set answer = Value")
def check_mul(answer: object) -> Verdict:
    """Exercise 2.3: ``x * y``, ``x * 2`` and ``2 * x``, forward and local backward."""
    cls = _the_class(answer, "Value.__mul__ = mul")
    _basics(cls)
    for op in _mul_ops():
        _check_op(
            cls,
            op,
            method="rmul" if op.form == "2 * x" else "mul",
            value_hint=(
                "2 * x calls x.__rmul__(2): define rmul and set Value.__rmul__ = rmul"
                if op.form == "2 * x"
                else "the data of x * y is x.data * y.data"
            ),
            grad_hint=_mul_grad_hint(op),
        )
    return right("x * y, x * x, x * 2 and 2 * x: values and gradients agree with gradstep")


# -- Exercise 2.4 ---------------------------------------------------------------------------

_POWERS: tuple[tuple[float, float], ...] = ((2, 1.5), (3, -2.0), (-1, 0.5), (0.5, 2.25))
"""(exponent, x) pairs: a square, a cube of a negative number, 1/x and a square root."""


def _pow_grad_hint(n: float, x: float) -> Callable[[str, float, float], str]:
    def hint(name: str, got: float, expected: float) -> str:
        if close(got, x**n * UPSTREAM):
            return "that is x ** n itself: the derivative of x ** n is n * x ** (n - 1)"
        if close(got, x ** (n - 1) * UPSTREAM):
            return "the factor n is missing: d(x ** n)/dx = n * x ** (n - 1)"
        return _chain_rule_hint("n * x ** (n - 1)")(name, got, expected)

    return hint


@checker(start="write power in the cell, set Value.__pow__ = power, then set answer = Value")
def check_pow(answer: object) -> Verdict:
    """Exercise 2.4: ``x ** n`` for a plain number n, forward and local backward."""
    cls = _the_class(answer, "Value.__pow__ = power")
    _basics(cls)
    for n, x in _POWERS:
        _check_op(
            cls,
            _Op(f"x ** {show(n)}", lambda v, n=n: v**n, (x,), ("x",)),
            method="power",
            value_hint="the data of x ** n is x.data ** n",
            grad_hint=_pow_grad_hint(n, x),
        )
    return right("x ** 2, x ** 3, x ** -1 and x ** 0.5: values and gradients agree with gradstep")


# -- Exercise 2.5 ---------------------------------------------------------------------------


def _function_grad_hint(function: str, x: float) -> Callable[[str, float, float], str]:
    local = "1 - tanh(x) ** 2" if function == "tanh" else "exp(x), the output itself"

    def hint(name: str, got: float, expected: float) -> str:
        if function == "tanh" and close(got, (1 - math.tanh(x)) * UPSTREAM):
            return "square it: d tanh(x)/dx = 1 - tanh(x) ** 2"
        return _chain_rule_hint(local)(name, got, expected)

    return hint


@checker(
    start="write tanh and exp in the cell, attach them (Value.tanh = tanh, Value.exp = exp), "
    "then set answer = Value"
)
def check_tanh_exp(answer: object) -> Verdict:
    """Exercise 2.5: the methods ``tanh()`` and ``exp()``, forward and local backward."""
    cls = _the_class(answer, "Value.tanh = tanh")
    _basics(cls)
    for function, x in (("tanh", 0.5), ("tanh", -1.2), ("exp", 0.7), ("exp", -1.0)):
        if not callable(getattr(cls, function, None)):
            reject(
                f"your class has no method {function}",
                f"attach your function to the class: Value.{function} = {function}",
            )
        _check_op(
            cls,
            _Op(f"x.{function}()", lambda v, f=function: getattr(v, f)(), (x,), ("x",)),
            method=function,
            value_hint=f"compute the data with math.{function}(self.data)",
            grad_hint=_function_grad_hint(function, x),
        )
    return right("x.tanh() and x.exp(): values and gradients agree with gradstep")


# -- Exercise 2.6 ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Graph:
    """An expression to backpropagate with the learner's backward()."""

    text: str
    build: Callable[..., Any]
    inputs: tuple[float, ...]
    names: tuple[str, ...]

    def where(self) -> str:
        return ", ".join(f"{n} = {show(x)}" for n, x in zip(self.names, self.inputs, strict=True))


_GRAPHS = (
    _Graph("z = x * y + x", lambda x, y: x * y + x, (2.0, -3.0), ("x", "y")),
    # m is used by u and by z, and u must pass its share to m before m passes on.
    _Graph("m = 3 * x; z = m * m + m", lambda x: (lambda m: m * m + m)(3 * x), (2.0,), ("x",)),
    # breadth-first from z reaches m (depth 1) before w = m * m (depth 2) has added its share.
    _Graph(
        "m = 3 * x; z = m + (m * m) * 2",
        lambda x: (lambda m: m + (m * m) * 2)(3 * x),
        (2.0,),
        ("x",),
    ),
)


def _backward_hint(got: float, expected: float, root_grad: float | None) -> str:
    if root_grad is not None and root_grad != 1.0:
        return (
            f"backward() must start with self.grad = 1.0 (dz/dz = 1); z.grad is {show(root_grad)}"
        )
    if got == 0.0:
        return (
            "nothing reached the inputs: set self.grad = 1.0 first, then call _backward "
            "on every node"
        )
    if abs(got) > abs(expected):
        return (
            "some node's _backward ran more than once: put each node in the order only once "
            "(remember the nodes you have visited in a set)"
        )
    return (
        "a node passed its gradient on before every node using it had added its share: "
        "build a topological order (each node after its children), then call _backward on "
        "the nodes in reverse"
    )


def _backward_pass(cls: type, graph: _Graph, inputs: list[Any]) -> Any:
    """Build the graph on the learner's inputs and call the learner's backward() on it."""
    out = _output(
        attempt(graph.text, lambda: graph.build(*inputs), "Exercises 2.2 and 2.3 come first"),
        graph.text,
    )
    attempt(f"z.backward() for {graph.text}", out.backward, "look at your backward")
    return out


@checker(start="write backward in the cell, set Value.backward = backward, then answer = Value")
def check_backward(answer: object) -> Verdict:
    """Exercise 2.6: ``backward()`` walks a reverse topological order from a gradient of 1.

    Each graph is backpropagated twice, as a training loop does: the second time the
    inputs' grads are set back to 0 and the expression is built again from them.
    """
    cls = _the_class(answer, "Value.backward = backward")
    _basics(cls)
    for name, needed in (("add", check_add), ("mul", check_mul)):
        verdict = needed.judge(cls)
        if not verdict.ok:
            reject(
                f"backward() is checked on expressions with + and *, but your {name} does not "
                f"pass its exercise yet: {verdict.message}",
                verdict.hint,
            )
    if not callable(getattr(cls, "backward", None)):
        reject("your class has no method backward", "attach it: Value.backward = backward")
    for graph in _GRAPHS:
        reference = [autograd.Value(x) for x in graph.inputs]
        graph.build(*reference).backward()
        inputs = [cls(x) for x in graph.inputs]
        for second in (False, True):
            if second:
                for node in inputs:
                    node.grad = 0.0  # what zero_grad() does between two training steps
            out = _backward_pass(cls, graph, inputs)
            for name, node, ref in zip(graph.names, inputs, reference, strict=True):
                got = _number(node.grad)
                if got is None:
                    reject(
                        f"after z.backward() for {graph.text}, {name}.grad is "
                        f"{describe(node.grad)}",
                        "grads are plain numbers",
                    )
                if close(got, ref.grad):
                    continue
                problem = (
                    f"{graph.text} at {graph.where()}: after z.backward(), {name}.grad should "
                    f"be {show(ref.grad)}, got {show(got)}"
                )
                if second:
                    reject(
                        f"{problem} on a second pass (grads zeroed, the expression built again "
                        "from the same inputs), although the first pass was right",
                        "backward() kept something from its first call: make the order list "
                        "and the set of visited nodes inside backward(), new at every call",
                    )
                reject(problem, _backward_hint(got, ref.grad, _number(out.grad)))
    return right("backward() agrees with gradstep, with nodes used twice, in two passes")
