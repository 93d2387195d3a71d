"""Turning formula text such as ``"tanh(x*w + b)"`` into a graph of Values, safely.

The text is parsed with Python's :mod:`ast` and then *interpreted* node by node
against a whitelist: numbers, variable names, ``+ - * / **``, unary minus and plus,
and calls of the functions that :func:`functions` lists: every op of the registry
(:data:`autograd.ops.REGISTRY`) written as a call, ``tanh(x)`` or ``bce(p, y)``, so an
op added there is known here too. Nothing is ever passed to ``eval``
or ``exec``, so ``__import__('os')``, attribute access, subscripts, lambdas and the
like are rejected with a :class:`FormulaError` that says what is not allowed.

This is how the ``gradstep graph`` and ``gradstep step`` commands read their formula.

Example:
    >>> from gradstep.formula import parse_formula
    >>> y = parse_formula("tanh(x*w + b)", {"x": 2.0, "w": -3.0, "b": 6.5})
    >>> round(y.data, 4), y.op
    (0.4621, 'tanh')
"""

from __future__ import annotations

import ast
import math
import unicodedata
from collections.abc import Callable, Mapping

import nn  # noqa: F401 - registers nn's ops (bce), which formulas may call
from autograd import Constant, Value, apply, ops
from gradstep.errors import one_line, shown
from gradstep.limits import ECHO_LIMIT, MAX_FORMULA_LENGTH, MAX_FORMULA_PARTS

MAX_LENGTH = MAX_FORMULA_LENGTH
"""Longest formula accepted, in characters (keeps the parser's own recursion shallow)."""

MAX_NODES = MAX_FORMULA_PARTS
"""Most syntax nodes accepted: a formula is for drawing, and drawings stay readable."""


def functions() -> dict[str, ops.Op]:
    """The functions a formula may call, by name: the registry's ops with ``function = True``.

    Example:
        >>> sorted(functions())[:4]
        ['abs', 'bce', 'cos', 'exp']
    """
    return {op.name: op for op in ops.REGISTRY.values() if op.function}


_BINARY: dict[type[ast.operator], Callable[[Value, Value | float], Value]] = {
    ast.Add: Value.__add__,
    ast.Sub: Value.__sub__,
    ast.Mult: Value.__mul__,
    ast.Div: Value.__truediv__,
    ast.Pow: Value.__pow__,
}


class FormulaError(ValueError):
    """A formula that cannot be parsed or evaluated; the message says why, in one line."""


def _describe(node: ast.AST) -> str:
    """A short name for a syntax element, for error messages."""
    names = {
        ast.Attribute: "attribute access (a.b)",
        ast.Subscript: "indexing (a[i])",
        ast.Lambda: "lambda",
        ast.Compare: "comparison",
        ast.BoolOp: "and/or",
        ast.IfExp: "if/else",
        ast.List: "a list",
        ast.Tuple: "a tuple",
        ast.Dict: "a dict",
        ast.Set: "a set",
        ast.JoinedStr: "an f-string",
        ast.NamedExpr: "assignment (:=)",
        ast.Starred: "unpacking (*)",
        ast.ListComp: "a comprehension",
        ast.GeneratorExp: "a comprehension",
        ast.Await: "await",
    }
    for kind, text in names.items():
        if isinstance(node, kind):
            return text
    if isinstance(node, ast.BinOp):
        return f"the operator {type(node.op).__name__}"
    if isinstance(node, ast.UnaryOp):
        return f"the unary operator {type(node.op).__name__}"
    return type(node).__name__


def formula_variables(text: str) -> list[str]:
    """The variable names a formula uses, in order of first appearance.

    Raises:
        FormulaError: if the text is not a valid formula.
    """
    tree = _parse(text)
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    names = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in called]
    known = functions()
    seen: list[str] = []
    for node in sorted(names, key=lambda n: n.col_offset):  # ast.walk is breadth-first
        if node.id not in known and node.id not in seen:
            seen.append(node.id)
    return seen


def normalize_name(name: str) -> str:
    """A variable's name as Python reads it: in Unicode's NFKC form.

    Python reads every identifier in a formula this way (PEP 3131), so ``ｘ`` (a
    full-width x) is ``x`` and an ``é`` typed as ``e`` plus a combining accent is the
    single character ``é``. The names given with the values go through the same
    normalisation, so that they meet the formula's, however they were typed.

    Example:
        >>> normalize_name("ｘ"), normalize_name("e\u0301") == "\u00e9"
        ('x', True)
    """
    return unicodedata.normalize("NFKC", name)


def _unreadable(text: str) -> str | None:
    """Why ``text`` cannot even be given to the parser, or None if it can."""
    for column, char in enumerate(text, start=1):
        if char == "\0":
            return f"the formula contains a NUL character at column {column}"
        if "\ud800" <= char <= "\udfff":
            # What Python makes of a byte that is not valid UTF-8 on the command line.
            return (
                f"the formula is not valid text: {shown(char, quote=False)} at column "
                f"{column} is not a character (a byte that is not valid UTF-8?)"
            )
    return None


def _parse(text: str) -> ast.Expression:
    if not isinstance(text, str):
        raise FormulaError(f"a formula must be text, got {type(text).__name__}")
    if not text.strip():
        raise FormulaError("the formula is empty")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"the formula is {len(text)} characters long; the limit is {MAX_LENGTH}")
    problem = _unreadable(text)
    if problem is not None:  # ast.parse would raise ValueError (or UnicodeEncodeError)
        raise FormulaError(problem)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        where = f" at column {error.offset}" if error.offset else ""
        raise FormulaError(f"syntax error{where}: {' '.join(error.msg.split())}") from None
    except (RecursionError, MemoryError):
        raise FormulaError("the formula is nested too deeply") from None
    except ValueError as error:  # any other text the parser refuses to read at all
        raise FormulaError(f"the formula cannot be read: {one_line(error)}") from None
    count = sum(1 for _ in ast.walk(tree))
    if count > MAX_NODES:
        raise FormulaError(f"the formula has {count} parts; the limit is {MAX_NODES}")
    return tree


def parse_formula(text: str, variables: Mapping[str, float | Value]) -> Value:
    """Build the graph of ``text`` with the given variable values; return its output.

    Args:
        text: e.g. ``"tanh(x*w + b)"`` or ``"x**2 + 3*x"``.
        variables: a value for every variable the formula uses. Numbers become
            leaf Values labelled with the variable's name; Values are used as given.
            Names are compared as Python compares identifiers, after
            :func:`normalize_name`: ``{"ｘ": 1.0}`` gives ``x`` its value.

    Raises:
        FormulaError: for a syntax error, anything outside the whitelist, an unknown
            function, a missing variable, or a math error (log of a negative number,
            overflow...), with a one-line message.
    """
    tree = _parse(text)
    known = functions()
    leaves: dict[str, Value] = {}
    given: dict[str, str] = {}
    for key, value in variables.items():
        name = normalize_name(key)
        if name in known:
            raise FormulaError(f"{shown(name)} is a function and cannot be a variable")
        if name in given:
            raise FormulaError(
                f"the variables {shown(given[name])} and {shown(key)} are the same name "
                f"{shown(name)} to Python: give it one value"
            )
        given[name] = key
        leaves[name] = value if isinstance(value, Value) else Value(value, label=name)
    try:
        result = _evaluate(tree.body, leaves, known)
        return result if isinstance(result, Value) else Constant(result)
    except (ArithmeticError, ValueError) as error:
        if isinstance(error, FormulaError):
            raise
        raise FormulaError(f"{type(error).__name__}: {error}") from None


def _evaluate(node: ast.expr, leaves: dict[str, Value], known: dict[str, ops.Op]) -> Value | float:
    """Interpret one syntax node; recursion depth is bounded by MAX_NODES.

    Numbers stay plain floats until they meet a Value, so ``x ** 2`` is a power with a
    constant exponent (defined for negative x too) and ``-2`` is a number, not an op.
    """
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            constant = shown(repr(node.value), quote=False)
            raise FormulaError(f"only numbers are allowed as constants, not {constant}")
        try:
            number = float(node.value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise FormulaError(
                f"the number {shown(str(node.value), quote=False)} is too large for a float"
            )
        return number
    if isinstance(node, ast.Name):
        if node.id in leaves:
            return leaves[node.id]
        name = shown(node.id)
        if node.id in known:
            raise FormulaError(f"{name} is a function: call it, e.g. {node.id}(x)")
        raise FormulaError(
            f"the variable {name} has no value (give one with --var {node.id}=VALUE)"
            if len(node.id) <= ECHO_LIMIT
            else f"the variable {name} has no value"
        )
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left = _evaluate(node.left, leaves, known)
        right = _evaluate(node.right, leaves, known)
        if not isinstance(left, Value):
            left = Constant(left)
        return _BINARY[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _evaluate(node.operand, leaves, known)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name):
            raise FormulaError(f"only plain function calls are allowed, not {_describe(node.func)}")
        name = node.func.id
        op = known.get(name)
        if op is None:
            raise FormulaError(
                f"unknown function {shown(name)} (known functions: {', '.join(sorted(known))})"
            )
        if node.keywords or not op.accepts(len(node.args)):
            wanted = (
                f"{op.arity} argument{'s' if op.arity != 1 else ''}" if op.arity else "arguments"
            )
            raise FormulaError(f"{name}() takes {wanted}, got {len(node.args)}")
        return apply(op, [_evaluate(arg, leaves, known) for arg in node.args])
    raise FormulaError(f"{_describe(node)} is not allowed in a formula")
