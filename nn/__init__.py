"""gradstep's neural networks: modules, losses, optimizers, data and training, like a small PyTorch.

Everything is built from :mod:`autograd` Values, so every number of a network is a
node you can inspect, draw and step through. Names, defaults and numbers follow
PyTorch: a ``state_dict()`` loads into the PyTorch twin of a model, which then
computes the same outputs and gradients, and the optimizers follow the same
trajectories.

Example:
    >>> import nn
    >>> X, y = nn.data.make_moons(64, noise=0.1, seed=0)
    >>> model = nn.MLP(2, [8, 1], seed=0)
    >>> opt = nn.optim.Adam(model.parameters(), lr=0.05)
    >>> for step in range(3):
    ...     opt.zero_grad()
    ...     loss = nn.binary_cross_entropy_with_logits(model(X), y)
    ...     loss.backward()
    ...     opt.step()
    >>> loss.data < 0.7
    True

Public API:

* :class:`Module`; containers :class:`Sequential`, :class:`ModuleList`,
  :class:`ModuleDict`; layers :class:`Linear`, :class:`BatchNorm1d`, :class:`ReLU`,
  :class:`Tanh`, :class:`Sigmoid`, :class:`LeakyReLU`, :class:`Dropout`,
  :class:`Identity`; models :class:`MLP`, :class:`LogisticRegression`;
  :func:`manual_seed`; :data:`ACTIVATIONS` (the activations by name); :func:`is_frozen`
  (see ``Module.requires_grad_``); :func:`summary`.
* Losses: :func:`mse_loss`, :func:`binary_cross_entropy`,
  :func:`binary_cross_entropy_with_logits`, :func:`cross_entropy`, :func:`hinge_loss`;
  as modules :class:`MSELoss`, :class:`BCELoss`, :class:`BCEWithLogitsLoss`,
  :class:`CrossEntropyLoss`.
* :mod:`nn.functional`: the activations, dropout, linear and the losses as functions.
* The bridge to PyTorch (an optional extra): :func:`to_torch`, :func:`from_torch`
  (:mod:`nn.bridge`).
* :mod:`nn.optim`: ``SGD``, ``Adagrad``, ``RMSprop``, ``Adam``, ``AdamW``; ``OPTIMIZERS`` (by
  name, with a learning rate to start from).
* :mod:`nn.data`: ``make_moons``, ``make_circles``, ``make_blobs``, ``make_spirals``,
  ``make_xor``, ``DATASETS`` (by name), ``batches``, ``train_test_split``.
* Training: :func:`fit` (returns a :class:`History`), :func:`evaluate`;
  ``fit(..., record=True)`` or ``record=RecordOptions(...)`` keeps frames of the run for
  the training player (see :mod:`nn.recording`).
* Checkpoints: :func:`save`, :func:`load` (JSON).
"""

from __future__ import annotations

__distribution__ = "gradstep"
"""This package is gradstep's, not a namesake's (see :mod:`autograd._own`)."""

# nn is built on gradstep's own autograd (other distributions use the same import names).
try:
    from autograd._own import require_own
except Exception as error:  # not even gradstep's autograd/_own.py: a namesake comes first
    import sys

    where = getattr(sys.modules.get("autograd"), "__file__", None) or "an unknown location"
    raise ImportError(
        f"gradstep's nn needs gradstep's package 'autograd', but `import autograd` finds "
        f"another package at {where} ({' '.join(str(error).split())}): install gradstep in a "
        "virtual environment of its own, as `make demo` does, and check with `gradstep doctor`."
    ) from None
require_own("autograd", needed_by="nn")

from nn import bridge, data, functional, optim
from nn.activation import ACTIVATIONS, LeakyReLU, ReLU, Sigmoid, Tanh
from nn.batchnorm import BatchNorm1d
from nn.bridge import from_torch, to_torch
from nn.checkpoint import CheckpointError, load, save
from nn.container import ModuleDict, ModuleList, Sequential
from nn.dropout import Dropout
from nn.init import manual_seed
from nn.linear import Identity, Linear
from nn.loss_modules import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from nn.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    mse_loss,
)
from nn.models import MLP, LogisticRegression
from nn.module import FrozenParameter, IncompatibleKeys, Module, StateDictError, is_frozen
from nn.recording import RecordOptions
from nn.summary import Summary, summary
from nn.training import History, accuracy_rule, evaluate, fit

__all__ = [
    "ACTIVATIONS",
    "MLP",
    "BCELoss",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "CheckpointError",
    "CrossEntropyLoss",
    "Dropout",
    "FrozenParameter",
    "History",
    "Identity",
    "IncompatibleKeys",
    "LeakyReLU",
    "Linear",
    "LogisticRegression",
    "MSELoss",
    "Module",
    "ModuleDict",
    "ModuleList",
    "ReLU",
    "RecordOptions",
    "Sequential",
    "Sigmoid",
    "StateDictError",
    "Summary",
    "Tanh",
    "accuracy_rule",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "bridge",
    "cross_entropy",
    "data",
    "evaluate",
    "fit",
    "from_torch",
    "functional",
    "hinge_loss",
    "is_frozen",
    "load",
    "manual_seed",
    "mse_loss",
    "optim",
    "save",
    "summary",
    "to_torch",
]
