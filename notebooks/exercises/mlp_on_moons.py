"""Checkers for notebook 07, "An MLP on moons".

The expected numbers come from gradstep: a model's ``parameters()``, ``nn``'s losses.
"""

from __future__ import annotations

import nn
from exercises.feedback import Verdict, as_number, checker, expect_number, expect_numbers, not_yet

__all__ = [
    "LABELS",
    "SCORES",
    "check_accuracy",
    "check_bce_loss",
    "check_hinge_loss",
    "check_parameter_count",
]

SCORES = [2.0, -0.5, 0.3, -1.2, 0.7]
"""A model's logits on 5 rows (Exercises 7.2 to 7.4)."""
LABELS = [1, 1, 0, 0, 1]
"""Their classes, 0 or 1."""


def _counts() -> list[float]:
    return [
        len(nn.MLP(3, [8, 8, 2], seed=0).parameters()),
        len(nn.MLP(3, [8, 8, 2], batchnorm=True, seed=0).parameters()),
    ]


@checker(start="put [parameters of MLP(3, [8, 8, 2]), the same with batchnorm=True] into answer")
def check_parameter_count(answer: object) -> Verdict:
    """Exercise 7.1: count an MLP's parameters, without and with BatchNorm."""
    plain, with_bn = _counts()
    verdict = expect_numbers(
        answer,
        [plain, with_bn],
        name="the parameter counts",
        hint="a Linear(n_in, n_out) has n_in·n_out weights and n_out biases; a BatchNorm1d(n) "
        "adds γ and β (2n), and the Linear before it has no bias",
    )
    if not verdict.ok and isinstance(answer, (list, tuple)) and len(answer) == 2:
        got = as_number(answer[1])
        if got is not None and got == with_bn + 16:
            return not_yet(
                f"{got:g} counts the biases of the two Linear layers before BatchNorm",
                "MLP(batchnorm=True) leaves them out: BatchNorm's mean subtraction cancels them",
            )
    return verdict


@checker(start="put micrograd's hinge loss of SCORES (labels 2·y − 1), a number, into answer")
def check_hinge_loss(answer: object) -> Verdict:
    """Exercise 7.2: the max-margin loss mean(relu(1 − t·s)) with t = ±1."""
    targets = [2 * y - 1 for y in LABELS]
    return expect_number(
        answer,
        nn.hinge_loss(SCORES, targets).data,
        name="the hinge loss",
        hint="turn each label y into t = 2y − 1 (±1), then average max(0, 1 − t·s)",
    )


@checker(start="put the binary cross-entropy (from logits) of SCORES, a number, into answer")
def check_bce_loss(answer: object) -> Verdict:
    """Exercise 7.3: mean binary cross-entropy of the logits, softplus(s) − y·s."""
    return expect_number(
        answer,
        nn.binary_cross_entropy_with_logits(SCORES, LABELS).data,
        name="the loss",
        hint="per row −(y log σ(s) + (1 − y) log(1 − σ(s))), then the mean over the 5 rows",
    )


@checker(start="put the accuracy of SCORES, a number from 0 to 1, into answer")
def check_accuracy(answer: object) -> Verdict:
    """Exercise 7.4: the share of rows whose predicted class (s > 0) is the label."""
    correct = sum((s > 0) == bool(y) for s, y in zip(SCORES, LABELS, strict=True))
    got = as_number(answer)
    if got is not None and got > 1 and abs(got - 100 * correct / len(LABELS)) < 1e-9:
        return not_yet(f"{got:g} is a percentage", "give the share as a number from 0 to 1")
    return expect_number(
        answer,
        correct / len(LABELS),
        name="the accuracy",
        hint="the model predicts class 1 where the logit is > 0; count the rows it gets right",
    )
