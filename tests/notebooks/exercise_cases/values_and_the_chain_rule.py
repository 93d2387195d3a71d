"""Right and wrong answers for notebook 01's checkers: the slips a learner makes by hand."""

from __future__ import annotations

import math
from collections.abc import Callable

from exercise_cases import Case, Wrong

Function = Callable[[float], float]


def central(f: Function, x: float, h: float) -> float:
    return (f(x + h) - f(x - h)) / (2 * h)


def forward(f: Function, x: float, h: float) -> float:
    return (f(x + h) - f(x)) / h


def backward(f: Function, x: float, h: float) -> float:
    return (f(x) - f(x - h)) / h


def central_over_h(f: Function, x: float, h: float) -> float:
    return (f(x + h) - f(x - h)) / h


def returns_text(f: Function, x: float, h: float) -> str:
    return f"{central(f, x, h):.6f}"


def two_arguments(f: Function, x: float) -> float:
    return central(f, x, 1e-5)


def sine_slope(f: Function, x: float, h: float) -> float:
    """Always the slope of the sine: right for one function only."""
    return math.cos(x)


CASES = {
    "check_local_derivative": Case(
        right=12.0,
        wrong=[
            Wrong(-8.0, "forward value"),
            Wrong(-6, "power drops by one"),
            Wrong(-12.0, "never negative"),
            Wrong(4.0, "factor 3 is missing"),
            Wrong(11.9, "should be 12"),
        ],
        wrong_type=[Wrong("12", "without quotes"), Wrong([12.0], "not a list")],
    ),
    "check_chain_rule": Case(
        right=[8.0, -12.0, -4.0],
        wrong=[
            Wrong([-2.0, 3.0, 1.0], "dL/dd = 2 * d"),
            Wrong([-4.0, -4.0, -4.0], "each input's local derivative"),
            Wrong([-12.0, 8.0, -4.0], "the *other* factor"),
            Wrong([4.0, -6.0, -2.0], "factor 2 is missing"),
            Wrong((8.0, -12.0, 4.0), "number 3 should be -4"),
        ],
        wrong_type=[
            Wrong(8.0, "a list of 3 numbers"),
            Wrong([8.0, -12.0], "[dL/da, dL/db, dL/dc]"),
        ],
    ),
    "check_reuse": Case(
        right=8.0,
        wrong=[
            Wrong(5.0, "only the path through u"),
            Wrong(2.0, "only the path where a multiplies u"),
            Wrong(1.0, "only the path through the final + a"),
            Wrong(7.0, "the final + a"),
            Wrong(6.0, "a also multiplies u directly"),
            Wrong(3.0, "a is also inside u"),
        ],
        wrong_type=[Wrong("8", "without quotes")],
    ),
    "check_central_difference": Case(
        right=central,
        wrong=[
            Wrong(forward, "one-sided difference"),
            Wrong(backward, "one-sided difference"),
            Wrong(central_over_h, "divide by 2 * h"),
            Wrong(returns_text, "not a number"),
            Wrong(two_arguments, "raised TypeError"),
            Wrong(sine_slope, "(f(x + h) - f(x - h)) / (2 * h)"),
        ],
        wrong_type=[
            Wrong(central(math.sin, 1.0, 1e-4), "the function itself"),
            Wrong(Case, "your function slope(f, x, h)"),
        ],
    ),
}
