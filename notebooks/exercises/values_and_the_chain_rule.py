"""Checkers for notebook 01, "Values and the chain rule".

Four exercises, each on one idea of the notebook: a local derivative by hand (1.1), a
central finite difference written by the learner (1.2), the chain rule through a small
expression (1.3), and a gradient that is a sum because a value is used more than once
(1.4).
Every expected number comes from gradstep's own ``backward()``, so it is right by
construction; the hints name the usual mistakes by the numbers they produce.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial

from autograd import Value
from exercises.feedback import (
    Mistake,
    Verdict,
    as_number,
    attempt,
    checker,
    close,
    describe,
    expect_number,
    expect_numbers,
    hint_for,
    reject,
    right,
    show,
    wrong_type,
)

__all__ = ["check_central_difference", "check_chain_rule", "check_local_derivative", "check_reuse"]


# -- Exercise 1.1: a local derivative -----------------------------------------------

CUBE_AT = -2.0
"""Exercise 1.1 asks for d(x ** 3)/dx at this x."""


def _cube_slope() -> float:
    x = Value(CUBE_AT)
    (x**3).backward()
    return x.grad


@checker(start="put the number du/dx, for u = x ** 3 at x = -2, into answer")
def check_local_derivative(answer: object) -> Verdict:
    """Exercise 1.1: the local derivative of ``u = x ** 3`` at ``x = -2``, by hand."""
    mistakes: list[Mistake] = [
        (
            CUBE_AT**3,
            "that is u itself, the forward value; the derivative of x ** n is n * x ** (n - 1)",
        ),
        (
            3 * CUBE_AT,
            "3 * x is the derivative of 1.5 * x ** 2; here the power drops by one: 3 * x ** 2",
        ),
        (-(3 * CUBE_AT**2), "a square is never negative: 3 * (-2) ** 2 = 3 * 4"),
        (CUBE_AT**2, "the factor 3 is missing: d(x ** 3)/dx = 3 * x ** 2"),
    ]
    return expect_number(
        answer,
        _cube_slope(),
        name="du/dx at x = -2",
        hint=hint_for(answer, mistakes, "d(x ** n)/dx = n * x ** (n - 1); put in x = -2"),
    )


# -- Exercise 1.2: a finite difference ----------------------------------------------

_FUNCTIONS: tuple[tuple[str, Callable[[Value], Value], Callable[[float], float], float], ...] = (
    ("x * tanh(x)", lambda x: x * x.tanh(), lambda x: x * math.tanh(x), 0.5),
    ("exp(x) / x", lambda x: x.exp() / x, lambda x: math.exp(x) / x, 1.5),
    ("x ** 3", lambda x: x**3, lambda x: x**3, -2.0),
)
"""(text, as Values, as floats, x): where Exercise 1.2's learner function is tried."""

STEP = 1e-4
"""The step h the checker passes: small enough that a central difference is good to about
h ** 2 = 1e-8 relative, large enough that a forward difference is visibly worse (about h)."""

_CENTRAL_RTOL = 1e-6


def _slope_by_backward(as_values: Callable[[Value], Value], x: float) -> float:
    node = Value(x)
    as_values(node).backward()
    return node.grad


@checker(
    start="write def slope(f, x, h): return ... (a central difference), then set answer = slope"
)
def check_central_difference(answer: object) -> Verdict:
    """Exercise 1.2: a function ``slope(f, x, h)`` that measures f'(x) with a central
    difference; compared with ``backward()`` on three functions."""
    if not callable(answer) or isinstance(answer, type) or hasattr(answer, "data"):
        return wrong_type(
            answer,
            "your function slope(f, x, h)",
            "write answer = slope, the function itself, without parentheses",
        )
    for text, as_values, as_floats, x in _FUNCTIONS:
        call = f"slope(f, {show(x)}, {show(STEP)}) for f(x) = {text}"
        got = attempt(
            call,
            partial(answer, as_floats, x, STEP),
            "slope takes three arguments, f (a function of a float), x and h, and returns a number",
        )
        number = as_number(got)
        if number is None:
            reject(
                f"{call} gave {describe(got)}, not a number",
                "return the number (f(x + h) - f(x - h)) / (2 * h)",
            )
        exact = _slope_by_backward(as_values, x)
        if not close(number, exact, rtol=_CENTRAL_RTOL, atol=1e-9):
            forward = (as_floats(x + STEP) - as_floats(x)) / STEP
            backward = (as_floats(x) - as_floats(x - STEP)) / STEP
            if close(number, forward, rtol=1e-9) or close(number, backward, rtol=1e-9):
                hint = (
                    "that is a one-sided difference, off by about h; evaluate f on both "
                    "sides: (f(x + h) - f(x - h)) / (2 * h)"
                )
            elif close(number, 2 * exact, rtol=1e-4):
                hint = "the step from x - h to x + h is 2 * h long: divide by 2 * h"
            else:
                hint = "a central difference is (f(x + h) - f(x - h)) / (2 * h)"
            reject(
                f"{call} gave {show(number)}, but f'({show(x)}) = {show(exact)} (by backward())",
                hint,
            )
    return right("right: your slope agrees with backward() on x * tanh(x), exp(x) / x and x ** 3")


# -- Exercise 1.3: the chain rule ---------------------------------------------------

CHAIN_INPUTS = {"a": 3.0, "b": -2.0, "c": 4.0}
"""Exercise 1.3: L = (a * b + c) ** 2 at these inputs."""


def _chain_grads() -> list[float]:
    a, b, c = (Value(CHAIN_INPUTS[name], label=name) for name in "abc")
    loss = (a * b + c) ** 2
    loss.backward()
    return [a.grad, b.grad, c.grad]


@checker(start="put [dL/da, dL/db, dL/dc] for L = (a * b + c) ** 2 into answer")
def check_chain_rule(answer: object) -> Verdict:
    """Exercise 1.3: the gradients of ``L = (a * b + c) ** 2`` at a = 3, b = -2, c = 4."""
    a, b, c = CHAIN_INPUTS.values()
    d = a * b + c
    mistakes: list[Mistake] = [
        (
            [b, a, 1.0],
            "those are the gradients of d = a * b + c; L = d ** 2 multiplies each by dL/dd = 2 * d",
        ),
        (
            [2 * d, 2 * d, 2 * d],
            "that is dL/dd for all three: multiply it by each input's "
            "local derivative (dd/da = b, dd/db = a, dd/dc = 1)",
        ),
        ([2 * d * a, 2 * d * b, 2 * d], "dd/da is the *other* factor, b (and dd/db is a)"),
        ([d * b, d * a, d], "the derivative of d ** 2 is 2 * d: the factor 2 is missing"),
    ]
    if isinstance(answer, (list, tuple)) and len(answer) != 3:
        return wrong_type(answer, "a list of 3 numbers", "write [dL/da, dL/db, dL/dc]")
    return expect_numbers(
        answer,
        _chain_grads(),
        name="[dL/da, dL/db, dL/dc]",
        hint=hint_for(
            answer,
            mistakes,
            "first d = a * b + c and dL/dd = 2 * d, then dL/da = dL/dd * b, dL/db = dL/dd * a, "
            "dL/dc = dL/dd * 1",
        ),
    )


# -- Exercise 1.4: a value used more than once --------------------------------------

REUSE_INPUTS = {"a": 5.0, "b": -3.0}
"""Exercise 1.4: u = a + b, y = u * a + a at these inputs."""


def _reuse_grad() -> float:
    a, b = Value(REUSE_INPUTS["a"], label="a"), Value(REUSE_INPUTS["b"], label="b")
    u = a + b
    y = u * a + a
    y.backward()
    return a.grad


@checker(start="put a.grad after y.backward(), for u = a + b and y = u * a + a, into answer")
def check_reuse(answer: object) -> Verdict:
    """Exercise 1.4: dy/da for ``u = a + b``, ``y = u * a + a`` at a = 5, b = -3: a sum of
    three paths, because ``a`` is used three times."""
    a, b = REUSE_INPUTS.values()
    u = a + b
    # The three paths from y to a, with the contribution of each (all distinct numbers).
    through_u, as_factor, added = a * 1.0, u, 1.0
    mistakes: list[Mistake] = [
        (through_u, "that is only the path through u; a is used twice more"),
        (as_factor, "that is only the path where a multiplies u; a is used twice more"),
        (added, "that is only the path through the final + a; a is used twice more"),
        (through_u + as_factor, "the final + a also passes a gradient of 1 to a"),
        (through_u + added, "a also multiplies u directly: that path gives dy/da = u"),
        (as_factor + added, "a is also inside u = a + b: that path gives dy/du * 1 = a"),
    ]
    return expect_number(
        answer,
        _reuse_grad(),
        name="a.grad",
        hint=hint_for(
            answer,
            mistakes,
            "a is used three times (in u, as the factor next to u, and in the final + a): "
            "add the three contributions",
        ),
    )
