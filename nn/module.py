"""The :class:`Module`: a layer or a model that owns parameters, buffers and sub-modules.

It works like ``torch.nn.Module``. A module keeps three registries:

* **parameters**: Values that training adjusts (a Linear layer's weight and bias),
  each a list (a vector) or a list of rows (a matrix) of Values;
* **buffers**: numbers that are part of the model's state but are not trained
  (BatchNorm's running mean and variance, and its batch counter);
* **sub-modules**, assigned as attributes (``self.fc = Linear(2, 3)``) and registered
  automatically, so that ``parameters()`` and ``state_dict()`` find them.

Every parameter Value is labelled with its path in the model, PyTorch's parameter name
and its index, e.g. ``0.weight[3,1]`` (row 3, column 1 of the first layer's weight) or
``2.bias[0]``, so drawings of the graph say which number is which. Labels are
relative to the outermost module: each module remembers the module it was last
attached to (a weak reference), and any change anywhere in the tree (a sub-module
attached, replaced or appended, a parameter registered) relabels the whole tree from
its outermost module. So the labels always equal the outermost module's
``named_parameters()`` (a module shared by two models carries the labels of the one
it was attached to last).
"""

from __future__ import annotations

import math
import numbers
import weakref
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from autograd import Value
from autograd.value import as_float
from nn._tensor import MAX_NESTING, format_shape, nested_too_deeply, shape_of, tolist

ParameterTensor = list[Value] | list[list[Value]]
"""A parameter: a vector of Values, or a matrix given as a list of rows."""

Buffer = list[float] | int
"""A buffer: a vector of floats (running statistics) or an int (a counter)."""


class StateDictError(ValueError):
    """``load_state_dict`` refused a state dict; the message names every bad key."""


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(..., strict=False)`` skipped, as in PyTorch."""

    missing_keys: list[str]
    unexpected_keys: list[str]


def _entries(tensor: ParameterTensor) -> Iterator[tuple[str, Value]]:
    """Each entry of a parameter with its index as the label shows it: ``[3]`` or ``[3,1]``."""
    items: list[Value | list[Value]] = tensor  # type: ignore[assignment]
    for i, item in enumerate(items):
        if isinstance(item, list):
            for j, value in enumerate(item):
                yield f"[{i},{j}]", value
        else:
            yield f"[{i}]", item


def _read_exactly(value: object, shape: tuple[int, ...], key: str) -> list[object]:
    """The entries of ``value`` in row-major order, if it has exactly ``shape``; else raise."""
    value = tolist(value)
    if not shape:
        if isinstance(value, (list, tuple)):
            raise StateDictError(
                f"{key}: expected a number, got a list of shape {format_shape(shape_of(value))}"
            )
        return [value]
    if not isinstance(value, (list, tuple)) or len(value) != shape[0]:
        raise StateDictError(
            f"{key}: shape mismatch, the model has {format_shape(shape)}, "
            f"the state dict has {format_shape(shape_of(value))}"
        )
    out: list[object] = []
    for item in value:
        try:
            out.extend(_read_exactly(item, shape[1:], key))
        except StateDictError:
            raise StateDictError(
                f"{key}: shape mismatch, the model has {format_shape(shape)}, "
                f"the state dict has {format_shape(shape_of(value))} (or ragged rows)"
            ) from None
    return out


MAX_COUNT = 2**63 - 1
"""The largest counter (``num_batches_tracked``) a state dict may hold: PyTorch keeps
counters as 64-bit integers."""


def _index(shape: tuple[int, ...], k: int) -> str:
    """Flat entry ``k`` of a tensor of ``shape``, written as labels write it: ``[3,1]``."""
    if not shape:
        return ""
    if len(shape) == 1:
        return f"[{k}]"
    return f"[{k // shape[1]},{k % shape[1]}]"


def _integer_text(n: int) -> str:
    """``n`` for a message: its digits, or only how many there are when that is absurd.

    Python refuses to print an int of more than 4300 digits, and such a number would
    drown the message anyway.
    """
    if n.bit_length() <= 200:
        return str(n)
    digits = int(n.bit_length() * math.log10(2)) + 1  # exact, or one too many
    if abs(n) < 10 ** (digits - 1):
        digits -= 1
    return f"an integer of {digits} digits"


def _as_number(x: object, where: str, integer: bool) -> float | int:
    """A state-dict entry as a finite float (or a count, for counters), or raise naming it.

    ``where`` names the entry (``0.weight[3,1]``). Bools are refused although Python
    counts them as numbers: ``true`` in a checkpoint is a mistake, not a weight of 1.

    Raises:
        StateDictError: for a bool, NaN, an infinity, a number beyond the float range,
            or (for counters) anything but a whole number from 0 to :data:`MAX_COUNT`.
        TypeError: for something that is not a real number at all (a str, None...).
    """
    if isinstance(x, bool) or type(x).__name__ == "bool_":  # numpy's bool too
        raise StateDictError(f"{where}: expected a number, got the bool {x!r}")
    if isinstance(x, numbers.Integral):  # exact, whatever its size: no float in between
        n = int(x)
        if integer:
            if not 0 <= n <= MAX_COUNT:
                raise StateDictError(
                    f"{where}: expected a count from 0 to 2**63 - 1, got {_integer_text(n)}"
                )
            return n
        if n.bit_length() > 1024:  # beyond the largest float, about 1.8e308
            raise StateDictError(f"{where}: {_integer_text(n)} is too large for a float")
        return float(n)
    try:
        number = as_float(x, where)
    except OverflowError:  # a Fraction beyond the float range
        raise StateDictError(f"{where}: the number is too large for a float") from None
    if not math.isfinite(number):
        raise StateDictError(
            f"{where} is {number}: not a finite number (here it would make every output "
            "that depends on it NaN or infinite)"
        )
    if integer:
        if not number.is_integer():
            raise StateDictError(f"{where}: expected an integer, got {x!r}")
        return _as_number(int(number), where, integer=True)
    return number


def _some(keys: list[str], limit: int = 10) -> str:
    """Up to ``limit`` keys for a message, and how many more there are."""
    shown = ", ".join(repr(key)[:80] for key in keys[:limit])
    return shown + (f" and {len(keys) - limit} more" if len(keys) > limit else "")


class Module:
    """Base class of every layer and model.

    Subclasses call ``super().__init__()`` first, register their parameters with
    :meth:`register_parameter` (and buffers with :meth:`register_buffer`), assign
    sub-modules as attributes, and implement :meth:`forward`. Calling the module calls
    ``forward``.

    Attributes:
        training: True in training mode (the default), False after :meth:`eval`.
            Only some layers behave differently (BatchNorm1d).

    Example:
        >>> import nn
        >>> class TwoLayers(nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.hidden = nn.Linear(2, 3, seed=0)
        ...         self.out = nn.Linear(3, 1, seed=1)
        ...     def forward(self, x):
        ...         return self.out(nn.ReLU()(self.hidden(x)))
        >>> model = TwoLayers()
        >>> len(model.parameters()), list(model.state_dict())
        (13, ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias'])
        >>> model.parameters()[0].label
        'hidden.weight[0,0]'
    """

    training: bool
    _parameters: dict[str, ParameterTensor]
    _buffers: dict[str, Buffer]
    _modules: dict[str, Module]
    _parent: weakref.ReferenceType[Module] | None
    """The module this one is a sub-module of (weak: a child does not keep its parent
    alive), or None for an outermost module. Only used to find the outermost module."""

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parent", None)

    # -- registration ---------------------------------------------------------------

    def __setattr__(self, name: str, value: object) -> None:
        registries = self.__dict__.get("_modules")
        if registries is None:
            raise AttributeError(
                f"cannot assign {name!r} before Module.__init__() ran: "
                f"call super().__init__() first in {type(self).__name__}.__init__"
            )
        if isinstance(value, Module):
            self._check_no_cycle(value)
            self._parameters.pop(name, None)
            self._buffers.pop(name, None)
            replaced = self._modules.get(name)
            self._modules[name] = value
            object.__setattr__(self, name, value)
            object.__setattr__(value, "_parent", weakref.ref(self))
            if replaced is not None and replaced is not value:
                self._release(replaced)
            self._relabel()
            return
        if name in self._modules:
            self._release(self._modules.pop(name))
        if name in self._parameters:
            self.register_parameter(name, value)  # type: ignore[arg-type]
            return
        if name in self._buffers:
            self._buffers[name] = value  # type: ignore[assignment]
        object.__setattr__(self, name, value)

    def register_parameter(self, name: str, tensor: ParameterTensor) -> ParameterTensor:
        """Register a vector or matrix of Values as the parameter ``name`` (also an attribute).

        Returns:
            ``tensor``, so that ``self.weight = self.register_parameter("weight", rows)``
            reads naturally.

        Raises:
            TypeError: if an entry is not a Value.
        """
        for index, value in _entries(tensor):
            if not isinstance(value, Value):
                raise TypeError(f"parameter {name}{index} must be a Value, got {value!r}")
        self._parameters[name] = tensor
        object.__setattr__(self, name, tensor)
        self._relabel()
        return tensor

    def register_buffer(self, name: str, value: Buffer) -> Buffer:
        """Register ``value`` (floats or an int counter) as the buffer ``name`` (also an attribute).

        Buffers are saved in ``state_dict()`` but are not parameters: no gradient,
        no optimizer.
        """
        self._buffers[name] = value
        object.__setattr__(self, name, value)
        return value

    # -- labels: relative to the outermost module ---------------------------------------

    def _parent_module(self) -> Module | None:
        """The module this one is attached to, if it is still alive; else None."""
        ref = self.__dict__.get("_parent")
        return ref() if ref is not None else None

    def _root(self) -> Module:
        """The outermost module above this one (itself if it has no parent)."""
        root = self
        while (parent := root._parent_module()) is not None:
            root = parent
        return root

    def _check_no_cycle(self, module: Module) -> None:
        """Refuse to make ``module`` a sub-module of itself or of one of its sub-modules."""
        ancestor: Module | None = self
        while ancestor is not None:
            if ancestor is module:
                raise ValueError(
                    f"cannot attach a {type(module).__name__} inside itself "
                    "(a module cannot be its own sub-module)"
                )
            ancestor = ancestor._parent_module()

    def _release(self, module: Module) -> None:
        """``module`` is no longer a sub-module here: if this was its parent, it is now
        an outermost module, labelled from itself."""
        if module._parent_module() is self:
            object.__setattr__(module, "_parent", None)
            module._relabel()

    def _relabel(self) -> None:
        """Label every parameter of the model this module is part of, from the outermost
        module: its path, name and index, e.g. ``0.1.weight[3,1]``."""
        self._root()._label_tree("")

    def _label_tree(self, prefix: str) -> None:
        for name, tensor in self._parameters.items():
            for index, value in _entries(tensor):
                value.label = f"{prefix}{name}{index}"
        for name, module in self._modules.items():
            # Only the sub-modules this module adopted: a Sequential slice shares its
            # modules without adopting them, so they keep the labels their model gave.
            if module._parent_module() is self:
                module._label_tree(f"{prefix}{name}.")

    # -- copying and pickling -------------------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        # A weak reference cannot be pickled or deep-copied. Drop it; the parent records
        # which sub-modules it adopted and adopts their copies again in __setstate__.
        state = self.__dict__.copy()
        state.pop("_parent", None)
        state["_adopted"] = [
            name for name, module in self._modules.items() if module._parent_module() is self
        ]
        return state

    def __copy__(self) -> Module:
        # A shallow copy shares the parameters and sub-modules: it must neither adopt
        # nor relabel them (that would take them from the original).
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__)
        copy.__dict__["_parent"] = None
        return copy

    def __setstate__(self, state: dict[str, Any]) -> None:
        adopted = state.pop("_adopted", [])
        self.__dict__.update(state)
        self.__dict__.setdefault("_parent", None)
        for name in adopted:
            module = self._modules[name]
            # A copy of a sub-module has no parent yet. One that has (a shallow copy
            # shares the original's sub-modules) stays with the module it belongs to.
            if module._parent_module() is None:
                object.__setattr__(module, "_parent", weakref.ref(self))
        self._relabel()

    # -- the tree -------------------------------------------------------------------

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct sub-modules with their names, in registration order."""
        yield from self._modules.items()

    def children(self) -> Iterator[Module]:
        """The direct sub-modules, in registration order."""
        yield from self._modules.values()

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module (named ``prefix``) and every module below it, depth first."""
        yield prefix, self
        for name, module in self._modules.items():
            yield from module.named_modules(f"{prefix}.{name}" if prefix else name)

    def modules(self) -> Iterator[Module]:
        """This module and every module below it, depth first."""
        for _, module in self.named_modules():
            yield module

    def parameters(self) -> list[Value]:
        """Every parameter Value, flat, in a fixed order: this module's own parameters in
        registration order (matrices row by row), then each sub-module's, depth first."""
        return [value for _, value in self.named_parameters()]

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``(name, Value)`` for every entry of ``parameters()``, in the same order.

        The name is the entry's path from this module, e.g. ``"0.weight[3,1]"``. Called
        on the outermost module, the names are the Values' labels; on a sub-module they
        lack the prefix the labels carry (``model[0].named_parameters()`` names
        ``weight[3,1]`` what is labelled ``0.weight[3,1]``).
        """
        out: list[tuple[str, Value]] = []
        self._collect_parameters("", out)
        return out

    def _collect_parameters(self, prefix: str, out: list[tuple[str, Value]]) -> None:
        for name, tensor in self._parameters.items():
            out.extend((f"{prefix}{name}{index}", value) for index, value in _entries(tensor))
        for name, module in self._modules.items():
            module._collect_parameters(f"{prefix}{name}.", out)

    def zero_grad(self) -> None:
        """Set the gradient of every parameter to 0 (gradients accumulate otherwise)."""
        for p in self.parameters():
            p.grad = 0.0

    def train(self, mode: bool = True) -> Module:
        """Switch this module and all below it to training mode (or eval mode); returns self."""
        for module in self.modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self) -> Module:
        """Switch to evaluation mode (BatchNorm1d then uses its running statistics)."""
        return self.train(False)

    # -- computing ------------------------------------------------------------------

    def forward(self, x: Any) -> Any:
        """Compute the module's output; subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, x: Any) -> Any:
        return self.forward(x)

    # -- state ----------------------------------------------------------------------

    def _state_shapes(self, prefix: str = "") -> dict[str, tuple[str, Module, str]]:
        """Every state-dict key, with ("parameter" or "buffer", owning module, attribute)."""
        out: dict[str, tuple[str, Module, str]] = {}
        for name in self._parameters:
            out[prefix + name] = ("parameter", self, name)
        for name in self._buffers:
            out[prefix + name] = ("buffer", self, name)
        for name, module in self._modules.items():
            out.update(module._state_shapes(f"{prefix}{name}."))
        return out

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to rebuild the model's numbers, with PyTorch's keys and nesting.

        Keys are ``<module path>.<name>``: ``{"0.weight": [[...], ...], "0.bias": [...],
        "1.running_mean": [...], "1.num_batches_tracked": 3, ...}``. Values are plain
        floats (ints for counters) in nested lists, copies of the model's numbers, in
        the order PyTorch uses (parameters, then buffers, module by module), so
        ``torch_model.load_state_dict({k: torch.tensor(v) for k, v in sd.items()})``
        loads it into the PyTorch twin of the model.
        """
        out: dict[str, Any] = {}
        for key, (kind, module, name) in self._state_shapes().items():
            if kind == "parameter":
                tensor = module._parameters[name]
                out[key] = [
                    item.data if isinstance(item, Value) else [v.data for v in item]
                    for item in tensor
                ]
            else:
                buffer = module._buffers[name]
                out[key] = list(buffer) if isinstance(buffer, list) else buffer
        return out

    def load_state_dict(
        self, state_dict: Mapping[str, Any], strict: bool = True
    ) -> IncompatibleKeys:
        """Copy numbers from ``state_dict`` into the model (parameters keep their identity).

        Accepts what :meth:`state_dict` returns, its JSON round trip, and values with a
        ``.tolist()`` method (numpy arrays, torch tensors). Nothing is changed unless
        everything can be loaded.

        Every entry must be a finite number: NaN, infinities, numbers beyond the float
        range and bools are refused (PyTorch would load them, and every output would
        become NaN later, far from the cause). Counters (``num_batches_tracked``) must
        be whole numbers from 0 to 2**63 - 1, and a module may refuse more (BatchNorm1d:
        a negative ``running_var``). Lists nested more than 32 levels deep (such as a
        list that contains itself) are refused at once.

        Args:
            state_dict: a mapping from keys such as ``"0.weight"`` to nested lists.
            strict: if True, keys the model lacks ("unexpected") and keys the model has
                but ``state_dict`` lacks ("missing") are errors; if False they are
                skipped and reported in the return value.

        Returns:
            ``IncompatibleKeys(missing_keys, unexpected_keys)``.

        Raises:
            StateDictError (a ValueError): naming every missing or unexpected key (when
                strict) and every key whose shape or values do not fit, with the first
                bad entry of each, in one message.
        """
        if not isinstance(state_dict, Mapping):
            raise StateDictError(
                f"load_state_dict expects a mapping of names to values, got "
                f"{type(state_dict).__name__}"
            )
        slots = self._state_shapes()
        missing = [key for key in slots if key not in state_dict]
        unexpected = [key for key in state_dict if key not in slots]
        problems: list[str] = []
        if strict and missing:
            problems.append("missing keys: " + _some(missing))
        if strict and unexpected:
            problems.append("unexpected keys: " + _some(unexpected))
        updates: list[tuple[str, Module, str, list[float | int]]] = []
        for key, (kind, module, name) in slots.items():
            if key not in state_dict:
                continue
            current = module._parameters[name] if kind == "parameter" else module._buffers[name]
            shape = shape_of(current)
            try:
                value = tolist(state_dict[key])
                if nested_too_deeply(value):
                    raise StateDictError(
                        f"{key}: lists nested more than {MAX_NESTING} levels deep (a list that "
                        f"contains itself?); the model has {format_shape(shape)}"
                    )
                entries = _read_exactly(value, shape, key)
                integer = isinstance(current, int)
                numbers_ = [
                    _as_number(v, key + _index(shape, k), integer) for k, v in enumerate(entries)
                ]
                problem = module._check_state_entry(name, numbers_)
                if problem is not None:
                    raise StateDictError(f"{key}{problem}")
            except (StateDictError, TypeError) as error:
                problems.append(str(error))
                continue
            updates.append((kind, module, name, numbers_))
        if problems:
            raise StateDictError(
                f"error(s) loading a state dict into {type(self).__name__}:\n  "
                + "\n  ".join(problems)
            )
        # Everything checked: now, and only now, change the model.
        for kind, module, name, numbers_ in updates:
            if kind == "parameter":
                for (_, value), number in zip(
                    _entries(module._parameters[name]), numbers_, strict=True
                ):
                    value.data = float(number)
            elif isinstance(module._buffers[name], int):
                setattr(module, name, numbers_[0])
            else:
                setattr(module, name, list(numbers_))
        return IncompatibleKeys(missing, unexpected)

    def _check_state_entry(self, name: str, numbers: list[float | int]) -> str | None:
        """Why ``numbers`` (finite, row-major) cannot become this module's parameter or
        buffer ``name``, or None if they can; :meth:`load_state_dict` asks before loading.

        The answer continues the key in a message, e.g. ``"[2] is -1.0, ..."``. Modules
        whose state has rules of its own override this (BatchNorm1d: a variance is
        never negative).
        """
        return None

    # -- printing -------------------------------------------------------------------

    def extra_repr(self) -> str:
        """The text inside the parentheses of ``repr``, e.g. ``in_features=2, ...``."""
        return ""

    def __repr__(self) -> str:
        lines = [self.extra_repr()] if self.extra_repr() else []
        for name, module in self._modules.items():
            child = repr(module).replace("\n", "\n  ")
            lines.append(f"({name}): {child}")
        if not self._modules:
            return f"{type(self).__name__}({self.extra_repr()})"
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"
