"""Right and wrong answers for notebook 08's checkers: properties that pass, that fail,
and that cannot fail."""

from __future__ import annotations

import math
from collections.abc import Callable

from autograd import Value
from exercise_cases import Case, Wrong

Mul = Callable[[Value, Value], Value]


def product_rule(mul: Mul, x: float, y: float) -> None:
    xv, yv = Value(x), Value(y)
    mul(xv, yv).backward()
    assert math.isclose(xv.grad, y, rel_tol=1e-9, abs_tol=1e-12)


def checks_the_wrong_partial(mul: Mul, x: float, y: float) -> None:
    xv, yv = Value(x), Value(y)
    mul(xv, yv).backward()
    assert math.isclose(xv.grad, x, rel_tol=1e-9, abs_tol=1e-12)  # d(x*y)/dx is y, not x


def checks_only_the_value(mul: Mul, x: float, y: float) -> None:
    assert math.isclose(mul(Value(x), Value(y)).data, x * y)  # never looks at a gradient


def ignores_mul(mul: Mul, x: float, y: float) -> None:
    xv, yv = Value(x), Value(y)
    (xv * yv).backward()  # gradstep's own *, whatever mul is
    assert math.isclose(xv.grad, y, rel_tol=1e-9, abs_tol=1e-12)


def takes_two_arguments(x: float, y: float) -> None:
    assert x * y == y * x


CASES = {
    "check_product_property": Case(
        right=product_rule,
        wrong=[
            Wrong(checks_the_wrong_partial, "with gradstep's own * your property failed"),
            Wrong(checks_only_the_value, "so it tests nothing"),
            Wrong(ignores_mul, "use mul(xv, yv)"),
            Wrong(takes_two_arguments, "failed: TypeError"),
        ],
        wrong_type=[Wrong(Value, "your function product_rule"), Wrong(1.0, "without ()")],
    ),
    "check_buggy_op": Case(
        right="gauss",
        wrong=[
            Wrong("cube", "cube's derivative is right"),
            Wrong("softsign", "gradcheck each suspect away from 0"),
            Wrong("silu", "none of the suspects"),
        ],
        wrong_type=[Wrong(2, "in quotes")],
    ),
    "check_best_eps": Case(
        right=1e-6,
        wrong=[
            Wrong(1e-10, "is the smallest of the steps"),
            Wrong(1e-2, "is not the best"),
            Wrong(1e-5, "the best eps should be 1e-06"),
        ],
        wrong_type=[Wrong("1e-6", "without quotes")],
    ),
}
