"""Plots of numbers recorded while training: named curves, panels of them, runs over seeds.

The course's notebooks record lists of numbers (a loss per step, an optimizer's state per
step, a final loss per learning rate, a gradient per logit) and draw them as lines. These
three functions are that drawing, so that a notebook cell says *what* it plots:

* :func:`plot_curves`: several named curves on one Axes (a loss per step for each
  optimizer, a final loss against the learning rate);
* :func:`plot_panels`: several such groups side by side, one Axes each (an optimizer's
  state for parameter x next to the same for y);
* :func:`plot_seed_runs`: the same training repeated over seeds, for several
  configurations: one panel per configuration, each seed a thin line and their mean a
  thick one, on a shared y axis, so that the spread between seeds is visible next to
  the difference between configurations.

Like :mod:`viz.plots`, each returns a Figure (Jupyter shows it when a cell returns it)
and never calls ``plt.show()``. The numbers plotted are exactly the ones given: the
line of curve ``name`` in the returned figure has the given x and y data, and carries
``name`` as its label.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from viz.plots import CLASS_COLOURS, NotebookFigure

__all__ = ["plot_curves", "plot_panels", "plot_seed_runs"]

Curves = Mapping[str, Sequence[float]]
"""Named curves: ``{label: [y per x]}``."""


def _numbers(values: object, what: str) -> list[float]:
    """``values`` as a list of floats, or a TypeError naming ``what`` was wrong."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise TypeError(f"{what} must be a list of numbers, got {type(values).__name__}")
    out = []
    for i, v in enumerate(values):
        # numbers.Real: also numpy's float32 and int64, and Fraction
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise TypeError(f"{what}[{i}] must be a number, got {v!r:.40}")
        try:
            out.append(float(v))
        except OverflowError:
            raise ValueError(f"{what}[{i}] is an integer too large for a float") from None
    return out


def _checked_curves(curves: object, what: str) -> dict[str, list[float]]:
    if not isinstance(curves, Mapping):
        raise TypeError(f"{what} must be a dict {{label: [numbers]}}, got {type(curves).__name__}")
    if not curves:
        raise ValueError(f"{what} is empty: give at least one curve {{label: [numbers]}}")
    return {str(label): _numbers(ys, f"{what}[{label!r}]") for label, ys in curves.items()}


def _x_for(x: Sequence[float] | None, n: int, label: str) -> list[float]:
    """The x data of a curve of ``n`` points: ``x`` if given (then of length n), else 1..n."""
    if x is None:
        return [float(i) for i in range(1, n + 1)]
    xs = _numbers(x, "x")
    if len(xs) != n:
        raise ValueError(f"curve {label!r} has {n} points but x has {len(xs)}: give one y per x")
    return xs


def _draw(
    ax: Axes,
    curves: dict[str, list[float]],
    x: Sequence[float] | None,
    *,
    marker: str | None,
) -> None:
    for (label, ys), colour in zip(curves.items(), _colours(len(curves)), strict=True):
        ax.plot(
            _x_for(x, len(ys), label),
            ys,
            color=colour,
            marker=marker,
            markersize=3,
            linewidth=1.5,
            label=label,
        )


def _colours(n: int) -> list[str]:
    """``n`` distinct colours, cycling through the course's palette."""
    return [CLASS_COLOURS[i % len(CLASS_COLOURS)] for i in range(n)]


def _finish(
    ax: Axes,
    *,
    xlabel: str,
    ylabel: str | None,
    log_x: bool,
    log_y: bool,
    values: Sequence[float],
) -> None:
    if log_x and ax.dataLim.x1 > 0:
        ax.set_xscale("log")  # (only with some positive x, as for log_y)
    if log_y and any(v > 0 for v in values if math.isfinite(v)):
        ax.set_yscale("log")  # (a log axis of no positive number would be empty)
    ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)


def plot_curves(
    curves: Curves,
    *,
    x: Sequence[float] | None = None,
    xlabel: str = "step",
    ylabel: str | None = None,
    title: str | None = None,
    log_x: bool = False,
    log_y: bool = False,
    marker: str | None = None,
    size: tuple[float, float] = (6.5, 3.8),
) -> Figure:
    """Several named curves on one Axes, one colour each, with a legend.

    Args:
        curves: ``{label: [y, ...]}``; the curves may differ in length when ``x`` is None.
        x: the x value of every point (all curves then have its length); by default
            1, 2, ... (steps or epochs counted from 1).
        xlabel, ylabel, title: the texts.
        log_x, log_y: log scales (learning rates, losses and gradients span decades).
        marker: a matplotlib marker for the points ("o", "."), or None for lines only.
        size: the figure's size in inches.

    Returns:
        A Figure with one Axes and one line per curve, labelled with its name.

    Raises:
        TypeError: ``curves`` is not a dict of lists of numbers.
        ValueError: ``curves`` is empty, or a curve's length differs from ``x``'s.

    Example:
        >>> fig = plot_curves({"SGD": [1.0, 0.5, 0.3], "Adam": [1.0, 0.2]}, ylabel="loss")
        >>> [(ln.get_label(), [float(v) for v in ln.get_ydata()]) for ln in fig.axes[0].lines]
        [('SGD', [1.0, 0.5, 0.3]), ('Adam', [1.0, 0.2])]
    """
    data = _checked_curves(curves, "curves")
    fig = NotebookFigure(figsize=size, layout="constrained")
    ax = fig.subplots()
    _draw(ax, data, x, marker=marker)
    _finish(
        ax,
        xlabel=xlabel,
        ylabel=ylabel,
        log_x=log_x,
        log_y=log_y,
        values=[v for ys in data.values() for v in ys],
    )
    if title:
        ax.set_title(title)
    return fig


def plot_panels(
    panels: Mapping[str, Curves],
    *,
    x: Sequence[float] | None = None,
    xlabel: str = "step",
    ylabel: str | None = None,
    title: str | None = None,
    log_y: bool = False,
    sharey: bool = False,
    marker: str | None = None,
) -> Figure:
    """Groups of named curves side by side: one Axes per group, titled with its name.

    Args:
        panels: ``{panel title: {label: [y, ...]}}``.
        x, xlabel, marker: as for :func:`plot_curves`, the same for every panel.
        ylabel: the y label of the first panel.
        title: a title above all panels.
        log_y: a log y scale on every panel.
        sharey: one y scale for all panels (to compare sizes across panels).

    Returns:
        A Figure with one Axes per panel, in the order given.

    Raises:
        TypeError, ValueError: as :func:`plot_curves`, for any panel; ValueError also
        when ``panels`` is empty.

    Example:
        >>> fig = plot_panels({"x": {"g": [1.0, 0.5]}, "y": {"g": [-8.0, 4.0], "b": [-8.0, -3.0]}})
        >>> [(ax.get_title(), len(ax.get_lines())) for ax in fig.axes]
        [('x', 1), ('y', 2)]
    """
    if not isinstance(panels, Mapping):
        raise TypeError(
            f"panels must be a dict {{title: {{label: [numbers]}}}}, got {type(panels).__name__}"
        )
    if not panels:
        raise ValueError("panels is empty: give at least one {title: {label: [numbers]}}")
    data = {
        str(name): _checked_curves(curves, f"panels[{name!r}]") for name, curves in panels.items()
    }
    fig = NotebookFigure(figsize=(max(5.5, 4.6 * len(data)), 3.6), layout="constrained")
    axes = fig.subplots(1, len(data), squeeze=False, sharey=sharey)[0]
    for ax, (name, curves) in zip(axes, data.items(), strict=True):
        _draw(ax, curves, x, marker=marker)
        _finish(
            ax,
            xlabel=xlabel,
            ylabel=None,
            log_x=False,
            log_y=log_y,
            values=[v for ys in curves.values() for v in ys],
        )
        ax.set_title(name)
    if ylabel:
        axes[0].set_ylabel(ylabel)
    if title:
        fig.suptitle(title)
    return fig


def _curve_of(run: object, key: str, where: str) -> list[float]:
    """``run[key]`` (a dict) or ``run.key`` (an ``nn.History``) as a list of floats."""
    values: Any = run.get(key) if isinstance(run, Mapping) else getattr(run, key, None)
    if values is None:
        raise TypeError(f"{where} has no {key!r} (expected an nn.History or a dict with {key!r})")
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(f"{where}.{key} must be a list of numbers, got {type(values).__name__}")
    return _numbers(list(values), f"{where}.{key}")


def _mean(column: Sequence[float]) -> float:
    """The mean of the seeds' numbers at one epoch: never an OverflowError (1e308 twice
    has the mean 1e308), NaN where it is undefined (inf and -inf)."""
    try:
        return math.fsum(v / len(column) for v in column)
    except ValueError:  # fsum of inf and -inf
        return math.nan


def plot_seed_runs(
    runs: Mapping[str, Sequence[object]],
    *,
    key: str = "loss",
    log_y: bool = False,
    title: str | None = None,
) -> Figure:
    """The same training over several seeds, for several configurations.

    One panel per configuration (an optimizer, a learning rate...), all on one y scale:
    each seed's curve thin and pale, the mean over the seeds thick. Where the thin lines
    of two panels overlap, the difference between the configurations is within the
    spread between seeds.

    Args:
        runs: ``{configuration name: [one run per seed]}``; a run is an ``nn.History``
            or a dict with a list under ``key``. All runs of a configuration must have
            the same length (the same number of epochs).
        key: what to plot, per epoch: ``"loss"`` (default), ``"accuracy"``,
            ``"val_loss"``...
        log_y: a log y scale (for losses that span decades).
        title: a title above the panels.

    Returns:
        A Figure with one Axes per configuration: the seeds' lines first (labelled
        ``seed 1``, ``seed 2``...), then the mean (labelled ``mean``).

    Raises:
        TypeError: a run has no ``key``, or its values are not numbers.
        ValueError: ``runs`` or a configuration's list is empty, or the runs of a
            configuration differ in length.

    Example:
        >>> fig = plot_seed_runs({"SGD": [{"loss": [1.0, 0.6]}, {"loss": [0.8, 0.4]}]})
        >>> [(ln.get_label(), [float(v) for v in ln.get_ydata()]) for ln in fig.axes[0].lines]
        [('seed 1', [1.0, 0.6]), ('seed 2', [0.8, 0.4]), ('mean', [0.9, 0.5])]
    """
    if not isinstance(runs, Mapping) or not runs:
        raise ValueError(
            "runs must be a non-empty dict {configuration name: [one run per seed]}, got "
            f"{runs!r:.60}"
        )
    curves: dict[str, list[list[float]]] = {}
    for name, seeds in runs.items():
        if isinstance(seeds, (str, bytes, Mapping)) or not isinstance(seeds, Sequence) or not seeds:
            raise ValueError(f"runs[{name!r}] must be a non-empty list of runs, one per seed")
        curves[str(name)] = [
            _curve_of(run, key, f"runs[{name!r}][{i}]") for i, run in enumerate(seeds)
        ]
        lengths = {len(c) for c in curves[str(name)]}
        if len(lengths) != 1:
            raise ValueError(
                f"the runs of {name!r} have different lengths {sorted(lengths)}: train every "
                "seed for the same number of epochs"
            )
    fig = NotebookFigure(figsize=(max(5.5, 3.4 * len(curves)), 3.6), layout="constrained")
    axes = fig.subplots(1, len(curves), squeeze=False, sharey=True)[0]
    for ax, (name, seed_curves), colour in zip(
        axes, curves.items(), _colours(len(curves)), strict=True
    ):
        epochs = [float(e) for e in range(1, len(seed_curves[0]) + 1)]
        for i, ys in enumerate(seed_curves, start=1):
            ax.plot(epochs, ys, color=colour, alpha=0.35, linewidth=1, label=f"seed {i}")
        mean = [_mean(column) for column in zip(*seed_curves, strict=True)]
        ax.plot(epochs, mean, color=colour, linewidth=2.5, label="mean")
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
        ax.grid(alpha=0.3, which="both")
        if log_y and all(v > 0 for ys in seed_curves for v in ys):
            ax.set_yscale("log")
    axes[0].set_ylabel(key)
    axes[0].legend(handles=axes[0].get_lines()[-1:], fontsize=8)  # "mean"; thin lines: seeds
    if title:
        fig.suptitle(title)
    return fig
