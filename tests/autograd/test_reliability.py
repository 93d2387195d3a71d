"""Regression tests for the engine rows of the reliability round (issue 10).

Each test names its row. Each failed on the engine as it was before the round
(commit ce6f990): a StopIteration, recording switched off for every thread, a graph
recorded inside a "no_grad" generator, an OverflowError for a NaN slope, an
AttributeError for a non-op, ``Value(inf)`` from a finite longdouble, a step showing an
infinite gradient.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from fractions import Fraction

import numpy
import pytest

import autograd
import nn
import viz
from autograd import Value, no_grad


def test_row_a_sum_of_gradients_that_overflows_is_not_an_error() -> None:
    """Row: ``(a * 1.0) * 1e308``, backward: the check summed every gradient (1e308 +
    1e308 overflows) and then found no bad node (StopIteration)."""
    a = Value(1.0)
    y = (a * 1.0) * 1e308
    y.backward()
    assert a.grad == 1e308
    (g,) = autograd.grad(y, [a])
    assert g.data == 1e308
    _, grads = autograd.trace(y)
    assert grads[a] == 1e308


def test_row_grad_mode_belongs_to_each_thread() -> None:
    """Row: two threads, each in ``with no_grad():``, exits interleaved: recording stayed
    off for the whole process."""
    inside, leave_first, left_first = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, bool] = {}

    def first() -> None:
        with no_grad():
            inside.set()
            leave_first.wait(10)
        left_first.set()

    def second() -> None:
        inside.wait(10)
        with no_grad():
            seen["second, inside"] = autograd.is_grad_enabled()
            leave_first.set()  # the first thread exits while this one is still inside
            left_first.wait(10)
            seen["second, after the first left"] = autograd.is_grad_enabled()
        seen["second, after its own exit"] = autograd.is_grad_enabled()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    with no_grad():  # this thread's own mode is none of their business, and vice versa
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
        assert not autograd.is_grad_enabled()
    assert seen == {
        "second, inside": False,
        "second, after the first left": False,
        "second, after its own exit": True,
    }
    assert autograd.is_grad_enabled()
    assert (Value(2.0) * Value(3.0)).op == "*"  # recording is back on here


def test_a_new_thread_records_even_while_another_is_in_no_grad() -> None:
    recorded: list[str] = []
    with no_grad():
        thread = threading.Thread(target=lambda: recorded.append((Value(1.0) + 1).op))
        thread.start()
        thread.join(10)
    assert recorded == ["+"]


def test_row_no_grad_refuses_to_decorate_a_generator_function() -> None:
    """Row: ``@no_grad()`` on a generator function: the graph was still recorded while it
    yielded."""
    with pytest.raises(TypeError, match="cannot decorate a generator function"):

        @no_grad()
        def evaluate() -> Iterator[Value]:
            yield Value(1.0) * 2

    with pytest.raises(TypeError, match="enable_grad\\(\\) cannot decorate an async generator"):

        @autograd.enable_grad()
        async def stream() -> object:  # type: ignore[misc]
            yield 1

    @no_grad()
    def plain(v: Value) -> Value:  # a plain function is still fine
        return v * 2

    assert plain(Value(1.0)).children == ()


@pytest.mark.parametrize("slope", [float("nan"), float("inf"), -float("inf")])
def test_row_a_leaky_relu_slope_must_be_finite(slope: float) -> None:
    """Row: ``Value(-1).leaky_relu(nan)``, ``nn.LeakyReLU(nan)``: OverflowError (or NaN)."""
    with pytest.raises(ValueError, match=f"negative_slope must be a finite number, got {slope}"):
        Value(-1.0).leaky_relu(slope)
    with pytest.raises(ValueError, match="negative_slope must be a finite number"):
        nn.LeakyReLU(slope)


def test_a_nan_exponent_is_refused() -> None:
    with pytest.raises(ValueError, match="exponent n is NaN"):
        _ = Value(2.0) ** float("nan")


def test_row_apply_and_topological_order_name_what_they_expected() -> None:
    """Row: ``autograd.apply("nope", [Value(1)])``, ``topological_order(3)``: AttributeError."""
    with pytest.raises(TypeError, match=r"apply\(\) takes an op of autograd.ops .* got str"):
        autograd.apply("nope", [Value(1.0)])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"topological_order\(\) needs a Value, got int"):
        autograd.topological_order(3)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "number", [numpy.longdouble("1e4000"), -numpy.longdouble("1e4000"), Fraction(10**400, 3)]
)
def test_row_a_finite_number_too_large_for_a_float_is_an_overflow(number: object) -> None:
    """Row: ``Value(numpy.longdouble("1e4000"))`` gave ``Value(inf)``."""
    with pytest.raises(OverflowError, match="too large for a float"):
        Value(number)  # type: ignore[arg-type]
    assert Value(numpy.longdouble("inf")).data == float("inf")  # infinite stays allowed


def test_row_the_stepper_raises_what_backward_raises() -> None:
    """Row: BackpropStepper on ``tanh(x * 1e200) * 1e200`` at x = 0 showed x.grad 0 -> inf."""
    x = Value(0.0, label="x")
    y = (x * 1e200).tanh() * 1e200
    with pytest.raises(OverflowError) as from_backward:
        y.backward()
    x.grad = 0.0
    with pytest.raises(OverflowError) as from_stepper:
        viz.BackpropStepper(y)
    assert str(from_stepper.value) == str(from_backward.value)
    assert "the gradient of 'x' became inf" in str(from_stepper.value)
    assert x.grad == 0.0  # the stepper never touches .grad
