"""The training loop: :func:`fit` returns a :class:`History` of what happened per epoch."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tqdm import tqdm  # type: ignore[import-untyped]

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

if TYPE_CHECKING:
    from nn.recording import RecordOptions

LossFunction = Callable[[Any, Any], Value]
AccuracyFunction = Callable[[Any, Sequence[Any]], float]


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
        recording: with ``fit(..., record=True)``, the frames of the run as plain data
            (parameters, gradients, heatmap grids... per epoch; the layout is documented
            in :mod:`nn.recording`), which ``viz.TrainingPlayer`` plays; else None.

    ``to_dict()`` and ``from_dict()`` convert to and from plain data that ``json``
    writes and reads back exactly (NaN included, as Python's json writes it).
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    grad_magnitudes: dict[str, list[float]] = field(default_factory=dict)
    recording: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain data (a copy): ``json.dumps(history.to_dict())`` saves it."""
        from nn.recording import plain_copy

        fields = ("loss", "accuracy", "val_loss", "val_accuracy", "grad_magnitudes", "recording")
        data: dict[str, Any] = plain_copy({name: getattr(self, name) for name in fields})
        return data

    @classmethod
    def from_dict(cls, data: Any) -> History:
        """The History that :meth:`to_dict` (or its JSON round trip) describes.

        Raises:
            ValueError: if ``data`` is not such a dict (the message names the field).
        """
        from nn.recording import history_from_dict

        return history_from_dict(cls, data)


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
    record: bool | RecordOptions = False,
    record_every: int | None = None,
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
        progress: show a tqdm progress bar (one tick per epoch).
        record: keep frames of the run in ``history.recording`` for ``viz.TrainingPlayer``
            (True, or an ``nn.RecordOptions``; see :mod:`nn.recording`). Frame 0 is the
            model before the first step. If the loss or a parameter becomes NaN or
            infinite (or an op overflows), fit then stops, warns (RuntimeWarning) and
            returns the History, whose recording says where (``"diverged"``);
            without ``record`` such errors propagate as before.
        record_every: with ``record``, a frame every this many optimizer steps
            instead of one per epoch.

    Returns:
        A :class:`History` with the loss, accuracy and per-layer gradient magnitudes of
        every epoch (and the recording, with ``record``).

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
    recorder = None
    if record or record_every is not None:
        from nn.recording import Recorder  # imported here: nn.recording imports this module

        recorder = Recorder(
            history,
            model,
            X,
            y,
            loss=loss,
            accuracy=rule,
            epochs=epochs,
            batch_size=size,
            drop_last=drop_last,
            record=record,
            record_every=record_every,
            validation_data=validation_data,
        )
    was_training = model.training
    model.train()
    bar = tqdm(range(epochs), desc="training", unit="epoch", disable=not progress, leave=False)
    try:
        for _ in bar:
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
                if recorder is not None:
                    recorder.after_step(value.data, out, y_batch)
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
            if recorder is not None:
                recorder.after_epoch()
    except Exception as error:
        if recorder is None or not recorder.stop_on(error):
            raise
    finally:
        bar.close()
        model.train(was_training)
    return history
