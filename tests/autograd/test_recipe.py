"""The recipe for a new op, in autograd/ops.py's docstring, followed to the letter.

A throwaway op, ``atan``, is written, registered and given its one-line Value method,
and nothing else: the formula parser of the command, the step-through player, gradcheck,
the random expressions of ``autograd.testing`` and the test suite's own table check
must all find it. Then the refusals: an op missing a piece is refused when registered,
naming the op and the piece.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import find, settings
from op_tables import missing_references

import viz
from autograd import Value, gradcheck, ops
from autograd.testing import expressions
from autograd.value import record
from gradstep.formula import parse_formula


class Atan(ops.UnaryOp):
    """atan(x); d/dx = 1 / (1 + x²)."""

    name = "atan"
    arguments = ("x",)
    expression = "atan(x)"
    derivative_text = ("1 / (1 + x²)",)
    function = True

    def forward(self, x: float) -> float:
        return math.atan(x)

    def derivatives(self, out: Any, x: Any) -> tuple[Any, ...]:
        return (1.0 / (1.0 + x * x),)


@pytest.fixture
def atan() -> Iterator[ops.Op]:
    """Steps 1 to 3 of the recipe; undone afterwards."""
    op = ops.register(Atan())  # steps 1 and 2
    Value.atan = lambda self: record(op, (self,))  # type: ignore[attr-defined]  # step 3
    try:
        yield op
    finally:
        del ops.REGISTRY["atan"]
        del Value.atan  # type: ignore[attr-defined]


def test_a_new_op_is_found_everywhere_the_registry_reaches(atan: ops.Op) -> None:
    y = parse_formula("atan(x) * 2", {"x": 0.5})  # the command's formulas
    assert y.children[0].op == "atan" and y.data == pytest.approx(2 * math.atan(0.5))

    x = Value(0.5, label="x")
    out = x.atan()  # type: ignore[attr-defined]
    out.label = "out"
    (_, step) = viz.BackpropStepper(out)  # the step-through player's text
    assert step.contributions[0].formula == "d atan(x)/dx = 1 / (1 + x²)"
    assert step.contributions[0].local == pytest.approx(1 / 1.25)

    assert gradcheck(lambda v: v.atan(), [0.3])  # numerical gradient check

    drawn = find(  # autograd.testing's random expressions draw it
        expressions(variables=("x",)),
        lambda e: any(s.op is atan for s in e.steps),
        settings=settings(database=None, max_examples=2000),
    )
    assert any(s.op is atan for s in drawn.steps)


def test_the_test_suite_asks_for_the_new_ops_references(atan: ops.Op) -> None:
    assert missing_references() == ["atan"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"forward": None}, "op Broken has no forward() method"),
        ({"derivatives": None}, "op Broken has no derivatives() method"),
        ({"name": ""}, "op Broken has no name"),
        ({"expression": ""}, "op Broken has no formula text for 1 argument"),
        ({"derivative_text": ()}, "op Broken has no formula text for 1 argument"),
        ({"name": "tanh"}, "op Broken: the key 'tanh' is taken"),
    ],
)
def test_an_op_missing_a_piece_is_refused_when_registered(
    change: dict[str, Any], message: str
) -> None:
    attributes = {
        "name": "broken",
        "arguments": ("x",),
        "expression": "broken(x)",
        "derivative_text": ("1",),
        "function": True,
        "forward": lambda self, x: x,
        "derivatives": lambda self, out, x: (1.0,),
    }
    attributes.update(change)
    attributes = {k: v for k, v in attributes.items() if v is not None}
    broken = type("Broken", (ops.UnaryOp,), attributes)()
    with pytest.raises((TypeError, ValueError), match=re.escape(message)):
        ops.register(broken)
    assert "broken" not in ops.REGISTRY


def test_a_function_name_taken_by_another_op_is_refused() -> None:
    class MyTanh(Atan):
        name = "tanh"

    with pytest.raises(ValueError, match="op MyTanh: the name 'tanh' is taken by Tanh"):
        ops.register(MyTanh(), key="my_tanh")
    with pytest.raises(TypeError, match="register\\(\\) takes an Op instance, got type"):
        ops.register(Atan)  # type: ignore[arg-type]
