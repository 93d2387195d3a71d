"""Right and wrong answers for notebook 06's checkers: the usual slips of batch norm by hand."""

from __future__ import annotations

import statistics

from exercise_cases import Case, Wrong

BATCH = [2.0, 4.0, 6.0, 12.0]
MEAN = sum(BATCH) / 4
BIASED = sum((x - MEAN) ** 2 for x in BATCH) / 4
UNBIASED = statistics.variance(BATCH)


def normalised(var: float, eps: float = 1e-5) -> list[float]:
    return [(x - MEAN) / (var + eps) ** 0.5 for x in BATCH]


CASES = {
    "check_normalized": Case(
        right=normalised(BIASED),
        wrong=[
            Wrong(normalised(UNBIASED), "divide by N"),
            Wrong([x - MEAN for x in BATCH], "number 1 should be -1.06904"),
            Wrong(normalised(BIASED)[::-1], "the normalised batch: number 1"),
        ],
        wrong_type=[Wrong(0.0, "a list of 4 numbers"), Wrong(normalised(BIASED)[:3], "4 numbers")],
    ),
    "check_gamma_beta": Case(
        right=[0.5, 2.0],
        wrong=[
            Wrong([2.0, 0.5], "γ scales the std, β moves the mean"),
            Wrong([0.5, 4.0], "number 2 should be 2"),
            Wrong([0.0, 1.0], "number 1 should be 0.5"),
        ],
        wrong_type=[Wrong(0.5, "a list of 2 numbers"), Wrong(["0.5", 2], "item 1")],
    ),
    "check_bias_gradient": Case(
        right=0.0,
        wrong=[Wrong(1.0, "what is left of b"), Wrong(-0.5, "should be 0")],
        wrong_type=[Wrong("0", "without quotes")],
    ),
    "check_eval_output": Case(
        right=1.5 * (5.0 - 3.0) / (4.0 + 1e-5) ** 0.5 - 1.0,
        wrong=[
            Wrong(0.5, "the eval-mode output should be 0.499998"),  # eps forgotten: 0.5
            Wrong(1.0, "running_mean and running_var"),  # (5 - 3) / 2, no gamma or beta
        ],
        wrong_type=[Wrong([0.5], "not a list")],
    ),
}
