"""Param groups, PyTorch's options, per-parameter state and resuming a run exactly.

(The numbers of param groups against PyTorch's are in test_nn_optim_golden.py.)
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

import nn
from autograd import Value
from nn.optim import SGD, Adagrad, Adam, AdamW, Optimizer, RMSprop
from nn.optim.lr_scheduler import (
    CosineAnnealingLR,
    ExponentialLR,
    LinearLR,
    MultiStepLR,
    OneCycleLR,
    ReduceLROnPlateau,
    StepLR,
)


def f(x: Value, y: Value) -> Value:
    return (x - 3.0) ** 2 + 0.5 * (y + 1.0) ** 2 + 0.1 * x * y


def run(opt: Optimizer, x: Value, y: Value, steps: int) -> list[tuple[float, float]]:
    out = []
    for _ in range(steps):
        opt.zero_grad()
        f(x, y).backward()
        opt.step()
        out.append((x.data, y.data))
    return out


# -- param groups ------------------------------------------------------------------------


def test_param_groups_hold_params_and_every_hyperparameter() -> None:
    a, b, c = Value(1.0), Value(2.0), Value(3.0)
    opt = SGD([{"params": [a, b]}, {"params": [c], "lr": 0.5, "name": "head"}], lr=0.1)
    first, second = opt.param_groups
    assert first["params"] == [a, b] and second["params"] == [c]
    assert first["lr"] == 0.1 and second["lr"] == 0.5  # the defaults fill in the rest
    assert second["momentum"] == 0.0 and second["name"] == "head"  # other keys are kept
    assert opt.params == [a, b, c]
    assert opt.state_dict()["param_groups"][1]["name"] == "head"
    assert repr(opt).startswith("SGD(param group 0: 2 parameters, lr=0.1, momentum=0.0")


def test_each_group_steps_with_its_own_hyperparameters() -> None:
    a, b = Value(1.0), Value(1.0)
    opt = SGD([{"params": [a]}, {"params": [b], "lr": 0.01}], lr=0.1)
    (a * 2.0 + b * 2.0).backward()
    opt.step()
    assert (a.data, b.data) == (1.0 - 0.1 * 2.0, 1.0 - 0.01 * 2.0)


def test_a_value_changed_between_steps_is_used_at_the_next() -> None:
    x, y = Value(0.0), Value(0.0)
    opt = SGD([x, y], lr=0.1)
    run(opt, x, y, 1)
    opt.param_groups[0]["lr"] = 0.0
    assert run(opt, x, y, 1) == [(0.6000000000000001, -0.1)]  # lr 0: no move
    opt.lr = 0.2  # one group: opt.lr is its lr
    assert opt.param_groups[0]["lr"] == 0.2 == opt.lr


def test_opt_lr_is_ambiguous_with_several_groups() -> None:
    opt = Adam([{"params": [Value(1.0)]}, {"params": [Value(2.0)], "lr": 0.1}])
    with pytest.raises(AttributeError, match=r"2 param groups, so opt.lr is ambiguous"):
        _ = opt.lr
    with pytest.raises(AttributeError, match=r"opt.param_groups\[i\]\['betas'\]"):
        opt.betas = (0.8, 0.9)
    assert not hasattr(opt, "lr")


def test_add_param_group_fills_in_the_defaults() -> None:
    a, b = Value(1.0), Value(2.0)
    opt = Adam([a], lr=0.01, betas=(0.8, 0.9))
    opt.add_param_group({"params": b, "lr": 0.1})  # a lone Value, as PyTorch allows
    assert opt.param_groups[1]["params"] == [b]
    assert opt.param_groups[1]["lr"] == 0.1 and opt.param_groups[1]["betas"] == (0.8, 0.9)


P = Value(1.0, label="p")


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ([], ValueError, "empty parameter list"),
        (P, TypeError, "got one Value: pass \\[value\\]"),
        ([{"params": [Value(1.0)]}, {"lr": 0.1}], ValueError, "param group 1 has no 'params'"),
        (
            [{"params": [P]}, {"params": [Value(2.0), P]}],
            ValueError,
            r"parameter 1 of param group 1 \(p\) is already in param group 0",
        ),
        ([{"params": [P, P]}], ValueError, r"param group 0: parameter 1 \(p\) appears more than"),
        ([{"params": {P}}], TypeError, "not a set"),
        ([{"params": [P]}, 5], TypeError, "a param group must be a dict, got int"),
        ([{"params": [P, 2.0]}], TypeError, "got float at index 1"),
        ([{"params": [P]}, {"params": [Value(2.0)], "lr": -1}], ValueError, "param group 1: Inv"),
        ([{"params": [P]}, {"params": [Value(2.0)], "lr": "x"}], TypeError, "param group 1: lea"),
        ([("w", P), Value(2.0)], ValueError, "either every parameter comes with a name"),
        (
            [{"params": [("w", P)]}, {"params": [Value(2.0)]}],
            ValueError,
            "either every param group names its parameters",
        ),
    ],
    ids=[
        "empty", "one value", "no params", "shared", "twice", "set", "not a dict", "not a value",
        "bad lr", "str lr", "names mixed", "groups mixed",
    ],
)  # fmt: skip
def test_bad_param_groups_are_refused_naming_them(params: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        SGD(params, lr=0.1)


def test_a_group_value_made_bad_is_named_at_the_step_and_nothing_moves() -> None:
    x, y = Value(1.0), Value(2.0)
    opt = Adam([{"params": [x]}, {"params": [y]}], lr=0.1)
    run(opt, x, y, 1)
    before, state = (x.data, y.data), opt.state_dict()
    opt.param_groups[1]["betas"] = (0.9, 1.5)
    with pytest.raises(ValueError, match=r"param group 1: Invalid beta parameter at index 1: 1.5"):
        run(opt, x, y, 1)
    del opt.param_groups[1]["betas"]
    with pytest.raises(ValueError, match="param group 1 lacks 'betas'"):
        run(opt, x, y, 1)
    opt.param_groups[1]["betas"] = (0.9, 0.999)
    assert (x.data, y.data) == before and opt.state_dict() == state


@pytest.mark.parametrize(
    ("edit", "error", "message"),
    [
        (
            lambda groups, x, y: groups[1]["params"].append(x),
            ValueError,
            r"param group 1: parameter 1 \(x\) is already in param group 0: .* once",
        ),
        (
            lambda groups, x, y: groups[0]["params"].append(x),
            ValueError,
            r"param group 0: parameter 1 \(x\) is already in it",
        ),
        (
            lambda groups, x, y: groups[0]["params"].append(2.0),
            TypeError,
            "param group 0: parameter 1 is a float, not a Value",
        ),
        (
            lambda groups, x, y: groups[1].pop("params"),
            ValueError,
            "param group 1 has no 'params' list",
        ),
    ],
    ids=["shared", "twice", "float", "no-params"],
)
def test_a_params_list_changed_since_is_checked_at_the_step(
    edit: Any, error: type, message: str
) -> None:
    """add_param_group's rule holds at each step too: param_groups can be edited."""
    x, y = Value(1.0, label="x"), Value(2.0, label="y")
    opt = SGD([{"params": [x]}, {"params": [y]}], lr=0.1, momentum=0.9)
    run(opt, x, y, 1)
    before, state = (x.data, y.data), opt.state_dict()
    edit(opt.param_groups, x, y)
    with pytest.raises(error, match=message):
        run(opt, x, y, 1)
    assert (x.data, y.data) == before and opt.state == {
        p: state["state"][i] for i, p in enumerate((x, y))
    }


def test_named_parameters_keep_their_names() -> None:
    model = nn.Linear(2, 1, seed=0)
    opt = Adam(model.named_parameters(), lr=0.1)
    names = ["weight[0,0]", "weight[0,1]", "bias[0]"]
    assert opt.param_groups[0]["param_names"] == names
    assert opt.params == model.parameters()
    assert opt.state_dict()["param_groups"][0]["param_names"] == names


# -- PyTorch's options -------------------------------------------------------------------


@pytest.mark.parametrize("cls", [SGD, Adagrad, RMSprop, Adam, AdamW])
def test_maximize_climbs_the_objective(cls: type) -> None:
    """Maximizing f takes the steps that minimizing -f takes, exactly."""
    x, y = Value(0.5), Value(0.5)
    up = run(cls([x, y], lr=0.01, weight_decay=0.1, maximize=True), x, y, 20)
    u, v = Value(0.5), Value(0.5)
    down = cls([u, v], lr=0.01, weight_decay=0.1)
    out = []
    for _ in range(20):
        down.zero_grad()
        (-f(u, v)).backward()
        down.step()
        out.append((u.data, v.data))
    assert up == out


@pytest.mark.parametrize("cls", [SGD, Adagrad, Adam, AdamW, RMSprop])
def test_pytorchs_ways_of_computing_are_accepted_and_change_nothing(cls: type) -> None:
    options = {"foreach": True, "differentiable": False}
    if cls is not RMSprop:
        options["fused"] = True
    if cls in (RMSprop, Adam, AdamW):
        options["capturable"] = True
    x, y = Value(0.5), Value(0.5)
    u, v = Value(0.5), Value(0.5)
    assert run(cls([x, y], lr=0.01, **options), x, y, 10) == run(cls([u, v], lr=0.01), u, v, 10)
    with pytest.raises(ValueError, match="differentiable=True is not supported"):
        cls([x], differentiable=True)
    with pytest.raises(TypeError, match="foreach must be True or False, got str"):
        cls([x], foreach="yes")


def test_adam_with_decoupled_weight_decay_is_adamw() -> None:
    x, y = Value(0.5), Value(0.5)
    u, v = Value(0.5), Value(0.5)
    decoupled = Adam([x, y], lr=0.05, weight_decay=0.2, decoupled_weight_decay=True)
    assert run(decoupled, x, y, 20) == run(AdamW([u, v], lr=0.05, weight_decay=0.2), u, v, 20)
    with pytest.raises(ValueError, match="AdamW's weight decay is decoupled"):
        AdamW([{"params": [x], "decoupled_weight_decay": False}])
    adam = Adam([Value(1.0)])
    with pytest.raises(ValueError, match="AdamW's weight decay is decoupled"):
        AdamW([Value(1.0)]).load_state_dict(adam.state_dict())


class Param(Value):
    """A Value that can be frozen: ``requires_grad`` is the optimizers' hook for that."""


@pytest.mark.parametrize("cls", [SGD, Adagrad, RMSprop, Adam, AdamW])
def test_a_frozen_parameter_is_left_alone(cls: type) -> None:
    """A parameter whose requires_grad is False keeps its value and its state, as a PyTorch
    parameter without a gradient does; the others step as they would without it."""
    x, y = Param(0.5), Value(0.5)
    opt = cls([x, y], lr=0.1, momentum=0.9) if cls is SGD else cls([x, y], lr=0.1)
    run(opt, x, y, 3)
    x.requires_grad = False
    frozen, state = x.data, dict(opt.state[x])
    run(opt, x, y, 3)
    assert x.data == frozen and opt.state[x] == state
    x.requires_grad = True
    run(opt, x, y, 1)
    assert x.data != frozen


def test_step_with_a_closure_returns_its_loss() -> None:
    x, y = Value(0.0), Value(0.0)
    opt = SGD([x, y], lr=0.1)

    def closure() -> float:
        opt.zero_grad()
        loss = f(x, y)
        loss.backward()
        return loss.data

    assert opt.step(closure) == 9.5
    assert (x.data, y.data) == (0.6000000000000001, -0.1)  # 0 - 0.1 · (-6)


def test_zero_grad_sets_zero_either_way() -> None:
    x = Value(1.0)
    x.grad = 3.0
    opt = SGD([x])
    opt.zero_grad(set_to_none=False)
    assert x.grad == 0.0
    x.grad = 3.0
    opt.zero_grad()  # PyTorch's default set_to_none=True: here too 0.0, never None
    assert x.grad == 0.0


# -- state dicts -------------------------------------------------------------------------


def test_state_dict_layout_is_pytorchs_and_json_serialisable() -> None:
    a, b, c = Value(1.0), Value(2.0), Value(3.0)
    opt = Adam([{"params": [a, b]}, {"params": [c], "lr": 0.1}], lr=0.01, amsgrad=True)
    for _ in range(2):
        opt.zero_grad()
        (a * b * c).backward()
        opt.step()
    sd = opt.state_dict()
    assert list(sd) == ["state", "param_groups"]
    assert list(sd["state"]) == [0, 1, 2]
    assert list(sd["state"][2]) == ["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"]
    assert sd["state"][2]["step"] == 2 and sd["state"][2]["exp_avg"] == opt.state[c]["exp_avg"]
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert list(sd["param_groups"][1])[-1] == "params"  # last, as in PyTorch
    text = json.dumps(sd, allow_nan=False)  # plain numbers: JSON writes them exactly
    fresh = Adam([{"params": [Value(1.0), Value(2.0)]}, {"params": [Value(3.0)]}])
    fresh.load_state_dict(json.loads(text))  # string keys, lists for tuples
    assert fresh.state_dict() == sd
    sd["state"][0]["exp_avg"] = 99.0  # a copy: the optimizer is not changed through it
    assert opt.state[a]["exp_avg"] != 99.0


def test_a_pytorch_state_dict_with_tensors_and_float_steps_loads() -> None:
    """PyTorch's state holds 0-d tensors (``.tolist()`` gives the number) and float steps."""

    class Tensor0d:
        def __init__(self, value: float) -> None:
            self.value = value

        def tolist(self) -> float:
            return self.value

    opt = Adagrad([Value(1.0)])
    group = {**opt.state_dict()["param_groups"][0], "lr": 0.5}
    opt.load_state_dict(
        {"state": {0: {"step": Tensor0d(4.0), "sum": Tensor0d(2.5)}}, "param_groups": [group]}
    )
    assert opt.state[opt.params[0]] == {"step": 4, "sum": 2.5}
    assert type(opt.state[opt.params[0]]["step"]) is int and opt.lr == 0.5


KINDS: dict[str, Any] = {
    "SGD": lambda params: SGD(params, lr=0.1, momentum=0.9),
    "Adagrad": lambda params: Adagrad(params),
    "RMSprop": lambda params: RMSprop(params, centered=True),
    "Adam": lambda params: Adam(params, amsgrad=True),
}


PAIRS = [(a, b) for a in KINDS for b in KINDS if a != b]


@pytest.mark.parametrize(("source", "target"), PAIRS, ids=[f"{a} into {b}" for a, b in PAIRS])
def test_another_optimizers_state_dict_is_refused_and_nothing_loaded(
    source: str, target: str
) -> None:
    """Each optimizer refuses every other one's state dict (after JSON too), naming itself."""
    x, y = Value(1.0), Value(-2.0)
    theirs = KINDS[source]([Value(1.0), Value(-2.0)])
    ours = KINDS[target]([x, y])
    for opt in (theirs, ours):
        run(opt, *opt.params, 3)
    before = ours.state_dict()
    with pytest.raises(ValueError, match=f"it is not the state dict of {target}; nothing was"):
        ours.load_state_dict(json.loads(json.dumps(theirs.state_dict())))
    assert ours.state_dict() == before


# -- resuming: bit for bit ---------------------------------------------------------------

RESUMABLE = [
    (SGD, {"lr": 0.05}),
    (SGD, {"lr": 0.05, "momentum": 0.9, "dampening": 0.1}),
    (SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    (Adagrad, {"lr": 0.1, "lr_decay": 0.01}),
    (RMSprop, {"lr": 0.01}),
    (RMSprop, {"lr": 0.01, "centered": True, "momentum": 0.5}),
    (Adam, {"lr": 0.02}),
    (Adam, {"lr": 0.02, "amsgrad": True}),
    (AdamW, {"lr": 0.02, "weight_decay": 0.1}),
]
X, Y = nn.data.make_moons(16, noise=0.1, seed=0)


def train(model: nn.Module, opt: Optimizer, steps: int, scheduler: Any = None) -> None:
    for _ in range(steps):
        opt.zero_grad()
        loss = nn.binary_cross_entropy_with_logits(model(X), Y)
        loss.backward()
        opt.step()
        if isinstance(scheduler, ReduceLROnPlateau):
            scheduler.step(loss.data)
        elif scheduler is not None:
            scheduler.step()


SCHEDULERS: dict[str, Any] = {
    "StepLR": lambda opt: StepLR(opt, step_size=15, gamma=0.5),
    "MultiStepLR": lambda opt: MultiStepLR(opt, milestones=[20, 60, 60, 90], gamma=0.7),
    "ExponentialLR": lambda opt: ExponentialLR(opt, gamma=0.98),
    "CosineAnnealingLR": lambda opt: CosineAnnealingLR(opt, T_max=40, eta_min=0.001),
    "LinearLR": lambda opt: LinearLR(opt, start_factor=0.2, total_iters=70),
    "OneCycleLR": lambda opt: OneCycleLR(opt, max_lr=0.05, total_steps=100),
    "ReduceLROnPlateau": lambda opt: ReduceLROnPlateau(opt, patience=2, threshold=0.01),
}


def make_scheduler(kind: str | None, opt: Optimizer) -> Any:
    return SCHEDULERS[kind](opt) if kind else None


@pytest.mark.parametrize(
    ("cls", "hyper", "schedule"),
    [(cls, hyper, None) for cls, hyper in RESUMABLE]
    + [
        (SGD, {"lr": 0.05, "momentum": 0.9}, "OneCycleLR"),
        (Adam, {"lr": 0.02}, "OneCycleLR"),
        (RMSprop, {"lr": 0.01}, "StepLR"),
        (AdamW, {"lr": 0.02}, "ReduceLROnPlateau"),
        (SGD, {"lr": 0.05, "momentum": 0.5}, "MultiStepLR"),
        (Adagrad, {"lr": 0.1}, "ExponentialLR"),
        (Adam, {"lr": 0.02, "amsgrad": True}, "CosineAnnealingLR"),
        (RMSprop, {"lr": 0.01, "centered": True}, "LinearLR"),
    ],
    ids=lambda v: v.__name__ if isinstance(v, type) else str(v),
)
def test_resuming_from_a_json_checkpoint_is_exact(
    cls: type, hyper: dict[str, Any], schedule: str | None, tmp_path: Path
) -> None:
    """50 steps, model and optimizer (and scheduler) saved in a JSON file as the README
    shows, loaded into fresh objects, 50 more steps: bit for bit the parameters (and the
    learning rate) of 100 steps in one go."""
    whole = nn.MLP(2, [4, 1], batchnorm=True, seed=0)
    opt = cls(whole.parameters(), **hyper)
    train(whole, opt, 100, make_scheduler(schedule, opt))

    first = nn.MLP(2, [4, 1], batchnorm=True, seed=0)
    first_opt = cls(first.parameters(), **hyper)
    scheduler = make_scheduler(schedule, first_opt)
    train(first, first_opt, 50, scheduler)
    checkpoint = {"model": first.state_dict(), "optimizer": first_opt.state_dict()}
    if scheduler:
        checkpoint["scheduler"] = scheduler.state_dict()
    path = tmp_path / "run.json"
    with path.open("w", encoding="utf-8") as file:
        json.dump(checkpoint, file, allow_nan=False)

    resumed = nn.MLP(2, [4, 1], batchnorm=True, seed=1)  # other weights: the checkpoint wins
    fresh = cls(resumed.parameters(), lr=0.5)  # another lr: the checkpoint wins
    fresh_scheduler = make_scheduler(schedule, fresh)  # made before loading, as in PyTorch
    with path.open(encoding="utf-8") as file:
        saved = json.load(file)
    resumed.load_state_dict(saved["model"])
    fresh.load_state_dict(saved["optimizer"])
    if fresh_scheduler:
        fresh_scheduler.load_state_dict(saved["scheduler"])
    assert resumed.state_dict() != whole.state_dict()  # 50 steps short of it yet
    train(resumed, fresh, 50, fresh_scheduler)
    assert resumed.state_dict() == whole.state_dict()  # ==: exactly the same floats
    assert fresh.state_dict() == opt.state_dict()
    assert all(math.isfinite(p.data) for p in resumed.parameters())


@pytest.mark.parametrize(("cls", "hyper"), RESUMABLE[1:3] + RESUMABLE[-3:])
def test_resuming_without_the_optimizers_state_is_not_exact(
    cls: type, hyper: dict[str, Any]
) -> None:
    """The check above can fail: reloading the model alone, with a fresh optimizer, loses
    the momentum and running averages, and the run ends elsewhere."""
    whole = nn.MLP(2, [4, 1], batchnorm=True, seed=0)
    train(whole, cls(whole.parameters(), **hyper), 100)
    first = nn.MLP(2, [4, 1], batchnorm=True, seed=0)
    train(first, cls(first.parameters(), **hyper), 50)
    resumed = nn.MLP(2, [4, 1], batchnorm=True, seed=0)
    resumed.load_state_dict(json.loads(json.dumps(first.state_dict())))
    train(resumed, cls(resumed.parameters(), **hyper), 50)
    assert resumed.state_dict() != whole.state_dict()
