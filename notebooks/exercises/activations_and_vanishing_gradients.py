"""Checkers for notebook 05, "Activations and vanishing gradients".

Every expected number is computed here with gradstep itself: a derivative is the
``.grad`` that ``backward()`` leaves, a dead unit is read off an ``nn.Linear``'s outputs.
"""

from __future__ import annotations

import nn
from autograd import Value, no_grad
from exercises.feedback import (
    Verdict,
    as_number,
    checker,
    describe,
    expect_number,
    expect_numbers,
    not_yet,
    right,
    wrong_type,
)

__all__ = [
    "DEAD_LAYER_BIAS",
    "DEAD_LAYER_ROWS",
    "DEAD_LAYER_WEIGHTS",
    "RELU_POINTS",
    "check_chain_bound",
    "check_dead_units",
    "check_relu_grads",
    "check_sigmoid_slope",
    "check_tanh_slope",
]


def _slope(function: str, z: float) -> float:
    """d f(z) / dz by backprop through the engine's op ``function``."""
    x = Value(z)
    getattr(x, function)().backward()
    return x.grad


@checker(start="put σ'(0), a number, into answer")
def check_sigmoid_slope(answer: object) -> Verdict:
    """Exercise 5.2: the slope of the sigmoid at 0."""
    return expect_number(
        answer,
        _slope("sigmoid", 0.0),
        name="σ'(0)",
        hint="σ'(z) = σ(z)(1 − σ(z)), and σ(0) = 1/2",
    )


SIGMOID_LAYERS = 7


@checker(start="put the largest factor 7 sigmoids in a row can multiply a gradient by into answer")
def check_chain_bound(answer: object) -> Verdict:
    """Exercise 5.3: the bound on the gradient through 7 chained sigmoids, (1/4)**7."""
    bound = _slope("sigmoid", 0.0) ** SIGMOID_LAYERS
    verdict = expect_number(
        answer,
        bound,
        name="the largest factor",
        hint="each sigmoid multiplies the gradient by σ' ≤ 1/4: write 0.25 ** 7",
    )
    got = as_number(answer)
    if not verdict.ok and got is not None and abs(got - 4.0**SIGMOID_LAYERS) < 1e-6:
        return not_yet(
            f"{got:g} is 4 ** 7, a growth, but the gradient shrinks",
            "each layer multiplies by at most 1/4, so 7 layers by at most (1/4) ** 7",
        )
    return verdict


TANH_POINT = 0.5


@checker(start="put tanh'(0.5), a number, into answer")
def check_tanh_slope(answer: object) -> Verdict:
    """Exercise 5.1: the slope of tanh at z = 0.5."""
    return expect_number(
        answer,
        _slope("tanh", TANH_POINT),
        name="tanh'(0.5)",
        hint="tanh'(z) = 1 − tanh(z)**2; or let backward() compute it on Value(0.5).tanh()",
    )


RELU_POINTS = (-1.3, 0.0, 2.0)
"""Where Exercise 5.4 asks for relu's gradient (0 is its kink)."""


@checker(start="put the list [dr/dz at -1.3, at 0, at 2] for r = relu(z) into answer")
def check_relu_grads(answer: object) -> Verdict:
    """Exercise 5.4: relu's gradient at -1.3, 0 (the kink, PyTorch's convention) and 2."""
    return expect_numbers(
        answer,
        [_slope("relu", z) for z in RELU_POINTS],
        name="relu's gradients",
        hint="relu'(z) is 1 for z > 0 and 0 for z < 0; at 0 gradstep follows PyTorch: 0",
    )


DEAD_LAYER_WEIGHTS = [[1.0, -1.0], [-1.0, -0.5], [0.5, 0.5], [0.3, -1.5]]
DEAD_LAYER_BIAS = [0.0, -1.0, 0.1, -3.0]
DEAD_LAYER_ROWS = [[1.0, 2.0], [0.5, -0.5], [2.0, 1.0], [-1.0, 0.5], [0.0, 1.0]]
"""Exercise 5.5's layer (4 units) and the batch it sees (5 rows)."""


def _dead_units() -> list[int]:
    layer = nn.Linear(2, 4)
    layer.load_state_dict({"weight": DEAD_LAYER_WEIGHTS, "bias": DEAD_LAYER_BIAS})
    with no_grad():
        z = layer(DEAD_LAYER_ROWS)
    return [j for j in range(4) if all(row[j].data <= 0 for row in z)]


@checker(start="put the list of the dead units' indices (0 to 3) into answer")
def check_dead_units(answer: object) -> Verdict:
    """Exercise 5.5: which units of a given ReLU layer are dead on a given batch."""
    expected = _dead_units()
    if not isinstance(answer, (list, tuple, set)):
        return wrong_type(answer, "a list of unit indices", "write the indices as [i, j, ...]")
    items = list(answer)
    for item in items:
        if isinstance(item, bool) or not isinstance(item, int):
            return not_yet(
                f"every item should be a unit index (an int from 0 to 3), but one is "
                f"{describe(item)}",
                "write the indices of the dead units, such as [0, 2]",
            )
    if sorted(set(items)) == expected:
        return right(f"right: units {expected} are ≤ 0 on every row, so they are dead")
    outside = [j for j in items if not 0 <= j < 4]
    if outside:
        return not_yet(
            f"the layer has units 0 to 3, there is no unit {outside[0]}",
            "index the units from 0, as Python does",
        )
    extra = sorted(set(items) - set(expected))
    if extra:
        return not_yet(
            f"unit {extra[0]} is not dead: its z is > 0 on at least one row",
            "compute z_j = w_j · x + b_j for every row; dead means z_j ≤ 0 on all of them",
        )
    return not_yet(
        f"a dead unit is missing (you gave {len(set(items))} of the {len(expected)})",
        "check every unit: dead means z_j = w_j · x + b_j ≤ 0 on every row",
    )
