"""Param groups, schedulers and state dicts against PyTorch's own numbers.

The numbers are in tests/nn/torch_golden_optim.json, recorded by make_torch_golden_optim.py
with PyTorch (never imported here). Trajectories are compared to 1e-9 relative (as in
test_nn_torch_golden.py), learning rates and momenta to 1e-12 relative.
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
from nn.optim import lr_scheduler

GOLDEN = json.loads(Path(__file__).with_name("torch_golden_optim.json").read_text())
PROBLEM = GOLDEN["problem"]
TRAJECTORY_REL = 1e-9
LR_REL = 1e-12


def objective(x: list[Value]) -> Value:
    """f(x) = sum_i a_i (x_i - c_i)**2 + b x_0 x_1, the problem the golden file was made on."""
    a, c = PROBLEM["a"], PROBLEM["c"]
    terms = [ai * (xi - ci) ** 2 for ai, xi, ci in zip(a, x, c, strict=True)]
    return autograd.sum(terms) + PROBLEM["b"] * x[0] * x[1]


def descend(opt: nn.optim.Optimizer, x: list[Value]) -> float:
    """One step; every coordinate's gradient is reset, whether in a group yet or not."""
    for v in x:
        v.grad = 0.0
    loss = objective(x)
    loss.backward()
    opt.step()
    return loss.data


def kwargs_of(hyper: dict[str, Any]) -> dict[str, Any]:
    return {k: tuple(v) if k == "betas" else v for k, v in hyper.items()}


def groups_of(groups: list[dict[str, Any]], x: list[Value]) -> list[dict[str, Any]]:
    return [
        {
            **kwargs_of({k: v for k, v in g.items() if k != "params"}),
            "params": [x[i] for i in g["params"]],
        }
        for g in groups
    ]


def group_case_id(case: dict[str, Any]) -> str:
    return f"{case['optimizer']}{case['defaults']}"


@pytest.mark.parametrize("case", GOLDEN["param_groups"], ids=group_case_id)
def test_param_groups_follow_torch(case: dict[str, Any]) -> None:
    """Per-group hyper-parameters, a group added after some steps (its parameter counts its
    own steps: Adam's bias correction starts afresh) and a value changed between steps."""
    x = [Value(v) for v in PROBLEM["x0"]]
    optimizer_class = getattr(nn.optim, case["optimizer"])
    opt = optimizer_class(groups_of(case["groups"], x), **kwargs_of(case["defaults"]))
    trajectory = []
    for step in range(case["steps"]):
        added = case.get("add_group")
        if added and added["at"] == step:
            opt.add_param_group(groups_of([added["group"]], x)[0])
        for change in case.get("changes", []):
            if change["at"] == step:
                opt.param_groups[change["group"]][change["key"]] = change["value"]
        descend(opt, x)
        trajectory.append([v.data for v in x])
    assert_close(trajectory, case["trajectory"], rel=TRAJECTORY_REL, what=group_case_id(case))
    if "add_group" in case:  # the added parameter's own count: fewer steps than the others'
        assert [opt.state[p].get("step") for p in x][2] in (None, case["steps"] - 30)


def scheduler_case_id(case: dict[str, Any]) -> str:
    names = "+".join(f"{name}{kwargs}" for name, kwargs in case["schedulers"])
    return names + (" resumed" if "resume" in case else "")


def make_scheduler(opt: nn.optim.Optimizer, spec: list[Any]) -> Any:
    name, kwargs = spec
    return getattr(lr_scheduler, name)(opt, **kwargs)


def scheduled_optimizer(case: dict[str, Any]) -> nn.optim.Optimizer:
    name, hyper = case["optimizer"]
    groups = [{**g, "params": [Value(1.0)]} for g in case["groups"]]
    optimizer: nn.optim.Optimizer = getattr(nn.optim, name)(groups, **kwargs_of(hyper))
    return optimizer


def momenta(opt: nn.optim.Optimizer) -> list[float]:
    return [g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups]


def step_all(schedulers: list[Any], metric: float | None) -> None:
    for scheduler in schedulers:
        if metric is None:
            scheduler.step()
        else:
            scheduler.step(metric)


@pytest.mark.parametrize("case", GOLDEN["schedulers"], ids=scheduler_case_id)
def test_scheduler_follows_torch(case: dict[str, Any]) -> None:
    opt = scheduled_optimizer(case)
    schedulers = [make_scheduler(opt, spec) for spec in case["schedulers"]]
    lrs, moms = [schedulers[-1].get_last_lr()], [momenta(opt)]
    metrics = case.get("metrics")
    for step in range(case["steps"]):
        step_all(schedulers, metrics[step] if metrics else None)
        lrs.append(schedulers[-1].get_last_lr())
        moms.append(momenta(opt))
        assert [g["lr"] for g in opt.param_groups] == lrs[-1]
    resume = case.get("resume")
    if resume:
        resumed = make_scheduler(opt, resume["scheduler"])
        lrs.append(resumed.get_last_lr())
        moms.append(momenta(opt))
        for _ in range(resume["steps"]):
            resumed.step()
            lrs.append(resumed.get_last_lr())
            moms.append(momenta(opt))
    what = scheduler_case_id(case)
    assert_close(lrs, case["lrs"], rel=LR_REL, what=f"{what}: learning rates")
    assert_close(moms, case["momenta"], rel=LR_REL, what=f"{what}: momenta")
    # The schedule really changes the learning rate: the test would notice one that did not.
    assert len({tuple(row) for row in [[g["lr"] for g in case["groups"]], *lrs]}) > 1


@pytest.mark.parametrize(
    "case", [c for c in GOLDEN["schedulers"] if "scheduler_state_dict" in c], ids=scheduler_case_id
)
def test_torch_scheduler_state_dict_loads_and_continues(case: dict[str, Any]) -> None:
    """PyTorch's own state dicts (optimizer and scheduler, midway) load into fresh nn
    objects made like the first ones, which then continue as PyTorch did: the order is
    PyTorch's, scheduler made before the optimizer's state dict is loaded."""
    at = case["state_dict_at"]
    opt = scheduled_optimizer(case)
    scheduler = make_scheduler(opt, case["schedulers"][0])
    opt.load_state_dict(case["optimizer_state_dict"])
    scheduler.load_state_dict(case["scheduler_state_dict"])
    assert scheduler.get_last_lr() == pytest.approx(case["lrs"][at], rel=LR_REL)
    metrics = case.get("metrics")
    lrs = []
    for step in range(at, case["steps"]):
        step_all([scheduler], metrics[step] if metrics else None)
        lrs.append(scheduler.get_last_lr())
    assert_close(lrs, case["lrs"][at + 1 :], rel=LR_REL, what=scheduler_case_id(case))
    # And nn's own state dict, through JSON, does the same.
    again = scheduled_optimizer(case)
    fresh = make_scheduler(again, case["schedulers"][0])
    again.load_state_dict(json.loads(json.dumps(case["optimizer_state_dict"])))
    fresh.load_state_dict(json.loads(json.dumps(scheduler.state_dict())))
    assert fresh.state_dict() == scheduler.state_dict()


def training_case_id(case: dict[str, Any]) -> str:
    return f"{case['optimizer'][0]}+{case['scheduler'][0]}{case['scheduler'][1]}"


@pytest.mark.parametrize("case", GOLDEN["scheduled_training"], ids=training_case_id)
def test_optimizer_with_scheduler_follows_torch(case: dict[str, Any]) -> None:
    x = [Value(v) for v in PROBLEM["x0"]]
    name, hyper = case["optimizer"]
    opt = getattr(nn.optim, name)(x, **kwargs_of(hyper))
    kind, kwargs = case["scheduler"]
    scheduler = getattr(lr_scheduler, kind)(opt, **kwargs)
    trajectory, lrs = [], []
    for _ in range(case["steps"]):
        loss = descend(opt, x)
        step_all([scheduler], loss if kind == "ReduceLROnPlateau" else None)
        trajectory.append([v.data for v in x])
        lrs.append(scheduler.get_last_lr()[0])
    what = training_case_id(case)
    assert_close(trajectory, case["trajectory"], rel=TRAJECTORY_REL, what=what)
    assert_close(lrs, case["lrs"], rel=LR_REL, what=f"{what}: learning rates")
    assert len(set(lrs)) > 1


def state_dict_case_id(case: dict[str, Any]) -> str:
    return f"{case['optimizer']}{case['defaults']}"


@pytest.mark.parametrize("case", GOLDEN["state_dicts"], ids=state_dict_case_id)
def test_torch_optimizer_state_dict_loads_and_continues(case: dict[str, Any]) -> None:
    """PyTorch's optimizer state dict (over scalar parameters, in the same order) loads
    into nn as it is, and nn then continues PyTorch's trajectory."""
    x = [Value(v) for v in case["params_at"]]
    optimizer_class = getattr(nn.optim, case["optimizer"])
    opt = optimizer_class(groups_of(case["groups"], x), lr=123.0)  # the state dict's lr wins
    opt.load_state_dict(case["state_dict"])
    after = []
    for _ in range(len(case["trajectory_after"])):
        descend(opt, x)
        after.append([v.data for v in x])
    assert_close(after, case["trajectory_after"], rel=TRAJECTORY_REL, what=state_dict_case_id(case))


@pytest.mark.parametrize("case", GOLDEN["state_dicts"], ids=state_dict_case_id)
def test_state_dict_has_torchs_layout(case: dict[str, Any]) -> None:
    """nn's state dict after the same steps has PyTorch's keys, groups and numbers (step an
    int where PyTorch has a float tensor; the reverse load is checked by the generator)."""
    x = [Value(v) for v in PROBLEM["x0"]]
    optimizer_class = getattr(nn.optim, case["optimizer"])
    # foreach=False as when recording (PyTorch's way of computing; a no-op here).
    opt = optimizer_class(
        groups_of(case["groups"], x), foreach=False, **kwargs_of(case["defaults"])
    )
    for _ in range(case["steps_before"]):
        descend(opt, x)
    ours = json.loads(json.dumps(opt.state_dict()))
    theirs = case["state_dict"]
    assert ours["param_groups"] == theirs["param_groups"]
    assert list(ours["state"]) == list(theirs["state"])
    for index, entry in theirs["state"].items():
        assert list(ours["state"][index]) == list(entry), f"state {index}: the same keys in order"
        for key, value in entry.items():
            assert_close(
                ours["state"][index][key], value, rel=TRAJECTORY_REL, what=f"{index} {key}"
            )
        if "step" in entry:
            assert ours["state"][index]["step"] == entry["step"] == case["steps_before"]
