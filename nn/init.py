"""Reproducible random initialisation: :func:`manual_seed` and the default generator.

Every layer that draws random numbers takes them from one generator. It is the
module-level default (reseeded by :func:`manual_seed`, like ``torch.manual_seed``)
unless the layer is given ``seed=``: an int makes a private generator seeded with it,
and a ``random.Random`` is used as it is (``MLP(seed=...)`` hands one generator to all
of its layers, so the whole network depends on the one seed).
"""

from __future__ import annotations

import math
import random

_default = random.Random()

Seed = int | random.Random | None
"""What ``seed=`` arguments accept: None (the default generator), an int, or a generator."""


def manual_seed(seed: int) -> random.Random:
    """Reseed the default generator, so that the layers built next are reproducible.

    Args:
        seed: any int.

    Returns:
        The default generator.

    Example:
        >>> import nn
        >>> _ = nn.manual_seed(0); a = nn.Linear(2, 1).weight[0][0].data
        >>> _ = nn.manual_seed(0); b = nn.Linear(2, 1).weight[0][0].data
        >>> a == b
        True
    """
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}: {seed!r}")
    _default.seed(seed)
    return _default


def generator(seed: Seed = None) -> random.Random:
    """The generator a ``seed=`` argument stands for (see the module docstring)."""
    if seed is None:
        return _default
    if isinstance(seed, random.Random):
        return seed
    if isinstance(seed, int) and not isinstance(seed, bool):
        return random.Random(seed)
    raise TypeError(f"seed must be None, an int or a random.Random, got {type(seed).__name__}")


def uniform_bound(fan_in: int) -> float:
    """PyTorch's default bound for Linear weights and biases: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).

    (PyTorch writes it as Kaiming-uniform with a = sqrt(5), which reduces to this.)
    """
    return 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
