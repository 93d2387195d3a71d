"""The ``gradstep`` program: its arguments, and how every failure becomes one line.

Subcommands:

* ``gradstep demo``: the main job. Trains an MLP with batch normalization on the built-in
  two-moons data (no downloads) and writes its plots, one neuron's computation graph
  and a backprop player into an output folder.
* ``gradstep graph FORMULA --var x=2 ... -o FILE.svg|.png|.pdf``: draw a formula's graph
  after backward().
* ``gradstep step FORMULA --var x=2 ... -o FILE.html``: the step-through backprop player.
* ``gradstep train [options]``: train an MLP on a built-in data set with your choice of
  layers, activation, batch normalization and optimizer.
* ``gradstep doctor``: check the installation.

Exit status (see :mod:`gradstep.errors`): 0 on success; 2 for bad input (a malformed
formula, an option out of range, an output path that cannot be written, an unknown
output suffix), after one line on standard error; 1 when a run cannot finish (Graphviz
missing, training diverged, a broken installation), after one line; 130 on Ctrl-C, after
one line and with no file half-written. Never a traceback, except for a bug.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
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
)
from gradstep.files import STDOUT
from gradstep.limits import MAX_NOISE, MIN_SAMPLES

COMMANDS = {
    "demo": ("gradstep.training", "run_demo"),
    "graph": ("gradstep.drawing", "run_graph"),
    "step": ("gradstep.drawing", "run_step"),
    "train": ("gradstep.training", "run_train"),
    "doctor": ("gradstep.doctor", "run_doctor"),
}
"""Each subcommand's function, as (module, name). The modules are imported only once the
libraries they use are known to be gradstep's own (the doctor's need nothing)."""


class _Parser(argparse.ArgumentParser):
    """argparse with its errors on one line (argparse's own prints the usage first)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Every option's help ends with its default (unless it says it already); the
    examples at the end keep their line breaks."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
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
        raise argparse.ArgumentTypeError(f"{what}{text!r} is not a number") from None


def _variable(text: str) -> tuple[str, float]:
    name, sep, number = text.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier():
        raise argparse.ArgumentTypeError(f"expected NAME=NUMBER, got {text!r}")
    return name, _number(number, f"{name}: ")


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {n}")
    return n


def _samples(text: str) -> int:
    n = _positive_int(text)
    if n < MIN_SAMPLES:
        raise argparse.ArgumentTypeError(f"must be at least {MIN_SAMPLES}, got {n}")
    return n


def _learning_rate(text: str) -> float:
    x = _number(text)
    if not (x > 0 and math.isfinite(x)):
        raise argparse.ArgumentTypeError(f"must be positive and finite, got {text}")
    return x


def _noise(text: str) -> float:
    x = _number(text)
    if not 0 <= x <= MAX_NOISE:  # also rejects nan; inf is above the maximum
        raise argparse.ArgumentTypeError(f"must be from 0 to {MAX_NOISE:g}, got {text}")
    return x


def _fraction(text: str) -> float:
    x = _number(text)
    if not 0 <= x < 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), got {text}")
    return x


def _widths(text: str) -> list[int]:
    try:
        widths = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected widths like 16,16, got {text!r}") from None
    if not widths or min(widths) < 1:
        raise argparse.ArgumentTypeError(f"expected positive widths like 16,16, got {text!r}")
    return widths


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
    parser.add_argument("expr", metavar="FORMULA", help='a formula, e.g. "tanh(x*w + b)"')
    parser.add_argument(
        "--var",
        metavar="NAME=VALUE",
        type=_variable,
        action="append",
        default=[],
        help="a variable's value (repeat for each variable)",
    )


def _add_training_arguments(parser: argparse.ArgumentParser, *, epochs: int) -> None:
    parser.add_argument("--out", metavar="DIR", default="gradstep-out", help="output folder")
    parser.add_argument(
        "--epochs", metavar="N", type=_positive_int, default=epochs, help="passes over the data"
    )
    parser.add_argument(
        "--seed", metavar="N", type=int, default=0, help="random seed of data and weights"
    )
    parser.add_argument("--quiet", action="store_true", help="no line per epoch")
    parser.add_argument(
        "--no-progress", action="store_true", help="no progress bar (drawn only on a terminal)"
    )


def _add_model_arguments(
    parser: argparse.ArgumentParser, registries: dict[str, Any] | None
) -> None:
    names = registries or {}
    optimizers = names.get("optimizer", {})
    parser.add_argument("--data", choices=names.get("data"), default="moons", help="data set")
    parser.add_argument(
        "--samples",
        metavar="N",
        type=_samples,
        default=200,
        help=f"rows of data, at least {MIN_SAMPLES}",
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
        help="hidden layer widths, comma-separated",
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
        "--batch-size", metavar="N", type=_positive_int, default=32, help="rows per step"
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
        "the main demo: train on moons, write plots, a graph and a player",
        "Train an MLP with batch normalization on two moons (built-in data) and write what "
        "it learned into an output folder: loss curve, decision boundary, gradient flow, one "
        "neuron's graph and a step-through backprop player.",
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
        "numbers as it ends and write the plots (and a checkpoint with --save).",
        "gradstep train --data spirals --hidden 32,32 --activation tanh --epochs 100",
    )
    _add_training_arguments(train, epochs=50)
    _add_model_arguments(train, registries)
    train.add_argument("--save", metavar="FILE.json", help="write a JSON checkpoint of the model")

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


def _graphviz_missing(error: BaseException) -> bool:
    """Whether ``error`` is viz's GraphvizNotFoundError (viz is only imported if it ran)."""
    graph = sys.modules.get("viz.graph")
    return graph is not None and isinstance(error, graph.GraphvizNotFoundError)


def _stdout_gone() -> None:
    """After a broken pipe: point stdout at /dev/null so that Python's final flush is quiet."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the program with ``argv`` (default: the command line); return the exit status."""
    name = "gradstep"
    try:
        args = build_parser().parse_args(argv)
        name = f"gradstep {args.command}"
        if args.command != "doctor":  # the doctor must run whatever is broken
            check_libraries()
        module, function = COMMANDS[args.command]
        run: Callable[[argparse.Namespace], int] = getattr(import_module(module), function)
        return run(args)
    except UsageError as error:
        print(f"{name}: error: {one_line(error)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except RunFailedError as error:
        print(f"{name}: {one_line(error)}", file=sys.stderr)
        return EXIT_RUN_FAILED
    except KeyboardInterrupt:
        print(f"\n{name}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader went away (`gradstep graph ... -o - | head`)
        _stdout_gone()
        return EXIT_RUN_FAILED
    except ImportError as error:  # a namesake package or a missing library
        print(f"{name}: {one_line(error)} (`gradstep doctor` checks everything)", file=sys.stderr)
        return EXIT_RUN_FAILED
    except RuntimeError as error:
        if not _graphviz_missing(error):
            raise
        print(f"{name}: {one_line(error)}", file=sys.stderr)
        return EXIT_RUN_FAILED
    except OSError as error:  # e.g. standard output on a full disk
        print(f"{name}: {one_line(error)}", file=sys.stderr)
        return EXIT_RUN_FAILED


if __name__ == "__main__":
    sys.exit(main())
