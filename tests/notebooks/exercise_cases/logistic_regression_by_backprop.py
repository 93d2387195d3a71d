"""Right and wrong answers for notebook 04's checkers: slips with the sigmoid and its loss."""

from __future__ import annotations

import math

from autograd import Value
from exercise_cases import Case, Wrong

S = 1 / (1 + math.e)  # σ(-1)
P = 1 / (1 + math.exp(2))  # σ(-2)

CASES = {
    "check_sigmoid_derivative": Case(
        right=S * (1 - S),
        wrong=[
            Wrong(S, "σ(-1) itself"),
            Wrong(1 - S, "multiply it by σ(-1)"),
            Wrong(0.25, "σ'(0)"),
            Wrong(math.e, "e^(-z) alone"),
            Wrong(0.19, "should be 0.196612"),
        ],
        wrong_type=[Wrong(Value(-1.0).sigmoid(), "its .grad"), Wrong("0.1966", "without quotes")],
    ),
    "check_dl_dz": Case(
        right=P - 1,
        wrong=[
            Wrong(1 - P, "the sign"),
            Wrong(P, "subtract the label"),
            Wrong(-1 / P, "dℓ/dp"),
            Wrong(P * (1 - P), "that is dp/dz"),
        ],
        wrong_type=[Wrong([P - 1], "not a list")],
    ),
    "check_one_step": Case(
        right=[0.4, -1.05, -0.05],
        wrong=[
            Wrong([1.0, 0.5, 0.5], "those are the gradients"),
            Wrong([0.6, -0.95, 0.05], "uphill"),
            Wrong([0.4, -1.05, 0.0], "the bias moves too"),
            Wrong([-0.5, -1.5, -0.5], "multiply by η"),
            Wrong((0.4, -1.0, -0.05), "number 2 should be -1.05"),
        ],
        wrong_type=[Wrong([0.4, -1.05], "[w1, w2, b]"), Wrong(0.4, "a list of 3 numbers")],
    ),
    "check_accuracy": Case(
        right=4 / 6,
        wrong=[
            Wrong(4, "the number of correct points"),
            Wrong(1 / 3, "the share of wrong points"),
            Wrong(0.5, "predicted as class 1"),
            Wrong(0.67, "should be 0.666667"),
        ],
        wrong_type=[Wrong("4/6", "without quotes"), Wrong([1, 0, 1, 1, 0, 0], "not a list")],
    ),
    "check_boundary": Case(
        right=[0.75, 0.25],
        wrong=[
            Wrong([-0.75, -0.25], "the signs"),
            Wrong([4 / 3, -1 / 3], "solves for x1"),
            Wrong([0.75, -0.25], "the intercept"),
            Wrong([-0.75, 0.25], "the slope"),
        ],
        wrong_type=[
            Wrong(0.75, "a list of 2 numbers"),
            Wrong([0.75, 0.25, 0.0], "[slope, intercept]"),
        ],
    ),
}
