"""The bounds the command puts on its options, so that every run it accepts can finish.

Each is documented in the README's error contract; an option beyond its bound is bad
input (one line, exit status 2).
"""

from __future__ import annotations

MIN_SAMPLES = 10
"""Fewest rows ``train --samples`` accepts: every class of every data set appears."""

MIN_TRAIN_ROWS = 2
"""Fewest training rows left after the test split (a BatchNorm1d batch needs two)."""

MAX_NOISE = 10.0
"""Largest ``train --noise``: far beyond the point where every data set is a blur."""
