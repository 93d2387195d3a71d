"""``gradstep compare``: train one run per value of one option, and play them side by side.

``gradstep compare --vary activation=sigmoid,relu [train options] --out DIR`` trains the
same MLP on the same data, with the same seed (so the same initial weights wherever the
layers match), once per value of the varied option, and writes ``DIR/compare.html``: a
``viz.TrainingPlayer`` of all the runs on one shared timeline, one slider for all.

What can vary is what changes the model or how it is trained (:data:`VARIABLE_OPTIONS`):
``--hidden``, ``--activation``, ``--batchnorm`` (``off``/``on``), ``--optimizer``,
``--lr`` and ``--batch-size``. What defines the data or the timeline (``--data``,
``--samples``, ``--noise``, ``--test-fraction``, ``--seed``, ``--epochs``) is shared by
the runs: runs on different data, or of different lengths, cannot share one timeline.

How the values are split (:func:`split_values`): on ``/`` when the text holds one, else on
``,``. So ``lr=0.1,0.01`` is two runs, and so is ``hidden=16,16/32`` (two layers of 16,
then one of 32), while ``hidden=8,16`` is two runs of one layer each.

Each value is read by ``train``'s own option (its type, choices and bounds, and its
messages), and every run is checked as ``train`` checks one, all before the first epoch:
an unknown option, a bad value, a value given twice, too many runs
(:data:`~gradstep.limits.MAX_COMPARE_RUNS`), runs that take different numbers of steps
per epoch (their frames could not share one timeline), runs too long together
(:data:`~gradstep.limits.MAX_WORK` bounds all of them), recordings too big together
(:data:`~gradstep.limits.COMPARE_RECORDED_VALUES`) or an output folder that cannot
be written is one line and exit status 2, and nothing is trained.
"""

from __future__ import annotations

import argparse
import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gradstep.errors import RunFailedError, UsageError, shown
from gradstep.files import output_folder
from gradstep.limits import (
    COMPARE_RECORDED_VALUES,
    MAX_COMPARE_RUNS,
    MAX_WORK,
    compare_frames,
    network_size,
    record_grid_size,
    recorded_values_per_frame,
)
from gradstep.training import (
    Data,
    Run,
    check_run,
    check_size,
    check_training_options,
    make_data,
    steps_per_epoch,
    train_run,
    write_training_player,
)

COMPARE_FILE = "compare.html"
"""What ``compare`` writes into its output folder: the player of all its runs."""

VARIABLE_OPTIONS = ("activation", "batch-size", "batchnorm", "hidden", "lr", "optimizer")
"""The ``train`` options that ``--vary`` accepts (without their ``--``)."""

SHARED_OPTIONS = ("data", "epochs", "noise", "samples", "seed", "test-fraction")
"""The ``train`` options that every compared run shares: they make the data and the
timeline, and the player shows runs on the same data over the same epochs."""

SWITCH_VALUES = {"off": False, "on": True}
"""The values of an on/off option such as ``batchnorm``."""


@dataclass(frozen=True)
class Variation:
    """The option ``--vary`` names and the runs it asks for."""

    option: str
    """The option, as on the command line without ``--`` (``batch-size``)."""
    typed: list[str]
    """One value per run, as typed (``relu``), any run of whitespace in it (a newline,
    a tab) written as one space."""
    values: list[Any]
    """One value per run, as ``train``'s option reads it (``[16, 16]`` for hidden)."""

    @property
    def names(self) -> list[str]:
        """One name per run, ``option=value`` as typed (``activation=relu``)."""
        return [f"{self.option}={text}" for text in self.typed]

    @property
    def dest(self) -> str:
        """The option's name among the parsed arguments (``batch_size``)."""
        return self.option.replace("-", "_")


def split_values(text: str) -> list[str]:
    """The values of ``--vary OPTION=VALUES``: split on ``/`` if there is one, else on ``,``.

    Example:
        >>> split_values("sigmoid,relu"), split_values("16,16/32"), split_values("8,16")
        (['sigmoid', 'relu'], ['16,16', '32'], ['8', '16'])
    """
    separator = "/" if "/" in text else ","
    return [piece.strip() for piece in text.split(separator)]


def _option_name(text: str) -> str:
    """The option ``--vary`` names, as ``train`` spells it: ``--batch_size`` is ``batch-size``."""
    return text.strip().removeprefix("--").replace("_", "-")


def read_variation(text: str) -> Variation:
    """Read ``--vary OPTION=VALUES``: the option, and each value as ``train`` reads it.

    Raises:
        UsageError: for text that is not OPTION=VALUES, an option that cannot vary, a
            value the option refuses (``train``'s own message), an empty value, a value
            given twice, fewer than 2 or more than :data:`MAX_COMPARE_RUNS` values.
    """
    from gradstep.cli import model_option_reader

    given, sep, values_text = text.partition("=")
    option = _option_name(given)
    if not sep or not option:
        raise UsageError(
            f"--vary {shown(text)}: expected OPTION=VALUES, e.g. activation=sigmoid,relu"
        )
    allowed = ", ".join(VARIABLE_OPTIONS)
    if option in SHARED_OPTIONS:
        raise UsageError(
            f"--vary {shown(given.strip(), quote=False)}: every compared run shares its data, "
            f"seed and epochs (one timeline); vary one of: {allowed}"
        )
    if option not in VARIABLE_OPTIONS:
        raise UsageError(
            f"--vary {shown(given.strip())}: not an option compare can vary; vary one of: {allowed}"
        )
    pieces = split_values(values_text)
    if len(pieces) > MAX_COMPARE_RUNS:
        raise UsageError(
            f"--vary {option}: {len(pieces)} values; compare trains at most {MAX_COMPARE_RUNS} runs"
        )
    reader = model_option_reader()
    typed: list[str] = []
    values: list[Any] = []
    for piece in pieces:
        where = f"--vary {option}={shown(piece, quote=False)}"
        if not piece:
            raise UsageError(
                f"--vary {shown(text)}: an empty value (values are split on / if there is "
                "one, else on ,)"
            )
        if option == "batchnorm":  # a switch: on the command line, there or not
            if piece.lower() not in SWITCH_VALUES:
                raise UsageError(f"{where}: expected one of {', '.join(SWITCH_VALUES)}")
            value: Any = SWITCH_VALUES[piece.lower()]
        else:
            try:
                parsed = reader.parse_args([f"--{option}={piece}"])
            except UsageError as error:
                reason = str(error).removeprefix(f"argument --{option}: ")
                raise UsageError(f"{where}: {reason}") from None
            value = getattr(parsed, option.replace("-", "_"))
        if value in values:
            hint = ""
            if option == "hidden" and "/" not in values_text:  # commas taken for runs
                hint = " (to vary the widths of several layers, separate the runs with /: "
                hint += "hidden=16,16/32)"
            raise UsageError(
                f"--vary {shown(text)} gives the same value twice: "
                f"{shown(pieces[values.index(value)])} and {shown(piece)}{hint}"
            )
        # int() and float() read any whitespace around a number ("3,\n2" is 3 and 2):
        # the name, printed and shown in the player, keeps one plain space for it.
        typed.append(" ".join(piece.split()))
        values.append(value)
    if len(values) < 2:
        raise UsageError(
            f"--vary {shown(text)}: one value; compare needs 2 to {MAX_COMPARE_RUNS} "
            "(values are split on / if there is one, else on ,)"
        )
    return Variation(option, typed, values)


def _record_options(runs: list[argparse.Namespace], outputs: int) -> Any:
    """The recording of every run: the same frames for all (one timeline), memory bounded.

    ``nn.fit`` keeps fewer frames (a larger stride) for a model whose frames are big;
    runs with different strides could not share a timeline. So every run gets the frame
    cap of the biggest one, within its share of
    :data:`~gradstep.limits.COMPARE_RECORDED_VALUES`, and the heatmap grid of the
    biggest one (:func:`~gradstep.limits.record_grid_size`).

    Raises:
        UsageError: if even 2 frames a run (the fewest ``nn.fit`` keeps) of the biggest
            network would hold more than :data:`~gradstep.limits.COMPARE_RECORDED_VALUES`.
    """
    import nn

    # One grid for all, so that heatmaps compare: the biggest network's.
    grid = min(
        record_grid_size(network_size(2, run.hidden, outputs, batchnorm=run.batchnorm))
        for run in runs
    )
    biggest = max(
        recorded_values_per_frame(
            2, run.hidden, outputs, batchnorm=run.batchnorm, grid_points=grid * grid
        )
        for run in runs
    )
    frames = compare_frames(biggest, len(runs))
    # nn.fit keeps at least 2 frames (the first and the last), whatever the bound: so a
    # network this big, this many times, cannot be recorded within it.
    most = frames * biggest * len(runs)
    if most > COMPARE_RECORDED_VALUES:
        raise UsageError(
            f"the recordings of these {len(runs)} runs would hold up to {most:,} numbers "
            f"({frames} frames each of up to {biggest:,}); the limit for all of them is "
            f"{COMPARE_RECORDED_VALUES:,} (about 200 MB): use a smaller --hidden or fewer values"
        )
    # recorded_values_per_frame is an upper bound, so frames × a run's real frame size
    # stays within max_values, and the frame cap, the same for all, decides the stride.
    return nn.RecordOptions(grid_size=grid, max_frames=frames, max_values=COMPARE_RECORDED_VALUES)


def _check_runs(runs: list[argparse.Namespace], names: list[str], data: Data) -> None:
    """Check every run as ``train`` checks one, that they take the same steps per epoch
    (one timeline), and their total work (a few minutes)."""
    works = []
    for run, name in zip(runs, names, strict=True):
        try:
            check_training_options(run)
            check_size(run, data.outputs)
        except UsageError as error:
            raise UsageError(f"run {shown(name)}: {error}") from None
        size = network_size(2, run.hidden, data.outputs, batchnorm=run.batchnorm)
        works.append(run.epochs * run.samples * size)
    # The player's runs share one timeline of frames at (epoch, step): a run with more
    # batches per epoch (a smaller --batch-size, or no BatchNorm to skip a last batch of
    # one row) would be recorded at other steps, and the player would refuse it after
    # all the training.
    rows = len(data.X_train)
    steps = [steps_per_epoch(run, rows) for run in runs]
    if len(set(steps)) > 1:
        first = steps.index(steps[0])
        other = next(i for i, n in enumerate(steps) if n != steps[0])
        raise UsageError(
            f"run {shown(names[first])} takes {steps[first]} steps per epoch, run "
            f"{shown(names[other])} {steps[other]} ({rows} training rows); runs played on "
            "one timeline must take the same number: choose batch sizes that split the rows "
            "into as many batches"
        )
    if sum(works) > MAX_WORK:
        raise UsageError(
            f"these {len(runs)} runs are too long together for a scalar engine: "
            f"{' + '.join(f'{work:,}' for work in works)} = {sum(works):,} units of work "
            f"(epochs × samples × network size); the limit for all of them is {MAX_WORK:,} "
            "(a few minutes): use fewer --epochs, fewer --samples or fewer values"
        )


def _summary(names: list[str], runs: list[Run], player: Path) -> None:
    width = max(len(name) for name in names)
    print(f"\n{'run':<{width}}  training accuracy  test accuracy")
    for name, run in zip(names, runs, strict=True):
        history = run.history
        test = f"{history.val_accuracy[-1]:.1%}" if history.val_accuracy else "-"
        print(f"{name:<{width}}  {history.accuracy[-1]:>17.1%}  {test:>13}")
    print(f"  {'training player':<18} {shown(str(player), limit=None, quote=False)}")


def run_compare(args: argparse.Namespace) -> int:
    """Train one run per value of the ``--vary`` option; write the player of them all.

    Everything is checked before the first epoch: ``--vary`` and each of its values,
    each run's options and size, their total size, the output folder. A run that
    diverges does not stop the others: the player is written with all of them (it
    marks where that run stopped), and the command then ends as ``train`` does for a
    diverged run (one line, exit status 1), naming every run that diverged.
    """
    if len(args.vary) > 1:
        raise UsageError(
            f"--vary is given {len(args.vary)} times: compare varies one option at a time"
        )
    variation = read_variation(args.vary[0])
    runs = []
    for value in variation.values:
        run_args = copy.copy(args)
        setattr(run_args, variation.dest, value)
        runs.append(run_args)
    data = make_data(args)
    _check_runs(runs, variation.names, data)
    record = _record_options(runs, data.outputs)
    folder = output_folder(args.out, files=[COMPARE_FILE])
    done = []
    for number, (run_args, name) in enumerate(zip(runs, variation.names, strict=True), 1):
        if number > 1:
            print()
        print(f"run {number}/{len(runs)}: {name}", flush=True)
        done.append(train_run(run_args, data, record=record))
    path = write_training_player(
        folder / COMPARE_FILE,
        [run.history for run in done],
        variation.names,
        title=f"{variation.option}: " + " vs ".join(variation.typed),
    )
    failed: list[tuple[str, RunFailedError]] = []
    for run_args, run, name in zip(runs, done, variation.names, strict=True):
        try:
            check_run(run_args, run, player=path)
        except RunFailedError as error:
            failed.append((name, error))
    if failed:
        first, reason = failed[0]
        others = [shown(other) for other, _ in failed[1:]]
        also = f" (diverged too: {', '.join(others)})" if others else ""
        raise RunFailedError(f"run {shown(first)}{also}: {reason}")
    _summary(variation.names, done, path)
    return 0
