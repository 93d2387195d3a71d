"""Right and wrong answers for notebook 03's checkers: slips in the update rules."""

from __future__ import annotations

from autograd import Value
from exercise_cases import Case, Wrong

CASES = {
    "check_gd_step": Case(
        right=[-4.9, -1.2],
        wrong=[
            Wrong([-1.0, -8.0], "that is the gradient"),
            Wrong([-5.1, -2.8], "uphill"),
            Wrong([-4.0, 6.0], "multiply the gradient by η"),
            Wrong([-4.95, -1.6], "0.2 x"),
            Wrong((-4.9, -1.0), "number 2 should be -1.2"),
        ],
        wrong_type=[Wrong(-4.9, "a list of 2 numbers"), Wrong([-4.9, "-1.2"], "plain number")],
    ),
    "check_momentum": Case(
        right=[13.6, 1.84],
        wrong=[
            Wrong([1.504, 3.7696], "b = μ b + g"),
            Wrong([14.4, 1.76], "multiplied by μ"),
            Wrong([15.2, 1.68], "at the new x"),
            Wrong([6.4, 2.56], "plain gradient descent"),
            Wrong([7.2, 2.48], "b = μ b + g"),
            Wrong([13.6, 1.76], "number 2 should be 1.84"),
        ],
        wrong_type=[Wrong(13.6, "a list of 2 numbers"), Wrong([Value(13.6), 1.84], "plain number")],
    ),
    "check_adam_first_step": Case(
        right=[-32.0, 1024.0, -1.9],
        wrong=[
            Wrong([-3.2, 1.024, -1.6838], "m before the bias correction"),
            Wrong([-32.0, 1.024, -1.9], "v before the bias correction"),
            Wrong([-32.0, -32.0, -1.9], "*squared* gradient"),
            Wrong([-32.0, 1024.0, -2.1], "goes against m̂"),
            Wrong([-32.0, 1024.0, -1.996875], "square root of v̂"),
            Wrong([-32.0, 1024.0, -1.68377223], "without the bias correction"),
        ],
        wrong_type=[Wrong(-1.9, "a list of 3 numbers"), Wrong([-32.0, 1024.0], "3 numbers")],
    ),
    "check_divergence": Case(
        right=0.2,
        wrong=[
            Wrong(1.0, "the flat direction"),
            Wrong(0.4, "so a = 10"),
            Wrong(0.1, "lands on 0 in one step"),
            Wrong(0.25, "at η = 0.25 it diverges"),
            Wrong(0.15, "at η = 0.15 it converges"),
        ],
        wrong_type=[Wrong("0.2", "without quotes"), Wrong([0.2], "not a list")],
    ),
}
