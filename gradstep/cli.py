"""The ``gradstep`` program: its arguments, and how every failure becomes one line.

Subcommands:

* ``gradstep demo``: the main job. Trains an MLP with batch normalization on the built-in
  two-moons data (no downloads) and writes its plots, one neuron's computation graph,
  a backprop player and the run's training player into an output folder.
* ``gradstep graph FORMULA --var x=2 ... -o FILE.svg|.png|.pdf``: draw a formula's graph
  after backward().
* ``gradstep step FORMULA --var x=2 ... -o FILE.html``: the step-through backprop player.
* ``gradstep train [options]``: train an MLP on a built-in data set with your choice of
  layers, activation, batch normalization and optimizer (``--player FILE.html``: and
  write its training player).
* ``gradstep compare --vary OPTION=V1,V2 [train options] --out DIR``: one run per value
  of one option, on the same data and seed, played side by side in ``DIR/compare.html``.
* ``gradstep doctor``: check the installation.

Exit status (see :mod:`gradstep.errors`): 0 on success; 2 for bad input (a malformed
formula, an option out of range or beyond the limits of :mod:`gradstep.limits`, an
output path that cannot be written, an unknown output suffix, an argument that is not
valid UTF-8), after one line on standard error; 1 when a run cannot finish (Graphviz
missing, training diverged, a broken installation, a full disk), after one line, or
quietly when the reader of standard output went away (a broken pipe); 130 on Ctrl-C,
after one line and with no file half-written. Never a traceback, except for a bug.

A line that repeats what the user typed shows it through :func:`gradstep.errors.shown`:
escaped and cut to a readable length.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import keyword
import math
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Sequence
from importlib import import_module
from typing import Any, NoReturn

from gradstep import __version__
from gradstep.doctor import check_libraries
from gradstep.errors import (
    EXIT_BAD_INPUT,
    EXIT_INTERRUPTED,
    EXIT_RUN_FAILED,
    RunFailedError,
    UsageError,
    one_line,
    shown,
)
from gradstep.files import STDOUT
from gradstep.limits import (
    ECHO_LIMIT,
    MAX_ARGUMENTS,
    MAX_BATCH_SIZE,
    MAX_COMPARE_RUNS,
    MAX_EPOCHS,
    MAX_FORMULA_LENGTH,
    MAX_FORMULA_PARTS,
    MAX_HIDDEN_LAYERS,
    MAX_LAYER_WIDTH,
    MAX_NOISE,
    MAX_SAMPLES,
    MAX_WORK,
    MIN_SAMPLES,
    NEURON_COST,
)

COMMANDS = {
    "demo": ("gradstep.training", "run_demo"),
    "graph": ("gradstep.drawing", "run_graph"),
    "step": ("gradstep.drawing", "run_step"),
    "train": ("gradstep.training", "run_train"),
    "compare": ("gradstep.compare", "run_compare"),
    "doctor": ("gradstep.doctor", "run_doctor"),
}
"""Each subcommand's function, as (module, name). The modules are imported only once the
libraries they use are known to be gradstep's own (the doctor's need nothing)."""


def _printable(message: str) -> str:
    """A message of argparse's own, safe to print: unprintable characters escaped, cut.

    gradstep's own messages echo user text through :func:`shown`; a few of argparse's
    (an ambiguous option...) echo it as they like. This is the net under those.
    """
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)
    most = 4 * ECHO_LIMIT
    return text if len(text) <= most else f"{text[:most]}… ({len(text)} characters)"


class _Parser(argparse.ArgumentParser):
    """argparse with its errors on one line (argparse's own prints the usage first), and
    the user's text in them escaped and cut (:func:`gradstep.errors.shown`)."""

    def error(self, message: str) -> NoReturn:
        hint = f"see '{self.prog} --help'"
        if "required: FORMULA" in message:  # argparse took a formula such as -x for an option
            hint += "; a formula that starts with - goes after --, as in: -- '-x*2'"
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {_printable(message)} ({hint})\n")

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        # argparse's own, but with the value shown by `shown` (argparse repeats all of it).
        if action.choices is not None and value not in action.choices:
            choices = ", ".join(map(repr, action.choices))
            raise argparse.ArgumentError(
                action, f"invalid choice: {shown(str(value))} (choose from {choices})"
            )


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Every option's help ends with its default (unless it says it already), or with
    "(required)"; the examples at the end keep their line breaks."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if action.required and action.option_strings:
            return f"{text} (required)"
        if not action.option_strings or "default" in text or action.default is argparse.SUPPRESS:
            return text
        default = action.default
        if action.nargs == 0:  # a flag such as --quiet
            shown = "on" if default else "off"
        elif default is None:
            shown = "none"
        elif isinstance(default, list):
            shown = ",".join(map(str, default)) or "none"
        else:
            shown = "%(default)s"
        return f"{text} (default: {shown})"


# -- argument types: each raises ArgumentTypeError, which argparse reports in one line ----


def _number(text: str, what: str = "") -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{what}{shown(text)} is not a number") from None


def _variable(text: str) -> tuple[str, float]:
    """``NAME=NUMBER``: a name a formula can use (after NFKC, as Python reads names) and a
    finite number (a formula's own numbers are finite too: ``1e400`` is refused)."""
    name, sep, number = text.partition("=")
    name = name.strip()
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=NUMBER, got {shown(text)}")
    # Python reads a formula's names in NFKC form (gradstep.formula.normalize_name, not
    # imported here: it imports the libraries, which are checked only later).
    normal = unicodedata.normalize("NFKC", name)
    if not normal.isidentifier() or keyword.iskeyword(normal):
        raise argparse.ArgumentTypeError(
            f"{shown(name)} is not a name a formula can use (expected NAME=NUMBER, e.g. x=2)"
        )
    value = _number(number, f"{shown(name, quote=False)}=")
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(
            f"{shown(text)}: the value must be a finite number, got {value}"
        )
    return name, value


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        digits = text.strip().lstrip("+-").replace("_", "")
        why = "is too long a number" if digits.isdigit() else "is not a whole number"
        raise argparse.ArgumentTypeError(f"{shown(text)} {why}") from None


def _count(least: int, most: int) -> Callable[[str], int]:
    """The type of an option that counts something, from ``least`` to ``most``."""

    def count(text: str) -> int:
        n = _integer(text)
        if n < least:
            raise argparse.ArgumentTypeError(f"must be at least {least}, got {n}")
        if n > most:
            raise argparse.ArgumentTypeError(
                f"must be at most {most}, got {shown(str(n), quote=False)}"
            )
        return n

    return count


def _learning_rate(text: str) -> float:
    x = _number(text)
    if not (x > 0 and math.isfinite(x)):
        raise argparse.ArgumentTypeError(
            f"must be positive and finite, got {shown(text, quote=False)}"
        )
    return x


def _noise(text: str) -> float:
    x = _number(text)
    if not 0 <= x <= MAX_NOISE:  # also rejects nan; inf is above the maximum
        raise argparse.ArgumentTypeError(
            f"must be from 0 to {MAX_NOISE:g}, got {shown(text, quote=False)}"
        )
    return x


def _fraction(text: str) -> float:
    x = _number(text)
    if not 0 <= x < 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), got {shown(text, quote=False)}")
    return x


def _widths(text: str) -> list[int]:
    try:
        widths = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected widths like 16,16, got {shown(text)}") from None
    if not widths or min(widths) < 1:
        raise argparse.ArgumentTypeError(f"expected positive widths like 16,16, got {shown(text)}")
    if len(widths) > MAX_HIDDEN_LAYERS:
        raise argparse.ArgumentTypeError(
            f"at most {MAX_HIDDEN_LAYERS} hidden layers, got {len(widths)}"
        )
    if max(widths) > MAX_LAYER_WIDTH:
        raise argparse.ArgumentTypeError(
            f"a layer is at most {MAX_LAYER_WIDTH} wide, got {shown(str(max(widths)), quote=False)}"
        )
    return widths


def check_arguments(arguments: Sequence[str]) -> None:
    """Refuse, before parsing, arguments that no option could take.

    * More than :data:`~gradstep.limits.MAX_ARGUMENTS` of them (argparse's time grows
      with the square of their number).
    * A NUL character (no program can receive one from a shell; only a call of
      ``main()`` can pass it, and no file name or formula holds one).
    * A byte that is not valid text in the system's encoding (UTF-8): Python hands it
      over as a lone surrogate character (U+DC80 + the byte), which no formula, name or
      number can hold, and which a message could not print. The message names the
      argument, the byte and where it is.

    Raises:
        UsageError: naming the argument (1 for the first after ``gradstep``).
    """
    if len(arguments) > MAX_ARGUMENTS:
        raise UsageError(f"{len(arguments)} arguments; the limit is {MAX_ARGUMENTS}")
    encoding = sys.getfilesystemencoding()
    encoding = "UTF-8" if encoding.lower().replace("-", "") == "utf8" else encoding
    for number, argument in enumerate(arguments, start=1):
        found = re.search("[\0\ud800-\udfff]", argument)
        if found is None:
            continue
        char, column = found.group(), found.start() + 1
        if char == "\0":
            raise UsageError(
                f"argument {number} ({shown(argument)}) holds a NUL character at position {column}"
            )
        what = shown(char, quote=False)
        if "\udc80" <= char <= "\udcff":  # surrogateescape: the undecodable byte
            what = f"the byte {what}"
        raise UsageError(
            f"argument {number} ({shown(argument)}) is not valid {encoding}: {what} at "
            f"position {column} (gradstep reads formulas, names and file names as {encoding} "
            "text)"
        )


# -- the parser ---------------------------------------------------------------------------


def _registries() -> dict[str, Any] | None:
    """nn's registries of data sets, optimizers and activations; None if nn cannot be
    imported (then only ``doctor`` can help, and it must still be reachable)."""
    try:
        import nn

        return {
            "data": list(nn.data.DATASETS),
            "optimizer": nn.optim.OPTIMIZERS,
            "activation": list(nn.ACTIVATIONS),
        }
    except Exception:  # a namesake `nn`, or a broken one
        return None


def _subcommand(
    commands: Any, name: str, summary: str, description: str, example: str
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = commands.add_parser(
        name,
        help=summary,
        description=description,
        epilog=f"example:\n  {example}",
        formatter_class=_HelpFormatter,
    )
    return parser


def _add_formula_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "expr",
        metavar="FORMULA",
        help=f'a formula, e.g. "tanh(x*w + b)", at most {MAX_FORMULA_LENGTH} characters and '
        f"{MAX_FORMULA_PARTS} parts",
    )
    parser.add_argument(
        "--var",
        metavar="NAME=VALUE",
        type=_variable,
        action="append",
        default=[],
        help="a variable's value, a finite number (repeat for each variable, once each)",
    )


def _add_training_arguments(parser: argparse.ArgumentParser, *, epochs: int) -> None:
    parser.add_argument("--out", metavar="DIR", default="gradstep-out", help="output folder")
    parser.add_argument(
        "--epochs",
        metavar="N",
        type=_count(1, MAX_EPOCHS),
        default=epochs,
        help=f"passes over the data, 1 to {MAX_EPOCHS}",
    )
    parser.add_argument(
        "--seed", metavar="N", type=_integer, default=0, help="random seed of data and weights"
    )
    parser.add_argument("--quiet", action="store_true", help="no line per epoch")
    parser.add_argument(
        "--no-progress", action="store_true", help="no progress bar (drawn only on a terminal)"
    )


class _OptionReader(_Parser):
    """A parser that raises its errors (UsageError) instead of ending the program."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(_printable(message))


def model_option_reader() -> argparse.ArgumentParser:
    """A parser of ``train``'s model options alone, which raises UsageError on bad input.

    ``compare`` reads each ``--vary`` value with it: the same types, choices, bounds and
    messages as on ``train``'s command line (``parse_args(["--lr=0.1"]).lr``).
    """
    reader = _OptionReader(prog="gradstep compare", add_help=False)
    _add_model_arguments(reader, _registries())
    return reader


def _add_model_arguments(
    parser: argparse.ArgumentParser, registries: dict[str, Any] | None
) -> None:
    names = registries or {}
    optimizers = names.get("optimizer", {})
    parser.add_argument("--data", choices=names.get("data"), default="moons", help="data set")
    parser.add_argument(
        "--samples",
        metavar="N",
        type=_count(MIN_SAMPLES, MAX_SAMPLES),
        default=200,
        help=f"rows of data, {MIN_SAMPLES} to {MAX_SAMPLES}",
    )
    parser.add_argument(
        "--noise",
        metavar="STD",
        type=_noise,
        default=0.1,
        help=f"standard deviation of the noise on the points, 0 to {MAX_NOISE:g}",
    )
    parser.add_argument(
        "--test-fraction",
        metavar="F",
        type=_fraction,
        default=0.25,
        help="share of rows held out to test, in [0, 1); 0 trains on every row",
    )
    parser.add_argument(
        "--hidden",
        metavar="WIDTHS",
        type=_widths,
        default=[16, 16],
        help=f"hidden layer widths, comma-separated: at most {MAX_HIDDEN_LAYERS} layers, each "
        f"at most {MAX_LAYER_WIDTH} wide",
    )
    parser.add_argument(
        "--activation", choices=names.get("activation"), default="relu", help="hidden activation"
    )
    parser.add_argument(
        "--batchnorm",
        action="store_true",
        help="BatchNorm1d after each hidden layer (needs --batch-size 2 or more)",
    )
    parser.add_argument(
        "--optimizer", choices=list(optimizers) or None, default="adam", help="optimizer"
    )
    rates = ", ".join(f"{name} {choice.lr:g}" for name, choice in optimizers.items())
    parser.add_argument(
        "--lr",
        type=_learning_rate,
        default=None,
        help=f"learning rate, positive and finite (default: the optimizer's own: {rates})",
    )
    parser.add_argument(
        "--batch-size",
        metavar="N",
        type=_count(1, MAX_BATCH_SIZE),
        default=32,
        help=f"rows per step, 1 to {MAX_BATCH_SIZE}",
    )


def build_parser() -> argparse.ArgumentParser:
    """The parser of the whole program (``gradstep --help`` prints it)."""
    parser = _Parser(
        prog="gradstep",
        description="See how neural networks learn, one gradient at a time.",
        epilog="Run 'gradstep COMMAND --help' for a command's options and an example.",
    )
    parser.add_argument("--version", action="version", version=f"gradstep {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    registries = _registries()

    demo = _subcommand(
        commands,
        "demo",
        "the main demo: train on moons, write plots, a graph and two players",
        "Train an MLP with batch normalization on two moons (built-in data) and write what "
        "it learned into an output folder: loss curve, decision boundary, gradient flow, one "
        "neuron's graph, a step-through backprop player and the training player of the run.",
        "gradstep demo --out gradstep-out",
    )
    _add_training_arguments(demo, epochs=60)

    graph = _subcommand(
        commands,
        "graph",
        "draw a formula's computation graph (SVG, PNG or PDF)",
        "Build the formula from the variables' values, backpropagate through it, and draw "
        "its computation graph with every value and gradient.",
        'gradstep graph "tanh(x*w + b)" --var x=2 --var w=-3 --var b=6.5 -o neuron.svg',
    )
    _add_formula_arguments(graph)
    graph.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        default="graph.svg",
        help=f"a .svg, .png or .pdf file (the suffix picks the format), or {STDOUT} for SVG "
        "on standard output",
    )
    graph.add_argument(
        "--rankdir", choices=("LR", "TB", "RL", "BT"), default="LR", help="direction of the flow"
    )

    step = _subcommand(
        commands,
        "step",
        "write the step-through backprop player of a formula",
        "Write the backward pass of the formula, one chain-rule product at a time, as one "
        "self-contained HTML page that any browser plays offline.",
        'gradstep step "tanh(x*w + b)" --var x=2 --var w=-3 --var b=6.5 -o backprop.html',
    )
    _add_formula_arguments(step)
    step.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        default="backprop.html",
        help=f"an .html file, or {STDOUT} for standard output",
    )
    step.add_argument("--forward", action="store_true", help="show the forward pass first")
    step.add_argument("--trace", action="store_true", help="also print every step as text")

    train = _subcommand(
        commands,
        "train",
        "train an MLP on a built-in data set",
        "Train an MLP on a built-in data set with the options below; print each epoch's "
        "numbers as it ends and write the plots (a checkpoint with --save, the training "
        "player of the run with --player). A run must "
        "finish in a few minutes: epochs × samples × network size (parameters + "
        f"{NEURON_COST} per neuron) is at most {MAX_WORK:,}, and memory is bounded too (see "
        "the README).",
        "gradstep train --data spirals --hidden 32,32 --activation tanh --epochs 100",
    )
    _add_training_arguments(train, epochs=50)
    _add_model_arguments(train, registries)
    train.add_argument("--save", metavar="FILE.json", help="write a JSON checkpoint of the model")
    train.add_argument(
        "--player",
        metavar="FILE.html",
        help="record the run and write its training player: one HTML page, offline",
    )

    compare = _subcommand(
        commands,
        "compare",
        "train one run per value of an option; play them side by side",
        "Train the same MLP on the same data with the same seed, once per value of the "
        "option that --vary names, and write DIR/compare.html: the training player of all "
        "the runs on one timeline. Every other option is train's and applies to every "
        "run. The runs together are bounded as one train run is (see the README).",
        "gradstep compare --vary activation=sigmoid,relu --hidden 8,8,8,8 --epochs 30 "
        "--out runs/activations",
    )
    compare.add_argument(
        "--vary",
        metavar="OPTION=VALUES",
        action="append",
        required=True,
        default=argparse.SUPPRESS,
        help=f"the option to vary and its values, 2 to {MAX_COMPARE_RUNS}; the "
        "option is one of activation, batch-size, batchnorm (off,on), hidden, lr, optimizer. "
        "Values are split on / if there is one, else on commas: lr=0.1,0.01 and "
        "hidden=16,16/32 are two runs each (and hidden=8,16: one layer of 8, one of 16)",
    )
    _add_training_arguments(compare, epochs=50)
    _add_model_arguments(compare, registries)

    _subcommand(
        commands,
        "doctor",
        "check the installation: Python, gradstep, Graphviz, matplotlib",
        "Check that this installation of gradstep is complete and its own: Python, gradstep "
        "and its packages (and any namesake installed over them), the libraries it needs, "
        "Graphviz's dot and matplotlib. Exit status 0 when all is well, 1 otherwise.",
        "gradstep doctor",
    )
    return parser


def _command_parser(parser: argparse.ArgumentParser, command: str) -> argparse.ArgumentParser:
    """The parser of one subcommand (``compare``), or the whole program's if none."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            found: argparse.ArgumentParser = action.choices.get(command, parser)
            return found
    return parser


def _graphviz_missing(error: BaseException) -> bool:
    """Whether ``error`` is viz's GraphvizNotFoundError (viz is only imported if it ran)."""
    graph = sys.modules.get("viz.graph")
    return graph is not None and isinstance(error, graph.GraphvizNotFoundError)


def _stdout_gone() -> None:
    """After a broken pipe: point stdout at /dev/null so that Python's final flush is quiet."""
    if sys.stdout is None:
        return
    # No file descriptor (a test's capture, say): there is no final flush to silence.
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _settle_stdout() -> None:
    """After an error: flush what was printed, or, if stdout cannot take it, drop it.

    Otherwise Python's own flush at exit would fail again and print a second error.
    """
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except OSError:
        _stdout_gone()


def _say(line: str) -> None:
    """Print one line on standard error; if even that fails (2>/dev/full), say nothing."""
    with contextlib.suppress(OSError):
        print(line, file=sys.stderr, flush=True)


def _prepare_streams() -> None:
    """Make the standard streams safe to use, whatever the shell gave us.

    * A closed standard error (``2>&-``) becomes /dev/null: Python sets it to None, and
      ``print(file=None)`` would then write errors into standard output.
    * Text on standard output that its encoding cannot hold (``PYTHONIOENCODING=ascii``
      and a formula in Greek) is escaped rather than fatal. Documents (``-o -``) are
      written as bytes and are not concerned.

    A closed standard output stays None: ``print`` then writes nowhere, and ``-o -``
    refuses to start (:func:`gradstep.files.check_stdout`).
    """
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the run
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the program with ``argv`` (default: the command line); return the exit status."""
    name = "gradstep"
    _prepare_streams()
    try:
        arguments = list(sys.argv[1:] if argv is None else argv)
        check_arguments(arguments)
        parser = build_parser()
        args, unknown = parser.parse_known_args(arguments)
        if unknown:  # the command's own parser: its name in the line, its --help
            _command_parser(parser, args.command).error(
                f"unrecognized arguments: {shown(' '.join(unknown), quote=False)}"
            )
        name = f"gradstep {args.command}"
        if args.command != "doctor":  # the doctor must run whatever is broken
            check_libraries()
        module, function = COMMANDS[args.command]
        run: Callable[[argparse.Namespace], int] = getattr(import_module(module), function)
        status = run(args)
        if sys.stdout is not None:  # a full disk shows here, not in Python's flush at exit
            sys.stdout.flush()
        return status
    except UsageError as error:
        _say(f"{name}: error: {one_line(error)}")
        return EXIT_BAD_INPUT
    except RunFailedError as error:
        _say(f"{name}: {one_line(error)}")
        return EXIT_RUN_FAILED
    except KeyboardInterrupt:
        _say(f"\n{name}: interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader went away (`gradstep graph ... -o - | head`): quiet
        _stdout_gone()
        return EXIT_RUN_FAILED
    except ImportError as error:  # a namesake package or a missing library
        _say(f"{name}: {one_line(error)} (`gradstep doctor` checks everything)")
        return EXIT_RUN_FAILED
    except RuntimeError as error:
        if not _graphviz_missing(error):
            raise
        _say(f"{name}: {one_line(error)}")
        return EXIT_RUN_FAILED
    except OSError as error:
        # Files are written by gradstep.files, which names them; an error that names no
        # file comes from the lines printed on standard output (into a full disk...).
        if isinstance(error.filename, str):
            where = shown(error.filename)
        else:
            where = "cannot write to standard output"
        _say(f"{name}: {where}: {error.strerror or one_line(error)}")
        _settle_stdout()
        return EXIT_RUN_FAILED


if __name__ == "__main__":
    sys.exit(main())
