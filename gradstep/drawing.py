"""``gradstep graph`` and ``gradstep step``: a formula's graph, and its backward pass in steps."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from gradstep.errors import UsageError, one_line, shown
from gradstep.files import STDOUT, check_stdout, output_path, write_atomic, write_stdout
from gradstep.formula import FormulaError, formula_variables, normalize_name, parse_formula

if TYPE_CHECKING:
    from autograd import Value

GRAPH_SUFFIXES = (".svg", ".png", ".pdf")
"""What ``graph -o`` writes, by suffix (Graphviz renders each); ``-`` is SVG on stdout."""

STEP_SUFFIXES = (".html",)
"""What ``step -o`` writes: one self-contained HTML page; ``-`` writes it to stdout."""


def formula_output(text: str, pairs: Sequence[tuple[str, float]]) -> Value:
    """Build the formula ``text`` with the ``--var`` values and backpropagate through it.

    Names are compared as Python compares identifiers (:func:`normalize_name`): ``--var
    ｘ=1`` gives the formula's ``x`` its value. A name given twice (``--var x=1 --var
    x=2``, or ``x`` and ``ｘ``) is refused rather than letting one value silently win.

    Raises:
        UsageError: for a malformed formula, a variable without a value or with two, or
            a math error (log of a negative number, an overflow...).
    """
    values: dict[str, float] = {}
    typed: dict[str, str] = {}
    for name, value in pairs:
        key = normalize_name(name)
        if key in values:
            raise UsageError(
                f"--var {shown(typed[key])} is given twice ({shown(typed[key], quote=False)}="
                f"{values[key]:g} and {shown(name, quote=False)}={value:g}): give each "
                "variable one value"
            )
        values[key], typed[key] = value, name
    try:
        missing = [name for name in formula_variables(text) if name not in values]
        if missing:
            names = ", ".join(shown(name, quote=False) for name in missing)
            given = " ".join(f"--var {shown(name, quote=False)}=VALUE" for name in missing)
            raise UsageError(f"no value for {names} (give {given})")
        out = parse_formula(text, values)
        out.backward()
    except FormulaError as error:
        raise UsageError(f"in {shown(text)}: {error}") from None
    except ArithmeticError as error:
        raise UsageError(f"in {shown(text)}: {one_line(error)}") from None
    out.label = out.label or "out"
    return out


def run_graph(args: argparse.Namespace) -> int:
    """Draw a formula's computation graph after backward(), as SVG, PNG or PDF."""
    import viz

    to_stdout = args.output == STDOUT
    if to_stdout:
        check_stdout("-o")
        path = None
    else:
        path = output_path(args.output, suffixes=GRAPH_SUFFIXES, option="-o")
    out = formula_output(args.expr, args.var)
    drawing = viz.draw_graph(out, rankdir=args.rankdir, title=args.expr)
    if path is None:
        write_stdout(drawing.pipe(format="svg"))
        return 0
    picture = drawing.pipe(format=path.suffix.lower()[1:])
    write_atomic(path, lambda temp: temp.write_bytes(picture))
    written = shown(args.output, limit=None, quote=False)
    print(f"{shown(args.expr, quote=False)} = {out.data:.6g}; graph written to {written}")
    return 0


def run_step(args: argparse.Namespace) -> int:
    """Write the step-through backprop player of a formula: one HTML file, for any browser."""
    import viz

    to_stdout = args.output == STDOUT
    if to_stdout:
        check_stdout("-o")
        path = None
    else:
        path = output_path(args.output, suffixes=STEP_SUFFIXES, option="-o")
    out = formula_output(args.expr, args.var)
    stepper = viz.BackpropStepper(out, include_forward=args.forward)
    if args.trace:
        # On stdout with the page itself, the trace would corrupt it: it goes to stderr.
        print(stepper.trace(), file=sys.stderr if to_stdout else sys.stdout)
    if path is None:
        write_stdout(stepper.html(title=args.expr).encode("utf-8"))
        return 0
    write_atomic(path, lambda temp: stepper.to_html(temp, title=args.expr))
    written = shown(args.output, limit=None, quote=False)
    print(f"{len(stepper)} steps of {shown(args.expr, quote=False)}; player written to {written}")
    return 0


def write_player(path: Path, out: Value, title: str) -> Path:
    """Write the backprop player of ``out`` (forward steps included) to ``path``, atomically."""
    import viz

    stepper = viz.BackpropStepper(out, include_forward=True)
    return write_atomic(path, lambda temp: stepper.to_html(temp, title=title))
