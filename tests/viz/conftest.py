"""Shared fixtures for the viz tests: small graphs, an MLP named like nn's, nasty labels.

(The ``browser`` and ``artifacts`` fixtures live in ``tests/conftest.py``.)

Tests are imported with ``--import-mode=importlib``, so they cannot import this file:
everything here reaches them as a fixture (``helpers`` bundles the small functions).
"""

from __future__ import annotations

import itertools
import random
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

import autograd
from autograd import Value

SVG_NS = "{http://www.w3.org/2000/svg}"

NASTY_LABELS = (
    "<img src=x onerror=alert(1)>",
    "</script><script>window.__pwned = 1; alert(2)</script>",
    '"><svg onload=alert(3)>',
    'quote " brace {x} pipe | amp & back\\slash \\N \\G',
    "two\nlines",
    "unicode é λ ∂ 😀 and a control \x01 char",
    "&lt;already escaped&gt; &amp;",
)
"""Labels that must render literally: no markup, no script, well-formed SVG."""


def neuron() -> tuple[Value, dict[str, Value]]:
    """micrograd's neuron: o = tanh(x1*w1 + x2*w2 + b), every value labelled."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    n = x1w1 + x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b, "n": n, "o": o}


def mlp_loss(
    sizes: tuple[int, ...], rows: int, *, seed: int = 0, activation: str = "tanh"
) -> tuple[Value, dict[str, Value]]:
    """An MLP on a batch, with an MSE loss, and its parameters named as nn names them.

    Layer k is a Linear at position 2k of a Sequential (activations in between), so the
    parameters (the second result, in ``named_parameters()`` order) are named
    ``"0.weight[i,j]"``, ``"0.bias[i]"``, ``"2.weight[i,j]"``...; each is labelled as its
    Linear labels it (``"weight[i,j]"``, no path). Each neuron's output is one fused
    ``dot`` node with children (w_i0..w_in, x_0..x_n, b_i).
    """
    rng = random.Random(seed)
    layers = []
    params: dict[str, Value] = {}
    for k, (nin, nout) in enumerate(itertools.pairwise(sizes)):
        weights = [
            [Value(rng.uniform(-1, 1), label=f"weight[{i},{j}]") for j in range(nin)]
            for i in range(nout)
        ]
        biases = [Value(rng.uniform(-0.5, 0.5), label=f"bias[{i}]") for i in range(nout)]
        layers.append((weights, biases))
        params.update((f"{2 * k}.{w.label}", w) for row in weights for w in row)
        params.update((f"{2 * k}.{b.label}", b) for b in biases)
    losses = []
    for r in range(rows):
        xs: list[Value] = [Value(rng.uniform(-2, 2), label=f"x[{r},{c}]") for c in range(sizes[0])]
        for k, (weights, biases) in enumerate(layers):
            xs = [autograd.dot(w, xs, b) for w, b in zip(weights, biases, strict=True)]
            if k < len(layers) - 1:
                xs = [getattr(v, activation)() for v in xs]
        losses.append((xs[0] - rng.choice([-1.0, 1.0])) ** 2)
    loss = autograd.sum(losses) / rows
    loss.label = "loss"
    return loss, params


def parse_svg(svg: str) -> ET.Element:
    """Parse SVG text as XML (fails on anything that is not well-formed)."""
    return ET.fromstring(svg.encode("utf-8"))


def svg_texts(root: ET.Element) -> list[str]:
    """Every <text> of an SVG, in document order."""
    return ["".join(t.itertext()) for t in root.iter(f"{SVG_NS}text")]


class Helpers:
    """The functions above, for tests (see the module docstring)."""

    neuron = staticmethod(neuron)
    mlp_loss = staticmethod(mlp_loss)
    parse_svg = staticmethod(parse_svg)
    svg_texts = staticmethod(svg_texts)
    nasty_labels = NASTY_LABELS
    svg_ns = SVG_NS


@pytest.fixture
def helpers() -> type[Helpers]:
    return Helpers


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test that takes ``nasty_label`` runs once for each of NASTY_LABELS."""
    if "nasty_label" in metafunc.fixturenames:
        metafunc.parametrize(
            "nasty_label", NASTY_LABELS, ids=[f"label{i}" for i in range(len(NASTY_LABELS))]
        )


# -- a page of the headless browser (the ``browser`` fixture of tests/conftest.py) --------


@dataclass
class Watch:
    """Everything a page does that a browser test wants to see none of (or check)."""

    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


@pytest.fixture
def page(browser: Any) -> Iterator[tuple[Any, Watch]]:
    """A fresh page and the :class:`Watch` of its console errors, dialogs and requests."""
    context = browser.new_context(viewport={"width": 1400, "height": 820})
    page = context.new_page()
    watch = Watch()
    page.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: watch.errors.append(str(e)))

    def on_dialog(dialog: Any) -> None:
        watch.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("request", lambda r: watch.requests.append(r.url))
    yield page, watch
    context.close()
