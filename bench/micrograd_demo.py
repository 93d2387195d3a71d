"""micrograd's demo step, run on micrograd's Values and on gradstep's, as the issue describes.

The protocol, so that anyone can measure the same thing:

* the model is **micrograd's own** ``micrograd.nn.MLP(2, [16, 16, 1])`` (imported, not
  rewritten): each neuron computes ``act = sum((wi*xi for wi, xi in zip(self.w, x)),
  self.b)`` and a relu on hidden layers. For gradstep, the same model object is copied
  and every parameter replaced by a gradstep ``Value`` with the same number, so both
  engines run micrograd's code line for line;
* the step is the demo notebook's: inputs ``list(map(Value, row))``, scores, the hinge
  loss ``(1 + -yi*scorei).relu()``, ``data_loss = sum(losses) * (1.0 / len(losses))``,
  ``reg_loss = alpha * sum((p*p for p in model.parameters()))`` with ``alpha = 1e-4``,
  the accuracy, ``model.zero_grad()``, ``total_loss.backward()`` and the SGD update
  ``p.data -= learning_rate * p.grad``;
* 100 two-moons points (noise 0.1) with labels -1/+1, as plain Python floats and ints;
* the cyclic garbage collector stays on; ``gc.freeze()`` after set-up moves the models,
  data and modules out of its way; each timed step ends by dropping the graph and
  ``gc.collect()``, so freeing the graph (micrograd's are reference cycles) is counted;
* the engines alternate, round after round (which goes first alternates too); reported:
  the median time of each and the median of the per-round ratios.

Run: ``.venv/bin/python bench/micrograd_demo.py [--rounds 21]`` (needs
``pip install micrograd==0.1.0``, which ``make bench`` does).
"""

from __future__ import annotations

import argparse
import copy
import gc
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import micrograd.nn
from micrograd.engine import Value as MicrogradValue

import autograd
import nn


def moons(n: int = 100, seed: int = 1) -> tuple[list[list[float]], list[int]]:
    """Two moons with noise 0.1 and labels -1/+1 (the demo uses scikit-learn's; same shape)."""
    X, y = nn.data.make_moons(n, noise=0.1, seed=seed)
    return X, [2 * label - 1 for label in y]


def with_values(model: Any, value: Callable[[float], Any]) -> Any:
    """A copy of micrograd's ``model`` whose parameters are ``value(number)``."""
    twin = copy.deepcopy(model)
    for layer in twin.layers:
        for neuron in layer.neurons:
            neuron.w = [value(w.data) for w in neuron.w]
            neuron.b = value(neuron.b.data)
    return twin


def demo_loss(model: Any, value: Callable[[float], Any], X: list[list[float]], y: list[int]) -> Any:
    """The demo notebook's loss, line for line (without its optional mini-batching)."""
    inputs = [list(map(value, xrow)) for xrow in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores, strict=True)]
    data_loss = sum(losses) * (1.0 / len(losses))
    alpha = 1e-4
    reg_loss = alpha * sum(p * p for p in model.parameters())
    total_loss = data_loss + reg_loss
    accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores, strict=True)]
    return total_loss, sum(accuracy) / len(accuracy)


def demo_step(model: Any, value: Callable[[float], Any], X: Any, y: Any, k: int) -> float:
    """One optimisation step of the demo: forward, zero_grad, backward, SGD update."""
    total_loss, _ = demo_loss(model, value, X, y)
    model.zero_grad()
    total_loss.backward()
    learning_rate = 1.0 - 0.9 * k / 100
    for p in model.parameters():
        p.data -= learning_rate * p.grad
    return float(total_loss.data)


def timed(step: Callable[[], float]) -> tuple[float, float]:
    """Seconds for ``step()`` plus freeing its graph (it is dropped on return) and a collection."""
    start = time.perf_counter()
    loss = step()
    gc.collect()
    return time.perf_counter() - start, loss


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=11, help="rounds (default 11)")
    args = parser.parse_args()

    random.seed(1337)
    theirs = micrograd.nn.MLP(2, [16, 16, 1])
    ours = with_values(theirs, autograd.Value)
    X, y = moons()
    gc.collect()
    gc.freeze()  # set-up done: the models, data and modules are not the collector's work

    ours_times: list[float] = []
    their_times: list[float] = []
    for k in range(args.rounds):
        runs = [
            (ours_times, lambda k=k: demo_step(ours, autograd.Value, X, y, k)),
            (their_times, lambda k=k: demo_step(theirs, MicrogradValue, X, y, k)),
        ]
        losses = []
        for times, step in runs if k % 2 == 0 else runs[::-1]:
            seconds, loss = timed(step)
            times.append(seconds)
            losses.append(loss)
        assert abs(losses[0] - losses[1]) <= 1e-9 * abs(losses[0]), losses  # same numbers
    ratio = statistics.median(t / o for o, t in zip(ours_times, their_times, strict=True))
    print(
        f"micrograd demo step (MLP 2-16-16-1, 100 moons, binary ops), {args.rounds} rounds: "
        f"gradstep {statistics.median(ours_times) * 1e3:.1f} ms, "
        f"micrograd {statistics.median(their_times) * 1e3:.1f} ms, ratio {ratio:.1f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
