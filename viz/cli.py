"""The ``gradstep`` command-line program.

Subcommands:

* ``gradstep demo``: the main job. Trains an MLP with batch normalization on the
  built-in two-moons data (no downloads) and writes its plots, one neuron's
  computation graph and a backprop player into an output folder.
* ``gradstep graph EXPR --var x=2 ...``: draw any scalar formula after backward().
* ``gradstep step EXPR --var x=2 ...``: the step-through backprop player of a formula.
* ``gradstep train ...``: train an MLP with your choice of data, layers, activation,
  batch normalization and optimizer; print per-epoch metrics and write the plots.

Exit status: 0 on success. Bad input (a malformed formula, an unknown option, an option
out of range such as a negative ``--noise`` or an infinite ``--lr``, options that cannot
work together such as ``--batchnorm --batch-size 1``, an output folder that cannot be
written) ends with one line on stderr and exit status 2, never a traceback; so does a
ValueError or ArithmeticError (other than an overflow) that the training settings provoke
inside ``nn``, while TypeError and the like are bugs and keep their traceback. A run
that starts but cannot finish ends with one line on stderr and exit status 1: Graphviz
is missing, or training diverged (the loss or a weight ended nan or inf, or a value
overflowed; no plots or checkpoint are written then: the weights are not numbers).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, NoReturn

EXIT_BAD_INPUT = 2
EXIT_RUN_FAILED = 1
"""The run started but could not finish: Graphviz is missing, or training diverged."""

MIN_SAMPLES = 10
"""Fewest rows ``train --samples`` accepts: every class of every data set appears."""
MIN_TRAIN_ROWS = 2
"""Fewest training rows left after the test split (a BatchNorm1d batch needs two)."""
MAX_NOISE = 10.0
"""Largest ``train --noise``: far beyond the point where every data set is a blur."""

DEMO_FORMULA = "tanh(x1*w1 + x2*w2 + b)"
DEMO_VARIABLES = {"x1": 2.0, "w1": -3.0, "x2": 0.0, "w2": 1.0, "b": 6.8813735870195432}


class UsageError(Exception):
    """Bad input from the user: reported in one line, exit status 2."""


class RunFailedError(Exception):
    """Valid input, but the run could not finish: reported in one line, exit status 1."""


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def _version() -> str:
    try:
        return version("gradstep")
    except PackageNotFoundError:  # a source tree that is not installed
        return "unknown"


class _Parser(argparse.ArgumentParser):
    """argparse with errors in one line (argparse's own prints the usage first)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


# -- argument types -----------------------------------------------------------------------


def _number(text: str, what: str = "") -> float:
    """``text`` as a float, or the argparse error saying it is not a number."""
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


# -- helpers --------------------------------------------------------------------------------


def _output_folder(path: str) -> Path:
    """Create the folder (and parents); a folder that cannot be written is bad input."""
    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"cannot create the output folder {path!r}: {error.strerror}") from None
    if not os.access(folder, os.W_OK):
        raise UsageError(f"cannot write into the output folder {path!r}: permission denied")
    return folder


def _write(path: Path, write: Callable[[Path], Any]) -> Path:
    try:
        write(path)
    except OSError as error:
        raise UsageError(f"cannot write {str(path)!r}: {error.strerror or error}") from None
    return path


def _formula(text: str, pairs: Sequence[tuple[str, float]]) -> Any:
    """Parse a formula with --var values and backpropagate through it."""
    from viz.parsing import FormulaError, formula_variables, parse_formula

    values = dict(pairs)
    try:
        missing = [name for name in formula_variables(text) if name not in values]
        if missing:
            given = " ".join(f"--var {name}=VALUE" for name in missing)
            raise UsageError(f"no value for {', '.join(missing)} (give {given})")
        out = parse_formula(text, values)
        out.backward()
    except FormulaError as error:
        raise UsageError(f"in {text!r}: {error}") from None
    except ArithmeticError as error:
        raise UsageError(f"in {text!r}: {' '.join(str(error).split())}") from None
    return out


# -- subcommands ----------------------------------------------------------------------------


def run_graph(args: argparse.Namespace) -> int:
    """Draw a formula's computation graph after backward() as SVG."""
    import viz

    out = _formula(args.expr, args.var)
    out.label = out.label or "out"
    drawing = viz.draw_graph(out, rankdir=args.rankdir, title=args.expr)
    svg = drawing.pipe(format="svg", encoding="utf-8")
    if args.output == "-":
        sys.stdout.write(svg)
        return 0
    path = Path(args.output)
    _write(path, lambda p: p.write_text(svg, encoding="utf-8"))
    print(f"{args.expr} = {out.data:.6g}; graph written to {path}")
    return 0


def run_step(args: argparse.Namespace) -> int:
    """Write the step-through backprop player of a formula as one HTML file."""
    import viz

    out = _formula(args.expr, args.var)
    out.label = out.label or "out"
    stepper = viz.BackpropStepper(out, include_forward=args.forward)
    if args.trace:
        print(stepper.trace())
    path = Path(args.output)
    _write(path, lambda p: stepper.to_html(p, title=args.expr))
    print(f"{len(stepper)} steps of {args.expr}; player written to {path} (open it in a browser)")
    return 0


def _data_set(name: str, n_samples: int, noise: float, seed: int) -> tuple[Any, Any, int]:
    """(X, y, number of classes) of a built-in data set."""
    import nn

    if name == "moons":
        X, y = nn.data.make_moons(n_samples, noise=noise, seed=seed)
    elif name == "circles":
        X, y = nn.data.make_circles(n_samples, noise=noise, seed=seed)
    elif name == "xor":
        X, y = nn.data.make_xor(n_samples, noise=noise, seed=seed)
    elif name == "spirals":
        X, y = nn.data.make_spirals(n_samples, noise=noise, n_classes=3, seed=seed)
    else:
        X, y = nn.data.make_blobs(n_samples, noise=1.0 + 10 * noise, seed=seed, centers=3)
    return X, y, len(set(y))


OPTIMIZERS = ("sgd", "momentum", "adagrad", "rmsprop", "adam", "adamw")
DATA_SETS = ("moons", "circles", "blobs", "spirals", "xor")
DEFAULT_LR = {
    "sgd": 0.1,
    "momentum": 0.05,
    "adagrad": 0.1,
    "rmsprop": 0.01,
    "adam": 0.01,
    "adamw": 0.01,
}


def _optimizer(name: str, params: Any, lr: float) -> Any:
    from nn import optim

    if name == "sgd":
        return optim.SGD(params, lr=lr)
    if name == "momentum":
        return optim.SGD(params, lr=lr, momentum=0.9)
    if name == "adagrad":
        return optim.Adagrad(params, lr=lr)
    if name == "rmsprop":
        return optim.RMSprop(params, lr=lr)
    if name == "adam":
        return optim.Adam(params, lr=lr)
    return optim.AdamW(params, lr=lr)


def _test_rows(samples: int, fraction: float) -> int:
    """Rows that ``nn.data.train_test_split`` puts in the test set (0: no split)."""
    return math.ceil(fraction * samples) if fraction > 0 else 0


def _check_training_options(args: argparse.Namespace) -> None:
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


def _fit(args: argparse.Namespace, *, X: Any, y: Any, model: Any, **options: Any) -> Any:
    """``nn.fit`` with what the settings provoke turned into one-line errors.

    A value that overflows means training diverged (RunFailedError, exit status 1); any other
    ValueError or ArithmeticError from ``nn`` is a setting it refuses (UsageError, exit
    status 2). Other exceptions (TypeError, AttributeError, ...) are bugs and propagate.
    """
    import nn

    # BatchNorm1d cannot train on a batch of one row: when the shuffled rows would leave
    # exactly one for the last batch, skip it (a different row each epoch). --batch-size
    # 1 is refused and there are at least 2 training rows, so no epoch is left empty.
    one_row_last = len(X) > args.batch_size and len(X) % args.batch_size == 1
    try:
        return nn.fit(
            model,
            X,
            y,
            batch_size=args.batch_size,
            drop_last=args.batchnorm and one_row_last,
            **options,
        )
    except OverflowError as error:  # its message lists the huge operands: not worth a line
        raise RunFailedError(_diverged(args, "a value overflowed a float")) from error
    except (ValueError, ArithmeticError) as error:
        raise UsageError(f"training failed with these settings: {_one_line(error)}") from error


def _diverged(args: argparse.Namespace, what: str) -> str:
    hint = "try a smaller --lr" if args.command == "train" else "try another --seed"
    return f"training diverged ({what}): {hint}"


def _check_finite(args: argparse.Namespace, history: Any, model: Any) -> None:
    """RunFailedError if training ended with a loss or weight that is nan or inf."""
    last = {"loss": history.loss[-1]}
    if history.val_loss:
        last["test loss"] = history.val_loss[-1]
    for name, value in last.items():
        if not math.isfinite(value):
            raise RunFailedError(_diverged(args, f"{name} {value}"))
    if not all(math.isfinite(p.data) for p in model.parameters()):
        raise RunFailedError(_diverged(args, "a weight is nan or inf"))


def _train_and_plot(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    """Train as the arguments say and write the plots; return what the summary needs."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no window, no display needed
    import nn
    import viz

    try:
        X, y, n_classes = _data_set(args.data, args.samples, args.noise, args.seed)
        if args.test_fraction > 0:
            X_train, X_test, y_train, y_test = nn.data.train_test_split(
                X, y, test_size=args.test_fraction, seed=args.seed
            )
        else:  # no test set: train on every row, report no test accuracy
            X_train, X_test, y_train, y_test = X, [], y, []
    except (ValueError, ArithmeticError) as error:
        raise UsageError(f"cannot make the data with these settings: {_one_line(error)}") from error
    outputs = 1 if n_classes == 2 else n_classes
    model = nn.MLP(
        2,
        [*args.hidden, outputs],
        activation=args.activation,
        batchnorm=args.batchnorm,
        seed=args.seed,
    )
    loss = nn.binary_cross_entropy_with_logits if outputs == 1 else nn.cross_entropy
    lr = args.lr if args.lr is not None else DEFAULT_LR[args.optimizer]
    optimizer = _optimizer(args.optimizer, model.parameters(), lr)
    rows = f"{len(X_train)} train / {len(X_test)} test rows" if X_test else f"{len(X_train)} rows"
    print(
        f"training {model.__class__.__name__}(2, {[*args.hidden, outputs]}, "
        f"activation={args.activation!r}, batchnorm={args.batchnorm}) on {args.data} "
        f"({rows}) with {args.optimizer}, lr={lr:g}"
    )
    history = _fit(
        args,
        X=X_train,
        y=y_train,
        model=model,
        loss=loss,
        optimizer=optimizer,
        epochs=args.epochs,
        seed=args.seed,
        validation_data=(X_test, y_test) if X_test else None,
        progress=not args.no_progress,
    )
    if args.verbose:
        for epoch in range(len(history.loss)):
            line = f"epoch {epoch + 1:3d}  loss {history.loss[epoch]:.4f}"
            line += f"  accuracy {history.accuracy[epoch]:.3f}"
            if history.val_loss:
                line += f"  test loss {history.val_loss[epoch]:.4f}"
                line += f"  test accuracy {history.val_accuracy[epoch]:.3f}"
            print(line)
    _check_finite(args, history, model)
    files = {
        "loss curve": folder / "loss.png",
        "decision boundary": folder / "decision_boundary.png",
        "gradient flow": folder / "gradient_flow.png",
    }
    figures = {
        "loss curve": viz.plot_history(history, title=f"{args.data}: loss and accuracy"),
        "decision boundary": viz.plot_decision_boundary(model, X, y),
        "gradient flow": viz.plot_gradient_flow({args.activation: history}),
    }
    for key, figure in figures.items():
        _write(files[key], figure.savefig)
    return {"model": model, "history": history, "files": files, "X": X}


def _neuron_graph(model: Any, row: Sequence[float], path: Path) -> Path:
    """The graph of the first layer's neuron 0 on one input row, after backward()."""
    import autograd
    import viz
    from nn import Linear

    layer = model[0]
    assert isinstance(layer, Linear)
    inputs = [autograd.Value(x, label=f"x[{i}]") for i, x in enumerate(row)]
    assert layer.bias is not None
    z = autograd.dot(layer.weight[0], inputs, layer.bias[0])
    z.label = "z"
    out = z.relu()
    out.label = "relu(z)"
    model.zero_grad()
    out.backward()
    svg = viz.render_svg(out, title="neuron 0 of layer 0 on one input row")
    model.zero_grad()
    return _write(path, lambda p: p.write_text(svg, encoding="utf-8"))


def _player(path: Path) -> Path:
    import viz
    from viz.parsing import parse_formula

    out = parse_formula(DEMO_FORMULA, DEMO_VARIABLES)
    out.label = "out"
    stepper = viz.BackpropStepper(out, include_forward=True)
    return _write(path, lambda p: stepper.to_html(p, title=DEMO_FORMULA))


def _summary(result: dict[str, Any], extra: dict[str, Path]) -> None:
    history = result["history"]
    print()
    print(f"final training accuracy: {history.accuracy[-1]:.1%}", end="")
    if history.val_accuracy:
        print(f", test accuracy: {history.val_accuracy[-1]:.1%}")
    else:
        print()
    for name, path in {**result["files"], **extra}.items():
        print(f"  {name:<18} {path}")


def run_demo(args: argparse.Namespace) -> int:
    """Train an MLP with batch normalization on two moons and write what it learned."""
    folder = _output_folder(args.out)
    args.data, args.samples, args.noise, args.test_fraction = "moons", 200, 0.1, 0.25
    args.hidden, args.activation, args.batchnorm = [16, 16], "relu", True
    args.optimizer, args.lr, args.batch_size, args.verbose = "adam", 0.02, 30, False
    result = _train_and_plot(args, folder)
    extra = {
        "neuron graph": _neuron_graph(result["model"], result["X"][0], folder / "neuron.svg"),
        "backprop player": _player(folder / "backprop.html"),
    }
    _summary(result, extra)
    return 0


def run_train(args: argparse.Namespace) -> int:
    """Train an MLP as the options say; print metrics per epoch and write the plots."""
    _check_training_options(args)
    folder = _output_folder(args.out)
    result = _train_and_plot(args, folder)
    extra: dict[str, Path] = {}
    if args.save:
        import nn

        target = Path(args.save)
        extra["checkpoint"] = _write(target, lambda p: nn.save(result["model"], p))
    _summary(result, extra)
    return 0


# -- the parser ----------------------------------------------------------------------------


def _add_formula_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("expr", metavar="EXPR", help='a formula, e.g. "tanh(x*w + b)"')
    parser.add_argument(
        "--var",
        metavar="NAME=VALUE",
        type=_variable,
        action="append",
        default=[],
        help="a variable's value (repeat for each variable)",
    )


def _add_training_arguments(parser: argparse.ArgumentParser, *, epochs: int) -> None:
    parser.add_argument(
        "--out", default="gradstep-out", help="output folder (default: %(default)s)"
    )
    parser.add_argument(
        "--epochs", type=_positive_int, default=epochs, help="(default: %(default)s)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: %(default)s)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="gradstep",
        description="See how neural networks learn, one gradient at a time.",
        epilog="Run 'gradstep COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"gradstep {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    demo = commands.add_parser("demo", help="the main demo: train on moons, write plots and graphs")
    demo.description = run_demo.__doc__
    _add_training_arguments(demo, epochs=60)

    graph = commands.add_parser("graph", help="draw a formula's computation graph as SVG")
    graph.description = run_graph.__doc__
    _add_formula_arguments(graph)
    graph.add_argument("-o", "--output", default="graph.svg", help="SVG file, or - for stdout")
    graph.add_argument("--rankdir", choices=("LR", "TB", "RL", "BT"), default="LR")

    step = commands.add_parser("step", help="write the step-through backprop player of a formula")
    step.description = run_step.__doc__
    _add_formula_arguments(step)
    step.add_argument("-o", "--output", default="backprop.html", help="HTML file to write")
    step.add_argument("--forward", action="store_true", help="show the forward pass first")
    step.add_argument("--trace", action="store_true", help="also print every step as text")

    train = commands.add_parser("train", help="train an MLP on a built-in data set")
    train.description = run_train.__doc__
    train.epilog = (
        "Exit status: 0 when done; 1 when training diverged (the loss or a weight became "
        "nan or inf; no plots or checkpoint are written); 2 on bad input."
    )
    _add_training_arguments(train, epochs=50)
    train.add_argument("--data", choices=DATA_SETS, default="moons", help="(default: %(default)s)")
    train.add_argument(
        "--samples",
        type=_samples,
        default=200,
        help=f"rows of data, at least {MIN_SAMPLES} (default: %(default)s)",
    )
    train.add_argument(
        "--noise",
        type=_noise,
        default=0.1,
        help=f"std of the noise added to the points, 0 to {MAX_NOISE:g} (default: %(default)s)",
    )
    train.add_argument(
        "--test-fraction",
        type=_fraction,
        default=0.25,
        help="share of rows held out to test, in [0, 1); 0 trains on every row and reports "
        "no test accuracy (default: %(default)s)",
    )
    train.add_argument("--hidden", type=_widths, default=[16, 16], help="hidden widths, e.g. 16,16")
    train.add_argument(
        "--activation", choices=("relu", "tanh", "sigmoid", "leaky_relu"), default="relu"
    )
    train.add_argument(
        "--batchnorm",
        action="store_true",
        help="BatchNorm1d after each hidden layer (needs --batch-size 2 or more; a last "
        "batch of one row is skipped each epoch)",
    )
    train.add_argument("--optimizer", choices=OPTIMIZERS, default="adam")
    train.add_argument(
        "--lr",
        type=_learning_rate,
        default=None,
        help="learning rate, positive and finite (default: per optimizer, e.g. 0.01 for "
        "adam); a run whose loss ends nan or inf fails with exit status 1",
    )
    train.add_argument(
        "--batch-size", type=_positive_int, default=32, help="(default: %(default)s)"
    )
    train.add_argument("--save", metavar="PATH", help="write a JSON checkpoint of the model")
    train.add_argument("--quiet", dest="verbose", action="store_false", help="no per-epoch lines")
    return parser


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "demo": run_demo,
    "graph": run_graph,
    "step": run_step,
    "train": run_train,
}


def main(argv: Sequence[str] | None = None) -> int:
    from viz.graph import GraphvizNotFoundError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except UsageError as error:
        print(f"gradstep {args.command}: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except RunFailedError as error:  # valid input, but training diverged: exit status 1
        print(f"gradstep {args.command}: {error}", file=sys.stderr)
        return EXIT_RUN_FAILED
    except GraphvizNotFoundError as error:  # the environment, not the input: exit status 1
        print(f"gradstep {args.command}: {_one_line(error)}", file=sys.stderr)
        return EXIT_RUN_FAILED


if __name__ == "__main__":
    sys.exit(main())
