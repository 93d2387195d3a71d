"""Comparing nested lists of floats, with messages that say where they differ.

(A helper for the nn tests, imported by path; not a test file itself.)
"""

from __future__ import annotations

import math
from typing import Any


def mismatches(actual: Any, expected: Any, rel: float, abs_: float, path: str = "") -> list[str]:
    """Every place where ``actual`` and ``expected`` (numbers or nested lists) differ.

    Numbers agree when ``|a - e| <= abs_ + rel * |e|`` (both NaN also agrees); lists
    must have the same length.
    """
    if isinstance(expected, (list, tuple)):
        if not isinstance(actual, (list, tuple)) or len(actual) != len(expected):
            return [f"{path or 'value'}: expected a list of {len(expected)}, got {actual!r:.80}"]
        out: list[str] = []
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            out += mismatches(a, e, rel, abs_, f"{path}[{i}]")
        return out
    a, e = float(actual), float(expected)
    if math.isnan(e) and math.isnan(a):
        return []
    if abs(a - e) <= abs_ + rel * abs(e):
        return []
    error = abs(a - e) / max(abs(e), 1e-300)
    return [f"{path or 'value'}: expected {e!r}, got {a!r} (relative error {error:.2e})"]


def assert_close(
    actual: Any, expected: Any, rel: float = 1e-9, abs_: float = 0.0, what: str = ""
) -> None:
    """Raise AssertionError listing the first mismatches between two nested lists of floats."""
    bad = mismatches(actual, expected, rel, abs_)
    if bad:
        shown = "\n  ".join(bad[:5])
        more = f"\n  ... and {len(bad) - 5} more" if len(bad) > 5 else ""
        raise AssertionError(
            f"{what}: {len(bad)} mismatches (rel={rel}, abs={abs_}):\n  {shown}{more}"
        )


def module_gradcheck(
    module: Any, rows: list[list[float]], eps: float = 1e-6, atol: float = 1e-6, rtol: float = 1e-4
) -> None:
    """Check backprop through ``module`` against central differences, for every parameter
    and every input, on the loss sum_k c_k * output_k with fixed coefficients c_k.

    (autograd.gradcheck takes a function of fresh Values; a module's parameters are its
    own Values, so this sets their ``.data`` instead and reuses numerical_grad.)
    """
    import autograd
    from autograd import Value

    params = module.parameters()
    n_params, width = len(params), len(rows[0])
    saved = [p.data for p in params]

    def loss(outputs: Any) -> Any:
        flat = [v for row in outputs for v in row]
        return autograd.dot(flat, [0.5 + 0.37 * k for k in range(len(flat))])

    inputs = [[Value(v) for v in row] for row in rows]
    module.zero_grad()
    loss(module(inputs)).backward()
    analytic = [p.grad for p in params] + [v.grad for row in inputs for v in row]

    def f(*values: Any) -> Any:
        for p, v in zip(params, values[:n_params], strict=True):
            p.data = v.data
        xs = list(values[n_params:])
        return loss(module([xs[i : i + width] for i in range(0, len(xs), width)]))

    point = saved + [v for row in rows for v in row]
    numerical = autograd.numerical_grad(f, point, eps)
    for p, v in zip(params, saved, strict=True):
        p.data = v
    bad = [
        f"  input {i}: backprop {a!r}, finite differences {n!r}"
        for i, (a, n) in enumerate(zip(analytic, numerical, strict=True))
        if not abs(a - n) <= atol + rtol * abs(n)
    ]
    if bad:
        raise AssertionError("gradient mismatch:\n" + "\n".join(bad))
