"""Right and wrong answers for notebook 07's checkers."""

from __future__ import annotations

import math

from exercise_cases import Case, Wrong

SCORES = [2.0, -0.5, 0.3, -1.2, 0.7]
LABELS = [1, 1, 0, 0, 1]


def softplus(s: float) -> float:
    return math.log1p(math.exp(s))


BCE = sum(softplus(s) - y * s for s, y in zip(SCORES, LABELS, strict=True)) / 5
HINGE = sum(max(0.0, 1 - (2 * y - 1) * s) for s, y in zip(SCORES, LABELS, strict=True)) / 5

CASES = {
    "check_parameter_count": Case(
        right=[3 * 8 + 8 + 8 * 8 + 8 + 8 * 2 + 2, 3 * 8 + 2 * 8 + 8 * 8 + 2 * 8 + 8 * 2 + 2],
        wrong=[
            Wrong([122, 154], "counts the biases of the two Linear layers"),
            Wrong([3 * 8 + 8 * 8 + 8 * 2, 138], "n_out biases"),
        ],
        wrong_type=[Wrong(122, "a list of 2 numbers"), Wrong([122], "should be 2 numbers")],
    ),
    "check_hinge_loss": Case(
        right=HINGE,
        wrong=[
            Wrong(
                sum(max(0.0, 1 - y * s) for s, y in zip(SCORES, LABELS, strict=True)) / 5,
                "t = 2y − 1",
            ),  # labels 0/1 used as they are
            Wrong(HINGE * 5, "the hinge loss should be 0.62"),
        ],
        wrong_type=[Wrong("0.62", "without quotes")],
    ),
    "check_bce_loss": Case(
        right=BCE,
        wrong=[Wrong(BCE * 5, "the mean over the 5 rows"), Wrong(HINGE, "the loss should be")],
        wrong_type=[Wrong([BCE], "not a list")],
    ),
    "check_accuracy": Case(
        right=0.6,
        wrong=[Wrong(60, "is a percentage"), Wrong(0.8, "the logit is > 0")],
        wrong_type=[Wrong("60%", "without quotes")],
    ),
}
