"""The workloads of the benchmark, written once and run on either engine.

Every function takes the engine's ``Value`` class, so gradstep and karpathy's
micrograd execute exactly the same Python: the only difference is the engine.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from typing import Any

ValueClass = Callable[[float], Any]


def moons(n: int = 100, seed: int = 1) -> tuple[list[list[float]], list[int]]:
    """A small two-moons data set (labels +-1), as in micrograd's demo notebook."""
    import math

    rng = random.Random(seed)
    xs, ys = [], []
    for i in range(n):
        t = math.pi * rng.random()
        if i % 2:
            x, y = math.cos(t), math.sin(t)
        else:
            x, y = 1 - math.cos(t), 0.5 - math.sin(t)
        xs.append([x + rng.gauss(0, 0.1), y + rng.gauss(0, 0.1)])
        ys.append(1 if i % 2 else -1)
    return xs, ys


class BinaryMLP:
    """An MLP written with binary ``+``, ``*`` and ``relu`` only, as micrograd's nn does."""

    def __init__(self, value: ValueClass, sizes: list[int], seed: int = 0) -> None:
        rng = random.Random(seed)
        self.layers = []
        for i, (nin, nout) in enumerate(itertools.pairwise(sizes)):
            neurons = [
                ([value(rng.uniform(-1, 1)) for _ in range(nin)], value(0.0)) for _ in range(nout)
            ]
            self.layers.append((neurons, i < len(sizes) - 2))

    def parameters(self) -> list[Any]:
        return [p for neurons, _ in self.layers for w, b in neurons for p in [*w, b]]

    def __call__(self, x: list[Any]) -> Any:
        for neurons, nonlinear in self.layers:
            out = []
            for w, b in neurons:
                act = b
                for wi, xi in zip(w, x, strict=True):
                    act = act + wi * xi
                out.append(act.relu() if nonlinear else act)
            x = out
        return x[0]


def hinge_loss(value: ValueClass, model: BinaryMLP, xs: list[list[float]], ys: list[int]) -> Any:
    """micrograd's demo loss: mean max-margin loss + 1e-4 * L2, with binary ops only."""
    inputs = [[value(v) for v in row] for row in xs]
    scores = [model(row) for row in inputs]
    losses = [(1 + -y * s).relu() for y, s in zip(ys, scores, strict=True)]
    data_loss = losses[0]
    for term in losses[1:]:
        data_loss = data_loss + term
    data_loss = data_loss * (1.0 / len(losses))
    reg = model.parameters()[0] * model.parameters()[0]
    for p in model.parameters()[1:]:
        reg = reg + p * p
    return data_loss + 1e-4 * reg


def demo_step(value: ValueClass, model: BinaryMLP, xs: list[list[float]], ys: list[int]) -> float:
    """Forward, backward and an SGD update; the graph is freed when this returns."""
    loss = hinge_loss(value, model, xs, ys)
    params = model.parameters()
    for p in params:
        p.grad = 0.0
    loss.backward()
    for p in params:
        p.data -= 0.05 * p.grad
    return float(loss.data)


def tanh_chain(value: ValueClass, n: int) -> tuple[Any, Any]:
    """y = tanh(y * 1.0001 + 0.0001), n times: a graph 3n ops deep."""
    x = value(0.5)
    y = x
    for _ in range(n):
        y = (y * 1.0001 + 0.0001).tanh()
    return x, y


def chain_step(value: ValueClass, n: int) -> float:
    x, y = tanh_chain(value, n)
    y.backward()
    return float(x.grad)


def wide_sum_binary(value: ValueClass, n: int = 20_000) -> float:
    """sum_i w_i * x_i as a chain of n binary additions."""
    ws = [value(i / n) for i in range(n)]
    xs = [value(1 - i / n) for i in range(n)]
    total = ws[0] * xs[0]
    for w, x in zip(ws[1:], xs[1:], strict=True):
        total = total + w * x
    total.backward()
    return float(ws[-1].grad)


def count_nodes(root: Any) -> int:
    """Nodes under root, for either engine (children in ``_children`` or ``_prev``)."""
    seen = {id(root)}
    stack = [root]
    while stack:
        node = stack.pop()
        children = node._children if hasattr(node, "_children") else node._prev
        for child in children:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return len(seen)
