"""Dropout: :class:`Dropout`, which zeroes random entries in training (a regulariser)."""

from __future__ import annotations

from typing import Any

from nn import functional, init
from nn.module import Module


class Dropout(Module):
    """In training, zero each entry with probability ``p`` and scale the rest by 1 / (1 - p).

        y = x * m / (1 - p),    m ~ Bernoulli(1 - p), a new mask at every call

    A network trained this way cannot rely on any single unit, which makes it generalise
    better. The scaling ("inverted dropout") keeps every entry's expected value, so in
    eval mode (``model.eval()``) dropout simply lets everything through. Gradients flow
    through the kept entries only, scaled the same way (see
    :func:`nn.functional.dropout`).

    Args:
        p: the probability of dropping an entry, in [0, 1]; p = 1 drops everything
            (the output is 0, with no division by zero).
        inplace: accepted for PyTorch's sake; it changes nothing.
        seed: (keyword only, gradstep's) the masks' random numbers: None draws them from
            the default generator, at each call (so :func:`nn.manual_seed` makes a run
            reproducible); an int or a ``random.Random`` gives this layer a generator of
            its own, so its masks are reproducible whatever else draws random numbers.

    Raises:
        ValueError: if p is outside [0, 1] (as PyTorch). TypeError: if p is not a number.

    Example:
        >>> import nn
        >>> drop = nn.Dropout(0.5, seed=0)
        >>> [v.data for v in drop([1.0, 2.0, 3.0, 4.0])]    # training: dropped or doubled
        [2.0, 4.0, 0.0, 0.0]
        >>> [v.data for v in drop.eval()([1.0, 2.0, 3.0, 4.0])]
        [1.0, 2.0, 3.0, 4.0]
    """

    def __init__(self, p: float = 0.5, inplace: bool = False, *, seed: init.Seed = None) -> None:
        super().__init__()
        self.p = functional.check_probability(p)
        self.inplace = functional.check_flag("inplace", inplace)
        # None: ask for the default generator at each call, so manual_seed() after the
        # model was built still governs the masks.
        self.generator = None if seed is None else init.generator(seed)

    def forward(self, x: Any) -> Any:
        """x with the mask applied in training mode; x itself (as Values) in eval mode."""
        return functional.dropout(x, self.p, self.training, seed=self.generator)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
