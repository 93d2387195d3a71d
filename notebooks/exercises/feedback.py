"""What a checker says, and the helpers that make writing one short.

A checker's body receives the learner's answer and returns a :class:`Verdict`;
:func:`checker` turns that body into the function the notebook calls, which handles the
placeholder, prints the verdict as one line and returns True or False. Inside a body,
:func:`reject` (or :func:`stop`) stops at the first problem found, and :func:`attempt`
runs the learner's code so that their exception becomes a verdict, not a traceback.

    >>> @checker(start="put the slope of x**2 at x = 3 in answer")
    ... def check_slope(answer: object) -> Verdict:
    ...     '''The derivative of x**2 at x = 3.'''
    ...     return expect_number(answer, 6.0, name="the slope", hint="d(x**2)/dx = 2x")
    >>> check_slope(...)
    → to start: put the slope of x**2 at x = 3 in answer
    False
    >>> check_slope(9)
    ✗ not yet: the slope should be 6, you gave 9 (hint: d(x**2)/dx = 2x)
    False
    >>> check_slope("6")  # doctest: +NORMALIZE_WHITESPACE
    ✗ not yet: the answer should be a number, but it is a str ('6') (hint: write the number
    itself, without quotes)
    False
    >>> check_slope(6.0)
    ✓ right: the slope is 6
    True
"""

from __future__ import annotations

import inspect
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NoReturn, TypeVar

__all__ = [
    "RAISE_CHECKER_ERRORS",
    "AnswerError",
    "Checker",
    "Verdict",
    "as_number",
    "attempt",
    "checker",
    "close",
    "describe",
    "error_text",
    "expect_number",
    "expect_numbers",
    "not_yet",
    "reject",
    "right",
    "show",
    "stop",
    "wrong_type",
]

T = TypeVar("T")

RAISE_CHECKER_ERRORS = False
"""Tests set this to True: an unexpected exception inside a checker is then raised (a bug
in the checker) instead of being reported to the learner as one line."""

RTOL = 1e-6
"""Default relative tolerance when comparing a learner's number with the expected one."""
ATOL = 1e-9
"""Default absolute tolerance, for expected numbers at or near 0."""


@dataclass(frozen=True)
class Verdict:
    """What a checker found: right, not yet right, or not started (the placeholder).

    Attributes:
        kind: ``"right"``, ``"not yet"`` or ``"start"``.
        message: for "right" what was right; for "not yet" what is wrong, with the
            numbers; for "start" how to begin.
        hint: for "not yet", what to look at or how to fix it.
    """

    kind: Literal["right", "not yet", "start"]
    message: str
    hint: str = ""

    @property
    def ok(self) -> bool:
        """True only for a right answer."""
        return self.kind == "right"

    def __str__(self) -> str:
        if self.kind == "right":
            line = f"✓ {self.message}"
        elif self.kind == "start":
            line = f"→ to start: {self.message}"
        else:
            line = f"✗ not yet: {self.message} (hint: {self.hint})"
        return " ".join(line.split())  # always one line


class AnswerError(Exception):
    """Raised by :func:`reject` and :func:`attempt` inside a checker body; carries the verdict."""

    def __init__(self, verdict: Verdict) -> None:
        super().__init__(str(verdict))
        self.verdict = verdict


def right(message: str) -> Verdict:
    """A right answer; ``message`` says what was checked (printed after "✓ ")."""
    return Verdict("right", message)


def not_yet(problem: str, hint: str) -> Verdict:
    """A wrong answer: what is wrong, with the numbers, and a hint."""
    return Verdict("not yet", problem, hint)


def reject(problem: str, hint: str) -> NoReturn:
    """Stop checking here: the answer is wrong (see :func:`not_yet`)."""
    raise AnswerError(not_yet(problem, hint))


def stop(verdict: Verdict) -> NoReturn:
    """Stop checking here with this verdict (for example one made by :func:`wrong_type`)."""
    raise AnswerError(verdict)


def wrong_type(answer: object, expected: str, hint: str) -> Verdict:
    """An answer of the wrong type or shape, said in one sentence with a hint.

    >>> print(wrong_type([1, 2], "a number", "give one number"))
    ✗ not yet: the answer should be a number, but it is a list of 2 items (hint: give one number)
    """
    return not_yet(f"the answer should be {expected}, but it is {describe(answer)}", hint)


def describe(answer: object) -> str:
    """What an answer is, in a few words, for messages.

    >>> describe(None), describe("0.5"), describe((1, 2, 3)), describe(len)
    ('None', "a str ('0.5')", 'a tuple of 3 items', 'the function len')
    """
    if answer is None:
        return "None"
    if answer is ...:
        return "the placeholder ..."
    if isinstance(answer, bool):
        return f"the bool {answer}"
    if isinstance(answer, numbers.Number):
        return f"the number {answer!r}"
    if isinstance(answer, str):
        text = answer if len(answer) <= 30 else answer[:27] + "..."
        return f"a str ({text!r})"
    if isinstance(answer, type):
        return f"the class {answer.__name__}"
    if isinstance(answer, (list, tuple, set, dict)):
        n = len(answer)
        return f"a {type(answer).__name__} of {n} item{'' if n == 1 else 's'}"
    data = as_number(getattr(answer, "data", None))
    if data is not None:
        return f"{_a(type(answer).__name__)} (data={show(data)})"
    if inspect.isroutine(answer):
        name = getattr(answer, "__name__", "")
        return "a lambda function" if name == "<lambda>" else f"the function {name}"
    return _a(type(answer).__name__)


def _a(noun: str) -> str:
    """``noun`` with its indefinite article: "a list", "an object"."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def show(x: float) -> str:
    """A number as a learner would write it: up to 6 significant digits.

    >>> show(2.0), show(0.1 + 0.2), show(1 / 3), show(-1.5e-12)
    ('2', '0.3', '0.333333', '-1.5e-12')
    """
    return format(x, ".6g")


def close(got: float, expected: float, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """``|got - expected| <= atol + rtol * |expected|`` (NaN is never close)."""
    return abs(got - expected) <= atol + rtol * abs(expected)


def as_number(answer: object) -> float | None:
    """The answer as a float if it is a real number (int, float, Fraction, numpy scalar),
    else None. A bool is not a number here, nor a Value (give its ``.data`` or ``.grad``)."""
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        return None
    return float(answer)


def error_text(error: BaseException) -> str:
    """An exception as one short phrase: ``ZeroDivisionError: division by zero``."""
    text = " ".join(str(error).split())
    if len(text) > 160:
        text = text[:157] + "..."
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def attempt(what: str, action: Callable[[], T], hint: str) -> T:
    """Run learner code; if it raises, stop with a verdict saying what raised what.

    ``what`` names the code for the message ("Value(2.0) + 3"); ``hint`` says where to look.
    """
    try:
        return action()
    except Exception as error:
        reject(f"{what} raised {error_text(error)}", hint)


def expect_number(
    answer: object,
    expected: float,
    *,
    name: str,
    hint: str,
    rtol: float = RTOL,
    atol: float = ATOL,
) -> Verdict:
    """The whole check for an answer that is one number: type, then value.

    Args:
        answer: the learner's answer.
        expected: the right number.
        name: what the number is, for the messages ("dL/dw1").
        hint: said when the number is wrong.
        rtol, atol: how close counts as equal (see :func:`close`).
    """
    got = as_number(answer)
    if got is None:
        if isinstance(answer, str):
            type_hint = "write the number itself, without quotes"
        elif isinstance(answer, (list, tuple)):
            type_hint = "give one number, not a list"
        elif as_number(getattr(answer, "data", None)) is not None:
            type_hint = "give a number: a Value's number is its .data, its gradient its .grad"
        else:
            type_hint = f"put the number for {name} into answer"
        return wrong_type(answer, "a number", type_hint)
    if not close(got, expected, rtol, atol):
        return not_yet(f"{name} should be {show(expected)}, you gave {show(got)}", hint)
    return right(f"right: {name} is {show(expected)}")


def expect_numbers(
    answer: object,
    expected: Sequence[float],
    *,
    name: str,
    hint: str,
    rtol: float = RTOL,
    atol: float = ATOL,
) -> Verdict:
    """The whole check for an answer that is a list (or tuple, or numpy array) of numbers.

    >>> print(expect_numbers([1, 2], [1.0, 2.0, 3.0], name="the grads", hint="one per input"))
    ✗ not yet: the grads should be 3 numbers, you gave 2 (hint: one per input)
    >>> print(expect_numbers([1, 2, 4], [1.0, 2.0, 3.0], name="the grads", hint="look again"))
    ✗ not yet: the grads: number 3 should be 3, you gave 4 (hint: look again)
    """
    tolist = getattr(answer, "tolist", None)
    if callable(tolist) and not isinstance(answer, (list, tuple)):
        answer = tolist()  # a numpy array (or a tensor) as a list
    if not isinstance(answer, (list, tuple)):
        return wrong_type(
            answer, f"a list of {len(expected)} numbers", f"write [..., ...] with {name}"
        )
    if len(answer) != len(expected):
        return not_yet(f"{name} should be {len(expected)} numbers, you gave {len(answer)}", hint)
    for i, (item, want) in enumerate(zip(answer, expected, strict=True), start=1):
        got = as_number(item)
        if got is None:
            return not_yet(
                f"{name}: item {i} should be a number, but it is {describe(item)}",
                "every item of the list must be a plain number",
            )
        if not close(got, want, rtol, atol):
            return not_yet(f"{name}: number {i} should be {show(want)}, you gave {show(got)}", hint)
    return right(f"right: {name} are {', '.join(show(x) for x in expected)}")


class Checker:
    """A checker as the notebook calls it: ``check_something(answer)`` -> True or False.

    Made by :func:`checker` from a body that returns a :class:`Verdict`. Calling it
    prints the verdict as one line. ``judge(answer)`` returns the verdict without
    printing, for a checker that builds on another one.

    Attributes:
        start: how to begin, printed for the placeholder ``...``.
    """

    def __init__(self, body: Callable[[Any], Verdict], start: str) -> None:
        self._body = body
        self.start = start
        self.__name__ = body.__name__
        self.__qualname__ = body.__qualname__
        self.__module__ = body.__module__
        self.__doc__ = body.__doc__
        self.__wrapped__ = body

    def judge(self, answer: object) -> Verdict:
        """The verdict on ``answer``, without printing it. Never raises for a wrong answer."""
        if answer is ...:
            return Verdict("start", self.start)
        try:
            return self._body(answer)
        except AnswerError as wrong:
            return wrong.verdict
        except Exception as error:
            if RAISE_CHECKER_ERRORS:
                raise
            return not_yet(
                f"checking your answer ran into {error_text(error)}",
                "this is unexpected: look at the answer's type, and tell your teacher",
            )

    def __call__(self, answer: object) -> bool:
        verdict = self.judge(answer)
        print(verdict)
        return verdict.ok

    def __repr__(self) -> str:
        return f"<checker {self.__module__}.{self.__name__}>"


def checker(start: str) -> Callable[[Callable[[Any], Verdict]], Checker]:
    """Decorate a checker body (``answer`` -> :class:`Verdict`) to make a :class:`Checker`.

    Args:
        start: what to do first, printed when the answer is still the placeholder ``...``
            ("write the class Value below, then set answer = Value").
    """

    def decorate(body: Callable[[Any], Verdict]) -> Checker:
        return Checker(body, start)

    return decorate
