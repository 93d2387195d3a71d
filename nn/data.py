"""Toy data sets in pure Python, batching and a train/test split.

Every generator returns ``(X, y)``: ``X`` a list of rows ``[x1, x2]`` (floats) and
``y`` a list of int class labels 0, 1, ... Everything random comes from a
``random.Random(seed)`` of its own, so the same seed gives the same data on every
machine, and the global ``random`` state is never touched. Samples are shuffled, so
any slice of the data holds every class.

Losses that want labels -1/+1 (:func:`nn.hinge_loss`) take ``[2 * t - 1 for t in y]``.

Every generator makes at most :data:`MAX_SAMPLES` points and raises ValueError for a
bad argument (a count out of range, a NaN or infinite noise) or for noise so large
that a point would lie beyond the float range.

:data:`DATASETS` names the built-in data sets for everything that picks one by name
(the ``gradstep`` command, your own scripts).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import TypeVar

T = TypeVar("T")
U = TypeVar("U")

Dataset = tuple[list[list[float]], list[int]]


MAX_SAMPLES = 1_000_000
"""The most points a generator makes (and the most blob centers or spiral arms).

A million rows take a few hundred MB as Python lists and seconds to make; a scalar
engine trains on thousands. A larger request is almost always a typo, which would
otherwise fill the memory before failing.
"""


def _check_count(name: str, value: object, smallest: int) -> int:
    """``value`` if it is an int from ``smallest`` to :data:`MAX_SAMPLES`, else ValueError."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an int, got {type(value).__name__}: {value!r:.60}")
    if not smallest <= value <= MAX_SAMPLES:
        shown = value if value.bit_length() < 200 else "a far larger number"
        raise ValueError(
            f"{name} must be an int from {smallest} to {MAX_SAMPLES:,} (MAX_SAMPLES), got {shown}"
        )
    return value


def _check_size(n_samples: int, noise: float) -> None:
    _check_count("n_samples", n_samples, 1)
    if not 0.0 <= noise < math.inf:  # NaN fails too
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")


def _finish(points: list[tuple[float, float, int]], noise: float, rng: random.Random) -> Dataset:
    """Add Gaussian noise of std ``noise`` to each coordinate, shuffle, split into X and y.

    Raises:
        ValueError: if a coordinate is not finite: noise (or a center) so large that a
            point lies beyond the float range.
    """
    rng.shuffle(points)
    X = [[x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise)] for x, y, _ in points]
    for i, row in enumerate(X):
        if not (math.isfinite(row[0]) and math.isfinite(row[1])):
            raise ValueError(
                f"point {i} is {row}: the noise (or the centers) put points beyond the "
                "float range; use a smaller noise"
            )
    return X, [label for _, _, label in points]


def _linspace(start: float, stop: float, n: int) -> list[float]:
    if n == 1:
        return [start]
    return [start + (stop - start) * i / (n - 1) for i in range(n)]


def make_moons(n_samples: int = 100, noise: float = 0.0, seed: int | None = None) -> Dataset:
    """Two interleaving half circles (scikit-learn's ``make_moons``).

    Class 0 lies on the upper half of the unit circle, (cos t, sin t) for t in [0, π];
    class 1 on a lower half circle shifted right and down, (1 − cos t, 0.5 − sin t).
    Class 0 gets ``n_samples // 2`` points and class 1 the rest, evenly spaced in t,
    then Gaussian noise of std ``noise`` is added to every coordinate.

    Example:
        >>> import nn
        >>> X, y = nn.data.make_moons(6, seed=0)
        >>> len(X), sorted(y)
        (6, [0, 0, 0, 1, 1, 1])
    """
    _check_size(n_samples, noise)
    rng = random.Random(seed)
    n_out = n_samples // 2
    points = [(math.cos(t), math.sin(t), 0) for t in _linspace(0.0, math.pi, n_out)]
    points += [
        (1.0 - math.cos(t), 0.5 - math.sin(t), 1)
        for t in _linspace(0.0, math.pi, n_samples - n_out)
    ]
    return _finish(points, noise, rng)


def make_circles(
    n_samples: int = 100, noise: float = 0.0, factor: float = 0.8, seed: int | None = None
) -> Dataset:
    """A large circle (class 0, radius 1) around a small one (class 1, radius ``factor``).

    Points are evenly spaced in angle on each circle (the outer gets ``n_samples // 2``),
    then Gaussian noise of std ``noise`` is added to every coordinate.

    Example:
        >>> import nn
        >>> X, y = nn.data.make_circles(4, factor=0.5, seed=0)
        >>> sorted(round(math.hypot(*x), 6) for x in X)
        [0.5, 0.5, 1.0, 1.0]
    """
    _check_size(n_samples, noise)
    if not 0.0 < factor < 1.0:
        raise ValueError(f"factor must be in (0, 1), got {factor!r}")
    rng = random.Random(seed)
    n_out = n_samples // 2
    points = [
        (math.cos(2 * math.pi * i / n_out), math.sin(2 * math.pi * i / n_out), 0)
        for i in range(n_out)
    ]
    n_in = n_samples - n_out
    points += [
        (factor * math.cos(2 * math.pi * i / n_in), factor * math.sin(2 * math.pi * i / n_in), 1)
        for i in range(n_in)
    ]
    return _finish(points, noise, rng)


def make_blobs(
    n_samples: int = 100,
    noise: float = 1.0,
    seed: int | None = None,
    centers: int | Sequence[Sequence[float]] = 2,
    center_box: tuple[float, float] = (-10.0, 10.0),
) -> Dataset:
    """Gaussian blobs in 2-D, one class per center.

    Args:
        n_samples: the total number of points, shared out evenly (the first centers get
            one more when it does not divide).
        noise: the standard deviation of each blob (scikit-learn's ``cluster_std``).
        seed: the random seed.
        centers: the number of blobs (their centers drawn uniformly in ``center_box``)
            or the centers themselves, as ``[x, y]`` pairs.
        center_box: the range of the drawn centers' coordinates.

    Example:
        >>> import nn
        >>> X, y = nn.data.make_blobs(10, centers=[[-5, 0], [5, 0]], noise=0.1, seed=0)
        >>> all((x[0] > 0) == (label == 1) for x, label in zip(X, y))
        True
    """
    _check_size(n_samples, noise)
    rng = random.Random(seed)
    if isinstance(centers, int):
        _check_count("centers", centers, 1)
        lo, hi = (float(v) for v in center_box)
        if not -math.inf < lo <= hi < math.inf:
            raise ValueError(
                f"center_box must be two finite numbers, low <= high, got {center_box!r}"
            )
        chosen = [[rng.uniform(lo, hi), rng.uniform(lo, hi)] for _ in range(centers)]
    else:
        chosen = [[float(c) for c in center] for center in centers]
        if not chosen or any(len(c) != 2 for c in chosen):
            raise ValueError(
                f"centers must be a non-empty list of [x, y] pairs, got {centers!r:.80}"
            )
        for i, (cx, cy) in enumerate(chosen):
            if not (math.isfinite(cx) and math.isfinite(cy)):
                raise ValueError(f"center {i} is {[cx, cy]}; centers must be finite")
    k = len(chosen)
    points = []
    for i in range(n_samples):
        cx, cy = chosen[i % k]
        points.append((cx + rng.gauss(0.0, noise), cy + rng.gauss(0.0, noise), i % k))
    return _finish(points, 0.0, rng)


def make_spirals(
    n_samples: int = 100, noise: float = 0.0, n_classes: int = 2, seed: int | None = None
) -> Dataset:
    """Interleaved spiral arms, one per class (the classic CS231n data set).

    Arm k (of K = ``n_classes``) holds points ``(r sin θ, r cos θ)`` with the radius r
    evenly spaced in [0.05, 1] and the angle θ = 2πk/K + 4r, so every arm winds
    through 4 radians; then Gaussian noise of std ``noise`` is added to every
    coordinate. Arms get ``n_samples // K`` points (the first ones one more).

    Example:
        >>> import nn
        >>> X, y = nn.data.make_spirals(9, n_classes=3, seed=0)
        >>> sorted(y)
        [0, 0, 0, 1, 1, 1, 2, 2, 2]
    """
    _check_size(n_samples, noise)
    _check_count("n_classes", n_classes, 2)
    rng = random.Random(seed)
    points = []
    for k in range(n_classes):
        n = n_samples // n_classes + (1 if k < n_samples % n_classes else 0)
        for r in _linspace(0.05, 1.0, n):
            theta = 2 * math.pi * k / n_classes + 4.0 * r
            points.append((r * math.sin(theta), r * math.cos(theta), k))
    return _finish(points, noise, rng)


def make_xor(n_samples: int = 100, noise: float = 0.0, seed: int | None = None) -> Dataset:
    """Points uniform in [-1, 1]², labelled 1 where x1 and x2 have opposite signs (XOR).

    No straight line separates the classes: the smallest problem that needs a hidden
    layer. Labels are computed before Gaussian noise of std ``noise`` is added.

    Example:
        >>> import nn
        >>> X, y = nn.data.make_xor(50, seed=0)
        >>> all(label == int((x[0] > 0) != (x[1] > 0)) for x, label in zip(X, y))
        True
    """
    _check_size(n_samples, noise)
    rng = random.Random(seed)
    points = []
    for _ in range(n_samples):
        a, b = rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)
        points.append((a, b, int((a > 0) != (b > 0))))
    return _finish(points, noise, rng)


BLOB_CENTERS = ((-1.5, -1.0), (1.5, -1.0), (0.0, 1.6))
"""The centers of the ``"blobs"`` data set of :data:`DATASETS`: a triangle of side 3."""

DATASETS: dict[str, Callable[..., Dataset]] = {
    "moons": make_moons,
    "circles": make_circles,
    "xor": make_xor,
    "spirals": partial(make_spirals, n_classes=3),
    "blobs": partial(make_blobs, centers=BLOB_CENTERS),
}
"""The built-in 2-D data sets by name, each called as ``make(n_samples, noise=..., seed=...)``.

* ``"moons"``: two interleaving half circles (2 classes);
* ``"circles"``: a circle inside a ring (2 classes);
* ``"xor"``: points in [-1, 1]², class 1 where the signs differ (2 classes);
* ``"spirals"``: three interleaved spiral arms (3 classes);
* ``"blobs"``: three Gaussian blobs at :data:`BLOB_CENTERS`, ``noise`` their standard
  deviation (3 classes).

Example:
    >>> import nn
    >>> X, y = nn.data.DATASETS["spirals"](30, noise=0.1, seed=0)
    >>> len(X), sorted(set(y))
    (30, [0, 1, 2])
"""


def _check_xy(X: Sequence[T], y: Sequence[U]) -> None:
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)} labels")


def batches(
    X: Sequence[T],
    y: Sequence[U],
    batch_size: int,
    shuffle: bool = False,
    seed: int | None = None,
    drop_last: bool = False,
) -> Iterator[tuple[list[T], list[U]]]:
    """Yield ``(X_batch, y_batch)`` pairs of ``batch_size`` rows (the last may be smaller).

    Args:
        X, y: the rows and their labels (of equal length).
        batch_size: rows per batch, >= 1.
        shuffle: visit the rows in a random order (drawn from ``seed``).
        seed: the seed of the shuffle.
        drop_last: skip a last batch smaller than ``batch_size`` (a batch of one row
            cannot train a BatchNorm1d).

    Example:
        >>> import nn
        >>> [yb for _, yb in nn.data.batches([[0], [1], [2]], [0, 1, 2], batch_size=2)]
        [[0, 1], [2]]
    """
    _check_xy(X, y)
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}")
    order = list(range(len(X)))
    if shuffle:
        random.Random(seed).shuffle(order)
    for start in range(0, len(order), batch_size):
        chunk = order[start : start + batch_size]
        if drop_last and len(chunk) < batch_size:
            return
        yield [X[i] for i in chunk], [y[i] for i in chunk]


def train_test_split(
    X: Sequence[T],
    y: Sequence[U],
    test_size: float | int = 0.25,
    shuffle: bool = True,
    seed: int | None = None,
) -> tuple[list[T], list[T], list[U], list[U]]:
    """Split into ``X_train, X_test, y_train, y_test`` (scikit-learn's order).

    Args:
        test_size: a fraction in (0, 1) (rounded up to whole rows) or a number of rows.
        shuffle: shuffle (with ``seed``) before splitting; otherwise the last rows test.

    Example:
        >>> import nn
        >>> X_train, X_test, y_train, y_test = nn.data.train_test_split(
        ...     [[i] for i in range(8)], list(range(8)), test_size=0.25, seed=0)
        >>> len(X_train), len(X_test)
        (6, 2)
    """
    _check_xy(X, y)
    n = len(X)
    if isinstance(test_size, float) and 0.0 < test_size < 1.0:
        n_test = math.ceil(test_size * n)
    elif isinstance(test_size, int) and not isinstance(test_size, bool) and 0 < test_size < n:
        n_test = test_size
    else:
        raise ValueError(
            f"test_size must be a fraction in (0, 1) or a row count in [1, {n - 1}], "
            f"got {test_size!r}"
        )
    if n_test >= n:
        raise ValueError(f"test_size {test_size!r} leaves no rows to train on ({n} rows)")
    order = list(range(n))
    if shuffle:
        random.Random(seed).shuffle(order)
    train, test = order[: n - n_test], order[n - n_test :]
    return [X[i] for i in train], [X[i] for i in test], [y[i] for i in train], [y[i] for i in test]
