"""viz with the real nn package: modules, thresholds, optimizers, nn's own ops."""

from __future__ import annotations

import re

import pytest

import autograd
import nn
import viz
from autograd import Value

X = [[-1.5, 0.2], [1.2, -0.4], [0.3, 1.1], [-0.7, -1.3], [2.0, 0.5], [-2.0, 1.0]]
Y = [0, 1, 1, 0, 1, 0]


def test_the_model_gives_neuron_clusters_and_boxes() -> None:
    model = nn.MLP(2, [4, 1], seed=0)  # Linear(2, 4) at 0, ReLU at 1, Linear(4, 1) at 2
    out = model(X[:3])
    loss = nn.mse_loss(out, [1.0, 0.0, 1.0])
    loss.backward()
    source = viz.draw_graph(loss, params=model, collapse="none").source
    titles = re.findall(r"label=<(Linear [\d.]+, neuron \d+)>", source)
    assert titles == [f"Linear 0, neuron {i}" for i in range(4)] + ["Linear 2, neuron 0"]
    assert "<B>2.weight[0,3]</B>" in source  # the model's names, not the labels
    assert "relu(w·x + b)" in viz.draw_graph(loss, params=model, collapse="neuron").source
    layers = viz.draw_graph(loss, params=model, collapse="layer").source
    assert "Linear 0 + relu" in layers and "4 neurons · 12 parameters · 3 rows" in layers
    # torchviz's habit, a dict of the named parameters, draws the same
    named = dict(model.named_parameters())
    assert viz.draw_graph(loss, params=named, collapse="none").source == source


def test_cluster_titles_come_from_the_models_classes() -> None:
    class Affine(nn.Module):  # not a Linear, but shaped like one: a unit per neuron
        def __init__(self) -> None:
            super().__init__()
            self.register_parameter("weight", [[Value(1.0), Value(2.0)]])
            self.register_parameter("bias", [Value(0.5)])

        def forward(self, rows: list[list[Value]]) -> list[list[Value]]:
            w, b = self.weight[0], self.bias[0]
            return [[autograd.dot(w, row, b)] for row in rows]  # type: ignore[arg-type]

    model = nn.Sequential(nn.BatchNorm1d(2), Affine(), nn.Tanh())
    out = model([[1.0, 2.0], [3.0, 5.0]])[0][0]
    source = viz.draw_graph(out, params=model, collapse="none").source
    assert "label=<Affine 1, neuron 0>" in source
    assert "label=<BatchNorm1d 0, feature 1>" in source
    guessed = viz.draw_graph(out, params=dict(model.named_parameters())).source
    assert "label=<Linear 1, neuron 0>" in guessed  # a dict has no classes: read from shapes


def test_the_stepper_names_parameters_as_the_model_does() -> None:
    layer = nn.Linear(2, 1, seed=0)  # on its own: labelled weight[0,1]...
    out = layer([0.5, -1.0])[0].tanh()
    encoder = {f"enc.{name}": value for name, value in layer.named_parameters()}
    plain, named = viz.BackpropStepper(out), viz.BackpropStepper(out, params=encoder)
    assert "weight[0,1].grad" in plain.trace() and "enc.weight[0,1]" not in plain.trace()
    assert "enc.weight[0,1].grad" in named.trace()
    assert "<B>enc.bias[0]</B>" in named.frame(-1).source


def test_threshold_follows_the_model_output() -> None:
    from viz.plots import _default_threshold

    assert _default_threshold(nn.LogisticRegression(2)) == 0.5
    assert _default_threshold(nn.Sequential(nn.Linear(2, 1), nn.Sigmoid())) == 0.5
    assert _default_threshold(nn.MLP(2, [4, 1], seed=0)) == 0.0
    assert _default_threshold(lambda rows: rows) == 0.0


def test_decision_boundary_of_nn_models_in_eval_mode() -> None:
    model = nn.MLP(2, [6, 1], batchnorm=True, seed=1)
    model.train()
    fig = viz.plot_decision_boundary(model, X, Y, resolution=15)
    assert fig.axes[0].get_title().startswith("accuracy on these points:")
    assert model.training  # switched to eval() for the plot and back
    logistic = nn.LogisticRegression(2)
    fig = viz.plot_decision_boundary(logistic, X, Y, resolution=15)
    assert len([c for c in fig.axes[0].collections if c.get_label().startswith("class")]) == 2


def test_nn_optimizers_on_rosenbrock_and_the_ravine() -> None:
    factories = {
        "GD": lambda p: nn.optim.SGD(p, lr=1e-3),
        "momentum": lambda p: nn.optim.SGD(p, lr=1e-3, momentum=0.9),
        "AdaGrad": lambda p: nn.optim.Adagrad(p, lr=0.5),
        "RMSprop": lambda p: nn.optim.RMSprop(p, lr=0.01),
        "Adam": lambda p: nn.optim.Adam(p, lr=0.05),
    }
    for surface in ("rosenbrock", "ravine"):
        fig = viz.plot_optimizer_trajectories(factories, surface=surface, steps=80)
        paths, losses = fig.axes
        labels = [str(ln.get_label()) for ln in paths.get_lines()]
        assert [label.split(" (")[0] for label in labels[:5]] == list(factories)
        assert not any("diverged" in label for label in labels)
        assert len(losses.get_lines()) == 5


def test_plots_of_a_real_training_run() -> None:
    X, y = nn.data.make_moons(40, noise=0.1, seed=0)
    runs = {}
    for activation in ("sigmoid", "relu"):
        model = nn.MLP(2, [8, 8, 1], activation=activation, seed=0)
        runs[activation] = nn.fit(
            model,
            X,
            y,
            loss=nn.binary_cross_entropy_with_logits,
            optimizer=nn.optim.Adam(model.parameters(), lr=0.05),
            epochs=3,
            seed=0,
            progress=False,
        )
    history = runs["relu"]
    fig = viz.plot_history(history)
    assert [ax.get_ylabel() for ax in fig.axes] == ["loss", "accuracy"]
    assert len(fig.axes[0].get_lines()[0].get_xdata()) == 3
    fig = viz.plot_gradient_flow(runs)
    assert [ax.get_title() for ax in fig.axes] == ["sigmoid", "relu"]
    assert [ln.get_label() for ln in fig.axes[0].get_lines()] == list(history.grad_magnitudes)
    fig = viz.plot_decision_boundary(model, X, y, resolution=15)
    assert fig.axes[0].get_title().startswith("accuracy on these points:")


def test_the_bce_node_reads_its_own_formula() -> None:
    p = Value(0.7, label="p")
    loss = nn.binary_cross_entropy([p], [1.0], reduction="sum")
    (step,) = [s for s in viz.BackpropStepper(loss).steps if s.node.op == "bce"]
    d_p = step.contributions[0]
    assert d_p.formula.endswith("/dp = (p - y) / (p (1 - p))")
    assert d_p.local == pytest.approx((0.7 - 1.0) / (0.7 * 0.3), rel=1e-12)


def test_a_layer_used_on_its_own_is_drawn_as_parameters_in_clusters() -> None:
    layer = nn.Linear(2, 2, seed=0)  # names "weight[0,0]"... with no module path
    x = Value(1.0, label="x[0]")
    out = layer([x, 2.0])
    source = viz.draw_graph(out[0] + out[1], params=layer, collapse="none").source
    assert re.search(r"label=<Linear, neuron 0>", source)
    assert viz.graph.role_of(layer.weight[0][0], out[0], layer) == "parameter"
    assert viz.graph.role_of(layer.weight[0][0], out[0]) == "input"  # without the model
    assert viz.graph.role_of(x, out[0], layer) == "input"


def test_a_fresh_graph_says_not_computed_even_when_parameters_hold_old_gradients() -> None:
    model = nn.MLP(2, [3, 1], seed=0)
    nn.mse_loss(model(X), [float(t) for t in Y]).backward()  # parameters now hold grads
    out = model([0.5, 0.5])[0]  # a new forward pass, not backpropagated
    assert "not computed yet" in viz.draw_graph(out).source
    out.backward()
    assert "not computed yet" not in viz.draw_graph(out).source
