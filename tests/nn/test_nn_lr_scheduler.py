"""Learning-rate schedulers: bad input, state dicts, and nn.fit's ``scheduler``.

(Their numbers against PyTorch's are in test_nn_optim_golden.py.)
"""

from __future__ import annotations

import json
import math
from collections import Counter
from typing import Any

import pytest

import nn
from autograd import Value
from nn.optim import SGD, Adagrad, Adam, Optimizer
from nn.optim.lr_scheduler import (
    CosineAnnealingLR,
    ExponentialLR,
    LinearLR,
    LRScheduler,
    MultiStepLR,
    OneCycleLR,
    ReduceLROnPlateau,
    StepLR,
)


def sgd(lr: float = 0.1, groups: int = 1) -> SGD:
    return SGD([{"params": [Value(1.0)]} for _ in range(groups)], lr=lr, momentum=0.9)


BAD: list[tuple[Any, type, str]] = [
    (lambda o: StepLR(object(), 3), ValueError, "needs an nn.optim optimizer .*, got builtins"),
    (lambda o: StepLR({"lr": 0.1}, 3), ValueError, "needs an nn.optim optimizer"),
    (lambda o: StepLR(o, 0), ValueError, "step_size must be an int from 1"),
    (lambda o: StepLR(o, 2.5), ValueError, "step_size must be an int, got float"),
    (lambda o: StepLR(o, 2, gamma=-1.0), ValueError, r"Invalid gamma: -1\.0"),
    (lambda o: StepLR(o, 2, gamma=math.nan), ValueError, "Invalid gamma: nan"),
    (lambda o: StepLR(o, 3, last_epoch=-2), ValueError, "last_epoch must be an int from -1"),
    (lambda o: StepLR(o, 3, last_epoch=1.5), ValueError, "last_epoch must be an int, got float"),
    (lambda o: StepLR(o, 3, last_epoch=True), ValueError, "last_epoch must be an int, got bool"),
    (lambda o: StepLR(o, 3, last_epoch=10**30), ValueError, r"to 2\*\*63 - 1, got 1000"),
    (lambda o: StepLR(o, 3, last_epoch=5), ValueError, "param group 0 has no 'initial_lr'"),
    (lambda o: MultiStepLR(o, [3, -1]), ValueError, "a milestone must be an int from 0"),
    (lambda o: MultiStepLR(o, "ab"), ValueError, "milestones must be a list of epochs"),
    (lambda o: ExponentialLR(o, math.inf), ValueError, "Invalid gamma: inf"),
    (lambda o: CosineAnnealingLR(o, 0), ValueError, "T_max must be an int from 1"),
    (lambda o: CosineAnnealingLR(o, 5, eta_min=-0.1), ValueError, "Invalid eta_min"),
    (lambda o: LinearLR(o, start_factor=0.0), ValueError, "Invalid start_factor: 0.0"),
    (lambda o: LinearLR(o, start_factor=1.5), ValueError, r"start_factor: 1\.5 \(it must be"),
    (lambda o: LinearLR(o, end_factor=2), ValueError, "Invalid end_factor: 2"),
    (lambda o: LinearLR(o, total_iters=-1), ValueError, "total_iters must be an int from 0"),
    (lambda o: OneCycleLR(o, 1.0), ValueError, "needs either total_steps or both"),
    (lambda o: OneCycleLR(o, 1.0, epochs=3), ValueError, "needs either total_steps or both"),
    (lambda o: OneCycleLR(o, 1.0, total_steps=0), ValueError, "total_steps must be an int"),
    (lambda o: OneCycleLR(o, 1.0, 10, pct_start=1.5), ValueError, "Invalid pct_start: 1.5"),
    (lambda o: OneCycleLR(o, 1.0, 10, anneal_strategy="cosine"), ValueError, "'cos' or 'lin"),
    (lambda o: OneCycleLR(o, [1.0, 2.0], 10), ValueError, "expected 1 values for max_lr"),
    (lambda o: OneCycleLR(o, 0.0, 10), ValueError, "Invalid max_lr: 0.0"),
    (lambda o: OneCycleLR(o, 1.0, 10, pct_start=0.1), ValueError, "phase 1 would last no step"),
    (lambda o: OneCycleLR(o, 1.0, 10, last_epoch=10), ValueError, "from -1 to 9, got 10"),
    (lambda o: OneCycleLR(Adagrad([Value(1.0)]), 1.0, 10), ValueError, "Adagrad has neither"),
    (
        lambda o: OneCycleLR(o, 1e308, 10, div_factor=1e-10),
        ValueError,
        "starting lr max_lr / div_factor would be inf",
    ),
    (lambda o: ReduceLROnPlateau(o, factor=1.0), ValueError, r"Invalid factor: 1\.0"),
    (lambda o: ReduceLROnPlateau(o, mode="mean"), ValueError, "mode must be 'min' or 'max'"),
    (lambda o: ReduceLROnPlateau(o, threshold_mode="r"), ValueError, "'rel' or 'abs', got 'r'"),
    (lambda o: ReduceLROnPlateau(o, min_lr=[0.1, 0.2]), ValueError, "expected 1 values for"),
    (lambda o: ReduceLROnPlateau(o, patience=-1), ValueError, "patience must be an int from 0"),
    (lambda o: ReduceLROnPlateau(o, eps=math.nan), ValueError, "Invalid eps: nan"),
]


@pytest.mark.parametrize(("make", "error", "message"), BAD, ids=[m for _, _, m in BAD])
def test_bad_arguments_are_refused_and_the_optimizer_is_untouched(
    make: Any, error: type, message: str
) -> None:
    opt = sgd()
    before = opt.state_dict()
    with pytest.raises(error, match=message):
        make(opt)
    assert opt.state_dict() == before  # no initial_lr, no lr or momentum changed


def test_resuming_with_last_epoch_needs_the_optimizers_state() -> None:
    opt = sgd()
    scheduler = StepLR(opt, step_size=2, gamma=0.5)
    for _ in range(3):
        scheduler.step()
    saved = opt.state_dict()
    fresh = sgd()
    fresh.load_state_dict(saved)  # holds initial_lr
    resumed = StepLR(fresh, step_size=2, gamma=0.5, last_epoch=3)
    assert resumed.last_epoch == 4 and resumed.base_lrs == [0.1]  # PyTorch's count: k + 1
    assert resumed.get_last_lr() == [0.025]  # epoch 4 is a multiple of 2: one more cut


def test_a_step_past_the_cycle_is_refused_and_changes_nothing() -> None:
    opt = sgd()
    scheduler = OneCycleLR(opt, max_lr=1.0, total_steps=5)
    for _ in range(5):  # to last_epoch 5, where PyTorch extrapolates the last phase
        scheduler.step()
    state, group = scheduler.state_dict(), dict(opt.param_groups[0])
    with pytest.raises(ValueError, match="stepped 6 times, but its cycle has total_steps=5"):
        scheduler.step()
    assert scheduler.state_dict() == state and opt.param_groups[0] == group


def test_a_cycle_that_ends_at_its_peak_stops_there() -> None:
    """pct_start=1 warms up for the whole cycle: the step after it would divide by zero in
    PyTorch; here it is a ValueError naming the reason."""
    scheduler = OneCycleLR(sgd(), max_lr=1.0, total_steps=5, pct_start=1.0)
    for _ in range(4):
        scheduler.step()
    assert scheduler.get_last_lr() == [1.0]
    with pytest.raises(ValueError, match="last phase has no steps"):
        scheduler.step()


def test_momentum_cycles_only_on_optimizers_that_have_it() -> None:
    adam = Adam([Value(1.0)], betas=(0.5, 0.99))
    OneCycleLR(adam, max_lr=0.1, total_steps=10)
    assert adam.param_groups[0]["betas"] == (0.95, 0.99)  # beta1 starts at max_momentum
    adagrad = Adagrad([Value(1.0)])
    OneCycleLR(adagrad, max_lr=0.1, total_steps=10, cycle_momentum=False)  # fine
    assert "momentum" not in adagrad.param_groups[0]


def test_a_group_added_after_the_scheduler_is_refused_at_the_step() -> None:
    opt = sgd()
    scheduler = ExponentialLR(opt, gamma=0.5)
    opt.add_param_group({"params": [Value(2.0)]})
    with pytest.raises(ValueError, match="has 2 param groups, but this ExponentialLR was made"):
        scheduler.step()


def test_an_lr_set_by_hand_is_carried_on_from_or_refused() -> None:
    opt = sgd()
    scheduler = ExponentialLR(opt, gamma=0.5)
    opt.param_groups[0]["lr"] = 1.0  # chainable: the schedule continues from here
    scheduler.step()
    assert scheduler.get_last_lr() == [0.5]
    opt.param_groups[0]["lr"] = -1.0
    with pytest.raises(ValueError, match=r"Invalid param group 0's lr: -1\.0"):
        scheduler.step()
    assert scheduler.last_epoch == 1


def test_an_lr_that_would_overflow_is_refused() -> None:
    opt = sgd(lr=1.0)
    scheduler = ExponentialLR(opt, gamma=1e100)
    for _ in range(3):
        scheduler.step()
    with pytest.raises(OverflowError, match="param group 0's lr would be inf; nothing was"):
        scheduler.step()
    assert opt.param_groups[0]["lr"] == 1e300 and scheduler.last_epoch == 3


@pytest.mark.parametrize("kind", ["StepLR", "ReduceLROnPlateau"])
def test_a_step_past_the_largest_epoch_is_refused(kind: str) -> None:
    """It stored last_epoch 2**63, which load_state_dict then refused."""
    scheduler = SCHEDULERS[kind](sgd(groups=2))
    saved = scheduler.state_dict()
    saved["last_epoch"] = 2**63 - 1
    scheduler.load_state_dict(saved)
    with pytest.raises(OverflowError, match=r"at epoch 2\*\*63 - 1, the last one"):
        advance(scheduler, 1)
    assert scheduler.state_dict() == saved


def test_get_last_lr_is_a_copy() -> None:
    scheduler = StepLR(sgd(groups=2), step_size=1)
    scheduler.get_last_lr().append(5.0)
    assert scheduler.get_last_lr() == [0.1, 0.1]


@pytest.mark.parametrize(
    ("metric", "error", "message"),
    [
        (math.nan, ValueError, r"not a finite number \(nan\)"),
        (-math.inf, ValueError, r"not a finite number \(-inf\): did training diverge"),
        (math.inf, ValueError, r"not a finite number \(inf\)"),
        pytest.param(10**400, ValueError, "not a finite number .an int too large", id="huge-int"),
        ("0.5", TypeError, "needs the metric as a number, got str"),
        (True, TypeError, "got bool"),
    ],
)
def test_reduce_lr_on_plateau_refuses_a_metric_it_cannot_compare(
    metric: Any, error: type, message: str
) -> None:
    scheduler = ReduceLROnPlateau(sgd())
    with pytest.raises(error, match=message):
        scheduler.step(metric)
    assert scheduler.last_epoch == 0 and scheduler.num_bad_epochs == 0


@pytest.mark.parametrize("best", [10**400, -math.inf, math.nan, "1.0"], ids=repr)
def test_reduce_lr_on_plateau_refuses_a_saved_best_no_metric_could_give(best: Any) -> None:
    scheduler = ReduceLROnPlateau(sgd())
    scheduler.step(1.0)
    saved = scheduler.state_dict()
    saved["best"] = best
    with pytest.raises(ValueError, match="best must be a finite number"):
        scheduler.load_state_dict(saved)
    assert scheduler.best == 1.0


def test_reduce_lr_on_plateau_takes_a_value_and_cuts_after_patience() -> None:
    opt = sgd(groups=2)
    scheduler = ReduceLROnPlateau(opt, patience=1, factor=0.5, min_lr=[0.0, 0.08], cooldown=1)
    for loss in [1.0, 1.0, 1.0]:
        scheduler.step(Value(loss))
    assert scheduler.get_last_lr() == [0.05, 0.08]  # the second group stops at its min_lr
    assert scheduler.cooldown_counter == 1 and scheduler.best == 1.0


# -- state dicts -------------------------------------------------------------------------

SCHEDULERS = {
    "StepLR": lambda o: StepLR(o, step_size=3, gamma=0.5),
    "MultiStepLR": lambda o: MultiStepLR(o, milestones=[2, 5, 5], gamma=0.5),
    "ExponentialLR": lambda o: ExponentialLR(o, gamma=0.9),
    "CosineAnnealingLR": lambda o: CosineAnnealingLR(o, T_max=4, eta_min=0.01),
    "LinearLR": lambda o: LinearLR(o, start_factor=0.5, total_iters=6),
    "OneCycleLR": lambda o: OneCycleLR(o, max_lr=[0.5, 0.4], total_steps=12, three_phase=True),
    "ReduceLROnPlateau": lambda o: ReduceLROnPlateau(o, patience=1),
}


def advance(scheduler: LRScheduler, steps: int) -> list[list[float]]:
    out = []
    for k in range(steps):
        if isinstance(scheduler, ReduceLROnPlateau):
            scheduler.step(1.0 / (1 + min(k, 2)))
        else:
            scheduler.step()
        out.append(scheduler.get_last_lr())
    return out


@pytest.mark.parametrize("kind", list(SCHEDULERS))
def test_state_dict_through_json_resumes_the_schedule(kind: str) -> None:
    opt = sgd(groups=2)
    scheduler = SCHEDULERS[kind](opt)
    advance(scheduler, 5)
    saved = json.dumps({"optimizer": opt.state_dict(), "scheduler": scheduler.state_dict()})
    rest = advance(scheduler, 6)
    fresh_opt = sgd(groups=2)
    fresh = SCHEDULERS[kind](fresh_opt)  # made before the optimizer's state is loaded
    checkpoint = json.loads(saved)
    fresh_opt.load_state_dict(checkpoint["optimizer"])
    fresh.load_state_dict(checkpoint["scheduler"])
    assert advance(fresh, 6) == rest
    assert fresh.state_dict() == scheduler.state_dict()


def test_state_dict_keys_are_pytorchs() -> None:
    opt = sgd()
    assert StepLR(opt, 3).state_dict() == {
        "step_size": 3,
        "gamma": 0.1,
        "base_lrs": [0.1],
        "last_epoch": 0,
        "_last_lr": [0.1],
    }
    multi = MultiStepLR(sgd(), milestones=[5, 2, 5])
    assert multi.milestones == Counter({5: 2, 2: 1})  # as PyTorch keeps them
    assert multi.state_dict()["milestones"] == [2, 5, 5]  # JSON has no Counter
    plateau = ReduceLROnPlateau(sgd())
    assert plateau.state_dict()["best"] is None and plateau.best == math.inf
    json.dumps(plateau.state_dict(), allow_nan=False)  # no infinity in it


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda sd: sd.update(step_size=3), "has 'step_size', which ExponentialLR does not"),
        (lambda sd: sd.pop("gamma"), "lacks 'gamma'"),
        (lambda sd: sd.update(gamma=-1.0), r"Invalid gamma: -1\.0"),
        (lambda sd: sd.update(last_epoch=-7), "last_epoch must be an int from -1"),
        (lambda sd: sd.update(base_lrs=[0.1, 0.2]), "expected 1 values for base_lrs"),
        (lambda sd: sd.update(_last_lr="x"), "_last_lr must be a list of 1 learning rates"),
    ],
)
def test_load_state_dict_refuses_a_foreign_or_bad_one(edit: Any, message: str) -> None:
    scheduler = ExponentialLR(sgd(), gamma=0.5)
    scheduler.step()
    before = scheduler.state_dict()
    saved = scheduler.state_dict()
    edit(saved)
    with pytest.raises(ValueError, match=message):
        scheduler.load_state_dict(saved)
    assert scheduler.state_dict() == before


def test_pytorchs_private_keys_are_ignored() -> None:
    scheduler = StepLR(sgd(), 3)
    saved = {**scheduler.state_dict(), "_step_count": 1, "_is_initial": False, "verbose": False}
    scheduler.load_state_dict(saved)
    assert "_step_count" not in scheduler.state_dict()


def test_repr_shows_the_settings() -> None:
    assert repr(StepLR(sgd(), 3)) == "StepLR(step_size=3, gamma=0.1, last_epoch=0)"


# -- nn.fit(..., scheduler=) ---------------------------------------------------------------

X, Y = nn.data.make_blobs(24, centers=[[-2, 0], [2, 0]], noise=0.5, seed=0)


def fit(model: nn.Module, opt: Optimizer, **options: Any) -> nn.History:
    return nn.fit(
        model, X, Y, loss=nn.binary_cross_entropy_with_logits, optimizer=opt, progress=False,
        **{"epochs": 6, "batch_size": 8, "seed": 0, **options},
    )  # fmt: skip


def test_fit_steps_the_scheduler_after_every_epoch() -> None:
    model = nn.LogisticRegression(2, seed=0)
    opt = SGD(model.parameters(), lr=0.1)
    scheduler = StepLR(opt, step_size=2, gamma=0.5)
    seen = []
    fit(model, opt, scheduler=scheduler, on_epoch_end=lambda e, h: seen.append(opt.lr))
    assert scheduler.last_epoch == 6
    assert seen == [0.1, 0.05, 0.05, 0.025, 0.025, 0.0125]  # stepped before on_epoch_end


class Recording(ReduceLROnPlateau):
    """ReduceLROnPlateau that remembers the metrics it was given."""

    metrics: list[float]

    def step(self, metrics: float | Value) -> None:
        self.metrics = [*getattr(self, "metrics", []), float(metrics)]  # type: ignore[arg-type]
        super().step(metrics)


def test_fit_gives_reduce_lr_on_plateau_the_validation_loss_or_the_training_loss() -> None:
    model = nn.LogisticRegression(2, seed=0)
    opt = SGD(model.parameters(), lr=0.1)
    with_validation = Recording(opt)
    history = fit(model, opt, scheduler=with_validation, validation_data=(X[:8], Y[:8]))
    assert with_validation.metrics == history.val_loss
    without = Recording(opt)
    history = fit(model, opt, scheduler=without)
    assert without.metrics == history.loss


def test_fit_refuses_a_scheduler_it_cannot_use_before_any_step() -> None:
    model = nn.LogisticRegression(2, seed=0)
    opt = SGD(model.parameters(), lr=0.1)
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"scheduler must be one of nn\.optim\.lr_scheduler's"):
        fit(model, opt, scheduler=lambda: None)
    with pytest.raises(ValueError, match="the scheduler's optimizer is not fit's"):
        fit(model, opt, scheduler=StepLR(SGD([Value(1.0)]), 2))
    with pytest.raises(ValueError, match="has 4 steps left but fit steps it once per epoch, 6"):
        fit(model, opt, scheduler=OneCycleLR(opt, max_lr=0.5, total_steps=4))
    assert model.state_dict() == before


def test_fit_refuses_a_scheduler_made_before_a_group_was_added_before_any_step() -> None:
    """Such a scheduler cannot step: fit used to train a whole epoch before finding out."""
    model = nn.MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    opt = SGD(model[0].parameters(), lr=0.1)
    step_lr, plateau = StepLR(opt, 2), ReduceLROnPlateau(opt, min_lr=[0.0])
    opt.add_param_group({"params": model[2].parameters()})
    with pytest.raises(ValueError, match="2 param groups, but this StepLR was made for 1"):
        fit(model, opt, scheduler=step_lr)
    with pytest.raises(ValueError, match="2 param groups but min_lr lists 1"):
        fit(model, opt, scheduler=plateau)
    assert model.state_dict() == before
    fit(model, opt, scheduler=ReduceLROnPlateau(opt, min_lr=0.01), epochs=1)  # one for all


def test_fit_resumes_exactly_with_a_one_cycle_schedule() -> None:
    """fit 3 epochs, checkpoint everything, fit 3 more in fresh objects: the model of 6 in
    one go (without shuffling, since each fit call shuffles from its own seed)."""
    whole = nn.MLP(2, [4, 1], seed=0)
    opt = SGD(whole.parameters(), lr=0.1, momentum=0.9)
    fit(whole, opt, shuffle=False, scheduler=OneCycleLR(opt, max_lr=0.3, total_steps=6))

    first = nn.MLP(2, [4, 1], seed=0)
    opt = SGD(first.parameters(), lr=0.1, momentum=0.9)
    scheduler = OneCycleLR(opt, max_lr=0.3, total_steps=6)
    fit(first, opt, epochs=3, shuffle=False, scheduler=scheduler)
    saved = json.dumps([first.state_dict(), opt.state_dict(), scheduler.state_dict()])

    second = nn.MLP(2, [4, 1], seed=5)
    opt = SGD(second.parameters(), lr=0.1, momentum=0.9)
    scheduler = OneCycleLR(opt, max_lr=0.3, total_steps=6)
    model_state, optimizer_state, scheduler_state = json.loads(saved)
    second.load_state_dict(model_state)
    opt.load_state_dict(optimizer_state)
    scheduler.load_state_dict(scheduler_state)
    fit(second, opt, epochs=3, shuffle=False, scheduler=scheduler)
    assert second.state_dict() == whole.state_dict()
