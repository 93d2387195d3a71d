"""Right and wrong answers for notebook 05's checkers (the usual slips of each exercise)."""

from __future__ import annotations

import math

from autograd import Value
from exercise_cases import Case, Wrong

CASES = {
    "check_sigmoid_slope": Case(
        right=0.25,
        wrong=[Wrong(0.5, "σ'(0) should be 0.25, you gave 0.5"), Wrong(1.0, "σ(0) = 1/2")],
        wrong_type=[Wrong(Value(0.25), "its .grad"), Wrong("0.25", "without quotes")],
    ),
    "check_chain_bound": Case(
        right=0.25**7,
        wrong=[
            Wrong(4.0**7, "a growth, but the gradient shrinks"),
            Wrong(0.25 * 7, "0.25 ** 7"),
            Wrong(0.25**6, "should be 6.10352e-05"),
        ],
        wrong_type=[Wrong([0.25] * 7, "not a list")],
    ),
    "check_tanh_slope": Case(
        right=1 - math.tanh(0.5) ** 2,
        wrong=[
            Wrong(math.tanh(0.5), "1 − tanh(z)**2"),
            Wrong(1 - math.tanh(0.5), "tanh'(0.5) should be 0.786448"),
        ],
        wrong_type=[Wrong("0.79", "without quotes")],
    ),
    "check_relu_grads": Case(
        right=[0.0, 0.0, 1.0],
        wrong=[
            Wrong([0.0, 0.5, 1.0], "number 2 should be 0, you gave 0.5"),
            Wrong([0.0, 1.0, 1.0], "at 0 gradstep follows PyTorch"),
            Wrong([-1.3, 0.0, 2.0], "number 1 should be 0"),
        ],
        wrong_type=[Wrong(0.0, "a list of 3 numbers"), Wrong([0, 0], "should be 3 numbers")],
    ),
    "check_dead_units": Case(
        right=[1, 3],
        wrong=[
            Wrong([3], "a dead unit is missing"),
            Wrong([0, 1, 3], "unit 0 is not dead"),
            Wrong([2, 4], "there is no unit 4"),
        ],
        wrong_type=[Wrong(3, "a list of unit indices"), Wrong([1.0, 3.0], "an int from 0 to 3")],
    ),
}
