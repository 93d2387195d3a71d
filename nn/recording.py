"""Recording a training run: what ``nn.fit(..., record=True)`` keeps, frame by frame.

A *frame* is a snapshot of the model and of how training goes at one moment. Frame 0
is the model before the first step (its initialisation); then, by default, one frame
after each epoch, or, with ``record_every=k``, one after every k optimizer steps. The
training player (``viz.TrainingPlayer``) plays the frames back; you can also read them
yourself: the recording is plain data (dicts, lists, floats, ints, strings and None)
that ``json.dumps`` writes and ``json.loads`` reads back exactly.

It lives in ``history.recording`` (None when ``record`` was False):

>>> import nn
>>> X, y = nn.data.make_moons(40, noise=0.1, seed=0)
>>> model = nn.MLP(2, [4, 1], seed=0)
>>> history = nn.fit(model, X, y, loss=nn.binary_cross_entropy_with_logits,
...                  optimizer=nn.optim.Adam(model.parameters(), lr=0.05),
...                  epochs=3, batch_size=20, seed=0, progress=False, record=True)
>>> frames = history.recording["frames"]
>>> [frame["epoch"] for frame in frames]            # frame 0 is the initial model
[0.0, 1.0, 2.0, 3.0]
>>> frames[3]["loss"] == history.loss[2]            # the loss of epoch 3
True
>>> frames[3]["state"] == model.state_dict()        # the parameters after epoch 3
True
>>> len(frames[3]["neurons"][0]), len(frames[3]["neurons"][0][0])   # 4 neurons, 21 x 21 grid
(4, 441)

The layout, field by field
--------------------------

Top level (what was recorded, fixed for the run):

* ``format``, ``version``: ``"gradstep.recording"`` and ``1``.
* ``model``: the model's class name, e.g. ``"MLP"``.
* ``epochs``: the number of epochs ``fit`` was asked for (the *planned* length);
  ``steps_per_epoch``: optimizer steps (batches) per epoch.
* ``record_every``: None (one frame per epoch) or k (one frame every k steps).
* ``stride``: 1, or s > 1 when the run is too long for ``max_frames``: then only
  every s-th epoch (or every s*k-th step) becomes a frame, chosen before training
  starts so that the frames are evenly spaced. The last epoch is always a frame.
* ``task``: ``{"loss": name, "outputs": number of model outputs, "decision":
  "threshold" | "argmax" | None, "threshold": float | None}``: how outputs become
  classes (from the accuracy rule, see ``nn.accuracy_rule``): class 1 where the
  output is above ``threshold`` (0.5 for probabilities, 0 for scores); the largest
  output for ``"argmax"``; None when there is no rule (regression).
* ``data``: ``{"features", "train_rows", "val_rows", "train_sha256", "val_sha256"}``:
  the shape of the data and a fingerprint of its numbers (so that two recordings can
  be checked to be on the same data); for 2-D inputs also the points themselves,
  ``"X"``, ``"y"``, ``"X_val"``, ``"y_val"`` (lists of floats; the validation ones
  empty without validation data).
* ``grad_layers``: the layer names of ``History.grad_magnitudes`` (``"0 Linear"``...).
* ``network``: the drawable structure, or None (then ``network_missing`` says why).
  The network view draws ``nn.Sequential`` models (``nn.MLP``, ``nn.LogisticRegression``)
  built from ``Linear`` layers, each followed by any of ``BatchNorm1d``, ``ReLU``,
  ``Tanh``, ``Sigmoid`` and ``LeakyReLU``. ``{"inputs": n, "layers": [...]}``, one
  entry per Linear: ``{"linear": its module name (its state_dict prefix), "units",
  "bias": bool, "stages": [...]}``; each stage is ``{"module": name, "kind": "batchnorm"
  | "relu" | "tanh" | "sigmoid" | "leaky_relu"}`` plus ``"eps"``, ``"affine"`` and
  ``"running_stats"`` for batch normalisation and ``"negative_slope"`` for leaky relu.
  A *neuron* is one unit of such a layer; its output is the value after the last stage.
* ``grid``: for 2-D inputs, the points where neurons are evaluated, or None (then
  ``grid_missing`` says why). ``{"size": n, "x": [n floats], "y": [n floats],
  "bounds": [x_lo, x_hi, y_lo, y_hi]}``: an n x n grid of cell centres covering the
  bounds (the data's range plus a margin, made square). A grid of values is a flat
  list of n*n floats, row by row: value ``[i * n + j]`` is at ``(x[j], y[i])``, y
  ascending.
* ``frames``: the list of frames (below); ``diverged``: None, or where training
  stopped because the loss or a parameter became NaN or infinite:
  ``{"epoch": e, "step": s, "reason": text}`` (e and s count from 1: the step that
  failed, and its epoch). Frames stop at the last finite one.

Each frame:

* ``epoch`` (float: epochs done, fractional between epoch ends with
  ``record_every``), ``step`` (int: optimizer steps done).
* ``loss``, ``accuracy``: the mean training loss and accuracy over the steps since
  the previous recording point (one epoch, or ``record_every`` steps), measured as
  ``fit`` measures them (with ``record_every=None`` they equal ``history.loss`` and
  ``history.accuracy`` of that epoch). Frame 0 has no steps before it: there they
  are the initial model's loss and accuracy on the training set, in eval mode, like
  the validation numbers. ``accuracy`` is NaN when the loss has no accuracy rule.
* ``val_loss``, ``val_accuracy``: on the validation data, in eval mode, at this
  frame; None without validation data.
* ``grad_magnitudes``: ``{layer: mean |grad|}`` over the same steps as ``loss``
  (equal to ``history.grad_magnitudes`` per epoch); None in frame 0 (no step yet).
* ``state``: ``model.state_dict()`` at this frame (parameters and buffers).
* ``grads``: ``{name: gradient}`` for each parameter of the state dict, in the same
  nesting: the gradient of the last step before this frame (the one the optimizer
  has just used); None in frame 0.
* ``batchnorm``: for each BatchNorm1d of a drawable network, by module name:
  ``{"batch_mean", "batch_var", "running_mean", "running_var", "weight", "bias"}``.
  The batch statistics are those of the whole training set as one batch, through the
  network as it is at this frame (the mean and the biased variance that training mode
  normalises with); ``weight`` and ``bias`` are gamma and beta (None when not affine).
* ``neurons``: for 2-D inputs and a drawable network, ``neurons[l][u]`` is the grid
  of neuron u of layer l (its output over the plane, the heatmap), the model in eval
  mode; else None.
* ``output``: for 2-D inputs, ``output[k]`` is the grid of the model's k-th output
  (what the decision boundary is drawn from); else None.

Cost and size
-------------

Grids are evaluated on plain floats, layer by layer, without building a graph (for a
drawable network; other models are run under ``autograd.no_grad()`` in eval mode).
Memory is bounded: a recording keeps at most ``max_frames`` frames (default 200) and
about ``max_values`` numbers (default 3,000,000, roughly 100 MB as Python floats) over
all its frames; a longer run gets a larger ``stride``. Choose with
``record=nn.RecordOptions(grid_size=..., max_frames=..., max_values=...)``.
"""

from __future__ import annotations

import hashlib
import math
import struct
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from autograd import Value, no_grad, ops
from nn import training
from nn.activation import LeakyReLU, ReLU, Sigmoid, Tanh
from nn.batchnorm import BatchNorm1d
from nn.container import Sequential
from nn.linear import Linear
from nn.module import Module

FORMAT = "gradstep.recording"
VERSION = 1

Grid = list[float]
"""The values of one neuron (or output) at every grid point, row by row."""


@dataclass(frozen=True)
class RecordOptions:
    """What ``nn.fit(..., record=...)`` keeps; ``record=True`` means ``RecordOptions()``.

    Attributes:
        grid_size: points per side of the grid over the input plane (2-D inputs
            only): each neuron is evaluated at ``grid_size ** 2`` points per frame.
            21 (441 points) draws smooth heatmaps and boundaries at a modest cost.
        max_frames: the most frames kept, frame 0 included (at least 2). A run with
            more recording points keeps every s-th one (``stride`` s), evenly spaced.
        max_values: a bound on how many numbers all frames hold together (grids,
            parameters, gradients); a large model gets fewer frames to stay under it.
        margin: how far the grid reaches beyond the data, as a fraction of its range.

    Example:
        >>> import nn
        >>> nn.RecordOptions(grid_size=25).grid_size
        25
    """

    grid_size: int = 21
    max_frames: int = 200
    max_values: int = 3_000_000
    margin: float = 0.15

    def __post_init__(self) -> None:
        for name, lowest in (("grid_size", 2), ("max_frames", 2), ("max_values", 1)):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < lowest:
                raise ValueError(f"RecordOptions: {name} must be an int >= {lowest}, got {value!r}")
        if not (isinstance(self.margin, (int, float)) and 0.0 <= self.margin <= 10.0):
            raise ValueError(f"RecordOptions: margin must be in [0, 10], got {self.margin!r}")


class DivergenceError(ArithmeticError):
    """Raised inside ``fit`` when the loss or a parameter stops being finite.

    ``fit(..., record=True)`` catches it (and OverflowError, which the engine raises
    when an op overflows), ends the recording there and returns the History.
    """


# ---------------------------------------------------------------------------------------
# The network as plain floats
# ---------------------------------------------------------------------------------------

Stage = BatchNorm1d | ReLU | Tanh | Sigmoid | LeakyReLU
_STAGES: tuple[type[Module], ...] = (BatchNorm1d, ReLU, Tanh, Sigmoid, LeakyReLU)


@dataclass
class _Layer:
    """A Linear layer and the elementwise stages after it: one column of neurons."""

    name: str
    linear: Linear
    stages: list[tuple[str, Stage]]


def network_layers(model: Module) -> tuple[list[_Layer] | None, str | None]:
    """The model as layers of neurons, or ``(None, why not)`` when it cannot be drawn."""
    if isinstance(model, Sequential):
        children = list(model.named_children())
    elif isinstance(model, Linear):
        children = [("", model)]
    else:
        return None, (
            "the network view draws nn.Sequential models (such as nn.MLP) of Linear, "
            f"BatchNorm1d and activation layers; this model is a {type(model).__name__}"
        )
    layers: list[_Layer] = []
    for name, module in children:
        if isinstance(module, Linear):
            if layers and module.in_features != layers[-1].linear.out_features:
                return None, f"module {name} expects {module.in_features} inputs"
            layers.append(_Layer(name, module, []))
        elif isinstance(module, _STAGES) and layers:
            if isinstance(module, BatchNorm1d) and (
                module.num_features != layers[-1].linear.out_features
            ):
                return None, f"module {name} normalises {module.num_features} features"
            layers[-1].stages.append((name, module))  # type: ignore[arg-type]
        else:
            where = "before the first Linear" if not layers else ""
            return None, (
                f"module {name} is a {type(module).__name__} {where}(the network view "
                "knows Linear layers followed by BatchNorm1d, ReLU, Tanh, Sigmoid or LeakyReLU)"
            ).replace("  ", " ")
    if not layers:
        return None, "the model has no Linear layer"
    return layers, None


def _describe(layers: list[_Layer]) -> dict[str, Any]:
    """The plain-data description of the layers (``recording["network"]``)."""
    out = []
    for layer in layers:
        stages: list[dict[str, Any]] = []
        for name, stage in layer.stages:
            if isinstance(stage, BatchNorm1d):
                stages.append(
                    {
                        "module": name,
                        "kind": "batchnorm",
                        "eps": stage.eps,
                        "affine": stage.affine,
                        "running_stats": stage.track_running_stats,
                    }
                )
            elif isinstance(stage, LeakyReLU):
                stages.append(
                    {"module": name, "kind": "leaky_relu", "negative_slope": stage.negative_slope}
                )
            else:
                stages.append({"module": name, "kind": type(stage).__name__.lower()})
        out.append(
            {
                "linear": layer.name,
                "units": layer.linear.out_features,
                "bias": layer.linear.bias is not None,
                "stages": stages,
            }
        )
    return {"inputs": layers[0].linear.in_features, "layers": out}


Rows = list[list[float]]


def _linear(layer: Linear, rows: Rows) -> Rows:
    # ops.weighted_sum is the forward of the dot node Linear builds: same sums, same order,
    # so these floats equal the model's outputs to the last bit.
    weights = [[w.data for w in row] for row in layer.weight]
    biases = [b.data for b in layer.bias] if layer.bias is not None else [0.0] * len(weights)
    pairs = list(zip(weights, biases, strict=True))
    return [[ops.weighted_sum(w, x, b) for w, b in pairs] for x in rows]


def _activation(stage: Stage) -> Callable[[float], float]:
    if isinstance(stage, ReLU):
        return ops.RELU.forward
    if isinstance(stage, Tanh):
        return ops.TANH.forward
    if isinstance(stage, Sigmoid):
        return ops.SIGMOID.forward
    assert isinstance(stage, LeakyReLU)
    return ops.LeakyRelu.of(stage.negative_slope).forward


def _batchnorm(
    bn: BatchNorm1d, rows: Rows, batch_stats: bool
) -> tuple[Rows, tuple[list[float], list[float]] | None]:
    """BatchNorm1d's arithmetic on floats, in the order its graph computes it.

    Returns the normalised rows and, when batch statistics were used, the batch's
    (mean, biased variance) per feature.
    """
    use_batch = batch_stats or not bn.track_running_stats
    columns: list[list[float]] = [list(c) for c in zip(*rows, strict=True)] if rows else []
    means: list[float] = []
    variances: list[float] = []
    out: list[list[float]] = []
    for j, column in enumerate(columns):
        if use_batch:
            n = len(column)
            mean = sum(column) / n
            centered = [v - mean for v in column]
            squares = ops.weighted_sum(centered, centered)
            inv_std = (squares / n + bn.eps) ** -0.5
            column = [v * inv_std for v in centered]
            means.append(mean)
            variances.append(squares / n)
        else:
            # Without running statistics (track_running_stats=False) use_batch is True.
            assert bn.running_mean is not None and bn.running_var is not None
            inv_std = 1.0 / (bn.running_var[j] + bn.eps) ** 0.5
            mean = bn.running_mean[j]
            column = [(v - mean) * inv_std for v in column]
        if bn.weight is not None:  # affine; beta is left out with BatchNorm1d(bias=False)
            gamma = bn.weight[j].data
            beta = bn.bias[j].data if bn.bias is not None else 0.0
            column = [v * gamma + beta for v in column]
        out.append(column)
    rows_out = [list(r) for r in zip(*out, strict=True)] if out else [[] for _ in rows]
    return rows_out, ((means, variances) if use_batch else None)


def forward_floats(
    layers: list[_Layer], rows: Rows, *, batch_stats: bool = False
) -> tuple[list[Rows], dict[str, tuple[list[float], list[float]]]]:
    """Run the layers on plain floats: each layer's output rows, and BatchNorm statistics.

    Args:
        layers: from :func:`network_layers`.
        rows: the input rows.
        batch_stats: normalise with the batch's statistics (training mode) instead of
            the running ones (eval mode).

    Returns:
        ``(outputs, stats)``: ``outputs[l]`` holds layer l's output for every row (after
        its last stage); ``stats`` maps each BatchNorm1d module name that used batch
        statistics to its ``(means, biased variances)``.
    """
    outputs: list[Rows] = []
    stats: dict[str, tuple[list[float], list[float]]] = {}
    h = rows
    for layer in layers:
        h = _linear(layer.linear, h)
        for name, stage in layer.stages:
            if isinstance(stage, BatchNorm1d):
                h, found = _batchnorm(stage, h, batch_stats)
                if found is not None:
                    stats[name] = found
            else:
                f = _activation(stage)
                h = [[f(v) for v in row] for row in h]
        outputs.append(h)
    return outputs, stats


# ---------------------------------------------------------------------------------------
# The recorder
# ---------------------------------------------------------------------------------------


def _floats(row: Any) -> list[float]:
    """A data row as floats (rows may hold numbers or Values)."""
    values = row if isinstance(row, (list, tuple)) else [row]
    return [float(v.data) if isinstance(v, Value) else float(v) for v in values]


def _target(t: Any) -> float:
    return float(t.data) if isinstance(t, Value) else float(t)


def fingerprint(X: Sequence[Any], y: Sequence[Any]) -> str:
    """A SHA-256 of the rows and targets as float64s (equal data, equal fingerprint)."""
    digest = hashlib.sha256()
    for row, target in zip(X, y, strict=True):
        numbers = _floats(row)
        digest.update(struct.pack(f"<I{len(numbers)}dd", len(numbers), *numbers, _target(target)))
    return digest.hexdigest()


def _grid(points: Rows, size: int, margin: float) -> dict[str, Any]:
    """A square grid of cell centres over the points' range plus a margin."""
    finite = [p for p in points if math.isfinite(p[0]) and math.isfinite(p[1])]
    xs = [p[0] for p in finite] or [0.0]
    ys = [p[1] for p in finite] or [0.0]
    cx = (min(xs) + max(xs)) / 2.0
    cy = (min(ys) + max(ys)) / 2.0
    span = max(max(xs) - min(xs), max(ys) - min(ys))
    half = span / 2.0 * (1.0 + 2.0 * margin) if span > 0 else 1.0
    bounds = [cx - half, cx + half, cy - half, cy + half]
    cell = 2.0 * half / size
    return {
        "size": size,
        "x": [bounds[0] + (j + 0.5) * cell for j in range(size)],
        "y": [bounds[2] + (i + 0.5) * cell for i in range(size)],
        "bounds": bounds,
    }


def _nested(tensor: Any, read: Callable[[Value], float]) -> Any:
    """A parameter (vector or matrix of Values) as nested floats read by ``read``."""
    return [read(v) if isinstance(v, Value) else [read(w) for w in v] for v in tensor]


def _decision(rule: Any) -> tuple[str | None, float | None]:
    if rule is training.probability_accuracy:
        return "threshold", 0.5
    if rule is training.sign_accuracy:
        return "threshold", 0.0
    if rule is training.argmax_accuracy:
        return "argmax", None
    return None, None


def _options(record: object, record_every: object) -> RecordOptions:
    """The options ``record`` stands for, once ``record`` and ``record_every`` are checked."""
    if not isinstance(record, (bool, RecordOptions)):
        raise TypeError(f"record must be True, False or nn.RecordOptions, got {record!r}")
    if record_every is not None:
        if not record:
            raise ValueError(f"record_every={record_every!r} needs record=True")
        if not isinstance(record_every, int) or isinstance(record_every, bool) or record_every < 1:
            raise ValueError(f"record_every must be an int >= 1 or None, got {record_every!r}")
    return record if isinstance(record, RecordOptions) else RecordOptions()


def _data_description(
    X: Sequence[Any],
    y: Sequence[Any],
    validation_data: tuple[Sequence[Any], Sequence[Any]] | None,
    features: int,
) -> dict[str, Any]:
    """``recording["data"]``: sizes and fingerprints; for 2-D inputs, the points too."""
    X_val, y_val = validation_data if validation_data is not None else ([], [])
    data: dict[str, Any] = {
        "features": features,
        "train_rows": len(X),
        "val_rows": len(X_val),
        "train_sha256": fingerprint(X, y),
        "val_sha256": fingerprint(X_val, y_val) if validation_data is not None else None,
    }
    if features == 2:
        data["X"] = [_floats(row) for row in X]
        data["y"] = [_target(t) for t in y]
        data["X_val"] = [_floats(row) for row in X_val]
        data["y_val"] = [_target(t) for t in y_val]
    return data


class Recorder:
    """Keeps the frames of one ``fit`` run; ``fit`` calls it, users read ``history.recording``.

    ``fit`` creates it before the first step (which records frame 0), calls
    :meth:`after_step` after every optimizer step and :meth:`after_epoch` after every
    epoch, and hands any exception to :meth:`stop_on` (which ends the recording on a
    divergence).

    Raises:
        ValueError: for a bad ``record_every`` or ``record_every`` without ``record``.
        TypeError: if ``record`` is not a bool or a :class:`RecordOptions`.
    """

    def __init__(
        self,
        history: training.History,
        model: Module,
        X: Sequence[Any],
        y: Sequence[Any],
        *,
        loss: Callable[..., Value],
        accuracy: training.AccuracyFunction | None,
        validation_data: tuple[Sequence[Any], Sequence[Any]] | None,
        epochs: int,
        batch_size: int,
        drop_last: bool,
        record: bool | RecordOptions,
        record_every: int | None,
    ) -> None:
        options = _options(record, record_every)
        self.history = history
        self.model = model
        self.X, self.y = X, y
        self.loss, self.rule = loss, accuracy
        self.validation = validation_data
        self.epochs = epochs
        self.every = record_every
        self.options = options
        self.params = model.parameters()
        self.grad_layers = training._layers(model)
        self.param_keys = [
            (f"{prefix}.{name}" if prefix else name, tensor)
            for prefix, module in model.named_modules()
            for name, tensor in module._parameters.items()
        ]
        rows = len(X) // batch_size if drop_last else -(-len(X) // batch_size)
        self.steps_per_epoch = max(rows, 1)
        self.steps = 0
        self.epochs_closed = 0
        self._reset_interval()

        self.train_rows = [_floats(row) for row in X]
        features = len(self.train_rows[0]) if self.train_rows else 0
        layers, why = network_layers(model)
        if layers is not None and layers[0].linear.in_features != features:
            wanted = layers[0].linear.in_features
            layers, why = None, f"the first Linear takes {wanted} inputs, the data has {features}"
        self.layers = layers
        data = _data_description(X, y, validation_data, features)
        grid = None
        grid_missing = None
        if features == 2:
            grid = _grid(data["X"] + data["X_val"], options.grid_size, options.margin)
            self.grid_points = [[x, y_] for y_ in grid["y"] for x in grid["x"]]
        else:
            grid_missing = (
                f"the inputs have {features} features; heatmaps and the decision boundary "
                "need exactly 2 (a plane to draw on)"
            )
        decision, threshold = _decision(accuracy)
        self.recording: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "model": type(model).__name__,
            "epochs": epochs,
            "steps_per_epoch": self.steps_per_epoch,
            "record_every": record_every,
            "stride": 1,
            "task": {
                "loss": getattr(loss, "__name__", type(loss).__name__),
                "outputs": None,
                "decision": decision,
                "threshold": threshold,
            },
            "data": data,
            "grad_layers": [name for name, _ in self.grad_layers],
            "network": _describe(layers) if layers is not None else None,
            "network_missing": why,
            "grid": grid,
            "grid_missing": grid_missing,
            "frames": [],
            "diverged": None,
        }
        self.frames: list[dict[str, Any]] = self.recording["frames"]
        history.recording = self.recording

        train_loss, train_acc = training.evaluate(model, X, y, loss, accuracy)
        self._snapshot(
            loss=train_loss, accuracy=train_acc, val=self._validate(), grad_magnitudes=None
        )
        self.stride = self._stride(self.frames[0])
        self.recording["stride"] = self.stride

    # -- the schedule ---------------------------------------------------------------------

    def _points(self) -> int:
        """How many recording points the planned run has (epochs, or record_every steps)."""
        if self.every is None:
            return self.epochs
        return -(-self.epochs * self.steps_per_epoch // self.every)

    def _stride(self, first: dict[str, Any]) -> int:
        """Keep every s-th recording point, so that frames fit max_frames and max_values."""
        # Frame 0 has no gradients yet; later frames hold as many as there are parameters.
        size = 2 * _count(first["state"]) + _count(first["batchnorm"])
        size += _count(first["neurons"]) + _count(first["output"])
        cap = min(self.options.max_frames, max(2, self.options.max_values // max(size, 1)))
        return max(1, -(-self._points() // (cap - 1)))

    def _keeps(self, point: int) -> bool:
        """Whether recording point ``point`` (counting from 1) becomes a frame."""
        return point % self.stride == 0 or point == self._points()

    # -- called by fit --------------------------------------------------------------------

    def _reset_interval(self) -> None:
        self.loss_sum = self.hits = 0.0
        self.rows = self.interval_steps = 0
        self.grad_sums = [0.0] * len(self.grad_layers)

    def after_step(self, loss: float, out: Any, y_batch: Sequence[Any]) -> None:
        """After each optimizer step: check for divergence; with record_every, record.

        Raises:
            DivergenceError: if the loss or a parameter is NaN or infinite.
        """
        self.steps += 1
        if not math.isfinite(loss):
            raise DivergenceError(f"the training loss is {loss}")
        for p in self.params:
            if not math.isfinite(p.data):
                raise DivergenceError(f"parameter {p.label} is {p.data}")
        if self.every is None:
            return
        n = len(y_batch)
        self.loss_sum += loss * n
        if self.rule is not None:
            self.hits += self.rule(training._data(out), y_batch) * n
        self.rows += n
        self.interval_steps += 1
        for i, (_, params) in enumerate(self.grad_layers):
            self.grad_sums[i] += sum(abs(p.grad) for p in params) / len(params)
        total = self.epochs * self.steps_per_epoch
        if self.steps % self.every and self.steps != total:
            return
        point = -(-self.steps // self.every)
        if self._keeps(point):
            try:
                val = self._validate()
            except OverflowError as error:
                raise DivergenceError(
                    f"a value overflowed evaluating the model on the validation data ({error})"
                ) from error
            self._snapshot(
                loss=self.loss_sum / self.rows,
                accuracy=self.hits / self.rows if self.rule is not None else math.nan,
                val=val,
                grad_magnitudes={
                    name: s / self.interval_steps
                    for (name, _), s in zip(self.grad_layers, self.grad_sums, strict=True)
                },
            )
        self._reset_interval()

    def after_epoch(self) -> None:
        """After each epoch (validation done): in epoch mode, record from the History."""
        self.epochs_closed += 1
        if self.every is not None:
            return
        h = self.history
        epoch = len(h.loss)
        if not self._keeps(epoch):
            return
        val = (h.val_loss[-1], h.val_accuracy[-1]) if self.validation is not None else None
        self._snapshot(
            loss=h.loss[-1],
            accuracy=h.accuracy[-1],
            val=val,
            grad_magnitudes={name: values[-1] for name, values in h.grad_magnitudes.items()},
        )

    def stop_on(self, error: BaseException) -> bool:
        """If ``error`` means training diverged, end the recording there and return True.

        The engine raises OverflowError when an op's result overflows a float, and
        :meth:`after_step` raises :class:`DivergenceError` for a NaN or infinite loss or
        parameter. Anything else is not ours to handle: return False (fit re-raises).
        """
        if not isinstance(error, (DivergenceError, OverflowError)):
            return False
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        if isinstance(error, DivergenceError):
            step = self.steps  # raised after its step was counted
        elif len(self.history.loss) > self.epochs_closed:
            # The epoch's steps are done and its loss is in the History: evaluating the
            # model after the epoch (on the validation data) overflowed.
            step = self.steps
            reason = f"a value overflowed evaluating the model after the epoch ({reason})"
        else:
            step = self.steps + 1  # an op overflowed during the next step
            reason = f"a value overflowed ({reason})"
        epoch = (max(step, 1) - 1) // self.steps_per_epoch + 1
        reason = reason if len(reason) <= 200 else reason[:199] + "…"
        self.recording["diverged"] = {"epoch": epoch, "step": step, "reason": reason}
        warnings.warn(
            f"training diverged at epoch {epoch}, step {step}: {reason}. fit stopped there; "
            "history.recording['diverged'] says where, and the frames end at the last "
            "finite one",
            RuntimeWarning,
            stacklevel=3,
        )
        return True

    # -- frames ---------------------------------------------------------------------------

    def _validate(self) -> tuple[float, float] | None:
        if self.validation is None:
            return None
        return training.evaluate(self.model, *self.validation, loss=self.loss, accuracy=self.rule)

    def _snapshot(
        self,
        *,
        loss: float,
        accuracy: float,
        val: tuple[float, float] | None,
        grad_magnitudes: dict[str, float] | None,
    ) -> None:
        """Append a frame: the numbers given, and what the model is now (see the layout)."""
        model = self.model
        first = not self.frames
        frame: dict[str, Any] = {
            "epoch": self.steps / self.steps_per_epoch
            if self.every is not None
            else float(len(self.history.loss)),
            "step": self.steps,
            "loss": loss,
            "accuracy": accuracy,
            "val_loss": val[0] if val is not None else None,
            "val_accuracy": val[1] if val is not None else None,
            "grad_magnitudes": grad_magnitudes,
            "state": model.state_dict(),
            "grads": None
            if first
            else {key: _nested(tensor, lambda v: v.grad) for key, tensor in self.param_keys},
            "batchnorm": None,
            "neurons": None,
            "output": None,
        }
        with no_grad():
            if self.layers is not None:
                frame["batchnorm"] = self._batchnorm_stats(self.layers)
            if self.recording["grid"] is not None:
                frame["neurons"], frame["output"] = self._grids()
        if frame["output"] is not None and self.recording["task"]["outputs"] is None:
            self.recording["task"]["outputs"] = len(frame["output"])
        self.frames.append(frame)

    def _batchnorm_stats(self, layers: list[_Layer]) -> dict[str, Any] | None:
        bns = [
            (name, s) for layer in layers for name, s in layer.stages if isinstance(s, BatchNorm1d)
        ]
        if not bns:
            return None
        _, stats = forward_floats(layers, self.train_rows, batch_stats=True)
        out: dict[str, Any] = {}
        for name, bn in bns:
            mean, var = stats.get(name, ([], []))
            out[name] = {
                "batch_mean": mean,
                "batch_var": var,
                "running_mean": None if bn.running_mean is None else list(bn.running_mean),
                "running_var": None if bn.running_var is None else list(bn.running_var),
                "weight": None if bn.weight is None else [v.data for v in bn.weight],
                "bias": None if bn.bias is None else [v.data for v in bn.bias],
            }
        return out

    def _grids(self) -> tuple[list[list[Grid]] | None, list[Grid] | None]:
        """Every neuron's grid and the model's output grids, the model in eval mode."""
        if self.layers is not None:
            outputs, _ = forward_floats(self.layers, self.grid_points)
            neurons = [[list(unit) for unit in zip(*rows, strict=True)] for rows in outputs]
            return neurons, [list(unit) for unit in neurons[-1]]
        # Any other model: its own forward pass, recording no graph, in eval mode.
        model = self.model
        was_training = model.training
        model.eval()
        try:
            out = training._data(model(self.grid_points))
        except (ValueError, TypeError, ArithmeticError) as error:
            self.recording["grid"] = None
            self.recording["grid_missing"] = f"the model failed on the grid points: {error}"
            return None, None
        finally:
            model.train(was_training)
        rows = [row if isinstance(row, list) else [row] for row in out]
        return None, [list(unit) for unit in zip(*rows, strict=True)]


def _count(data: Any) -> int:
    """How many numbers nested plain data holds."""
    if isinstance(data, Mapping):
        return sum(_count(v) for v in data.values())
    if isinstance(data, list):
        if data and not isinstance(data[0], (list, dict)):
            return len(data)
        return sum(_count(v) for v in data)
    return 1 if isinstance(data, (int, float)) else 0


# ---------------------------------------------------------------------------------------
# Checking and copying plain data
# ---------------------------------------------------------------------------------------


def plain_copy(data: Any) -> Any:
    """A deep copy of JSON-like data (dicts, lists, numbers, strings, None), quickly."""
    if isinstance(data, list):
        if data and isinstance(data[0], (float, int)) and not isinstance(data[0], bool):
            return list(data)
        return [plain_copy(v) for v in data]
    if isinstance(data, Mapping):
        return {k: plain_copy(v) for k, v in data.items()}
    return data


def check_recording(recording: Any) -> dict[str, Any]:
    """Return ``recording`` if it looks like a gradstep recording, else raise ValueError.

    Checks the format marker, the version and the fields the player reads, not every
    number.
    """
    if not isinstance(recording, Mapping):
        raise ValueError(f"a recording is a dict, got {type(recording).__name__}")
    if recording.get("format") != FORMAT:
        raise ValueError(
            f"not a gradstep recording (format is {recording.get('format')!r}, expected {FORMAT!r})"
        )
    if recording.get("version") != VERSION:
        raise ValueError(
            f"recording version {recording.get('version')!r} is not supported "
            f"(this gradstep reads version {VERSION})"
        )
    fields = ["epochs", "steps_per_epoch", "record_every", "stride", "task", "data"]
    fields += ["grad_layers", "network", "grid", "frames", "diverged"]
    missing = [key for key in fields if key not in recording]
    if missing:
        raise ValueError(f"the recording lacks {', '.join(missing)}")
    frames = recording["frames"]
    if not isinstance(frames, list) or not frames:
        raise ValueError("the recording has no frames")
    return dict(recording)


def _float_list(value: Any, field: str) -> list[float]:
    if not isinstance(value, list):
        raise ValueError(f"History field {field!r} must be a list of numbers, got {value!r:.60}")
    try:
        return [float(v) for v in value]
    except (TypeError, ValueError):
        raise ValueError(f"History field {field!r} must hold numbers only") from None


def history_from_dict(cls: type[training.History], data: Any) -> training.History:
    """``History.from_dict``: rebuild a History from :meth:`History.to_dict` data."""
    if not isinstance(data, Mapping):
        raise ValueError(f"History.from_dict needs a dict, got {type(data).__name__}")
    unknown = sorted(
        set(data)
        - {"loss", "accuracy", "val_loss", "val_accuracy"}
        - {"grad_magnitudes", "recording"}
    )
    if unknown:
        raise ValueError(f"History.from_dict: unknown field(s) {', '.join(map(repr, unknown))}")
    grads = data.get("grad_magnitudes", {})
    if not isinstance(grads, Mapping):
        raise ValueError("History field 'grad_magnitudes' must be a dict of lists")
    recording = data.get("recording")
    return cls(
        loss=_float_list(data.get("loss", []), "loss"),
        accuracy=_float_list(data.get("accuracy", []), "accuracy"),
        val_loss=_float_list(data.get("val_loss", []), "val_loss"),
        val_accuracy=_float_list(data.get("val_accuracy", []), "val_accuracy"),
        grad_magnitudes={
            str(k): _float_list(v, f"grad_magnitudes[{k!r}]") for k, v in grads.items()
        },
        recording=None if recording is None else plain_copy(check_recording(recording)),
    )
