"""Modules in a row: :class:`Sequential`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, overload

from nn.module import Module


class Sequential(Module):
    """Apply modules one after another: ``Sequential(a, b, c)(x) == c(b(a(x)))``.

    The modules are registered as ``"0"``, ``"1"``, ``"2"``..., so the parameters of the
    first one are named ``0.weight``, ``0.bias``, as in PyTorch.

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
    """

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        for module in modules:
            self.append(module)

    def append(self, module: Module) -> Sequential:
        """Add ``module`` at the end (named by its position); returns self."""
        if not isinstance(module, Module):
            raise TypeError(
                f"Sequential takes Modules, got {type(module).__name__} "
                f"at position {len(self._modules)}"
            )
        setattr(self, str(len(self._modules)), module)
        return self

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
        modules = list(self._modules.values())
        try:
            return modules[index]
        except IndexError:
            raise IndexError(
                f"index {index} is out of range for a Sequential of {len(modules)} modules"
            ) from None

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())
