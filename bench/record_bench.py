"""What recording costs: the demo's run with and without ``record=True``, and the player's size.

The run (the demo's): two moons (200 samples, noise 0.1, seed 0), a quarter kept for
validation, ``nn.MLP(2, [16, 16, 1], activation="relu", batchnorm=True, seed=0)``,
binary cross-entropy with logits, Adam (lr 0.02), batches of 30, 60 epochs.

Each round trains it twice from the same initial weights, once plainly and once with
``record=True``, alternating which goes first; both runs compute the same numbers (the
recorder only reads the model, checked every round). The overhead is
``(recorded - plain) / plain``: the target is at most 1.0 (recording adds at most the
training time again). The script also reports how much of it the frame snapshots take
(grids, parameters, BatchNorm statistics; the rest is the per-step divergence check
and the evaluation of frame 0), the sizes of the History as JSON and
of the player's HTML file, and how long the player takes to write.

Run: ``.venv/bin/python bench/record_bench.py`` (``--rounds N``, ``--quick``).
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import nn
import viz
from nn.recording import Recorder


def demo_run(record: bool) -> tuple[nn.History, float]:
    """Train the demo's run; return its History and the seconds fit took."""
    X, y = nn.data.make_moons(200, noise=0.1, seed=0)
    X_train, X_test, y_train, y_test = nn.data.train_test_split(X, y, test_size=0.25, seed=0)
    model = nn.MLP(2, [16, 16, 1], activation="relu", batchnorm=True, seed=0)
    optimizer = nn.optim.Adam(model.parameters(), lr=0.02)
    gc.collect()
    start = time.perf_counter()
    history = nn.fit(
        model,
        X_train,
        y_train,
        loss=nn.binary_cross_entropy_with_logits,
        optimizer=optimizer,
        epochs=60,
        batch_size=30,
        seed=0,
        validation_data=(X_test, y_test),
        progress=False,
        record=record,
    )
    return history, time.perf_counter() - start


class SnapshotClock:
    """Times the recorder's frame snapshots (grids, parameters, BatchNorm statistics)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._original = Recorder._snapshot

    def __enter__(self) -> SnapshotClock:
        original = self._original

        def timed(recorder: Recorder, **kwargs: Any) -> None:
            start = time.perf_counter()
            original(recorder, **kwargs)
            self.seconds += time.perf_counter() - start

        Recorder._snapshot = timed  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        Recorder._snapshot = self._original  # type: ignore[method-assign]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds (default 5)")
    parser.add_argument("--quick", action="store_true", help="1 round, for a smoke test")
    args = parser.parse_args()
    rounds = 1 if args.quick else args.rounds

    plain_times: list[float] = []
    recorded_times: list[float] = []
    recorded: nn.History | None = None
    snapshot_times: list[float] = []
    for r in range(rounds):
        order = (False, True) if r % 2 == 0 else (True, False)
        results = {}
        for record in order:
            with SnapshotClock() as clock:
                results[record] = demo_run(record)
            if record:
                snapshot_times.append(clock.seconds)
        plain, recorded_run = results[False], results[True]
        if plain[0].loss != recorded_run[0].loss:
            raise AssertionError("recording changed the training run's numbers")
        plain_times.append(plain[1])
        recorded_times.append(recorded_run[1])
        recorded = recorded_run[0]
        print(f"round {r + 1}: plain {plain[1]:.2f} s, recorded {recorded_run[1]:.2f} s")
    assert recorded is not None

    overheads = [(b - a) / a for a, b in zip(plain_times, recorded_times, strict=True)]
    plain_median = statistics.median(plain_times)
    print(f"\nPython {sys.version.split()[0]}, {rounds} rounds, interleaved")
    print(f"plain fit: {plain_median:.2f} s (median)")
    print(f"fit(record=True): {statistics.median(recorded_times):.2f} s (median)")
    print(
        f"overhead (recorded - plain) / plain: {statistics.median(overheads):.3f} "
        f"(median of rounds; per round {', '.join(f'{o:.3f}' for o in overheads)}); target <= 1"
    )
    snapshots = statistics.median(snapshot_times)
    print(
        f"of which in the 61 frame snapshots (grids, parameters, BatchNorm statistics): "
        f"{snapshots:.2f} s ({snapshots / plain_median:.3f} of the plain run)"
    )

    start = time.perf_counter()
    text = json.dumps(recorded.to_dict())
    print(
        f"History as JSON: {len(text) / 1e6:.1f} MB, written in {time.perf_counter() - start:.2f} s"
    )
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        path = viz.TrainingPlayer(recorded).to_html(Path(folder) / "player.html")
        seconds = time.perf_counter() - start
        print(f"player HTML: {path.stat().st_size / 1e6:.2f} MB (target <= 3), in {seconds:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
