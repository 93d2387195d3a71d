"""Every error in the contract: raised fast, with a message naming the op and the number."""

from __future__ import annotations

import math

import pytest

import autograd
from autograd import Value


@pytest.mark.parametrize(
    ("compute", "error", "pattern"),
    [
        (lambda: Value(-1).log(), ValueError, r"log\(-1\.0\)"),
        (lambda: Value(0).log(), ValueError, r"log\(0\.0\)"),
        (lambda: Value(-1).sqrt(), ValueError, r"sqrt\(-1\.0\)"),
        (lambda: Value(3) / 0, ZeroDivisionError, r"3\.0 / 0\.0"),
        (lambda: 3 / Value(0), ZeroDivisionError, r"3\.0 / 0\.0"),
        (lambda: Value(0) ** -1, ZeroDivisionError, r"0\.0 \*\* -1\.0"),
        (lambda: Value(-8) ** (1 / 3), ValueError, r"-8\.0 \*\* 0\.333"),
        (lambda: Value(-2) ** Value(2), ValueError, r"-2\.0 \*\* 2\.0.*positive base"),
        (lambda: Value(0) ** Value(2), ValueError, r"0\.0 \*\* 2\.0"),
        (lambda: (-2) ** Value(0.5), ValueError, r"-2\.0 \*\* 0\.5"),
    ],
)
def test_domain_errors(compute, error: type[Exception], pattern: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error, match=pattern):
        compute()


@pytest.mark.parametrize(
    ("compute", "pattern"),
    [
        (lambda: Value(1000).exp(), r"exp\(1000\.0\)"),
        (lambda: Value(1e200) * 1e200, r"1e\+200 \* 1e\+200"),
        (lambda: Value(1.7e308) + 1.7e308, r"1\.7e\+308 \+ 1\.7e\+308"),
        (lambda: Value(-1.7e308) - 1.7e308, r"-1\.7e\+308 - 1\.7e\+308"),
        (lambda: Value(1e308) / 1e-10, r"1e\+308 / 1e-10"),
        (lambda: Value(10) ** 400, r"10\.0 \*\* 400\.0"),
        (lambda: Value(10) ** Value(400), r"10\.0 \*\* 400\.0"),
        (lambda: 10 ** Value(400), r"10\.0 \*\* 400\.0"),
        (lambda: autograd.sum([1.7e308, 1.7e308]), r"sum\(1\.7e\+308, 1\.7e\+308\)"),
        (lambda: autograd.dot([1e200], [1e200]), r"dot\(1e\+200, 1e\+200\)"),
    ],
)
def test_overflow_raises_instead_of_returning_inf(compute, pattern: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(OverflowError, match=pattern):
        compute()


@pytest.mark.parametrize("x", [-1000.0, 1000.0, -1e308, 1e308])
@pytest.mark.parametrize("method", ["sigmoid", "tanh", "softplus"])
def test_squashing_functions_never_overflow(method: str, x: float) -> None:
    v = Value(x)
    out = getattr(v, method)()
    assert math.isfinite(out.data)
    out.backward()
    assert math.isfinite(v.grad)


def test_logsumexp_never_overflows() -> None:
    out = autograd.logsumexp([1000.0, -1000.0, 999.0])
    assert out.data == pytest.approx(1000 + math.log1p(math.exp(-1)), rel=1e-15)


def test_infinite_local_derivative_is_reported_during_backward() -> None:
    x = Value(0.0)
    y = x.sqrt()
    with pytest.raises(ZeroDivisionError, match=r"backward through sqrt\(0\.0\)"):
        y.backward()
    z = Value(0.0) ** 0.5
    with pytest.raises(ZeroDivisionError, match=r"backward through 0\.0 \*\* 0\.5"):
        z.backward()


def test_finite_differences_of_domain_errors_are_not_swallowed() -> None:
    with pytest.raises(ValueError, match="log"):
        autograd.gradcheck(lambda x: x.log(), [0.0])


def test_an_overflow_that_cancels_to_nan_is_still_an_overflow() -> None:
    # 1e200*1e200 - 1e200*1e200 is inf - inf = NaN inside one dot node.
    with pytest.raises(OverflowError, match=r"dot\(1e\+200, -1e\+200, 1e\+200, 1e\+200\)"):
        autograd.dot([1e200, -1e200], [1e200, 1e200])


def test_an_infinite_gradient_from_finite_values_is_an_overflow_error() -> None:
    x = Value(1e-200)
    with pytest.raises(OverflowError, match=r"backward through 1\.0 / 1e-200: .* became -inf"):
        (1 / x).backward()  # d(1/x)/dx = -1/x**2 = -1e400
    y = Value(1e-200)
    with pytest.raises(OverflowError, match=r"1e-200 \*\* -1\.0: its local derivative") as info:
        (y**-1).backward()
    assert "34" not in str(info.value)  # no errno in the message
    with pytest.raises(OverflowError, match="gradient to start from is inf"):
        (Value(2.0) * 3).backward(gradient=math.inf)
    z = Value(1e-10)
    with pytest.raises(OverflowError, match="too large for a float"):
        (z * 1e308 + z * 1e308).backward()  # each path is finite, their sum is not


def test_inf_and_nan_data_backpropagate_by_ieee_rules_without_errors() -> None:
    x = Value(math.inf)
    (x * 2).backward()
    assert x.grad == 2.0
    n = Value(math.nan)
    (n * n).backward()
    assert math.isnan(n.grad)


def test_a_failed_backward_keeps_earlier_gradients() -> None:
    q, p = Value(1.0), Value(0.0)
    u = q * 2
    u.backward()
    with pytest.raises(ZeroDivisionError, match="sqrt"):
        (p.sqrt() + u).backward()
    assert u.grad == 2.0  # 1 from the first backward, 1 from the failed one's first step
