"""The :class:`Optimizer` base class: param groups, per-parameter state, PyTorch's state dict.

An optimizer holds its parameters in **param groups**, as PyTorch's does: a list of
dicts, each with ``"params"`` (a list of Values) and every hyper-parameter, so that
parts of a model can learn at different rates::

    opt = SGD([{"params": body.parameters()},
               {"params": head.parameters(), "lr": 0.01}], lr=0.1, momentum=0.9)

A group's hyper-parameters are read at every step, so changing one between steps
(``opt.param_groups[1]["lr"] = 0.001``, or a learning-rate scheduler doing it) takes
effect at the next step.

Its **state** is PyTorch's too: ``opt.state[p]`` is a dict for parameter ``p``, such as
``{"step": 3, "exp_avg": 0.12, "exp_avg_sq": 0.004}`` for Adam. Where PyTorch keeps a
tensor per parameter tensor, gradstep keeps a float per parameter Value.

:meth:`Optimizer.state_dict` saves both in PyTorch's layout, numbering the parameters
0, 1, 2... across the groups in order::

    {"state": {0: {"step": 3, "exp_avg": 0.12, "exp_avg_sq": 0.004}, 1: {...}, ...},
     "param_groups": [{"lr": 0.1, "betas": (0.9, 0.999), ..., "params": [0, 1, 2]}]}

It is plain numbers, strings, lists, tuples and dicts, so ``json.dumps`` writes it (the
int keys of ``"state"`` become strings, and :meth:`Optimizer.load_state_dict` takes
either).
"""

from __future__ import annotations

import math
import numbers
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar, NoReturn, TypeVar, overload

from autograd import Value, enable_grad

T = TypeVar("T")

ParamsT = Iterable[Value] | Iterable[tuple[str, Value]] | Iterable[Mapping[str, Any]]
"""What an optimizer takes: Values (``model.parameters()``), ``(name, Value)`` pairs
(``model.named_parameters()``), or param groups (dicts with ``"params"``)."""


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
"""The largest ``step`` an optimizer state may hold (PyTorch stores it in 64 bits)."""


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


def check_non_negative(name: str, value: object) -> float:
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


def check_positive(name: str, value: object) -> float:
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


def check_beta(name: str, value: object) -> float:
    """``value`` as a float if it is in [0, 1), else ValueError naming it."""
    number = check_non_negative(name, value)
    if not number < 1.0:
        raise ValueError(f"Invalid {name}: {value!r} (it must be in [0, 1))")
    return number


def check_fraction(name: str, value: object) -> float:
    """``value`` as a float if it is in [0, 1], else ValueError naming it.

    For a weight in a running average: RMSprop's alpha above 1 would make the average
    of squared gradients negative, and its square root fail.
    """
    number = check_non_negative(name, value)
    if not number <= 1.0:
        raise ValueError(f"Invalid {name}: {value!r} (it must be in [0, 1])")
    return number


def check_flag(name: str, value: object) -> bool:
    """``value`` as a bool if it is one (numpy's too, or the int 0 or 1), else TypeError.

    ``bool("no")`` is True: taking any truthy object as a switch would hide mistakes.
    """
    if isinstance(value, bool):
        return value
    if type(value).__name__ == "bool_" or (isinstance(value, numbers.Integral) and value in (0, 1)):
        return bool(value)
    raise TypeError(f"{name} must be True or False, got {type(value).__name__}: {value!r:.60}")


def check_optional_flag(name: str, value: object) -> bool | None:
    """``value`` as None or a bool (see :func:`check_flag`): PyTorch's ``foreach`` and
    ``fused``, where None means "let PyTorch choose"."""
    return None if value is None else check_flag(name, value)


def check_step(name: str, value: object) -> int:
    """A step count as an int from 0 to :data:`MAX_STEP`, else ValueError naming it.

    An integral float is taken (PyTorch stores ``step`` as a float tensor, so its state
    dicts hold 30.0 where gradstep's hold 30); a fraction, a bool or a string is not.
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an int, got {type(value).__name__}: {value!r:.60}")
    if not 0 <= int(value) <= MAX_STEP:
        shown = value if int(value).bit_length() < 200 else "a far larger number"
        raise ValueError(f"{name} must be from 0 to 2**63 - 1, got {shown}")
    return int(value)


class HyperParameter:
    """``opt.lr``: the ``"lr"`` of the optimizer's only param group, to read or to set.

    A convenience for the common case of one group (``SGD(model.parameters(), lr=0.1)``):
    ``opt.lr = 0.01`` is ``opt.param_groups[0]["lr"] = 0.01`` and, like it, is checked
    at the next step. With several groups "the" learning rate is ambiguous, so reading
    or setting it raises AttributeError pointing at ``param_groups``.
    """

    name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, opt: Optimizer | None, owner: type | None = None) -> Any:
        if opt is None:  # looked up on the class: the descriptor itself
            return self
        return opt._only_group(self.name)[self.name]

    def __set__(self, opt: Optimizer, value: object) -> None:
        opt._only_group(self.name)[self.name] = value


class StateView:
    """``adam.exp_avg``: each parameter's ``exp_avg``, as a new list in ``params`` order.

    A read-only view for plotting and printing; the numbers live in ``opt.state[p]``,
    which is where to change them. It is None while no parameter has this state
    (before the first step, or when the option that makes it is off), and the list
    holds None for a parameter without it (a frozen one, say).
    """

    name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, opt: Optimizer | None, owner: type | None = None) -> Any:
        if opt is None:
            return self
        values = [opt.state.get(p, {}).get(self.name) for p in opt.params]
        return None if all(v is None for v in values) else values

    def __set__(self, opt: Optimizer, value: object) -> NoReturn:
        raise AttributeError(
            f"{self.name} is a read-only view of the optimizer's state: set "
            f"opt.state[p][{self.name!r}] for a parameter p instead"
        )


class Optimizer:
    """Base class of the optimizers: param groups, per-parameter state, :meth:`step`.

    Args:
        params: the parameters, as Values (``model.parameters()``), as ``(name, Value)``
            pairs (``model.named_parameters()``: the names are kept in each group's
            ``"param_names"``), or as param groups: dicts with ``"params"`` and any
            hyper-parameters of their own.
        defaults: every hyper-parameter's value for groups that do not set it.

    Attributes:
        param_groups: the groups, each a dict with ``"params"`` and every
            hyper-parameter (the defaults filled in). Change a value between steps and
            the next step uses it (it is checked then).
        defaults: the constructor's hyper-parameters.
        state: ``state[p]``, a dict of numbers for parameter ``p``: what the optimizer
            remembers about it (its momentum, its running averages, its ``"step"``
            count). Empty until the parameter's first step, as in PyTorch.

    The optimizer works on plain floats (each parameter's ``.data`` and ``.grad``) and
    records no graph. Unlike PyTorch, where a parameter whose ``.grad`` is None is
    skipped, every parameter here has a gradient (0.0 after ``zero_grad()``), so every
    parameter is updated at every step (weight decay and momentum still move it at a
    zero gradient), except a frozen one: a parameter whose ``requires_grad`` attribute
    is False is skipped (its value and its state stay as they are).

    A step is all or nothing: every new value (parameters and state) is computed
    first, and only if all of them are finite numbers are they stored. Where PyTorch
    would silently turn a parameter into inf or NaN (a learning rate of 1e308), or stop
    moving it (Adam with a gradient of 1e200, whose square overflows to inf),
    :meth:`step` raises ``OverflowError`` naming the parameter and leaves everything
    as it was before the step.

    Subclasses list the state they keep in ``state_names`` (those that every state
    entry of theirs holds in ``required_state_names``; running averages of squares,
    never negative, in ``non_negative_state_names``), say whether they count steps in
    ``counts_steps``, list the hyper-parameters of their update rule in
    ``hyperparameter_names``, check them in :meth:`_check_hyperparameters` and compute a
    group's step in :meth:`_update`.
    """

    state_names: ClassVar[tuple[str, ...]] = ()
    required_state_names: ClassVar[tuple[str, ...]] = ()
    non_negative_state_names: ClassVar[tuple[str, ...]] = ()
    counts_steps: ClassVar[bool] = True
    hyperparameter_names: ClassVar[tuple[str, ...]] = ()
    option_defaults: ClassVar[dict[str, Any]] = {
        "maximize": False,
        "foreach": None,
        "capturable": False,
        "differentiable": False,
        "fused": None,
    }
    """PyTorch's options beyond the update rule, with their defaults. ``maximize`` is
    implemented; the others choose how PyTorch computes a step (several tensors at
    once, fused kernels, CUDA graphs) and mean nothing for floats: they are accepted
    (``differentiable`` only as False) and change nothing. A state dict without them
    (from an older PyTorch) gets these values, as PyTorch does."""

    maximize = HyperParameter()

    def __init__(self, params: ParamsT, defaults: Mapping[str, Any]) -> None:
        self._option_names = tuple(defaults)
        self.defaults: dict[str, Any] = self._checked(defaults, "")
        self.state: defaultdict[Value, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, Value):
            raise TypeError(
                "params must be a list of Values or of param groups, got one Value: pass [value]"
            )
        groups: list[Any] = list(params)
        if not groups:
            raise ValueError("the optimizer got an empty parameter list")
        if isinstance(groups[0], Mapping):
            for group in groups:
                self.add_param_group(group)
        else:
            self._add_group({"params": groups}, "")

    # -- param groups ----------------------------------------------------------------

    @property
    def params(self) -> list[Value]:
        """Every parameter, group after group: parameter i here is i in :meth:`state_dict`."""
        return [p for group in self.param_groups for p in group["params"]]

    def add_param_group(self, param_group: Mapping[str, Any]) -> None:
        """Add a group of parameters, with hyper-parameters of its own.

        Handy to train a new part of a model (a layer unfrozen later, say) with its
        own learning rate. Hyper-parameters the group does not set take the
        optimizer's :attr:`defaults`; other keys (``"name"``...) are kept as they are.

        Args:
            param_group: a dict with ``"params"`` (Values, or ``(name, Value)`` pairs)
                and any hyper-parameters, e.g. ``{"params": head.parameters(),
                "lr": 0.01}``.

        Raises:
            ValueError: if it has no ``"params"``, holds a parameter twice or one
                already in another group (the message names the parameter), holds a
                bad hyper-parameter, or names its parameters where the other groups
                do not (or the reverse).
            TypeError: if it is not a dict, its ``"params"`` is a set (its order would
                be arbitrary, and the state dict numbers parameters by their order) or
                holds something other than Values, or a hyper-parameter is not a number.

        Example:
            >>> from autograd import Value
            >>> from nn.optim import SGD
            >>> a, b = Value(1.0), Value(2.0)
            >>> opt = SGD([a], lr=0.1)
            >>> opt.add_param_group({"params": [b], "lr": 0.01})
            >>> [group["lr"] for group in opt.param_groups]
            [0.1, 0.01]
        """
        if not isinstance(param_group, Mapping):
            raise TypeError(f"a param group must be a dict, got {type(param_group).__name__}")
        self._add_group(param_group, f"param group {len(self.param_groups)}")

    def _add_group(self, param_group: Mapping[str, Any], where: str) -> None:
        """Check ``param_group`` and append it, completed with the defaults."""
        label = where or "the parameter list"
        if "params" not in param_group:
            raise ValueError(
                f"{label} has no 'params': a param group is a dict such as "
                "{'params': model.parameters(), 'lr': 0.01}"
            )
        params, names = _group_params(param_group["params"], label)
        owners = {id(p): k for k, group in enumerate(self.param_groups) for p in group["params"]}
        for j, p in enumerate(params):
            if id(p) in owners:
                raise ValueError(
                    f"parameter {j} of {label}{_labelled(p)} is already in param group "
                    f"{owners[id(p)]}: a parameter can be in one group only"
                )
        if self.param_groups and (names is None) != ("param_names" not in self.param_groups[0]):
            raise ValueError(
                f"{label}: either every param group names its parameters ((name, Value) "
                "pairs) or none does"
            )
        merged = {**self.defaults}
        merged.update((k, v) for k, v in param_group.items() if k not in ("params", "param_names"))
        group: dict[str, Any] = {"params": params}
        if names is not None:
            group["param_names"] = names
        group.update(merged)
        group.update(self._checked(merged, where))
        self.param_groups.append(group)
        self._init_group_state(group)

    def _init_group_state(self, group: dict[str, Any]) -> None:
        """Give a new group's parameters their state, for optimizers that start with one."""

    def _only_group(self, name: str) -> dict[str, Any]:
        """The only param group, for ``opt.lr`` and its kind (see :class:`HyperParameter`)."""
        if len(self.param_groups) != 1:
            raise AttributeError(
                f"this {type(self).__name__} has {len(self.param_groups)} param groups, so "
                f"opt.{name} is ambiguous: use opt.param_groups[i][{name!r}]"
            )
        return self.param_groups[0]

    def _checked(self, group: Mapping[str, Any], where: str) -> dict[str, Any]:
        """The hyper-parameters of ``group``, checked and normalised (floats, bools, tuples).

        Raises:
            ValueError, TypeError: naming the hyper-parameter, prefixed with ``where``
                (e.g. ``"param group 1: Invalid learning rate (lr): -0.1 ..."``).
        """
        missing = [name for name in self._option_names if name not in group]
        if missing:
            raise ValueError(f"{where or 'the param group'} lacks {', '.join(map(repr, missing))}")
        try:
            checked = self._check_hyperparameters(group)
            for name in self._option_names:
                if name in ("foreach", "fused"):
                    checked[name] = check_optional_flag(name, group[name])
                elif name in ("maximize", "capturable", "differentiable"):
                    checked[name] = check_flag(name, group[name])
            if checked.get("differentiable"):
                raise ValueError(
                    "differentiable=True is not supported: gradstep's optimizers compute "
                    "on plain floats, so a step cannot be differentiated (it must be False)"
                )
        except (TypeError, ValueError) as error:
            if not where:
                raise
            raise type(error)(f"{where}: {error}") from None
        return {name: checked[name] for name in self._option_names}  # the constructor's order

    def _check_hyperparameters(self, group: Mapping[str, Any]) -> dict[str, Any]:
        """The update rule's hyper-parameters of ``group``, checked (subclasses override).

        Raises:
            ValueError: for a bad value, repeating it; TypeError: for a non-number.
        """
        return {}

    # -- stepping --------------------------------------------------------------------

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Set every parameter's gradient to 0 (call it before each ``backward()``).

        ``set_to_none`` is accepted for PyTorch's sake: a gradient here is always a
        float, so both ways it becomes 0.0.

        Raises:
            ValueError, TypeError: if a group's ``"params"`` has been changed into
                something :meth:`step` would refuse (see there); no gradient changes.
        """
        self._check_group_params()  # the same check as step()'s, before anything changes
        for group in self.param_groups:
            for p in group["params"]:
                p.grad = 0.0

    @overload
    def step(self, closure: None = None) -> None: ...

    @overload
    def step(self, closure: Callable[[], T]) -> T: ...

    def step(self, closure: Callable[[], T] | None = None) -> T | None:
        """Update every parameter once from its ``.grad``, all or nothing.

        Args:
            closure: as in PyTorch, a function that zeroes the gradients, computes the
                loss, calls ``backward()`` and returns the loss; it runs (recording the
                graph) before the update, and its loss is returned.

        Raises:
            ValueError: if a group's hyper-parameter (changed since) or a state entry
                is invalid, a group's ``"params"`` (changed since) lists a parameter
                twice or one of another group's, or a parameter or its gradient is
                already NaN or infinite; nothing is changed.
            TypeError: if a group's ``"params"`` holds something other than a Value.
            OverflowError: if the step would make a parameter or a state entry
                infinite or NaN from finite numbers, or a ``step`` count pass
                :data:`MAX_STEP` (the message names the parameter, by its index in
                ``params`` and its label); nothing is changed.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        self._check_group_params()
        several = len(self.param_groups) > 1
        work: list[tuple[dict[str, Any], list[Value], list[dict[str, Any]]]] = []
        for i, group in enumerate(self.param_groups):
            # Groups can be changed between steps (group["lr"] = ...): check them again.
            hyper = self._checked(group, f"param group {i}" if several else "")
            # A frozen parameter (requires_grad False) is left alone, as PyTorch leaves
            # a parameter without a gradient.
            params = [p for p in group["params"] if getattr(p, "requires_grad", True)]
            states = [self.state.get(p, {}) for p in params]
            for j, (p, entry) in enumerate(zip(params, states, strict=True)):
                # The state can be edited between steps too: check it, quickly when it
                # is plainly fine (the usual case), else to say what is wrong.
                if entry and not self._plainly_valid(entry):
                    where = f"{type(self).__name__}: the state of {self._name(p)}"
                    states[j] = self._check_entry(entry, where)
            work.append((hyper, params, states))
        results = [(params, *self._update(hyper, params, states)) for hyper, params, states in work]
        for params, _, new_states in results:  # first: an overflowing average is the cause
            for p, entry in zip(params, new_states, strict=True):
                if entry.get("step", 0) > MAX_STEP:  # a count state_dict could not give back
                    raise OverflowError(
                        f"{type(self).__name__}: {self._name(p)} has taken 2**63 - 1 steps, the "
                        "most a step count holds (PyTorch's too); nothing was changed"
                    )
                if not all(map(math.isfinite, entry.values())):
                    name = next(k for k, v in entry.items() if not math.isfinite(v))
                    raise self._non_finite(
                        p,
                        entry,
                        f"its {name} would be {entry[name]}, too large for a float",
                        "the gradient (or the momentum) is too large for this running average",
                    )
        for (hyper, *_), (params, values, new_states) in zip(work, results, strict=True):
            if not all(map(math.isfinite, values)):
                j = next(j for j, v in enumerate(values) if not math.isfinite(v))
                raise self._non_finite(
                    params[j],
                    new_states[j],
                    f"it would become {values[j]}",
                    f"the step is too large: lower the learning rate (lr={hyper['lr']!r}) "
                    "or find what makes the gradient large",
                )
        for params, values, new_states in results:
            for p, value, entry in zip(params, values, new_states, strict=True):
                p.data = value
                if entry:
                    self.state[p] = entry
        return loss

    def _check_group_params(self) -> None:
        """Check that each group's ``"params"`` still lists Values, each in one group once.

        ``param_groups`` is the user's to change between steps, its ``"params"`` lists
        too; a parameter listed twice would get two updates computed from one state,
        the last silently winning, so the rule :meth:`add_param_group` enforces is
        checked again at each step.

        Raises:
            ValueError: naming the group (and the parameter, by its index there and its
                label) that lacks its list or repeats a parameter; TypeError: for an
                entry that is not a Value.
        """
        owners: dict[int, int] = {}
        for i, group in enumerate(self.param_groups):
            params = group.get("params")
            if not isinstance(params, Sequence) or isinstance(params, (str, bytes)):
                raise ValueError(
                    f"param group {i} has no 'params' list (got {type(params).__name__}): "
                    "it was changed since it was added; nothing was changed"
                )
            for j, p in enumerate(params):
                if not isinstance(p, Value):
                    raise TypeError(
                        f"param group {i}: parameter {j} is a {type(p).__name__}, not a Value; "
                        "nothing was changed"
                    )
                if id(p) in owners:
                    place = "it" if owners[id(p)] == i else f"param group {owners[id(p)]}"
                    raise ValueError(
                        f"param group {i}: parameter {j}{_labelled(p)} is already in {place}: "
                        "a parameter can be in one group, once; nothing was changed"
                    )
                owners[id(p)] = i

    def _update(
        self, hyper: dict[str, Any], params: list[Value], states: list[dict[str, Any]]
    ) -> tuple[list[float], list[dict[str, Any]]]:
        """Compute one step for a group's ``params`` without changing anything.

        Args:
            hyper: the group's hyper-parameters, checked.
            params: its parameters (frozen ones left out).
            states: each parameter's state, ``{}`` before its first step; not to be
                changed.

        Returns:
            The new value of each parameter, and its new state (a new dict).
        """
        raise NotImplementedError(f"{type(self).__name__} does not define _update()")

    def _name(self, p: Value) -> str:
        """Parameter ``p`` as messages name it: its index in ``params``, and its label."""
        i = next(i for i, q in enumerate(self.params) if q is p)
        return f"parameter {i}{_labelled(p)}"

    def _non_finite(self, p: Value, entry: Mapping[str, Any], what: str, advice: str) -> Exception:
        """The error for a step that would leave parameter ``p`` or its state non-finite."""
        head = type(self).__name__
        if "step" in entry:
            head += f" step {entry['step']}"
        where = f"{head}: {self._name(p)}, at {p.data!r} with gradient {p.grad!r}"
        if not (math.isfinite(p.data) and math.isfinite(p.grad)):
            # Not an overflow: the numbers were not finite to begin with.
            return ValueError(
                f"{where}: not a finite number, so no step can be taken; nothing was changed"
            )
        return OverflowError(
            f"{where}: {what}; nothing was changed. {advice[0].upper()}{advice[1:]}"
        )

    # -- state -----------------------------------------------------------------------

    def _plainly_valid(self, entry: Mapping[str, Any]) -> bool:
        """Whether a state entry is obviously fine (floats, an int step): the fast check
        made at every step; :meth:`_check_entry` says what is wrong otherwise."""
        for key, value in entry.items():
            if key == "step":
                fine = type(value) is int and 0 <= value <= MAX_STEP
            else:
                fine = (
                    type(value) is float
                    and math.isfinite(value)
                    and (value >= 0.0 or key not in self.non_negative_state_names)
                )
            if not fine:
                return False
        return all(
            (key == "step" and self.counts_steps) or key in self.state_names for key in entry
        ) and all(key in entry for key in self.required_state_names)

    def _check_entry(self, entry: object, where: str) -> dict[str, Any]:
        """One parameter's state, checked, as plain numbers (an int ``step``, floats).

        Entries may also be anything with ``.tolist()`` giving a number (a 0-d tensor of
        a PyTorch state dict).

        Raises:
            ValueError: naming ``where`` and the bad entry: a key this optimizer does
                not keep, a missing one, a step that is not an int from 0 to
                :data:`MAX_STEP`, a number that is not finite, a negative running
                average of squares.
        """
        kind = type(self).__name__
        if not isinstance(entry, Mapping):
            raise ValueError(f"{where} must be a dict, got {type(entry).__name__}")
        out: dict[str, Any] = {}
        for key, raw in entry.items():
            value = raw.tolist() if hasattr(raw, "tolist") else raw
            if key == "step" and self.counts_steps:
                out[key] = check_step(f"{where}: step", value)
                continue
            if key not in self.state_names:
                keeps = ", ".join(("step",) * self.counts_steps + self.state_names)
                raise ValueError(
                    f"{where} holds {key!r}, which {kind} does not keep (it keeps {keeps}): "
                    "is this another optimizer's state?"
                )
            if isinstance(value, bool) or not (isinstance(value, numbers.Real) and _finite(value)):
                raise ValueError(
                    f"{where}: {key} must be a finite number, got {type(value).__name__}: "
                    f"{value!r:.60}"
                )
            if value < 0 and key in self.non_negative_state_names:
                raise ValueError(
                    f"{where}: {key} is {value!r}: it is a running average of squared "
                    "gradients, which is never negative"
                )
            out[key] = float(value)
        missing = [k for k in self.required_state_names if k not in out]
        if out and missing:
            raise ValueError(f"{where} lacks {', '.join(map(repr, missing))}")
        return out

    def state_dict(self) -> dict[str, Any]:
        """The state and the param groups, in PyTorch's layout, as a copy.

        Parameters are numbered 0, 1, 2... through the groups in order: ``"state"``
        maps each number to that parameter's state (parameters without state yet are
        left out, as in PyTorch), and each group lists its numbers under
        ``"params"``, with its hyper-parameters (and any other keys it holds, such as a
        scheduler's ``"initial_lr"``)::

            {"state": {0: {"step": 2, "exp_avg": 0.3, "exp_avg_sq": 0.02}, ...},
             "param_groups": [{"lr": 0.001, "betas": (0.9, 0.999), ..., "params": [0, 1]}]}

        Every number is a plain int or float, so ``json.dumps`` writes it exactly.
        """
        groups = []
        start = 0
        for group in self.param_groups:
            packed = {k: list(v) if k == "param_names" else v for k, v in group.items()}
            del packed["params"]  # put last, as PyTorch does
            packed["params"] = list(range(start, start + len(group["params"])))
            start += len(group["params"])
            groups.append(packed)
        state = {i: dict(self.state[p]) for i, p in enumerate(self.params) if self.state.get(p)}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore the param groups' hyper-parameters and the state from :meth:`state_dict`.

        Takes what :meth:`state_dict` gives, after a trip through JSON too (string keys,
        lists for tuples), and a PyTorch optimizer's ``state_dict()`` over scalar
        parameters in the same order (its 0-d tensors are read with ``.tolist()``).
        The parameters stay this optimizer's own: saved group i's parameter numbers are
        matched, in order, with this optimizer's group i's parameters.

        Everything is checked before anything changes.

        Raises:
            ValueError: if the state dict has another number of param groups, or a
                group another number of parameters; if it is another optimizer's (a
                group lacks one of this one's hyper-parameters, or a state entry holds
                something this optimizer does not keep); if ``"state"`` has two entries
                for one parameter (keys ``0`` and ``"0"``); for a bad hyper-parameter, a
                step that is not an int from 0 to 2**63 - 1, a state number that is not
                finite or a negative running average of squares. The message names it,
                and nothing is loaded.
            TypeError: for a hyper-parameter of the wrong type; nothing is loaded.
        """
        kind = type(self).__name__
        if not isinstance(state_dict, Mapping):
            raise ValueError(
                "an optimizer state dict is a dict with 'state' and 'param_groups', got "
                f"{type(state_dict).__name__}"
            )
        if "param_groups" not in state_dict or "state" not in state_dict:
            old = "type" in state_dict and "hyperparameters" in state_dict
            raise ValueError(
                "an optimizer state dict has 'state' and 'param_groups' (PyTorch's layout); "
                + (
                    "this one is in the layout of earlier gradstep versions ('type', "
                    "'hyperparameters', 'state'), which is no longer read"
                    if old
                    else f"this one has {', '.join(map(repr, state_dict)) or 'no keys'}"
                )
            )
        saved_groups, saved_state = state_dict["param_groups"], state_dict["state"]
        if (
            not isinstance(saved_groups, Sequence)
            or isinstance(saved_groups, (str, bytes))
            or not all(isinstance(g, Mapping) for g in saved_groups)
        ):
            raise ValueError("the state dict's 'param_groups' must be a list of dicts")
        if not isinstance(saved_state, Mapping):
            raise ValueError(
                f"the state dict's 'state' must be a dict, got {type(saved_state).__name__}"
            )
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"the state dict has {len(saved_groups)} param groups but this {kind} has "
                f"{len(self.param_groups)}; nothing was loaded"
            )
        by_index: dict[int, Value] = {}
        new_groups = []
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups, strict=True)):
            where = f"the state dict's param group {i}"
            numbers_ = saved.get("params")
            if not isinstance(numbers_, Sequence) or isinstance(numbers_, (str, bytes)):
                raise ValueError(f"{where} must list its parameters' numbers under 'params'")
            if len(numbers_) != len(group["params"]):
                raise ValueError(
                    f"{where} has {len(numbers_)} parameters but this {kind}'s has "
                    f"{len(group['params'])}; nothing was loaded"
                )
            for number, p in zip(numbers_, group["params"], strict=True):
                index = _parameter_number(number, where)
                if index in by_index:
                    raise ValueError(f"{where} lists parameter number {index} a second time")
                by_index[index] = p
            # A state dict from an older PyTorch may lack newer options: PyTorch fills
            # them in with their defaults, and so does this.
            options = {k: v for k, v in self.option_defaults.items() if k in self._option_names}
            completed = {**options, **saved}
            lacking = [n for n in self.hyperparameter_names if n not in saved]
            if lacking:
                raise ValueError(
                    f"{where} lacks {', '.join(map(repr, lacking))}: it is not the state dict "
                    f"of {kind}; nothing was loaded"
                )
            new = {k: v for k, v in completed.items() if k not in ("params", "param_names")}
            new.update(self._checked(completed, where))
            new["params"] = group["params"]
            if "param_names" in group:
                new["param_names"] = group["param_names"]
            new_groups.append(new)
        new_state: dict[Value, dict[str, Any]] = {}
        keys_seen: dict[int, object] = {}
        for key, entry in saved_state.items():
            index = _parameter_number(key, "the state dict's 'state'")
            if index in keys_seen:  # 0 and "0", say: which of the two entries is meant?
                raise ValueError(
                    f"the state dict's 'state' has two entries for parameter {index} "
                    f"({keys_seen[index]!r:.30} and {key!r:.30}); nothing was loaded"
                )
            keys_seen[index] = key
            if index not in by_index:
                raise ValueError(
                    f"the state dict has state for parameter {index}, which none of its "
                    "param groups lists; nothing was loaded"
                )
            checked = self._check_entry(entry, f"the state dict's state[{index}]")
            if checked:
                new_state[by_index[index]] = checked
        self.param_groups[:] = new_groups
        self.state = defaultdict(dict, new_state)

    def __repr__(self) -> str:
        def describe(group: dict[str, Any]) -> str:
            count = len(group["params"])
            shown = [f"{count} parameter{'s' * (count != 1)}"]
            shown += [f"{k}={group[k]!r}" for k in self.hyperparameter_names]
            if group.get("maximize"):
                shown.append("maximize=True")
            return ", ".join(shown)

        groups = self.param_groups
        if len(groups) == 1:
            return f"{type(self).__name__}({describe(groups[0])})"
        inner = "; ".join(f"param group {i}: {describe(g)}" for i, g in enumerate(groups))
        return f"{type(self).__name__}({inner})"


def _labelled(p: Value) -> str:
    """`` (label)`` for a labelled parameter, for messages; nothing otherwise."""
    return f" ({p.label})" if p.label else ""


def _group_params(raw: object, where: str) -> tuple[list[Value], list[str] | None]:
    """A group's ``"params"`` as a list of Values, and their names if given as pairs."""
    if isinstance(raw, Value):
        return [raw], None  # PyTorch takes a lone tensor as a group of one too
    if isinstance(raw, (set, frozenset)):
        raise TypeError(
            f"{where}: parameters must be in an ordered collection (a list), not a set: "
            "the state dict numbers them by their order"
        )
    if isinstance(raw, (str, bytes, Mapping)) or not isinstance(raw, Iterable):
        raise TypeError(f"{where}: 'params' must be a list of Values, got {type(raw).__name__}")
    params: list[Value] = []
    names: list[str] = []
    seen: set[int] = set()
    for j, item in enumerate(raw):
        if (
            isinstance(item, tuple)
            and len(item) == 2
            and isinstance(item[0], str)
            and isinstance(item[1], Value)
        ):
            names.append(item[0])
            item = item[1]
        if not isinstance(item, Value):
            raise TypeError(
                f"{where}: parameters must be Values, got {type(item).__name__} at index {j}"
            )
        if id(item) in seen:
            raise ValueError(f"{where}: parameter {j}{_labelled(item)} appears more than once")
        seen.add(id(item))
        params.append(item)
    if names and len(names) != len(params):
        raise ValueError(
            f"{where}: either every parameter comes with a name ((name, Value) pairs) or none"
        )
    return params, names or None


def _parameter_number(key: object, where: str) -> int:
    """A parameter number of a state dict: an int, or its digits (JSON's object keys)."""
    if isinstance(key, str) and key.isascii() and key.isdecimal() and len(key) < 20:
        return int(key)
    if isinstance(key, bool):  # True is an int to Python, but no parameter number
        raise ValueError(f"{where}: parameter numbers are ints from 0, got {key!r}")
    if isinstance(key, numbers.Integral) and int(key) >= 0:
        return int(key)
    raise ValueError(f"{where}: parameter numbers are ints from 0, got {key!r:.60}")


def _finite(x: numbers.Real) -> bool:
    """Whether a real number (a float, an int, a Fraction) is a finite float."""
    try:
        return math.isfinite(x)
    except OverflowError:  # an int beyond the float range
        return False
