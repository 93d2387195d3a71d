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

import contextlib
import inspect
import math
import numbers
import os
import sys
import sysconfig
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NoReturn, TypeVar

from autograd import enable_grad

__all__ = [
    "RAISE_CHECKER_ERRORS",
    "AnswerError",
    "Checker",
    "Mistake",
    "Verdict",
    "as_number",
    "attempt",
    "checker",
    "close",
    "describe",
    "error_text",
    "expect_number",
    "expect_numbers",
    "hint_for",
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
        # Always one line, and no control characters (a learner's exception message may
        # hold an ANSI escape or a NUL): anything unprintable becomes a space.
        printable = "".join(c if c.isprintable() else " " for c in line)
        return " ".join(printable.split())


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
    >>> describe(10**5000)
    'an integer of about 5001 digits'

    Never raises: an answer whose own ``__len__``, ``__repr__`` or attributes raise is
    described by its type alone ("a Broken").
    """
    try:
        return _describe(answer)
    except Exception:
        return _a(type(answer).__name__)


def _describe(answer: object) -> str:
    if answer is None:
        return "None"
    if answer is ...:
        return "the placeholder ..."
    if isinstance(answer, bool):
        return f"the bool {answer}"
    if isinstance(answer, int) and answer.bit_length() > _BIG_INT_BITS:
        # repr() refuses ints of more than 4300 digits, and such a number is unreadable
        return f"an integer of about {int(answer.bit_length() * math.log10(2)) + 1} digits"
    if isinstance(answer, numbers.Number):
        text = repr(answer)
        return f"the number {text if len(text) <= 30 else text[:27] + '...'}"
    if isinstance(answer, str):
        text = answer if len(answer) <= 30 else answer[:27] + "..."
        return f"a str ({text!r})"
    if isinstance(answer, type):
        return f"the class {answer.__name__}"
    if isinstance(answer, (list, tuple, set, dict)):
        n = len(answer)
        return f"a {type(answer).__name__} of {n} item{'' if n == 1 else 's'}"
    data = _data_of(answer)
    if data is not None:
        return f"{_a(type(answer).__name__)} (data={show(data)})"
    if inspect.isroutine(answer):
        name = getattr(answer, "__name__", "")
        return "a lambda function" if name == "<lambda>" else f"the function {name}"
    return _a(type(answer).__name__)


_BIG_INT_BITS = 1024
"""Ints longer than this (about 308 digits, beyond the float range) are described by their
number of digits."""


def _data_of(answer: object) -> float | None:
    """``answer.data`` as a number if the answer is a Value-like object, else None (also
    when reading ``.data`` raises)."""
    try:
        return as_number(getattr(answer, "data", None))
    except Exception:
        return None


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
    else None. A bool is not a number here, nor a Value (give its ``.data`` or ``.grad``).

    An int too large for a float is ``inf`` (or ``-inf``), which is close to no expected
    number; a "number" whose ``__float__`` raises is not a number (None).

    >>> as_number(3), as_number(-(10**400)), as_number("3")
    (3.0, -inf, None)
    """
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        return None
    try:
        return float(answer)
    except OverflowError:
        return -math.inf if answer < 0 else math.inf
    except Exception:
        return None


Mistake = tuple[float | Sequence[float], str]
"""A known wrong answer (a number, or the first numbers of a list) and what to say about it."""


def _matches(answer: object, wrong: float | Sequence[float]) -> bool:
    """Whether ``answer`` is (close to) the number ``wrong``, or starts with the numbers of
    the list ``wrong`` (the first few often tell which slip it was)."""
    if isinstance(wrong, (int, float)):
        got = as_number(answer)
        return got is not None and close(got, wrong)
    if not isinstance(answer, (list, tuple)) or not wrong or len(answer) < len(wrong):
        return False
    return all(_matches(a, w) for a, w in zip(answer, wrong, strict=False))


def hint_for(answer: object, mistakes: Sequence[Mistake], default: str) -> str:
    """The hint of the first known slip that ``answer`` matches, else ``default``.

    >>> hint_for(-8, [(-8.0, "that is x ** 3 itself")], "d(x ** 3)/dx = 3 x ** 2")
    'that is x ** 3 itself'
    >>> hint_for([1, 2, 7], [([1.0, 2.0], "the other order")], "look again")
    'the other order'
    """
    return next((hint for wrong, hint in mistakes if _matches(answer, wrong)), default)


def error_text(error: BaseException) -> str:
    """An exception as one short phrase: ``ZeroDivisionError: division by zero``.

    Never raises, also for an exception whose own ``__str__`` raises (its name alone).
    """
    try:
        text = " ".join(str(error).split())
    except Exception:
        text = ""
    if len(text) > 160:
        text = text[:157] + "..."
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def attempt(what: str, action: Callable[[], T], hint: str) -> T:
    """Run learner code; if it raises, stop with a verdict saying what raised what.

    ``what`` names the code for the message ("Value(2.0) + 3"); ``hint`` says where to look.
    Any exception counts, also ``SystemExit`` or another ``BaseException`` the learner's
    code raises, except ``KeyboardInterrupt``: interrupting the kernel still stops a
    learner's function that hangs.
    """
    try:
        return action()
    except KeyboardInterrupt:
        raise
    except BaseException as error:
        reject(f"{what} raised {error_text(error)}", hint)


def _given(answer: object, number: float) -> str:
    """The learner's number for a message: an int beyond the float range by its digits."""
    return describe(answer) if math.isinf(number) and isinstance(answer, int) else show(number)


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
        elif _data_of(answer) is not None:
            type_hint = "give a number: a Value's number is its .data, its gradient its .grad"
        else:
            type_hint = f"put the number for {name} into answer"
        return wrong_type(answer, "a number", type_hint)
    if not close(got, expected, rtol, atol):
        return not_yet(f"{name} should be {show(expected)}, you gave {_given(answer, got)}", hint)
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
    given = answer
    if not isinstance(answer, (list, tuple)):
        with contextlib.suppress(Exception):  # not an array: said below
            answer = answer.tolist()  # type: ignore[attr-defined]  # a numpy array or tensor
    try:
        # a plain list, also of a list subclass (whose own __len__ or __iter__ may raise)
        items = list(answer) if isinstance(answer, (list, tuple)) else None
    except Exception:
        items = None
    if items is None:
        return wrong_type(
            given, f"a list of {len(expected)} numbers", f"write [..., ...] with {name}"
        )
    answer = items
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
            return not_yet(
                f"{name}: number {i} should be {show(want)}, you gave {_given(item, got)}", hint
            )
    return right(f"right: {name} are {', '.join(show(x) for x in expected)}")


def _library_folders() -> tuple[str, ...]:
    """The folders whose code is not the learner's: the checkers, gradstep's packages,
    the standard library and the installed packages."""
    folders = {Path(__file__).resolve().parent}
    paths = sysconfig.get_paths()
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        if key in paths:
            folders.add(Path(paths[key]).resolve())
    for package in ("autograd", "nn", "viz", "gradstep"):
        file = getattr(sys.modules.get(package), "__file__", None)
        if file:
            folders.add(Path(file).resolve().parent)
    return tuple(str(folder) + os.sep for folder in folders)


def _learner_code_that_raised(error: BaseException, body: Callable[..., object]) -> str | None:
    """The name of the function where ``error`` was raised (``__len__``, ``__eq__``...) if
    that is the learner's code (a notebook cell, their own module), else None: not when
    it was raised in the checker's module (that of ``body``), the library or Python's.

    The checkers call the learner's code outside :func:`attempt` too, each time they read
    an attribute of the answer, compare it or take its length; an exception raised there
    is the learner's mistake, not a bug in the checker.
    """
    traceback = error.__traceback__
    if traceback is None:
        return None
    while traceback.tb_next is not None:
        traceback = traceback.tb_next
    code = traceback.tb_frame.f_code
    file = code.co_filename
    if file.startswith("<frozen"):
        return None
    body_file = getattr(getattr(body, "__code__", None), "co_filename", None)
    if file == body_file:
        return None
    if not file.startswith("<"):
        file = str(Path(file).resolve())
        if file.startswith(_library_folders()):
            return None
    return code.co_name


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
            # The checkers compute the right numbers with gradstep: recording on, even if
            # the learner's code entered no_grad() and never left it (a property that
            # calls no_grad().__enter__() would otherwise turn every later check wrong).
            with enable_grad():
                return self._body(answer)
        except AnswerError as wrong:
            return wrong.verdict
        except KeyboardInterrupt:
            raise  # interrupting the kernel stops a checker stuck in the learner's code
        except BaseException as error:  # also SystemExit from the learner's code
            method = _learner_code_that_raised(error, self._body)
            if method is not None:
                return not_yet(
                    f"checking your answer, your own {method} raised {error_text(error)}",
                    f"the checker uses your answer as the exercise says: look at {method}",
                )
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
