"""Right and wrong answers for notebook 02's checkers: engines with one planted bug each.

Every wrong engine is a fresh copy of the reference solution (``notebooks/solutions/
engine.py``, loaded anew so that each copy is its own class) with one method replaced
by a broken one: the mistakes learners make.
"""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

from solutions.engine import Value as Reference

import autograd
from exercise_cases import Case, Wrong

ENGINE = Path(__file__).resolve().parents[3] / "notebooks" / "solutions" / "engine.py"


def engine(*, remove: tuple[str, ...] = (), **methods: Any) -> type:
    """A new copy of the reference engine class, with methods replaced or removed."""
    cls: type = runpy.run_path(str(ENGINE))["Value"]
    for name in remove:
        delattr(cls, name)
    for name, method in methods.items():
        setattr(cls, name, method)
    return cls


def _node(self: Any, data: float, children: tuple[Any, ...] = (), op: str = "") -> Any:
    return type(self)(data, children, op)


def _lift(self: Any, other: Any) -> Any:
    return other if isinstance(other, type(self)) else type(self)(other)


# -- Exercise 2.1: the node --------------------------------------------------------------------


def init_without_grad(self: Any, data: float, children: tuple[Any, ...] = (), op: str = "") -> None:
    self.data, self.children, self.op = float(data), tuple(children), op
    self._backward = lambda: None


def init_grad_one(self: Any, data: float, children: tuple[Any, ...] = (), op: str = "") -> None:
    self.data, self.grad, self.children, self.op = float(data), 1.0, tuple(children), op
    self._backward = lambda: None


def init_children_list(self: Any, data: float, children: Any = (), op: str = "") -> None:
    self.data, self.grad, self.children, self.op = float(data), 0.0, list(children), op
    self._backward = lambda: None


def init_data_only(self: Any, data: float) -> None:
    self.data, self.grad, self.children, self.op = float(data), 0.0, (), ""
    self._backward = lambda: None


# -- Exercise 2.2: + ---------------------------------------------------------------------------


def add_overwrites(self: Any, other: Any) -> Any:
    other = _lift(self, other)
    out = _node(self, self.data + other.data, (self, other), "+")

    def _backward() -> None:
        self.grad = out.grad  # = instead of +=
        other.grad = out.grad

    out._backward = _backward
    return out


def add_ignores_upstream(self: Any, other: Any) -> Any:
    other = _lift(self, other)
    out = _node(self, self.data + other.data, (self, other), "+")

    def _backward() -> None:
        self.grad += 1.0  # forgets the chain rule's out.grad
        other.grad += 1.0

    out._backward = _backward
    return out


def add_returns_none(self: Any, other: Any) -> None:
    other = _lift(self, other)
    _node(self, self.data + other.data, (self, other), "+")


def add_without_backward(self: Any, other: Any) -> Any:
    other = _lift(self, other)
    return _node(self, self.data + other.data, (self, other), "+")


# -- Exercise 2.3: * ---------------------------------------------------------------------------


def mul_own_factor(self: Any, other: Any) -> Any:
    other = _lift(self, other)
    out = _node(self, self.data * other.data, (self, other), "*")

    def _backward() -> None:
        self.grad += self.data * out.grad  # its own factor instead of the other one
        other.grad += other.data * out.grad

    out._backward = _backward
    return out


def mul_overwrites(self: Any, other: Any) -> Any:
    other = _lift(self, other)
    out = _node(self, self.data * other.data, (self, other), "*")

    def _backward() -> None:
        self.grad = other.data * out.grad
        other.grad = self.data * out.grad

    out._backward = _backward
    return out


# -- Exercise 2.4: ** --------------------------------------------------------------------------


def pow_without_n(self: Any, n: float) -> Any:
    out = _node(self, self.data**n, (self,), "**")

    def _backward() -> None:
        self.grad += self.data ** (n - 1) * out.grad

    out._backward = _backward
    return out


def pow_derivative_is_itself(self: Any, n: float) -> Any:
    out = _node(self, self.data**n, (self,), "**")

    def _backward() -> None:
        self.grad += out.data * out.grad

    out._backward = _backward
    return out


def pow_times(self: Any, n: float) -> Any:
    out = _node(self, self.data * n, (self,), "**")

    def _backward() -> None:
        self.grad += n * out.grad

    out._backward = _backward
    return out


# -- Exercise 2.5: tanh and exp ----------------------------------------------------------------


def tanh_not_squared(self: Any) -> Any:
    import math

    t = math.tanh(self.data)
    out = _node(self, t, (self,), "tanh")

    def _backward() -> None:
        self.grad += (1 - t) * out.grad

    out._backward = _backward
    return out


def exp_of_minus_x(self: Any) -> Any:
    import math

    out = _node(self, math.exp(-self.data), (self,), "exp")

    def _backward() -> None:
        self.grad += out.data * out.grad

    out._backward = _backward
    return out


# -- Exercise 2.6: backward --------------------------------------------------------------------


def _topological(root: Any) -> list[Any]:
    order: list[Any] = []
    visited: set[Any] = set()

    def visit(node: Any) -> None:
        if node not in visited:
            visited.add(node)
            for child in node.children:
                visit(child)
            order.append(node)

    visit(root)
    return order


def backward_without_seed(self: Any) -> None:
    for node in reversed(_topological(self)):
        node._backward()


def backward_depth_first_calls(self: Any) -> None:
    """Call _backward on reaching a node, then recurse: no order, no visited set."""
    self.grad = 1.0

    def visit(node: Any) -> None:
        node._backward()
        for child in node.children:
            visit(child)

    visit(self)


def backward_breadth_first(self: Any) -> None:
    """Breadth-first from the output: each node once, but not in a topological order."""
    self.grad = 1.0
    queue, seen = [self], {self}
    for node in queue:
        node._backward()
        for child in node.children:
            if child not in seen:
                seen.add(child)
                queue.append(child)


def backward_keeps_order(self: Any) -> None:
    """The order list is a class attribute, so it outlives the call."""
    for node in _topological(self):
        if node not in self._order:
            self._order.append(node)
    self.grad = 1.0
    for node in reversed(self._order):
        node._backward()


def _with_class_order() -> type:
    cls = engine(backward=backward_keeps_order)
    cls._order = []  # type: ignore[attr-defined]
    return cls


_NOT_A_CLASS = [
    Wrong(Reference(2.0), "without parentheses"),
    Wrong(autograd.Value, "gradstep's own Value"),
]


CASES = {
    "check_node": Case(
        right=Reference,
        wrong=[
            Wrong(engine(__init__=init_without_grad), "has no .grad"),
            Wrong(engine(__init__=init_grad_one), "self.grad = 0.0"),
            Wrong(engine(__init__=init_children_list), "tuple(children)"),
            Wrong(engine(__init__=init_data_only), "raised TypeError"),
            Wrong(engine(remove=("__repr__",)), "does not show the number"),
        ],
        wrong_type=[*_NOT_A_CLASS, Wrong(init_without_grad, "answer = Value")],
    ),
    "check_add": Case(
        right=Reference,
        wrong=[
            Wrong(engine(__add__=add_overwrites), "never ="),
            Wrong(engine(__add__=add_ignores_upstream), "multiply by out.grad"),
            Wrong(engine(remove=("__radd__",)), "2 + x"),
            Wrong(engine(__add__=add_returns_none), "return out"),
            Wrong(engine(__add__=add_without_backward), "nothing reached"),
            Wrong(engine(__init__=init_without_grad), "Exercise 2.1"),
        ],
        wrong_type=[*_NOT_A_CLASS, Wrong(add_overwrites, "Value.__add__ = add")],
    ),
    "check_mul": Case(
        right=Reference,
        wrong=[
            Wrong(engine(__mul__=mul_own_factor), "the *other* factor"),
            Wrong(engine(__mul__=mul_overwrites), "never ="),
            Wrong(engine(remove=("__rmul__",)), "2 * x"),
        ],
        wrong_type=[*_NOT_A_CLASS, Wrong(mul_own_factor, "Value.__mul__ = mul")],
    ),
    "check_pow": Case(
        right=Reference,
        wrong=[
            Wrong(engine(__pow__=pow_without_n), "the factor n is missing"),
            Wrong(engine(__pow__=pow_derivative_is_itself), "that is x ** n itself"),
            Wrong(engine(__pow__=pow_times), "x.data ** n"),
            Wrong(engine(remove=("__pow__",)), "raised TypeError"),
        ],
        wrong_type=[*_NOT_A_CLASS, Wrong(pow_without_n, "Value.__pow__ = power")],
    ),
    "check_tanh_exp": Case(
        right=Reference,
        wrong=[
            Wrong(engine(tanh=tanh_not_squared), "square it"),
            Wrong(engine(exp=exp_of_minus_x), "math.exp(self.data)"),
            Wrong(engine(remove=("tanh",)), "no method tanh"),
        ],
        wrong_type=[*_NOT_A_CLASS, Wrong(tanh_not_squared, "Value.tanh = tanh")],
    ),
    "check_backward": Case(
        right=Reference,
        wrong=[
            Wrong(engine(backward=backward_without_seed), "self.grad = 1.0"),
            Wrong(engine(backward=backward_depth_first_calls), "more than once"),
            Wrong(engine(backward=backward_breadth_first), "reverse"),
            Wrong(_with_class_order(), "second pass"),
            Wrong(engine(remove=("backward",)), "no method backward"),
            Wrong(engine(__add__=add_overwrites), "your add does not pass"),
        ],
        wrong_type=[*_NOT_A_CLASS, Wrong(backward_breadth_first, "Value.backward = backward")],
    ),
}
