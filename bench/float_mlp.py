"""micrograd's demo step by hand: an MLP on plain floats, no graph, backward written out.

The reference the ``nn`` benchmark compares with: the same network (Linear layers
with relu between them), the same loss (mean hinge loss + alpha * L2 of all
parameters) and the same SGD update as ``bench/nn_bench.py`` runs through ``nn`` and
the autograd graph, but as hand-optimised pure-Python loops over floats. It shows what
the graph costs: everything the engine does beyond this arithmetic is bookkeeping.

The loops are written for CPython speed: a layer works on the whole batch, each dot
product is ``sum(map(mul, a, b))`` (its loop runs in C), and the backward pass works
on transposed matrices so that its inner loops are dot products too. Examples whose
margin is already met contribute no gradient and are left out of the backward pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import mul

Matrix = list[list[float]]


@dataclass
class Cache:
    """What the backward pass needs from the forward pass."""

    inputs: list[Matrix]  # each layer's input, one row per example
    pre: list[Matrix]  # each layer's pre-activation, one row per example
    margins: list[float]
    ys: list[float]
    alpha: float


class FloatMLP:
    """An MLP as lists of floats: ``weights[k][i][j]`` and ``biases[k][i]`` of layer k.

    Layer k computes ``z = W_k h + b_k``, followed by relu on every layer but the last
    (PyTorch's weight layout: a row per output).

    Args:
        weights: per layer, ``nout`` rows of ``nin`` floats.
        biases: per layer, ``nout`` floats.
    """

    def __init__(self, weights: list[Matrix], biases: list[list[float]]) -> None:
        self.weights = weights
        self.biases = biases

    def forward(self, xs: Matrix, ys: list[float], alpha: float) -> tuple[float, Cache]:
        """The loss mean_n relu(1 - y_n s_n) + alpha * sum(p**2), and what backward needs."""
        last = len(self.weights) - 1
        inputs: list[Matrix] = []
        pre: list[Matrix] = []
        h = xs
        for k, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            inputs.append(h)
            z = [[sum(map(mul, row, x), bi) for row, bi in zip(w, b, strict=True)] for x in h]
            pre.append(z)
            h = z if k == last else [[v if v > 0.0 else 0.0 for v in r] for r in z]
        margins = [1.0 - y * r[0] for y, r in zip(ys, h, strict=True)]
        data_loss = sum(m for m in margins if m > 0.0) / len(xs)
        reg = sum(sum(map(mul, row, row)) for w in self.weights for row in w)
        reg += sum(sum(map(mul, b, b)) for b in self.biases)
        return data_loss + alpha * reg, Cache(inputs, pre, margins, ys, alpha)

    def backward(self, cache: Cache) -> tuple[list[Matrix], list[list[float]]]:
        """The gradient of the loss for every parameter: ``(weight_grads, bias_grads)``."""
        n = len(cache.ys)
        live = [i for i, m in enumerate(cache.margins) if m > 0.0]  # the rest add nothing
        # dz[r][i]: d loss / d pre-activation i of live example r (a batch of one column).
        dz = [[-cache.ys[i] / n] for i in live]
        two_alpha = 2.0 * cache.alpha
        n_layers = len(self.weights)
        weight_grads: list[Matrix] = [[] for _ in range(n_layers)]
        bias_grads: list[list[float]] = [[] for _ in range(n_layers)]
        for k in range(n_layers - 1, -1, -1):
            w, b = self.weights[k], self.biases[k]
            if not live:
                weight_grads[k] = [[two_alpha * v for v in row] for row in w]
                bias_grads[k] = [two_alpha * v for v in b]
                continue
            dz_t = list(zip(*dz, strict=True))  # one tuple per unit
            h = cache.inputs[k]
            h_t = list(zip(*[h[i] for i in live], strict=True))  # one tuple per input
            weight_grads[k] = [
                [sum(map(mul, d, col)) + two_alpha * v for col, v in zip(h_t, row, strict=True)]
                for d, row in zip(dz_t, w, strict=True)
            ]
            bias_grads[k] = [sum(d) + two_alpha * v for d, v in zip(dz_t, b, strict=True)]
            if k > 0:
                w_t = list(zip(*w, strict=True))
                z = cache.pre[k - 1]
                dz = [
                    [
                        sum(map(mul, d, col)) if zi > 0.0 else 0.0
                        for col, zi in zip(w_t, z[i], strict=True)
                    ]
                    for d, i in zip(dz, live, strict=True)
                ]
        return weight_grads, bias_grads

    def sgd(self, weight_grads: list[Matrix], bias_grads: list[list[float]], lr: float) -> None:
        """p <- p - lr * grad for every parameter."""
        self.weights = [
            [
                [v - lr * g for v, g in zip(row, grow, strict=True)]
                for row, grow in zip(w, gw, strict=True)
            ]
            for w, gw in zip(self.weights, weight_grads, strict=True)
        ]
        self.biases = [
            [v - lr * g for v, g in zip(b, gb, strict=True)]
            for b, gb in zip(self.biases, bias_grads, strict=True)
        ]
