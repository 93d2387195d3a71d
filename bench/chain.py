"""A deep graph: ``y = (y * 1.0001 + 0.0001).tanh()`` N times, forward plus backward.

With N = 1,000,000 that is 3,000,000 op nodes (and 2,000,000 constants) in one chain,
far deeper than any recursion limit. Reported: the seconds for building the graph and
backpropagating through it (the cyclic garbage collector on, ``gc.freeze()`` after
set-up, as in ``micrograd_demo.py``), then freeing it; and the bytes per node of such a
graph, measured with ``tracemalloc`` on a shorter chain (the same per node).

micrograd cannot run this: its recursive topological sort fails past about 1,000
levels at Python's default recursion limit.

Run: ``.venv/bin/python bench/chain.py [--n 1000000] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import autograd


def chain(n: int) -> tuple[autograd.Value, autograd.Value]:
    """The input and the output of the chain of n steps (3n op nodes)."""
    x = autograd.Value(0.5)
    y = x
    for _ in range(n):
        y = (y * 1.0001 + 0.0001).tanh()
    return x, y


def timed_run(n: int) -> tuple[float, float, float]:
    """Seconds to build, to backpropagate, and to free (drop + gc.collect())."""
    start = time.perf_counter()
    x, y = chain(n)
    built = time.perf_counter()
    y.backward()
    done = time.perf_counter()
    del y
    gc.collect()
    freed = time.perf_counter()
    assert x.grad > 0.0
    return built - start, done - built, freed - done


def bytes_per_node(n: int = 100_000) -> float:
    """Memory held by a chain of n steps, per node (op nodes and constants alike)."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    _, y = chain(n)
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    nodes = len(autograd.topological_order(y))
    return (after - before) / nodes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="chain steps (default 10**6)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (default 3)")
    args = parser.parse_args()
    gc.collect()
    gc.freeze()
    runs = [timed_run(args.n) for _ in range(args.rounds)]
    forward, backward, free = (statistics.median(r[i] for r in runs) for i in range(3))
    print(
        f"chain of {args.n:,} steps ({3 * args.n:,} op nodes), median of {args.rounds}: "
        f"forward {forward:.2f} s + backward {backward:.2f} s = {forward + backward:.2f} s "
        f"(then freeing {free:.2f} s); {bytes_per_node():.0f} bytes per node"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
