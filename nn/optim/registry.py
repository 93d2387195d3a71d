"""The optimizers by name, with a learning rate to start from: :data:`OPTIMIZERS`.

Everything that picks an optimizer by name (the ``gradstep`` command, a notebook
comparing optimizers, your own scripts) takes it from here, so a name always means the
same optimizer with the same settings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import NamedTuple

from autograd import Value
from nn.optim.adagrad import Adagrad
from nn.optim.adam import Adam, AdamW
from nn.optim.optimizer import Optimizer
from nn.optim.rmsprop import RMSprop
from nn.optim.sgd import SGD


class OptimizerChoice(NamedTuple):
    """An optimizer that can be picked by name.

    Attributes:
        make: ``make(params, lr=...)`` returns the optimizer.
        lr: a learning rate that trains the built-in data sets' small MLPs well: a place
            to start, not a promise.
        summary: the update rule in a few words.
    """

    make: Callable[..., Optimizer]
    lr: float
    summary: str

    def __call__(self, params: Sequence[Value], lr: float | None = None) -> Optimizer:
        """The optimizer over ``params``, with ``lr`` (default: :attr:`lr`)."""
        return self.make(list(params), lr=self.lr if lr is None else lr)


OPTIMIZERS: dict[str, OptimizerChoice] = {
    "sgd": OptimizerChoice(SGD, 0.1, "gradient descent: p -= lr * grad"),
    "momentum": OptimizerChoice(
        partial(SGD, momentum=0.9), 0.05, "SGD with momentum 0.9: a velocity that remembers"
    ),
    "adagrad": OptimizerChoice(Adagrad, 0.1, "per-parameter steps shrinking with all past grad²"),
    "rmsprop": OptimizerChoice(RMSprop, 0.01, "per-parameter steps from a moving average of grad²"),
    "adam": OptimizerChoice(Adam, 0.01, "momentum and RMSprop together, bias-corrected"),
    "adamw": OptimizerChoice(AdamW, 0.01, "Adam with decoupled weight decay 0.01"),
}
"""The optimizers by name.

Example:
    >>> from autograd import Value
    >>> from nn.optim import OPTIMIZERS
    >>> opt = OPTIMIZERS["momentum"]([Value(1.0)])
    >>> type(opt).__name__, opt.lr, opt.momentum
    ('SGD', 0.05, 0.9)
"""
