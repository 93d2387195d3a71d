"""gradcheck and numerical_grad: they pass on right gradients and fail loudly on wrong ones."""

from __future__ import annotations

import math

import pytest

from autograd import GradcheckError, Value, gradcheck, numerical_grad, ops
from autograd.value import apply


def test_numerical_grad_of_a_known_function() -> None:
    slopes = numerical_grad(lambda x, y: x * x * y, [3.0, 2.0])
    assert slopes == pytest.approx([12.0, 9.0], rel=1e-9)


def test_gradcheck_passes_on_a_correct_gradient() -> None:
    assert gradcheck(lambda x, y: (x * y).sigmoid() * x.cos(), [0.4, -1.1])


class WrongSin(ops.Sin):
    def derivatives(self, out: ops.Scalar, *xs: ops.Scalar) -> tuple[ops.Scalar, ...]:
        return (-ops._cos(xs[0]),)  # sign error


def test_gradcheck_names_each_mismatching_input_with_both_values() -> None:
    def f(x: Value, y: Value) -> Value:
        return apply(WrongSin(), [x]) + y * y

    with pytest.raises(GradcheckError) as info:
        gradcheck(f, [0.5, 2.0])
    message = str(info.value)
    assert "1 of 2 inputs" in message
    assert "input 0 (= 0.5)" in message
    assert f"backprop {-math.cos(0.5)!r}" in message
    assert "finite differences 0.87758" in message
    assert "input 1" not in message


def test_tolerances_decide() -> None:
    # d/dx (x * (1 + 1e-4)) with a derivative that ignores the 1e-4: passes only loosely.
    class Sloppy(ops.Mul):
        def derivatives(self, out: ops.Scalar, *xs: ops.Scalar) -> tuple[ops.Scalar, ...]:
            return (1.0, xs[0])

    def f(x: Value) -> Value:
        return apply(Sloppy(), [x, Value(1 + 1e-4)])

    assert gradcheck(f, [1.0], atol=0.0, rtol=1e-3)
    with pytest.raises(GradcheckError):
        gradcheck(f, [1.0], atol=0.0, rtol=1e-5)


def test_gradcheck_accepts_values_and_constant_functions() -> None:
    assert gradcheck(lambda x: x * 2, [Value(3.0)])
    assert gradcheck(lambda x: 5.0, [1.0])  # type: ignore[arg-type, return-value]


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [({"eps": 0.0}, "eps"), ({"atol": -1.0}, "atol"), ({"rtol": -1.0}, "rtol")],
)
def test_gradcheck_rejects_bad_settings(kwargs: dict[str, float], pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        gradcheck(lambda x: x, [1.0], **kwargs)
