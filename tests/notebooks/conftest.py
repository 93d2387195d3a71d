"""Make the course's own modules importable here, as they are in a notebook.

A notebook runs with ``notebooks/`` as its working directory, so its cells import the
exercise checkers (``notebooks/exercises/``) and the reference solutions
(``notebooks/solutions/``) as ``exercises`` and ``solutions``. These tests put
``notebooks/`` on ``sys.path`` to import them under the same names, and this folder too,
for the wrong answers in ``exercise_cases/``.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOTEBOOKS = HERE.parents[1] / "notebooks"

for folder in (NOTEBOOKS, HERE):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
