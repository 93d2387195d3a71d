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
"""

from __future__ import annotations

from nn.optim.adagrad import Adagrad
from nn.optim.adam import Adam, AdamW
from nn.optim.optimizer import Optimizer
from nn.optim.rmsprop import RMSprop
from nn.optim.sgd import SGD

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop"]
