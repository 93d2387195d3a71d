"""Checkers for notebook 06, "Batch normalization".

Every expected number comes from gradstep's own ``nn.BatchNorm1d`` (and ``nn.Linear``),
so the checkers agree with the layer the notebook teaches by construction.
"""

from __future__ import annotations

import nn
from exercises.feedback import Verdict, checker, expect_number, expect_numbers

__all__ = [
    "BATCH",
    "BETA",
    "EVAL_INPUT",
    "EVAL_RUNNING_MEAN",
    "EVAL_RUNNING_VAR",
    "GAMMA",
    "check_bias_gradient",
    "check_eval_output",
    "check_gamma_beta",
    "check_normalized",
]

BATCH = [2.0, 4.0, 6.0, 12.0]
"""One feature over a batch of 4 rows (Exercises 6.1 and 6.2)."""

GAMMA, BETA = 2.0, 0.5
"""Exercise 6.2's scale and shift."""


def _layer(gamma: float = 1.0, beta: float = 0.0) -> nn.BatchNorm1d:
    layer = nn.BatchNorm1d(1)
    assert layer.weight is not None and layer.bias is not None  # affine, the default
    layer.weight[0].data, layer.bias[0].data = gamma, beta
    return layer


def _normalized(gamma: float = 1.0, beta: float = 0.0) -> list[float]:
    return [row[0].data for row in _layer(gamma, beta)([[x] for x in BATCH])]


@checker(start="put the 4 normalised values of BATCH, a list, into answer")
def check_normalized(answer: object) -> Verdict:
    """Exercise 6.1: normalise one feature of a batch by hand (mean, biased variance, eps)."""
    return expect_numbers(
        answer,
        _normalized(),
        name="the normalised batch",
        hint="(x − mean) / sqrt(var + 1e-5), with var the mean of (x − mean)**2: divide by N",
    )


def _mean_and_std(values: list[float]) -> list[float]:
    mean = sum(values) / len(values)
    return [mean, (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5]


@checker(start="put [mean, standard deviation] of the output with γ = 2, β = 0.5 into answer")
def check_gamma_beta(answer: object) -> Verdict:
    """Exercise 6.2: the mean and (biased) standard deviation of γ·x̂ + β over the batch."""
    return expect_numbers(
        answer,
        _mean_and_std(_normalized(GAMMA, BETA)),
        name="[mean, std] of the output",
        hint="x̂ has mean 0 and std 1 (up to eps): γ scales the std, β moves the mean",
        rtol=1e-5,
    )


def _bias_gradient() -> float:
    """d(loss)/d(bias[1]) of a Linear with a bias, right before a BatchNorm1d."""
    linear = nn.Linear(2, 3, seed=0)
    rows = [[1.0, 2.0], [0.5, -1.0], [-1.5, 0.5], [2.0, 1.0]]
    out = nn.Sequential(linear, nn.BatchNorm1d(3))(rows)
    terms = [row[0] ** 3 + row[1] * row[2] for row in out]  # the notebook's loss
    loss = terms[0] + terms[1] + terms[2] + terms[3]
    loss.backward()
    assert linear.bias is not None
    return float(linear.bias[1].grad)


@checker(start="put d(loss)/d(bias[1]) of the Linear before BatchNorm, a number, into answer")
def check_bias_gradient(answer: object) -> Verdict:
    """Exercise 6.3: the gradient of a Linear bias right before BatchNorm (0 up to rounding)."""
    return expect_number(
        answer,
        _bias_gradient(),
        name="the bias's gradient",
        hint="adding b to every row shifts the batch mean by b too; what is left of b after "
        "x − mean?",
    )


EVAL_RUNNING_MEAN, EVAL_RUNNING_VAR = 3.0, 4.0
EVAL_INPUT = 5.0
"""Exercise 6.4: a trained layer's running statistics, and the row it sees in eval mode."""


def _eval_output() -> float:
    layer = _layer(1.5, -1.0)
    assert layer.running_mean is not None and layer.running_var is not None  # tracked
    layer.running_mean[0], layer.running_var[0] = EVAL_RUNNING_MEAN, EVAL_RUNNING_VAR
    layer.eval()
    return float(layer([EVAL_INPUT])[0].data)


@checker(start="put the eval-mode output for x = 5, a number, into answer")
def check_eval_output(answer: object) -> Verdict:
    """Exercise 6.4: a BatchNorm1d output in eval mode, from the running statistics."""
    return expect_number(
        answer,
        _eval_output(),
        name="the eval-mode output",
        hint="eval mode uses running_mean and running_var, not the batch: "
        "γ (x − running_mean) / sqrt(running_var + eps) + β",
    )
