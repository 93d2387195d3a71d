"""Checkers for notebook 04, "Logistic regression by backpropagation".

Five exercises on one neuron with a sigmoid: the sigmoid's derivative (4.1), the
gradient at the logit, dℓ/dz = p - y (4.2), one step of gradient descent by hand (4.3),
the accuracy of given weights on a few points (4.4), and the decision boundary as a line
(4.5). Every expected number comes from gradstep: ``Value.sigmoid``,
``nn.binary_cross_entropy``, ``nn.LogisticRegression`` and ``nn.optim.SGD``.
"""

from __future__ import annotations

import math

import nn
from autograd import Value
from exercises.feedback import (
    Mistake,
    Verdict,
    checker,
    expect_number,
    expect_numbers,
    hint_for,
    wrong_type,
)

__all__ = [
    "check_accuracy",
    "check_boundary",
    "check_dl_dz",
    "check_one_step",
    "check_sigmoid_derivative",
]


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def _model(weights: tuple[float, float], bias: float) -> nn.LogisticRegression:
    """A logistic regression with the given weights: ``σ(w1 x1 + w2 x2 + b)``."""
    model = nn.LogisticRegression(2)
    model.load_state_dict({"0.weight": [list(weights)], "0.bias": [bias]})
    return model


# -- Exercise 4.1: the sigmoid's derivative -----------------------------------------

SIGMOID_AT = -1.0
"""Exercise 4.1 asks for σ'(z) at this z."""


@checker(start="put the number σ'(-1) into answer")
def check_sigmoid_derivative(answer: object) -> Verdict:
    """Exercise 4.1: the sigmoid's derivative at z = -1."""
    z = Value(SIGMOID_AT)
    z.sigmoid().backward()
    p = _sigmoid(SIGMOID_AT)
    mistakes: list[Mistake] = [
        (p, "that is σ(-1) itself; its derivative is σ(z) (1 - σ(z))"),
        (1 - p, "that is 1 - σ(-1); multiply it by σ(-1)"),
        (0.25, "0.25 is σ'(0), the largest slope; at z = -1 it is smaller"),
        (math.exp(-SIGMOID_AT), "that is e^(-z) alone; σ'(z) = e^(-z) / (1 + e^(-z))²"),
    ]
    return expect_number(
        answer,
        z.grad,
        name="σ'(-1)",
        hint=hint_for(answer, mistakes, "σ'(z) = σ(z) (1 - σ(z)), with σ(-1) = 1 / (1 + e)"),
    )


# -- Exercise 4.2: dℓ/dz = p - y ----------------------------------------------------

LOGIT, LABEL = -2.0, 1
"""Exercise 4.2: one sample with logit z = -2 and label y = 1."""


@checker(start="put the number dℓ/dz for z = -2, y = 1 into answer")
def check_dl_dz(answer: object) -> Verdict:
    """Exercise 4.2: the gradient of the binary cross-entropy at the logit, p - y, for one
    sample with z = -2 and y = 1."""
    z = Value(LOGIT)
    loss = nn.binary_cross_entropy([z.sigmoid()], [LABEL], reduction="sum")
    loss.backward()
    p = _sigmoid(LOGIT)
    mistakes: list[Mistake] = [
        (LABEL - p, "that is y - p: the sign is the other way round, p - y"),
        (p, "that is p alone; subtract the label y = 1"),
        (-1 / p, "that is dℓ/dp = -1/p; multiply by dp/dz = p (1 - p)"),
        (p * (1 - p), "that is dp/dz; multiply by dℓ/dp = -1/p"),
    ]
    return expect_number(
        answer,
        z.grad,
        name="dℓ/dz",
        hint=hint_for(answer, mistakes, "dℓ/dz = p - y with p = σ(-2)"),
    )


# -- Exercise 4.3: one step by hand -------------------------------------------------

STEP_WEIGHTS, STEP_BIAS = (0.5, -1.0), 0.0
STEP_X, STEP_Y, STEP_LR = (2.0, 1.0), 0, 0.1
"""Exercise 4.3: w = (0.5, -1), b = 0, one sample x = (2, 1) with y = 0, η = 0.1."""


@checker(start="put [w1, w2, b] after one step into answer")
def check_one_step(answer: object) -> Verdict:
    """Exercise 4.3: the weights after one step of gradient descent on one sample."""
    model = _model(STEP_WEIGHTS, STEP_BIAS)
    optimizer = nn.optim.SGD(model.parameters(), lr=STEP_LR)
    loss = nn.binary_cross_entropy(model([list(STEP_X)]), [STEP_Y])
    loss.backward()
    optimizer.step()
    expected = [p.data for p in model.parameters()]
    (w1, w2), b, (x1, x2), lr = STEP_WEIGHTS, STEP_BIAS, STEP_X, STEP_LR
    error = _sigmoid(w1 * x1 + w2 * x2 + b) - STEP_Y  # p - y = 0.5
    gradient = [error * x1, error * x2, error]
    mistakes: list[Mistake] = [
        (
            gradient,
            "those are the gradients (p - y) x1, (p - y) x2 and p - y; now step: "
            "θ ← θ - η · gradient",
        ),
        (
            [w1 + lr * gradient[0], w2 + lr * gradient[1], b + lr * gradient[2]],
            "that step goes uphill: subtract η · gradient",
        ),
        ([w1 - lr * gradient[0], w2 - lr * gradient[1], b], "the bias moves too: dℓ/db = p - y"),
        ([w1 - gradient[0], w2 - gradient[1], b - gradient[2]], "multiply by η = 0.1"),
    ]
    if isinstance(answer, (list, tuple)) and len(answer) != 3:
        return wrong_type(answer, "a list of 3 numbers", "write [w1, w2, b]")
    return expect_numbers(
        answer,
        expected,
        name="[w1, w2, b]",
        hint=hint_for(
            answer,
            mistakes,
            "z = w·x + b = 0, so p = 0.5; the gradients are (p - y) x1, (p - y) x2, p - y",
        ),
    )


# -- Exercise 4.4: accuracy ---------------------------------------------------------

ACCURACY_WEIGHTS, ACCURACY_BIAS = (1.5, -2.0), 0.5
POINTS = [[1.0, 0.0], [0.0, 1.0], [2.0, 1.0], [-1.0, -1.0], [0.0, 0.5], [1.0, 1.5]]
LABELS = [1, 0, 0, 1, 1, 0]
"""Exercise 4.4: the model σ(1.5 x1 - 2 x2 + 0.5) on six labelled points."""


def _predictions() -> list[int]:
    model = _model(ACCURACY_WEIGHTS, ACCURACY_BIAS)
    return [int(row[0].data > 0.5) for row in model(POINTS)]


@checker(start="put the accuracy on the six points (a fraction between 0 and 1) into answer")
def check_accuracy(answer: object) -> Verdict:
    """Exercise 4.4: the fraction of six points the given weights classify correctly."""
    predicted = _predictions()
    correct = sum(p == y for p, y in zip(predicted, LABELS, strict=True))
    accuracy = correct / len(LABELS)
    mistakes: list[Mistake] = [
        (float(correct), "that is the number of correct points; the accuracy is a fraction"),
        (1 - accuracy, "that is the share of wrong points: class 1 is where p > 0.5, i.e. z > 0"),
        (
            sum(predicted) / len(LABELS),
            "that is the share of points predicted as class 1; "
            "compare each prediction with its label",
        ),
    ]
    return expect_number(
        answer,
        accuracy,
        name="the accuracy",
        hint=hint_for(
            answer,
            mistakes,
            "for each point z = 1.5 x1 - 2 x2 + 0.5; class 1 when z > 0; count the matches "
            "with the labels and divide by 6",
        ),
    )


# -- Exercise 4.5: the decision boundary --------------------------------------------


@checker(start="put [slope, intercept] of the boundary x2 = slope · x1 + intercept into answer")
def check_boundary(answer: object) -> Verdict:
    """Exercise 4.5: Exercise 4.4's boundary w1 x1 + w2 x2 + b = 0 as a line
    x2 = slope · x1 + intercept, checked on points of the line (p = 0.5 there)."""
    (w1, w2), b = ACCURACY_WEIGHTS, ACCURACY_BIAS
    model = _model(ACCURACY_WEIGHTS, ACCURACY_BIAS)
    slope, intercept = -w1 / w2, -b / w2
    # On the line the model must say 0.5: a check of the formula with the model itself.
    on_line = [[x1, slope * x1 + intercept] for x1 in (-1.0, 0.0, 2.0)]
    assert all(abs(row[0].data - 0.5) < 1e-12 for row in model(on_line))
    mistakes: list[Mistake] = [
        ([w1 / w2, b / w2], "the signs: from w1 x1 + w2 x2 + b = 0, x2 = -(w1 x1 + b) / w2"),
        ([-w2 / w1, -b / w1], "that solves for x1; solve for x2 instead"),
        ([-w1 / w2, b / w2], "the intercept: x2 = -b / w2 at x1 = 0"),
        ([w1 / w2, -b / w2], "the slope: x2 = -(w1 / w2) x1 - b / w2"),
    ]
    if isinstance(answer, (list, tuple)) and len(answer) != 2:
        return wrong_type(answer, "a list of 2 numbers", "write [slope, intercept]")
    return expect_numbers(
        answer,
        [slope, intercept],
        name="[slope, intercept]",
        hint=hint_for(
            answer,
            mistakes,
            "on the boundary z = 0: solve w1 x1 + w2 x2 + b = 0 for x2",
        ),
    )
