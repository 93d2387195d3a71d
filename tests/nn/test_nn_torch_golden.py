"""nn against PyTorch's own numbers (tests/nn/torch_golden.json, see make_torch_golden.py).

Every comparison is to 1e-9 relative: optimizer trajectories over 300 steps, BatchNorm
in training and eval mode, every loss with its gradient, and whole models whose
state_dict was loaded into their PyTorch twin.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from nn_compare import assert_close

import autograd
import nn
from autograd import Value

GOLDEN = json.loads(Path(__file__).with_name("torch_golden.json").read_text())
PROBLEM = GOLDEN["problem"]
REL = 1e-9


def objective(x: list[Value]) -> Value:
    """f(x) = sum_i a_i (x_i - c_i)**2 + b x_0 x_1, the problem the golden file was made on."""
    a, c = PROBLEM["a"], PROBLEM["c"]
    terms = [ai * (xi - ci) ** 2 for ai, xi, ci in zip(a, x, c, strict=True)]
    return autograd.sum(terms) + PROBLEM["b"] * x[0] * x[1]


def run(
    optimizer_class: type[nn.optim.Optimizer], hyper: dict[str, Any], steps: int
) -> list[list[float]]:
    x = [Value(v) for v in PROBLEM["x0"]]
    kwargs = dict(hyper)
    if "betas" in kwargs:
        kwargs["betas"] = tuple(kwargs["betas"])
    opt = optimizer_class(x, **kwargs)
    trajectory = []
    for _ in range(steps):
        opt.zero_grad()
        objective(x).backward()
        opt.step()
        trajectory.append([v.data for v in x])
    return trajectory


def case_id(case: dict[str, Any]) -> str:
    return (
        case["optimizer"]
        + "("
        + ", ".join(f"{k}={v}" for k, v in case["hyperparameters"].items())
        + ")"
    )


@pytest.mark.parametrize("case", GOLDEN["optimizers"], ids=case_id)
def test_optimizer_trajectory_matches_torch(case: dict[str, Any]) -> None:
    expected = case["trajectory"]
    actual = run(getattr(nn.optim, case["optimizer"]), case["hyperparameters"], len(expected))
    assert len(expected) == 300
    assert_close(actual, expected, rel=REL, what=case_id(case))
    # The trajectory really moves: the test would notice an optimizer that did nothing.
    assert actual[-1] != PROBLEM["x0"]


class WrongRMSprop(nn.optim.RMSprop):
    """RMSprop with eps inside the square root (Keras's way), not PyTorch's."""

    def _update(self, hyper: Any, params: Any, states: Any) -> Any:
        alpha, values, new_states = hyper["alpha"], [], []
        for p, state in zip(params, states, strict=True):
            v = alpha * state.get("square_avg", 0.0) + (1 - alpha) * p.grad**2
            values.append(p.data - hyper["lr"] * p.grad / (v + hyper["eps"]) ** 0.5)
            new_states.append({"step": state.get("step", 0) + 1, "square_avg": v})
        return values, new_states


class WrongSGD(nn.optim.SGD):
    """SGD whose momentum buffer is dampened at the first step too (PyTorch's is not)."""

    def _update(self, hyper: Any, params: Any, states: Any) -> Any:
        values, new_states = [], []
        for p, state in zip(params, states, strict=True):
            old = state.get("momentum_buffer", 0.0)
            b = hyper["momentum"] * old + (1 - hyper["dampening"]) * p.grad
            values.append(p.data - hyper["lr"] * b)
            new_states.append({"momentum_buffer": b})
        return values, new_states


@pytest.mark.parametrize(
    ("wrong", "name", "hyper"),
    [
        (WrongRMSprop, "RMSprop", {}),
        (WrongSGD, "SGD", {"lr": 0.02, "momentum": 0.9, "dampening": 0.3}),
    ],
)
def test_comparison_catches_a_wrong_update_rule(wrong: type, name: str, hyper: dict) -> None:
    case = next(
        c for c in GOLDEN["optimizers"] if c["optimizer"] == name and c["hyperparameters"] == hyper
    )
    actual = run(wrong, case["hyperparameters"], len(case["trajectory"]))
    with pytest.raises(AssertionError, match="mismatches"):
        assert_close(actual, case["trajectory"], rel=REL, what="a wrong rule")


def bn_from_state(kwargs: dict[str, Any], state: dict[str, Any]) -> nn.BatchNorm1d:
    bn = nn.BatchNorm1d(3, **kwargs)
    bn.load_state_dict(state)
    return bn


@pytest.mark.parametrize("case", GOLDEN["batchnorm"], ids=lambda c: str(c["kwargs"]) or "defaults")
def test_batchnorm_matches_torch(case: dict[str, Any]) -> None:
    bn = bn_from_state(case["kwargs"], case["initial_state_dict"])
    for k, step in enumerate(case["steps"]):
        bn.train(step["mode"] == "train")
        bn.zero_grad()
        x = [[Value(v) for v in row] for row in step["input"]]
        y = bn(x)
        upstream = [v for row in step["upstream"] for v in row]
        outputs = [v for row in y for v in row]
        autograd.dot(outputs, upstream).backward()
        what = f"step {k} ({step['mode']})"
        # Input gradients of BatchNorm sum to ~0 per feature: allow an absolute 1e-12.
        assert_close([[v.data for v in row] for row in y], step["output"], REL, 1e-12, what)
        assert_close([[v.grad for v in row] for row in x], step["input_grad"], REL, 1e-12, what)
        if bn.affine:
            assert_close([p.grad for p in bn.weight], step["weight_grad"], REL, 1e-12, what)
            assert_close([p.grad for p in bn.bias], step["bias_grad"], REL, 1e-12, what)
        state = bn.state_dict()
        assert state.keys() == step["state_dict"].keys()
        for key, expected in step["state_dict"].items():
            assert_close(state[key], expected, REL, 0.0, f"{what} {key}")


@pytest.mark.parametrize(
    "case", GOLDEN["losses"], ids=lambda c: f"{c['loss']}-{c['reduction']}-{c['predictions']}"[:80]
)
def test_loss_matches_torch(case: dict[str, Any]) -> None:
    loss = getattr(nn, case["loss"])
    preds = case["predictions"]
    if isinstance(preds[0], list):
        values = [[Value(v) for v in row] for row in preds]
        flat = [v for row in values for v in row]
    else:
        values = [Value(v) for v in preds]
        flat = values
    targets = case["targets"]
    if case["loss"] == "cross_entropy":
        targets = [int(t) for t in targets]
    out = loss(values, targets, reduction=case["reduction"])
    out.backward()
    assert_close(out.data, case["value"], REL, 1e-15, "value")
    grads = [v.grad for v in flat]
    expected = case["grad"]
    if isinstance(expected[0], list):
        expected = [v for row in expected for v in row]
    assert_close(grads, expected, REL, 1e-15, "gradient")


@pytest.mark.parametrize("case", GOLDEN["models"], ids=lambda c: f"{c['model']}{c['kwargs']}")
def test_model_in_torch_gives_the_same_numbers(case: dict[str, Any]) -> None:
    kwargs = dict(case["kwargs"])
    kwargs["seed"] = kwargs["seed"] + 1000  # different weights: the state dict must win
    model = getattr(nn, case["model"])(**kwargs)
    model.load_state_dict(case["state_dict"])
    assert list(model.state_dict()) == list(case["state_dict"])  # PyTorch's keys and order
    out = model(case["input"])
    if case["loss_function"] == "cross_entropy":
        value = nn.cross_entropy(out, case["targets"])
    else:
        value = getattr(nn, case["loss_function"])(out, case["targets"])
    value.backward()
    assert_close([[v.data for v in row] for row in out], case["output"], REL, 1e-15, "output")
    assert_close(value.data, case["loss"], REL, 0.0, "loss")
    by_label = dict(model.named_parameters())
    for key, expected in case["grads"].items():
        if isinstance(expected[0], list):
            actual = [
                [by_label[f"{key}[{i},{j}]"].grad for j in range(len(r))]
                for i, r in enumerate(expected)
            ]
        else:
            actual = [by_label[f"{key}[{i}]"].grad for i in range(len(expected))]
        assert_close(actual, expected, REL, 1e-15, f"grad of {key}")
    for key, expected in case["state_dict_after"].items():
        assert_close(model.state_dict()[key], expected, REL, 1e-15, f"{key} after the forward pass")


def test_state_dict_seeds_are_reproducible() -> None:
    """The golden models were built from seeds; the same seeds still give those weights."""
    for case in GOLDEN["models"]:
        model = getattr(nn, case["model"])(**case["kwargs"])
        assert model.state_dict() == case["state_dict"]
