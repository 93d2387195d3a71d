"""Ready-made models: :class:`MLP` and :class:`LogisticRegression`."""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any, TypeGuard

from nn import init
from nn._tensor import tolist
from nn.activation import ACTIVATIONS, Sigmoid
from nn.batchnorm import BatchNorm1d
from nn.container import Sequential
from nn.linear import Linear
from nn.module import IncompatibleKeys, Module


class MLP(Sequential):
    """A multi-layer perceptron: Linear [-> BatchNorm1d] -> activation, then a last Linear.

    ``MLP(2, [16, 16, 1])`` is ``Linear(2, 16), ReLU, Linear(16, 16), ReLU,
    Linear(16, 1)``, micrograd's demo network; with ``batchnorm=True`` each hidden
    Linear is followed by a ``BatchNorm1d`` before its activation. The last layer has
    no activation: its outputs are scores (logits); apply a loss that expects them,
    or a Sigmoid.

    With ``batchnorm=True`` the hidden Linear layers have no bias (``bias=False``), as
    PyTorch users write it: BatchNorm subtracts the batch mean, which removes any
    constant added before it, so such a bias would get a gradient of 0 (up to rounding)
    and never change; BatchNorm's own shift (its ``bias``, beta) takes its role.

    Note:
        The same ``seed`` gives the same weights with and without ``batchnorm``: the
        random numbers a hidden layer's bias would have taken are drawn and dropped.
        Checkpoints saved before this change, which hold those biases (``0.bias``
        before ``1.running_mean``), still load: :meth:`load_state_dict` folds each such
        bias into the running mean after it, so eval-mode outputs stay the same to
        rounding (training-mode outputs never depended on it).

    Args:
        nin: the number of input features.
        nouts: the width of each layer; the last entry is the number of outputs.
        activation: "relu", "tanh", "sigmoid" or "leaky_relu" (see :data:`nn.ACTIVATIONS`).
        batchnorm: whether to put a BatchNorm1d after each hidden Linear.
        seed: None (the default generator, see :func:`nn.manual_seed`) or an int: one
            generator seeded with it initialises all layers, in order.

    Raises:
        ValueError: for an empty ``nouts``, a width below 1 or an unknown activation.

    Example:
        >>> import nn
        >>> model = nn.MLP(2, [16, 16, 1], seed=0)
        >>> [name for name, _ in model.named_children()]
        ['0', '1', '2', '3', '4']
        >>> len(model.parameters())      # 2*16+16 + 16*16+16 + 16+1
        337
        >>> len(model([0.5, -1.0]))      # one row in, one row of 1 output out
        1
        >>> nn.MLP(2, [3, 1], batchnorm=True)[0]   # its bias would do nothing before BatchNorm
        Linear(in_features=2, out_features=3, bias=False)
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str = "relu",
        batchnorm: bool = False,
        seed: int | None = None,
    ) -> None:
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}"
            )
        nouts = list(nouts)
        if not nouts:
            raise ValueError("MLP needs at least one layer width in nouts, got []")
        rng = init.generator(seed)
        layers: list[Module] = []
        sizes = [nin, *nouts]
        for i in range(len(nouts)):
            before_batchnorm = batchnorm and i < len(nouts) - 1
            layers.append(Linear(sizes[i], sizes[i + 1], bias=not before_batchnorm, seed=rng))
            if before_batchnorm:
                for _ in range(sizes[i + 1]):  # the dropped biases' draws: same seed, same weights
                    rng.random()
            if i < len(nouts) - 1:
                if batchnorm:
                    layers.append(BatchNorm1d(sizes[i + 1]))
                layers.append(ACTIVATIONS[activation]())
        super().__init__(*layers)
        self.nin = nin
        self.nouts = nouts

    def load_state_dict(
        self, state_dict: Mapping[str, Any], strict: bool = True
    ) -> IncompatibleKeys:
        """As :meth:`Module.load_state_dict`, and also reads the layout of older gradstep
        versions, whose ``MLP(batchnorm=True)`` had a bias in each hidden Linear.

        Such a bias ``b`` is folded into the BatchNorm1d after it: ``running_mean - b``
        replaces ``running_mean``, since in eval mode ``(Wx + b) - running_mean`` equals
        ``Wx - (running_mean - b)``; in training mode the batch mean removed ``b``
        anyway. A bias that does not fit (wrong length, not numbers) is left in place,
        and is then reported as an unexpected key.
        """
        if isinstance(state_dict, Mapping):
            state_dict = self._fold_old_biases(state_dict)
        return super().load_state_dict(state_dict, strict=strict)

    def _fold_old_biases(self, state_dict: Mapping[str, Any]) -> Mapping[str, Any]:
        """``state_dict`` with every old pre-BatchNorm bias folded into its running mean."""
        layers = list(self)
        folded = dict(state_dict)
        for i, (layer, after) in enumerate(itertools.pairwise(layers)):
            bias_key, mean_key = f"{i}.bias", f"{i + 1}.running_mean"
            if not (isinstance(layer, Linear) and layer.bias is None):
                continue
            if not isinstance(after, BatchNorm1d) or bias_key not in folded:
                continue
            bias, mean = tolist(folded[bias_key]), tolist(folded.get(mean_key))
            n = layer.out_features
            if _numbers_of_length(bias, n) and _numbers_of_length(mean, n):
                folded[mean_key] = [m - b for m, b in zip(mean, bias, strict=True)]
                del folded[bias_key]
        return folded


def _numbers_of_length(x: object, n: int) -> TypeGuard[list[float]]:
    """Whether ``x`` is a list of ``n`` finite real numbers (bools excluded); anything else
    is left for :meth:`Module.load_state_dict` to refuse with its own message."""
    return isinstance(x, list) and len(x) == n and all(_finite(v) for v in x)


def _finite(v: object) -> bool:
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        return False
    try:
        return math.isfinite(float(v))
    except OverflowError:  # an integer beyond the float range
        return False


class LogisticRegression(Sequential):
    """Logistic regression: p = sigmoid(w . x + b), the probability of class 1.

    A ``Sequential(Linear(nin, 1), Sigmoid())``; train it with
    :func:`nn.binary_cross_entropy` on 0/1 targets.

    Args:
        nin: the number of input features.
        seed: as for :class:`Linear`.

    Example:
        >>> import nn
        >>> model = nn.LogisticRegression(2, seed=0)
        >>> model
        LogisticRegression(
          (0): Linear(in_features=2, out_features=1, bias=True)
          (1): Sigmoid()
        )
        >>> 0.0 < model([1.0, 2.0])[0].data < 1.0
        True
    """

    def __init__(self, nin: int, seed: init.Seed = None) -> None:
        super().__init__(Linear(nin, 1, seed=seed), Sigmoid())
