"""Plots for the activation notebooks (05-08): the figures they would otherwise build by hand.

Like :mod:`viz.plots`, every function returns a figure (shown by Jupyter when it ends a
cell) and never touches pyplot's global state; the numbers behind a figure come from
functions that return them, so a notebook can print them and a test can check them.

* :func:`tanh_identities` and :func:`plot_tanh_identities`: tanh(x) against 2σ(2x) − 1
  (the right identity) and 2σ(x) − 1 (the lecture note's, which is tanh(x/2)).
* :func:`preactivations`, :func:`saturated_share` and
  :func:`plot_preactivation_histograms`: what each activation layer of a network
  receives, drawn over σ'(z), with the share of units where σ' is nearly 0.
* :func:`plot_loss_curves`: the training loss of several runs on one axes.
* :func:`plot_first_epoch_gradients`: each layer's mean |grad| in the first epoch, a
  profile across depth, one line per run.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.figure import Figure

import nn
from autograd import Value, no_grad
from viz.plots import NotebookFigure

__all__ = [
    "MAX_POINTS",
    "MAX_REACH",
    "SATURATION_THRESHOLD",
    "plot_first_epoch_gradients",
    "plot_loss_curves",
    "plot_preactivation_histograms",
    "plot_tanh_identities",
    "preactivations",
    "saturated_share",
    "sigmoid_slope",
    "tanh_identities",
]

SATURATION_THRESHOLD = 0.05
"""σ'(z) below this counts as saturated: a fifth of sigmoid's best slope, 1/4."""

TANH = "tanh(x)"
RIGHT = "2σ(2x) − 1"
NOTE = "2σ(x) − 1"


def sigmoid_slope(z: float) -> float:
    """σ'(z) = σ(z)(1 − σ(z)), computed by backprop through the engine's sigmoid.

    >>> sigmoid_slope(0.0)
    0.25
    """
    x = Value(z)
    x.sigmoid().backward()
    return x.grad


def tanh_identities(xs: Sequence[float]) -> dict[str, list[float]]:
    """tanh(x), 2σ(2x) − 1 and 2σ(x) − 1 at each x, each computed with the engine's ops.

    Returns:
        ``{"tanh(x)": [...], "2σ(2x) − 1": [...], "2σ(x) − 1": [...]}``, one number per x.

    Example:
        >>> curves = tanh_identities([1.0])
        >>> round(curves["tanh(x)"][0], 6), round(curves["2σ(2x) − 1"][0], 6)
        (0.761594, 0.761594)
        >>> round(curves["2σ(x) − 1"][0], 6)  # tanh(1/2), not tanh(1)
        0.462117
    """
    values = [Value(x) for x in _floats(xs, "xs")]
    return {
        TANH: [v.tanh().data for v in values],
        RIGHT: [(2 * (2 * v).sigmoid() - 1).data for v in values],
        NOTE: [(2 * v.sigmoid() - 1).data for v in values],
    }


MAX_REACH = 1000.0
"""The histograms' x range grows with the widest z up to ±MAX_REACH (σ' is 0 to double
precision beyond ±40); z further out are counted in the saturated share but not drawn."""

MAX_POINTS = 100_000
"""At most this many x in :func:`plot_tanh_identities` (a figure cannot show more)."""


def plot_tanh_identities(lo: float = -4.0, hi: float = 4.0, points: int = 161) -> Figure:
    """tanh against its two candidate identities, and each one's difference from tanh.

    Left: the three curves (2σ(2x) − 1 lies on tanh; 2σ(x) − 1 is flatter, it is
    tanh(x/2)). Right: each identity minus tanh(x), with the largest gap in the legend.

    Args:
        lo, hi: the range of x.
        points: how many x, evenly spaced, including both ends (at least 2).

    Raises:
        ValueError: if ``lo`` or ``hi`` is not finite, ``lo >= hi``, or ``points`` is not
            from 2 to :data:`MAX_POINTS`.
        TypeError: if ``lo`` or ``hi`` is not a number, or ``points`` not an int.

    Example:
        >>> fig = plot_tanh_identities(points=5)
        >>> [line.get_label() for line in fig.axes[0].get_lines()]
        ['tanh(x)', '2σ(2x) − 1', '2σ(x) − 1']
    """
    bounds: tuple[tuple[str, object], ...] = (("lo", lo), ("hi", hi))
    for label, bound in bounds:
        if isinstance(bound, bool) or not isinstance(bound, numbers.Real):
            raise TypeError(f"plot_tanh_identities: {label} should be a number, got {bound!r:.40}")
        if not math.isfinite(bound):
            raise ValueError(f"plot_tanh_identities: {label} should be finite, got {bound!r}")
    if not lo < hi:
        raise ValueError(f"plot_tanh_identities needs lo < hi, got lo={lo}, hi={hi}")
    if isinstance(points, bool) or not isinstance(points, int):
        raise TypeError(f"plot_tanh_identities: points should be an int, got {points!r:.40}")
    if not 2 <= points <= MAX_POINTS:
        raise ValueError(
            f"plot_tanh_identities needs points from 2 to {MAX_POINTS:,}, got {points}"
        )
    xs = [lo + (hi - lo) * i / (points - 1) for i in range(points)]
    curves = tanh_identities(xs)
    fig = NotebookFigure(figsize=(9.5, 3.6), layout="constrained")
    curve_ax, gap_ax = fig.subplots(1, 2)
    styles = {TANH: ("black", "-", 4.0), RIGHT: ("#ea580c", "--", 2.0), NOTE: ("#2563eb", "-", 2)}
    for name, ys in curves.items():
        colour, style, width = styles[name]
        curve_ax.plot(xs, ys, color=colour, linestyle=style, linewidth=width, label=name)
    curve_ax.set(xlabel="x", title="tanh and the two identities")
    curve_ax.legend()
    for name in (RIGHT, NOTE):
        gaps = [a - t for a, t in zip(curves[name], curves[TANH], strict=True)]
        largest = max(abs(g) for g in gaps)
        colour, style, _ = styles[name]
        label = f"{name} − tanh(x): largest |gap| {largest:.2g}"
        gap_ax.plot(xs, gaps, color=colour, linestyle=style, linewidth=2, label=label)
    gap_ax.axhline(0.0, color="black", linewidth=0.8)
    gap_ax.set(xlabel="x", title="difference from tanh(x)")
    gap_ax.legend(fontsize=8, loc="upper right")  # the curves leave that corner empty
    for ax in (curve_ax, gap_ax):
        ax.grid(alpha=0.25)
    return fig


def preactivations(model: nn.Sequential, X: Sequence[Sequence[float]]) -> list[list[float]]:
    """What each activation layer of ``model`` receives, on the batch ``X``.

    Runs the model module by module (an MLP is a Sequential), without building a graph,
    and keeps the input of every activation module (ReLU, Tanh, Sigmoid, LeakyReLU):
    ``result[k]`` holds the pre-activations z of hidden layer k + 1, all its units on
    all rows, flattened. The model's mode decides what BatchNorm1d uses: in training
    mode (the default) the batch's statistics, and its running statistics move a
    little, as in any training forward pass.

    Raises:
        ValueError: if ``X`` is empty or the model has no activation module.

    Example:
        >>> import nn
        >>> model = nn.MLP(2, [3, 3, 1], activation="sigmoid", seed=0)
        >>> [len(z) for z in preactivations(model, [[0.5, 1.0], [1.0, -1.0]])]
        [6, 6]
    """
    if not X:
        raise ValueError("preactivations needs at least one row in X, got none")
    kinds = tuple(nn.ACTIVATIONS.values())
    found: list[list[float]] = []
    h: Any = [list(row) for row in X]
    with no_grad():
        for module in model:
            if isinstance(module, kinds):
                found.append([v.data for row in h for v in row])
            h = module(h)
    if not found:
        raise ValueError(
            f"preactivations found no activation module in {type(model).__name__} "
            f"(looked for {', '.join(k.__name__ for k in kinds)})"
        )
    return found


def saturated_share(zs: Sequence[float], threshold: float = SATURATION_THRESHOLD) -> float:
    """The share of ``zs`` where σ'(z) < ``threshold``: saturated sigmoid units.

    σ'(z) < 0.05 means |z| > 2.887 (σ(z) below 0.0528 or above 0.9472). An infinite z
    counts as saturated (σ' is 0 there).

    Raises:
        ValueError: if ``zs`` is empty or holds a NaN, or ``threshold`` is not in
            (0, 0.25].
        TypeError: if ``zs`` is not a list of numbers.

    Example:
        >>> saturated_share([0.0, 1.0, 3.0, -5.0])
        0.5
    """
    values = _floats(zs, "zs", nan=False)
    if not values:
        raise ValueError("saturated_share needs at least one number, got none")
    limit = _threshold(threshold)
    return sum(_sigmoid_slope(z) < limit for z in values) / len(values)


def plot_preactivation_histograms(
    runs: Mapping[str, Sequence[Sequence[float]]],
    layers: Sequence[int] = (1, 4, 7),
    *,
    threshold: float = SATURATION_THRESHOLD,
    title: str | None = None,
) -> Figure:
    """Histograms of pre-activations at some layers of several runs, over σ'(z).

    One row of panels per run, one column per layer. Each panel shows the histogram of
    z (as a density), σ'(z) on a second axis, the band where σ' < ``threshold`` shaded,
    and that band's share of z in the panel's title.

    Args:
        runs: ``{run name: preactivations(model, X)}``: per hidden layer, its z values.
        layers: which hidden layers to draw, numbered from 1 (next to the input).
        threshold: where σ' counts as saturated.
        title: a title for the figure.

    Raises:
        ValueError: if ``runs`` is empty, a layer number is not a hidden layer of a run,
            a drawn layer has no numbers or a NaN, or ``threshold`` is not in (0, 0.25].
        TypeError: if a layer's values are not a list of numbers.

    Example:
        >>> fig = plot_preactivation_histograms({"a": [[0.0, 1.0], [0.0, 4.0]]}, layers=[2])
        >>> fig.axes[0].get_title().splitlines()
        ['a, layer 2', 'σ′ < 0.05 for 50% of units']
    """
    if not runs:
        raise ValueError("plot_preactivation_histograms needs at least one run, got none")
    layers = list(layers)
    for name, zs in runs.items():
        bad = [k for k in layers if not (isinstance(k, int) and 1 <= k <= len(zs))]
        if bad:
            raise ValueError(
                f"run {name!r} has hidden layers 1 to {len(zs)}; layer {bad[0]!r} is not one"
            )
    threshold = _threshold(threshold)
    drawn = {
        (name, k): _floats(zs[k - 1], f"run {name!r}, layer {k}", nan=False)
        for name, zs in runs.items()
        for k in layers
    }
    for (name, k), values in drawn.items():
        if not values:
            raise ValueError(f"run {name!r}, layer {k} has no values to draw")
    # the x range covers every finite z (an infinite one is counted in the share only)
    widest = max((abs(z) for values in drawn.values() for z in values if math.isfinite(z)),
                 default=0.0)  # fmt: skip
    reach = max(6.0, math.ceil(min(widest, MAX_REACH)))
    grid = [-reach + 2 * reach * i / 240 for i in range(241)]
    slopes = [_sigmoid_slope(z) for z in grid]
    steep = (1 + math.sqrt(1 - 4 * threshold)) / 2  # σ(z) where σ'(z) = s(1 - s) = threshold
    edge = math.log(steep / (1 - steep))
    fig = NotebookFigure(figsize=(3.3 * len(layers), 2.6 * len(runs) + 0.4), layout="constrained")
    axes = fig.subplots(len(runs), len(layers), squeeze=False, sharex=True)
    for row, name in zip(axes, runs, strict=True):
        for ax, k in zip(row, layers, strict=True):
            values = drawn[name, k]
            ax.hist(values, bins=40, range=(-reach, reach), density=True, color="#2563eb")
            ax.axvspan(-reach, -edge, color="#dc2626", alpha=0.12)
            ax.axvspan(edge, reach, color="#dc2626", alpha=0.12)
            slope_ax = ax.twinx()
            slope_ax.plot(grid, slopes, color="#ea580c", linewidth=2)
            slope_ax.set_ylim(0, 0.27)
            slope_ax.set_yticks([0, 0.05, 0.25])
            share = saturated_share(values, threshold)
            ax.set_title(f"{name}, layer {k}\nσ′ < {threshold:g} for {share:.0%} of units")
            ax.title.set_fontsize(9)
            ax.set_xlabel("z (input of the sigmoid)")
            ax.set_yticks([])
    fig.suptitle(title if title is not None else "Pre-activations (blue) over σ′(z) (orange)")
    return fig


def plot_loss_curves(runs: Mapping[str, object], *, title: str | None = None) -> Figure:
    """The training loss per epoch of several runs, one line each.

    Args:
        runs: ``{name: run}``, each run an ``nn.History``, a dict with ``"loss"``, or
            the list of losses itself.
        title: a title for the axes.

    Raises:
        ValueError: if ``runs`` is empty. TypeError: if a run has no losses.

    Example:
        >>> fig = plot_loss_curves({"a": [0.7, 0.5], "b": {"loss": [0.7, 0.6]}})
        >>> [line.get_ydata().tolist() for line in fig.axes[0].get_lines()]
        [[0.7, 0.5], [0.7, 0.6]]
    """
    if not runs:
        raise ValueError("plot_loss_curves needs at least one run, got none")
    fig = NotebookFigure(figsize=(6.5, 3.6), layout="constrained")
    ax = fig.add_subplot()
    for name, run in runs.items():
        losses = _losses(run, name)
        ax.plot(range(1, len(losses) + 1), losses, linewidth=2, label=name)
    ax.set(xlabel="epoch", ylabel="training loss")
    if title is not None:
        ax.set_title(title)
    ax.grid(alpha=0.25)
    ax.legend()
    return fig


def plot_first_epoch_gradients(
    runs: Mapping[str, object], *, only: str = "Linear", title: str | None = None
) -> Figure:
    """Each layer's mean |grad| in the first epoch, as a profile across depth.

    Read a line from right (the output layer) to left (the input layer): how much the
    gradient shrinks on its way back. Log scale.

    Args:
        runs: ``{name: nn.History}`` (or dicts with ``"grad_magnitudes"``), recorded
            by ``nn.fit``.
        only: keep the layers whose name contains this ("Linear": the weight layers).
        title: a title for the axes.

    Raises:
        ValueError: if ``runs`` is empty or a run has no layer matching ``only``.

    Example:
        >>> gm = {"0 Linear": [1e-3, 2e-3], "2 Linear": [0.1, 0.1]}
        >>> fig = plot_first_epoch_gradients({"a": {"grad_magnitudes": gm}})
        >>> fig.axes[0].get_lines()[0].get_ydata().tolist()
        [0.001, 0.1]
    """
    if not runs:
        raise ValueError("plot_first_epoch_gradients needs at least one run, got none")
    fig = NotebookFigure(figsize=(6.5, 3.8), layout="constrained")
    ax = fig.add_subplot()
    for name, run in runs.items():
        magnitudes = _field(run, "grad_magnitudes")
        if not isinstance(magnitudes, Mapping):
            raise TypeError(f"run {name!r} has no grad_magnitudes (train it with nn.fit)")
        first = [curve[0] for layer, curve in magnitudes.items() if only in layer and curve]
        if not first:
            raise ValueError(f"run {name!r} has no layer whose name contains {only!r}")
        ax.plot(range(1, len(first) + 1), first, marker="o", linewidth=2, label=name)
    ax.set_yscale("log")
    ax.set(xlabel=f"{only} layer (1 = next to the input)", ylabel="mean |grad| in epoch 1")
    if title is not None:
        ax.set_title(title)
    ax.grid(alpha=0.25, which="both")
    ax.legend()
    return fig


# -- helpers ------------------------------------------------------------------------------


def _sigmoid_slope(z: float) -> float:
    """σ'(z) on floats (the histograms need thousands of them), stable for large |z|."""
    s = 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
    return s * (1.0 - s)


def _floats(values: object, what: str, *, nan: bool = True) -> list[float]:
    """``values`` as floats; a TypeError or ValueError naming ``what`` and the index.

    ``nan=False`` refuses NaN (a pre-activation that is NaN has no place in a histogram
    or a share; a NaN loss, from a run that diverged, is still drawn).
    """
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise TypeError(f"{what} should be a list of numbers, got {type(values).__name__}")
    out = []
    for i, v in enumerate(values):
        # numbers.Real: also numpy's float32 and int64, and Fraction
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise TypeError(f"{what}[{i}] should be a number, got {type(v).__name__}: {v!r:.40}")
        try:
            x = float(v)
        except OverflowError:
            raise ValueError(f"{what}[{i}] is an integer too large for a float") from None
        if not nan and math.isnan(x):
            raise ValueError(f"{what}[{i}] is NaN: the network's numbers broke down before")
        out.append(x)
    return out


def _threshold(threshold: object) -> float:
    """A saturation threshold: a number in (0, 0.25], the range of σ'."""
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real):
        raise TypeError(f"threshold should be a number, got {type(threshold).__name__}")
    value = float(threshold)
    if not 0 < value <= 0.25:
        raise ValueError(f"threshold should be in (0, 0.25], where σ' lies, got {threshold!r}")
    return value


def _field(run: object, key: str) -> object:
    if isinstance(run, Mapping):
        return run.get(key)
    return getattr(run, key, None)


def _losses(run: object, name: str) -> list[float]:
    if isinstance(run, Sequence) and not isinstance(run, (str, bytes)):
        return _floats(run, f"run {name!r}")
    losses = _field(run, "loss")
    if losses is None:
        raise TypeError(
            f"run {name!r} has no losses: give an nn.History, a dict with 'loss', or a list"
        )
    return _floats(losses, f"run {name!r} loss")
