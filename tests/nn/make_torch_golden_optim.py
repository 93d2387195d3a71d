"""Write tests/nn/torch_golden_optim.json: PyTorch's numbers for param groups and schedulers.

NOT part of ``make test``: it needs torch, which gradstep never depends on, and only
this script imports it. The JSON it writes is committed, and
tests/nn/test_nn_optim_golden.py compares nn with it: trajectories to 1e-9 relative (as
tests/nn/test_nn_torch_golden.py does), learning rates and momenta to 1e-12 relative.
Regenerate it after changing a case, with torch in a virtual environment outside the
repository's own::

    python3 -m venv /tmp/torchenv
    /tmp/torchenv/bin/pip install torch numpy tqdm
    /tmp/torchenv/bin/python tests/nn/make_torch_golden_optim.py

It lives apart from make_torch_golden.py (the optimizers' plain trajectories, layers,
losses, models) so that each JSON file can be regenerated on its own. Everything runs
in float64, on make_torch_golden.py's problem f(x) = sum_i a_i (x_i - c_i)**2 +
b x_0 x_1, with each coordinate a separate 0-d tensor: PyTorch's per-parameter state
then maps 1:1 to gradstep's per-Value state. The cases:

* ``param_groups``: every optimizer with two param groups of their own
  hyper-parameters, a third group added by ``add_param_group`` after some steps (its
  parameter starts its own step count), and a hyper-parameter changed between steps;
* ``schedulers``: each scheduler's ``get_last_lr()`` (and OneCycleLR's momentum) after
  construction and after every step, on an optimizer with two groups: every phase of
  OneCycleLR with both anneal strategies, ReduceLROnPlateau in modes min and max,
  relative and absolute thresholds, cooldown and min_lr on a fixed list of metrics,
  schedulers resumed with ``last_epoch``, two schedulers chained on one optimizer, and
  PyTorch's own state dict of a scheduler midway, to load and continue;
* ``scheduled_training``: an optimizer and a scheduler together, the parameters after
  every step;
* ``state_dicts``: PyTorch's optimizer ``state_dict()`` after some steps (tensors as
  numbers), and the trajectory after it, to load into nn and continue. Before writing,
  the reverse is checked here: nn's state dict, loaded into PyTorch, continues exactly
  as PyTorch does.
"""

from __future__ import annotations

import json
import math
import random
import sys
from pathlib import Path
from typing import Any

try:
    import torch
except ImportError:  # pytest imports this file to look for doctests: torch is optional
    torch = None

# make_torch_golden puts the repository first on sys.path, so nn is gradstep's own here.
from make_torch_golden import PROBLEM

import nn

# -- optimizers with param groups, schedulers, state dicts: torch_golden_optim.json ------

GROUP_STEPS = 120

GROUP_CASES: list[dict[str, Any]] = [
    {
        "optimizer": "SGD",
        "defaults": {"lr": 0.02, "momentum": 0.9, "nesterov": True},
        "groups": [{"params": [0]}, {"params": [1], "lr": 0.05, "momentum": 0.5}],
        "add_group": {"at": 30, "group": {"params": [2], "lr": 0.01, "weight_decay": 0.1}},
        "changes": [{"at": 60, "group": 1, "key": "lr", "value": 0.005}],
    },
    {
        "optimizer": "SGD",
        "defaults": {"lr": 0.01, "momentum": 0.8, "dampening": 0.2},
        "groups": [{"params": [0, 1]}, {"params": [2], "lr": 0.001, "maximize": True}],
        "changes": [{"at": 50, "group": 0, "key": "momentum", "value": 0.3}],
    },
    {
        "optimizer": "Adagrad",
        "defaults": {"lr": 0.3, "initial_accumulator_value": 0.1},
        "groups": [{"params": [0]}, {"params": [1], "lr": 0.1, "lr_decay": 0.01}],
        "add_group": {"at": 30, "group": {"params": [2], "lr": 0.2, "weight_decay": 0.05}},
        "changes": [{"at": 80, "group": 0, "key": "eps", "value": 1e-3}],
    },
    {
        "optimizer": "RMSprop",
        "defaults": {"lr": 0.01, "centered": True, "momentum": 0.5},
        "groups": [{"params": [0]}, {"params": [1], "alpha": 0.9, "momentum": 0.0}],
        "add_group": {
            "at": 30,
            "group": {"params": [2], "lr": 0.005, "centered": False, "weight_decay": 0.1},
        },
        "changes": [{"at": 70, "group": 0, "key": "lr", "value": 0.002}],
    },
    {
        "optimizer": "Adam",
        "defaults": {"lr": 0.05},
        "groups": [
            {"params": [0]},
            {"params": [1], "lr": 0.02, "betas": [0.8, 0.95], "amsgrad": True},
        ],
        "add_group": {
            "at": 30,
            "group": {
                "params": [2],
                "lr": 0.03,
                "weight_decay": 0.2,
                "decoupled_weight_decay": True,
            },
        },
        "changes": [
            {"at": 60, "group": 0, "key": "lr", "value": 0.01},
            {"at": 90, "group": 1, "key": "betas", "value": [0.85, 0.95]},
        ],
    },
    {
        "optimizer": "AdamW",
        "defaults": {"lr": 0.05, "weight_decay": 0.1},
        "groups": [{"params": [0]}, {"params": [1], "weight_decay": 0.3, "maximize": False}],
        "add_group": {"at": 30, "group": {"params": [2], "lr": 0.01, "amsgrad": True}},
        "changes": [{"at": 70, "group": 1, "key": "weight_decay", "value": 0.0}],
    },
]


def scalars(values: list[float]) -> list[torch.Tensor]:
    """One 0-d tensor per coordinate: PyTorch's per-parameter state then maps to nn's."""
    return [torch.tensor(v, requires_grad=True) for v in values]


def scalar_objective(x: list[torch.Tensor]) -> torch.Tensor:
    """The problem's objective on 0-d tensors (the same function as ``objective``)."""
    a, c = PROBLEM["a"], PROBLEM["c"]
    terms = [ai * (xi - ci) ** 2 for ai, xi, ci in zip(a, x, c, strict=True)]
    return sum(terms[1:], terms[0]) + PROBLEM["b"] * x[0] * x[1]


def torch_kwargs(hyper: dict[str, Any]) -> dict[str, Any]:
    """JSON hyper-parameters as PyTorch takes them (betas a tuple)."""
    return {k: tuple(v) if k == "betas" else v for k, v in hyper.items()}


def torch_groups(groups: list[dict[str, Any]], x: list[torch.Tensor]) -> list[dict[str, Any]]:
    return [
        {
            **torch_kwargs({k: v for k, v in g.items() if k != "params"}),
            "params": [x[i] for i in g["params"]],
        }
        for g in groups
    ]


def make_torch_optimizer(name: str, groups: Any, defaults: dict[str, Any]) -> Any:
    return getattr(torch.optim, name)(groups, foreach=False, **torch_kwargs(defaults))


def descend(opt: Any, x: list[torch.Tensor]) -> float:
    """One step on the problem; every coordinate's gradient is reset, in a group or not."""
    for v in x:
        v.grad = None
    loss = scalar_objective(x)
    loss.backward()
    opt.step()
    return loss.item()


def group_case(case: dict[str, Any]) -> dict[str, Any]:
    x = scalars(PROBLEM["x0"])
    opt = make_torch_optimizer(case["optimizer"], torch_groups(case["groups"], x), case["defaults"])
    trajectory = []
    for step in range(GROUP_STEPS):
        added = case.get("add_group")
        if added and added["at"] == step:
            opt.add_param_group(torch_groups([added["group"]], x)[0])
        for change in case.get("changes", []):
            if change["at"] == step:
                value = change["value"]
                opt.param_groups[change["group"]][change["key"]] = (
                    tuple(value) if change["key"] == "betas" else value
                )
        descend(opt, x)
        trajectory.append([v.item() for v in x])
    return {**case, "steps": GROUP_STEPS, "trajectory": trajectory}


def plateau_metrics(seed: int, n: int, rising: bool = False) -> list[float]:
    """A loss-like sequence: falls, levels off with noise, falls again, levels off
    (an accuracy-like one, rising, with ``rising``)."""
    rng = random.Random(seed)
    out = []
    for t in range(n):
        value = 1.0 / (1.0 + 0.4 * min(t, 12))
        if t > 30:
            value -= 0.3 - 0.3 / (1.0 + 0.5 * (t - 30))
        value += 0.01 * rng.gauss(0.0, 1.0)
        out.append(1.0 - value if rising else value)
    return out


SCHEDULER_OPTIMIZER = ["SGD", {"lr": 0.1, "momentum": 0.9}]
TWO_GROUPS = [{"lr": 0.1}, {"lr": 0.05}]

SCHEDULER_CASES: list[dict[str, Any]] = [
    {"schedulers": [["StepLR", {"step_size": 7, "gamma": 0.5}]], "steps": 40, "state_dict_at": 17},
    {"schedulers": [["StepLR", {"step_size": 1, "gamma": 0.9}]], "steps": 20},
    {
        "schedulers": [["MultiStepLR", {"milestones": [5, 12, 12, 30], "gamma": 0.3}]],
        "steps": 40,
        "state_dict_at": 10,
    },
    {"schedulers": [["MultiStepLR", {"milestones": [3, 0]}]], "steps": 10},
    {"schedulers": [["ExponentialLR", {"gamma": 0.93}]], "steps": 60, "state_dict_at": 20},
    {
        "schedulers": [["CosineAnnealingLR", {"T_max": 10, "eta_min": 0.001}]],
        "steps": 45,
        "state_dict_at": 23,
    },
    {"schedulers": [["CosineAnnealingLR", {"T_max": 1}]], "steps": 6},
    {"schedulers": [["LinearLR", {}]], "steps": 10},
    {
        "schedulers": [["LinearLR", {"start_factor": 1.0, "end_factor": 0.1, "total_iters": 20}]],
        "steps": 30,
        "state_dict_at": 9,
    },
    {"schedulers": [["LinearLR", {"total_iters": 0}]], "steps": 5},
    {
        "schedulers": [["OneCycleLR", {"max_lr": [1.0, 0.5], "total_steps": 50}]],
        "steps": 50,
        "state_dict_at": 21,
    },
    {
        "schedulers": [
            [
                "OneCycleLR",
                {"max_lr": 0.8, "total_steps": 60, "anneal_strategy": "linear", "pct_start": 0.25},
            ]
        ],
        "steps": 60,
    },
    {
        "schedulers": [
            [
                "OneCycleLR",
                {
                    "max_lr": 0.6,
                    "total_steps": 40,
                    "three_phase": True,
                    "div_factor": 10.0,
                    "final_div_factor": 100.0,
                    "base_momentum": [0.8, 0.7],
                    "max_momentum": 0.9,
                },
            ]
        ],
        "steps": 40,
    },
    {
        "schedulers": [
            [
                "OneCycleLR",
                {
                    "max_lr": 0.6,
                    "epochs": 4,
                    "steps_per_epoch": 10,
                    "three_phase": True,
                    "anneal_strategy": "linear",
                },
            ]
        ],
        "steps": 40,
    },
    {
        "optimizer": ["Adam", {"lr": 0.01, "betas": [0.9, 0.99]}],
        "schedulers": [["OneCycleLR", {"max_lr": 0.02, "total_steps": 30, "pct_start": 0.4}]],
        "steps": 30,
    },
    {
        "schedulers": [["OneCycleLR", {"max_lr": 0.3, "total_steps": 20, "cycle_momentum": False}]],
        "steps": 20,
    },
    {
        "schedulers": [["OneCycleLR", {"max_lr": 0.3, "total_steps": 20, "pct_start": 0.02}]],
        "steps": 20,
    },
    {"schedulers": [["ReduceLROnPlateau", {}]], "steps": 60, "metrics": plateau_metrics(0, 60)},
    {
        "schedulers": [
            [
                "ReduceLROnPlateau",
                {
                    "patience": 2,
                    "factor": 0.5,
                    "threshold": 0.05,
                    "cooldown": 3,
                    "min_lr": [0.01, 0.02],
                },
            ]
        ],
        "steps": 60,
        "metrics": plateau_metrics(1, 60),
        "state_dict_at": 25,
    },
    {
        "schedulers": [
            [
                "ReduceLROnPlateau",
                {
                    "mode": "max",
                    "threshold_mode": "abs",
                    "threshold": 0.01,
                    "patience": 1,
                    "factor": 0.3,
                    "min_lr": 0.004,
                    "eps": 1e-3,
                },
            ]
        ],
        "steps": 60,
        "metrics": plateau_metrics(2, 60, rising=True),
    },
    {
        "schedulers": [["ReduceLROnPlateau", {"mode": "max", "cooldown": 2, "patience": 0}]],
        "steps": 40,
        "metrics": plateau_metrics(3, 40, rising=True),
    },
    {
        "schedulers": [
            [
                "ReduceLROnPlateau",
                {"threshold_mode": "abs", "threshold": 0.1, "patience": 3, "eps": 0.02},
            ]
        ],
        "steps": 60,
        "metrics": plateau_metrics(4, 60),
    },
    {
        "schedulers": [
            ["LinearLR", {"start_factor": 0.1, "total_iters": 5}],
            ["ExponentialLR", {"gamma": 0.9}],
        ],
        "steps": 15,
    },
    {
        "schedulers": [["StepLR", {"step_size": 4, "gamma": 0.5}]],
        "steps": 10,
        "resume": {
            "at": 10,
            "scheduler": ["StepLR", {"step_size": 4, "gamma": 0.5, "last_epoch": 10}],
            "steps": 12,
        },
    },
    {
        "schedulers": [["ExponentialLR", {"gamma": 0.8}]],
        "steps": 6,
        "resume": {
            "at": 6,
            "scheduler": ["ExponentialLR", {"gamma": 0.8, "last_epoch": 6}],
            "steps": 6,
        },
    },
    {
        "schedulers": [["CosineAnnealingLR", {"T_max": 12}]],
        "steps": 7,
        "resume": {
            "at": 7,
            "scheduler": ["CosineAnnealingLR", {"T_max": 12, "last_epoch": 7}],
            "steps": 20,
        },
    },
    {
        "schedulers": [["LinearLR", {"start_factor": 0.2, "total_iters": 15}]],
        "steps": 5,
        "resume": {
            "at": 5,
            "scheduler": ["LinearLR", {"start_factor": 0.2, "total_iters": 15, "last_epoch": 5}],
            "steps": 15,
        },
    },
    {
        "schedulers": [["MultiStepLR", {"milestones": [3, 9, 11]}]],
        "steps": 5,
        "resume": {
            "at": 5,
            "scheduler": ["MultiStepLR", {"milestones": [3, 9, 11], "last_epoch": 8}],
            "steps": 6,
        },
    },
    {
        "schedulers": [["OneCycleLR", {"max_lr": 0.5, "total_steps": 30}]],
        "steps": 12,
        "resume": {
            "at": 12,
            "scheduler": ["OneCycleLR", {"max_lr": 0.5, "total_steps": 30, "last_epoch": 12}],
            "steps": 17,
        },
    },
]


def plain_data(value: Any) -> Any:
    """PyTorch's state-dict values as JSON data: tensors as numbers, tuples as lists, a
    Counter as {epoch: count}, an infinity as None."""
    if isinstance(value, torch.Tensor):
        return value.tolist()
    if isinstance(value, dict):  # a Counter too
        return {str(k) if not isinstance(k, str) else k: plain_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_data(v) for v in value]
    if isinstance(value, float) and math.isinf(value):
        return None
    return value


def momenta(opt: Any) -> list[float]:
    return [g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups]


def scheduler_case(case: dict[str, Any]) -> dict[str, Any]:
    name, hyper = case.get("optimizer", SCHEDULER_OPTIMIZER)
    x = scalars([1.0] * len(TWO_GROUPS))
    groups = [{**g, "params": [x[i]]} for i, g in enumerate(TWO_GROUPS)]
    opt = make_torch_optimizer(name, groups, hyper)

    def make(spec: list[Any]) -> Any:
        cls = getattr(torch.optim.lr_scheduler, spec[0])
        return cls(opt, **spec[1])

    schedulers = [make(spec) for spec in case["schedulers"]]
    lrs, moms = [schedulers[-1].get_last_lr()], [momenta(opt)]
    out = dict(case)
    metrics = case.get("metrics")
    for step in range(case["steps"]):
        if step == case.get("state_dict_at"):
            out["scheduler_state_dict"] = plain_data(schedulers[0].state_dict())
            out["optimizer_state_dict"] = plain_data(opt.state_dict())
        opt.step()  # no gradients: nothing moves, but PyTorch sees the usual order
        for scheduler in schedulers:
            if metrics:
                scheduler.step(metrics[step])
            else:
                scheduler.step()
        lrs.append(schedulers[-1].get_last_lr())
        moms.append(momenta(opt))
    resume = case.get("resume")
    if resume:
        resumed = make(resume["scheduler"])
        lrs.append(resumed.get_last_lr())
        moms.append(momenta(opt))
        for _ in range(resume["steps"]):
            opt.step()
            resumed.step()
            lrs.append(resumed.get_last_lr())
            moms.append(momenta(opt))
    out["optimizer"] = [name, hyper]
    out["groups"] = TWO_GROUPS
    out["lrs"] = lrs
    out["momenta"] = moms
    return out


TRAINING_CASES: list[dict[str, Any]] = [
    {
        "optimizer": ["SGD", {"lr": 0.05, "momentum": 0.9}],
        "scheduler": ["OneCycleLR", {"max_lr": 0.1, "total_steps": 100}],
    },
    {
        "optimizer": ["Adam", {"lr": 0.1}],
        "scheduler": ["OneCycleLR", {"max_lr": 0.2, "total_steps": 100, "three_phase": True}],
    },
    {"optimizer": ["Adam", {"lr": 0.1}], "scheduler": ["CosineAnnealingLR", {"T_max": 50}]},
    {
        "optimizer": ["RMSprop", {"lr": 0.01}],
        "scheduler": ["StepLR", {"step_size": 20, "gamma": 0.5}],
    },
    {
        "optimizer": ["AdamW", {"lr": 0.05}],
        "scheduler": ["LinearLR", {"start_factor": 0.2, "total_iters": 10}],
    },
    {"optimizer": ["Adagrad", {"lr": 0.5}], "scheduler": ["ExponentialLR", {"gamma": 0.98}]},
    {
        "optimizer": ["SGD", {"lr": 0.45, "momentum": 0.5}],
        "scheduler": [
            "ReduceLROnPlateau",
            {
                "patience": 2,
                "factor": 0.5,
                "threshold": 0.05,
                "threshold_mode": "abs",
                "cooldown": 2,
            },
        ],
    },
]
TRAINING_STEPS = 100


def training_case(case: dict[str, Any]) -> dict[str, Any]:
    x = scalars(PROBLEM["x0"])
    name, hyper = case["optimizer"]
    opt = make_torch_optimizer(name, x, hyper)
    kind, kwargs = case["scheduler"]
    scheduler = getattr(torch.optim.lr_scheduler, kind)(opt, **kwargs)
    trajectory, lrs = [], []
    for _ in range(TRAINING_STEPS):
        loss = descend(opt, x)
        if kind == "ReduceLROnPlateau":
            scheduler.step(loss)
        else:
            scheduler.step()
        trajectory.append([v.item() for v in x])
        lrs.append(scheduler.get_last_lr()[0])
    return {**case, "steps": TRAINING_STEPS, "trajectory": trajectory, "lrs": lrs}


STATE_DICT_CASES: list[dict[str, Any]] = [
    {"optimizer": "SGD", "defaults": {"lr": 0.02, "momentum": 0.9, "nesterov": True}},
    {"optimizer": "Adagrad", "defaults": {"lr": 0.3, "lr_decay": 0.01}},
    {"optimizer": "RMSprop", "defaults": {"lr": 0.01, "centered": True, "momentum": 0.5}},
    {"optimizer": "Adam", "defaults": {"lr": 0.05}},
    {"optimizer": "Adam", "defaults": {"lr": 0.05, "amsgrad": True, "weight_decay": 0.1}},
    {"optimizer": "AdamW", "defaults": {"lr": 0.05, "weight_decay": 0.2}},
]
STATE_DICT_GROUPS = [{"params": [0]}, {"params": [1, 2], "lr": 0.01}]
STEPS_BEFORE, STEPS_AFTER = 30, 30


def state_dict_case(case: dict[str, Any]) -> dict[str, Any]:
    x = scalars(PROBLEM["x0"])
    opt = make_torch_optimizer(
        case["optimizer"], torch_groups(STATE_DICT_GROUPS, x), case["defaults"]
    )
    for _ in range(STEPS_BEFORE):
        descend(opt, x)
    at = [v.item() for v in x]
    saved = plain_data(opt.state_dict())
    after = []
    for _ in range(STEPS_AFTER):
        descend(opt, x)
        after.append([v.item() for v in x])
    check_nn_state_dict_loads_into_torch(case, after)
    return {
        **case,
        "groups": STATE_DICT_GROUPS,
        "steps_before": STEPS_BEFORE,
        "params_at": at,
        "state_dict": saved,
        "trajectory_after": after,
    }


def check_nn_state_dict_loads_into_torch(case: dict[str, Any], expected: list[list[float]]) -> None:
    """The reverse direction, checked while recording: nn's state dict after the same
    steps, loaded into a fresh PyTorch optimizer, continues as PyTorch's own did."""
    from autograd import Value

    values = [Value(v) for v in PROBLEM["x0"]]
    groups = [
        {
            **{k: tuple(v) if k == "betas" else v for k, v in g.items() if k != "params"},
            "params": [values[i] for i in g["params"]],
        }
        for g in STATE_DICT_GROUPS
    ]
    ours = getattr(nn.optim, case["optimizer"])(groups, **torch_kwargs(case["defaults"]))
    for _ in range(STEPS_BEFORE):
        ours.zero_grad()
        a, c = PROBLEM["a"], PROBLEM["c"]
        terms = [ai * (xi - ci) ** 2 for ai, xi, ci in zip(a, values, c, strict=True)]
        (sum(terms[1:], terms[0]) + PROBLEM["b"] * values[0] * values[1]).backward()
        ours.step()
    x = scalars([v.data for v in values])
    theirs = make_torch_optimizer(
        case["optimizer"], torch_groups(STATE_DICT_GROUPS, x), case["defaults"]
    )
    state = ours.state_dict()
    theirs.load_state_dict(
        {
            "state": {
                i: {k: torch.tensor(float(v)) for k, v in entry.items()}
                for i, entry in state["state"].items()
            },
            "param_groups": state["param_groups"],
        }
    )
    for step in range(STEPS_AFTER):
        descend(theirs, x)
        for got, want in zip((v.item() for v in x), expected[step], strict=True):
            if abs(got - want) > 1e-9 * abs(want):
                sys.exit(f"nn's state dict did not resume in torch: {case} step {step}")


def optim_golden() -> dict[str, Any]:
    return {
        "torch_version": torch.__version__,
        "problem": PROBLEM,
        "param_groups": [group_case(case) for case in GROUP_CASES],
        "schedulers": [scheduler_case(case) for case in SCHEDULER_CASES],
        "scheduled_training": [training_case(case) for case in TRAINING_CASES],
        "state_dicts": [state_dict_case(case) for case in STATE_DICT_CASES],
    }


def main() -> None:
    if torch is None:
        sys.exit("this script needs torch: see its docstring")
    torch.set_default_dtype(torch.float64)
    out = Path(__file__).with_name("torch_golden_optim.json")
    data = optim_golden()
    out.write_text(json.dumps(data, indent=None, separators=(",", ":"), allow_nan=False) + "\n")
    print(f"wrote {out} ({out.stat().st_size:,} bytes) with torch {torch.__version__}")


if __name__ == "__main__":
    main()
