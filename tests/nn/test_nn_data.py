"""Toy data sets, batching and the train/test split."""

from __future__ import annotations

import math
import random
from typing import Any

import pytest

from nn import data

GENERATORS = [data.make_moons, data.make_circles, data.make_blobs, data.make_spirals, data.make_xor]


@pytest.mark.parametrize("make", GENERATORS, ids=lambda f: f.__name__)
def test_generators_are_seeded_pure_python_and_balanced(make: Any) -> None:
    state = random.getstate()
    xs, y = make(101, seed=3)
    assert random.getstate() == state  # the global generator is left alone
    assert len(xs) == len(y) == 101
    assert all(isinstance(v, float) for row in xs for v in row) and all(len(r) == 2 for r in xs)
    assert all(isinstance(label, int) for label in y)
    assert make(101, seed=3) == (xs, y)
    assert make(101, seed=4) != (xs, y)
    counts = [y.count(k) for k in sorted(set(y))]
    assert max(counts) - min(counts) <= (1 if make is not data.make_xor else 40)


def test_moons_shape() -> None:
    xs, y = data.make_moons(200, seed=0)
    for (a, b), label in zip(xs, y, strict=True):
        if label == 0:
            assert math.hypot(a, b) == pytest.approx(1.0) and b >= -1e-12
        else:
            assert math.hypot(a - 1, b - 0.5) == pytest.approx(1.0) and b <= 0.5 + 1e-12
    noisy, _ = data.make_moons(200, noise=0.1, seed=0)
    assert noisy != xs


def test_circles_and_spirals() -> None:
    xs, y = data.make_circles(50, factor=0.3, seed=0)
    assert {round(math.hypot(*p), 9): label for p, label in zip(xs, y, strict=True)} == {
        1.0: 0,
        0.3: 1,
    }
    xs, y = data.make_spirals(90, n_classes=3, seed=0)
    assert sorted(set(y)) == [0, 1, 2]
    assert max(math.hypot(*p) for p in xs) == pytest.approx(1.0)


def test_blobs_centers() -> None:
    xs, y = data.make_blobs(300, centers=[[-4.0, 1.0], [4.0, -1.0], [0.0, 6.0]], noise=0.5, seed=1)
    for k, center in enumerate([[-4.0, 1.0], [4.0, -1.0], [0.0, 6.0]]):
        pts = [p for p, label in zip(xs, y, strict=True) if label == k]
        assert len(pts) == 100
        assert sum(p[0] for p in pts) / 100 == pytest.approx(center[0], abs=0.2)
        assert sum(p[1] for p in pts) / 100 == pytest.approx(center[1], abs=0.2)
    xs, y = data.make_blobs(10, centers=4, seed=0)
    assert sorted(set(y)) == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: data.make_moons(0), "n_samples"),
        (lambda: data.make_moons(10, noise=-1.0), "noise"),
        (lambda: data.make_circles(10, factor=1.5), "factor"),
        (lambda: data.make_blobs(10, centers=0), "centers"),
        (lambda: data.make_blobs(10, centers=[[1.0, 2.0, 3.0]]), "pairs"),
        (lambda: data.make_spirals(10, n_classes=1), "n_classes"),
        (lambda: list(data.batches([[1.0]], [1, 2], 1)), "1 rows but y has 2"),
        (lambda: list(data.batches([[1.0]], [1], 0)), "batch_size"),
        (lambda: data.train_test_split([[1.0]] * 4, [0] * 4, test_size=1.5), "test_size"),
        (lambda: data.train_test_split([[1.0]] * 4, [0] * 4, test_size=4), "test_size"),
    ],
)
def test_bad_arguments(call: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_batches() -> None:
    xs = [[float(i)] for i in range(10)]
    y = list(range(10))
    plain = list(data.batches(xs, y, 4))
    assert [len(yb) for _, yb in plain] == [4, 4, 2]
    assert [v for _, yb in plain for v in yb] == y
    assert [len(yb) for _, yb in data.batches(xs, y, 4, drop_last=True)] == [4, 4]
    shuffled = list(data.batches(xs, y, 3, shuffle=True, seed=0))
    labels = [v for _, yb in shuffled for v in yb]
    assert sorted(labels) == y and labels != y
    assert shuffled == list(data.batches(xs, y, 3, shuffle=True, seed=0))
    for xb, yb in shuffled:
        assert [int(r[0]) for r in xb] == yb


def test_train_test_split() -> None:
    xs = [[float(i)] for i in range(10)]
    y = list(range(10))
    xs_train, xs_test, y_train, y_test = data.train_test_split(xs, y, test_size=0.25, seed=0)
    assert len(xs_test) == 3 and len(xs_train) == 7  # ceil(2.5)
    assert sorted(y_train + y_test) == y
    assert [int(r[0]) for r in xs_test] == y_test
    _, xs_test, _, y_test = data.train_test_split(xs, y, test_size=2, shuffle=False)
    assert y_test == [8, 9]


@pytest.mark.parametrize(
    ("name", "classes"),
    [("moons", 2), ("circles", 2), ("xor", 2), ("spirals", 3), ("blobs", 3)],
)
def test_every_registered_data_set_takes_size_noise_and_seed(name: str, classes: int) -> None:
    make = data.DATASETS[name]
    X, y = make(30, noise=0.05, seed=1)
    assert len(X) == len(y) == 30 and all(len(row) == 2 for row in X)
    assert sorted(set(y)) == list(range(classes))
    assert make(30, noise=0.05, seed=1) == (X, y)  # the seed decides everything
    assert make(30, noise=0.05, seed=2) != (X, y)


def test_the_blobs_of_the_registry_sit_at_their_documented_centers() -> None:
    X, _ = data.DATASETS["blobs"](300, noise=0.0, seed=0)
    centers = {(round(a, 9), round(b, 9)) for a, b in X}
    assert centers == {(float(a), float(b)) for a, b in data.BLOB_CENTERS}


# -- issue 10: huge and odd arguments ---------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: data.make_moons(10**12), r"n_samples must be an int from 1 to 1,000,000 \(MAX"),
        (lambda: data.make_xor(10**5000), "got a far larger number"),
        (lambda: data.make_circles(True), "n_samples must be an int, got bool"),
        (lambda: data.make_moons(10, noise=math.inf), "noise must be a finite number >= 0"),
        (lambda: data.make_moons(10, noise=math.nan), "noise must be a finite number >= 0"),
        (lambda: data.make_moons(10, noise=1e308, seed=0), "float range"),
        (lambda: data.make_blobs(10, centers=10**12), "centers must be an int from 1"),
        (lambda: data.make_blobs(10, centers=[[0.0, math.nan]]), r"center 0 is \[0\.0, nan\]"),
        (lambda: data.make_blobs(10, center_box=(-math.inf, 1.0)), "center_box must be two"),
        (lambda: data.make_blobs(10, center_box=(1.0, -1.0)), "low <= high"),
        (lambda: data.make_blobs(10, centers=[[1e308, 0.0]], noise=1e308, seed=0), "float range"),
        (lambda: data.make_spirals(10, n_classes=10**9), "n_classes must be an int from 2"),
    ],
    ids=[
        "moons 10**12", "xor 10**5000", "bool", "inf noise", "nan noise", "overflowing noise",
        "10**12 centers", "nan center", "infinite box", "inverted box", "overflowing blob",
        "10**9 arms",
    ],
)  # fmt: skip
def test_huge_and_non_finite_arguments_are_refused_at_once(call: Any, message: str) -> None:
    """Each used to run until memory ran out (10**12 points, 10**9 spiral arms) or to
    return points at inf or NaN; MAX_SAMPLES bounds the counts."""
    with pytest.raises(ValueError, match=message):
        call()


def test_large_data_sets_below_the_limit_are_made() -> None:
    assert data.MAX_SAMPLES == 1_000_000
    X, y = data.make_xor(100_000, seed=0)  # a tenth of the limit keeps the test fast
    assert len(X) == len(y) == 100_000
