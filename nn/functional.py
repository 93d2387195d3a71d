"""``nn.functional``: the layers and losses as functions, as in ``torch.nn.functional``.

A module such as ``nn.ReLU()`` is an object you put in a model; its function
``nn.functional.relu(x)`` computes the same thing where you write the computation
yourself, in the ``forward`` of a module of your own. The arguments are PyTorch's
(``input``, ``negative_slope``, ``p``, ``training``...), and so are the numbers.

Like the modules, the activations take one row (a list of numbers or Values) or a batch
(a list of rows) and answer in kind, one node per entry. The losses are the functions
of :mod:`nn.losses` themselves (``nn.functional.mse_loss is nn.mse_loss``).

``inplace=True`` is accepted everywhere PyTorch has it and changes nothing: an op on
Values always makes a new node, which is how the graph remembers the computation.

Example:
    >>> import nn
    >>> import nn.functional as F
    >>> [v.data for v in F.relu([-1.0, 2.0])]
    [0.0, 2.0]
    >>> F.mse_loss([1.0, 2.0], [0.0, 4.0]).data
    2.5
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable

from autograd import Value
from autograd import linear as _linear_nodes
from autograd.value import lift
from nn import init
from nn._tensor import as_batch, check_width
from nn.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    mse_loss,
)

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "dropout",
    "hinge_loss",
    "leaky_relu",
    "linear",
    "mse_loss",
    "relu",
    "sigmoid",
    "tanh",
]

Tensor = list[Value] | list[list[Value]]
"""What the functions return: a row of Values, or a batch of rows."""


def elementwise(input: object, f: Callable[[Value], Value], what: str) -> Tensor:  # noqa: A002
    """``f`` applied to every entry of a row or of each row of a batch (numbers lifted).

    Raises:
        ValueError: if ``input`` is neither a row nor a batch of rows.
    """
    rows, single = as_batch(input, f"{what} input")
    out = [[f(v if isinstance(v, Value) else lift(v)) for v in row] for row in rows]
    return out[0] if single else out


def check_flag(name: str, value: object) -> bool:
    """``value`` if it is a bool, else TypeError (``ReLU(0.1)`` is a slip, not a flag)."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__}: {value!r:.60}")
    return value


def check_slope(negative_slope: object) -> float:
    """``negative_slope`` as a float, or TypeError / ValueError naming it."""
    if isinstance(negative_slope, bool) or not isinstance(negative_slope, numbers.Real):
        raise TypeError(f"negative_slope must be a number, got {negative_slope!r}")
    if not math.isfinite(negative_slope):
        raise ValueError(f"negative_slope must be a finite number, got {negative_slope!r}")
    return float(negative_slope)


def check_probability(p: object) -> float:
    """A dropout probability as a float, or TypeError / ValueError (PyTorch's rule: [0, 1])."""
    if isinstance(p, bool) or not isinstance(p, numbers.Real):
        raise TypeError(
            f"dropout probability p must be a number, got {type(p).__name__}: {p!r:.60}"
        )
    try:
        probability = float(p)
    except OverflowError:  # an int beyond the float range: far outside [0, 1] anyway
        probability = math.inf
    if not 0.0 <= probability <= 1.0:  # NaN too
        # An int of 400 digits would fill the screen: its first digits say enough.
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p!r:.60}")
    return probability


def relu(input: object, inplace: bool = False) -> Tensor:  # noqa: A002
    """relu(x) = max(0, x) for every entry; derivative 1 for x > 0, else 0 (also at 0).

    Example:
        >>> import nn.functional as F
        >>> [v.data for v in F.relu([-1.0, 0.0, 2.5])]
        [0.0, 0.0, 2.5]
    """
    check_flag("inplace", inplace)
    return elementwise(input, Value.relu, "relu")


def tanh(input: object) -> Tensor:  # noqa: A002
    """tanh(x) for every entry, in (-1, 1); derivative 1 - tanh(x)**2."""
    return elementwise(input, Value.tanh, "tanh")


def sigmoid(input: object) -> Tensor:  # noqa: A002
    """sigmoid(x) = 1 / (1 + e**-x) for every entry, in (0, 1); derivative s(1 - s)."""
    return elementwise(input, Value.sigmoid, "sigmoid")


def leaky_relu(
    input: object,  # noqa: A002
    negative_slope: float = 0.01,
    inplace: bool = False,
) -> Tensor:
    """x for x > 0, else negative_slope * x, for every entry (the slope is the derivative at 0).

    Example:
        >>> import nn.functional as F
        >>> [v.data for v in F.leaky_relu([-2.0, 3.0], 0.1)]
        [-0.2, 3.0]
    """
    slope = check_slope(negative_slope)
    check_flag("inplace", inplace)
    return elementwise(input, lambda v: v.leaky_relu(slope), "leaky_relu")


def dropout(
    input: object,  # noqa: A002
    p: float = 0.5,
    training: bool = True,
    inplace: bool = False,
    *,
    seed: init.Seed = None,
) -> Tensor:
    """Zero each entry with probability ``p`` and scale the others by 1 / (1 - p), in training.

        y = x * m / (1 - p),    m = 0 with probability p, else 1 (one draw per entry)

    The scaling ("inverted dropout") keeps the expected value of every entry, E[y] = x,
    so nothing needs rescaling at evaluation, where dropout does nothing. The mask is a
    constant times each input, so backpropagation sends d/dx = m / (1 - p): 0 through a
    dropped entry, 1 / (1 - p) through a kept one. With p = 1 everything is dropped
    (the output is 0, with no division by zero); with p = 0 or ``training=False`` the
    input comes back unchanged (its Values themselves; numbers become constants).

    Args:
        input: a row or a batch of rows.
        p: the probability of dropping an entry, in [0, 1].
        training: apply dropout (True, the default as in PyTorch) or let everything
            through (False; ``nn.Dropout`` passes its module's mode here).
        inplace: accepted, and changes nothing.
        seed: (keyword only, gradstep's) where the mask's random numbers come from: None
            for the default generator (see :func:`nn.manual_seed`), an int for a new
            generator seeded with it (so the same mask at every call), or a
            ``random.Random``. Entries are drawn row by row, left to right.

    Raises:
        ValueError: if p is outside [0, 1] (as PyTorch), or for input that is not a
            row or a batch.

    Example:
        >>> import nn.functional as F
        >>> [v.data for v in F.dropout([1.0, 2.0, 3.0, 4.0], p=0.5, seed=0)]
        [2.0, 4.0, 0.0, 0.0]
        >>> [v.data for v in F.dropout([1.0, 2.0], p=0.5, training=False)]
        [1.0, 2.0]
    """
    p = check_probability(p)
    check_flag("training", training)
    check_flag("inplace", inplace)
    if not training or p == 0.0:
        return elementwise(input, lambda v: v, "dropout")
    rng = init.generator(seed)
    draw = rng.random
    scale = 1.0 / (1.0 - p) if p < 1.0 else 0.0
    # random() is in [0, 1): "kept" has probability 1 - p, and p = 1 keeps nothing.
    return elementwise(input, lambda v: v * (scale if draw() >= p else 0.0), "dropout")


def linear(
    input: object,  # noqa: A002
    weight: list[list[Value]] | list[list[float]],
    bias: list[Value] | list[float] | None = None,
) -> Tensor:
    """y = W x + b for one row or each row of a batch, with W given as rows (PyTorch's layout).

    ``weight`` is ``out_features`` rows of ``in_features`` numbers or Values (numbers
    become constants), ``bias`` has ``out_features`` entries. Each output is one ``dot``
    node, as in :class:`nn.Linear`.

    Raises:
        ValueError: for rows of the wrong width, or a bias of the wrong length.

    Example:
        >>> import nn.functional as F
        >>> [v.data for v in F.linear([1.0, 2.0], [[1.0, 1.0], [0.5, -1.0]], [0.0, 1.0])]
        [3.0, -0.5]
    """
    rows, single = as_batch(input, "linear input")
    weights = [[lift(w) for w in row] for row in weight]
    if not weights:
        raise ValueError("linear needs at least one row of weights, got none")
    for i, row in enumerate(weights):
        if len(row) != len(weights[0]):
            raise ValueError(
                f"linear: weight row {i} has {len(row)} entries, row 0 has {len(weights[0])}: "
                "weight must be out_features rows of in_features numbers"
            )
    check_width(rows, len(weights[0]), "linear")
    biases = None if bias is None else [lift(b) for b in bias]
    out = _linear_nodes(weights, rows, biases)
    return out[0] if single else out
