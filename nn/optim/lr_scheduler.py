"""Learning-rate schedulers: each changes its optimizer's ``lr`` as training goes.

The names, formulas and step semantics are ``torch.optim.lr_scheduler``'s, and so is
the usage: make the scheduler after the optimizer, and call its :meth:`~LRScheduler.step`
after the optimizer's, once per epoch (:class:`OneCycleLR`: once per batch)::

    opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    scheduler = StepLR(opt, step_size=30, gamma=0.1)
    for epoch in range(100):
        ...                   # one epoch of opt.zero_grad(), backward(), opt.step()
        scheduler.step()      # the lr for the next epoch

(or pass ``scheduler=`` to :func:`nn.fit`, which steps it after every epoch).

How a scheduler counts, as in PyTorch:

* Making it is its step 0: ``last_epoch`` goes from -1 to 0, every param group gets
  ``"initial_lr"`` (its lr at that moment, the schedule's base) and the lr of epoch 0
  (the same lr, except for :class:`LinearLR` and :class:`OneCycleLR`).
* Each :meth:`~LRScheduler.step` adds 1 to ``last_epoch`` and sets every group's lr for
  that epoch; :meth:`~LRScheduler.get_last_lr` lists them.
* :class:`StepLR`, :class:`MultiStepLR`, :class:`ExponentialLR`,
  :class:`CosineAnnealingLR` and :class:`LinearLR` are *chainable*: each step computes
  the new lr from the group's current one (StepLR multiplies it by gamma at every
  step_size-th epoch), so two schedulers on one optimizer combine their effects, and an
  lr you set by hand is carried on from. :class:`OneCycleLR` computes the lr from the
  step number alone. :class:`ReduceLROnPlateau` watches a metric instead.
* To resume, load the scheduler's :meth:`~LRScheduler.state_dict` into a new one made
  like the first (after loading the optimizer's). ``last_epoch=k`` in a constructor is
  PyTorch's older way: the groups must then already hold ``"initial_lr"`` (from the
  optimizer's state dict), and the constructor's own step takes the schedule to k + 1.

A scheduler's state dict holds its settings, ``base_lrs``, ``last_epoch`` and
``_last_lr`` under PyTorch's names, as plain JSON-serialisable numbers and lists
(PyTorch's private flags, such as ``_step_count``, are not kept, and are ignored when a
PyTorch scheduler's state dict is loaded).
"""

from __future__ import annotations

import math
import numbers
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar

from autograd import Value
from nn.optim.optimizer import (
    MAX_STEP,
    Optimizer,
    check_flag,
    check_non_negative,
    check_positive,
)

__all__ = [
    "CosineAnnealingLR",
    "ExponentialLR",
    "LRScheduler",
    "LinearLR",
    "MultiStepLR",
    "OneCycleLR",
    "ReduceLROnPlateau",
    "StepLR",
]

_PYTORCH_PRIVATE = frozenset(
    {"_step_count", "_is_initial", "_get_lr_called_within_step", "verbose"}
)
"""Keys of PyTorch's scheduler state dicts that gradstep has no use for."""


def _check_int(name: str, value: object, minimum: int, maximum: int = MAX_STEP) -> int:
    """``value`` as an int from ``minimum`` to ``maximum``, else ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an int, got {type(value).__name__}: {value!r:.60}")
    if not minimum <= int(value) <= maximum:
        shown = value if int(value).bit_length() < 200 else "a far larger number"
        top = "2**63 - 1" if maximum == MAX_STEP else str(maximum)
        raise ValueError(f"{name} must be an int from {minimum} to {top}, got {shown}")
    return int(value)


def _finite(x: numbers.Real) -> bool:
    """Whether a real number is a finite float (an int beyond the float range is not)."""
    try:
        return math.isfinite(x)
    except OverflowError:
        return False


def _check_last_epoch(value: object, maximum: int = MAX_STEP) -> int:
    """``last_epoch``: -1 for a new schedule, else the index of the last epoch done."""
    return _check_int("last_epoch", value, -1, maximum)


def _check_optimizer(optimizer: object, kind: str) -> Optimizer:
    """``optimizer`` if it is one of nn.optim's, else ValueError saying what is needed."""
    if not isinstance(optimizer, Optimizer):
        raise ValueError(
            f"{kind} needs an nn.optim optimizer (SGD, Adam...), whose param_groups it "
            f"changes, got {type(optimizer).__module__}.{type(optimizer).__name__}"
        )
    return optimizer


def _per_group(name: str, value: object, groups: int, check: Any) -> list[float]:
    """One value per param group: a list of ``groups`` values, or one for all of them."""
    if isinstance(value, (list, tuple)):
        if len(value) != groups:
            raise ValueError(
                f"expected {groups} values for {name} (one per param group), got {len(value)}"
            )
        return [check(f"{name}[{i}]", v) for i, v in enumerate(value)]
    return [check(name, value)] * groups


def _lr_list(name: str, value: object, groups: int) -> list[float]:
    """A saved list of learning rates, one per param group, checked."""
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"{name} must be a list of {groups} learning rates, got {value!r:.60}")
    return _per_group(name, value, groups, check_non_negative)


class LRScheduler:
    """Base class of the schedulers that set the lr from the epoch count.

    Args:
        optimizer: the nn.optim optimizer whose param groups' ``"lr"`` it sets.
        last_epoch: -1 to start the schedule (the default); k >= 0 to resume one
            whose epochs 0 to k are done (see the module docstring).

    Attributes:
        optimizer: that optimizer.
        base_lrs: each group's ``"initial_lr"``, the lr the schedule starts from.
        last_epoch: the epoch whose lr is set now (0 once made, 1 after a step...).

    Subclasses compute a step's values in :meth:`_updates`, list the attributes
    their state dict saves in ``saved`` and check them in :meth:`_check_settings`.

    Raises:
        ValueError: if ``optimizer`` is not an nn.optim optimizer, ``last_epoch`` is not
            an int from -1 to 2**63 - 1, or a group lacks ``"initial_lr"`` when resuming.
    """

    saved: ClassVar[tuple[str, ...]] = ()
    base_keys: ClassVar[tuple[str, ...]] = ("base_lrs", "last_epoch", "_last_lr")

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        kind = type(self).__name__
        self.optimizer = _check_optimizer(optimizer, kind)
        last_epoch = _check_last_epoch(last_epoch, self._last_epoch_limit())
        groups = optimizer.param_groups
        lrs = self._current_lrs()
        if last_epoch == -1:
            for group, lr in zip(groups, lrs, strict=True):
                group.setdefault("initial_lr", lr)
        else:
            for i, group in enumerate(groups):
                if "initial_lr" not in group:
                    raise ValueError(
                        f"{kind}(last_epoch={last_epoch}) resumes a schedule, but param group "
                        f"{i} has no 'initial_lr': load the optimizer's state dict first (or "
                        "leave last_epoch at -1 to start a new schedule)"
                    )
        self.base_lrs = [
            check_non_negative(f"param group {i}'s initial_lr", g["initial_lr"])
            for i, g in enumerate(groups)
        ]
        self.last_epoch = last_epoch
        self._last_lr = lrs
        self._step(initial=True)

    def _last_epoch_limit(self) -> int:
        """The largest ``last_epoch`` a constructor takes."""
        return MAX_STEP

    def get_last_lr(self) -> list[float]:
        """The lr of every param group, as this scheduler last set it (a new list)."""
        return list(self._last_lr)

    def step(self) -> None:
        """Go to the next epoch: add 1 to ``last_epoch`` and set every group's lr for it.

        Call it after the optimizer's ``step()`` (PyTorch's order since version 1.1).

        Raises:
            ValueError: if a group's lr is not a finite number >= 0 (set by hand since),
                the optimizer has gained or lost param groups, or the schedule is over
                (OneCycleLR); nothing is changed.
            OverflowError: if an lr would become infinite, or ``last_epoch`` pass
                2**63 - 1; nothing is changed.
        """
        self._step(initial=False)

    def check_groups(self) -> None:
        """Raise if the optimizer's param groups are no longer the ones this was made for.

        :meth:`step` checks this; :func:`nn.fit` asks before training, so that a
        scheduler it could not step is refused before the model changes.

        Raises:
            ValueError: if the optimizer has gained or lost param groups since.
        """
        if len(self.optimizer.param_groups) != len(self.base_lrs):
            raise ValueError(
                f"the optimizer has {len(self.optimizer.param_groups)} param groups, but this "
                f"{type(self).__name__} was made for {len(self.base_lrs)}: make the scheduler "
                "after adding every group"
            )

    def _step(self, initial: bool) -> None:
        epoch = _next_epoch(self)
        self.check_groups()
        kind = type(self).__name__
        updates = self._updates(epoch, initial)
        for i, update in enumerate(updates):
            if not math.isfinite(update["lr"]):
                raise OverflowError(
                    f"{kind} step to epoch {epoch}: param group {i}'s lr would be "
                    f"{update['lr']}; nothing was changed"
                )
        self.last_epoch = epoch
        for group, update in zip(self.optimizer.param_groups, updates, strict=True):
            group.update(update)
        self._last_lr = [update["lr"] for update in updates]

    def _current_lrs(self) -> list[float]:
        """Every group's lr, checked: the chainable schedules compute from them."""
        return [
            check_non_negative(f"param group {i}'s lr", group["lr"])
            for i, group in enumerate(self.optimizer.param_groups)
        ]

    def _updates(self, epoch: int, initial: bool) -> list[dict[str, Any]]:
        """What to set in each param group at ``epoch`` (at least ``"lr"``), unchanged.

        ``initial`` is True for the constructor's step.
        """
        raise NotImplementedError(f"{type(self).__name__} does not define _updates()")

    def _check_settings(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The settings in ``values`` (the names in ``saved``), checked and normalised."""
        return {}

    def _apply(self, settings: Mapping[str, Any]) -> None:
        for name, value in settings.items():
            setattr(self, name, value)

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's settings and position, as plain JSON-serialisable data.

        The keys are PyTorch's: the settings (``step_size``, ``gamma``...),
        ``base_lrs``, ``last_epoch`` and ``_last_lr`` (see each class for its own).
        """
        out = {name: _plain(getattr(self, name)) for name in (*self.saved, *self.base_keys)}
        return out

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore the settings and position saved by :meth:`state_dict`.

        Make the scheduler as the saved one was made, load the optimizer's state dict,
        then this. A PyTorch scheduler's state dict of the same class loads too (its
        private keys are ignored).

        Raises:
            ValueError: if it lacks a key, has one this scheduler does not know (another
                scheduler's), or holds a bad value (named); nothing is loaded then.
        """
        kind = type(self).__name__
        if not isinstance(state_dict, Mapping):
            raise ValueError(f"the state dict of {kind} is a dict, got {type(state_dict).__name__}")
        known = {*self.saved, *self.base_keys}
        unknown = [k for k in state_dict if k not in known and k not in _PYTORCH_PRIVATE]
        if unknown:
            raise ValueError(
                f"this state dict has {', '.join(map(repr, unknown))}, which {kind} does not "
                "keep: is it another scheduler's?"
            )
        missing = [k for k in (*self.saved, *self.base_keys) if k not in state_dict]
        if missing:
            raise ValueError(f"this {kind} state dict lacks {', '.join(map(repr, missing))}")
        settings = self._check_settings({k: state_dict[k] for k in self.saved})
        groups = len(self.optimizer.param_groups)
        position: dict[str, Any] = {
            "last_epoch": _check_last_epoch(state_dict["last_epoch"]),
            "_last_lr": _lr_list("_last_lr", state_dict["_last_lr"], groups),
        }
        if "base_lrs" in self.base_keys:
            position["base_lrs"] = _lr_list("base_lrs", state_dict["base_lrs"], groups)
        self._apply(settings)
        self._apply(position)

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={_plain(getattr(self, k))!r}" for k in self.saved)
        return f"{type(self).__name__}({settings}, last_epoch={self.last_epoch})"


def _next_epoch(scheduler: LRScheduler) -> int:
    """``last_epoch + 1``, or OverflowError past 2**63 - 1 (which load_state_dict refuses)."""
    if scheduler.last_epoch >= MAX_STEP:
        raise OverflowError(
            f"{type(scheduler).__name__} is at epoch 2**63 - 1, the last one a state dict "
            "holds: it cannot step again; nothing was changed"
        )
    return scheduler.last_epoch + 1


def _plain(value: object) -> object:
    """A setting as plain data: a Counter of milestones as the sorted list it counts."""
    if isinstance(value, Counter):
        return sorted(value.elements())
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


class StepLR(LRScheduler):
    """Multiply the lr by ``gamma`` every ``step_size`` epochs: PyTorch's ``StepLR``.

    In closed form, from each group's base lr η₀ (its ``initial_lr``)::

        η_t = η₀ · γ^⌊t / step_size⌋

    computed as PyTorch does, chainably: at each epoch t > 0 that is a multiple of
    step_size, the group's current lr is multiplied by γ.

    Args:
        optimizer: the optimizer.
        step_size: the period, in epochs (an int >= 1).
        gamma: the factor (a finite number >= 0).
        last_epoch: see :class:`LRScheduler`.

    Example:
        >>> from autograd import Value
        >>> from nn.optim import SGD
        >>> from nn.optim.lr_scheduler import StepLR
        >>> opt = SGD([Value(1.0)], lr=1.0)
        >>> scheduler = StepLR(opt, step_size=2, gamma=0.5)
        >>> lrs = []
        >>> for epoch in range(6):
        ...     lrs.append(scheduler.get_last_lr()[0])
        ...     scheduler.step()
        >>> lrs
        [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    """

    saved = ("step_size", "gamma")
    step_size: int
    gamma: float

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        self._apply(self._check_settings({"step_size": step_size, "gamma": gamma}))
        super().__init__(optimizer, last_epoch)

    def _check_settings(self, values: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "step_size": _check_int("step_size", values["step_size"], 1),
            "gamma": check_non_negative("gamma", values["gamma"]),
        }

    def _updates(self, epoch: int, initial: bool) -> list[dict[str, Any]]:
        lrs = self._current_lrs()
        if epoch == 0 or epoch % self.step_size != 0:
            return [{"lr": lr} for lr in lrs]
        return [{"lr": lr * self.gamma} for lr in lrs]


class MultiStepLR(LRScheduler):
    """Multiply the lr by ``gamma`` at each milestone epoch: PyTorch's ``MultiStepLR``.

    In closed form, with η₀ each group's base lr::

        η_t = η₀ · γ^(number of milestones ≤ t)

    computed chainably: at an epoch listed n times in ``milestones``, the current lr
    is multiplied by γⁿ.

    Args:
        optimizer: the optimizer.
        milestones: epochs (ints >= 0), in any order; one listed twice counts twice.
        gamma: the factor (a finite number >= 0).
        last_epoch: see :class:`LRScheduler`.

    Attributes:
        milestones: a ``Counter`` of the epochs, as in PyTorch (the state dict holds the
            sorted list, repeats included, and takes either).

    Example:
        >>> from autograd import Value
        >>> from nn.optim import SGD
        >>> from nn.optim.lr_scheduler import MultiStepLR
        >>> opt = SGD([Value(1.0)], lr=1.0)
        >>> scheduler = MultiStepLR(opt, milestones=[1, 3], gamma=0.1)
        >>> for epoch in range(4):
        ...     scheduler.step()
        >>> scheduler.get_last_lr()
        [0.010000000000000002]
    """

    saved = ("milestones", "gamma")
    milestones: Counter[int]
    gamma: float

    def __init__(
        self,
        optimizer: Optimizer,
        milestones: Iterable[int],
        gamma: float = 0.1,
        last_epoch: int = -1,
    ) -> None:
        self._apply(self._check_settings({"milestones": milestones, "gamma": gamma}))
        super().__init__(optimizer, last_epoch)

    def _check_settings(self, values: Mapping[str, Any]) -> dict[str, Any]:
        raw = values["milestones"]
        if isinstance(raw, Mapping):  # a Counter, or its JSON form {"30": 1}
            pairs = [
                (_milestone(k), _check_int("a milestone's count", n, 0)) for k, n in raw.items()
            ]
            milestones = Counter({epoch: n for epoch, n in pairs if n})
        elif isinstance(raw, (str, bytes)) or not isinstance(raw, Iterable):
            raise ValueError(f"milestones must be a list of epochs, got {raw!r:.60}")
        else:
            milestones = Counter(_milestone(m) for m in raw)
        return {"milestones": milestones, "gamma": check_non_negative("gamma", values["gamma"])}

    def _updates(self, epoch: int, initial: bool) -> list[dict[str, Any]]:
        lrs = self._current_lrs()
        if epoch not in self.milestones:
            return [{"lr": lr} for lr in lrs]
        return [{"lr": lr * self.gamma ** self.milestones[epoch]} for lr in lrs]


def _milestone(value: object) -> int:
    """A milestone epoch: an int >= 0 (or its digits, a JSON object's key)."""
    if isinstance(value, str) and value.isdecimal():
        value = int(value)
    return _check_int("a milestone", value, 0)


class ExponentialLR(LRScheduler):
    """Multiply the lr by ``gamma`` at every epoch: PyTorch's ``ExponentialLR``.

    ::

        η_t = η₀ · γ^t        (computed as η_t = γ · η_(t−1))

    Args:
        optimizer: the optimizer.
        gamma: the factor (a finite number >= 0).
        last_epoch: see :class:`LRScheduler`.

    Example:
        >>> from autograd import Value
        >>> from nn.optim import SGD
        >>> from nn.optim.lr_scheduler import ExponentialLR
        >>> opt = SGD([Value(1.0)], lr=1.0)
        >>> scheduler = ExponentialLR(opt, gamma=0.5)
        >>> scheduler.step(); scheduler.step()
        >>> opt.param_groups[0]["lr"]
        0.25
    """

    saved = ("gamma",)
    gamma: float

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self._apply(self._check_settings({"gamma": gamma}))
        super().__init__(optimizer, last_epoch)

    def _check_settings(self, values: Mapping[str, Any]) -> dict[str, Any]:
        return {"gamma": check_non_negative("gamma", values["gamma"])}

    def _updates(self, epoch: int, initial: bool) -> list[dict[str, Any]]:
        lrs = self._current_lrs()
        if initial:  # epoch 0, or resuming (last_epoch given): the lr stays as it is
            return [{"lr": lr} for lr in lrs]
        return [{"lr": lr * self.gamma} for lr in lrs]


class CosineAnnealingLR(LRScheduler):
    """Anneal the lr along a half cosine, from its base to ``eta_min`` in ``T_max`` epochs.

    PyTorch's ``CosineAnnealingLR``. The schedule it approximates (SGDR without restarts,
    with η₀ the base lr)::

        η_t = η_min + (η₀ − η_min) (1 + cos(π t / T_max)) / 2

    It is computed chainably, as PyTorch does, from the current lr::

        η_t = η_min + (η_(t−1) − η_min) (1 + cos(π t / T_max)) / (1 + cos(π (t − 1) / T_max))

    except where the denominator is 0 (t − 1 = T_max, 3 T_max...), where
    η_t = η_(t−1) + (η₀ − η_min)(1 − cos(π / T_max)) / 2. Past T_max the lr climbs back
    (the cosine goes on), as in PyTorch.

    Args:
        optimizer: the optimizer.
        T_max: the half period, in epochs (an int >= 1).
        eta_min: the lowest lr (a finite number >= 0).
        last_epoch: see :class:`LRScheduler`.

    Example:
        >>> from autograd import Value
        >>> from nn.optim import SGD
        >>> from nn.optim.lr_scheduler import CosineAnnealingLR
        >>> opt = SGD([Value(1.0)], lr=1.0)
        >>> scheduler = CosineAnnealingLR(opt, T_max=4)
        >>> lrs = []
        >>> for epoch in range(5):
        ...     scheduler.step()
        ...     lrs.append(round(scheduler.get_last_lr()[0], 6))
        >>> lrs
        [0.853553, 0.5, 0.146447, 0.0, 0.146447]
    """

    saved = ("T_max", "eta_min")
    T_max: int
    eta_min: float

    def __init__(
        self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        self._apply(self._check_settings({"T_max": T_max, "eta_min": eta_min}))
        super().__init__(optimizer, last_epoch)

    def _check_settings(self, values: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "T_max": _check_int("T_max", values["T_max"], 1),
            "eta_min": check_non_negative("eta_min", values["eta_min"]),
        }

    def _updates(self, epoch: int, initial: bool) -> list[dict[str, Any]]:
        lrs = self._current_lrs()
        t_max, eta_min = self.T_max, self.eta_min
        if initial:
            return [{"lr": lr} for lr in lrs]
        if (epoch - 1 - t_max) % (2 * t_max) == 0:
            # The previous epoch sat at the bottom of the cosine: 1 + cos(...) = 0 there.
            rise = (1 - math.cos(math.pi / t_max)) / 2
            return [
                {"lr": lr + (base - eta_min) * rise}
                for lr, base in zip(lrs, self.base_lrs, strict=True)
            ]
        ratio = (1 + math.cos(math.pi * epoch / t_max)) / (
            1 + math.cos(math.pi * (epoch - 1) / t_max)
        )
        return [{"lr": ratio * (lr - eta_min) + eta_min} for lr in lrs]


class LinearLR(LRScheduler):
    """Scale the lr by a factor going linearly from ``start_factor`` to ``end_factor``.

    PyTorch's ``LinearLR``, a warm-up (or cool-down) over ``total_iters`` epochs; with
    η₀ the base lr, s = start_factor, e = end_factor and n = total_iters::

        η_t = η₀ (s + (e − s) min(t, n) / n)

    computed as PyTorch does: η₀ s at epoch 0, then at each epoch 1 ≤ t ≤ n the current
    lr is multiplied by 1 + (e − s) / (n s + (t − 1)(e − s)); after n it stays.

    Args:
        optimizer: the optimizer.
        start_factor: s, in (0, 1].
        end_factor: e, in [0, 1].
        total_iters: n, the epochs the change takes (an int >= 0).
        last_epoch: see :class:`LRScheduler`.

    Example:
        >>> from autograd import Value
        >>> from nn.optim import SGD
        >>> from nn.optim.lr_scheduler import LinearLR
        >>> opt = SGD([Value(1.0)], lr=1.0)
        >>> scheduler = LinearLR(opt, start_factor=0.25, total_iters=3)
        >>> lrs = [scheduler.get_last_lr()[0]]
        >>> for epoch in range(4):
        ...     scheduler.step()
        ...     lrs.append(scheduler.get_last_lr()[0])
        >>> lrs
        [0.25, 0.5, 0.75, 1.0, 1.0]
    """

    saved = ("start_factor", "end_factor", "total_iters")
    start_factor: float
    end_factor: float
    total_iters: int

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        settings = {"start_factor": start_factor, "end_factor": end_factor}
        self._apply(self._check_settings({**settings, "total_iters": total_iters}))
        super().__init__(optimizer, last_epoch)

    def _check_settings(self, values: Mapping[str, Any]) -> dict[str, Any]:
        start = check_positive("start_factor", values["start_factor"])
        if start > 1.0:
            raise ValueError(
                f"Invalid start_factor: {values['start_factor']!r} (it must be in (0, 1])"
            )
        end = check_non_negative("end_factor", values["end_factor"])
        if end > 1.0:
            raise ValueError(f"Invalid end_factor: {values['end_factor']!r} (it must be in [0, 1])")
        total = _check_int("total_iters", values["total_iters"], 0)
        return {"start_factor": start, "end_factor": end, "total_iters": total}

    def _updates(self, epoch: int, initial: bool) -> list[dict[str, Any]]:
        lrs = self._current_lrs()
        start, end, total = self.start_factor, self.end_factor, self.total_iters
        if epoch == 0:
            return [{"lr": lr * start} for lr in lrs]
        if initial or epoch > total:
            return [{"lr": lr} for lr in lrs]
        # The ratio of this epoch's factor to the previous one's.
        ratio = 1.0 + (end - start) / (total * start + (epoch - 1) * (end - start))
        return [{"lr": lr * ratio} for lr in lrs]


class OneCycleLR(LRScheduler):
    """The 1cycle policy: warm the lr up to ``max_lr``, then anneal it far below its start.

    PyTorch's ``OneCycleLR`` (Smith & Topin, "Super-Convergence", 2017), stepped once
    per *batch*, ``total_steps`` times in all. Each group's lr goes through phases::

        two phases (default):   initial_lr → max_lr         over pct_start · total_steps
                                max_lr     → min_lr         over the rest
        three_phase=True:       initial_lr → max_lr → initial_lr (symmetric), → min_lr

    with initial_lr = max_lr / div_factor and min_lr = initial_lr / final_div_factor.
    Phase k ends at step e_k (e_1 = pct_start · total_steps − 1, the last one at
    total_steps − 1); within a phase from step e_(k−1) (0 for the first) the lr goes
    from a to b as, with p = (t − e_(k−1)) / (e_k − e_(k−1))::

        cos:     b + (a − b)(1 + cos(π p)) / 2
        linear:  a + (b − a) p

    With ``cycle_momentum`` the momentum (SGD, RMSprop's ``momentum``; Adam's β1)
    cycles the other way, between max_momentum and base_momentum. It is not chainable:
    the lr follows from the step number alone. Each group keeps ``initial_lr``,
    ``max_lr``, ``min_lr`` (and ``max_momentum``, ``base_momentum``) as keys, as in
    PyTorch, so the optimizer's state dict carries them.

    Args:
        optimizer: the optimizer.
        max_lr: the peak lr, one for all groups or a list with one per group.
        total_steps: the number of steps in the cycle; or give ``epochs`` and
            ``steps_per_epoch`` (total_steps = their product).
        pct_start: the fraction of the cycle spent warming up, in [0, 1].
        anneal_strategy: ``"cos"`` or ``"linear"``.
        cycle_momentum: cycle the momentum too (the optimizer must have ``momentum`` or
            ``betas``).
        base_momentum, max_momentum: the momentum at the peak lr and at the ends.
        div_factor: initial_lr = max_lr / div_factor.
        final_div_factor: min_lr = initial_lr / final_div_factor.
        three_phase: use the symmetric three-phase form of the paper.
        last_epoch: the index of the last *step* done (see :class:`LRScheduler`); at
            most total_steps − 1.

    Raises:
        ValueError: for bad arguments (named), for ``cycle_momentum`` with an optimizer
            that has no momentum (Adagrad), for a phase of zero steps (where PyTorch
            divides by zero), and at a step past total_steps.

    Example:
        >>> from autograd import Value
        >>> from nn.optim import SGD
        >>> from nn.optim.lr_scheduler import OneCycleLR
        >>> opt = SGD([Value(1.0)], lr=0.1, momentum=0.9)
        >>> scheduler = OneCycleLR(opt, max_lr=1.0, total_steps=10, anneal_strategy="linear")
        >>> lrs = [scheduler.get_last_lr()[0]]
        >>> for step in range(9):
        ...     scheduler.step()
        ...     lrs.append(scheduler.get_last_lr()[0])
        >>> [round(lr, 4) for lr in lrs]
        [0.04, 0.52, 1.0, 0.8571, 0.7143, 0.5714, 0.4286, 0.2857, 0.1429, 0.0]
    """

    saved = ("total_steps", "_schedule_phases", "_anneal_func_type", "cycle_momentum", "use_beta1")
    total_steps: int
    _schedule_phases: list[dict[str, Any]]
    _anneal_func_type: str
    cycle_momentum: bool
    use_beta1: bool

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr: float | list[float],
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.85,
        max_momentum: float | list[float] = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        last_epoch: int = -1,
    ) -> None:
        optimizer = _check_optimizer(optimizer, "OneCycleLR")
        if total_steps is not None:
            total = _check_int("total_steps", total_steps, 1)
        elif epochs is not None and steps_per_epoch is not None:
            total = _check_int("epochs", epochs, 1) * _check_int(
                "steps_per_epoch", steps_per_epoch, 1
            )
        else:
            raise ValueError(
                "OneCycleLR needs either total_steps or both epochs and steps_per_epoch"
            )
        pct = check_non_negative("pct_start", pct_start)
        if pct > 1.0:
            raise ValueError(f"Invalid pct_start: {pct_start!r} (it must be in [0, 1])")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                f"anneal_strategy must be 'cos' or 'linear', got {anneal_strategy!r:.60}"
            )
        groups = optimizer.param_groups
        cycle = check_flag("cycle_momentum", cycle_momentum)
        uses_betas = "betas" in optimizer.defaults
        if cycle and not (uses_betas or "momentum" in optimizer.defaults):
            raise ValueError(
                f"OneCycleLR with cycle_momentum=True needs an optimizer with momentum or "
                f"betas, and {type(optimizer).__name__} has neither: pass cycle_momentum=False"
            )
        self._apply(
            self._check_settings(
                {
                    "total_steps": total,
                    "_schedule_phases": _phases(pct, total, check_flag("three_phase", three_phase)),
                    "_anneal_func_type": anneal_strategy,
                    "cycle_momentum": cycle,
                    "use_beta1": uses_betas,
                }
            )
        )
        peaks = _per_group("max_lr", max_lr, len(groups), check_positive)
        divide = check_positive("div_factor", div_factor)
        final_divide = check_positive("final_div_factor", final_div_factor)
        highs = _per_group("max_momentum", max_momentum, len(groups), check_non_negative)
        lows = _per_group("base_momentum", base_momentum, len(groups), check_non_negative)
        last_epoch = _check_last_epoch(last_epoch, total - 1)
        for i, peak in enumerate(peaks):
            # Checked before any group changes: the cycle starts at max_lr / div_factor.
            if not math.isfinite(peak / divide):
                raise ValueError(
                    f"OneCycleLR's starting lr max_lr / div_factor would be {peak / divide} "
                    f"(param group {i}: max_lr={peak!r}, div_factor={divide!r}): raise div_factor"
                )
        if last_epoch == -1:
            for group, peak, high, low in zip(groups, peaks, highs, lows, strict=True):
                group["initial_lr"] = peak / divide
                group["max_lr"] = peak
                group["min_lr"] = group["initial_lr"] / final_divide
                if cycle:
                    if uses_betas:
                        group["betas"] = (high, *group["betas"][1:])
                    else:
                        group["momentum"] = high
                    group["max_momentum"] = high
                    group["base_momentum"] = low
        super().__init__(optimizer, last_epoch)

    def _last_epoch_limit(self) -> int:
        return self.total_steps - 1

    def _check_settings(self, values: Mapping[str, Any]) -> dict[str, Any]:
        total = _check_int("total_steps", values["total_steps"], 1)
        phases = values["_schedule_phases"]
        keys = {"initial_lr", "max_lr", "min_lr", "max_momentum", "base_momentum"}
        fields = ("start_lr", "end_lr", "start_momentum", "end_momentum")
        if (
            not isinstance(phases, Sequence)
            or not phases
            or not all(
                isinstance(p, Mapping)
                and set(p) == {"end_step", *fields}
                and all(p[f] in keys for f in fields)
                and isinstance(p["end_step"], (int, float))
                and math.isfinite(p["end_step"])
                for p in phases
            )
        ):
            raise ValueError(f"_schedule_phases is not a list of OneCycleLR phases: {phases!r:.80}")
        starts = [0.0] + [p["end_step"] for p in phases[:-1]]
        for k, (phase, start) in enumerate(zip(phases[:-1], starts, strict=False)):
            # PyTorch would divide by zero in this phase at its first step: say why now.
            # (A last phase of no steps is only reached at step total_steps: see _updates.)
            if phase["end_step"] == start:
                raise ValueError(
                    f"OneCycleLR's phase {k + 1} would last no step (pct_start · total_steps "
                    "is 1): change pct_start or total_steps"
                )
        anneal = values["_anneal_func_type"]
        if anneal not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be 'cos' or 'linear', got {anneal!r:.60}")
        return {
            "total_steps": total,
            "_schedule_phases": [dict(p) for p in phases],
            "_anneal_func_type": anneal,
            "cycle_momentum": check_flag("cycle_momentum", values["cycle_momentum"]),
            "use_beta1": check_flag("use_beta1", values["use_beta1"]),
        }

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self._anneal_func_type == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def _updates(self, epoch: int, initial: bool) -> list[dict[str, Any]]:
        if epoch > self.total_steps:
            raise ValueError(
                f"OneCycleLR stepped {epoch} times, but its cycle has total_steps="
                f"{self.total_steps}: make it with more steps (or stop stepping it)"
            )
        phases = self._schedule_phases
        updates = []
        for i, group in enumerate(self.optimizer.param_groups):
            start_step = 0.0
            for k, phase in enumerate(phases):
                end_step = phase["end_step"]
                # Past the last phase's end (at step total_steps) it extrapolates, as PyTorch.
                if epoch <= end_step or k == len(phases) - 1:
                    if end_step == start_step:
                        raise ValueError(
                            f"OneCycleLR's last phase has no steps, so the cycle ended at step "
                            f"{self.total_steps - 1}: it cannot take step {epoch}"
                        )
                    pct = (epoch - start_step) / (end_step - start_step)
                    break
                start_step = end_step
            value = _group_numbers(group, i, (phase["start_lr"], phase["end_lr"]))
            update: dict[str, Any] = {"lr": self._anneal(*value, pct)}
            if self.cycle_momentum:
                ends = _group_numbers(group, i, (phase["start_momentum"], phase["end_momentum"]))
                momentum = self._anneal(*ends, pct)
                if self.use_beta1:
                    update["betas"] = (momentum, *group["betas"][1:])
                else:
                    update["momentum"] = momentum
            updates.append(update)
        return updates


def _phases(pct_start: float, total: int, three_phase: bool) -> list[dict[str, Any]]:
    """OneCycleLR's phases, PyTorch's: where each ends and which group keys it goes between."""
    warm_up = {
        "end_step": float(pct_start * total) - 1,
        "start_lr": "initial_lr",
        "end_lr": "max_lr",
        "start_momentum": "max_momentum",
        "end_momentum": "base_momentum",
    }
    if not three_phase:
        return [
            warm_up,
            {
                "end_step": total - 1,
                "start_lr": "max_lr",
                "end_lr": "min_lr",
                "start_momentum": "base_momentum",
                "end_momentum": "max_momentum",
            },
        ]
    return [
        warm_up,
        {
            "end_step": float(2 * pct_start * total) - 2,
            "start_lr": "max_lr",
            "end_lr": "initial_lr",
            "start_momentum": "base_momentum",
            "end_momentum": "max_momentum",
        },
        {
            "end_step": total - 1,
            "start_lr": "initial_lr",
            "end_lr": "min_lr",
            "start_momentum": "max_momentum",
            "end_momentum": "max_momentum",
        },
    ]


def _group_numbers(group: Mapping[str, Any], i: int, keys: tuple[str, str]) -> tuple[float, float]:
    """Two of a param group's OneCycleLR numbers (``"max_lr"``...), checked."""
    out = []
    for key in keys:
        if key not in group:
            raise ValueError(
                f"param group {i} has no {key!r}, which OneCycleLR keeps there: load the "
                "optimizer's state dict before resuming a OneCycleLR"
            )
        out.append(check_non_negative(f"param group {i}'s {key}", group[key]))
    return out[0], out[1]


class ReduceLROnPlateau(LRScheduler):
    """Cut the lr by ``factor`` when a metric has stopped improving: PyTorch's scheduler.

    Call ``step(metric)`` once per epoch with the number to watch (a validation loss,
    say). An epoch *improves* on the best metric so far when, in mode ``"min"``::

        metric < best · (1 − threshold)     (threshold_mode "rel")
        metric < best − threshold           (threshold_mode "abs")

    (in mode ``"max"``: metric > best · (1 + threshold), or metric > best + threshold).
    After more than ``patience`` epochs in a row without improvement, every group's lr
    becomes max(lr · factor, min_lr), unless that changes it by eps or less; then
    ``cooldown`` epochs pass during which bad epochs are not counted.

    Args:
        optimizer: the optimizer.
        mode: ``"min"`` (a loss) or ``"max"`` (an accuracy).
        factor: the cut, in [0, 1).
        patience: the bad epochs tolerated (an int >= 0).
        threshold: how much better counts as better (a finite number >= 0).
        threshold_mode: ``"rel"`` or ``"abs"``.
        cooldown: the epochs to wait after a cut (an int >= 0).
        min_lr: the lowest lr, for all groups or a list with one per group.
        eps: the smallest change of lr worth making.

    Attributes:
        best: the best metric so far (inf in mode "min", -inf in "max", before the
            first); ``num_bad_epochs``, ``cooldown_counter``, ``last_epoch``: the counts.

    Its state dict holds PyTorch's keys, except ``mode_worse`` (which follows from the
    mode), with ``best`` None until a first metric (JSON has no infinity).

    Example:
        >>> from autograd import Value
        >>> from nn.optim import SGD
        >>> from nn.optim.lr_scheduler import ReduceLROnPlateau
        >>> opt = SGD([Value(1.0)], lr=1.0)
        >>> scheduler = ReduceLROnPlateau(opt, patience=1, factor=0.5)
        >>> for loss in [3.0, 2.0, 2.5, 2.4, 2.6, 1.0]:
        ...     scheduler.step(loss)
        >>> scheduler.get_last_lr(), scheduler.best
        ([0.5], 1.0)
    """

    saved = (
        "factor",
        "default_min_lr",
        "min_lrs",
        "patience",
        "cooldown",
        "eps",
        "mode",
        "threshold",
        "threshold_mode",
        "best",
        "cooldown_counter",
        "num_bad_epochs",
    )
    base_keys = ("last_epoch", "_last_lr")
    factor: float
    default_min_lr: float | None
    min_lrs: list[float]
    patience: int
    cooldown: int
    eps: float
    mode: str
    threshold: float
    threshold_mode: str
    best: float
    cooldown_counter: int
    num_bad_epochs: int

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: list[float] | float = 0.0,
        eps: float = 1e-8,
    ) -> None:
        self.optimizer = _check_optimizer(optimizer, "ReduceLROnPlateau")
        groups = len(optimizer.param_groups)
        listed = isinstance(min_lr, (list, tuple))
        settings = self._check_settings(
            {
                "factor": factor,
                "default_min_lr": None if listed else min_lr,
                "min_lrs": list(min_lr) if isinstance(min_lr, (list, tuple)) else [min_lr] * groups,
                "patience": patience,
                "cooldown": cooldown,
                "eps": eps,
                "mode": mode,
                "threshold": threshold,
                "threshold_mode": threshold_mode,
                "best": None,
                "cooldown_counter": 0,
                "num_bad_epochs": 0,
            }
        )
        self._last_lr = self._current_lrs()
        self._apply(settings)
        self.last_epoch = 0

    def _check_settings(self, values: Mapping[str, Any]) -> dict[str, Any]:
        factor = check_non_negative("factor", values["factor"])
        if factor >= 1.0:
            raise ValueError(f"Invalid factor: {values['factor']!r} (it must be in [0, 1))")
        mode, threshold_mode = values["mode"], values["threshold_mode"]
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r:.60}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold_mode must be 'rel' or 'abs', got {threshold_mode!r:.60}")
        default = values["default_min_lr"]
        min_lrs = values["min_lrs"]
        groups = len(self.optimizer.param_groups)
        if not isinstance(min_lrs, (list, tuple)):
            raise ValueError(f"min_lrs must be a list, got {min_lrs!r:.60}")
        best = values["best"]
        worst = math.inf if mode == "min" else -math.inf
        if best is None or best == worst:
            best = worst
        elif isinstance(best, bool) or not isinstance(best, numbers.Real) or not _finite(best):
            # step() takes finite metrics only, so a best of NaN, the other infinity or an
            # int beyond the float range cannot come from one.
            raise ValueError(
                f"best must be a finite number (or None before the first metric), got "
                f"{type(best).__name__}: {best!r:.60}"
            )
        return {
            "factor": factor,
            "default_min_lr": None if default is None else check_non_negative("min_lr", default),
            "min_lrs": _per_group("min_lr", list(min_lrs), groups, check_non_negative),
            "patience": _check_int("patience", values["patience"], 0),
            "cooldown": _check_int("cooldown", values["cooldown"], 0),
            "eps": check_non_negative("eps", values["eps"]),
            "mode": mode,
            "threshold": check_non_negative("threshold", values["threshold"]),
            "threshold_mode": threshold_mode,
            "best": float(best),
            "cooldown_counter": _check_int("cooldown_counter", values["cooldown_counter"], 0),
            "num_bad_epochs": _check_int("num_bad_epochs", values["num_bad_epochs"], 0),
        }

    def check_groups(self) -> None:
        """Raise if the optimizer has gained or lost param groups and ``min_lr`` was given
        one per group (a single ``min_lr`` applies to any number of groups).

        Raises:
            ValueError: naming both counts.
        """
        groups = len(self.optimizer.param_groups)
        if len(self.min_lrs) != groups and self.default_min_lr is None:
            raise ValueError(
                f"the optimizer has {groups} param groups but min_lr lists "
                f"{len(self.min_lrs)}: set scheduler.min_lrs to one per group"
            )

    def state_dict(self) -> dict[str, Any]:
        out = super().state_dict()
        if math.isinf(self.best):  # no metric yet; JSON cannot hold an infinity
            out["best"] = None
        return out

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        # PyTorch's state dict also holds mode_worse, which follows from mode.
        if isinstance(state_dict, Mapping) and "mode_worse" in state_dict:
            state_dict = {k: v for k, v in state_dict.items() if k != "mode_worse"}
        super().load_state_dict(state_dict)

    def is_better(self, a: float, best: float) -> bool:
        """Whether metric ``a`` improves on ``best`` (see the class docstring)."""
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min":
            return a < best - self.threshold
        if self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def step(self, metrics: float | Value) -> None:  # type: ignore[override]
        """Count one epoch with its metric, and cut the lr after too many bad ones.

        Args:
            metrics: the epoch's number to watch (a float, an int, or a Value).

        Raises:
            ValueError: for a metric that is NaN, infinite or an int beyond the float
                range (training diverged: nothing sensible to compare, and an infinite
                best could not be saved in a JSON state dict), or a group's lr that is
                not a finite number >= 0; nothing is changed.
            TypeError: for a metric that is not a number.
            OverflowError: if ``last_epoch`` would pass 2**63 - 1; nothing is changed.
        """
        given: object = metrics.data if isinstance(metrics, Value) else metrics
        if isinstance(given, bool) or not isinstance(given, numbers.Real):
            raise TypeError(
                f"ReduceLROnPlateau.step needs the metric as a number, got "
                f"{type(metrics).__name__}: {metrics!r:.60}"
            )
        if not _finite(given):
            shown = "an int too large for a float" if isinstance(given, numbers.Integral) else given
            raise ValueError(
                f"ReduceLROnPlateau.step got a metric that is not a finite number ({shown}): "
                "did training diverge?"
            )
        current = float(given)
        lrs = self._current_lrs()
        self.check_groups()
        groups = len(lrs)
        min_lrs = self.min_lrs
        if len(min_lrs) != groups:
            assert self.default_min_lr is not None  # else check_groups() raised
            min_lrs = [self.default_min_lr] * groups
        epoch = _next_epoch(self)
        best, bad, cooldown_counter = self.best, self.num_bad_epochs, self.cooldown_counter
        if self.is_better(current, best):
            best, bad = current, 0
        else:
            bad += 1
        if cooldown_counter > 0:
            cooldown_counter -= 1
            bad = 0  # bad epochs in the cooldown do not count
        new_lrs = list(lrs)
        if bad > self.patience:
            for i, (old, low) in enumerate(zip(lrs, min_lrs, strict=True)):
                new = max(old * self.factor, low)
                if old - new > self.eps:
                    new_lrs[i] = new
            cooldown_counter, bad = self.cooldown, 0
        self.min_lrs = min_lrs
        self.last_epoch, self.best = epoch, best
        self.num_bad_epochs, self.cooldown_counter = bad, cooldown_counter
        for group, old, new in zip(self.optimizer.param_groups, lrs, new_lrs, strict=True):
            if new != old:
                group["lr"] = new
        self._last_lr = [float(group["lr"]) for group in self.optimizer.param_groups]
