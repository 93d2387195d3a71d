"""Right and wrong answers for every exercise checker, one module per notebook.

``tests/notebooks/test_exercises.py`` finds every checker in ``notebooks/exercises/`` and
looks up its :class:`Case` here: the module with the same name as the checker's module
(``exercise_cases/build_your_own_engine.py`` for ``exercises/build_your_own_engine.py``)
holds a dict ``CASES`` from checker name to :class:`Case`. A checker without a case fails
the test, naming it: a checker that has never been seen to fail is no checker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Wrong:
    """An answer the checker must reject, and words its message must contain.

    Attributes:
        answer: the wrong answer.
        says: a piece of the expected message (what is wrong, or the hint), so that the
            test also checks that the checker says the *right* thing.
    """

    answer: object
    says: str


@dataclass(frozen=True)
class Case:
    """The answers one checker is tested with.

    Attributes:
        right: the reference answer: the checker must print "✓ ..." and return True.
        wrong: answers of the right type that are wrong (at least one): "✗ not yet: ..."
            and False.
        wrong_type: answers of the wrong type or shape (at least one): one sentence
            saying so, with a hint, and False. (The test also tries a few generic ones:
            None, a str, a list...)
    """

    right: object
    wrong: Sequence[Wrong]
    wrong_type: Sequence[Wrong]
