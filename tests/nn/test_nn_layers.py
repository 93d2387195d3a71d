"""Activations and BatchNorm1d: values, gradients (against float formulas and finite
differences) and BatchNorm's running statistics and modes."""

from __future__ import annotations

import math
from typing import Any

import pytest
from nn_compare import assert_close, module_gradcheck

import autograd
import nn
from autograd import Value, ops
from autograd.value import apply

ROWS = [[0.3, -1.2, 2.0], [1.5, 0.4, -0.7], [-0.8, 2.2, 0.1], [0.9, -0.3, 1.1]]


@pytest.mark.parametrize(
    ("module", "f", "df"),
    [
        (nn.ReLU(), lambda x: max(x, 0.0), lambda x: 1.0 if x > 0 else 0.0),
        (nn.Tanh(), math.tanh, lambda x: 1 - math.tanh(x) ** 2),
        (
            nn.Sigmoid(),
            lambda x: 1 / (1 + math.exp(-x)),
            lambda x: math.exp(-x) / (1 + math.exp(-x)) ** 2,
        ),
        (nn.LeakyReLU(0.2), lambda x: x if x > 0 else 0.2 * x, lambda x: 1.0 if x > 0 else 0.2),
    ],
    ids=["relu", "tanh", "sigmoid", "leaky_relu"],
)
def test_activation_values_and_derivatives(module: nn.Module, f: Any, df: Any) -> None:
    xs = [Value(v) for v in (-2.0, -0.5, 0.0, 0.7, 3.0)]
    ys = module(xs)
    assert [y.data for y in ys] == pytest.approx([f(x.data) for x in xs], rel=1e-15)
    autograd.sum(ys).backward()
    assert [x.grad for x in xs] == pytest.approx([df(x.data) for x in xs], rel=1e-12)
    batch = module([[1.0, -1.0], [2.0, 0.5]])
    assert [[v.data for v in r] for r in batch] == [[f(1.0), f(-1.0)], [f(2.0), f(0.5)]]
    assert module.parameters() == []


def test_activation_kinks_follow_pytorch() -> None:
    x = Value(0.0)
    nn.ReLU()([x])[0].backward()
    assert x.grad == 0.0
    y = Value(0.0)
    nn.LeakyReLU(0.1)([y])[0].backward()
    assert y.grad == 0.1
    with pytest.raises(TypeError, match="number"):
        nn.LeakyReLU("0.1")  # type: ignore[arg-type]


def batchnorm_floats(
    rows: list[list[float]],
    gamma: list[float],
    beta: list[float],
    upstream: list[list[float]],
    eps: float,
) -> tuple[list[list[float]], list[list[float]], list[float], list[float]]:
    """Forward and backward of training-mode batch norm, on floats, from the textbook formulas.

    y = gamma x̂ + beta, x̂ = (x - mu) / sqrt(var + eps), var biased. With dy the upstream
    gradient: dbeta = sum dy, dgamma = sum dy x̂, and
    dx = gamma / (N sqrt(var + eps)) * (N dy - sum dy - x̂ sum(dy x̂)).
    """
    n, c = len(rows), len(rows[0])
    out = [[0.0] * c for _ in range(n)]
    dx = [[0.0] * c for _ in range(n)]
    dgamma, dbeta = [0.0] * c, [0.0] * c
    for j in range(c):
        col = [r[j] for r in rows]
        mu = sum(col) / n
        var = sum((v - mu) ** 2 for v in col) / n
        inv = 1 / math.sqrt(var + eps)
        xhat = [(v - mu) * inv for v in col]
        dy = [u[j] for u in upstream]
        dbeta[j] = sum(dy)
        dgamma[j] = sum(d * h for d, h in zip(dy, xhat, strict=True))
        for i in range(n):
            out[i][j] = gamma[j] * xhat[i] + beta[j]
            dx[i][j] = gamma[j] * inv / n * (n * dy[i] - dbeta[j] - xhat[i] * dgamma[j])
    return out, dx, dgamma, dbeta


def test_batchnorm_forward_and_backward_match_the_float_formulas() -> None:
    bn = nn.BatchNorm1d(3, eps=1e-3)
    gamma, beta = [1.5, 0.5, -2.0], [0.1, -0.3, 0.0]
    bn.load_state_dict({**bn.state_dict(), "weight": gamma, "bias": beta})
    upstream = [[0.2, -1.0, 0.5], [1.1, 0.3, -0.4], [-0.6, 0.9, 0.8], [0.05, 0.7, -1.3]]
    x = [[Value(v) for v in row] for row in ROWS]
    y = bn(x)
    flat = [v for row in y for v in row]
    autograd.dot(flat, [u for row in upstream for u in row]).backward()
    out, dx, dgamma, dbeta = batchnorm_floats(ROWS, gamma, beta, upstream, 1e-3)
    assert_close([[v.data for v in r] for r in y], out, 1e-12, 1e-14, "output")
    assert_close([[v.grad for v in r] for r in x], dx, 1e-9, 1e-13, "input grad")
    assert_close([p.grad for p in bn.weight], dgamma, 1e-12, 1e-14, "gamma grad")
    assert_close([p.grad for p in bn.bias], dbeta, 1e-12, 1e-14, "beta grad")


def test_batchnorm_running_statistics() -> None:
    bn = nn.BatchNorm1d(3, momentum=0.25)
    bn(ROWS)
    n = len(ROWS)
    for j in range(3):
        col = [r[j] for r in ROWS]
        mu = sum(col) / n
        unbiased = sum((v - mu) ** 2 for v in col) / (n - 1)
        assert bn.running_mean[j] == pytest.approx(0.25 * mu, rel=1e-14)
        assert bn.running_var[j] == pytest.approx(0.75 * 1.0 + 0.25 * unbiased, rel=1e-14)
    assert bn.num_batches_tracked == 1
    bn(ROWS[:2])
    assert bn.num_batches_tracked == 2


def test_batchnorm_cumulative_average_without_momentum() -> None:
    bn = nn.BatchNorm1d(1, momentum=None)
    batches = [[[1.0], [3.0]], [[5.0], [9.0]], [[0.0], [1.0]]]
    for b in batches:
        bn(b)
    means = [2.0, 7.0, 0.5]
    variances = [2.0, 8.0, 0.5]
    assert bn.running_mean[0] == pytest.approx(sum(means) / 3, rel=1e-14)
    assert bn.running_var[0] == pytest.approx(sum(variances) / 3, rel=1e-14)


def test_batchnorm_eval_uses_running_statistics_and_takes_one_row() -> None:
    bn = nn.BatchNorm1d(3)
    bn(ROWS)
    bn.eval()
    before = bn.state_dict()
    (row,) = [bn(ROWS[0])]
    expected = [
        (ROWS[0][j] - bn.running_mean[j]) / math.sqrt(bn.running_var[j] + 1e-5) for j in range(3)
    ]
    assert [v.data for v in row] == pytest.approx(expected, rel=1e-14)
    assert bn.state_dict() == before  # eval mode changes no statistic


def test_batchnorm_training_batch_of_one_row_raises() -> None:
    bn = nn.BatchNorm1d(2)
    with pytest.raises(ValueError, match="more than one row, got 1"):
        bn([[1.0, 2.0]])
    with pytest.raises(ValueError, match="more than one row, got 1"):
        bn([1.0, 2.0])
    assert bn.num_batches_tracked == 0
    bn.eval()
    assert len(bn([1.0, 2.0])) == 2


def test_batchnorm_without_affine_or_tracking() -> None:
    plain = nn.BatchNorm1d(2, affine=False)
    assert plain.parameters() == [] and list(plain.state_dict()) == [
        "running_mean",
        "running_var",
        "num_batches_tracked",
    ]
    untracked = nn.BatchNorm1d(2, track_running_stats=False)
    assert list(untracked.state_dict()) == ["weight", "bias"]
    untracked.eval()  # still normalises with the batch's own statistics
    out = untracked([[1.0, 0.0], [3.0, 2.0]])
    assert [r[0].data for r in out] == pytest.approx([-1.0, 1.0], rel=1e-4)


def test_batchnorm_bad_arguments() -> None:
    for kwargs, message in [
        ({"num_features": 0}, "num_features"),
        ({"num_features": 2, "eps": 0.0}, "eps"),
        ({"num_features": 2, "momentum": 1.5}, "momentum"),
    ]:
        with pytest.raises(ValueError, match=message):
            nn.BatchNorm1d(**kwargs)


@pytest.mark.parametrize(
    "make",
    [
        lambda: nn.Linear(3, 2, seed=0),
        lambda: nn.Linear(3, 2, bias=False, seed=0),
        nn.ReLU,
        nn.Tanh,
        nn.Sigmoid,
        lambda: nn.LeakyReLU(0.05),
        lambda: nn.BatchNorm1d(3),
        lambda: nn.BatchNorm1d(3, affine=False),
        lambda: nn.BatchNorm1d(3).eval(),
        lambda: nn.MLP(3, [4, 2], seed=1),
        lambda: nn.MLP(3, [4, 4, 1], batchnorm=True, activation="tanh", seed=2),
        lambda: nn.LogisticRegression(3, seed=3),
    ],
    ids=[
        "linear", "linear-no-bias", "relu", "tanh", "sigmoid", "leaky_relu", "batchnorm",
        "batchnorm-no-affine", "batchnorm-eval", "mlp", "mlp-batchnorm", "logistic",
    ],
)  # fmt: skip
def test_gradcheck_every_layer(make: Any) -> None:
    module = make()
    if isinstance(module, nn.BatchNorm1d) and not module.training:
        module.load_state_dict(
            {
                **module.state_dict(),
                "running_mean": [0.5, -0.2, 0.1],
                "running_var": [2.0, 0.5, 1.5],
            }
        )
    module_gradcheck(module, ROWS)


class WrongSquare(ops.UnaryOp):
    """x**2 with a wrong derivative (x instead of 2x)."""

    name = "wrong_square"

    def forward(self, x: float) -> float:
        return x * x

    def derivatives(self, out: Any, x: Any) -> tuple[Any, ...]:
        return (x,)


class Broken(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.register_parameter("w", [Value(0.7)])

    def forward(self, x: Any) -> Any:
        return [[apply(WrongSquare(), [v * self.w[0]]) for v in row] for row in x]


def test_module_gradcheck_catches_a_wrong_derivative() -> None:
    with pytest.raises(AssertionError, match="gradient mismatch"):
        module_gradcheck(Broken(), ROWS)


def test_the_activations_registry_builds_the_modules_mlp_uses() -> None:
    assert {name: cls.__name__ for name, cls in nn.ACTIVATIONS.items()} == {
        "relu": "ReLU",
        "tanh": "Tanh",
        "sigmoid": "Sigmoid",
        "leaky_relu": "LeakyReLU",
    }
    for name, cls in nn.ACTIVATIONS.items():
        assert isinstance(nn.MLP(2, [3, 1], activation=name, seed=0)[1], cls)
        assert cls()([-2.0])[0].op == name
