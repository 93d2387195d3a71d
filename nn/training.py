"""The training loop: :func:`fit` returns a :class:`History` of what happened per epoch."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from tqdm.auto import tqdm as auto_tqdm  # type: ignore[import-untyped]

from autograd import Value, no_grad
from nn.data import batches
from nn.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
)
from nn.module import Module
from nn.optim.optimizer import Optimizer

LossFunction = Callable[[Any, Any], Value]
AccuracyFunction = Callable[[Any, Sequence[Any]], float]
EpochCallback = Callable[[int, "History"], None]
T = TypeVar("T")


@dataclass
class History:
    """What :func:`fit` measured, one entry per epoch.

    Attributes:
        loss: the mean training loss of each epoch: the batches' losses weighted by
            their number of rows (the mean loss per example, for ``reduction="mean"``).
        accuracy: the training accuracy of each epoch, a fraction in [0, 1], measured
            on the same forward passes as the loss (before each batch's update); NaN
            when the loss has no accuracy rule (see :func:`accuracy_rule`).
        val_loss, val_accuracy: the same on the validation set, measured in eval mode
            after each epoch; empty lists without a validation set.
        grad_magnitudes: for each layer with parameters, named like ``"0 Linear"`` or
            ``"1 BatchNorm1d"`` (position and class, in network order), the mean |grad|
            of its parameters per epoch (the mean over the epoch's batches of the mean
            over the layer's parameters, right after ``backward()``): the numbers of a
            vanishing-gradient plot.
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    grad_magnitudes: dict[str, list[float]] = field(default_factory=dict)


def _data(x: Any) -> Any:
    """Model outputs as plain floats, in the same nesting."""
    if isinstance(x, Value):
        return x.data
    if isinstance(x, (list, tuple)):
        return [_data(v) for v in x]
    return float(x)


def _flat_scores(predictions: Any) -> list[float]:
    """One number per example: a flat list, or a batch of one-element rows."""
    return [p[0] if isinstance(p, list) else p for p in predictions]


def _threshold_accuracy(predictions: Any, targets: Sequence[Any], at: float) -> float:
    hits = [
        (p > at) == (float(t) > at) for p, t in zip(_flat_scores(predictions), targets, strict=True)
    ]
    return sum(hits) / len(hits) if hits else math.nan


def probability_accuracy(predictions: Any, targets: Sequence[Any]) -> float:
    """Accuracy of probabilities: class 1 where p > 0.5, against 0/1 targets (> 0.5)."""
    return _threshold_accuracy(predictions, targets, 0.5)


def sign_accuracy(predictions: Any, targets: Sequence[Any]) -> float:
    """Accuracy of scores (logits): class 1 (or +1) where s > 0, against targets > 0."""
    return _threshold_accuracy(predictions, targets, 0.0)


def argmax_accuracy(predictions: Any, targets: Sequence[Any]) -> float:
    """Accuracy of rows of class scores: the first largest score's index == the class."""
    hits = [row.index(max(row)) == int(c) for row, c in zip(predictions, targets, strict=True)]
    return sum(hits) / len(hits) if hits else math.nan


_RULES: dict[Callable[..., Value], AccuracyFunction] = {
    binary_cross_entropy: probability_accuracy,
    binary_cross_entropy_with_logits: sign_accuracy,
    hinge_loss: sign_accuracy,
    cross_entropy: argmax_accuracy,
}


def accuracy_rule(loss: Callable[..., Value]) -> AccuracyFunction | None:
    """How :func:`fit` measures accuracy for a loss function, or None when it cannot.

    * ``binary_cross_entropy``: predictions are probabilities, class 1 where p > 0.5;
    * ``binary_cross_entropy_with_logits`` and ``hinge_loss``: predictions are
      scores, class 1 (or +1) where s > 0, compared with targets > 0 (so 0/1 and
      -1/+1 labels both work);
    * ``cross_entropy``: the class with the largest score (the first, on ties);
    * ``mse_loss`` and any other loss: None (regression has no accuracy); pass
      ``accuracy=`` to :func:`fit` to measure one anyway.
    """
    return _RULES.get(loss)


def _layers(model: Module) -> list[tuple[str, list[Value]]]:
    """The layers whose gradients History tracks: the model's children with parameters."""
    children = list(model.named_children())
    if not children:
        params = model.parameters()
        return [(type(model).__name__, params)] if params else []
    out = []
    for name, child in children:
        params = child.parameters()
        if params:
            out.append((f"{name} {type(child).__name__}", params))
    return out


def progress_bar(iterable: Iterable[T], *, enabled: bool = True, **options: Any) -> Any:
    """``iterable`` wrapped in a tqdm progress bar where there is somewhere to show one.

    In Jupyter the bar is a notebook widget (``tqdm.auto``). Elsewhere it is drawn on
    standard error only when that is a terminal: redrawn with carriage returns, a bar
    would fill a log file or a pipe with hundreds of half-lines.

    Args:
        iterable: what to iterate over.
        enabled: False hides the bar everywhere.
        options: passed to tqdm (``desc``, ``unit``, ``leave``...).

    Returns:
        A tqdm bar: iterate over it as over ``iterable``; ``close()`` it when done.
    """
    # In a Jupyter kernel (with ipywidgets) tqdm.auto's class derives from the widget bar.
    in_notebook = any(base.__module__ == "tqdm.notebook" for base in auto_tqdm.__mro__)
    # disable=None is tqdm's own rule: draw only when the output is a terminal.
    disable = (not enabled) or (False if in_notebook else None)
    return auto_tqdm(iterable, disable=disable, **options)


def evaluate(
    model: Module,
    X: Sequence[Any],
    y: Sequence[Any],
    loss: LossFunction,
    accuracy: AccuracyFunction | None = None,
) -> tuple[float, float]:
    """The loss and accuracy of ``model`` on ``(X, y)``, in eval mode, recording no graph.

    Returns:
        ``(loss, accuracy)`` as floats; the accuracy is NaN without a rule (see
        :func:`accuracy_rule`). The model's training mode is restored afterwards.
    """
    rule = accuracy or accuracy_rule(loss)
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            out = model(list(X))
            value = loss(out, list(y)).data
    finally:
        model.train(was_training)
    return value, rule(_data(out), y) if rule else math.nan


def fit(
    model: Module,
    X: Sequence[Any],
    y: Sequence[Any],
    *,
    loss: LossFunction,
    optimizer: Optimizer,
    epochs: int = 1,
    batch_size: int | None = None,
    shuffle: bool = True,
    seed: int | None = None,
    drop_last: bool = False,
    validation_data: tuple[Sequence[Any], Sequence[Any]] | None = None,
    accuracy: AccuracyFunction | None = None,
    progress: bool = True,
    on_epoch_end: EpochCallback | None = None,
) -> History:
    """Train ``model`` on ``(X, y)``: for each batch, forward, loss, backward, optimizer step.

    Args:
        model: the model (in training mode for the duration; its mode is restored after).
        X, y: the training rows and targets.
        loss: a loss function ``loss(predictions, targets) -> Value``, e.g.
            ``nn.binary_cross_entropy``.
        optimizer: an optimizer over the model's parameters, e.g.
            ``nn.optim.Adam(model.parameters(), lr=0.01)``.
        epochs: passes over the data.
        batch_size: rows per step; None (the default) means the whole data set.
        shuffle: visit the rows in a new random order each epoch.
        seed: seed of the shuffles (None: a different order every run).
        drop_last: skip a last, smaller batch (one row cannot train a BatchNorm1d).
        validation_data: ``(X_val, y_val)``, evaluated after every epoch.
        accuracy: ``accuracy(predictions, targets) -> fraction`` on the model's outputs
            as floats; by default chosen from the loss (see :func:`accuracy_rule`).
        progress: show a progress bar (one tick per epoch) where there is somewhere to
            show it: a Jupyter notebook, or standard error when it is a terminal (see
            :func:`progress_bar`). False hides it.
        on_epoch_end: called as ``on_epoch_end(epoch, history)`` after each epoch (1 for
            the first), once its numbers are in ``history``: print a line, stop early
            by raising, save a checkpoint...

    Returns:
        A :class:`History` with the loss, accuracy and per-layer gradient magnitudes of
        every epoch.

    Example:
        >>> import nn
        >>> X, y = nn.data.make_blobs(40, centers=[[-2, 0], [2, 0]], noise=0.5, seed=0)
        >>> model = nn.LogisticRegression(2, seed=0)
        >>> history = nn.fit(model, X, y, loss=nn.binary_cross_entropy,
        ...                  optimizer=nn.optim.SGD(model.parameters(), lr=0.5),
        ...                  epochs=20, seed=0, progress=False)
        >>> history.accuracy[-1], list(history.grad_magnitudes)
        (1.0, ['0 Linear'])
    """
    if not isinstance(epochs, int) or isinstance(epochs, bool) or epochs < 0:
        raise ValueError(f"epochs must be an int >= 0, got {epochs!r}")
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)} targets")
    if len(X) == 0:
        raise ValueError("fit needs at least one training row, got none")
    size = len(X) if batch_size is None else batch_size
    rule = accuracy or accuracy_rule(loss)
    layers = _layers(model)
    history = History(grad_magnitudes={name: [] for name, _ in layers})
    shuffles = random.Random(seed)
    was_training = model.training
    model.train()
    bar = progress_bar(range(epochs), enabled=progress, desc="training", unit="epoch", leave=False)
    try:
        for epoch in bar:
            loss_sum = hits = 0.0
            rows = steps = 0
            grad_sums = dict.fromkeys(history.grad_magnitudes, 0.0)
            for x_batch, y_batch in batches(
                X, y, size, shuffle=shuffle, seed=shuffles.randrange(2**63), drop_last=drop_last
            ):
                optimizer.zero_grad()
                out = model(x_batch)
                value = loss(out, y_batch)
                value.backward()
                for name, params in layers:
                    grad_sums[name] += sum(abs(p.grad) for p in params) / len(params)
                optimizer.step()
                loss_sum += value.data * len(x_batch)
                if rule is not None:
                    hits += rule(_data(out), y_batch) * len(x_batch)
                rows += len(x_batch)
                steps += 1
            if steps == 0:
                raise ValueError(
                    f"no batch to train on: {len(X)} rows, batch_size={size}, drop_last={drop_last}"
                )
            history.loss.append(loss_sum / rows)
            history.accuracy.append(hits / rows if rule is not None else math.nan)
            for name in grad_sums:
                history.grad_magnitudes[name].append(grad_sums[name] / steps)
            shown = {"loss": f"{history.loss[-1]:.4f}"}
            if rule is not None:
                shown["acc"] = f"{history.accuracy[-1]:.3f}"
            if validation_data is not None:
                val_loss, val_acc = evaluate(model, *validation_data, loss=loss, accuracy=rule)
                history.val_loss.append(val_loss)
                history.val_accuracy.append(val_acc)
                shown["val_loss"] = f"{val_loss:.4f}"
            bar.set_postfix(shown, refresh=False)
            if on_epoch_end is not None:
                on_epoch_end(epoch + 1, history)
    finally:
        bar.close()
        model.train(was_training)
    return history
