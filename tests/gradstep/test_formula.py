"""gradstep.formula: formula text to a graph of Values, with a whitelist and one-line errors."""

from __future__ import annotations

import math

import pytest
from hypothesis import given

from autograd import Constant, Value, grad
from autograd.testing import scalars
from gradstep.formula import FormulaError, formula_variables, functions, parse_formula


@given(scalars(-3, 3), scalars(-3, 3), scalars(-3, 3))
def test_formula_matches_the_same_expression_written_in_python(
    x: float, w: float, b: float
) -> None:
    out = parse_formula("tanh(x*w + b) - x**2 / 4 + sigmoid(-w)", {"x": x, "w": w, "b": b})
    expected = math.tanh(x * w + b) - x**2 / 4 + 1 / (1 + math.exp(w))
    assert out.data == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_variables_become_labelled_leaves_and_numbers_constants() -> None:
    out = parse_formula("x * 3", {"x": 2.0})
    x, three = out.children
    assert (x.label, x.data) == ("x", 2.0)
    assert isinstance(three, Constant) and three.data == 3.0
    (gx,) = grad(out, [x])
    assert gx.data == 3.0


def test_given_values_are_used_as_they_are() -> None:
    x = Value(1.5, label="mine")
    out = parse_formula("x*x", {"x": x})
    assert out.children == (x, x)


def test_constant_exponent_works_for_negative_bases() -> None:
    assert parse_formula("x**2", {"x": -3.0}).data == 9.0
    assert parse_formula("-2", {}).data == -2.0


def test_the_functions_are_the_registrys_ops_called_by_name() -> None:
    assert set(functions()) == {
        "tanh", "sigmoid", "relu", "leaky_relu", "softplus", "exp", "log", "sqrt", "abs",
        "sin", "cos", "logsumexp", "bce",
    }  # fmt: skip


@pytest.mark.parametrize("name", sorted(set(functions()) - {"bce", "logsumexp"}))
def test_every_function_of_one_argument_can_be_called(name: str) -> None:
    out = parse_formula(f"{name}(x)", {"x": 0.5})
    assert out.data == pytest.approx(getattr(Value(0.5), name)().data)
    assert out.op == name


def test_functions_of_several_arguments() -> None:
    out = parse_formula("bce(sigmoid(z), y) + logsumexp(z, y, 1)", {"z": 0.3, "y": 1.0})
    expected = -math.log(1 / (1 + math.exp(-0.3))) + math.log(
        math.exp(0.3) + math.exp(1.0) + math.exp(1.0)
    )
    assert out.data == pytest.approx(expected, rel=1e-12)
    for text, message in (
        ("bce(x)", r"bce\(\) takes 2 arguments, got 1"),
        ("tanh(x, x)", "takes 1 argument, got 2"),
        ("logsumexp()", "takes arguments, got 0"),
    ):
        with pytest.raises(FormulaError, match=message):
            parse_formula(text, {"x": 0.5})


def test_formula_variables_in_order() -> None:
    assert formula_variables("tanh(w*x + b) * w") == ["w", "x", "b"]


@pytest.mark.parametrize(
    ("text", "variables", "message"),
    [
        ("__import__('os')", {}, "unknown function '__import__'"),
        ("x.__class__", {"x": 1.0}, "attribute access"),
        ("x[0]", {"x": 1.0}, "indexing"),
        ("(lambda: 1)()", {}, "only plain function calls"),
        ("lambda: 1", {}, "lambda"),
        ("x if x else 1", {"x": 1.0}, "if/else"),
        ("x < 1", {"x": 1.0}, "comparison"),
        ("'text'", {}, "only numbers"),
        ("x // 2", {"x": 1.0}, "FloorDiv"),
        ("x +", {}, "syntax error"),
        ("", {}, "empty"),
        ("y * 2", {}, "'y' has no value"),
        ("tanh", {}, "is a function"),
        ("tanh(x, x)", {"x": 1.0}, "takes 1 argument, got 2"),
        ("2 ** 10000", {}, "OverflowError"),
        ("10 ** 10 ** 10", {}, "OverflowError"),
        ("1e400", {}, "too large"),
        ("log(x)", {"x": -1.0}, r"log\(-1.0\)"),
        ("x / 0", {"x": 1.0}, "ZeroDivisionError"),
        ("x" * 3000, {}, "limit is 2000"),
        ("+".join(["x"] * 300), {"x": 1.0}, "limit is 400"),
        ("(" * 500 + "x" + ")" * 500, {"x": 1.0}, "nested too deeply|syntax error|limit"),
        ("x", {"tanh": 1.0}, "is a function and cannot be a variable"),
        ("x\0", {"x": 1.0}, "NUL character at column 2"),  # was a ValueError
        ("x\udcff", {"x": 1.0}, r"\\xff at column 2 is not a character"),  # was a UnicodeError
        ("x", {"x": 1.0, "ｘ": 2.0}, "'x' and 'ｘ' are the same name 'x' to Python"),
        ("q" * 1500, {}, r"the variable 'q{80}'… \(1500 characters\) has no value$"),
    ],
)
def test_bad_formulas_give_one_line_errors(
    text: str, variables: dict[str, float], message: str
) -> None:
    with pytest.raises(FormulaError, match=message) as info:
        parse_formula(text, variables)
    assert "\n" not in str(info.value)


def test_formula_variables_skip_called_functions() -> None:
    assert formula_variables("f(x) + tanh(y) + g") == ["x", "y", "g"]


def test_variable_names_are_read_as_python_reads_the_formulas() -> None:
    """Python reads the formula's identifiers in NFKC form; the names given with the
    values are read the same way, so each spelling meets the other."""
    out = parse_formula("ｘ * 2 + e\u0301", {"x": 1.5, "\u00e9": 1.0})
    assert out.data == 4.0
    out = parse_formula("x * 2", {"ｘ": 1.5})
    assert out.data == 3.0 and out.children[0].label == "x"
    assert formula_variables("ｘ + ﬁ") == ["x", "fi"]
