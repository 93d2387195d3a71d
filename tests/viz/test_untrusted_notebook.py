"""What a notebook that is not trusted shows of a player and a graph, in real JupyterLab.

JupyterLab does not trust a notebook it did not run itself (a teacher's executed copy, a
downloaded one): it drops the scripts, styles and inline SVG of its HTML outputs and
shows no SVG outputs. This starts JupyterLab on a free port (token auth, everything in a
temporary folder, so no notebook is trusted), opens a notebook whose outputs are saved
but not signed, and checks in headless Chromium that each output shows its fallback (a
picture and one line saying how to see more), not a wall of leftover SVG text or
``<viz.graph.GraphDrawing at 0x...>``.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

import nn
import viz
from autograd import Value

pytestmark = [pytest.mark.browser, pytest.mark.slow]

START_TIMEOUT = 60.0
"""Seconds JupyterLab may take to answer (about 5 on a quiet 2-core machine)."""

TALLEST_OUTPUT = 900
"""Pixels: a fallback is one picture and one line; the stripped player was 3,500 px."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def neuron() -> Value:
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.5, label="b")
    xw = x * w
    xw.label = "x*w"
    z = xw + b
    z.label = "z"
    y = z.tanh()
    y.label = "y"
    y.backward()
    return y


def training_player() -> viz.TrainingPlayer:
    X, y = nn.data.make_moons(40, noise=0.1, seed=0)
    model = nn.MLP(2, [4, 1], seed=0)
    history = nn.fit(
        model,
        X,
        y,
        loss=nn.binary_cross_entropy_with_logits,
        optimizer=nn.optim.Adam(model.parameters(), lr=0.05),
        epochs=3,
        batch_size=20,
        seed=0,
        progress=False,
        record=True,
    )
    return viz.TrainingPlayer(history)


def saved_notebook(path: Path) -> None:
    """A notebook with the outputs of a backprop player, a graph and a training player
    saved in it, as a run leaves them (the same mimebundles Jupyter stores), and no
    signature: not trusted."""
    y = neuron()
    cells = [
        nbformat.v4.new_code_cell(
            "viz.BackpropStepper(y)",
            outputs=[
                nbformat.v4.new_output(
                    "display_data", data=viz.BackpropStepper(y)._repr_mimebundle_()
                )
            ],
        ),
        nbformat.v4.new_code_cell(
            "viz.draw_graph(y)",
            outputs=[
                nbformat.v4.new_output("display_data", data=viz.draw_graph(y)._repr_mimebundle_())
            ],
        ),
        nbformat.v4.new_code_cell(
            "viz.TrainingPlayer(history)",
            outputs=[
                nbformat.v4.new_output("display_data", data=training_player()._repr_mimebundle_())
            ],
        ),
    ]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(notebook, str(path))


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A JupyterLab server on a free port, serving a temporary folder; its URL with the
    token. Killed (its whole process group) however the tests end."""
    home = tmp_path_factory.mktemp("lab")
    saved_notebook(home / "untrusted.ipynb")
    port, token = free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        # Fresh Jupyter folders: no signature database that could trust the notebook.
        "JUPYTER_CONFIG_DIR": str(home / ".config"),
        "JUPYTER_DATA_DIR": str(home / ".data"),
        "JUPYTER_RUNTIME_DIR": str(home / ".runtime"),
        "IPYTHONDIR": str(home / ".ipython"),
        "JUPYTER_PLATFORM_DIRS": "1",
    }
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--port-retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={home}",
        "--ServerApp.allow_root=True",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    log = (home / "server.log").open("wb")
    server = subprocess.Popen(
        command, cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if server.poll() is not None:
                pytest.fail(f"JupyterLab exited: {(home / 'server.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                    break
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not answer within {START_TIMEOUT:.0f} s")
                time.sleep(0.3)
        yield f"{url}/lab/tree/untrusted.ipynb?token={token}"
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def outputs(lab: str, browser: Any) -> Iterator[Any]:
    """The notebook open in JupyterLab: its output areas (player, graph, training player)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(lab)
    areas = page.locator(".jp-Cell-outputArea")
    areas.nth(1).locator("img").wait_for(timeout=30_000)
    areas.nth(2).locator(".gt-player").wait_for(timeout=30_000)
    yield areas
    context.close()


def test_an_untrusted_player_shows_step_one_and_how_to_play_it(outputs: Any) -> None:
    player = outputs.nth(0)
    assert player.locator(".gs-player").count() == 1  # the HTML output, sanitized
    picture = player.locator(".gs-fallback img")
    picture.wait_for()
    assert picture.is_visible()
    box = picture.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 150  # a real image
    assert picture.evaluate("(img) => img.complete && img.naturalWidth > 0")
    hint = player.locator(".gs-fallback p")
    assert hint.is_visible() and "jupyter trust" in hint.inner_text()
    assert "backprop player of y: 4 steps" in hint.inner_text()
    # No script ran (so the buttons would be dead), and none of the player is shown...
    assert player.locator(".gs-live").is_hidden()
    assert player.locator(".gs-player").locator("script, style, svg").count() == 0
    # ...in particular no leftover text of its drawing or stacked step panels.
    shown = player.inner_text()
    assert "0.7864" not in shown and "local derivative" not in shown, shown
    assert len(shown) < 400, shown
    height = player.bounding_box()["height"]
    assert height < TALLEST_OUTPUT, height


def test_an_untrusted_graph_shows_a_picture_not_its_python_repr(outputs: Any) -> None:
    graph = outputs.nth(1)
    picture = graph.locator("img")
    assert picture.count() == 1 and picture.is_visible()
    assert (picture.get_attribute("src") or "").startswith("data:image/png")
    assert picture.evaluate("(img) => img.complete && img.naturalWidth > 300")
    shown = graph.inner_text()
    assert "GraphDrawing" not in shown and "0x" not in shown, shown
    assert graph.bounding_box()["height"] < TALLEST_OUTPUT


def test_an_untrusted_training_player_says_how_to_play_it(outputs: Any) -> None:
    player = outputs.nth(2)
    hint = player.locator(".gt-fallback")
    assert hint.is_visible()
    assert "training player: 1 run, 4 frames" in hint.inner_text()
    assert "jupyter trust" in hint.inner_text()
    assert player.locator(".gt-player").locator("script, style").count() == 0
    shown = player.inner_text()
    assert len(shown) < 400, shown
    assert player.bounding_box()["height"] < TALLEST_OUTPUT
