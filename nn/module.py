"""The :class:`Module`: a layer or a model that owns parameters, buffers and sub-modules.

It works like ``torch.nn.Module``. A module keeps three registries:

* **parameters**: Values that training adjusts (a Linear layer's weight and bias),
  each a list (a vector) or a list of rows (a matrix) of Values;
* **buffers**: numbers that are part of the model's state but are not trained
  (BatchNorm's running mean and variance, and its batch counter);
* **sub-modules**, assigned as attributes (``self.fc = Linear(2, 3)``) and registered
  automatically, so that ``parameters()`` and ``state_dict()`` find them.

**Names and labels.** A parameter has a *name* in the model, PyTorch's: the path of its
module, the parameter's name and the entry's index, e.g. ``0.weight[3,1]`` (row 3,
column 1 of the weight of the module at position 0). :meth:`Module.named_parameters`
returns those names, and ``state_dict()`` uses the same paths in its keys.

Its ``Value.label`` carries the same name, so that drawings are readable, and is built
with the model, inside out: a module registering a parameter labels each unlabelled
entry with its name in that module (``weight[3,1]``), and a module that receives a
sub-module puts the attribute's name in front of the labels that still carry the
sub-module's own names (``0.weight[3,1]``). Labels set by hand are kept, and nothing
is relabelled afterwards: a module does not know the modules it is attached to. So a
model built the usual way (``MLP``, ``Sequential``, attributes set in ``__init__``)
has the labels of its ``named_parameters()``; a module attached to a second model
keeps the labels of the first. ``viz.draw_graph(loss, params=model)`` always uses the
model's own names, and groups the graph by module.

**Freezing.** ``module.requires_grad_(False)`` freezes every parameter of a module and of
the modules below it: training leaves them alone (fine-tuning the last layer of a
trained network, say). A Value has no room for a flag (five ``__slots__``, and a hot path
that must stay fast), so a frozen parameter is marked by its class instead: it becomes a
:class:`FrozenParameter`, the same object with the same number, label and identity, which
:func:`is_frozen` recognises. Two things follow:

* layers build their graph from :meth:`Module.in_graph`, which puts a labelled
  :class:`~autograd.Constant` copy in the place of each frozen entry, so backpropagation
  stops there: a frozen parameter's ``.grad`` stays 0, and the gradients of everything
  else are unchanged;
* optimizers skip every parameter whose ``requires_grad`` is False (a FrozenParameter's
  is), as PyTorch's skip a parameter without a gradient. ``parameters()`` still lists
  frozen parameters (PyTorch's does too), so an optimizer made before freezing, or
  unfreezing, follows the change.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple, TypeVar

from autograd import Constant, Value
from autograd.numbers import as_float
from nn._tensor import MAX_NESTING, format_shape, nested_too_deeply, shape_of, tolist

ParameterTensor = list[Value] | list[list[Value]]
"""A parameter: a vector of Values, or a matrix given as a list of rows."""

Buffer = list[float] | int
"""A buffer: a vector of floats (running statistics) or an int (a counter)."""


M = TypeVar("M", bound="Module")


class FrozenParameter(Value):
    """A parameter that training leaves alone: ``requires_grad_(False)`` turns Values into it.

    It is not a copy: the parameter's own Value changes class (and changes back with
    ``requires_grad_(True)``), keeping its number, label and identity, so ``state_dict()``,
    ``parameters()`` and an optimizer holding it all still see the same object. The class
    is the flag because a Value has no room for one, and because it travels with the Value
    (a ``copy.deepcopy`` or a pickle of a model keeps it frozen). The engine does not
    know about it: layers keep a frozen parameter out of the graph themselves (see
    :meth:`Module.in_graph`), and optimizers skip it, because its ``requires_grad`` is
    False (PyTorch's name for the flag; a plain Value has no such attribute, and
    ``getattr(p, "requires_grad", True)`` is how ``nn.optim`` asks).
    """

    __slots__ = ()

    requires_grad = False
    """PyTorch's flag, read-only here: ``Module.requires_grad_`` is the way to change it."""


def is_frozen(value: object) -> bool:
    """Whether ``value`` is a parameter frozen by ``Module.requires_grad_(False)``.

    This is PyTorch's ``not p.requires_grad``, asked of the Value. Optimizers skip the
    parameters for which it is true.

    Example:
        >>> import nn
        >>> layer = nn.Linear(2, 1, seed=0).requires_grad_(False)
        >>> [nn.is_frozen(p) for p in layer.parameters()]
        [True, True, True]
        >>> nn.is_frozen(layer.requires_grad_().weight[0][0])
        False
    """
    return isinstance(value, FrozenParameter)


def _stand_in(value: Value) -> Value:
    """What the graph gets for one parameter entry: itself, or for a frozen one a constant
    with its number and label (backpropagation stops at a constant's parents: it has none)."""
    if type(value) is FrozenParameter:
        return Constant(value.data, label=value.label)
    return value


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
        >>> name, first = model.named_parameters()[0]
        >>> name, first.label      # the name in the model, and the label drawings show
        ('hidden.weight[0,0]', 'hidden.weight[0,0]')
    """

    training: bool
    _parameters: dict[str, ParameterTensor]
    _buffers: dict[str, Buffer]
    _modules: dict[str, Module]
    _frozen: set[str]

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_modules", {})
        # The names of this module's parameters that hold a frozen entry: forward looks
        # here (a set lookup) instead of at every entry's class (see in_graph).
        object.__setattr__(self, "_frozen", set())
        object.__setattr__(self, "training", True)

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
            self._modules[name] = value
            object.__setattr__(self, name, value)
            # Labels follow the model as it is built, inside out: a parameter that still
            # carries the name nn gave it inside the sub-module gets this attribute's
            # name in front (``weight[3,1]`` becomes ``0.weight[3,1]``). Labels set by
            # hand are left alone, and nothing is relabelled later.
            for full, parameter in value.named_parameters():
                if parameter.label == full:
                    parameter.label = f"{name}.{full}"
            return
        self._modules.pop(name, None)
        if name in self._parameters:
            self.register_parameter(name, value)  # type: ignore[arg-type]
            return
        if name in self._buffers:
            self._buffers[name] = value  # type: ignore[assignment]
        object.__setattr__(self, name, value)

    def register_parameter(self, name: str, tensor: ParameterTensor) -> ParameterTensor:
        """Register a vector or matrix of Values as the parameter ``name`` (also an attribute).

        Each entry without a label is labelled with ``name`` and its index, e.g.
        ``weight[3,1]`` (row 3, column 1); labels already set are kept.

        Returns:
            ``tensor``, so that ``self.weight = self.register_parameter("weight", rows)``
            reads naturally.

        Raises:
            TypeError: if ``name`` is not a str, or an entry is not a Value.
            KeyError: if ``name`` is empty, contains ``"."`` or is already an attribute
                that is not a parameter (a method, a buffer, a sub-module), as in PyTorch.
        """
        self._check_member_name("parameter", name, self._parameters)
        entries = list(_entries(tensor))
        for index, value in entries:
            if not isinstance(value, Value):
                raise TypeError(f"parameter {name}{index} must be a Value, got {value!r}")
        for index, value in entries:
            value.label = value.label or f"{name}{index}"
        self._parameters[name] = tensor
        self._note_frozen(name)
        object.__setattr__(self, name, tensor)
        return tensor

    def register_buffer(self, name: str, value: Buffer) -> Buffer:
        """Register ``value`` (floats or an int counter) as the buffer ``name`` (also an attribute).

        Buffers are saved in ``state_dict()`` but are not parameters: no gradient,
        no optimizer.

        Raises:
            TypeError: if ``name`` is not a str.
            KeyError: if ``name`` is empty, contains ``"."`` or is already an attribute
                that is not a buffer (a method, a parameter, a sub-module), as in PyTorch.
        """
        self._check_member_name("buffer", name, self._buffers)
        self._buffers[name] = value
        object.__setattr__(self, name, value)
        return value

    def _check_member_name(self, kind: str, name: object, registry: Mapping[str, object]) -> None:
        """Refuse a name under which a ``kind`` ("parameter", "buffer") cannot be registered.

        A dotted name would read as a path in ``state_dict`` keys (``"a.b"`` is ``b`` of
        sub-module ``a``), an empty one as the module itself, and an attribute's name
        (``"forward"``, a sub-module's) would hide that attribute.
        """
        if not isinstance(name, str):
            raise TypeError(f"a {kind} name must be a str, got {type(name).__name__}: {name!r:.60}")
        if not name:
            raise KeyError(f'a {kind} name cannot be empty ""')
        if "." in name:
            raise KeyError(f'a {kind} name cannot contain ".", got {name!r}')
        if name not in registry and hasattr(self, name):
            raise KeyError(f"attribute {name!r} already exists in {type(self).__name__}")

    def add_module(self, name: str, module: Module | None) -> None:
        """Register ``module`` as the sub-module ``name``: ``setattr(self, name, module)``
        for names that are not identifiers (``"0"``), with PyTorch's checks.

        ``None`` removes a sub-module of that name and leaves the attribute None (PyTorch
        keeps a placeholder that holds nothing: the same to ``state_dict`` and
        ``parameters``).

        Raises:
            TypeError: if ``name`` is not a str or ``module`` is neither a Module nor None.
            KeyError: if ``name`` is empty, contains ``"."`` (the separator of paths such
                as ``"0.weight"``), or is already an attribute that is not a sub-module.
        """
        self._check_module_name(name, module)
        setattr(self, name, module)

    def _check_module_name(self, name: object, module: object) -> None:
        """:meth:`add_module`'s checks, without adding: containers that add several
        modules check them all first, so that a bad one leaves nothing half added."""
        if not isinstance(name, str):
            raise TypeError(f"a module name must be a str, got {type(name).__name__}: {name!r}")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{name!r} must be a Module (or None), got {type(module).__name__}")
        if not name:
            raise KeyError('a module name cannot be empty ""')
        if "." in name:
            raise KeyError(f'a module name cannot contain ".", got {name!r}')
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute {name!r} already exists in {type(self).__name__}")

    def register_module(self, name: str, module: Module | None) -> None:
        """The same as :meth:`add_module` (PyTorch has both names)."""
        self.add_module(name, module)

    def __delattr__(self, name: str) -> None:
        """``del model.fc`` removes the sub-module, parameter or buffer ``fc``, as in PyTorch."""
        self._parameters.pop(name, None)
        self._buffers.pop(name, None)
        self._modules.pop(name, None)
        self._frozen.discard(name)
        object.__delattr__(self, name)

    def _check_no_cycle(self, module: Module) -> None:
        """Refuse to make ``module`` a sub-module of itself or of one of its sub-modules."""
        if any(inner is self for inner in module.modules()):
            raise ValueError(
                f"cannot attach a {type(module).__name__} inside itself "
                "(a module cannot be its own sub-module)"
            )

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

    def get_submodule(self, target: str) -> Module:
        """The module at the path ``target``: ``model.get_submodule("0.1")`` is ``model[0][1]``.

        The path is what ``named_modules()`` and ``state_dict()`` keys use; ``""`` is the
        module itself.

        Raises:
            AttributeError: naming the part of the path that is missing (and what is
                there instead), or that is not a Module, as PyTorch's does.

        Example:
            >>> import nn
            >>> model = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.ReLU(), nn.Linear(3, 1)))
            >>> model.get_submodule("1.1")
            Linear(in_features=3, out_features=1, bias=True)
        """
        if not isinstance(target, str):
            raise TypeError(f"get_submodule takes a str path, got {type(target).__name__}")
        module: Module = self
        path = ""
        for part in target.split(".") if target else []:
            where = f"{type(module).__name__} at {path!r}" if path else type(module).__name__
            if not hasattr(module, part):
                children = ", ".join(repr(n) for n in module._modules) or "none"
                raise AttributeError(
                    f"get_submodule({target!r}): {where} has no attribute {part!r} "
                    f"(its sub-modules: {children})"
                )
            found = getattr(module, part)
            if not isinstance(found, Module):
                raise AttributeError(
                    f"get_submodule({target!r}): {part!r} in {where} is a "
                    f"{type(found).__name__}, not a Module"
                )
            module = found
            path = f"{path}.{part}" if path else part
        return module

    def apply(self: M, fn: Callable[[Module], object]) -> M:
        """Call ``fn`` on every sub-module (children first, depth first), then on this one.

        The usual use is initialisation: ``model.apply(init)``, with ``init`` a function
        that looks at the module's type and sets its numbers.

        Returns:
            This module, as PyTorch's does.

        Example:
            >>> import nn
            >>> def zero_biases(module):
            ...     if isinstance(module, nn.Linear) and module.bias is not None:
            ...         for b in module.bias:
            ...             b.data = 0.0
            >>> model = nn.MLP(2, [3, 1], seed=0).apply(zero_biases)
            >>> model[2].bias[0].data
            0.0
        """
        if not callable(fn):
            raise TypeError(f"apply takes a function of a module, got {type(fn).__name__}")
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    def parameters(self, recurse: bool = True) -> list[Value]:
        """Every parameter Value, flat, in a fixed order: this module's own parameters in
        registration order (matrices row by row), then each sub-module's, depth first.

        With ``recurse=False``, this module's own parameters only. Frozen parameters
        (see :meth:`requires_grad_`) are listed too, as in PyTorch.
        """
        return [value for _, value in self.named_parameters(recurse=recurse)]

    def named_parameters(self, prefix: str = "", recurse: bool = True) -> list[tuple[str, Value]]:
        """``(name, Value)`` for every entry of ``parameters()``, in the same order.

        The name is the entry's path from this module, e.g. ``"0.weight[3,1]"`` in a
        Sequential, ``"weight[3,1]"`` from the Linear itself (``model[0]``). The Value's
        label is the last part only, ``weight[3,1]`` (see the module docstring); pass the
        model to ``viz.draw_graph(..., params=model)`` to see the full names in a drawing.

        Args:
            prefix: put in front of every name (with a ``"."``).
            recurse: False for this module's own parameters only.
        """
        out: list[tuple[str, Value]] = []
        self._collect_parameters(f"{prefix}." if prefix else "", out, recurse)
        return out

    def _collect_parameters(
        self, prefix: str, out: list[tuple[str, Value]], recurse: bool = True
    ) -> None:
        for name, tensor in self._parameters.items():
            out.extend((f"{prefix}{name}{index}", value) for index, value in _entries(tensor))
        if recurse:
            for name, module in self._modules.items():
                module._collect_parameters(f"{prefix}{name}.", out)

    def buffers(self, recurse: bool = True) -> list[Buffer]:
        """Every buffer (running statistics, counters) of this module and those below it.

        A buffer is returned as the module holds it: a list of floats is the module's own
        list (changing it changes the module, as changing a PyTorch buffer in place
        does), an int counter is its value.
        """
        return [buffer for _, buffer in self.named_buffers(recurse=recurse)]

    def named_buffers(self, prefix: str = "", recurse: bool = True) -> list[tuple[str, Buffer]]:
        """``(name, buffer)`` for every buffer, named by its path as in ``state_dict()``.

        Example:
            >>> import nn
            >>> model = nn.MLP(2, [3, 1], batchnorm=True, seed=0)
            >>> [name for name, _ in model.named_buffers()]
            ['1.running_mean', '1.running_var', '1.num_batches_tracked']
        """
        out: list[tuple[str, Buffer]] = []
        modules = self.named_modules(prefix) if recurse else iter([(prefix, self)])
        for path, module in modules:
            out.extend(
                (f"{path}.{name}" if path else name, buffer)
                for name, buffer in module._buffers.items()
            )
        return out

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
        """Switch to evaluation mode (BatchNorm1d then uses its running statistics, and
        Dropout lets everything through)."""
        return self.train(False)

    # -- freezing -------------------------------------------------------------------

    def requires_grad_(self: M, requires_grad: bool = True) -> M:
        """Freeze (``False``) or unfreeze (``True``) every parameter of this module and of
        the modules below it.

        A frozen parameter gets no gradient (layers keep it out of the graph, see
        :meth:`in_graph`) and optimizers leave it alone; it is still in
        ``parameters()``, ``state_dict()`` and checkpoints. See the module docstring
        for how it works.

        Returns:
            This module, as PyTorch's does.

        Raises:
            TypeError: if ``requires_grad`` is not a bool, or a parameter is a Value of
                another class (a Constant, say) that cannot be marked.

        Example:
            >>> import nn
            >>> model = nn.MLP(2, [3, 1], seed=0)
            >>> _ = model[0].requires_grad_(False)       # freeze the first layer
            >>> loss = model([1.0, 2.0])[0]
            >>> loss.backward()
            >>> model[0].weight[0][0].grad, model[2].weight[0][0].grad != 0.0
            (0.0, True)
        """
        if not isinstance(requires_grad, bool):
            raise TypeError(
                f"requires_grad must be True or False, got {type(requires_grad).__name__}: "
                f"{requires_grad!r:.60}"
            )
        for module in self.modules():
            for name in module._parameters:
                module._set_requires_grad(name, requires_grad)
        return self

    def _set_requires_grad(self, name: str, requires_grad: bool) -> None:
        """Freeze or unfreeze this module's parameter ``name`` (every entry of it)."""
        target = Value if requires_grad else FrozenParameter
        entries = list(_entries(self._parameters[name]))
        for index, value in entries:
            if type(value) not in (Value, FrozenParameter):
                raise TypeError(
                    f"cannot {'un' if requires_grad else ''}freeze {name}{index}: it is a "
                    f"{type(value).__name__}, and only plain Values can be marked frozen"
                )
        for _, value in entries:
            value.__class__ = target
        self._note_frozen(name)

    def _note_frozen(self, name: str) -> None:
        """Record whether parameter ``name`` holds a frozen entry (the check in_graph makes)."""
        if any(type(v) is FrozenParameter for _, v in _entries(self._parameters[name])):
            self._frozen.add(name)
        else:
            self._frozen.discard(name)

    def in_graph(self, name: str) -> ParameterTensor:
        """The parameter ``name`` as ``forward`` should use it in the graph.

        That is the parameter itself, unless it is frozen: then each frozen entry is
        replaced by a :class:`~autograd.Constant` with the same number and label, made
        afresh at each call, so backpropagation stops there and the frozen Value's
        ``.grad`` stays 0. The built-in layers read their parameters this way; do the
        same in a ``forward`` of your own (``self.in_graph("weight")`` rather than
        ``self.weight``) for frozen parameters to get no gradient there too. (Read
        directly, a frozen parameter still receives a gradient; optimizers leave it
        alone all the same.)

        Raises:
            KeyError: if this module has no parameter ``name``.
        """
        tensor = self._parameters.get(name)
        if tensor is None:
            raise KeyError(f"{type(self).__name__} has no parameter {name!r}")
        if name not in self._frozen:
            return tensor
        items: list[Value | list[Value]] = tensor  # type: ignore[assignment]
        return [  # type: ignore[return-value]
            [_stand_in(v) for v in item] if isinstance(item, list) else _stand_in(item)
            for item in items
        ]

    # -- computing ------------------------------------------------------------------

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Compute the module's output; subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

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

    def _repr_html_(self) -> str | None:
        """Jupyter shows a module as its :func:`nn.summary` table (None: fall back to repr)."""
        from nn.summary import summary  # summary imports this module

        try:
            return summary(self)._repr_html_()
        except Exception:  # a display hook must never fail: Jupyter then shows repr()
            return None
