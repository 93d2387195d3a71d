"""Benchmark gradstep's engine against karpathy's micrograd, in one process, interleaved.

Run it with ``make bench`` (which installs micrograd from PyPI into .venv), or
``python bench/run.py --help`` for options. Each workload runs on both engines in
alternating order, round after round; the table reports the median time of each and
the median of the per-round ratios (micrograd time / gradstep time), which cancels
most of the noise a shared machine adds. Absolute times are only indicative.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import engines

import autograd

try:
    from micrograd.engine import Value as MicrogradValue
except ImportError:  # pragma: no cover - reported to the user below
    MicrogradValue = None
else:
    import math

    def _micrograd_tanh(self: Any) -> Any:
        """tanh for micrograd's Value, in micrograd's own style (PyPI's 0.1.0 lacks it)."""
        t = math.tanh(self.data)
        out = MicrogradValue(t, (self,), "tanh")

        def _backward() -> None:
            self.grad += (1 - t * t) * out.grad

        out._backward = _backward
        return out

    MicrogradValue.tanh = _micrograd_tanh


Row = tuple[str, float, float | None]


def interleaved(
    ours: Callable[[], Any], theirs: Callable[[], Any] | None, rounds: int
) -> tuple[list[float], list[float]]:
    """Time both callables ``rounds`` times, alternating which one goes first.

    Each timing includes a ``gc.collect()`` after the call: freeing the graph is part
    of the work (micrograd's graphs are cycles that only the collector frees), and it
    keeps one engine's garbage from being collected on the other engine's clock.
    """
    a: list[float] = []
    b: list[float] = []
    gc.collect()
    for r in range(rounds):
        order = [(ours, a), (theirs, b)] if r % 2 == 0 else [(theirs, b), (ours, a)]
        for fn, times in order:
            if fn is None:
                continue
            start = time.perf_counter()
            fn()
            gc.collect()
            times.append(time.perf_counter() - start)
    return a, b


def report(name: str, a: list[float], b: list[float]) -> str:
    ours = statistics.median(a)
    if not b:
        return f"| {name} | {ours * 1e3:.1f} ms | n/a | n/a |"
    theirs = statistics.median(b)
    ratio = statistics.median(y / x for x, y in zip(a, b, strict=True))
    return f"| {name} | {ours * 1e3:.1f} ms | {theirs * 1e3:.1f} ms | {ratio:.1f}x |"


def micrograd_default_depth_limit() -> int:
    """The longest tanh chain micrograd backpropagates at the default recursion limit."""
    assert MicrogradValue is not None
    lo, hi = 1, 2000
    while lo < hi:
        mid = (lo + hi + 1) // 2
        try:
            engines.chain_step(MicrogradValue, mid)
            lo = mid
        except RecursionError:
            hi = mid - 1
    return lo


def bytes_per_node(value: Callable[[float], Any]) -> tuple[float, int]:
    xs, ys = engines.moons(100)
    model = engines.BinaryMLP(value, [2, 16, 16, 1])
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    loss = engines.hinge_loss(value, model, xs, ys)
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    n = engines.count_nodes(loss)
    del loss
    gc.collect()
    return (after - before) / n, n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=11, help="rounds per workload (default 11)")
    parser.add_argument("--quick", action="store_true", help="3 rounds, for a smoke test")
    parser.add_argument("--skip-million", action="store_true", help="skip the 10^6-op chain")
    args = parser.parse_args()
    rounds = 3 if args.quick else args.rounds
    mg = MicrogradValue
    if mg is None:
        print("micrograd is not installed (pip install micrograd==0.1.0): gradstep only\n")

    print(f"Python {sys.version.split()[0]}, {rounds} rounds per workload, interleaved\n")
    print("| workload | gradstep (median) | micrograd (median) | ratio (median of rounds) |")
    print("|---|---|---|---|")

    xs, ys = engines.moons(100)
    ours_model = engines.BinaryMLP(autograd.Value, [2, 16, 16, 1])
    their_model = engines.BinaryMLP(mg, [2, 16, 16, 1]) if mg else None
    a, b = interleaved(
        lambda: engines.demo_step(autograd.Value, ours_model, xs, ys),
        (lambda: engines.demo_step(mg, their_model, xs, ys)) if their_model else None,
        rounds,
    )
    print(report("moons step, binary ops (MLP 2-16-16-1, 100 samples)", a, b))

    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200_000)  # micrograd's recursive topological sort needs it
    try:
        for n in (500, 10_000):
            a, b = interleaved(
                lambda n=n: engines.chain_step(autograd.Value, n),
                (lambda n=n: engines.chain_step(mg, n)) if mg else None,
                rounds,
            )
            print(report(f"tanh chain N={n:,} (3N ops)", a, b))
        a, b = interleaved(
            lambda: engines.wide_sum_binary(autograd.Value),
            (lambda: engines.wide_sum_binary(mg)) if mg else None,
            rounds,
        )
        print(report("wide sum of 20,000 products, binary adds", a, b))
    finally:
        sys.setrecursionlimit(old_limit)

    def fused() -> None:
        ws = [autograd.Value(i / 20_000) for i in range(20_000)]
        xs_ = [autograd.Value(1 - i / 20_000) for i in range(20_000)]
        autograd.dot(ws, xs_).backward()

    a, _ = interleaved(fused, None, rounds)
    print(report("wide sum of 20,000 products, one n-ary dot node", a, []))

    print()
    ours_bytes, n = bytes_per_node(autograd.Value)
    line = f"bytes per node, binary-op moons graph ({n:,} nodes): gradstep {ours_bytes:.0f}"
    if mg:
        their_bytes, m = bytes_per_node(mg)
        line += f", micrograd {their_bytes:.0f} ({m:,} nodes)"
    print(line)
    if mg:
        print(
            f"longest tanh chain micrograd survives at the default recursion limit "
            f"({old_limit}): N = {micrograd_default_depth_limit()}"
        )
    if not args.skip_million:
        start = time.perf_counter()
        x = autograd.Value(0.5)
        y = x
        for _ in range(1_000_000):
            y = y * 0.999999
        y.backward()
        del y
        print(
            f"1,000,000-op chain forward + backward + free: "
            f"{time.perf_counter() - start:.1f} s, d/dx = {x.grad:.6f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
