"""The ``gradstep`` command-line program."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

from autograd import Value


def _version() -> str:
    try:
        return version("gradstep")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "unknown"


def run_demo() -> int:
    """Forward and backward through one tanh neuron, printed step by step."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    out = n.tanh()
    out.backward()
    print("A neuron: out = tanh(x1*w1 + x2*w2 + b)")
    print(f"  forward:  n = {n.data:.4f}, out = {out.data:.4f}")
    print("  backward: d out / d ...")
    for v in (x1, x2, w1, w2, b):
        print(f"    {v.label:>2} = {v.data:+.4f}   grad = {v.grad:+.4f}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gradstep", description="See how neural networks learn, one gradient at a time."
    )
    parser.add_argument("--version", action="version", version=f"gradstep {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    commands.add_parser("demo", help="run the main demo", description=run_demo.__doc__)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "demo":
        return run_demo()
    raise AssertionError(f"unhandled command {args.command!r}")  # argparse rejects the rest


if __name__ == "__main__":
    sys.exit(main())
