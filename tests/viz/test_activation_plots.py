"""viz.activation_plots: the numbers behind each figure are the right ones.

Expected values come from the math module (tanh, the logistic function) or from a
forward pass written out here, never from the function under test.
"""

from __future__ import annotations

import io
import math
from typing import Any

import pytest

import nn
import viz


def logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def test_the_identity_curves_are_tanh_and_tanh_of_half_x() -> None:
    fig = viz.plot_tanh_identities(-3.0, 3.0, points=7)
    lines = {line.get_label(): line for line in fig.axes[0].get_lines()}
    xs = lines["tanh(x)"].get_xdata().tolist()
    assert xs == pytest.approx([-3, -2, -1, 0, 1, 2, 3])
    assert lines["tanh(x)"].get_ydata().tolist() == pytest.approx([math.tanh(x) for x in xs])
    right = [2 * logistic(2 * x) - 1 for x in xs]
    assert lines["2σ(2x) − 1"].get_ydata().tolist() == pytest.approx(right, abs=1e-15)
    assert lines["2σ(2x) − 1"].get_ydata().tolist() == pytest.approx([math.tanh(x) for x in xs])
    note = lines["2σ(x) − 1"].get_ydata().tolist()
    assert note == pytest.approx([math.tanh(x / 2) for x in xs])
    assert max(abs(n - math.tanh(x)) for n, x in zip(note, xs, strict=True)) > 0.2


def test_the_gap_panel_names_the_largest_gap() -> None:
    fig = viz.plot_tanh_identities(-4.0, 4.0, points=161)
    labels = [line.get_label() for line in fig.axes[1].get_lines()[:2]]
    xs = [-4 + 8 * i / 160 for i in range(161)]
    largest = max(abs(math.tanh(x / 2) - math.tanh(x)) for x in xs)
    assert f"largest |gap| {largest:.2g}" in labels[1] and labels[1].startswith("2σ(x) − 1")
    assert labels[0].startswith("2σ(2x) − 1") and "largest |gap| " in labels[0]
    assert float(labels[0].rsplit(" ", 1)[1]) < 1e-12


def test_preactivations_are_the_inputs_of_the_activations() -> None:
    model = nn.MLP(2, [3, 2, 1], activation="sigmoid", seed=4)
    X = [[0.5, -1.0], [2.0, 0.25]]
    zs = viz.preactivations(model, X)
    first, second = model[0], model[2]
    z1 = [
        [sum(w.data * x for w, x in zip(row, xr, strict=True)) + b.data
         for row, b in zip(first.weight, first.bias, strict=True)]
        for xr in X
    ]  # fmt: skip
    h1 = [[logistic(z) for z in zr] for zr in z1]
    z2 = [
        [sum(w.data * x for w, x in zip(row, hr, strict=True)) + b.data
         for row, b in zip(second.weight, second.bias, strict=True)]
        for hr in h1
    ]  # fmt: skip
    assert zs[0] == pytest.approx([z for zr in z1 for z in zr])
    assert zs[1] == pytest.approx([z for zr in z2 for z in zr])


def test_batchnorm_preactivations_are_standardised_in_training_mode() -> None:
    model = nn.MLP(2, [4, 4, 1], activation="sigmoid", batchnorm=True, seed=0)
    X, _ = nn.data.make_moons(40, noise=0.1, seed=0)
    for zs in viz.preactivations(model, X):
        for unit in range(4):
            column = zs[unit::4]
            mean = sum(column) / len(column)
            assert abs(mean) < 1e-9
            variance = sum((z - mean) ** 2 for z in column) / len(column)
            assert 0.99 < variance < 1  # var / (var + eps): 1 up to eps


def test_saturated_share_counts_where_the_slope_is_below_the_threshold() -> None:
    # sigma'(z) = s(1 - s) < 0.05 exactly when s > (1 + sqrt(0.8)) / 2, |z| > 2.887
    assert viz.saturated_share([0.0, 2.88, -2.88, 2.9, -2.9, 10.0]) == pytest.approx(3 / 6)
    assert viz.saturated_share([5.0], threshold=0.001) == 0.0
    assert viz.sigmoid_slope(2.0) == pytest.approx(logistic(2.0) * (1 - logistic(2.0)))
    with pytest.raises(ValueError, match="at least one number"):
        viz.saturated_share([])
    with pytest.raises(TypeError, match=r"zs\[1\] should be a number, got str"):
        viz.saturated_share([1.0, "2"])  # type: ignore[list-item]


def test_histograms_show_the_share_and_the_slope() -> None:
    runs = {"wide": [[-5.0, 0.0, 5.0, 1.0], [0.0]], "narrow": [[0.1, -0.1], [0.0, 4.0]]}
    fig = viz.plot_preactivation_histograms(runs, layers=[1, 2])
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == [
        "wide, layer 1\nσ′ < 0.05 for 50% of units",
        "wide, layer 2\nσ′ < 0.05 for 0% of units",
        "narrow, layer 1\nσ′ < 0.05 for 0% of units",
        "narrow, layer 2\nσ′ < 0.05 for 50% of units",
    ]
    bars = fig.axes[0].containers[0]  # the histogram's bars (the shaded bands are patches too)
    heights = [bar.get_height() for bar in bars if bar.get_height() > 0]
    width = bars[0].get_width()
    assert sum(heights) * width == pytest.approx(1.0)  # a density: four values, area 1
    slope = next(line for ax in fig.axes for line in ax.get_lines())
    ys, xs = slope.get_ydata().tolist(), slope.get_xdata().tolist()
    assert max(ys) == pytest.approx(0.25)
    assert ys[0] == pytest.approx(logistic(xs[0]) * (1 - logistic(xs[0])))


def test_histograms_refuse_a_layer_the_run_does_not_have() -> None:
    with pytest.raises(ValueError, match="run 'a' has hidden layers 1 to 2; layer 7 is not one"):
        viz.plot_preactivation_histograms({"a": [[0.0], [1.0]]}, layers=[1, 7])
    with pytest.raises(ValueError, match="at least one run"):
        viz.plot_preactivation_histograms({})


def test_loss_curves_and_the_first_epoch_profile_plot_the_given_numbers() -> None:
    history = nn.History(loss=[0.69, 0.5, 0.3])
    fig = viz.plot_loss_curves({"h": history, "list": [1.0, 0.9]}, title="t")
    assert [line.get_ydata().tolist() for line in fig.axes[0].get_lines()] == [
        [0.69, 0.5, 0.3],
        [1.0, 0.9],
    ]
    assert fig.axes[0].get_lines()[0].get_xdata().tolist() == [1, 2, 3]
    with pytest.raises(TypeError, match="run 'x' has no losses"):
        viz.plot_loss_curves({"x": 3})
    gm = {"0 Linear": [1e-5, 1.0], "1 BatchNorm1d": [0.5, 0.5], "3 Linear": [1e-2, 1.0]}
    fig = viz.plot_first_epoch_gradients({"run": {"grad_magnitudes": gm}})
    assert fig.axes[0].get_lines()[0].get_ydata().tolist() == [1e-5, 1e-2]  # Linear only
    assert fig.axes[0].get_yscale() == "log"
    with pytest.raises(ValueError, match="no layer whose name contains 'Conv'"):
        viz.plot_first_epoch_gradients({"run": {"grad_magnitudes": gm}}, only="Conv")


# -- hostile input (adversarial pass) -------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: viz.saturated_share([0.0, math.nan]), ValueError, "zs[1] is NaN"),
        (lambda: viz.saturated_share([1.0], threshold=math.nan), ValueError, "(0, 0.25]"),
        (lambda: viz.saturated_share([1.0], threshold=0.3), ValueError, "(0, 0.25]"),
        (lambda: viz.saturated_share([10**400]), ValueError, "zs[0] is an integer too large"),
        (lambda: viz.plot_tanh_identities(-math.inf, math.inf), ValueError, "lo should be finite"),
        (lambda: viz.plot_tanh_identities("a", "b"), TypeError, "lo should be a number"),
        (lambda: viz.plot_tanh_identities(points=2.5), TypeError, "points should be an int"),
        (lambda: viz.plot_tanh_identities(points=10**9), ValueError, "points from 2 to 100,000"),
        (
            lambda: viz.plot_preactivation_histograms({"a": [[]]}, layers=[1]),
            ValueError,
            "run 'a', layer 1 has no values to draw",
        ),
        (
            lambda: viz.plot_preactivation_histograms({"a": [[1.0, math.nan]]}, layers=[1]),
            ValueError,
            "run 'a', layer 1[1] is NaN",
        ),
        (
            lambda: viz.plot_preactivation_histograms({"a": [[1.0]]}, layers=[1], threshold=1),
            ValueError,
            "(0, 0.25]",
        ),
    ],
)
def test_bad_numbers_are_named(call: Any, error: type[Exception], words: str) -> None:
    with pytest.raises(error) as caught:
        call()
    assert words in str(caught.value)


def test_saturated_share_takes_numpy_numbers_and_infinite_z() -> None:
    np = pytest.importorskip("numpy")
    assert viz.saturated_share([np.float32(0.0), np.int64(5), math.inf, -math.inf]) == 0.75


def test_histograms_of_huge_and_infinite_z_are_drawn() -> None:
    """z beyond ±MAX_REACH (and ±inf) are counted as saturated, the x range stays finite."""
    fig = viz.plot_preactivation_histograms({"a": [[1e308, -1e308, math.inf, 0.0]]}, layers=[1])
    fig.savefig(io.BytesIO(), format="png")
    assert fig.axes[0].get_xlim()[1] <= 1.1 * viz.activation_plots.MAX_REACH
    assert "75% of units" in fig.axes[0].get_title()
