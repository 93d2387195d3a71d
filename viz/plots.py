"""Plots for learning how networks learn (matplotlib).

Every function builds and returns a :class:`matplotlib.figure.Figure` with the object
API; none calls ``plt.show()`` or touches pyplot's global state, so they work in
scripts, tests (no display needed) and notebooks (the figure displays when it is the
last expression of a cell). Save one with ``fig.savefig("name.png")``.

* :func:`plot_activations`: sigmoid, tanh, ReLU and leaky ReLU with their derivatives
  (computed by backprop through the engine), shading where the gradient vanishes.
* :func:`plot_history`: loss and accuracy per epoch, training and validation.
* :func:`plot_decision_boundary`: the regions a 2-D classifier assigns, with the data.
* :func:`plot_gradient_flow`: mean |grad| per layer over training, for one run or to
  compare several (sigmoid vs tanh vs ReLU vs batch norm).
* :func:`plot_optimizer_trajectories`: each optimizer's path on a 2-D loss surface
  from the same start, on one of the surfaces of :mod:`viz.surfaces` (the ravine,
  Rosenbrock's banana) or any function of two Values.

Training histories are duck-typed: ``nn.History`` or a plain dict with the same keys
(``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``: lists of floats per epoch, the
validation ones possibly empty; ``grad_magnitudes``: layer name -> mean |grad| per epoch).
"""

from __future__ import annotations

import contextlib
import io
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from autograd import Value, no_grad
from viz.surfaces import Surface, SurfaceFunction, resolve_surface, surface_grid

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")
"""Activation functions :func:`plot_activations` knows."""

CLASS_COLOURS = ("#2563eb", "#ea580c", "#16a34a", "#9333ea", "#dc2626", "#0891b2", "#ca8a04")
TRAIN_COLOUR, VAL_COLOUR = "#2563eb", "#ea580c"


class NotebookFigure(Figure):
    """A matplotlib Figure that Jupyter shows as an image when a cell returns it.

    The plots here are built with matplotlib's object API rather than pyplot, so no
    window opens and nothing is drawn twice; but IPython only knows how to display
    such a Figure after ``%matplotlib inline``. ``_repr_png_`` makes it display anyway.
    """

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", bbox_inches="tight")
        return buffer.getvalue()


# ---------------------------------------------------------------------------------------
# Activation functions
# ---------------------------------------------------------------------------------------


def _activation(name: str, negative_slope: float) -> Callable[[Value], Value]:
    if name == "leaky_relu":
        return lambda v: v.leaky_relu(negative_slope)
    method: Callable[[Value], Value] = getattr(Value, name)
    return method


def _spans(xs: Sequence[float], mask: Sequence[bool]) -> list[tuple[float, float]]:
    """The x intervals where ``mask`` holds (consecutive True runs)."""
    spans = []
    start: float | None = None
    for x, m in zip(xs, mask, strict=True):
        if m and start is None:
            start = x
        elif not m and start is not None:
            spans.append((start, x))
            start = None
    if start is not None:
        spans.append((start, xs[-1]))
    return spans


def plot_activations(
    names: Sequence[str] = ACTIVATIONS,
    *,
    x_range: tuple[float, float] = (-6.0, 6.0),
    points: int = 481,
    negative_slope: float = 0.1,
    vanish_below: float = 0.05,
) -> Figure:
    """Activation functions and their derivatives, with the regions where gradients vanish.

    The derivative is computed the way training computes it, by ``backward()`` through
    the engine's op. Where it is below ``vanish_below`` the plot is shaded red: a neuron
    whose input sits there passes almost no gradient back (sigmoid and tanh saturate at
    both ends, ReLU is flat - "dead" - for x < 0, leaky ReLU never is).

    Args:
        names: which functions, from :data:`ACTIVATIONS`.
        x_range: the x interval drawn.
        points: how many x values.
        negative_slope: leaky ReLU's slope for x < 0 (0.1, larger than PyTorch's default
            0.01, so that the slope is visible).
        vanish_below: derivatives smaller than this are shaded as vanishing.

    Returns:
        A Figure with one Axes per function, each with two lines (f and f') and the
        shaded spans.

    Example:
        >>> fig = plot_activations(["tanh", "relu"])
        >>> [ax.get_title() for ax in fig.axes]
        ['tanh (largest slope 1)', 'relu (largest slope 1)']
    """
    names = list(names)
    if not names:
        raise ValueError(f"names must name at least one of {', '.join(ACTIVATIONS)}")
    for name in names:
        if name not in ACTIVATIONS:
            raise ValueError(
                f"unknown activation {name!r}; choose from {', '.join(map(repr, ACTIVATIONS))}"
            )
    lo, hi = float(x_range[0]), float(x_range[1])
    if not lo < hi:
        raise ValueError(f"x_range must be (low, high) with low < high, got {x_range!r}")
    if points < 2:
        raise ValueError(f"points must be at least 2, got {points!r}")
    xs = [lo + (hi - lo) * i / (points - 1) for i in range(points)]

    fig = NotebookFigure(figsize=(3.6 * len(names), 3.6), layout="constrained")
    axes = fig.subplots(1, len(names), squeeze=False)[0]
    for ax, name in zip(axes, names, strict=True):
        f = _activation(name, negative_slope)
        ys, ds = [], []
        for x in xs:
            v = Value(x)
            out = f(v)
            out.backward()
            ys.append(out.data)
            ds.append(v.grad)
        for a, b in _spans(xs, [abs(d) < vanish_below for d in ds]):
            ax.axvspan(a, b, color="#dc2626", alpha=0.10, linewidth=0)
        ax.axhline(0.0, color="#94a3b8", linewidth=0.8)
        ax.axvline(0.0, color="#94a3b8", linewidth=0.8)
        ax.plot(xs, ys, color="#2563eb", linewidth=2.2, label=f"{name}(x)")
        ax.plot(xs, ds, color="#ea580c", linewidth=2.0, linestyle="--", label="derivative")
        ax.set_title(f"{name} (largest slope {max(ds):.3g})")
        ax.set_xlabel("x")
        ax.set_xlim(lo, hi)
        ax.grid(alpha=0.25)
    axes[0].legend(loc="upper left", fontsize=9)
    fig.suptitle(f"Activation functions; red: gradient below {vanish_below:g} (vanishes)")
    return fig


# ---------------------------------------------------------------------------------------
# Training history
# ---------------------------------------------------------------------------------------


def _field(history: object, key: str) -> Any:
    """``history[key]`` for a mapping, else ``history.key``; None when absent."""
    if isinstance(history, Mapping):
        return history.get(key)
    return getattr(history, key, None)


def _floats(values: Any, what: str) -> list[float]:
    if values is None:
        return []
    try:
        return [float(v) for v in values]
    except (TypeError, ValueError):
        raise TypeError(f"{what} must be a list of numbers, got {values!r:.80}") from None


def plot_history(history: object, *, title: str | None = None, log_loss: bool = False) -> Figure:
    """Loss (and accuracy, if recorded) per epoch, training solid and validation dashed.

    Args:
        history: an ``nn.History`` or a dict with ``loss`` and optionally ``accuracy``,
            ``val_loss``, ``val_accuracy`` (lists of floats per epoch; may be empty).
        title: a title for the figure.
        log_loss: draw the loss on a log scale.

    Returns:
        A Figure with a loss Axes and, if there is accuracy, an accuracy Axes.

    Raises:
        TypeError: if ``history`` has no ``loss``.

    Example:
        >>> fig = plot_history({"loss": [1.0, 0.5, 0.3], "accuracy": [0.5, 0.8, 0.9]})
        >>> [ax.get_ylabel() for ax in fig.axes]
        ['loss', 'accuracy']
    """
    loss = _field(history, "loss")
    if loss is None:
        raise TypeError(
            "history must have a 'loss' list (an nn.History, or a dict with 'loss' and "
            f"optionally 'accuracy', 'val_loss', 'val_accuracy'); got {type(history).__name__}"
        )
    curves = {
        key: _floats(_field(history, key), key)
        for key in ("loss", "val_loss", "accuracy", "val_accuracy")
    }
    for key, ys in curves.items():  # nn records NaN accuracy for losses without one
        if all(math.isnan(v) for v in ys):
            curves[key] = []
    has_accuracy = bool(curves["accuracy"] or curves["val_accuracy"])
    fig = NotebookFigure(figsize=(10.0 if has_accuracy else 5.5, 3.8), layout="constrained")
    axes = fig.subplots(1, 2 if has_accuracy else 1, squeeze=False)[0]
    panels = [("loss", axes[0])] + ([("accuracy", axes[1])] if has_accuracy else [])
    for what, ax in panels:
        for key, colour, style, label in (
            (what, TRAIN_COLOUR, "-", "training"),
            (f"val_{what}", VAL_COLOUR, "--", "validation"),
        ):
            ys = curves[key]
            if ys:
                epochs = range(1, len(ys) + 1)
                ax.plot(epochs, ys, color=colour, linestyle=style, linewidth=2, label=label)
        ax.set_xlabel("epoch")
        ax.set_ylabel(what)
        ax.grid(alpha=0.25)
        ax.legend()
    if log_loss:
        axes[0].set_yscale("log")
    if has_accuracy:
        axes[1].set_ylim(-0.02, 1.02)
    if title:
        fig.suptitle(title)
    return fig


# ---------------------------------------------------------------------------------------
# Decision boundary
# ---------------------------------------------------------------------------------------


def _number(x: object) -> float:
    return x.data if isinstance(x, Value) else float(x)  # type: ignore[arg-type]


def _rows_out(outputs: object, n: int) -> list[list[float]]:
    """A model's outputs for n rows as n lists of floats (one list per row)."""
    if not isinstance(outputs, Sequence) or len(outputs) != n:
        got = len(outputs) if isinstance(outputs, Sequence) else type(outputs).__name__
        raise ValueError(f"the model must return one output row per input row: {n}, got {got}")
    rows = []
    for row in outputs:
        if isinstance(row, Sequence):
            rows.append([_number(v) for v in row])
        else:
            rows.append([_number(row)])
    return rows


def _default_threshold(model: object) -> float:
    """0.5 for models ending in a sigmoid (probabilities), else 0 (logits)."""
    try:
        import nn
    except ImportError:
        return 0.0
    kinds = tuple(
        k
        for k in (getattr(nn, "Sigmoid", None), getattr(nn, "LogisticRegression", None))
        if isinstance(k, type)
    )
    if not kinds:
        return 0.0
    last = model
    with contextlib.suppress(TypeError, IndexError, KeyError, AttributeError):
        last = model[-1]  # type: ignore[index]  # a Sequential: look at its last module
    return 0.5 if isinstance(model, kinds) or isinstance(last, kinds) else 0.0


@dataclass
class _EvalMode:
    """Switch a module to eval() for the duration (batch norm uses running statistics)."""

    model: object
    was_training: bool = False

    def __enter__(self) -> None:
        self.was_training = bool(getattr(self.model, "training", False))
        if self.was_training and callable(getattr(self.model, "eval", None)):
            self.model.eval()  # type: ignore[attr-defined]

    def __exit__(self, *exc: object) -> None:
        if self.was_training and callable(getattr(self.model, "train", None)):
            self.model.train()  # type: ignore[attr-defined]


def _predict(
    model: Callable[[list[list[float]]], Any], rows: list[list[float]], chunk: int = 512
) -> list[list[float]]:
    out: list[list[float]] = []
    with no_grad(), _EvalMode(model):
        for i in range(0, len(rows), chunk):
            batch = rows[i : i + chunk]
            out.extend(_rows_out(model(batch), len(batch)))
    return out


def plot_decision_boundary(
    model: Callable[[list[list[float]]], Any],
    X: Sequence[Sequence[float | Value]],
    y: Sequence[float | int],
    *,
    threshold: float | None = None,
    resolution: int = 120,
    padding: float = 0.5,
    title: str | None = None,
) -> Figure:
    """The classes a 2-D classifier assigns over the plane, with the data on top.

    Args:
        model: any callable taking a list of rows ``[[x1, x2], ...]`` and returning one
            row of outputs (Values or floats) per input row, as nn modules do. It runs
            under ``autograd.no_grad()``, and in ``eval()`` mode if it has one.
        X: the data, rows of two numbers (or Values).
        y: the class of each row: 0/1 or -1/+1 with one model output, 0..k-1 with k.
        threshold: with one output, the output above which the larger class is
            predicted. Default: 0.5 if the model ends with ``nn.Sigmoid`` or is an
            ``nn.LogisticRegression`` (a probability), else 0 (a logit or a margin).
        resolution: grid points per axis.
        padding: margin around the data.
        title: the title (default: the accuracy on the data).

    Returns:
        A Figure with one Axes: filled class regions, the boundary line (one output) and
        one scatter collection per class.

    Example:
        >>> X = [[-1.0, 0.0], [1.0, 0.5], [-0.5, -1.0], [2.0, 1.0]]
        >>> y = [0, 1, 0, 1]
        >>> fig = plot_decision_boundary(lambda rows: [[r[0]] for r in rows], X, y)
        >>> fig.axes[0].get_title()
        'accuracy on these points: 100%'
    """
    points = [[_number(v) for v in row] for row in X]
    if not points or any(len(p) != 2 for p in points):
        raise ValueError("X must be a non-empty list of rows of two numbers (2-D data)")
    labels = [_number(v) for v in y]
    if len(labels) != len(points):
        raise ValueError(f"X has {len(points)} rows but y has {len(labels)} labels")
    if resolution < 2:
        raise ValueError(f"resolution must be at least 2, got {resolution!r}")
    classes = sorted(set(labels))

    xs0, xs1 = [p[0] for p in points], [p[1] for p in points]
    x_lo, x_hi = min(xs0) - padding, max(xs0) + padding
    y_lo, y_hi = min(xs1) - padding, max(xs1) + padding
    gx = [x_lo + (x_hi - x_lo) * i / (resolution - 1) for i in range(resolution)]
    gy = [y_lo + (y_hi - y_lo) * j / (resolution - 1) for j in range(resolution)]
    grid = [[a, b] for b in gy for a in gx]
    outputs = _predict(model, grid + points)
    k = len(outputs[0])
    if any(len(o) != k for o in outputs):
        raise ValueError("the model returned rows of different lengths")

    if k == 1:
        cut = threshold if threshold is not None else _default_threshold(model)
        low, high = (classes[0], classes[-1]) if len(classes) >= 2 else (0.0, 1.0)
        predicted = [high if o[0] > cut else low for o in outputs]
    else:
        predicted = [float(max(range(k), key=o.__getitem__)) for o in outputs]
    shown = sorted(set(classes) | set(predicted))
    index = {c: i for i, c in enumerate(shown)}
    on_grid = predicted[: len(grid)]
    z = [[index[on_grid[j * resolution + i]] for i in range(resolution)] for j in range(resolution)]
    accuracy = sum(p == t for p, t in zip(predicted[len(grid) :], labels, strict=True)) / len(
        labels
    )

    fig = NotebookFigure(figsize=(6.0, 5.2), layout="constrained")
    ax = fig.add_subplot()
    colours = [CLASS_COLOURS[i % len(CLASS_COLOURS)] for i in range(len(shown))]
    levels = [i - 0.5 for i in range(len(shown) + 1)]
    ax.contourf(gx, gy, z, levels=levels, cmap=ListedColormap(colours), alpha=0.22)
    if k == 1:
        score = [
            [outputs[j * resolution + i][0] for i in range(resolution)] for j in range(resolution)
        ]
        lo_s = min(min(r) for r in score)
        hi_s = max(max(r) for r in score)
        if lo_s < cut < hi_s:
            ax.contour(gx, gy, score, levels=[cut], colors="#0f172a", linewidths=1.6)
    for c in classes:
        members = [p for p, t in zip(points, labels, strict=True) if t == c]
        ax.scatter(
            [p[0] for p in members],
            [p[1] for p in members],
            s=28,
            color=colours[index[c]],
            edgecolors="white",
            linewidths=0.7,
            label=f"class {c:g}",
            zorder=3,
        )
    ax.set_xlim(x_lo, x_hi)
    ax.set_ylim(y_lo, y_hi)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.legend(loc="best", fontsize=9)
    ax.set_title(title if title is not None else f"accuracy on these points: {accuracy:.0%}")
    return fig


# ---------------------------------------------------------------------------------------
# Gradient flow
# ---------------------------------------------------------------------------------------


def _is_curve(x: object) -> bool:
    return (
        isinstance(x, Sequence)
        and not isinstance(x, str)
        and all(isinstance(v, (int, float)) for v in x)
    )


def _runs(runs: object) -> dict[str, dict[str, list[float]]]:
    """Normalise the accepted inputs to {run name: {layer: curve}}."""
    single = _field(runs, "grad_magnitudes") if not isinstance(runs, str) else None
    if single is not None:
        return {"": {str(k): _floats(v, f"grad_magnitudes[{k!r}]") for k, v in single.items()}}
    if isinstance(runs, Mapping) and runs and all(_is_curve(v) for v in runs.values()):
        return {"": {str(k): _floats(v, f"grad_magnitudes[{k!r}]") for k, v in runs.items()}}
    if isinstance(runs, Mapping) and runs:
        out = {}
        for name, run in runs.items():
            gm = _field(run, "grad_magnitudes")
            if gm is None and isinstance(run, Mapping) and all(_is_curve(v) for v in run.values()):
                gm = run  # the grad_magnitudes dict itself: {layer: curve}
            if gm is None:
                raise TypeError(
                    f"run {name!r} has no grad_magnitudes (expected an nn.History or a dict "
                    "with 'grad_magnitudes': {layer name: [mean |grad| per epoch]})"
                )
            out[str(name)] = {str(k): _floats(v, f"grad_magnitudes[{k!r}]") for k, v in gm.items()}
        return out
    raise TypeError(
        "plot_gradient_flow needs an nn.History, a dict {layer: [mean |grad| per epoch]}, "
        f"or a dict {{run name: history}}; got {type(runs).__name__}"
    )


def plot_gradient_flow(runs: object, *, log_scale: bool = True, title: str | None = None) -> Figure:
    """Mean |grad| per layer over training: how well gradients reach the early layers.

    With sigmoid (and to a lesser degree tanh) the early layers' gradients are orders of
    magnitude below the late ones' (vanishing gradients); ReLU and batch normalisation
    keep them level. Pass several runs to compare them side by side, on a shared scale.

    Args:
        runs: one run (an ``nn.History``, a dict with ``grad_magnitudes``, or the
            ``grad_magnitudes`` dict itself: layer name -> mean |grad| per epoch), or a
            dict {run name: run} of several, each run given in any of those forms.
        log_scale: a log y axis (gradients span orders of magnitude).
        title: a title for the figure.

    Returns:
        A Figure with one Axes per run and one line per layer, coloured from the first
        layer (dark) to the last (light).

    Example:
        >>> fig = plot_gradient_flow({
        ...     "sigmoid": {"grad_magnitudes": {"0 Linear": [1e-4, 2e-4], "2 Linear": [0.1, 0.1]}},
        ...     "relu": {"grad_magnitudes": {"0 Linear": [0.05, 0.04], "2 Linear": [0.1, 0.09]}},
        ... })
        >>> [(ax.get_title(), len(ax.get_lines())) for ax in fig.axes]
        [('sigmoid', 2), ('relu', 2)]
    """
    data = _runs(runs)
    fig = NotebookFigure(figsize=(max(5.0, 4.2 * len(data)), 3.9), layout="constrained")
    axes = fig.subplots(1, len(data), squeeze=False, sharey=True)[0]
    from matplotlib import colormaps

    cmap = colormaps["viridis"]
    for ax, (name, layers) in zip(axes, data.items(), strict=True):
        n = len(layers)
        for i, (layer, curve) in enumerate(layers.items()):
            if not curve:
                continue
            shade = cmap(0.85 * i / max(1, n - 1))
            ax.plot(range(1, len(curve) + 1), curve, color=shade, linewidth=2, label=layer)
        if log_scale and any(v > 0 for curve in layers.values() for v in curve):
            ax.set_yscale("log")
        ax.set_title(name)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.25, which="both")
        if layers:
            ax.legend(fontsize=8, title="layer", title_fontsize=8)
    axes[0].set_ylabel("mean |grad| of the layer's parameters")
    fig.suptitle(title if title is not None else "Gradient flow per layer")
    return fig


# ---------------------------------------------------------------------------------------
# Optimizer trajectories
# ---------------------------------------------------------------------------------------


class Optimizer(Protocol):
    """What :func:`plot_optimizer_trajectories` needs of an optimizer (nn.optim's API)."""

    def zero_grad(self) -> None: ...

    def step(self) -> None: ...


@dataclass(frozen=True)
class _Run:
    """One optimizer's walk: the points visited, the loss at each step, and whether it
    diverged (overflowed or left the plane) before the last step."""

    path: list[tuple[float, float]]
    losses: list[float]
    diverged: bool


def _run_optimizer(
    surface: Surface, factory: Callable[[list[Value]], Optimizer], steps: int, name: str
) -> _Run:
    """Make the optimizer from ``[x, y]`` at the surface's start and take ``steps`` steps."""
    x, y = Value(surface.start[0], label="x"), Value(surface.start[1], label="y")
    optimizer = factory([x, y])
    if not callable(getattr(optimizer, "step", None)) or not callable(
        getattr(optimizer, "zero_grad", None)
    ):
        raise TypeError(
            f"optimizer factory {name!r} must return an optimizer with .zero_grad() and "
            f".step(), got {type(optimizer).__name__}"
        )
    path = [(x.data, y.data)]
    losses: list[float] = []
    for _ in range(steps):
        try:
            optimizer.zero_grad()
            loss = surface.f(x, y)
            losses.append(loss.data)
            loss.backward()
            optimizer.step()
        except (OverflowError, ValueError, ZeroDivisionError):
            return _Run(path, losses, True)
        if (
            not (math.isfinite(x.data) and math.isfinite(y.data))
            or max(abs(x.data), abs(y.data)) > 1e6
        ):
            return _Run(path, losses, True)
        path.append((x.data, y.data))
    return _Run(path, losses, False)


def _trajectory_figure(
    count: int, *, panels: bool, show_loss: bool
) -> tuple[Figure, list[Axes], Axes | None]:
    """The figure and its Axes: one per path (``panels``) or one for all, and the loss's."""
    if not panels:
        fig = NotebookFigure(figsize=(11.0 if show_loss else 6.5, 5.0), layout="constrained")
        if show_loss:
            ax, loss_ax = fig.subplots(1, 2, width_ratios=[1.25, 1])
            return fig, [ax], loss_ax
        return fig, [fig.add_subplot()], None
    columns = min(3, count + show_loss)
    rows = -(-(count + show_loss) // columns)
    fig = NotebookFigure(figsize=(4.2 * columns, 3.9 * rows), layout="constrained")
    grid = fig.subplots(rows, columns, squeeze=False)
    all_axes = [a for row in grid for a in row]
    for extra in all_axes[count + show_loss :]:
        extra.set_visible(False)
    return fig, all_axes[:count], all_axes[count] if show_loss else None


def _draw_path(ax: Axes, name: str, run: _Run, surface: Surface, colour: str) -> None:
    """One optimizer's path, up to where it leaves the view; the legend says how it ended."""
    (x0, x1), (y0, y1) = surface.xlim, surface.ylim
    if run.diverged:
        final = f"diverged after {len(run.losses)} steps"
    else:
        final = f"loss {run.losses[-1]:.3g}"
    path = run.path
    left = next(
        (k for k, (px, py) in enumerate(path) if not (x0 <= px <= x1 and y0 <= py <= y1)), None
    )
    if left is not None:
        # Drawn up to where it leaves: a path bouncing outside the view would otherwise
        # paint over everything (the loss curve still shows it all).
        path = path[: left + 1]
        if not run.diverged:
            final += f", left the view at step {left}"
    ax.plot(
        [p[0] for p in path],
        [p[1] for p in path],
        color=colour,
        linewidth=1.8,
        marker="o",
        markersize=2.5,
        label=f"{name} ({final})",
    )


def _finish_surface_axes(ax: Axes, surface: Surface) -> None:
    """The start and the minimum, the view and the legend of a panel with paths."""
    ax.plot(
        *surface.start, marker="o", color="#0f172a", markersize=8, linestyle="none", label="start"
    )
    if surface.minimum is not None:
        ax.plot(
            *surface.minimum,
            marker="*",
            color="#facc15",
            markeredgecolor="#0f172a",
            markersize=16,
            linestyle="none",
            label="minimum",
        )
    ax.set_xlim(*surface.xlim)
    ax.set_ylim(*surface.ylim)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend(fontsize=8, loc="best")


def _finish_loss_axes(ax: Axes, runs: Mapping[str, _Run]) -> None:
    if any(v > 0 for run in runs.values() for v in run.losses):
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_title("loss per step")
    ax.grid(alpha=0.25, which="both")
    ax.legend(fontsize=8)


def plot_optimizer_trajectories(
    optimizers: Mapping[str, Callable[[list[Value]], Optimizer]],
    *,
    surface: str | SurfaceFunction = "rosenbrock",
    start: tuple[float, float] | None = None,
    steps: int = 200,
    xlim: tuple[float, float] | None = None,
    ylim: tuple[float, float] | None = None,
    show_loss: bool = True,
    panels: bool = False,
    title: str | None = None,
) -> Figure:
    """The path of each optimizer on a 2-D loss surface, all from the same start.

    Each optimizer is made fresh by its factory from two parameters ``[x, y]`` (Values
    at ``start``), then runs ``steps`` times: ``zero_grad()``, the loss, ``backward()``,
    ``step()``. A run that overflows or leaves the plane is cut short and marked
    "diverged" in the legend.

    Args:
        optimizers: name -> factory, e.g.
            ``{"momentum": lambda p: nn.optim.SGD(p, lr=0.01, momentum=0.9)}``.
        surface: "rosenbrock", "ravine" (see :data:`viz.surfaces.SURFACES`), or any
            function of two Values returning a Value (then give ``start``, ``xlim`` and
            ``ylim``).
        start: the starting point (default: the surface's).
        steps: how many optimizer steps.
        xlim, ylim: the view (default: the surface's).
        show_loss: add an Axes with the loss per step (log scale).
        panels: one Axes per optimizer (small multiples) instead of all paths on one,
            for when the paths overlap (on Rosenbrock they share the valley floor).
        title: a title for the figure.

    Returns:
        A Figure whose first Axes has the contour lines, one line per optimizer, the
        start and the minimum (with ``panels``, one such Axes per optimizer); the last
        (if ``show_loss``) one loss curve per optimizer. A path that leaves the view
        says at which step in the legend.

    Raises:
        ValueError: for an unknown surface name, or no optimizers.

    Example:
        >>> class GD:                                     # the simplest optimizer
        ...     def __init__(self, params, lr):
        ...         self.params, self.lr = params, lr
        ...     def zero_grad(self):
        ...         for p in self.params: p.grad = 0.0
        ...     def step(self):
        ...         for p in self.params: p.data -= self.lr * p.grad
        >>> fig = plot_optimizer_trajectories({"GD": lambda p: GD(p, 0.4)}, surface="ravine",
        ...                                   steps=30)
        >>> len(fig.axes)
        2
    """
    spec = resolve_surface(surface, start=start, xlim=xlim, ylim=ylim)
    if not optimizers:
        raise ValueError("optimizers must map at least one name to an optimizer factory")
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps!r}")
    runs = {name: _run_optimizer(spec, make, steps, name) for name, make in optimizers.items()}

    fig, surface_axes, loss_ax = _trajectory_figure(len(runs), panels=panels, show_loss=show_loss)
    gx, gy, z = surface_grid(spec)
    for ax in surface_axes:
        _contours(ax, gx, gy, z, log=spec.log_levels)
    for i, (name, run) in enumerate(runs.items()):
        colour = CLASS_COLOURS[i % len(CLASS_COLOURS)]
        ax = surface_axes[i if panels else 0]
        _draw_path(ax, name, run, spec, colour)
        if panels:
            ax.set_title(name)
        if loss_ax is not None and run.losses:
            loss_ax.plot(
                range(len(run.losses)), run.losses, color=colour, linewidth=1.8, label=name
            )
    for ax in surface_axes:
        _finish_surface_axes(ax, spec)
    if loss_ax is not None:
        _finish_loss_axes(loss_ax, runs)
    heading = f"{spec.name}: {steps} steps from {spec.start}"
    if not panels:
        surface_axes[0].set_title(heading)
    if title or panels:
        fig.suptitle(title or heading)
    return fig


def _contours(
    ax: Axes, gx: list[float], gy: list[float], z: list[list[float]], *, log: bool
) -> None:
    flat = [v for row in z for v in row if math.isfinite(v)]
    lo, hi = min(flat), max(flat)
    if log:
        floor = max(lo, 1e-3)
        count = 18
        levels = [floor * (hi / floor) ** (i / (count - 1)) for i in range(count)]
    else:
        levels = [lo + (hi - lo) * (i / 19) ** 2 for i in range(20)]
    levels = sorted(set(levels))
    ax.contourf(gx, gy, z, levels=levels, cmap="Blues_r", alpha=0.45, extend="max")
    ax.contour(gx, gy, z, levels=levels, colors="#475569", linewidths=0.6, alpha=0.6)
