"""Ready-made models: :class:`MLP` and :class:`LogisticRegression`."""

from __future__ import annotations

from collections.abc import Sequence

from nn import init
from nn.activation import ACTIVATIONS, Sigmoid
from nn.batchnorm import BatchNorm1d
from nn.container import Sequential
from nn.linear import Linear
from nn.module import Module


class MLP(Sequential):
    """A multi-layer perceptron: Linear [-> BatchNorm1d] -> activation, then a last Linear.

    ``MLP(2, [16, 16, 1])`` is ``Linear(2, 16), ReLU, Linear(16, 16), ReLU,
    Linear(16, 1)``, micrograd's demo network; with ``batchnorm=True`` each hidden
    Linear is followed by a ``BatchNorm1d`` before its activation. The last layer has
    no activation: its outputs are scores (logits); apply a loss that expects them,
    or a Sigmoid.

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
            layers.append(Linear(sizes[i], sizes[i + 1], seed=rng))
            if i < len(nouts) - 1:
                if batchnorm:
                    layers.append(BatchNorm1d(sizes[i + 1]))
                layers.append(ACTIVATIONS[activation]())
        super().__init__(*layers)
        self.nin = nin
        self.nouts = nouts


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
