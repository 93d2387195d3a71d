"""The :class:`Optimizer` base class: parameters, hyper-parameters, inspectable state."""

from __future__ import annotations

import copy
import math
import numbers
from collections.abc import Iterable, Sequence
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


MAX_STEP = 2**63 - 1
"""The largest ``step`` an optimizer state dict may hold (PyTorch stores it as an int64)."""


def _real(name: str, value: object, must: str) -> float:
    """``value`` as a finite float, or raise naming ``name`` and what it ``must`` be.

    Raises:
        TypeError: for something that is not a real number (bools included: a flag is
            not a rate).
        ValueError: for NaN, an infinity, or an int too large for a float.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}: {value!r:.60}")
    try:
        number = float(value)
    except OverflowError:  # a huge int: its digits would not fit in a message either
        raise ValueError(f"Invalid {name}: an int too large for a float ({must})") from None
    if not math.isfinite(number):
        raise ValueError(f"Invalid {name}: {value!r} ({must})")
    return number


def check_non_negative(name: str, value: float) -> float:
    """``value`` as a float if it is a finite number >= 0, else raise naming it.

    An infinite learning rate or weight decay would turn every parameter into inf or
    NaN at the first step, so infinities are refused here, with NaN.

    Raises:
        TypeError: if ``value`` is not a number; ValueError: if it is negative, NaN or
            infinite.
    """
    must = "it must be a finite number >= 0"
    number = _real(name, value, must)
    if not number >= 0.0:
        raise ValueError(f"Invalid {name}: {value!r} ({must})")
    return number


def check_positive(name: str, value: float) -> float:
    """``value`` as a float if it is a finite number > 0, else raise naming it.

    For ``eps``, the term that keeps a division by a root mean square from dividing
    by zero: with eps = 0, a parameter whose gradients have all been 0 would compute
    0 / 0 (PyTorch then makes it NaN).
    """
    must = "it must be a finite number > 0"
    number = _real(name, value, must)
    if not number > 0.0:
        raise ValueError(f"Invalid {name}: {value!r} ({must})")
    return number


def check_beta(name: str, value: float) -> float:
    """``value`` as a float if it is in [0, 1), else ValueError naming it."""
    value = check_non_negative(name, value)
    if not value < 1.0:
        raise ValueError(f"Invalid {name}: {value!r} (it must be in [0, 1))")
    return value


def check_fraction(name: str, value: float) -> float:
    """``value`` as a float if it is in [0, 1], else ValueError naming it.

    For a weight in a running average: RMSprop's alpha above 1 would make the average
    of squared gradients negative, and its square root fail.
    """
    value = check_non_negative(name, value)
    if not value <= 1.0:
        raise ValueError(f"Invalid {name}: {value!r} (it must be in [0, 1])")
    return value


def check_flag(name: str, value: object) -> bool:
    """``value`` as a bool if it is one (numpy's too, or the int 0 or 1), else TypeError.

    ``bool("no")`` is True: taking any truthy object as a switch would hide mistakes.
    """
    if isinstance(value, bool):
        return value
    if type(value).__name__ == "bool_" or (isinstance(value, numbers.Integral) and value in (0, 1)):
        return bool(value)
    raise TypeError(f"{name} must be True or False, got {type(value).__name__}: {value!r:.60}")


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

    A step is all or nothing: every new value (parameters and state) is computed
    first, and only if all of them are finite numbers are they stored. Where PyTorch
    would silently turn a parameter into inf or NaN (a learning rate of 1e308), or stop
    moving it (Adam with a gradient of 1e200, whose square overflows to inf),
    :meth:`step` raises ``OverflowError`` naming the parameter and leaves everything
    as it was before the step.

    Subclasses list their state attributes in ``state_names`` (those that may be None,
    because they are made on demand, also in ``optional_state_names``; those that are
    running averages of squares, never negative, in ``non_negative_state_names``),
    their hyper-parameters in ``hyperparameter_names``, check the hyper-parameters in
    :meth:`_check` and compute one step in :meth:`_update`.
    """

    state_names: ClassVar[tuple[str, ...]] = ()
    optional_state_names: ClassVar[tuple[str, ...]] = ()
    non_negative_state_names: ClassVar[tuple[str, ...]] = ()
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
        """Update every parameter once from its ``.grad``, all or nothing.

        Raises:
            ValueError: if a hyper-parameter (set as an attribute since) or a state
                entry is invalid, or a parameter or its gradient is already NaN or
                infinite; nothing is changed.
            OverflowError: if the step would make a parameter or a state entry
                infinite or NaN from finite numbers (the message names the parameter,
                by its index in ``params`` and its label); nothing is changed.
        """
        # Attributes can be changed between steps (opt.lr = ...): check them again.
        self._check()
        self._check_state(self.state, "", thorough=False)
        step = self.step_count + 1
        values, state = self._update(step)
        for name, entries in state.items():  # first: an overflowing average is the cause
            if entries is not None and not all(map(math.isfinite, entries)):
                i = next(i for i, v in enumerate(entries) if not math.isfinite(v))
                raise self._non_finite(
                    step,
                    i,
                    f"its {name} would be {entries[i]}, too large for a float",
                    "the gradient (or the momentum) is too large for this running average",
                )
        if not all(map(math.isfinite, values)):
            i = next(i for i, v in enumerate(values) if not math.isfinite(v))
            raise self._non_finite(
                step,
                i,
                f"it would become {values[i]}",
                f"the step is too large: lower the learning rate "
                f"(lr={self.hyperparameters.get('lr')!r}) or find what makes the gradient large",
            )
        for p, value in zip(self.params, values, strict=True):
            p.data = value
        for name, entries in state.items():
            setattr(self, name, entries)
        self.step_count = step

    def _update(self, step: int) -> tuple[list[float], dict[str, list[float] | None]]:
        """Compute step number ``step`` without changing anything.

        Returns:
            The new value of each parameter, and the new value of each state attribute
            (a new list, or None for state not in use).
        """
        raise NotImplementedError(f"{type(self).__name__} does not define _update()")

    def _name(self, i: int) -> str:
        """Parameter ``i`` as messages name it: its index, and its label if it has one."""
        label = self.params[i].label
        return f"parameter {i} ({label})" if label else f"parameter {i}"

    def _non_finite(self, step: int, i: int, what: str, advice: str) -> Exception:
        """The error for a step that would leave parameter ``i`` or its state non-finite."""
        p = self.params[i]
        where = (
            f"{type(self).__name__} step {step}: {self._name(i)}, at {p.data!r} with "
            f"gradient {p.grad!r}"
        )
        if not (math.isfinite(p.data) and math.isfinite(p.grad)):
            # Not an overflow: the numbers were not finite to begin with.
            return ValueError(
                f"{where}: not a finite number, so no step can be taken; nothing was changed"
            )
        return OverflowError(
            f"{where}: {what}; nothing was changed. {advice[0].upper()}{advice[1:]}"
        )

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

        Everything is checked before anything changes: each hyper-parameter as the
        constructor checks it; ``step`` must be an int from 0 to :data:`MAX_STEP`;
        each state entry a finite number (and >= 0 for the running averages of squared
        gradients, whose square roots the step takes).

        Raises:
            ValueError: if it was saved by another kind of optimizer, for another
                number of parameters, lacks a key, or holds an invalid hyper-parameter,
                step or state entry (named in the message); nothing is changed then.
            TypeError: for a hyper-parameter of the wrong type; nothing is changed.
        """
        kind = state_dict.get("type") if isinstance(state_dict, dict) else None
        if kind != type(self).__name__:
            raise ValueError(
                f"this state dict is for a {kind!r:.60} optimizer, not a {type(self).__name__!r}"
            )
        hyper = state_dict.get("hyperparameters", {})
        state = state_dict.get("state", {})
        if not isinstance(hyper, dict) or not isinstance(state, dict):
            raise ValueError("the optimizer state dict's hyperparameters and state must be dicts")
        missing = [n for n in self.hyperparameter_names if n not in hyper]
        missing += [n for n in ("step", *self.state_names) if n not in state]
        if missing:
            raise ValueError(f"the optimizer state dict lacks {', '.join(missing)}")
        loaded = {"step": state["step"]}
        for name in self.state_names:
            entries = state[name]
            loaded[name] = (
                None if entries is None else list(entries) if isinstance(entries, list) else entries
            )
        self._check_state(loaded, "the optimizer state dict's ")
        old = self.hyperparameters
        try:
            self._set_hyperparameters(hyper)
        except (TypeError, ValueError):
            self._set_hyperparameters(old)
            raise
        self.step_count = int(loaded["step"])
        for name in self.state_names:
            entries = loaded[name]
            setattr(self, name, None if entries is None else [float(v) for v in entries])

    def _check_state(self, state: dict[str, Any], source: str, thorough: bool = True) -> None:
        """Raise ValueError naming the first invalid entry of ``state`` (see ``state``).

        ``source`` starts the message (``"the optimizer state dict's "`` when loading).
        Without ``thorough``, a list of finite numbers passes without a look at each
        entry's type (so at every step the check costs little).
        """
        step = state["step"]
        if isinstance(step, bool) or not isinstance(step, numbers.Integral):
            raise ValueError(
                f"{source}step must be an int, got {type(step).__name__}: {step!r:.60}"
            )
        if not 0 <= int(step) <= MAX_STEP:
            raise ValueError(f"{source}step must be from 0 to 2**63 - 1, got {step}")
        n = len(self.params)
        for name in self.state_names:
            entries = state[name]
            if entries is None:
                if name not in self.optional_state_names:
                    raise ValueError(f"{source}state {name!r} is None; it must be a list")
                continue
            if not isinstance(entries, Sequence) or isinstance(entries, (str, bytes)):
                raise ValueError(
                    f"{source}state {name!r} must be a list of {n} numbers, got "
                    f"{type(entries).__name__}"
                )
            if len(entries) != n:
                raise ValueError(
                    f"{source}state {name!r} has {len(entries)} entries but the optimizer has "
                    f"{n} parameters"
                )
            non_negative = name in self.non_negative_state_names
            if not thorough and _all_finite(entries) and (not non_negative or min(entries) >= 0):
                continue
            for i, v in enumerate(entries):
                if isinstance(v, bool) or not (isinstance(v, numbers.Real) and _finite(v)):
                    raise ValueError(
                        f"{source}state {name}[{i}] must be a finite number, got "
                        f"{type(v).__name__}: {v!r:.60}"
                    )
                if non_negative and v < 0:
                    raise ValueError(
                        f"{source}state {name}[{i}] is {v!r}: it is a running average of "
                        "squared gradients, which is never negative"
                    )

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


def _finite(x: numbers.Real) -> bool:
    """Whether a real number (a float, an int, a Fraction) is a finite float."""
    try:
        return math.isfinite(x)
    except OverflowError:  # an int beyond the float range
        return False


def _all_finite(entries: Sequence[Any]) -> bool:
    """Whether every entry is a finite real number (quickly: no look at their types)."""
    try:
        return all(map(math.isfinite, entries))
    except (TypeError, OverflowError):  # not numbers, or an int beyond the float range
        return False
