"""Checkers for notebook 03, "Gradient descent and its variants".

Four exercises, each one optimizer rule worked by hand: one step of gradient descent on
the ravine (3.1), the learning rate beyond which gradient descent diverges on a quadratic
(3.2), momentum's velocity after two steps (3.3), and Adam's bias-corrected first step
(3.4). Every expected number comes from running gradstep's own ``nn.optim`` optimizers,
whose update rules are PyTorch's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import nn
import viz
from autograd import Value
from exercises.feedback import (
    Mistake,
    Verdict,
    as_number,
    checker,
    expect_number,
    expect_numbers,
    hint_for,
)

__all__ = ["check_adam_first_step", "check_divergence", "check_gd_step", "check_momentum"]


OptimizerT = TypeVar("OptimizerT", bound=nn.optim.Optimizer)


def _optimize(
    loss: Callable[..., Value],
    start: list[float],
    make: Callable[[list[Value]], OptimizerT],
    steps: int,
) -> tuple[list[Value], OptimizerT]:
    """Run ``steps`` steps of the optimizer ``make(params)`` on ``loss`` from ``start``."""
    params = [Value(x) for x in start]
    optimizer = make(params)
    for _ in range(steps):
        optimizer.zero_grad()
        loss(*params).backward()
        optimizer.step()
    return params, optimizer


# -- Exercise 3.1: one step of gradient descent -------------------------------------

GD_START, GD_LR = [-5.0, -2.0], 0.1
"""Exercise 3.1: one step on the ravine 0.1 x² + 2 y² from (x, y) = (-5, -2), η = 0.1."""


@checker(start="put [x, y] after one step of gradient descent into answer")
def check_gd_step(answer: object) -> Verdict:
    """Exercise 3.1: (x, y) after one gradient-descent step on the ravine, η = 0.1."""
    params, _ = _optimize(viz.ravine, GD_START, lambda p: nn.optim.SGD(p, lr=GD_LR), 1)
    (x, y), lr = GD_START, GD_LR
    gradient = [0.2 * x, 4 * y]
    mistakes: list[Mistake] = [
        (gradient, "that is the gradient (0.2 x, 4 y); the step is θ - η · gradient"),
        (
            [x + lr * gradient[0], y + lr * gradient[1]],
            "that step goes uphill: subtract η · gradient",
        ),
        ([x - gradient[0], y - gradient[1]], "multiply the gradient by η = 0.1 first"),
        (
            [x - lr * 0.1 * x, y - lr * 2 * y],
            "the derivative of 0.1 x² is 0.2 x and that of 2 y² is 4 y",
        ),
    ]
    return expect_numbers(
        answer,
        [p.data for p in params],
        name="[x, y] after one step",
        hint=hint_for(answer, mistakes, "∇L = (0.2 x, 4 y) at (-5, -2); then θ ← θ - η ∇L"),
    )


# -- Exercise 3.2: the largest stable learning rate ---------------------------------


def bowl(x: Value, y: Value) -> Value:
    """Exercise 3.2's loss, L(x, y) = x² + 5 y²: curvature 2 along x and 10 along y."""
    return x**2 + 5 * y**2


CURVATURES = (2.0, 10.0)
"""The second derivatives of :func:`bowl` along x and along y."""


def _diverges(lr: float, steps: int = 200) -> bool:
    """Whether gradient descent on :func:`bowl` from (1, 1) ends further out than it began."""
    try:
        (x, y), _ = _optimize(bowl, [1.0, 1.0], lambda p: nn.optim.SGD(p, lr=lr), steps)
    except OverflowError:  # gradstep raises rather than computing with infinity
        return True
    return abs(x.data) + abs(y.data) > 2.0


@checker(start="put the learning rate η* (a number) beyond which gradient descent diverges")
def check_divergence(answer: object) -> Verdict:
    """Exercise 3.2: the learning rate above which gradient descent diverges on
    ``L = x² + 5 y²``: 2 divided by the largest curvature."""
    limit = 2 / max(CURVATURES)
    # The limit, confirmed by experiment: a little below it converges, a little above not.
    assert not _diverges(0.98 * limit) and _diverges(1.02 * limit)
    got = as_number(answer)
    verdict = expect_number(
        answer,
        limit,
        name="the largest stable η",
        hint=hint_for(
            answer,
            [
                (
                    2 / min(CURVATURES),
                    "that is the limit along x, the flat direction; y is "
                    "steeper and diverges first",
                ),
                (2 / 5, "L = (a/2) y² has curvature a: 5 y² is (10/2) y², so a = 10"),
                (
                    1 / max(CURVATURES),
                    "that is where y lands on 0 in one step; the factor "
                    "1 - η a reaches -1 (divergence) at η = 2/a",
                ),
            ],
            "each direction is multiplied by 1 - η a per step (a: its curvature); "
            "|1 - η a| > 1 diverges",
        ),
    )
    if got is not None and not verdict.ok and 0 < got < 100:
        fate = "diverges" if _diverges(got) else "converges"
        return Verdict(verdict.kind, f"{verdict.message} (at η = {got:g} it {fate})", verdict.hint)
    return verdict


# -- Exercise 3.3: momentum ---------------------------------------------------------

MOMENTUM_START, MOMENTUM_LR, MOMENTUM_MU = 4.0, 0.1, 0.9
"""Exercise 3.3: L(x) = x² from x = 4, SGD with η = 0.1 and momentum μ = 0.9, two steps."""


def _square(x: Value) -> Value:
    return x**2


@checker(start="put [b, x] after two steps of momentum (the buffer, then x) into answer")
def check_momentum(answer: object) -> Verdict:
    """Exercise 3.3: the momentum buffer b and x after two steps of ``SGD(momentum=0.9)``
    on L(x) = x² from x = 4, η = 0.1."""
    (x,), optimizer = _optimize(
        _square,
        [MOMENTUM_START],
        lambda p: nn.optim.SGD(p, lr=MOMENTUM_LR, momentum=MOMENTUM_MU),
        2,
    )
    buffers = optimizer.momentum_buffer
    assert buffers is not None  # SGD keeps one once momentum is on
    expected = [buffers[0], x.data]
    x0, lr, mu = MOMENTUM_START, MOMENTUM_LR, MOMENTUM_MU
    g1 = 2 * x0
    x1 = x0 - lr * g1
    g2 = 2 * x1
    damped_b1 = (1 - mu) * g1  # the other textbook convention, b = μ b + (1 - μ) g
    damped_x1 = x0 - lr * damped_b1
    damped_b2 = mu * damped_b1 + (1 - mu) * 2 * damped_x1
    # The buffer alone tells the slips apart (x follows from it).
    mistakes: list[Mistake] = [
        (
            [damped_b2],
            "that is the rule b = μ b + (1 - μ) g; PyTorch's (and nn.optim's) "
            "adds the whole gradient: b = μ b + g",
        ),
        ([g1 + g2], "the old buffer is multiplied by μ = 0.9 before the new gradient is added"),
        (
            [mu * g1 + g1],
            "the second gradient is taken at the new x (after the first step), not at x = 4",
        ),
        ([g2], "that is plain gradient descent: the buffer keeps μ times the old buffer"),
        ([mu * g1], "add the new gradient to μ times the old buffer: b = μ b + g"),
    ]
    return expect_numbers(
        answer,
        expected,
        name="[b, x] after two steps",
        hint=hint_for(
            answer,
            mistakes,
            "step 1: g = 2x, b = g, x ← x - η b; step 2: g = 2x at the new x, "
            "b = μ b + g, x ← x - η b",
        ),
    )


# -- Exercise 3.4: Adam's first step ------------------------------------------------

ADAM_START, ADAM_LR = -2.0, 0.1
"""Exercise 3.4: L(x) = x⁴ from x = -2, Adam with η = 0.1 and the default betas."""
BETAS = (0.9, 0.999)


def _fourth_power(x: Value) -> Value:
    return x**4


@checker(start="put [m̂, v̂, x] after Adam's first step into answer")
def check_adam_first_step(answer: object) -> Verdict:
    """Exercise 3.4: Adam's bias-corrected m̂ and v̂ and the new x after its first step on
    L(x) = x⁴ from x = -2, η = 0.1."""
    (x,), optimizer = _optimize(
        _fourth_power, [ADAM_START], lambda p: nn.optim.Adam(p, lr=ADAM_LR, betas=BETAS), 1
    )
    beta1, beta2 = BETAS
    m, v = optimizer.exp_avg[0], optimizer.exp_avg_sq[0]
    m_hat, v_hat = m / (1 - beta1), v / (1 - beta2)
    expected = [m_hat, v_hat, x.data]
    g = 4 * ADAM_START**3
    mistakes: list[Mistake] = [
        ([m], "that is m before the bias correction: m̂ = m / (1 - β₁) at t = 1"),
        ([m_hat, v], "that is v before the bias correction: v̂ = v / (1 - β₂) at t = 1"),
        ([m_hat, v_hat, ADAM_START - ADAM_LR * m_hat / v_hat], "divide m̂ by the square root of v̂"),
        ([m_hat, v_hat, ADAM_START - ADAM_LR], "the step goes against m̂: x ← x - η m̂ / (√v̂ + ε)"),
        ([m_hat, g], "v averages the *squared* gradient"),
        (
            [m_hat, v_hat, ADAM_START - ADAM_LR * m / v**0.5],
            "without the bias correction the first step is η m / √v; with it, η m̂ / √v̂",
        ),
    ]
    return expect_numbers(
        answer,
        expected,
        name="[m̂, v̂, x]",
        rtol=1e-6,
        hint=hint_for(
            answer,
            mistakes,
            "g = 4x³; m = (1 - β₁) g, v = (1 - β₂) g²; m̂ = m / (1 - β₁), "
            "v̂ = v / (1 - β₂); x ← x - η m̂ / (√v̂ + ε)",
        ),
    )
