"""The ``gradstep`` command-line program.

Subcommands:

* ``gradstep demo``: the main job. Trains an MLP with batch normalization on the
  built-in two-moons data (no downloads) and writes its plots, one neuron's
  computation graph and a backprop player into an output folder.
* ``gradstep graph EXPR --var x=2 ...``: draw any scalar formula after backward().
* ``gradstep step EXPR --var x=2 ...``: the step-through backprop player of a formula.
* ``gradstep train ...``: train an MLP with your choice of data, layers, activation,
  batch normalization and optimizer; print per-epoch metrics and write the plots.

Bad input (a malformed formula, an unknown option, an output folder that cannot be
written) ends with one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, NoReturn

EXIT_BAD_INPUT = 2
EXIT_ENVIRONMENT = 1

DEMO_FORMULA = "tanh(x1*w1 + x2*w2 + b)"
DEMO_VARIABLES = {"x1": 2.0, "w1": -3.0, "x2": 0.0, "w2": 1.0, "b": 6.8813735870195432}


class UsageError(Exception):
    """Bad input from the user: reported in one line, exit status 2."""


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


def _variable(text: str) -> tuple[str, float]:
    name, sep, number = text.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier():
        raise argparse.ArgumentTypeError(f"expected NAME=NUMBER, got {text!r}")
    try:
        value = float(number)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{name}: {number!r} is not a number") from None
    return name, value


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {n}")
    return n


def _positive_float(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not x > 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {text}")
    return x


def _fraction(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
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


def _train_and_plot(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    """Train as the arguments say and write the plots; return what the summary needs."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no window, no display needed
    import nn
    import viz

    X, y, n_classes = _data_set(args.data, args.samples, args.noise, args.seed)
    X_train, X_test, y_train, y_test = nn.data.train_test_split(
        X, y, test_size=args.test_fraction, seed=args.seed
    )
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
    print(
        f"training {model.__class__.__name__}(2, {[*args.hidden, outputs]}, "
        f"activation={args.activation!r}, batchnorm={args.batchnorm}) on {args.data} "
        f"({len(X_train)} train / {len(X_test)} test rows) with {args.optimizer}, lr={lr:g}"
    )
    history = nn.fit(
        model,
        X_train,
        y_train,
        loss=loss,
        optimizer=optimizer,
        epochs=args.epochs,
        batch_size=args.batch_size,
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
    _add_training_arguments(train, epochs=50)
    train.add_argument("--data", choices=DATA_SETS, default="moons", help="(default: %(default)s)")
    train.add_argument("--samples", type=_positive_int, default=200, help="(default: %(default)s)")
    train.add_argument("--noise", type=float, default=0.1, help="(default: %(default)s)")
    train.add_argument(
        "--test-fraction", type=_fraction, default=0.25, help="(default: %(default)s)"
    )
    train.add_argument("--hidden", type=_widths, default=[16, 16], help="hidden widths, e.g. 16,16")
    train.add_argument(
        "--activation", choices=("relu", "tanh", "sigmoid", "leaky_relu"), default="relu"
    )
    train.add_argument(
        "--batchnorm", action="store_true", help="BatchNorm1d after each hidden layer"
    )
    train.add_argument("--optimizer", choices=OPTIMIZERS, default="adam")
    train.add_argument("--lr", type=_positive_float, default=None, help="learning rate")
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
    except GraphvizNotFoundError as error:  # the environment, not the input: exit status 1
        print(f"gradstep {args.command}: {' '.join(str(error).split())}", file=sys.stderr)
        return EXIT_ENVIRONMENT


if __name__ == "__main__":
    sys.exit(main())
