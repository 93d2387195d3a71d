"""Checkers for notebook 08, "Testing gradients with properties".

Exercise 8.1's checker runs the learner's property under hypothesis twice: with the
real multiplication (it must hold) and with one whose derivative is planted wrong (it
must fail), so a property that cannot fail is caught. Exercise 8.2's suspects are ops
written the way the notebook writes SiLU; one has a wrong derivative that a check at 0
cannot see. Exercise 8.3's errors are measured with gradstep's ``numerical_grad``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from hypothesis import HealthCheck, given, settings

from autograd import Value, apply, numerical_grad, ops
from autograd.testing import scalars
from exercises.feedback import (
    Verdict,
    checker,
    error_text,
    expect_number,
    not_yet,
    right,
    wrong_type,
)

__all__ = [
    "EPSILONS",
    "SUSPECTS",
    "buggy_mul",
    "check_best_eps",
    "check_buggy_op",
    "check_product_property",
    "correct_mul",
]


# -- Exercise 8.1: a property of * ----------------------------------------------------------


class _WrongMul(ops.BinaryOp):
    """a * b with d/da planted wrong: it says a instead of b."""

    name = "wrong*"

    def forward(self, a: float, b: float) -> float:
        return a * b

    def derivatives(self, out: float, a: float, b: float) -> tuple[float, float]:
        return (a, a)  # wrong: d(a*b)/da is b


_WRONG_MUL = _WrongMul()


def correct_mul(a: Value, b: Value) -> Value:
    """gradstep's own a * b."""
    return a * b


def buggy_mul(a: Value, b: Value) -> Value:
    """a * b whose gradient with respect to a is wrong (it is a, not b)."""
    return apply(_WRONG_MUL, [a, b])


_QUICK = settings(max_examples=40, derandomize=True, database=None, deadline=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip


def _holds(
    prop: Callable[..., object], mul: Callable[[Value, Value], Value]
) -> BaseException | None:
    """Run ``prop(mul, x, y)`` on many (x, y); the first exception it raised, or None."""

    @_QUICK
    @given(scalars(-5, 5), scalars(-5, 5))
    def run(x: float, y: float) -> None:
        prop(mul, x, y)

    try:
        run()
    except KeyboardInterrupt:
        raise  # interrupting the kernel still stops a property that hangs
    except BaseException as error:  # hypothesis re-raises the learner's error, shrunk
        return error
    return None


@checker(start="write product_rule(mul, x, y) in the cell above, then set answer = product_rule")
def check_product_property(answer: object) -> Verdict:
    """Exercise 8.1: the property d(x*y)/dx = y, which passes for * and fails for a buggy *."""
    if not callable(answer) or isinstance(answer, type):
        return wrong_type(
            answer, "your function product_rule", "write answer = product_rule, without ()"
        )
    error = _holds(answer, correct_mul)
    if error is not None:
        return not_yet(
            f"with gradstep's own * your property failed: {error_text(error)}",
            "product_rule(mul, x, y) should make Value(x) and Value(y), call mul on them, "
            "backward(), and assert that x's grad is close to y (math.isclose)",
        )
    if _holds(answer, buggy_mul) is None:
        return not_yet(
            "your property also passes for a * whose gradient is wrong, so it tests nothing",
            "assert on the gradient: math.isclose(xv.grad, y), and use mul(xv, yv), not xv * yv",
        )
    return right("right: the property holds for * and catches the planted bug")


# -- Exercise 8.2: find the wrong derivative ------------------------------------------------


class _Softsign(ops.UnaryOp):
    """softsign(x) = x / (1 + |x|); its derivative 1 / (1 + |x|)**2 is right."""

    name = "softsign"

    def forward(self, x: float) -> float:
        return x / (1 + abs(x))

    def derivatives(self, out: float, x: float) -> tuple[float]:
        return (1 / (1 + abs(x)) ** 2,)


class _Gauss(ops.UnaryOp):
    """gauss(x) = exp(-x**2); its derivative is WRONG: -x exp(-x**2) lacks the factor 2."""

    name = "gauss"

    def forward(self, x: float) -> float:
        return math.exp(-x * x)

    def derivatives(self, out: float, x: float) -> tuple[float]:
        return (-x * out,)  # right: -2 * x * out; equal at x = 0 only


class _Cube(ops.UnaryOp):
    """cube(x) = x**3; its derivative 3 x**2 is right."""

    name = "cube"

    def forward(self, x: float) -> float:
        return x**3

    def derivatives(self, out: float, x: float) -> tuple[float]:
        return (3 * x**2,)


def _as_function(op: ops.Op) -> Callable[[Value], Value]:
    return lambda x: apply(op, [x])


SUSPECTS = {op.name: _as_function(op) for op in (_Softsign(), _Gauss(), _Cube())}
"""Three new ops, each a function of one Value; one has a wrong derivative."""

_GUILTY = "gauss"  # its derivative lacks the factor 2 of d(-x²)/dx; right at x = 0


@checker(
    start='put the name of the op with the wrong derivative (a str, such as "cube") into answer'
)
def check_buggy_op(answer: object) -> Verdict:
    """Exercise 8.2: which of SUSPECTS has a wrong derivative (gradcheck at 0 passes all)."""
    if not isinstance(answer, str):
        return wrong_type(answer, "the name of an op, a str", 'write it in quotes, such as "cube"')
    name = answer.strip().lower()
    if name not in SUSPECTS:
        return not_yet(
            f"{answer!r:.40} is none of the suspects {', '.join(SUSPECTS)}",
            "give one of the three names exactly",
        )
    if name != _GUILTY:
        return not_yet(
            f"{name}'s derivative is right: gradcheck passes at every point",
            "gradcheck each suspect away from 0, or run a property over scalars(-3, 3)",
        )
    return right(f"right: {name}'s derivative is wrong (it lacks the factor 2 of −2x·e^(−x²))")


# -- Exercise 8.3: the best eps -------------------------------------------------------------

EPSILONS = (1e-2, 1e-4, 1e-6, 1e-8, 1e-10)
"""The steps Exercise 8.3 compares, for d/dx exp(x) at x = 1."""


def _best_eps() -> float:
    error = {e: abs(numerical_grad(lambda v: v.exp(), [1.0], eps=e)[0] - math.e) for e in EPSILONS}
    return min(EPSILONS, key=lambda e: error[e])


@checker(start="put the eps of EPSILONS with the smallest error, a number, into answer")
def check_best_eps(answer: object) -> Verdict:
    """Exercise 8.3: the finite-difference step with the smallest error for exp at 1."""
    best = _best_eps()
    verdict = expect_number(
        answer,
        best,
        name="the best eps",
        hint="measure |numerical_grad(exp, [1.0], eps=e)[0] − math.e| for each e: too large a "
        "step suffers truncation, too small a step rounding",
        rtol=1e-9,
    )
    if not verdict.ok and isinstance(answer, float) and answer in EPSILONS:
        smallest = answer == min(EPSILONS)
        return not_yet(
            f"eps = {answer:g} is {'the smallest' if smallest else 'not the best'} "
            f"of the steps, but not the most accurate",
            "smaller is not always better: below about 1e-6 rounding error grows like 1e-16/eps",
        )
    return verdict
