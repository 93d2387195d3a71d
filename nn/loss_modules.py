"""The losses as modules: :class:`MSELoss`, :class:`BCELoss`, :class:`BCEWithLogitsLoss`,
:class:`CrossEntropyLoss`, as in PyTorch.

A loss module holds its options (``reduction``, weights...) and computes its function of
:mod:`nn.losses` when called: ``criterion = nn.CrossEntropyLoss(label_smoothing=0.1)``
once, then ``loss = criterion(model(X), y)`` at every step, exactly as in PyTorch. It has
no parameters. ``nn.fit(loss=nn.BCEWithLogitsLoss())`` works as ``loss=`` with the
function does, accuracy included.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from autograd import Value
from nn import losses
from nn.losses import Reduction, Terms
from nn.module import Module


class _Loss(Module):
    """A loss module: ``forward(input, target)`` is :attr:`loss_function` with the options.

    Attributes:
        reduction: "mean", "sum" or "none", settable (the deprecated ``size_average``
            and ``reduce`` of the constructor are turned into it, as in PyTorch).
        loss_function: the function of :mod:`nn.losses` this module computes.
    """

    loss_function: ClassVar[Callable[..., Value | Terms]]

    def __init__(
        self, size_average: bool | None, reduce: bool | None, reduction: Reduction
    ) -> None:
        super().__init__()
        self.reduction = losses.resolve_reduction(
            reduction, size_average, reduce, type(self).__name__
        )

    def options(self) -> dict[str, Any]:
        """The keyword arguments this module passes to its function besides ``reduction``."""
        return {}

    def forward(self, input: object, target: object) -> Any:  # noqa: A002 - PyTorch's name
        """The loss of predictions ``input`` against ``target`` (a Value, or a list for "none")."""
        function = type(self).loss_function
        return function(input, target, reduction=self.reduction, **self.options())

    def extra_repr(self) -> str:
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    """Mean squared error as a module: :func:`nn.mse_loss`.

    Args:
        size_average, reduce: PyTorch's deprecated pair; leave them None.
        reduction: "mean", "sum" or "none".

    Example:
        >>> import nn
        >>> criterion = nn.MSELoss()
        >>> criterion([1.0, 2.0], [0.0, 4.0]).data
        2.5
        >>> [v.data for v in nn.MSELoss(reduction="none")([1.0, 2.0], [0.0, 4.0])]
        [1.0, 4.0]
    """

    loss_function = staticmethod(losses.mse_loss)

    def __init__(
        self,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: Reduction = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)


class BCELoss(_Loss):
    """Binary cross-entropy of probabilities as a module: :func:`nn.binary_cross_entropy`.

    Args:
        weight: None, or a weight per prediction (see the function).
        size_average, reduce: PyTorch's deprecated pair; leave them None.
        reduction: "mean", "sum" or "none".

    Example:
        >>> import nn
        >>> round(nn.BCELoss()([0.9, 0.2], [1, 0]).data, 6)
        0.164252
    """

    loss_function = staticmethod(losses.binary_cross_entropy)

    def __init__(
        self,
        weight: object = None,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: Reduction = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.weight = weight

    def options(self) -> dict[str, Any]:
        return {"weight": self.weight}


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy of raw scores as a module: :func:`nn.binary_cross_entropy_with_logits`.

    Args:
        weight: None, or a weight per prediction.
        size_average, reduce: PyTorch's deprecated pair; leave them None.
        reduction: "mean", "sum" or "none".
        pos_weight: None, or the weight of the positive part (one number, or one per
            column): raise it above 1 when positives are rare.

    Example:
        >>> import nn
        >>> nn.BCEWithLogitsLoss()([1000.0, -1000.0], [1, 0]).data
        0.0
    """

    loss_function = staticmethod(losses.binary_cross_entropy_with_logits)

    def __init__(
        self,
        weight: object = None,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: Reduction = "mean",
        pos_weight: object = None,
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.weight = weight
        self.pos_weight = pos_weight

    def options(self) -> dict[str, Any]:
        return {"weight": self.weight, "pos_weight": self.pos_weight}


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy of rows of logits against class indices: :func:`nn.cross_entropy`.

    Args:
        weight: None, or one weight per class.
        size_average, reduce: PyTorch's deprecated pair; leave them None.
        ignore_index: a target value that marks a row to skip (-100).
        reduction: "mean", "sum" or "none" (one term per row).
        label_smoothing: e in [0, 1], spread over the classes.

    Example:
        >>> import nn
        >>> criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
        >>> round(criterion([[2.0, 0.0, 0.0]], [0]).data, 6)
        0.372878
    """

    loss_function = staticmethod(losses.cross_entropy)

    def __init__(
        self,
        weight: object = None,
        size_average: bool | None = None,
        ignore_index: int = -100,
        reduce: bool | None = None,
        reduction: Reduction = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.weight = weight
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def options(self) -> dict[str, Any]:
        return {
            "weight": self.weight,
            "ignore_index": self.ignore_index,
            "label_smoothing": self.label_smoothing,
        }

    def extra_repr(self) -> str:
        parts = [super().extra_repr()] if self.reduction != "mean" else []
        if self.label_smoothing:
            parts.append(f"label_smoothing={self.label_smoothing}")
        return ", ".join(parts)
