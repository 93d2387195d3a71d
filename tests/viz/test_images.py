"""`make images` (.ci/images.py) draws every picture of notebooks/images/ again.

The pictures themselves are not compared: PNG bytes change with the Graphviz and
Chromium versions. What is checked is that the script runs and writes each file, a PNG
of a sensible size, and that it refuses a name it does not know.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".ci" / "images.py"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    # This checkout's code, whichever checkout the virtual environment was installed from.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=180,
        check=False,
    )


def png_size(path: Path) -> tuple[int, int]:
    """Width and height of a PNG, read from its header (and proof that it is one)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.slow
@pytest.mark.browser
def test_the_script_writes_every_picture_the_readme_shows(tmp_path: Path) -> None:
    result = run("--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    written = sorted(p.name for p in tmp_path.iterdir())
    shown = (ROOT / "README.md").read_text(encoding="utf-8")
    in_readme = sorted(
        name for name in written if f"notebooks/images/{name}" in shown
    )  # every picture drawn is one the README shows...
    assert written == in_readme == ["graph-mlp-neurons.png", "graph-neuron.png", "player.png"]
    committed = sorted(p.name for p in (ROOT / "notebooks" / "images").glob("*.png"))
    assert set(written) <= set(committed)  # ...and each is committed
    for name in written:
        width, height = png_size(tmp_path / name)
        assert 400 < width < 4000 and 200 < height < 3000, (name, width, height)
        assert f"wrote {tmp_path / name}" in result.stdout


def test_an_unknown_picture_is_refused_by_name(tmp_path: Path) -> None:
    result = run("--out", str(tmp_path), "graph-nothing.png")
    assert result.returncode == 2
    assert "no picture named graph-nothing.png" in result.stderr
    assert "graph-neuron.png" in result.stderr  # the names there are
    assert list(tmp_path.iterdir()) == []
