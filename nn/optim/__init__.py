"""Optimizers: they update parameters from their gradients, as ``torch.optim`` does.

Each follows PyTorch's update rule for the same hyper-parameters exactly (the
algorithm is written in its docstring), so the same model, data and settings give the
same trajectory. Usage is PyTorch's::

    opt = Adam(model.parameters(), lr=1e-3)
    for step in range(100):
        opt.zero_grad()
        loss = ...
        loss.backward()
        opt.step()

So are the rest of ``torch.optim``'s ways: param groups with hyper-parameters of their
own (``opt.param_groups``, ``opt.add_param_group``), per-parameter state
(``opt.state[p]``), ``state_dict()`` / ``load_state_dict()`` in PyTorch's layout (see
:class:`Optimizer`), and learning-rate schedules in :mod:`nn.optim.lr_scheduler`.

:data:`OPTIMIZERS` names them (with a learning rate to start from) for everything that
picks an optimizer by name.
"""

from __future__ import annotations

from nn.optim import lr_scheduler
from nn.optim.adagrad import Adagrad
from nn.optim.adam import Adam, AdamW
from nn.optim.optimizer import Optimizer
from nn.optim.registry import OPTIMIZERS, OptimizerChoice
from nn.optim.rmsprop import RMSprop
from nn.optim.sgd import SGD

__all__ = [
    "OPTIMIZERS",
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "Optimizer",
    "OptimizerChoice",
    "RMSprop",
    "lr_scheduler",
]
