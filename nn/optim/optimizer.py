"""The :class:`Optimizer` base class: parameters, hyper-parameters, inspectable state."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any, ClassVar

from autograd import Value


def lerp(start: float, end: float, weight: float) -> float:
    """start + weight (end - start), rounded the way PyTorch's ``lerp`` computes it.

    Mathematically (1 - w) start + w end, a running average's update. PyTorch
    evaluates it from whichever end is nearer, for accuracy; doing the same keeps
    trajectories equal to the last bit, which matters where an optimizer is chaotic.
    """
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1.0 - weight)


def check_non_negative(name: str, value: float) -> float:
    """``value`` as a float if it is a number >= 0 (NaN fails), else ValueError naming it."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}: {value!r}")
    if not value >= 0.0:
        raise ValueError(f"Invalid {name}: {value!r} (it must be >= 0)")
    return float(value)


def check_beta(name: str, value: float) -> float:
    """``value`` as a float if it is in [0, 1), else ValueError naming it."""
    value = check_non_negative(name, value)
    if not value < 1.0:
        raise ValueError(f"Invalid {name}: {value!r} (it must be in [0, 1))")
    return value


class Optimizer:
    """Base class of the optimizers: holds the parameters and updates them in :meth:`step`.

    The optimizer works on plain floats (each parameter's ``.data`` and ``.grad``) and
    records no graph. Its hyper-parameters are attributes (``opt.lr = 0.01`` changes
    the learning rate from the next step on), and its state, the running averages that
    make one optimizer differ from another, is a list of floats per kind, aligned with
    ``params``, so notebooks can plot it: e.g. ``adam.exp_avg[i]`` is parameter i's
    first moment. ``step_count`` counts the steps taken.

    Unlike PyTorch, where a parameter whose ``.grad`` is None is skipped, every
    parameter here has a gradient (0.0 after ``zero_grad()``), so every parameter is
    updated at every step (weight decay and momentum still move it at a zero gradient).

    Subclasses list their state attributes in ``state_names`` and their
    hyper-parameters in ``hyperparameter_names`` and implement :meth:`step`.
    """

    state_names: ClassVar[tuple[str, ...]] = ()
    hyperparameter_names: ClassVar[tuple[str, ...]] = ()

    def __init__(self, params: Iterable[Value]) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError("the optimizer got an empty parameter list")
        seen: set[int] = set()
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise TypeError(f"parameters must be Values, got {type(p).__name__} at index {i}")
            if id(p) in seen:
                raise ValueError(f"parameter {i} ({p.label or p!r}) appears more than once")
            seen.add(id(p))
        self.step_count = 0

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0 (call it before each ``backward()``)."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter once from its ``.grad``."""
        raise NotImplementedError

    @property
    def hyperparameters(self) -> dict[str, Any]:
        """The hyper-parameters by name, e.g. ``{"lr": 0.001, "betas": (0.9, 0.999), ...}``."""
        return {name: getattr(self, name) for name in self.hyperparameter_names}

    @property
    def state(self) -> dict[str, Any]:
        """The state by name (live lists, not copies), plus ``"step"``: the step count."""
        return {"step": self.step_count, **{n: getattr(self, n) for n in self.state_names}}

    def state_dict(self) -> dict[str, Any]:
        """A copy of the hyper-parameters and the state, as plain numbers and lists.

        ``{"type": "Adam", "hyperparameters": {...}, "state": {"step": 3,
        "exp_avg": [...], ...}}``; JSON-serialisable (tuples become lists).
        """
        hyper = {k: list(v) if isinstance(v, tuple) else v for k, v in self.hyperparameters.items()}
        return {
            "type": type(self).__name__,
            "hyperparameters": hyper,
            "state": copy.deepcopy(self.state),
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyper-parameters and state saved by :meth:`state_dict`.

        Raises:
            ValueError: if it was saved by another kind of optimizer, for another
                number of parameters, or lacks a key; nothing is changed then.
        """
        kind = state_dict.get("type") if isinstance(state_dict, dict) else None
        if kind != type(self).__name__:
            raise ValueError(
                f"this state dict is for a {kind!r} optimizer, not a {type(self).__name__!r}"
            )
        hyper = state_dict.get("hyperparameters", {})
        state = state_dict.get("state", {})
        missing = [n for n in self.hyperparameter_names if n not in hyper]
        missing += [n for n in ("step", *self.state_names) if n not in state]
        if missing:
            raise ValueError(f"the optimizer state dict lacks {', '.join(missing)}")
        for name in self.state_names:
            values = state[name]
            if values is not None and len(values) != len(self.params):
                raise ValueError(
                    f"state {name!r} has {len(values)} entries but the optimizer has "
                    f"{len(self.params)} parameters"
                )
        old = self.hyperparameters
        try:
            self._set_hyperparameters(hyper)
        except (TypeError, ValueError):
            self._set_hyperparameters(old)
            raise
        self.step_count = int(state["step"])
        for name in self.state_names:
            values = state[name]
            setattr(self, name, None if values is None else [float(v) for v in values])

    def _set_hyperparameters(self, hyper: dict[str, Any]) -> None:
        """Validate and set hyper-parameters (subclasses check their own)."""
        for name in self.hyperparameter_names:
            value = hyper[name]
            setattr(self, name, tuple(value) if isinstance(value, list) else value)
        self._check()

    def _check(self) -> None:
        """Raise ValueError for an invalid hyper-parameter (subclasses override)."""

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyperparameters.items())
        return f"{type(self).__name__}({len(self.params)} parameters, {args})"
