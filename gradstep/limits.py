"""The bounds the command puts on its input, so that every run it accepts can finish.

gradstep's engine works one scalar at a time: a network that a tensor library trains in
a blink takes this engine minutes, and a graph of a hundred million nodes does not fit in
a laptop's memory. So the command refuses, before any work starts, what it could not
finish in a few minutes and a few hundred megabytes, and says which bound and why. Each
bound is in the README's error contract and in the ``--help`` of its option; an input
beyond one is bad input (one line, exit status 2).

The library itself (``nn.fit``, ``nn.MLP``...) has none of these bounds: in a notebook
you are free to wait.

How much a run costs: one row through the network costs about one unit of work per
parameter (a multiply-add, forward and backward) plus :data:`NEURON_COST` units per
neuron (each neuron makes Values, an activation and its bookkeeping: with two inputs
per row, a wide first layer costs far more than its few weights suggest). This is
:func:`network_size`. Measured on a laptop, training takes 0.4 to 0.7 µs and about 20
bytes of graph per unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

# -- what the user types -----------------------------------------------------------------

MAX_ARGUMENTS = 1000
"""Most command-line arguments: argparse's time grows with the square of their number
(30,000 repeated options take a minute), and no gradstep command needs a thousand."""

ECHO_LIMIT = 80
"""Most characters of user text that an error line repeats (see
:func:`gradstep.errors.shown`): a 100,000-character formula is cut, not printed."""

MAX_FORMULA_LENGTH = 2000
"""Longest formula, in characters (keeps the parser's own recursion shallow)."""

MAX_FORMULA_PARTS = 400
"""Most syntax nodes in a formula: a formula is for drawing, and drawings stay readable."""

# -- gradstep train and gradstep demo ------------------------------------------------------

MIN_SAMPLES = 10
"""Fewest rows ``train --samples`` accepts: every class of every data set appears."""

MAX_SAMPLES = 10_000
"""Most rows ``train --samples`` accepts: the data, its test set and the plots stay quick."""

MIN_TRAIN_ROWS = 2
"""Fewest training rows left after the test split (a BatchNorm1d batch needs two)."""

MAX_NOISE = 10.0
"""Largest ``train --noise``: far beyond the point where every data set is a blur."""

MAX_EPOCHS = 10_000
"""Most passes over the data (``--epochs``)."""

MAX_BATCH_SIZE = MAX_SAMPLES
"""Largest ``--batch-size``. A batch larger than the training rows is one batch of all of
them, so no bound tighter than the data's own is needed here; memory is bounded by
:data:`MAX_ROWS_AT_ONCE_WORK`."""

MAX_LAYER_WIDTH = 256
"""Widest hidden layer (``--hidden``)."""

MAX_HIDDEN_LAYERS = 8
"""Most hidden layers (``--hidden``)."""

NEURON_COST = 20
"""Units of work per neuron (and per BatchNorm1d feature) in :func:`network_size`."""

MAX_WORK = 300_000_000
"""Most units of work in one run: epochs × samples × :func:`network_size`. About three
minutes on a laptop. Each test row counts as much as a training row, although it is only
evaluated (a bound that is simple to check by hand, on the safe side)."""

MAX_ROWS_AT_ONCE_WORK = 20_000_000
"""Most units of work held in memory at once: the rows of one training step (or the test
set, evaluated in one go, if it is larger) × :func:`network_size`. About half a gigabyte
of graph."""

PLOT_WORK = 120 * 120 * 5_000
"""Units of work the decision-boundary plot spends on its grid: a 120 × 120 grid for
networks up to size 5,000, a coarser one (at least :data:`MIN_PLOT_RESOLUTION` a side)
beyond, so that the plot of a big network takes seconds, not the better part of an hour."""

MIN_PLOT_RESOLUTION = 24
"""Fewest grid points per axis of the decision-boundary plot."""

MAX_PLOT_RESOLUTION = 120
"""Grid points per axis of the decision-boundary plot for networks of ordinary size."""

RECORD_GRID_WORK = 21 * 21 * 20_000
"""Units of work a recorded frame spends on its heatmaps (``train --player``, ``demo``,
``compare``): every neuron is evaluated on a grid of 21 × 21 points (``nn.RecordOptions``'
default) for networks up to size 20,000, on a coarser one beyond (at least
:data:`MIN_RECORD_GRID` a side), so that recording adds seconds a frame, not minutes."""

MIN_RECORD_GRID = 8
"""Fewest grid points per axis of a recorded frame's heatmaps."""

MAX_RECORD_GRID = 21
"""Grid points per axis of a recorded frame's heatmaps for networks of ordinary size."""

# -- gradstep compare ---------------------------------------------------------------------

MAX_COMPARE_RUNS = 8
"""Most runs ``compare --vary`` trains (values of the varied option): more would not fit
side by side in the player, and every run costs as much as a ``train`` run."""

COMPARE_RECORDED_VALUES = 6_000_000
"""Most numbers the recordings of all of ``compare``'s runs hold together (parameters,
gradients, heatmaps: about 200 MB as Python floats). Each run gets an equal share, and all
runs keep the same, evenly spaced frames (one shared timeline): a bigger network or more
runs means fewer frames, never more memory. Every run keeps at least 2 frames (the first
and the last), so runs whose 2 frames each would already hold more are refused. See
:func:`recorded_values_per_frame`."""


def network_size(
    inputs: int, hidden: Sequence[int], outputs: int, *, batchnorm: bool = False
) -> int:
    """The cost of one row through an MLP, in units of work: parameters + 20 per neuron.

    Args:
        inputs: features per row (2 for the built-in data sets).
        hidden: the hidden layers' widths.
        outputs: the last layer's width.
        batchnorm: whether a BatchNorm1d (gamma and beta in place of the Linear's bias,
            which it makes useless, and one more neuron's worth of work per feature)
            follows each hidden layer.

    Example:
        >>> network_size(2, [16, 16], 1)  # 337 parameters, 33 neurons
        997
    """
    widths = [inputs, *hidden, outputs]
    parameters = sum(n_in * n_out + n_out for n_in, n_out in pairwise(widths))
    neurons = sum(hidden) + outputs
    if batchnorm:
        parameters += sum(hidden)  # + gamma + beta - the hidden Linear's bias
        neurons += sum(hidden)
    return parameters + NEURON_COST * neurons


def plot_resolution(size: int) -> int:
    """Grid points per axis of the decision-boundary plot of a network of ``size``.

    Example:
        >>> plot_resolution(997), plot_resolution(77_077), plot_resolution(10**6)
        (120, 30, 24)
    """
    side = int((PLOT_WORK / max(size, 1)) ** 0.5)
    return max(MIN_PLOT_RESOLUTION, min(MAX_PLOT_RESOLUTION, side))


def recorded_values_per_frame(
    inputs: int, hidden: Sequence[int], outputs: int, *, batchnorm: bool, grid_points: int
) -> int:
    """An upper bound on the numbers one frame of ``nn.fit(..., record=True)`` holds.

    What a frame keeps (see :mod:`nn.recording`): the state dict and one gradient per
    parameter (counted as twice the state dict, buffers included), each BatchNorm1d's
    six statistics per feature, and for 2-D inputs the grid of every neuron (each
    Linear's units, the last layer's included) and of every output.

    Args:
        inputs: features per row.
        hidden: the hidden layers' widths.
        outputs: the last layer's width.
        batchnorm: whether a BatchNorm1d follows each hidden layer.
        grid_points: points of the grid over the input plane (``grid_size ** 2``).

    Example:
        >>> recorded_values_per_frame(2, [4], 1, batchnorm=False, grid_points=441)
        2680
    """
    widths = [inputs, *hidden, outputs]
    parameters = sum(n_in * n_out + n_out for n_in, n_out in pairwise(widths))
    features = sum(hidden) if batchnorm else 0
    # gamma, beta, running mean and variance per feature, one num_batches_tracked per layer
    state = parameters + 4 * features + (len(hidden) if batchnorm else 0)
    grids = (sum(hidden) + 2 * outputs) * grid_points if inputs == 2 else 0
    return 2 * state + 6 * features + grids


def compare_frames(values_per_frame: int, runs: int) -> int:
    """How many frames each of ``runs`` compared runs keeps, the largest frame counting.

    Example:
        >>> compare_frames(16_000, 2), compare_frames(16_000, 8), compare_frames(10**7, 8)
        (187, 46, 2)
    """
    share = COMPARE_RECORDED_VALUES // max(runs, 1)
    return max(2, min(200, share // max(values_per_frame, 1)))


def record_grid_size(size: int) -> int:
    """Grid points per axis of the heatmaps recorded for a network of ``size``.

    Example:
        >>> record_grid_size(997), record_grid_size(77_077), record_grid_size(10**6)
        (21, 10, 8)
    """
    side = int((RECORD_GRID_WORK / max(size, 1)) ** 0.5)
    return max(MIN_RECORD_GRID, min(MAX_RECORD_GRID, side))
