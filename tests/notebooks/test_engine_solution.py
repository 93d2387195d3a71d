"""The reference solution of notebook 02 (``notebooks/solutions/engine.py``) is right."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from solutions.engine import Value

from autograd.testing import check_engine

ENGINE = Path(__file__).resolve().parents[2] / "notebooks" / "solutions" / "engine.py"


def test_the_reference_engine_agrees_with_gradstep() -> None:
    report = check_engine(Value, seed=0)
    assert {"x + y", "x * y", "2 + x", "2 * x", "x ** 2", "x ** 0.5", "tanh(x)", "exp(x)"} <= set(
        report.ops
    )
    assert {"x - y", "x / y", "2 - x", "2 / x", "-x"} <= set(report.ops)  # composed ones
    assert {form for form, _ in report.not_checked} == {"relu(x)", "sigmoid(x)"}


def test_the_reference_engine_is_about_fifty_lines() -> None:
    """The notebook promises a class of about 50 lines (code, not comments or docstrings)."""
    lines = ENGINE.read_text(encoding="utf-8").split("class Value:")[1].split("if __name__")[0]
    code = [
        line
        for line in lines.splitlines()
        if line.strip() and not line.strip().startswith(("#", '"""'))
    ]
    assert 45 <= len(code) <= 80, len(code)


def test_running_the_file_prints_the_report() -> None:
    result = subprocess.run(
        [sys.executable, str(ENGINE)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "check_engine: Value agrees with gradstep" in result.stdout
