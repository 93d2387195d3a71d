"""viz.training_plots: the lines drawn carry exactly the numbers given, and bad input is named."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from matplotlib.figure import Figure

import nn
import viz


def lines(fig: Figure, panel: int = 0) -> dict[str, tuple[list[float], list[float]]]:
    """``{label: (x data, y data)}`` of one Axes of a figure."""
    return {
        str(line.get_label()): (
            [float(v) for v in line.get_xdata()],
            [float(v) for v in line.get_ydata()],
        )
        for line in fig.axes[panel].get_lines()
    }


def test_plot_curves_draws_each_curve_with_its_numbers(tmp_path: Path) -> None:
    curves = {"SGD": [0.9, 0.5, 0.31, 0.2], "Adam": [0.8, 0.1, 0.05]}
    fig = viz.plot_curves(curves, ylabel="loss", title="t", log_y=True)
    drawn = lines(fig)
    assert drawn == {
        "SGD": ([1.0, 2.0, 3.0, 4.0], curves["SGD"]),
        "Adam": ([1.0, 2.0, 3.0], curves["Adam"]),
    }
    (ax,) = fig.axes
    assert ax.get_yscale() == "log" and ax.get_xscale() == "linear"
    assert ax.get_ylabel() == "loss" and ax.get_title() == "t"
    colours = [line.get_color() for line in ax.get_lines()]
    assert len(set(colours)) == 2, "each curve has its own colour"
    fig.savefig(tmp_path / "curves.png", dpi=40)
    assert (tmp_path / "curves.png").read_bytes()[:4] == b"\x89PNG"


def test_plot_curves_on_a_shared_x_axis() -> None:
    rates = [0.01, 0.1, 1.0]
    fig = viz.plot_curves({"GD": [3.0, 1.0, 50.0]}, x=rates, xlabel="η", log_x=True)
    assert lines(fig) == {"GD": (rates, [3.0, 1.0, 50.0])}
    assert fig.axes[0].get_xscale() == "log" and fig.axes[0].get_xlabel() == "η"


def test_plot_curves_names_what_is_wrong() -> None:
    with pytest.raises(ValueError, match="empty"):
        viz.plot_curves({})
    with pytest.raises(TypeError, match=r"curves\['a'\]\[1\] must be a number"):
        viz.plot_curves({"a": [1.0, "2"]})
    with pytest.raises(TypeError, match="dict"):
        viz.plot_curves([1.0, 2.0])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="curve 'a' has 2 points but x has 3"):
        viz.plot_curves({"a": [1.0, 2.0]}, x=[1.0, 2.0, 3.0])


def test_plot_panels_puts_each_group_on_its_own_axes() -> None:
    panels = {
        "x (along)": {"gradient": [-1.0, -0.9], "buffer": [-1.0, -1.6]},
        "y (across)": {"gradient": [-8.0, 4.8]},
    }
    fig = viz.plot_panels(panels, ylabel="value", log_y=False, sharey=True)
    assert [ax.get_title() for ax in fig.axes] == ["x (along)", "y (across)"]
    assert lines(fig, 0) == {
        "gradient": ([1.0, 2.0], [-1.0, -0.9]),
        "buffer": ([1.0, 2.0], [-1.0, -1.6]),
    }
    assert lines(fig, 1) == {"gradient": ([1.0, 2.0], [-8.0, 4.8])}
    assert fig.axes[0].get_ylabel() == "value"
    with pytest.raises(TypeError, match=r"panels\['y'\]"):
        viz.plot_panels({"y": "not curves"})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="empty"):
        viz.plot_panels({})


def test_plot_seed_runs_draws_every_seed_and_their_mean() -> None:
    runs = {
        "SGD": [{"loss": [1.0, 0.7, 0.5]}, {"loss": [0.8, 0.6, 0.3]}, {"loss": [0.9, 0.5, 0.4]}],
        "Adam": [{"loss": [0.6, 0.2, 0.1]}, {"loss": [0.5, 0.3, 0.2]}, {"loss": [0.7, 0.1, 0.15]}],
    }
    fig = viz.plot_seed_runs(runs, title="three seeds", log_y=True)
    assert [ax.get_title() for ax in fig.axes] == ["SGD", "Adam"]
    for panel, name in enumerate(runs):
        drawn = lines(fig, panel)
        assert list(drawn) == ["seed 1", "seed 2", "seed 3", "mean"]
        for i, run in enumerate(runs[name], start=1):
            assert drawn[f"seed {i}"] == ([1.0, 2.0, 3.0], run["loss"])
        expected_mean = [sum(run["loss"][e] for run in runs[name]) / 3 for e in range(3)]
        assert drawn["mean"][1] == pytest.approx(expected_mean, rel=1e-15)
    assert fig.axes[0].get_yscale() == "log"
    assert fig.axes[0].get_shared_y_axes().joined(fig.axes[0], fig.axes[1]), "one y scale"


def test_plot_seed_runs_reads_nn_histories() -> None:
    X, y = nn.data.make_moons(16, noise=0.1, seed=0)
    histories = []
    for seed in (0, 1):
        model = nn.MLP(2, [4, 1], seed=seed)
        histories.append(
            nn.fit(
                model,
                X,
                y,
                loss=nn.binary_cross_entropy_with_logits,
                optimizer=nn.optim.SGD(model.parameters(), lr=0.1),
                epochs=3,
                progress=False,
            )
        )
    fig = viz.plot_seed_runs({"SGD": histories}, key="loss")
    drawn = lines(fig)
    assert drawn["seed 1"][1] == histories[0].loss and drawn["seed 2"][1] == histories[1].loss
    assert all(math.isfinite(v) for v in drawn["mean"][1])


def test_plot_seed_runs_names_what_is_wrong() -> None:
    with pytest.raises(ValueError, match="non-empty dict"):
        viz.plot_seed_runs({})
    with pytest.raises(ValueError, match=r"runs\['SGD'\] must be a non-empty list"):
        viz.plot_seed_runs({"SGD": []})
    with pytest.raises(TypeError, match=r"runs\['SGD'\]\[1\] has no 'loss'"):
        viz.plot_seed_runs({"SGD": [{"loss": [1.0]}, {"accuracy": [0.5]}]})
    with pytest.raises(ValueError, match=r"different lengths \[2, 3\]"):
        viz.plot_seed_runs({"SGD": [{"loss": [1.0, 0.5]}, {"loss": [1.0, 0.5, 0.2]}]})


# -- hostile input (adversarial pass) -------------------------------------------------------


def test_numpy_numbers_and_fractions_are_numbers() -> None:
    np = pytest.importorskip("numpy")
    from fractions import Fraction

    fig = viz.plot_curves({"a": [np.float32(1.5), np.int64(2), Fraction(1, 2)]})
    assert [float(v) for v in fig.axes[0].lines[0].get_ydata()] == [1.5, 2.0, 0.5]


def test_an_int_too_large_for_a_float_is_named() -> None:
    with pytest.raises(ValueError, match=r"curves\['a'\]\[1\] is an integer too large"):
        viz.plot_curves({"a": [1.0, 10**400]})


def test_a_run_whose_losses_are_not_a_list_is_named() -> None:
    with pytest.raises(
        TypeError, match=r"runs\['a'\]\[0\].loss must be a list of numbers, got int"
    ):
        viz.plot_seed_runs({"a": [{"loss": 5}]})


def test_the_mean_of_huge_and_infinite_losses_does_not_overflow() -> None:
    fig = viz.plot_seed_runs(
        {"a": [{"loss": [1e308, math.inf, math.inf]}, {"loss": [1e308, 1.0, -math.inf]}]}
    )
    mean = [float(v) for v in fig.axes[0].lines[-1].get_ydata()]
    assert mean[:2] == [1e308, math.inf] and math.isnan(mean[2])


def test_log_x_without_a_positive_x_stays_linear() -> None:
    fig = viz.plot_curves({"a": [1.0, 2.0]}, x=[-2.0, -1.0], log_x=True)
    assert fig.axes[0].get_xscale() == "linear"
