"""The training loop: :func:`fit` returns a :class:`History` of what happened per epoch."""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeGuard, TypeVar

from tqdm.auto import tqdm as auto_tqdm  # type: ignore[import-untyped]

from autograd import Value, no_grad
from autograd.value import as_float
from nn._tensor import tolist
from nn.batchnorm import BatchNorm1d
from nn.data import batches
from nn.losses import (
    _class_index,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
)
from nn.module import Module
from nn.optim.lr_scheduler import LRScheduler, OneCycleLR, ReduceLROnPlateau
from nn.optim.optimizer import Optimizer

if TYPE_CHECKING:
    from nn.recording import RecordOptions

LossFunction = Callable[[Any, Any], Value]
AccuracyFunction = Callable[[Any, Any], float]
EpochCallback = Callable[[int, "History"], None]
T = TypeVar("T")

MAX_EPOCHS = 10**9
"""The most epochs :func:`fit` accepts. At a millisecond an epoch (a tiny model on a
few rows) that is eleven days: no run that finishes asks for more, and a typo such as
``epochs=10**30`` gets a sentence rather than an OverflowError from the progress bar."""


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


def _check_loss_value(value: object) -> None:
    """TypeError unless the loss gave one Value (the thing ``backward()`` starts from)."""
    if not isinstance(value, Value):
        hint = (
            " (reduction='none' returns the terms: fit needs reduction='mean' or 'sum')"
            if isinstance(value, list)
            else ""
        )
        raise TypeError(f"the loss must return one Value, got {type(value).__name__}{hint}")


def _is_row(x: object) -> TypeGuard[Sequence[Any]]:
    return isinstance(x, Sequence) and not isinstance(x, (str, bytes))


def _entries(x: Any) -> list[Any]:
    """The numbers of a flat list or of a batch of rows (of one entry or several), in order.

    The elementwise losses read predictions and targets this way, so the accuracy
    rules below accept whatever those losses accept.
    """
    x = tolist(x)
    if not _is_row(x):
        return [x]
    out: list[Any] = []
    for item in x:
        item = tolist(item)
        if _is_row(item):
            out.extend(item)
        else:
            out.append(item)
    return out


def _threshold_accuracy(predictions: Any, targets: Any, at: float, rule: str) -> float:
    scores, labels = _entries(predictions), _entries(targets)
    if len(scores) != len(labels):
        raise ValueError(f"{rule}: {len(scores)} predictions but {len(labels)} targets")
    hits = [(float(p) > at) == (float(t) > at) for p, t in zip(scores, labels, strict=True)]
    return sum(hits) / len(hits) if hits else math.nan


def probability_accuracy(predictions: Any, targets: Any) -> float:
    """Accuracy of probabilities: class 1 where p > 0.5, against 0/1 targets (> 0.5).

    Predictions and targets may be flat lists or batches of rows, as for
    :func:`nn.binary_cross_entropy`; with rows of several entries, each entry counts.
    """
    return _threshold_accuracy(predictions, targets, 0.5, "probability_accuracy")


def sign_accuracy(predictions: Any, targets: Any) -> float:
    """Accuracy of scores (logits): class 1 (or +1) where s > 0, against targets > 0.

    Shapes as for :func:`probability_accuracy`.
    """
    return _threshold_accuracy(predictions, targets, 0.0, "sign_accuracy")


def argmax_accuracy(predictions: Any, targets: Any) -> float:
    """Accuracy of rows of class scores: the first largest score's index == the class.

    Takes what :func:`nn.cross_entropy` takes: rows of scores (or one row) and class
    indices of any integer type (or integer-valued numbers), refused the same way.
    """
    rows, classes = tolist(predictions), tolist(targets)
    if _is_row(rows) and rows and not _is_row(tolist(rows[0])):
        rows, classes = [rows], [classes]  # one row and one class
    if not _is_row(rows) or not _is_row(classes) or len(rows) != len(classes):
        raise ValueError("argmax_accuracy: expected as many rows of scores as class indices")
    hits = []
    for i, (row, c) in enumerate(zip(rows, classes, strict=True)):
        row = tolist(row)
        if not _is_row(row) or not row:
            raise ValueError(f"argmax_accuracy: row {i} is not a row of scores")
        scores = [float(v) for v in row]
        hits.append(scores.index(max(scores)) == _class_index(c, i, len(scores)))
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

    A loss module (``nn.BCEWithLogitsLoss()``...) has the rule of its function.
    """
    loss = getattr(loss, "loss_function", loss)
    try:
        return _RULES.get(loss)
    except TypeError:  # an unhashable callable object: not one of the losses above
        return None


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


def _check_options(
    model: Module,
    X: Sequence[Any],
    y: Sequence[Any],
    loss: Any,
    epochs: Any,
    batch_size: Any,
    drop_last: bool,
    accuracy: Any,
    on_epoch_end: Any,
) -> tuple[int, int]:
    """Check :func:`fit`'s options and the batches they make.

    Returns:
        ``(epochs, batch size)`` as ints.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral):
        raise ValueError(f"epochs must be an int, got {type(epochs).__name__}: {epochs!r:.60}")
    count = int(epochs)
    if not 0 <= count <= MAX_EPOCHS:
        shown = f"{count:,}" if count.bit_length() < 200 else "a far larger number"
        raise ValueError(f"epochs must be from 0 to {MAX_EPOCHS:,} (MAX_EPOCHS), got {shown}")
    for name, function in (("loss", loss), ("accuracy", accuracy), ("on_epoch_end", on_epoch_end)):
        if not callable(function) and not (function is None and name != "loss"):
            raise TypeError(f"{name} must be a function, got {type(function).__name__}")
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)} targets")
    if len(X) == 0:
        raise ValueError("fit needs at least one training row, got none")
    if batch_size is not None and (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, numbers.Integral)
        or batch_size < 1
    ):
        raise ValueError(f"batch_size must be an int >= 1 or None, got {batch_size!r:.60}")
    size = len(X) if batch_size is None else int(batch_size)
    if drop_last and len(X) < size:
        raise ValueError(
            f"no batch to train on: {len(X)} rows, batch_size={size}, drop_last={drop_last}"
        )
    smallest = size if drop_last or len(X) % size == 0 else len(X) % size
    if smallest == 1 and any(isinstance(m, BatchNorm1d) for m in model.modules()):
        which = "every batch" if size == 1 else "the last batch"
        raise ValueError(
            f"BatchNorm1d cannot train on a batch of one row (it has no variance), and with "
            f"{len(X)} rows and batch_size={size} {which} would have one: choose another "
            "batch_size, or pass drop_last=True"
        )
    return count, size


def _check_data(
    model: Module,
    X: Sequence[Any],
    y: Sequence[Any],
    loss: LossFunction,
    rule: AccuracyFunction | None,
    what: str,
) -> None:
    """Raise what training on ``(X, y)`` would raise, before training changes anything.

    Every row of ``X`` must be a row of finite numbers (or Values) as long as the
    first. Then the model, the loss and the accuracy rule run on the first row, in
    eval mode and recording no graph (so no running statistic moves); and the loss
    and the rule judge every target, with that first row's output standing in for
    each prediction: a bad target in row 57 is found now, not after 56 updates.
    """
    if len(X) != len(y):
        raise ValueError(f"{what}X has {len(X)} rows but y has {len(y)} targets")
    if len(X) == 0:
        raise ValueError(f"{what}there are no rows")
    width = -1
    for i, row in enumerate(X):
        row = tolist(row)
        if not _is_row(row):
            raise ValueError(
                f"{what}X row {i} is a {type(row).__name__}, not a row: X must be a list of "
                "rows such as [[0.5, 1.0], [0.2, -1.0]], even for one feature ([[0.5], ...])"
            )
        if width < 0:
            width = len(row)
        elif len(row) != width:
            raise ValueError(f"{what}X row {i} has {len(row)} entries but row 0 has {width}")
        for j, v in enumerate(row):
            if type(v) is not float:
                v = v.data if isinstance(v, Value) else as_float(v, f"{what}X[{i}][{j}]")
            if not math.isfinite(v):
                raise ValueError(f"{what}X[{i}][{j}] is {v}; inputs must be finite numbers")
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            out = model([X[0]])
            _check_loss_value(loss(out, [y[0]]))
            if rule is not None:
                rule(_data(out), [y[0]])
            if isinstance(out, list) and len(out) == 1:
                stand_ins = out * len(y)
                loss(stand_ins, list(y))
                if rule is not None:
                    rule(_data(stand_ins), list(y))
    except (ValueError, TypeError) as error:
        if not what:
            raise
        kind = ValueError if isinstance(error, ValueError) else TypeError
        raise kind(f"{what}{error}") from error
    finally:
        model.train(was_training)


def _check_scheduler(scheduler: object, optimizer: Optimizer, epochs: int) -> None:
    """Refuse a ``scheduler`` :func:`fit` could not step for ``epochs`` epochs of ``optimizer``."""
    if scheduler is None:
        return
    if not isinstance(scheduler, LRScheduler):
        raise ValueError(
            "scheduler must be one of nn.optim.lr_scheduler's (StepLR, ReduceLROnPlateau...), "
            f"got {type(scheduler).__name__}"
        )
    if scheduler.optimizer is not optimizer:
        raise ValueError(
            f"the scheduler's optimizer is not fit's: {type(scheduler).__name__} would change "
            "the learning rate of an optimizer that does not train this model"
        )
    scheduler.check_groups()  # a group added since: it could not step after epoch 1
    if isinstance(scheduler, OneCycleLR) and scheduler.last_epoch + epochs > scheduler.total_steps:
        left = scheduler.total_steps - scheduler.last_epoch
        raise ValueError(
            f"the OneCycleLR has {left} steps left but fit steps it once per epoch, "
            f"{epochs} times: make it with total_steps={epochs}"
        )


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
    record: bool | RecordOptions = False,
    record_every: int | None = None,
    scheduler: LRScheduler | None = None,
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
            the first), once its numbers are in ``history`` and the scheduler has
            stepped: print a line, stop early by raising, save a checkpoint...
        record: keep frames of the run in ``history.recording`` for ``viz.TrainingPlayer``
            (True, or an ``nn.RecordOptions``; see :mod:`nn.recording`). Frame 0 is the
            model before the first step. If the loss or a parameter becomes NaN or
            infinite (or an op overflows), fit then stops, warns (RuntimeWarning) and
            returns the History, whose recording says where (``"diverged"``);
            without ``record`` such errors propagate as before.
        record_every: with ``record``, a frame every this many optimizer steps
            instead of one per epoch.
        scheduler: a learning-rate scheduler of ``optimizer`` (see
            :mod:`nn.optim.lr_scheduler`), stepped once after each epoch, PyTorch's
            usual place: a :class:`~nn.optim.lr_scheduler.ReduceLROnPlateau` gets the
            epoch's validation loss, or its training loss without ``validation_data``.
            A :class:`~nn.optim.lr_scheduler.OneCycleLR` is stepped per epoch too, so
            make it with ``total_steps=epochs``.

    Returns:
        A :class:`History` with the loss, accuracy and per-layer gradient magnitudes of
        every epoch (and the recording, with ``record``).

    Raises:
        ValueError: before the first optimizer step (so the model is unchanged), for
            bad options (``epochs`` outside 0 to :data:`MAX_EPOCHS`, a ``batch_size``
            that is not an int >= 1, batches that leave none to train on or a batch
            of one row for a BatchNorm1d), for rows of ``X`` that are not rows of
            finite numbers of one length, and for anything the model, the loss or the
            accuracy rule refuses in ``(X, y)`` or ``validation_data`` (the first row
            goes through all three, and every target through the loss and the rule,
            before training starts).
            A ``scheduler`` that is not an nn.optim scheduler of ``optimizer``, or a
            OneCycleLR with fewer steps left than ``epochs``, is refused before too.
        TypeError: for a ``loss``, ``accuracy`` or ``on_epoch_end`` that is not a
            function, or an entry of ``X`` that is not a number, also before any step.
        OverflowError: from the optimizer or the engine when training diverges (a
            value would overflow a float); the step that would overflow is not taken.

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
    epochs, size = _check_options(
        model, X, y, loss, epochs, batch_size, drop_last, accuracy, on_epoch_end
    )
    _check_scheduler(scheduler, optimizer, epochs)
    rule = accuracy or accuracy_rule(loss)
    # Everything about the data is checked before the first step changes the model.
    _check_data(model, X, y, loss, rule, "")
    if validation_data is not None:
        if not (isinstance(validation_data, (tuple, list)) and len(validation_data) == 2):
            raise ValueError(
                "validation_data must be a pair (X_val, y_val), got "
                f"{type(validation_data).__name__}"
            )
        _check_data(model, *validation_data, loss, rule, "validation_data: ")
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
                if rule is not None:  # measured before the step, on the same outputs
                    hits += rule(_data(out), y_batch) * len(x_batch)
                value.backward()
                for name, params in layers:
                    grad_sums[name] += sum(abs(p.grad) for p in params) / len(params)
                optimizer.step()
                loss_sum += value.data * len(x_batch)
                rows += len(x_batch)
                steps += 1
                if recorder is not None:
                    recorder.after_step(value.data, out, y_batch)
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
            if isinstance(scheduler, ReduceLROnPlateau):
                scheduler.step(history.val_loss[-1] if validation_data else history.loss[-1])
            elif scheduler is not None:
                scheduler.step()
            bar.set_postfix(shown, refresh=False)
            if recorder is not None:
                recorder.after_epoch()
            if on_epoch_end is not None:
                on_epoch_end(epoch + 1, history)
    except Exception as error:
        if recorder is None or not recorder.stop_on(error):
            raise
    finally:
        bar.close()
        model.train(was_training)
    return history
