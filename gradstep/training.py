"""``gradstep train`` and ``gradstep demo``: train an MLP on built-in data, write what it learned.

The data sets, optimizers and activations on offer are :mod:`nn`'s registries
(:data:`nn.data.DATASETS`, :data:`nn.optim.OPTIMIZERS`, :data:`nn.ACTIVATIONS`): a name
means the same thing here as in a notebook.

Before training starts, everything that can be checked is: the options together, every
output path (:data:`TRAIN_OUTPUTS` and the files of the output folder), and the size of
the run against the bounds of :mod:`gradstep.limits`. A run is refused in a second, not
after an hour. During training one line per epoch goes to standard output as the epoch
ends (``--quiet`` silences them); a progress bar is drawn only on a terminal. A run whose
loss or weights end NaN or infinite, or whose numbers overflow, has diverged: one line,
exit status 1, and no plots or checkpoint (the weights are not numbers).

``train --player FILE.html`` and ``demo`` record the run (``nn.fit(..., record=True)``)
and write its training player (``viz.TrainingPlayer``). A recorded run that diverges
stops at the first step whose loss or weights are not finite (``nn.fit`` then returns
instead of raising); the player of the run up to there is still written, since it shows
where and how training went wrong, and the command then ends as for any diverged run:
one line (which also names the player), exit status 1, no plots, no checkpoint.
"""

from __future__ import annotations

import argparse
import math
import sys
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gradstep.drawing import write_player
from gradstep.errors import RunFailedError, UsageError, one_line, shown
from gradstep.files import check_distinct, output_folder, output_path, write_atomic
from gradstep.limits import (
    MAX_ROWS_AT_ONCE_WORK,
    MAX_WORK,
    MIN_TRAIN_ROWS,
    NEURON_COST,
    network_size,
    plot_resolution,
    record_grid_size,
)

CHECKPOINT_SUFFIXES = (".json",)
"""What ``train --save`` writes: a JSON checkpoint (see :func:`nn.save`)."""

PLAYER_SUFFIXES = (".html",)
"""What ``train --player`` writes: one self-contained HTML page (``viz.TrainingPlayer``)."""


@dataclass(frozen=True)
class OutputOption:
    """An option naming a file the command writes, checked before any work starts."""

    dest: str
    """Its name in the parsed arguments (``args.save``)."""
    option: str
    """Its name on the command line, for messages (``--save``)."""
    suffixes: tuple[str, ...]
    """The suffixes it accepts, lower case with the dot."""


TRAIN_OUTPUTS = (
    OutputOption("save", "--save", CHECKPOINT_SUFFIXES),
    OutputOption("player", "--player", PLAYER_SUFFIXES),
)
"""The output files of ``gradstep train``: each one given is checked before training.
A new output option is one more row here."""

PLOT_FILES = {
    "loss curve": "loss.png",
    "decision boundary": "decision_boundary.png",
    "gradient flow": "gradient_flow.png",
}
"""The plots that ``train`` and ``demo`` write into the output folder, by name."""

DEMO_FILES = {
    **PLOT_FILES,
    "neuron graph": "neuron.svg",
    "backprop player": "backprop.html",
    "training player": "training.html",
}
"""Everything ``demo`` writes into the output folder, by name."""

DEMO_FORMULA = "tanh(x1*w1 + x2*w2 + b)"
"""The neuron whose backward pass the demo's player steps through (micrograd's example)."""

DEMO_VARIABLES = {"x1": 2.0, "w1": -3.0, "x2": 0.0, "w2": 1.0, "b": 6.8813735870195432}


@dataclass
class Run:
    """What a finished training run hands to the plots, the player and the summary."""

    model: Any
    history: Any
    X: list[list[float]]
    files: dict[str, Path]
    """The files written so far, by name (the plots, once written)."""

    @property
    def diverged(self) -> dict[str, Any] | None:
        """Where a recorded run diverged (``{"epoch", "step", "reason"}``), or None.

        Only a recorded run stops on divergence and says where; an unrecorded one raises
        OverflowError or ends with a loss that is not finite (:func:`_check_finite`).
        """
        recording = self.history.recording
        return None if recording is None else recording["diverged"]


def _test_rows(samples: int, fraction: float) -> int:
    """Rows that ``nn.data.train_test_split`` puts in the test set (0: no split)."""
    return math.ceil(fraction * samples) if fraction > 0 else 0


def check_training_options(args: argparse.Namespace) -> None:
    """Options that are fine one by one but cannot work together (argparse checks each)."""
    train_rows = args.samples - _test_rows(args.samples, args.test_fraction)
    if train_rows < MIN_TRAIN_ROWS:
        raise UsageError(
            f"--test-fraction {args.test_fraction:g} of --samples {args.samples} leaves "
            f"{train_rows} training row(s); at least {MIN_TRAIN_ROWS} are needed "
            "(lower --test-fraction or raise --samples)"
        )
    if args.batchnorm and args.batch_size < 2:
        raise UsageError(
            f"--batch-size {args.batch_size} cannot train with --batchnorm: a batch needs "
            "at least 2 rows to normalise over (use --batch-size 2 or more)"
        )


def check_outputs(args: argparse.Namespace, table: Sequence[OutputOption]) -> dict[str, Path]:
    """Check every output file of ``table`` that was given; return their paths by ``dest``."""
    paths = {}
    for entry in table:
        given = getattr(args, entry.dest, None)
        if given is not None:
            paths[entry.dest] = output_path(given, suffixes=entry.suffixes, option=entry.option)
    return paths


def check_size(args: argparse.Namespace, outputs: int) -> int:
    """Refuse a run too big for a scalar engine (:mod:`gradstep.limits`); return its size.

    Two bounds, both on the network's size (:func:`gradstep.limits.network_size`): the
    work of the whole run (epochs × samples × size: time) and the work held at once (the
    rows of one step, or of the test set evaluated in one go, × size: memory).

    Raises:
        UsageError: naming the product, the bound, and what to lower.
    """
    size = network_size(2, args.hidden, outputs, batchnorm=args.batchnorm)
    network = f"network size {size:,} (parameters + {NEURON_COST} per neuron)"
    work = args.epochs * args.samples * size
    if work > MAX_WORK:
        most = MAX_WORK // (args.samples * size)
        if args.command == "demo":
            hint = f"use --epochs {most} or fewer"
        elif most >= 1:
            hint = f"use --epochs {most} or fewer, or fewer --samples, or a smaller --hidden"
        else:
            hint = "use fewer --samples or a smaller --hidden"
        raise UsageError(
            f"this run is too long for a scalar engine: {args.epochs} epochs × {args.samples} "
            f"samples × {network} = {work:,}; the limit is {MAX_WORK:,} (a few minutes): {hint}"
        )
    test_rows = _test_rows(args.samples, args.test_fraction)
    step_rows = min(args.batch_size, args.samples - test_rows)
    rows = max(step_rows, test_rows)
    if rows * size > MAX_ROWS_AT_ONCE_WORK:
        most = MAX_ROWS_AT_ONCE_WORK // size
        if step_rows >= test_rows:
            what, lower = f"{step_rows} rows per training step", "--batch-size"
        else:
            what, lower = f"{test_rows} test rows (evaluated at once)", "--test-fraction"
        raise UsageError(
            f"this run needs too much memory: {what} × {network} = {rows * size:,}; the "
            f"limit is {MAX_ROWS_AT_ONCE_WORK:,} (about half a gigabyte), so at most {most} "
            f"rows at once with this network: lower {lower}, or use a smaller --hidden"
        )
    return size


def _diverged(args: argparse.Namespace, what: str) -> str:
    hint = "try another --seed" if args.command == "demo" else "try a smaller --lr"
    return f"training diverged ({what}): {hint}"


def _epoch_printer(epochs: int) -> Any:
    """The ``on_epoch_end`` callback that prints one line per epoch, as it ends.

    None when standard output is closed (``>&-``): Python's ``print`` then writes
    nowhere, as it does for every other line, but tqdm's would fail.
    """
    if sys.stdout is None:
        return None
    from tqdm import tqdm  # type: ignore[import-untyped]

    width = len(str(epochs))

    def print_epoch(epoch: int, history: Any) -> None:
        line = f"epoch {epoch:{width}d}/{epochs}  loss {history.loss[-1]:.4f}"
        if not math.isnan(history.accuracy[-1]):
            line += f"  accuracy {history.accuracy[-1]:.3f}"
        if history.val_loss:
            line += f"  test loss {history.val_loss[-1]:.4f}"
            line += f"  test accuracy {history.val_accuracy[-1]:.3f}"
        # tqdm.write keeps the line clear of a progress bar drawn on the same terminal.
        tqdm.write(line, file=sys.stdout)
        sys.stdout.flush()

    return print_epoch


def drops_last_batch(args: argparse.Namespace, rows: int) -> bool:
    """Whether training on ``rows`` rows skips each epoch's last batch.

    BatchNorm1d cannot train on a batch of one row: when the shuffled rows would leave
    exactly one for the last batch, it is skipped (a different row each epoch).
    ``--batch-size 1`` is refused with ``--batchnorm`` and there are at least 2 training
    rows, so no epoch is left empty.
    """
    return bool(args.batchnorm) and rows > args.batch_size and rows % args.batch_size == 1


def steps_per_epoch(args: argparse.Namespace, rows: int) -> int:
    """The optimizer steps of one epoch over ``rows`` training rows: one per batch.

    Example:
        >>> steps_per_epoch(argparse.Namespace(batch_size=8, batchnorm=False), 15)
        2
    """
    full, rest = divmod(rows, int(args.batch_size))
    return full + (1 if rest and not drops_last_batch(args, rows) else 0)


def _fit(args: argparse.Namespace, model: Any, X: Any, y: Any, **options: Any) -> Any:
    """``nn.fit`` with what the settings provoke turned into one-line errors.

    A value that overflows means training diverged (RunFailedError, exit status 1); any
    other ValueError or ArithmeticError from ``nn`` is a setting it refuses (UsageError,
    exit status 2). Other exceptions (TypeError, AttributeError...) are bugs and propagate.
    """
    import nn

    try:
        with warnings.catch_warnings():
            # A recorded run that diverges warns and returns (nn.fit's record=True): the
            # command reports it in its own line (check_run), not as a Python warning.
            warnings.filterwarnings("ignore", "training diverged", RuntimeWarning)
            return nn.fit(
                model,
                X,
                y,
                batch_size=args.batch_size,
                drop_last=drops_last_batch(args, len(X)),
                on_epoch_end=None if args.quiet else _epoch_printer(args.epochs),
                progress=not args.no_progress,
                **options,
            )
    except OverflowError as error:  # its message lists the huge operands: not worth a line
        raise RunFailedError(_diverged(args, "a value overflowed a float")) from error
    except (ValueError, ArithmeticError) as error:
        raise UsageError(f"training failed with these settings: {one_line(error)}") from error


def _check_finite(args: argparse.Namespace, history: Any, model: Any) -> None:
    """RunFailedError if training ended with a loss or weight that is NaN or infinite."""
    last = {"loss": history.loss[-1]}
    if history.val_loss:
        last["test loss"] = history.val_loss[-1]
    for name, value in last.items():
        if not math.isfinite(value):
            raise RunFailedError(_diverged(args, f"{name} {value}"))
    if not all(math.isfinite(p.data) for p in model.parameters()):
        raise RunFailedError(_diverged(args, "a weight is nan or inf"))


@dataclass
class Data:
    """The data of a run, made (in milliseconds) before anything else is decided."""

    X: list[list[float]]
    y: list[int]
    X_train: list[list[float]]
    y_train: list[int]
    X_test: list[list[float]]
    y_test: list[int]

    @property
    def outputs(self) -> int:
        """The width of the network's last layer: one logit for two classes, else one each."""
        classes = len(set(self.y))
        return 1 if classes == 2 else classes


def make_data(args: argparse.Namespace) -> Data:
    """The data set the arguments name, split into training and test rows."""
    import nn

    try:
        X, y = nn.data.DATASETS[args.data](args.samples, noise=args.noise, seed=args.seed)
        if args.test_fraction > 0:
            X_train, X_test, y_train, y_test = nn.data.train_test_split(
                X, y, test_size=args.test_fraction, seed=args.seed
            )
        else:  # no test set: train on every row, report no test accuracy
            X_train, X_test, y_train, y_test = X, [], y, []
    except (ValueError, ArithmeticError) as error:
        raise UsageError(f"cannot make the data with these settings: {one_line(error)}") from error
    return Data(X, y, X_train, y_train, X_test, y_test)


def describe(args: argparse.Namespace, outputs: int, rows: str = "") -> str:
    """The run in one line: the network, the data (and ``rows``, how it was split), the
    optimizer and its learning rate."""
    import nn

    lr = args.lr if args.lr is not None else nn.optim.OPTIMIZERS[args.optimizer].lr
    data = f"{args.data} ({rows})" if rows else args.data
    return (
        f"MLP(2, {[*args.hidden, outputs]}, activation={args.activation!r}, "
        f"batchnorm={args.batchnorm}) on {data} with {args.optimizer}, lr={lr:g}"
    )


def train_run(args: argparse.Namespace, data: Data, *, record: Any = False) -> Run:
    """Build the MLP the arguments describe and train it, printing each epoch.

    Args:
        args: the parsed options of ``train`` (or ``demo``, ``compare``).
        data: the data to train and test on.
        record: ``nn.fit``'s ``record``: False, True or an ``nn.RecordOptions``. A
            recorded run that diverges returns (see :attr:`Run.diverged`) instead of
            raising.

    Raises:
        RunFailedError: an unrecorded run overflowed (training diverged).
        UsageError: ``nn`` refused the settings.
    """
    import nn

    outputs = data.outputs
    model = nn.MLP(
        2,
        [*args.hidden, outputs],
        activation=args.activation,
        batchnorm=args.batchnorm,
        seed=args.seed,
    )
    loss = nn.binary_cross_entropy_with_logits if outputs == 1 else nn.cross_entropy
    choice = nn.optim.OPTIMIZERS[args.optimizer]
    optimizer = choice(model.parameters(), lr=args.lr if args.lr is not None else choice.lr)
    X_train, X_test = data.X_train, data.X_test
    rows = f"{len(X_train)} train / {len(X_test)} test rows" if X_test else f"{len(X_train)} rows"
    print(f"training {describe(args, outputs, rows)}", flush=True)
    history = _fit(
        args,
        model,
        X_train,
        data.y_train,
        loss=loss,
        optimizer=optimizer,
        epochs=args.epochs,
        seed=args.seed,
        validation_data=(X_test, data.y_test) if X_test else None,
        record=record,
    )
    return Run(model=model, history=history, X=data.X, files={})


def check_run(args: argparse.Namespace, run: Run, *, player: Path | None = None) -> None:
    """RunFailedError if the run diverged: a recorded run that stopped, or a run whose last
    loss or weights are not finite. ``player``, if written, is named in the message."""
    where = run.diverged
    if where is None:
        if run.history.loss:  # a recorded run stopped in its first epoch has no loss
            _check_finite(args, run.history, run.model)
        return
    reason = str(where["reason"])
    # The same words as an unrecorded run's overflow (_fit), with where it happened.
    what = "a value overflowed a float" if reason.startswith("a value overflowed") else reason
    message = _diverged(args, f"{what}, at epoch {where['epoch']} step {where['step']}")
    if player is not None:
        message += f"; the player shows the run up to there: {shown(str(player), limit=None)}"
    raise RunFailedError(message)


def write_plots(args: argparse.Namespace, run: Run, data: Data, folder: Path) -> None:
    """Write the loss curve, the decision boundary and the gradient flow into ``folder``."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no window, no display needed
    import viz

    # A big network's decision boundary is drawn on a coarser grid: the plot evaluates
    # the network once per grid point, and 14,400 points of a large one take minutes.
    size = network_size(2, args.hidden, data.outputs, batchnorm=args.batchnorm)
    history = run.history
    figures = {
        "loss curve": viz.plot_history(history, title=f"{args.data}: loss and accuracy"),
        "decision boundary": viz.plot_decision_boundary(
            run.model, data.X, data.y, resolution=plot_resolution(size)
        ),
        "gradient flow": viz.plot_gradient_flow({args.activation: history}),
    }
    for name, figure in figures.items():
        run.files[name] = write_atomic(folder / PLOT_FILES[name], figure.savefig)


def write_training_player(
    path: Path, histories: Sequence[Any], names: Sequence[str] | None, title: str
) -> Path:
    """Write the training player of recorded runs (one timeline) to ``path``, atomically.

    ``names`` None: the player's own ("training run" for one run).
    """
    import viz

    player = viz.TrainingPlayer(
        list(histories), names=None if names is None else list(names), title=title
    )
    return write_atomic(path, player.to_html)


def train_and_plot(
    args: argparse.Namespace, data: Data, folder: Path, *, player: Path | None = None
) -> Run:
    """Train as the arguments say, print the epochs, and write the plots into ``folder``.

    With ``player``, the run is recorded and its training player written there first,
    even if the run diverged (the player marks where); a diverged run then raises
    RunFailedError before any plot is drawn.
    """
    record: Any = False
    if player is not None:
        import nn

        size = network_size(2, args.hidden, data.outputs, batchnorm=args.batchnorm)
        record = nn.RecordOptions(grid_size=record_grid_size(size))
    run = train_run(args, data, record=record)
    if player is not None:
        run.files["training player"] = write_training_player(
            player, [run.history], None, title=describe(args, data.outputs)
        )
    check_run(args, run, player=player)
    write_plots(args, run, data, folder)
    return run


def _neuron_graph(model: Any, row: list[float], path: Path) -> Path:
    """The graph of the first layer's neuron 0 on one input row, after backward()."""
    import autograd
    import viz
    from nn import Linear

    layer = model[0]
    assert isinstance(layer, Linear)
    inputs = [autograd.Value(x, label=f"x[{i}]") for i, x in enumerate(row)]
    # A Linear that feeds a BatchNorm has no bias (the batch norm would cancel it).
    bias = layer.bias[0] if layer.bias is not None else None
    z = autograd.dot(layer.weight[0], inputs, bias)
    z.label = "z"
    out = z.relu()
    out.label = "relu(z)"
    model.zero_grad()
    out.backward()
    svg = viz.render_svg(out, params=model, title="neuron 0 of layer 0 on one input row")
    model.zero_grad()
    return write_atomic(path, lambda temp: temp.write_text(svg, encoding="utf-8"))


def _summary(run: Run, extra: dict[str, Path]) -> None:
    history = run.history
    line = f"final training accuracy: {history.accuracy[-1]:.1%}"
    if history.val_accuracy:
        line += f", test accuracy: {history.val_accuracy[-1]:.1%}"
    print(f"\n{line}")
    for name, path in {**run.files, **extra}.items():
        print(f"  {name:<18} {shown(str(path), limit=None, quote=False)}")


DEMO_SETTINGS = {
    "data": "moons",
    "samples": 200,
    "noise": 0.1,
    "test_fraction": 0.25,
    "hidden": [16, 16],
    "activation": "relu",
    "batchnorm": True,
    "optimizer": "adam",
    "lr": 0.02,
    "batch_size": 30,
}
"""The demo's fixed settings: an MLP with batch normalization on two moons."""


def run_demo(args: argparse.Namespace) -> int:
    """Train an MLP with batch normalization on two moons and write what it learned."""
    vars(args).update(DEMO_SETTINGS)
    data = make_data(args)
    check_size(args, data.outputs)
    folder = output_folder(args.out, files=DEMO_FILES.values())
    run = train_and_plot(args, data, folder, player=folder / DEMO_FILES["training player"])
    from gradstep.formula import parse_formula

    out = parse_formula(DEMO_FORMULA, DEMO_VARIABLES)
    out.label = "out"
    extra = {
        "neuron graph": _neuron_graph(run.model, run.X[0], folder / DEMO_FILES["neuron graph"]),
        "backprop player": write_player(folder / DEMO_FILES["backprop player"], out, DEMO_FORMULA),
    }
    _summary(run, extra)
    return 0


def run_train(args: argparse.Namespace) -> int:
    """Train an MLP as the options say; print each epoch's numbers and write the plots
    (and with ``--save`` a checkpoint, with ``--player`` the run's training player).

    Everything is checked before the first epoch: the options together, the output
    files (:data:`TRAIN_OUTPUTS`; no two of them, plots included, one file through a
    symbolic link), the size of the run; the output folder is made last,
    so that a refused run leaves nothing behind.
    """
    check_training_options(args)
    paths = check_outputs(args, TRAIN_OUTPUTS)
    data = make_data(args)
    check_size(args, data.outputs)
    options = {entry.dest: entry.option for entry in TRAIN_OUTPUTS}
    check_distinct(
        {
            **{f"{options[dest]} {shown(getattr(args, dest))}": p for dest, p in paths.items()},
            **{f"{shown(name)} in --out": Path(args.out) / name for name in PLOT_FILES.values()},
        }
    )
    folder = output_folder(args.out, files=PLOT_FILES.values())
    run = train_and_plot(args, data, folder, player=paths.get("player"))
    extra: dict[str, Path] = {}
    if "save" in paths:
        import nn

        try:
            extra["checkpoint"] = nn.save(run.model, paths["save"])  # atomic itself
        except OSError as error:  # the path was checked: the disk is full, or the like
            raise RunFailedError(
                f"cannot write {shown(args.save)}: {error.strerror or one_line(error)}"
            ) from None
    _summary(run, extra)
    return 0
