"""Elementwise activation functions as modules: ReLU, Tanh, Sigmoid, LeakyReLU.

Each applies one engine op to every entry of a row or of each row of a batch, and
records one node per entry; :mod:`nn.functional` has the same computations as
functions. They have no parameters. :data:`ACTIVATIONS` names them for everything that
picks an activation by name (``MLP(activation=...)``, the ``gradstep`` command).
"""

from __future__ import annotations

from collections.abc import Callable

from autograd import Value
from nn import functional
from nn.module import Module


class _Elementwise(Module):
    """Applies :meth:`function` to every entry; a row in gives a row out, a batch a batch."""

    def function(self) -> Callable[[Value], Value]:
        """The function of one Value that this module applies, e.g. ``Value.relu``."""
        raise NotImplementedError

    def forward(self, x: object) -> list[Value] | list[list[Value]]:
        return functional.elementwise(x, self.function(), type(self).__name__)


class ReLU(_Elementwise):
    """relu(x) = max(0, x); derivative 1 for x > 0, else 0 (also at 0, as in PyTorch).

    Args:
        inplace: accepted for PyTorch's sake; it changes nothing (an op on Values
            always makes a new node: that is how the graph remembers it).

    Example:
        >>> import nn
        >>> [v.data for v in nn.ReLU()([-1.0, 0.0, 2.5])]
        [0.0, 0.0, 2.5]
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = functional.check_flag("inplace", inplace)

    def function(self) -> Callable[[Value], Value]:
        return Value.relu

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Tanh(_Elementwise):
    """tanh(x), in (-1, 1); derivative 1 - tanh(x)**2.

    Example:
        >>> import nn
        >>> [round(v.data, 4) for v in nn.Tanh()([0.0, 1.0])]
        [0.0, 0.7616]
    """

    def function(self) -> Callable[[Value], Value]:
        return Value.tanh


class Sigmoid(_Elementwise):
    """sigmoid(x) = 1 / (1 + e**-x), in (0, 1); derivative s(1 - s).

    Example:
        >>> import nn
        >>> [v.data for v in nn.Sigmoid()([0.0])]
        [0.5]
    """

    def function(self) -> Callable[[Value], Value]:
        return Value.sigmoid


class LeakyReLU(_Elementwise):
    """x for x > 0, else negative_slope * x; a relu whose gradient never vanishes entirely.

    Args:
        negative_slope: the slope for x <= 0 (PyTorch's default 0.01); the derivative
            at 0 is this slope, as in PyTorch.
        inplace: accepted, and changes nothing (see :class:`ReLU`).

    Example:
        >>> import nn
        >>> [v.data for v in nn.LeakyReLU(0.1)([-2.0, 3.0])]
        [-0.2, 3.0]
    """

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = functional.check_slope(negative_slope)
        self.inplace = functional.check_flag("inplace", inplace)

    def function(self) -> Callable[[Value], Value]:
        slope = self.negative_slope
        return lambda v: v.leaky_relu(slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


ACTIVATIONS: dict[str, type[Module]] = {
    "relu": ReLU,
    "tanh": Tanh,
    "sigmoid": Sigmoid,
    "leaky_relu": LeakyReLU,
}
"""The activations by name: ``ACTIVATIONS["tanh"]()`` is a :class:`Tanh` module.

Example:
    >>> import nn
    >>> list(nn.ACTIVATIONS)
    ['relu', 'tanh', 'sigmoid', 'leaky_relu']
"""
