"""Without Graphviz's `dot` on PATH: one clear error that says how to install it.

Run for real in a child Python whose PATH has no `dot` (no mocking of graphviz).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import json
from autograd import Value
import viz

x = Value(2.0, label="x")
y = (x * 3).tanh()
report = {"source_ok": "digraph" in viz.draw_graph(y).source}
dot = viz.draw_graph(y)
attempts = {
    "render_svg": lambda: viz.render_svg(y),
    "svg": dot.svg,
    "render": lambda: dot.render(format="png", outfile="never.png"),
    "jupyter": dot._repr_image_svg_xml,
    "player": lambda: viz.BackpropStepper(y).player_html(),
}
for name, attempt in attempts.items():
    try:
        attempt()
    except viz.GraphvizNotFoundError as error:
        report[name] = {
            "message": str(error),
            "runtime_error": isinstance(error, RuntimeError),
            "bare": error.__cause__ is None and error.__suppress_context__,
        }
    else:
        report[name] = "no error"
print(json.dumps(report))
"""


def test_rendering_without_dot_raises_one_error_with_install_hints(tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    result = subprocess.run(
        [sys.executable, "-c", CHILD],
        env={"PATH": str(empty), "HOME": str(tmp_path), "MPLCONFIGDIR": str(tmp_path)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    assert report.pop("source_ok") is True
    assert set(report) == {"render_svg", "svg", "render", "jupyter", "player"}
    for name, outcome in report.items():
        assert isinstance(outcome, dict), (name, outcome)
        assert outcome["runtime_error"] and outcome["bare"], name
        message = outcome["message"]
        assert "sudo apt-get install graphviz" in message, name
        assert "brew install graphviz" in message
        assert "conda install -c conda-forge graphviz" in message
        assert "https://graphviz.org/download/" in message
