"""The gradstep models the bridge's golden data was recorded for, rebuilt from their seeds.

(A helper of the nn tests, imported by path, and of make_torch_golden.py; not a test file.)
Each recipe builds the same model every time: seeded weights, and a training pass on a
fixed batch where the running statistics of a BatchNorm1d should have moved.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

import nn

BATCH = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.5], [-1.0, 0.75, 0.0], [0.2, -0.3, 1.1]]


def _warm(model: nn.Module, width: int) -> nn.Module:
    """One training forward pass on a fixed batch: running statistics move, nothing else."""
    model([row[:width] for row in BATCH])
    return model


def mlp() -> nn.Module:
    return nn.MLP(3, [5, 4, 2], seed=1)


def mlp_batchnorm() -> nn.Module:
    return _warm(nn.MLP(3, [4, 3], batchnorm=True, activation="tanh", seed=2), 3)


def logistic() -> nn.Module:
    return nn.LogisticRegression(2, seed=3)


def kit_in_eval() -> nn.Module:
    model = nn.Sequential(
        nn.Linear(3, 4, seed=4),
        nn.BatchNorm1d(4, momentum=None, bias=False),
        nn.LeakyReLU(0.2),
        nn.Dropout(0.3),
        nn.Identity(),
        nn.Linear(4, 2, bias=False, seed=5),
        nn.Sigmoid(),
    )
    return _warm(model, 3).eval()


def frozen_first_layer() -> nn.Module:
    model = nn.MLP(2, [3, 1], seed=6)
    model[0].requires_grad_(False)
    return model


def batchnorm_variants() -> nn.Module:
    model = nn.Sequential(
        nn.BatchNorm1d(3, affine=False),
        nn.Linear(3, 3, seed=7),
        nn.BatchNorm1d(3, eps=1e-3, track_running_stats=False),
        nn.Tanh(),
    )
    return _warm(model, 3)


def named() -> nn.Module:
    return nn.Sequential(
        OrderedDict(hidden=nn.Linear(2, 3, seed=8), act=nn.ReLU(), out=nn.Linear(3, 1, seed=9))
    )


RECIPES: dict[str, Callable[[], nn.Module]] = {
    "mlp": mlp,
    "mlp_batchnorm": mlp_batchnorm,
    "logistic": logistic,
    "kit_in_eval": kit_in_eval,
    "frozen_first_layer": frozen_first_layer,
    "batchnorm_variants": batchnorm_variants,
    "named": named,
}
"""Each model by name; the golden data's ``bridge_to_torch`` cases name theirs."""


def input_width(model: nn.Module) -> int:
    """The width of the rows ``model`` takes (its first Linear or BatchNorm1d tells)."""
    first = next(m for m in model.modules() if isinstance(m, (nn.Linear, nn.BatchNorm1d)))
    return first.in_features if isinstance(first, nn.Linear) else first.num_features
