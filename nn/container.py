"""Modules that hold modules: :class:`Sequential`, :class:`ModuleList`, :class:`ModuleDict`.

A ``Sequential`` is a model (it calls its modules in order); a ``ModuleList`` and a
``ModuleDict`` only hold modules, so that their parameters are registered (found by
``parameters()``, saved by ``state_dict()``) while the ``forward`` of the module that
owns them decides how to call them. A plain Python list of layers would hide them:
an optimizer made from ``model.parameters()`` would never train them.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, overload

from nn.module import Module


def _check_module(module: object, owner: str, where: str) -> Module:
    """``module`` if it is a Module, else TypeError naming the container and the place."""
    if not isinstance(module, Module):
        raise TypeError(f"{owner} takes Modules, got {type(module).__name__} at {where}")
    return module


class _Numbered(Module):
    """A module whose sub-modules are named by their positions: ``"0"``, ``"1"``, ...

    Removing or inserting a module renumbers those after it (as PyTorch does), and the
    labels of their parameters that carry the old number at this level (``"2.weight[0,0]"``)
    follow; labels given further up or by hand are kept (see :mod:`nn.module`).
    """

    def _position(self, index: int) -> int:
        """``index`` (negative counts from the end) as a position, or IndexError."""
        n = len(self._modules)
        if not isinstance(index, int) or isinstance(index, bool):
            raise TypeError(
                f"{type(self).__name__} indices must be ints or slices, got {type(index).__name__}"
            )
        if not -n <= index < n:
            raise IndexError(
                f"index {index} is out of range for a {type(self).__name__} of {n} modules"
            )
        return index % n

    def _renumber(self, modules: list[Module]) -> None:
        """Hold exactly ``modules``, named ``"0"``, ``"1"``... in that order."""
        old = list(self._modules.items())
        for name, _ in old:
            if name in self.__dict__:
                object.__delattr__(self, name)
        self._modules.clear()
        old_names = {id(module): name for name, module in reversed(old)}  # first place wins
        for position, module in enumerate(modules):
            new = str(position)
            previous = old_names.get(id(module))
            if previous is not None and previous != new:
                for full, parameter in module.named_parameters():
                    if parameter.label == f"{previous}.{full}":
                        parameter.label = f"{new}.{full}"
            setattr(self, new, module)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(list(self._modules.values()))

    def __delitem__(self, index: int | slice) -> None:
        modules = list(self._modules.values())
        if isinstance(index, slice):
            del modules[index]
        else:
            del modules[self._position(index)]
        self._renumber(modules)

    def __setitem__(self, index: int, module: Module) -> None:
        position = self._position(index)
        _check_module(module, type(self).__name__, f"position {position}")
        setattr(self, str(position), module)

    def append(self, module: Module) -> Any:
        """Add ``module`` at the end (named by its position); returns self."""
        _check_module(module, type(self).__name__, f"position {len(self._modules)}")
        setattr(self, str(len(self._modules)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> Any:
        """Append each of ``modules`` in order; returns self.

        Raises:
            TypeError: for something that is not a Module (naming its position);
                ValueError: for a module that holds this container. All are checked
                before any is appended.
        """
        if not isinstance(modules, Iterable):
            raise TypeError(
                f"{type(self).__name__}.extend takes an iterable of Modules, got "
                f"{type(modules).__name__} (use append for one module)"
            )
        modules = list(modules)
        start = len(self._modules)
        for j, module in enumerate(modules):
            _check_module(module, type(self).__name__, f"position {start + j}")
            self._check_no_cycle(module)
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> None:
        """Put ``module`` before position ``index`` (as ``list.insert``), renumbering the rest."""
        _check_module(module, type(self).__name__, f"insert({index})")
        modules = list(self._modules.values())
        modules.insert(index, module)
        self._check_no_cycle(module)
        self._renumber(modules)

    def pop(self, index: int = -1) -> Module:
        """Remove the module at ``index`` (the last by default) and return it."""
        modules = list(self._modules.values())
        module = modules.pop(self._position(index))
        self._renumber(modules)
        return module


class Sequential(_Numbered):
    """Apply modules one after another: ``Sequential(a, b, c)(x) == c(b(a(x)))``.

    The modules are registered as ``"0"``, ``"1"``, ``"2"``..., so the parameters of the
    first one are named ``0.weight``, ``0.bias``, as in PyTorch. Given one
    ``OrderedDict`` of names to modules instead, it uses those names.

    Like a list it can be indexed (a slice is a Sequential that keeps the names and
    shares the modules), iterated, and changed with ``append``, ``extend``, ``insert``,
    ``pop`` and ``del``.

    Example:
        >>> import nn
        >>> model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.ReLU(), nn.Linear(3, 1, seed=1))
        >>> model
        Sequential(
          (0): Linear(in_features=2, out_features=3, bias=True)
          (1): ReLU()
          (2): Linear(in_features=3, out_features=1, bias=True)
        )
        >>> model.named_parameters()[-1][0]    # its name in the model
        '2.bias[0]'
        >>> model[2].bias[0].label              # its label: the same name, for drawings
        '2.bias[0]'
        >>> from collections import OrderedDict
        >>> list(nn.Sequential(OrderedDict(hidden=nn.Linear(2, 3), act=nn.Tanh())).state_dict())
        ['hidden.weight', 'hidden.bias']
    """

    @overload
    def __init__(self, *args: Module) -> None: ...
    @overload
    def __init__(self, arg: OrderedDict[str, Module], /) -> None: ...
    def __init__(self, *args: Any) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, module in args[0].items():
                self.add_module(name, _check_module(module, "Sequential", repr(name)))
            return
        for module in args:
            self.append(module)

    def forward(self, x: Any) -> Any:
        for module in self._modules.values():
            x = module(x)
        return x

    @overload
    def __getitem__(self, index: int) -> Module: ...
    @overload
    def __getitem__(self, index: slice) -> Sequential: ...
    def __getitem__(self, index: int | slice) -> Module | Sequential:
        if isinstance(index, slice):
            # Like PyTorch, a slice keeps the modules' names ("2", "3"...), so its
            # state_dict keys match the model's. It shares the modules with the model.
            part = Sequential()
            for name, module in list(self._modules.items())[index]:
                setattr(part, name, module)
            return part
        return list(self._modules.values())[self._position(index)]


class ModuleList(_Numbered):
    """A list of modules whose parameters belong to the module that holds it.

    Use it in a module of your own where a Python list would do, so that
    ``parameters()``, ``state_dict()`` (keys ``"layers.0.weight"``...), ``train()`` and
    ``requires_grad_()`` reach the modules. It has no ``forward``: the owner's decides.
    It supports ``len``, iteration, indexing (a slice is a new ModuleList, numbered from
    0 as in PyTorch), ``append``, ``extend``, ``insert``, ``pop``, ``del`` and ``+=``.

    Args:
        modules: modules to start with, in order.

    Example:
        >>> import nn
        >>> class Deep(nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.layers = nn.ModuleList(nn.Linear(2, 2, seed=i) for i in range(3))
        ...     def forward(self, x):
        ...         for layer in self.layers:
        ...             x = nn.functional.relu(layer(x))
        ...         return x
        >>> model = Deep()
        >>> len(model.parameters()), list(model.state_dict())[:2]
        (18, ['layers.0.weight', 'layers.0.bias'])
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    @overload
    def __getitem__(self, index: int) -> Module: ...
    @overload
    def __getitem__(self, index: slice) -> ModuleList: ...
    def __getitem__(self, index: int | slice) -> Module | ModuleList:
        modules = list(self._modules.values())
        if isinstance(index, slice):
            return ModuleList(modules[index])
        return modules[self._position(index)]

    def __iadd__(self, modules: Iterable[Module]) -> ModuleList:
        return self.extend(modules)  # type: ignore[no-any-return]

    def __add__(self, other: Iterable[Module]) -> ModuleList:
        return ModuleList([*self, *other])


class ModuleDict(Module):
    """A dict of modules by name whose parameters belong to the module that holds it.

    Like :class:`ModuleList` but keyed by name (``state_dict`` keys such as
    ``"heads.age.weight"``), in insertion order. It works like a dict: ``d[key]``,
    ``d[key] = module``, ``del d[key]``, ``in``, ``len``, iteration over the keys,
    ``keys()``, ``values()``, ``items()``, ``update()``, ``pop()``, ``clear()``. Keys are
    module names: non-empty strs without ``"."``, and not the name of an attribute every
    module has (``"training"``, ``"forward"``...), as in PyTorch.

    Args:
        modules: a mapping of names to modules, or an iterable of ``(name, module)`` pairs.

    Example:
        >>> import nn
        >>> heads = nn.ModuleDict({"left": nn.Linear(2, 1), "right": nn.Linear(2, 1)})
        >>> list(heads), list(heads.state_dict())
        (['left', 'right'], ['left.weight', 'left.bias', 'right.weight', 'right.bias'])
    """

    def __init__(
        self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None
    ) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def _missing(self, key: object) -> KeyError:
        keys = ", ".join(repr(k) for k in self._modules) or "none"
        return KeyError(f"ModuleDict has no module {key!r} (its keys: {keys})")

    def __getitem__(self, key: str) -> Module:
        if not isinstance(key, str) or key not in self._modules:
            raise self._missing(key)
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, _check_module(module, "ModuleDict", repr(key)))

    def __delitem__(self, key: str) -> None:
        if not isinstance(key, str) or key not in self._modules:
            raise self._missing(key)
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._modules))

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def keys(self) -> list[str]:
        """The names, in insertion order."""
        return list(self._modules)

    def values(self) -> list[Module]:
        """The modules, in insertion order."""
        return list(self._modules.values())

    def items(self) -> list[tuple[str, Module]]:
        """``(name, module)`` pairs, in insertion order."""
        return list(self._modules.items())

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        """Add (or replace) modules from a mapping or from ``(name, module)`` pairs.

        Raises:
            TypeError: for something that is neither, a pair that is not one, or a
                value that is not a Module; KeyError: for a name :meth:`add_module`
                refuses. All are checked before any module is added.
        """
        if isinstance(modules, (Mapping, ModuleDict)):
            pairs = list(modules.items())
        elif isinstance(modules, Iterable) and not isinstance(modules, (str, Module)):
            pairs = []
            for j, pair in enumerate(modules):
                if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                    raise TypeError(
                        f"ModuleDict.update: element {j} must be a (name, module) pair, "
                        f"got {type(pair).__name__}"
                    )
                pairs.append((pair[0], pair[1]))
        else:
            raise TypeError(
                "ModuleDict.update takes a mapping or (name, module) pairs, got "
                f"{type(modules).__name__}"
            )
        for key, module in pairs:  # all of them first: a bad one leaves nothing half added
            self._check_module_name(key, _check_module(module, "ModuleDict", repr(key)))
            self._check_no_cycle(module)
        for key, module in pairs:
            self[key] = module

    def pop(self, key: str) -> Module:
        """Remove the module named ``key`` and return it."""
        module = self[key]
        del self[key]
        return module

    def clear(self) -> None:
        """Remove every module."""
        for key in list(self._modules):
            del self[key]
