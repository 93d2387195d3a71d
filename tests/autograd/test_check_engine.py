"""check_engine passes correct micrograd-style engines and explains what is wrong with broken ones.

The engines below are written the way a learner writes them at the end of a "build your
own autograd" notebook: closures in ``_backward``, a recursive topological sort. The
broken ones each change one thing, the way real mistakes do.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import find, given
from hypothesis import strategies as st

from autograd import Value, no_grad
from autograd.engine_check import _KINDS, _Case, _cases, _Reference, _Text
from autograd.testing import EngineReport, check_engine

FEW = 40
"""Examples per call in these tests: enough to find every bug below, and quick."""


# -- a correct engine, with every op check_engine knows ----------------------------------------


class Micro:
    """A correct micrograd-style value. Its subclasses below break one thing each."""

    def __init__(self, data: float, children: tuple[Any, ...] = ()) -> None:
        self.data = data
        self.grad = 0.0
        self._prev = children
        self._backward: Callable[[], None] = lambda: None

    @staticmethod
    def _add_to_grad(node: Any, amount: float) -> None:
        node.grad += amount  # the one place where gradients are accumulated

    def _wrap(self, other: Any) -> Any:
        return other if isinstance(other, Micro) else type(self)(other)

    def _unary(self, data: float, local: Callable[[], float]) -> Any:
        out = type(self)(data, (self,))

        def _backward() -> None:
            self._add_to_grad(self, local() * out.grad)

        out._backward = _backward
        return out

    def __add__(self, other: Any) -> Any:
        other = self._wrap(other)
        out = type(self)(self.data + other.data, (self, other))

        def _backward() -> None:
            self._add_to_grad(self, out.grad)
            self._add_to_grad(other, out.grad)

        out._backward = _backward
        return out

    def __mul__(self, other: Any) -> Any:
        other = self._wrap(other)
        out = type(self)(self.data * other.data, (self, other))

        def _backward() -> None:
            self._add_to_grad(self, other.data * out.grad)
            self._add_to_grad(other, self.data * out.grad)

        out._backward = _backward
        return out

    def __pow__(self, n: float) -> Any:
        return self._unary(self.data**n, lambda: n * self.data ** (n - 1))

    def __neg__(self) -> Any:
        return self * -1

    def __radd__(self, other: Any) -> Any:
        return self + other

    def __sub__(self, other: Any) -> Any:
        return self + (-other)

    def __rsub__(self, other: Any) -> Any:
        return other + (-self)

    def __rmul__(self, other: Any) -> Any:
        return self * other

    def __truediv__(self, other: Any) -> Any:
        return self * other**-1

    def __rtruediv__(self, other: Any) -> Any:
        return other * self**-1

    def tanh(self) -> Any:
        t = math.tanh(self.data)
        return self._unary(t, lambda: 1 - t**2)

    def exp(self) -> Any:
        e = math.exp(self.data)
        return self._unary(e, lambda: e)

    def relu(self) -> Any:
        return self._unary(max(self.data, 0.0), lambda: float(self.data > 0))

    def sigmoid(self) -> Any:
        s = 1 / (1 + math.exp(-self.data))
        return self._unary(s, lambda: s * (1 - s))

    def _topological_order(self) -> list[Any]:
        order: list[Any] = []
        visited: set[int] = set()

        def visit(node: Any) -> None:
            if id(node) not in visited:
                visited.add(id(node))
                for child in node._prev:
                    visit(child)
                order.append(node)

        visit(self)
        return order

    def backward(self) -> None:
        self.grad = 1.0
        for node in reversed(self._topological_order()):
            node._backward()


# -- correct engines with fewer or other ops ----------------------------------------------------


class AddMul:
    """Only ``+`` and ``*``, and only between values: no plain numbers at all."""

    def __init__(self, data: float, children: tuple[Any, ...] = ()) -> None:
        self.data, self.grad, self.children = data, 0.0, children
        self._backward: Callable[[], None] = lambda: None

    def __add__(self, other: AddMul) -> AddMul:
        out = AddMul(self.data + other.data, (self, other))

        def _backward() -> None:
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other: AddMul) -> AddMul:
        out = AddMul(self.data * other.data, (self, other))

        def _backward() -> None:
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def backward(self) -> None:
        # An iterative topological sort, for variety.
        order, visited, stack = [], set(), [(self, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
            elif id(node) not in visited:
                visited.add(id(node))
                stack.append((node, True))
                stack.extend((child, False) for child in node.children)
        self.grad = 1.0
        for node in reversed(order):
            node._backward()


class Lecture(Micro):
    """The lecture's engine: no ``__rsub__``/``__rtruediv__``/relu/sigmoid, but extra
    ops check_engine does not know (log, abs), which it must simply leave alone."""

    __rsub__ = None  # type: ignore[assignment]
    __rtruediv__ = None  # type: ignore[assignment]
    relu = None  # type: ignore[assignment]
    sigmoid = None  # type: ignore[assignment]

    def log(self) -> Any:
        return self._unary(math.log(self.data), lambda: 1 / self.data)

    def __abs__(self) -> Any:
        return self._unary(abs(self.data), lambda: math.copysign(1.0, self.data))


# -- broken engines ---------------------------------------------------------------------------


class Overwrites(Micro):
    """``=`` instead of ``+=``: a node used twice keeps only its last contribution."""

    @staticmethod
    def _add_to_grad(node: Any, amount: float) -> None:
        node.grad = amount


class NoTopologicalOrder(Micro):
    """Calls ``_backward`` in a depth-first pre-order: a node can pass on its gradient
    before every node that uses it has added to it."""

    def backward(self) -> None:
        self.grad = 1.0
        visited: set[int] = set()

        def visit(node: Any) -> None:
            if id(node) not in visited:
                visited.add(id(node))
                node._backward()
                for child in node._prev:
                    visit(child)

        visit(self)


class WrongTanhDerivative(Micro):
    """tanh'(x) written as 1 - t instead of 1 - t**2."""

    def tanh(self) -> Any:
        t = math.tanh(self.data)
        return self._unary(t, lambda: 1 - t)


def leaky_engine() -> type:
    """Gradients not reset: the topological order is a default argument, so it survives
    from one backward() to the next and old graphs are backpropagated again.
    A new class per test, so that the leaked state does not pile up across tests."""

    class Leaky(Micro):
        def backward(self, topo: list[Any] = [], visited: set[int] = set()) -> None:  # noqa: B006
            def visit(node: Any) -> None:
                if id(node) not in visited:
                    visited.add(id(node))
                    for child in node._prev:
                        visit(child)
                    topo.append(node)

            visit(self)
            self.grad = 1.0
            for node in reversed(topo):
                node._backward()

    return Leaky


class SwappedRsub(Micro):
    """``2 - x`` computed as ``x - 2``: the number is on the left in __rsub__."""

    def __rsub__(self, other: Any) -> Any:
        return self - other


class PowBackwardRaises(Micro):
    """A _backward that raises for some inputs only (math.log of a negative base)."""

    def __pow__(self, n: float) -> Any:
        return self._unary(self.data**n, lambda: n * math.exp((n - 1) * math.log(self.data)))


class TanhRaises(Micro):
    """A forward computation that raises for some inputs only."""

    def tanh(self) -> Any:
        if self.data < 0:
            raise ValueError(f"cannot handle {self.data}")
        return super().tanh()


# -- correct engines pass -----------------------------------------------------------------------

ALL_OPS = (
    *("x + y", "x * y", "x - y", "x / y"),
    *("x + 2", "2 + x", "x * 2", "2 * x", "x - 2", "2 - x", "x / 2", "2 / x"),
    *("x ** 2", "x ** 3", "x ** -1", "x ** 0.5"),
    *("-x", "tanh(x)", "exp(x)", "relu(x)", "sigmoid(x)"),
)


def test_a_correct_engine_passes_and_reports_what_it_checked() -> None:
    report = check_engine(Micro, max_examples=FEW, seed=1)
    assert isinstance(report, EngineReport)
    assert report.ops == ALL_OPS
    assert report.not_checked == ()
    assert report.examples == FEW
    # Every expression has at least an input and a step, each compared in two passes.
    assert report.values_compared >= 4 * FEW and report.gradients_compared >= 4 * FEW
    assert report.seed == 1


def test_an_engine_with_only_add_and_mul_is_checked_on_those() -> None:
    report = check_engine(AddMul, max_examples=FEW, seed=2)
    assert report.ops == ("x + y", "x * y")
    skipped = dict(report.not_checked)
    assert skipped["x - y"] == "no __sub__" and skipped["tanh(x)"] == "no tanh"
    # Plain numbers are tried and left out: AddMul cannot take them.
    assert skipped["x + 2"] == "AttributeError: 'int' object has no attribute 'data'"
    assert report.examples == FEW and report.gradients_compared > 0


def test_extra_and_missing_ops_are_handled() -> None:
    report = check_engine(Lecture, max_examples=FEW, seed=3)
    assert "tanh(x)" in report.ops and "exp(x)" in report.ops and "x / y" in report.ops
    assert "2 - x" not in report.ops and "relu(x)" not in report.ops
    assert dict(report.not_checked)["2 - x"] == "no __rsub__"


def test_gradstep_passes_its_own_check() -> None:
    report = check_engine(Value, max_examples=FEW, seed=4)
    assert report.ops == ALL_OPS


def test_karpathys_micrograd_passes() -> None:
    from micrograd.engine import Value as MicrogradValue  # in the [test] extra

    report = check_engine(MicrogradValue, max_examples=FEW, seed=5)
    assert "x ** 0.5" in report.ops and "relu(x)" in report.ops
    assert "tanh(x)" not in report.ops  # micrograd 0.1.0 has relu only


def test_the_report_prints_as_a_few_lines() -> None:
    text = str(check_engine(AddMul, max_examples=5, seed=6))
    lines = text.splitlines()
    assert lines[0] == "check_engine: AddMul agrees with gradstep on 5 random expressions (seed=6)."
    assert lines[1] == "  ops checked: x + y, x * y"
    assert "  not defined: __sub__, __truediv__, __radd__," in text
    assert "x + 2, x * 2 (AttributeError: 'int' object has no attribute 'data')" in text
    assert "compared:" in text
    assert len(lines) <= 10 and all(len(line) <= 88 for line in lines)


def test_a_seed_makes_the_run_repeatable() -> None:
    assert check_engine(Micro, max_examples=10, seed=7) == check_engine(
        Micro, max_examples=10, seed=7
    )


def test_without_a_seed_each_run_picks_one_and_reports_it() -> None:
    report = check_engine(AddMul, max_examples=3)
    assert isinstance(report.seed, int)


def test_works_inside_no_grad() -> None:
    # gradstep's reference graph is recorded even when the caller switched recording off.
    with no_grad():
        assert check_engine(Micro, max_examples=5, seed=8).examples == 5


def test_writes_no_hypothesis_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    check_engine(AddMul, max_examples=5, seed=9)
    with pytest.raises(AssertionError):
        check_engine(Overwrites, max_examples=FEW, seed=9)
    assert list(tmp_path.iterdir()) == []


# -- broken engines fail, each with a clear message ------------------------------------------


def failure(engine: Any, seed: int = 0) -> str:
    """check_engine's message for a broken engine (the test fails if it passes)."""
    with pytest.raises(AssertionError) as caught:
        check_engine(engine, max_examples=FEW * 2, seed=seed)
    error = caught.value
    # A clean error for a learner: nothing chained, no hypothesis report attached.
    assert error.__cause__ is None and error.__suppress_context__
    assert not getattr(error, "__notes__", None)
    message = str(error)
    assert "hypothesis" not in message.lower() and "Falsifying" not in message
    return message


def field_of(message: str, name: str) -> str:
    """The text after ``name:`` on its line of the message."""
    found = re.search(rf"^  {name}:\s+(.*)$", message, re.MULTILINE)
    assert found, f"no {name!r} line in:\n{message}"
    return found.group(1)


def test_assignment_instead_of_accumulation() -> None:
    message = failure(Overwrites)
    assert message.startswith("Overwrites computes a wrong gradient.")
    # The smallest expression: one input used twice by one op.
    assert re.fullmatch(r"out = x [+*] x", field_of(message, "expression")), message
    assert field_of(message, "node") == "x, an input (used 2 times)"
    assert field_of(message, "gradient") == "d out / d x, that is x.grad"
    expected = float(field_of(message, "expected").split()[0])
    got = float(field_of(message, "got").split()[0])
    assert got == pytest.approx(expected / 2)
    assert "Did you write `=` instead of `+=`" in message
    assert "check_engine(Overwrites, seed=0)" in message


def test_no_topological_order() -> None:
    message = failure(NoTopologicalOrder)
    assert message.startswith("NoTopologicalOrder computes a wrong gradient.")
    assert "too early" in message and "reverse topological order" in message
    # The shortest graph with this bug: a node used twice, one use reached late.
    assert message.count("\n") < 25


def test_wrong_local_derivative() -> None:
    message = failure(WrongTanhDerivative)
    assert field_of(message, "expression") == "out = tanh(x)"
    assert field_of(message, "node") == "x, an input (used once)"
    x = float(field_of(message, "inputs").removeprefix("x = "))
    t = math.tanh(x)
    assert float(field_of(message, "expected").split()[0]) == pytest.approx(1 - t**2, rel=1e-6)
    assert float(field_of(message, "got").split()[0]) == pytest.approx(1 - t, rel=1e-6)
    assert "1 - tanh(x)**2" in message and "the _backward that tanh sets up" in message


def test_gradients_not_reset_between_backward_passes() -> None:
    message = failure(leaky_engine())
    assert message.startswith("Leaky gets gradients wrong in a second backward pass.")
    assert "SECOND backward pass" in message
    assert "outside backward()" in message and "def backward(self, topo=[])" in message
    assert re.fullmatch(r"out = x [+*] \S+", field_of(message, "expression")), message


def test_a_wrong_forward_value_names_the_method() -> None:
    message = failure(SwappedRsub)
    assert message.startswith("SwappedRsub computes a wrong value.")
    assert "out.data" in message
    assert "__rsub__ must compute other - self" in message


# -- bad input and exceptions ---------------------------------------------------------------------


class NoNumberConstructor(Micro):
    def __init__(self, data: float, children: tuple[Any, ...], label: str) -> None:
        super().__init__(data, children)


class NoData:
    def __init__(self, value: float) -> None:
        self.value, self.grad = value, 0.0

    def backward(self) -> None:
        pass


class NoGradNoBackward:
    def __init__(self, data: float) -> None:
        self.data = data


@pytest.mark.parametrize(
    ("engine", "words"),
    [
        (NoNumberConstructor, ["made from a number", "NoNumberConstructor(2.0) raised TypeError"]),
        (NoData, ["NoData lacks what check_engine needs: .data."]),
        (NoGradNoBackward, ["lacks what check_engine needs: .grad, .backward()."]),
        (int, ["int lacks what check_engine needs: .data, .grad, .backward()."]),
        (Micro(1.0), ["needs the class, not one of its values", "check_engine(Micro)"]),
        ("Value", ["needs your value class itself"]),
    ],
)
def test_what_is_missing_is_named(engine: Any, words: list[str]) -> None:
    with pytest.raises(TypeError) as caught:
        check_engine(engine, max_examples=5, seed=0)
    for word in words:
        assert word in str(caught.value)


class Bare:
    def __init__(self, data: float) -> None:
        self.data, self.grad = data, 0.0

    def backward(self) -> None:
        pass


def test_a_class_without_any_known_op() -> None:
    with pytest.raises(TypeError, match="Bare has none of the operations check_engine tests"):
        check_engine(Bare, max_examples=5, seed=0)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="max_examples"):
        check_engine(Micro, max_examples=0)
    with pytest.raises(TypeError, match="seed"):
        check_engine(Micro, seed=1.5)  # type: ignore[arg-type]


def test_an_exception_in_backward_shows_the_expression() -> None:
    message = failure(PowBackwardRaises)
    assert message.startswith("PowBackwardRaises raised an exception on this expression.")
    # One op on a negative number: x ** n, or 2 / x, which this engine computes with **.
    assert re.fullmatch(r"out = (x \*\* \d|\d / x)", field_of(message, "expression")), message
    assert float(field_of(message, "inputs").removeprefix("x = ")) < 0
    assert field_of(message, "while") == "out.backward()"
    assert field_of(message, "error") == "ValueError: math domain error"
    assert "PowBackwardRaises.__pow__.<locals>.<lambda>" in field_of(message, "raised at")
    assert "math.log(self.data)" in message


def test_an_exception_in_an_op_shows_the_expression() -> None:
    message = failure(TanhRaises)
    assert field_of(message, "expression") == "out = tanh(x)"
    assert field_of(message, "while") == "computing out = tanh(x)"
    assert field_of(message, "error").startswith("ValueError: cannot handle -")
    assert field_of(message, "raised at").startswith("test_check_engine.py, line ")
    assert "TanhRaises.tanh" in field_of(message, "raised at")


def test_an_engine_that_fails_only_sometimes_is_still_reported() -> None:
    class FirstTimeWrong(Micro):
        """Wrong in its very first backward pass only, so the failure cannot be replayed."""

        calls = 0

        def backward(self) -> None:
            super().backward()
            FirstTimeWrong.calls += 1
            if FirstTimeWrong.calls == 1:
                self.grad = 2.0

    message = failure(FirstTimeWrong)
    assert "d out / d out" in message and "out.grad = 1.0" in message
    assert "does not always fail" in message


# -- the expressions themselves ---------------------------------------------------------------


@given(_cases(_KINDS), st.sets(st.integers(0, 12)))
def test_the_printed_expression_is_the_graph(case: _Case, mention: set[int]) -> None:
    """Evaluated as Python, the message's expression gives gradstep's value: the
    parentheses and the `where` names say exactly what the graph computes."""
    expression = _Text(case, mention).expression()
    out, _, where = expression.removeprefix("out = ").partition("   where ")
    namespace: dict[str, Any] = {
        "tanh": math.tanh,
        "exp": math.exp,
        "relu": lambda v: max(v, 0.0),
        "sigmoid": lambda v: 1 / (1 + math.exp(-v)),
        **dict(zip("xyz", case.inputs, strict=False)),
    }
    for definition in where.split(", ") if where else []:
        name, _, formula = definition.partition(" = ")
        namespace[name] = eval(formula, namespace)
    assert eval(out, namespace) == pytest.approx(
        _Reference.of(case).values[-1], rel=1e-9, abs=1e-12
    )


def test_expressions_reuse_intermediate_nodes() -> None:
    def reused(case: _Case) -> bool:
        used = [i for step in case.steps for i in step.operands if i >= len(case.inputs)]
        return len(used) > len(set(used))

    case = find(_cases(_KINDS), reused)
    assert "where t1 = " in _Text(case).expression()


class StoresDouble(Micro):
    def __init__(self, data: float, children: tuple[Any, ...] = ()) -> None:
        super().__init__(2 * data, children)


def test_a_constructor_that_changes_the_number() -> None:
    with pytest.raises(AssertionError, match=r"StoresDouble\(2.0\).data is 4.0: it should be 2.0"):
        check_engine(StoresDouble, max_examples=5, seed=0)


# -- hostile engines (adversarial pass): a clear error, never a raw traceback -----------------


class _NoStrError(Exception):
    """An engine's own exception whose message cannot even be turned into text."""

    def __str__(self) -> str:
        raise RuntimeError("__str__ of a broken exception")


class InitRaisesUnprintable:
    def __init__(self, data: float) -> None:
        raise _NoStrError


class AddRaisesUnprintable(Micro):
    def __add__(self, other: Any) -> Any:
        raise _NoStrError


class GetattrRaises(Micro):
    """A __getattr__ that raises something other than AttributeError (hasattr lets it through)."""

    def __init__(self, data: float, children: tuple[Any, ...] = ()) -> None:
        super().__init__(data, children)
        del self.grad

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(f"no {name} here")


class DataReprRaises:
    class _Text(str):
        def __repr__(self) -> str:
            raise RuntimeError("__repr__ of a broken str")

    def __init__(self, data: float) -> None:
        self.data, self.grad = self._Text("2"), 0.0

    def backward(self) -> None:
        pass


@pytest.mark.parametrize(
    ("engine", "words"),
    [
        (InitRaisesUnprintable, ["InitRaisesUnprintable(2.0) raised _NoStrError"]),
        (GetattrRaises, ["check_engine reads .grad of a GetattrRaises", "RuntimeError: no grad"]),
        (DataReprRaises, ["DataReprRaises(2.0).data should be a number, got a _Text"]),
    ],
)
def test_a_hostile_engine_gets_a_type_error_naming_the_problem(
    engine: Any, words: list[str]
) -> None:
    with pytest.raises(TypeError) as caught:
        check_engine(engine, max_examples=5, seed=0)
    for word in words:
        assert word in str(caught.value)


def test_an_op_whose_exception_cannot_be_printed_is_skipped_by_name() -> None:
    report = check_engine(AddRaisesUnprintable, max_examples=5, seed=0)
    assert ("x + y", "_NoStrError") in report.not_checked


class BackwardExits(Micro):
    def backward(self) -> None:
        raise SystemExit("a backward() that calls sys.exit()")


class GradPropertyRaises(Micro):
    """Its .grad works for the probe but raises once an output has been backpropagated."""

    @property
    def grad(self) -> float:
        if self._grad == 1.0:
            raise RuntimeError("reading a grad of 1")
        return self._grad

    @grad.setter
    def grad(self, value: float) -> None:
        self._grad = value


def test_a_base_exception_from_the_engine_is_reported_with_its_expression() -> None:
    message = failure(BackwardExits)
    assert field_of(message, "while") == "out.backward()"
    assert field_of(message, "error") == "SystemExit: a backward() that calls sys.exit()"


def test_a_property_that_raises_is_reported_with_its_expression() -> None:
    message = failure(GradPropertyRaises)
    assert message.startswith("GradPropertyRaises raised an exception on this expression.")
    assert field_of(message, "error") == "RuntimeError: reading a grad of 1"


def test_keyboard_interrupt_still_stops_check_engine() -> None:
    class Interrupted(Micro):
        def backward(self) -> None:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        check_engine(Interrupted, max_examples=5, seed=0)
