"""Draw every picture in notebooks/images/ again, from the code as it is now (`make images`).

The README shows these pictures; drawing them from the same few lines it shows keeps
them from drifting away from what viz draws. Each picture is made by one function
below, named after its file:

* ``graph-neuron.png``: the README's first example, ``viz.draw_graph(y)`` after
  ``y.backward()``;
* ``player.png``: that example's step-through backprop player at its last step, as
  headless Chromium shows it (through Playwright);
* ``graph-mlp-neurons.png``: a 2-4-4-1 MLP's loss on a batch of 4 rows, drawn with
  ``params=model, collapse="neuron"``.

PNG bytes differ between Graphviz and Chromium versions, so nothing compares the files;
a test runs this script into a temporary folder and checks that it writes each one.

Usage: ``python .ci/images.py [--out DIR] [NAME ...]`` (default: every picture, into
notebooks/images/). Needs Graphviz's ``dot``, and for player.png Playwright with a
Chromium ($GRADSTEP_CHROMIUM, a chromium on PATH, or Playwright's own).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import nn
import viz
from autograd import Value

ROOT = Path(__file__).resolve().parents[1]
DPI = "110"
"""Resolution of the Graphviz pictures: sharp on a README, not megabytes."""


def neuron() -> Value:
    """The README's first example, after backward()."""
    x = Value(2.0, label="x")
    w = Value(-3.0, label="w")
    b = Value(6.5, label="b")
    xw = x * w
    xw.label = "x*w"
    z = xw + b
    z.label = "z"
    y = z.tanh()
    y.label = "y"
    y.backward()
    return y


def graph_neuron(path: Path) -> None:
    drawing = viz.draw_graph(neuron(), title="y = tanh(x*w + b) after y.backward()")
    drawing.attr(dpi=DPI)
    path.write_bytes(drawing.png())


def graph_mlp_neurons(path: Path) -> None:
    model = nn.MLP(2, [4, 4, 1], activation="tanh", seed=0)
    rng = random.Random(1)
    # Labelled inputs, so that the picture names them x[row, column].
    X = [
        [Value(round(rng.uniform(-2, 2), 2), label=f"x[{r},{c}]") for c in range(2)]
        for r in range(4)
    ]
    y = [rng.choice([-1.0, 1.0]) for _ in range(4)]
    loss = nn.mse_loss(model(X), y)
    loss.label = "loss"
    loss.backward()
    drawing = viz.draw_graph(
        loss, params=model, collapse="neuron", title="2-4-4-1 MLP on 4 rows, collapse='neuron'"
    )
    drawing.attr(dpi=DPI)
    path.write_bytes(drawing.png())


def chromium_executable() -> str | None:
    """$GRADSTEP_CHROMIUM, a Chromium or Chrome on PATH, or None (Playwright's own)."""
    configured = os.environ.get("GRADSTEP_CHROMIUM")
    if configured:
        return configured
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def player(path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        page_file = viz.BackpropStepper(neuron()).to_html(
            Path(folder) / "player.html", title="y = tanh(x*w + b)"
        )
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_executable(),
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
                headless=True,
            )
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 820})
                page.goto(page_file.as_uri())
                player = page.locator("#gs-player")
                player.locator(".gs-last").click()  # the step with the most to show
                page.locator(".gs-counter", has_text="step 4 / 4").wait_for()
                player.screenshot(path=str(path))
            finally:
                browser.close()


PICTURES: dict[str, Callable[[Path], None]] = {
    "graph-neuron.png": graph_neuron,
    "player.png": player,
    "graph-mlp-neurons.png": graph_mlp_neurons,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=ROOT / "notebooks" / "images", help="the folder to write to"
    )
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help=f"pictures to draw (default: all): {', '.join(PICTURES)}",
    )
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in PICTURES]
    if unknown:
        parser.error(f"no picture named {', '.join(unknown)}; there are {', '.join(PICTURES)}")
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.names or PICTURES:
        path = args.out / name
        PICTURES[name](path)
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
