"""gradstep's visualisations: computation graphs, step-through backprop and plots.

Graphs (built as DOT by python-graphviz, rendered by Graphviz's ``dot`` program):

* :func:`draw_graph` -> a ``graphviz.Digraph`` of everything under a Value (Jupyter shows
  it inline); :func:`render_svg` -> its SVG text. Without Graphviz installed, rendering
  raises :class:`GraphvizNotFoundError`, which says how to install it.
* ``draw_graph(loss, params=model)`` (or a dict of named parameters) names parameters as
  the model does and groups the nodes by the module that owns them (:mod:`viz.modules`).
* Limits (see :mod:`viz.graph`): labels are cut to :data:`LABEL_LIMIT` characters, a
  drawing shows at most :data:`MAX_DRAWN_VALUES` boxes and a layout of at most
  :data:`MAX_LAYOUT_SIZE`; a player at most :data:`MAX_PLAYER_STEPS` steps. Beyond them
  a ValueError says what to draw instead.

Step-through backpropagation:

* :class:`BackpropStepper` -> the backward pass as a list of steps, each with the local
  derivatives, chain-rule products and gradients before and after; ``.trace()`` prints
  them, ``.frame(i)`` draws step i, ``.to_html(path)`` writes a self-contained player.

The training player:

* :class:`TrainingPlayer` -> one recorded run (``nn.fit(..., record=True)``), or several
  side by side on one timeline, as a self-contained HTML player (``.to_html(path)``;
  Jupyter shows it inline): the network with a heatmap per neuron, the decision
  boundary, loss and accuracy curves and per-layer gradient bars, epoch by epoch.

Plots (matplotlib; each returns a Figure and never calls ``plt.show()``):

* :func:`plot_activations`, :func:`plot_history`, :func:`plot_decision_boundary`,
  :func:`plot_gradient_flow`, :func:`plot_optimizer_trajectories`, and the loss
  surfaces :func:`ravine` and :func:`rosenbrock` (:mod:`viz.surfaces`).

The modules depend on each other one way only: ``graph`` uses ``modules``; ``stepper``
uses ``graph`` and ``player``; ``plots`` uses ``surfaces``; each through public names.

Example:
    >>> from autograd import Value
    >>> import viz
    >>> x = Value(2.0, label="x"); w = Value(-3.0, label="w")
    >>> y = (x * w).tanh(); y.label = "y"
    >>> dot = viz.draw_graph(y)               # DOT text in dot.source
    >>> steps = viz.BackpropStepper(y)
    >>> len(steps)                            # the seed, then tanh, then *
    3
"""

from __future__ import annotations

__distribution__ = "gradstep"
"""This package is gradstep's, not a namesake's (see :mod:`autograd._own`)."""

# viz is built on gradstep's own autograd and nn (other distributions use the same names).
try:
    from autograd._own import require_own
except Exception:  # `autograd` is a namesake's: importing nn says so in one sentence
    import nn  # noqa: F401

    raise
require_own("autograd", "nn", needed_by="viz")

from viz import activation_plots as _activation_plots  # its names end the list below
from viz._text import LABEL_LIMIT
from viz.activation_plots import *  # noqa: F403
from viz.graph import (
    COLLAPSE_THRESHOLD,
    MAX_DRAWN_VALUES,
    MAX_LAYOUT_SIZE,
    GraphDrawing,
    GraphvizNotFoundError,
    draw_graph,
    render_svg,
)
from viz.plots import (
    plot_activations,
    plot_decision_boundary,
    plot_gradient_flow,
    plot_history,
    plot_optimizer_trajectories,
)
from viz.stepper import MAX_PLAYER_STEPS, BackpropStepper, Contribution, Step
from viz.surfaces import ravine, rosenbrock
from viz.training_player import TrainingPlayer
from viz.training_plots import plot_curves, plot_panels, plot_seed_runs

__all__ = [
    "COLLAPSE_THRESHOLD",
    "LABEL_LIMIT",
    "MAX_DRAWN_VALUES",
    "MAX_LAYOUT_SIZE",
    "MAX_PLAYER_STEPS",
    "BackpropStepper",
    "Contribution",
    "GraphDrawing",
    "GraphvizNotFoundError",
    "Step",
    "TrainingPlayer",
    "draw_graph",
    "plot_activations",
    "plot_decision_boundary",
    "plot_gradient_flow",
    "plot_history",
    "plot_optimizer_trajectories",
    "ravine",
    "render_svg",
    "rosenbrock",
    *_activation_plots.__all__,
]
__all__ += ["plot_curves", "plot_panels", "plot_seed_runs"]  # viz.training_plots
