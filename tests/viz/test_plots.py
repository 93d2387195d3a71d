"""Plots: each returns a Figure with the expected artists, saves to PNG, never shows."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

import viz
from autograd import Value


def save(fig: Figure, path: Path) -> None:
    fig.savefig(path, dpi=50)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_activations_with_derivatives_and_vanishing_regions(tmp_path: Path) -> None:
    fig = viz.plot_activations()
    assert isinstance(fig, Figure)
    assert [ax.get_title().split(" ")[0] for ax in fig.axes] == list(viz.plots.ACTIVATIONS)
    for ax in fig.axes:
        lines = [
            ln
            for ln in ax.get_lines()
            if ln.get_label() in ("derivative",) or "(x)" in str(ln.get_label())
        ]
        assert len(lines) == 2
    sigmoid, tanh, relu, leaky = fig.axes
    # the derivative line really is the derivative (computed by backprop)
    xs, ds = sigmoid.get_lines()[-1].get_data()
    for x, d in zip(xs[::60], ds[::60], strict=True):
        s = 1 / (1 + math.exp(-x))
        assert d == pytest.approx(s * (1 - s))
    assert "0.25" in sigmoid.get_title()
    # vanishing regions: both tails of sigmoid and tanh, x < 0 for relu, none for leaky relu
    spans = {ax: list(ax.patches) for ax in fig.axes}
    assert len(spans[sigmoid]) == 2 and len(spans[tanh]) == 2
    assert len(spans[relu]) == 1 and len(spans[leaky]) == 0
    save(fig, tmp_path / "activations.png")


def test_activations_reject_unknown_names() -> None:
    with pytest.raises(ValueError, match="'sigmoid', 'tanh', 'relu', 'leaky_relu'"):
        viz.plot_activations(["swish"])


class FakeHistory:
    """Any object with the attributes of nn.History works (duck typing)."""

    def __init__(self) -> None:
        self.loss = [1.0, 0.6, 0.4, 0.3]
        self.val_loss = [1.1, 0.8, 0.6, 0.55]
        self.accuracy = [0.5, 0.7, 0.8, 0.9]
        self.val_accuracy: list[float] = []
        self.grad_magnitudes = {"0 Linear": [0.1, 0.09, 0.08, 0.07], "2 Linear": [0.2] * 4}


def test_history_curves_from_a_dict_and_an_object(tmp_path: Path) -> None:
    fig = viz.plot_history({"loss": [1.0, 0.5], "val_loss": [], "accuracy": []})
    (ax,) = fig.axes
    assert [ln.get_label() for ln in ax.get_lines()] == ["training"]
    fig = viz.plot_history(FakeHistory(), title="run 1", log_loss=True)
    loss_ax, acc_ax = fig.axes
    assert [ln.get_label() for ln in loss_ax.get_lines()] == ["training", "validation"]
    assert loss_ax.get_yscale() == "log"
    assert [ln.get_label() for ln in acc_ax.get_lines()] == ["training"]
    assert list(acc_ax.get_lines()[0].get_xdata()) == [1, 2, 3, 4]
    save(fig, tmp_path / "history.png")
    with pytest.raises(TypeError, match="'loss'"):
        viz.plot_history({"accuracy": [0.5]})


def circle_data(n: int = 60) -> tuple[list[list[float]], list[int]]:
    rng = random.Random(3)
    X = [[rng.uniform(-2, 2), rng.uniform(-2, 2)] for _ in range(n)]
    return X, [int(a * a + b * b > 1.5) for a, b in X]


def test_decision_boundary_of_a_one_output_model(tmp_path: Path) -> None:
    X, y = circle_data()
    calls: list[int] = []

    def model(rows: list[list[float]]) -> list[list[Value]]:
        calls.append(len(rows))
        return [[Value(a) ** 2 + Value(b) ** 2 - 1.5] for a, b in rows]

    fig = viz.plot_decision_boundary(model, X, y, resolution=40)
    (ax,) = fig.axes
    assert ax.get_title() == "accuracy on these points: 100%"
    scatters = [c for c in ax.collections if c.get_label().startswith("class")]
    assert [c.get_label() for c in scatters] == ["class 0", "class 1"]
    assert sum(len(c.get_offsets()) for c in scatters) == len(X)
    assert any(
        isinstance(c, PolyCollection) or c.__class__.__name__ == "QuadContourSet"
        for c in ax.collections
    )  # filled regions
    assert sum(calls) == 40 * 40 + len(X)
    save(fig, tmp_path / "boundary.png")
    # an explicit threshold moves the boundary
    shifted = viz.plot_decision_boundary(model, X, y, resolution=20, threshold=10.0)
    assert shifted.axes[0].get_title() != "accuracy on these points: 100%"


def test_decision_boundary_of_a_k_output_model_uses_argmax() -> None:
    X = [[-1.0, 0.0], [1.0, 0.0], [0.0, 1.5]]
    y = [0, 1, 2]

    def model(rows: list[list[float]]) -> list[list[float]]:
        return [[-a, a, b - 1.0] for a, b in rows]

    fig = viz.plot_decision_boundary(model, X, y, resolution=25, title="three classes")
    assert fig.axes[0].get_title() == "three classes"
    assert len([c for c in fig.axes[0].collections if c.get_label().startswith("class")]) == 3


def test_decision_boundary_runs_without_recording_a_graph() -> None:
    import autograd

    seen: list[bool] = []

    def model(rows: list[list[float]]) -> list[float]:
        seen.append(autograd.is_grad_enabled())
        return [a for a, _ in rows]  # a flat list of outputs also works

    viz.plot_decision_boundary(model, [[0.0, 0.0], [1.0, 1.0]], [0, 1], resolution=10)
    assert seen and not any(seen)
    with pytest.raises(ValueError, match="rows of two numbers"):
        viz.plot_decision_boundary(model, [[1.0, 2.0, 3.0]], [0])


def test_gradient_flow_one_run_or_several(tmp_path: Path) -> None:
    fig = viz.plot_gradient_flow(FakeHistory())
    (ax,) = fig.axes
    assert [ln.get_label() for ln in ax.get_lines()] == ["0 Linear", "2 Linear"]
    assert ax.get_yscale() == "log"
    runs = {
        name: {"grad_magnitudes": {f"{2 * k} Linear": [scale ** (3 - k)] * 5 for k in range(4)}}
        for name, scale in (("sigmoid", 0.1), ("tanh", 0.4), ("relu", 0.9), ("batchnorm", 1.0))
    }
    fig = viz.plot_gradient_flow(runs, title="vanishing gradients")
    assert [ax.get_title() for ax in fig.axes] == list(runs)
    assert all(len(ax.get_lines()) == 4 for ax in fig.axes)
    save(fig, tmp_path / "flow.png")
    fig = viz.plot_gradient_flow({"0 Linear": [0.1, 0.2]})  # the grad_magnitudes dict itself
    assert len(fig.axes[0].get_lines()) == 1
    nested = {"a": {"0 Linear": [0.1, 0.2]}, "b": {"0 Linear": [0.3, 0.1]}}  # runs as dicts
    assert [ax.get_title() for ax in viz.plot_gradient_flow(nested).axes] == ["a", "b"]
    with pytest.raises(TypeError, match="grad_magnitudes"):
        viz.plot_gradient_flow({"run": {"loss": "high"}})


class GD:
    """Plain gradient descent with optional momentum: the optimizer protocol, hand-written."""

    def __init__(self, params: list[Value], lr: float, momentum: float = 0.0) -> None:
        self.params, self.lr, self.momentum = params, lr, momentum
        self.velocity = [0.0] * len(params)

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        for i, p in enumerate(self.params):
            self.velocity[i] = self.momentum * self.velocity[i] + p.grad
            p.data -= self.lr * self.velocity[i]


def test_surfaces_are_functions_of_values() -> None:
    x, y = Value(1.0), Value(1.0)
    r = viz.rosenbrock(x, y)
    r.backward()
    assert (r.data, x.grad, y.grad) == (0.0, 0.0, 0.0)
    x, y = Value(-5.0), Value(-2.0)
    v = viz.ravine(x, y)
    v.backward()
    assert v.data == pytest.approx(10.5) and x.grad == pytest.approx(-1.0)
    assert y.grad == pytest.approx(-8.0)


def test_optimizer_trajectories_on_both_surfaces(tmp_path: Path) -> None:
    fig = viz.plot_optimizer_trajectories(
        {
            "GD": lambda p: GD(p, 0.4),
            "momentum": lambda p: GD(p, 0.1, momentum=0.8),
            "too fast": lambda p: GD(p, 1.2),
        },
        surface="ravine",
        steps=60,
    )
    paths, losses = fig.axes
    labels = [str(ln.get_label()) for ln in paths.get_lines()]
    assert labels[0].startswith("GD (loss ") and labels[1].startswith("momentum (loss ")
    assert labels[2].startswith("too fast (diverged after ")
    assert labels[3:] == ["start", "minimum"]
    gd_x, gd_y = paths.get_lines()[0].get_data()
    assert (gd_x[0], gd_y[0]) == (-5.0, -2.0) and len(gd_x) == 61
    assert abs(gd_x[-1]) < 0.5 and abs(gd_y[-1]) < 1e-6
    assert [ln.get_label() for ln in losses.get_lines()] == ["GD", "momentum", "too fast"]
    assert losses.get_yscale() == "log"
    assert paths.collections  # the contours
    save(fig, tmp_path / "ravine.png")
    fig = viz.plot_optimizer_trajectories(
        {"GD": lambda p: GD(p, 1e-3)}, surface="rosenbrock", steps=50, show_loss=False
    )
    assert len(fig.axes) == 1
    save(fig, tmp_path / "rosenbrock.png")


def test_optimizer_trajectories_errors() -> None:
    with pytest.raises(ValueError, match="'ravine', 'rosenbrock'"):
        viz.plot_optimizer_trajectories({"GD": lambda p: GD(p, 0.1)}, surface="saddle")
    with pytest.raises(ValueError, match="give start, xlim and ylim"):
        viz.plot_optimizer_trajectories({"GD": lambda p: GD(p, 0.1)}, surface=viz.ravine)
    with pytest.raises(TypeError, match=r"\.zero_grad\(\) and \.step\(\)"):
        viz.plot_optimizer_trajectories({"bad": lambda p: object()})  # type: ignore[arg-type,return-value]
    fig = viz.plot_optimizer_trajectories(
        {"GD": lambda p: GD(p, 0.1)},
        surface=lambda x, y: x**2 + y**2,
        start=(1.0, 1.0),
        xlim=(-2.0, 2.0),
        ylim=(-2.0, 2.0),
        steps=5,
    )
    assert fig.axes[0].get_title().startswith("<lambda>: 5 steps")


def test_figures_display_in_jupyter_without_matplotlib_magic() -> None:
    figure = viz.plot_activations()
    png = figure._repr_png_()  # what IPython calls for a cell's value
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) > 10_000


class _PlainGD:
    """Gradient descent in four lines (the optimizer interface the plot needs)."""

    def __init__(self, params: list[Value], lr: float) -> None:
        self.params, self.lr = params, lr

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        for p in self.params:
            p.data -= self.lr * p.grad


def test_trajectory_panels_give_one_axes_per_optimizer_and_cut_paths_that_leave() -> None:
    optimizers = {
        "slow": lambda p: _PlainGD(p, 0.01),
        "too fast": lambda p: _PlainGD(p, 0.51),  # oscillates out of the ravine
        "fast": lambda p: _PlainGD(p, 0.1),
    }
    fig = viz.plot_optimizer_trajectories(optimizers, surface="ravine", steps=40, panels=True)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["slow", "too fast", "fast", "loss per step"]
    labels = [t.get_text() for t in visible[1].get_legend().get_texts()]
    assert any("left the view at step" in label for label in labels)
    (line,) = [ln for ln in visible[1].get_lines() if ln.get_label().startswith("too fast")]
    ylim = visible[1].get_ylim()
    inside = [ylim[0] <= y <= ylim[1] for y in line.get_ydata()]
    assert inside[:-1] == [True] * (len(inside) - 1) and not inside[-1]
    assert len(visible[3].get_lines()) == 3
