"""MLP(batchnorm=True) has no bias in the Linear layers that feed a BatchNorm1d.

Such a bias is added to every row of the batch, and BatchNorm subtracts the batch mean
right after, so it cannot change the output: its gradient is 0 up to rounding. The
tests show that, check the new layout, and load checkpoints of the old layout (with the
biases) into it with the same eval-mode outputs.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

import nn

X, Y = nn.data.make_moons(12, noise=0.1, seed=0)


def old_layout(seed: int) -> nn.Sequential:
    """What MLP(2, [4, 3, 1], batchnorm=True) was before: a bias in every Linear."""
    return nn.Sequential(
        nn.Linear(2, 4, seed=seed),
        nn.BatchNorm1d(4),
        nn.Tanh(),
        nn.Linear(4, 3, seed=seed + 1),
        nn.BatchNorm1d(3),
        nn.Tanh(),
        nn.Linear(3, 1, seed=seed + 2),
    )


def trained(model: nn.Module, steps: int = 3) -> nn.Module:
    """A few SGD steps in training mode: biases, gammas and running stats move off their start."""
    optimizer = nn.optim.SGD(model.parameters(), lr=0.5)
    for _ in range(steps):
        optimizer.zero_grad()
        nn.binary_cross_entropy_with_logits(model(X), Y).backward()
        optimizer.step()
    return model


def logits(model: nn.Module) -> list[float]:
    model.eval()
    return [row[0].data for row in model(X)]


def test_a_bias_before_batchnorm_gets_no_gradient() -> None:
    model = old_layout(seed=0)
    nn.binary_cross_entropy_with_logits(model(X), Y).backward()
    bias_grads = [b.grad for b in model[0].bias]
    weight_grads = [w.grad for row in model[0].weight for w in row]
    assert max(abs(g) for g in bias_grads) < 1e-15
    assert max(abs(g) for g in weight_grads) > 1e-4  # the weights do learn


def test_hidden_linears_before_batchnorm_have_no_bias_the_last_has_one() -> None:
    model = nn.MLP(2, [4, 3, 1], activation="tanh", batchnorm=True, seed=0)
    linears = [m for m in model if isinstance(m, nn.Linear)]
    assert [layer.bias is None for layer in linears] == [True, True, False]
    assert len(model.parameters()) == 2 * 4 + 2 * 4 + 4 * 3 + 2 * 3 + 3 + 1
    plain = nn.MLP(2, [4, 3, 1], activation="tanh", seed=0)
    assert all(layer.bias is not None for layer in plain if isinstance(layer, nn.Linear))


def test_the_same_seed_gives_the_same_weights_with_and_without_batchnorm() -> None:
    with_bn = nn.MLP(2, [4, 3, 1], batchnorm=True, seed=7).state_dict()
    without = nn.MLP(2, [4, 3, 1], seed=7).state_dict()
    assert with_bn["0.weight"] == without["0.weight"]
    assert with_bn["3.weight"] == without["2.weight"]
    assert with_bn["6.weight"] == without["4.weight"]
    assert with_bn["6.bias"] == without["4.bias"]


def test_an_old_layout_state_dict_loads_with_the_same_outputs() -> None:
    old = trained(old_layout(seed=3))
    old_state = old.state_dict()
    assert any(abs(b) > 1e-3 for b in old_state["0.bias"])  # the biases are not 0
    model = nn.MLP(2, [4, 3, 1], activation="tanh", batchnorm=True, seed=9)
    model.load_state_dict(old_state)
    assert "0.bias" not in model.state_dict()
    assert logits(model) == pytest.approx(logits(old), rel=1e-12, abs=1e-12)
    model.train()
    old.train()
    assert [r[0].data for r in model(X)] == pytest.approx([r[0].data for r in old(X)], abs=1e-12)


def test_an_old_checkpoint_file_loads(tmp_path: Path) -> None:
    old = trained(old_layout(seed=4))
    document = {"format": "gradstep-checkpoint", "version": 1, "model": "MLP"}
    path = tmp_path / "old.json"
    path.write_text(json.dumps({**document, "state_dict": old.state_dict()}))
    model = nn.load(nn.MLP(2, [4, 3, 1], activation="tanh", batchnorm=True), path)
    assert logits(model) == pytest.approx(logits(old), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("bad", [[1.0, 2.0], [math.nan, 0.0, 0.0, 0.0], [10**400, 0, 0, 0]])
def test_an_old_bias_that_does_not_fit_is_reported_not_folded(bad: list[float]) -> None:
    state = trained(old_layout(seed=5)).state_dict()
    state["0.bias"] = bad  # 4 units: too short, not finite, beyond the float range
    model = nn.MLP(2, [4, 3, 1], activation="tanh", batchnorm=True, seed=0)
    before = model.state_dict()
    with pytest.raises(nn.StateDictError, match=r"unexpected keys: '0\.bias'"):
        model.load_state_dict(state)
    assert model.state_dict() == before
