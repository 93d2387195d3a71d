"""The README's Python examples run, in order, as a newcomer would paste them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks() -> list[str]:
    blocks = re.findall(r"^```python\n(.*?)^```", README.read_text(encoding="utf-8"), re.S | re.M)
    # The PyTorch example needs torch, which gradstep does not depend on.
    return [block for block in blocks if "import torch" not in block]


def test_readme_has_examples() -> None:
    assert len(python_blocks()) >= 8


def test_readme_examples_run_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the examples write neuron.svg, moons.json...
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace: dict[str, object] = {"__name__": "readme"}
    for i, block in enumerate(python_blocks()):
        try:
            exec(compile(block, f"README.md python block {i + 1}", "exec"), namespace)
        except Exception as error:  # pragma: no cover - the message is the point
            pytest.fail(f"README python block {i + 1} failed: {error!r}\n{block}")
    assert (tmp_path / "neuron.svg").read_text().startswith("<?xml")
    assert (tmp_path / "backprop.html").exists()
    assert (tmp_path / "moons.json").exists()


def test_the_formula_functions_listed_are_the_registrys() -> None:
    from gradstep.formula import functions

    text = README.read_text(encoding="utf-8")
    listed = re.search(r"functions of the op registry: `([a-z_ ]+)`", " ".join(text.split()))
    assert listed is not None
    assert listed[1].split() == sorted(functions())
