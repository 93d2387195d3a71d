"""Benchmark micrograd's demo step through ``nn``: against micrograd and against plain floats.

The step (micrograd's demo notebook): an MLP 2-16-16-1 with relu, 100 two-moons
samples, loss = mean hinge loss + 1e-4 * L2 of all parameters, backward, an SGD update,
then the graph is freed. It runs three ways, in one process, interleaved (each round
runs all three, rotating which goes first):

* **nn**: ``nn.MLP(2, [16, 16, 1])`` (fused Linear: one dot node per neuron),
  ``nn.hinge_loss``, ``nn.optim.SGD``;
* **micrograd**: karpathy's ``micrograd.nn.MLP`` and the demo's loss, as written;
* **floats**: ``bench/float_mlp.py``, the same arithmetic as hand-optimised
  pure-Python loops with no graph, the floor for any pure-Python engine.

All three start from the same weights, so they compute the same losses (checked
every round). Each phase is timed on its own: forward (building the loss), backward
(zeroing the gradients and backpropagating), update (SGD), and free (dropping the
graph and ``gc.collect()``, which is part of the work: micrograd's graphs are
reference cycles that only the collector frees, and collecting keeps one engine's
garbage off another's clock). The collector stays on; ``gc.freeze()`` after set-up
moves the models, the data and the imported modules out of its way, as in
``bench/micrograd_demo.py``.

Run: ``.venv/bin/python bench/nn_bench.py`` (``--rounds N``, ``--quick``).
"""

from __future__ import annotations

import argparse
import gc
import itertools
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import engines
from float_mlp import FloatMLP

import autograd
import nn

try:
    from micrograd import nn as micrograd_nn
    from micrograd.engine import Value as MicrogradValue
except ImportError:  # pragma: no cover - reported to the user below
    micrograd_nn = None

ALPHA = 1e-4
LR = 0.05
PHASES = ("forward", "backward", "update", "free")

Timings = tuple[float, float, float, float]
Step = Callable[[], tuple[float, Timings]]


def nn_step(model: nn.MLP, xs: list[list[float]], ys: list[float]) -> Step:
    """micrograd's demo step through nn: returns (loss, phase timings)."""
    params = model.parameters()
    optimizer = nn.optim.SGD(params, lr=LR)

    def step() -> tuple[float, Timings]:
        t0 = time.perf_counter()
        loss = nn.hinge_loss(model(xs), ys) + ALPHA * autograd.dot(params, params)
        t1 = time.perf_counter()
        optimizer.zero_grad()
        loss.backward()
        t2 = time.perf_counter()
        optimizer.step()
        t3 = time.perf_counter()
        value = loss.data
        del loss
        gc.collect()
        t4 = time.perf_counter()
        return value, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)

    return step


def micrograd_step(model: Any, xs: list[list[float]], ys: list[float]) -> Step:
    """The demo notebook's step, with micrograd's own MLP and Value."""
    params = model.parameters()

    def step() -> tuple[float, Timings]:
        t0 = time.perf_counter()
        inputs = [list(map(MicrogradValue, row)) for row in xs]
        scores = list(map(model, inputs))
        losses = [(1 + -y * s).relu() for y, s in zip(ys, scores, strict=True)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = ALPHA * sum(p * p for p in params)
        loss = data_loss + reg_loss
        t1 = time.perf_counter()
        model.zero_grad()
        loss.backward()
        t2 = time.perf_counter()
        for p in params:
            p.data -= LR * p.grad
        t3 = time.perf_counter()
        value = loss.data
        del loss, inputs, scores, losses, data_loss, reg_loss
        gc.collect()
        t4 = time.perf_counter()
        return value, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)

    return step


def float_step(model: FloatMLP, xs: list[list[float]], ys: list[float]) -> Step:
    """The same step as hand-written float loops."""

    def step() -> tuple[float, Timings]:
        t0 = time.perf_counter()
        loss, cache = model.forward(xs, ys, ALPHA)
        t1 = time.perf_counter()
        grads = model.backward(cache)
        t2 = time.perf_counter()
        model.sgd(*grads, LR)
        t3 = time.perf_counter()
        del cache, grads
        gc.collect()
        t4 = time.perf_counter()
        return loss, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)

    return step


def copy_into_micrograd(model: Any, state: dict[str, Any]) -> None:
    """Give micrograd's MLP the weights of an nn.MLP (layers 0, 2, 4 of the Sequential)."""
    for layer, k in zip(model.layers, (0, 2, 4), strict=True):
        for i, neuron in enumerate(layer.neurons):
            for w, v in zip(neuron.w, state[f"{k}.weight"][i], strict=True):
                w.data = v
            neuron.b.data = state[f"{k}.bias"][i]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=11, help="rounds (default 11)")
    parser.add_argument("--quick", action="store_true", help="3 rounds, for a smoke test")
    args = parser.parse_args()
    rounds = 3 if args.quick else args.rounds

    xs, labels = engines.moons(100)
    ys = [float(y) for y in labels]  # -1.0 / +1.0
    model = nn.MLP(2, [16, 16, 1], seed=0)
    state = model.state_dict()
    steps: dict[str, Step] = {"nn": nn_step(model, xs, ys)}
    if micrograd_nn is not None:
        random.seed(1337)
        theirs = micrograd_nn.MLP(2, [16, 16, 1])
        copy_into_micrograd(theirs, state)
        steps["micrograd"] = micrograd_step(theirs, xs, ys)
    else:
        print("micrograd is not installed (pip install micrograd==0.1.0): skipping it\n")
    floats = FloatMLP(
        [state["0.weight"], state["2.weight"], state["4.weight"]],
        [state["0.bias"], state["2.bias"], state["4.bias"]],
    )
    steps["floats"] = float_step(floats, xs, ys)

    names = list(steps)
    times: dict[str, list[Timings]] = {name: [] for name in names}
    worst = 0.0
    gc.collect()
    gc.freeze()  # set-up done: models, data and modules are not the collector's work
    for r in range(rounds + 1):  # round 0 warms up and is not counted
        order = names[r % len(names) :] + names[: r % len(names)]
        losses = {}
        for name in order:
            losses[name], timing = steps[name]()
            if r:
                times[name].append(timing)
        for a, b in itertools.combinations(losses.values(), 2):
            worst = max(worst, abs(a - b) / abs(b))

    print(f"Python {sys.version.split()[0]}, {rounds} rounds, interleaved; milliseconds, medians\n")
    print("| engine | forward | backward | update | free | total |")
    print("|---|---|---|---|---|---|")
    totals = {name: [sum(t) for t in times[name]] for name in names}
    for name in names:
        phases = [statistics.median(t[i] for t in times[name]) * 1e3 for i in range(4)]
        cells = " | ".join(f"{p:.2f}" for p in phases)
        print(f"| {name} | {cells} | {statistics.median(totals[name]) * 1e3:.2f} |")
    print()

    def ratio(a: str, b: str) -> float:
        return statistics.median(x / y for x, y in zip(totals[a], totals[b], strict=True))

    if "micrograd" in totals:
        speedup = ratio("micrograd", "nn")
        print(f"micrograd / nn, total step (median of per-round ratios): {speedup:.1f}x")
    print(f"nn / floats, total step (median of per-round ratios): {ratio('nn', 'floats'):.2f}x")
    no_free = {name: [sum(t[:3]) for t in times[name]] for name in names}
    ratio_no_free = statistics.median(
        x / y for x, y in zip(no_free["nn"], no_free["floats"], strict=True)
    )
    print(f"nn / floats, forward + backward + update only: {ratio_no_free:.2f}x")
    print(f"largest relative difference between the engines' losses: {worst:.1e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
