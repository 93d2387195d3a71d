"""Switching graph recording off and on: :class:`no_grad`, :class:`enable_grad`.

Inside ``with no_grad():`` every op still computes its value, but the result is a
leaf: it remembers no children, so nothing can be backpropagated through it and no
graph is kept in memory. Use it for evaluation and for optimizer updates.

The switch belongs to the thread, as in PyTorch: a ``no_grad`` block in one thread
never stops another thread from recording, and every thread starts out recording.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from contextlib import ContextDecorator
from types import TracebackType
from typing import ClassVar, TypeVar

F = TypeVar("F", bound=Callable[..., object])


class _State(threading.local):
    """Per-thread: whether ops record the graph (a new thread starts with the default)."""

    enabled = True


state = _State()
"""This thread's recording switch."""

threads_off = 0
"""How many threads have recording switched off right now. Every op asks whether to
record; while no thread is in ``no_grad`` (nearly always), this global answers, and
the thread-local switch, five times slower to read, is not consulted."""

_lock = threading.Lock()


def _switch(enabled: bool) -> None:
    """Set this thread's switch, keeping :data:`threads_off` in step."""
    global threads_off
    if enabled != state.enabled:
        with _lock:
            threads_off += -1 if enabled else 1
        state.enabled = enabled


def is_grad_enabled() -> bool:
    """Whether ops currently record the graph in this thread (False inside :class:`no_grad`)."""
    return state.enabled


class _GradMode(ContextDecorator):
    """Sets whether ops record the graph inside a ``with`` block (or a decorated function)."""

    recording: ClassVar[bool]

    def __init__(self) -> None:
        # What to restore on exit: a stack, since the same object may be entered again
        # before it exits, and per thread, since two threads may share the object.
        self._saved = threading.local()

    def _stack(self) -> list[bool]:
        stack: list[bool] | None = getattr(self._saved, "stack", None)
        if stack is None:
            stack = self._saved.stack = []
        return stack

    def __call__(self, func: F) -> F:
        if inspect.isgeneratorfunction(func) or inspect.isasyncgenfunction(func):
            kind = "a generator" if inspect.isgeneratorfunction(func) else "an async generator"
            raise TypeError(
                f"{type(self).__name__}() cannot decorate {kind} function "
                f"({func.__qualname__}): the mode would end before its body runs. "
                f"Use `with {type(self).__name__}():` inside the function instead."
            )
        return super().__call__(func)

    def __enter__(self) -> _GradMode:
        self._stack().append(state.enabled)
        _switch(self.recording)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        _switch(self._stack().pop())


class no_grad(_GradMode):  # noqa: N801 - named like torch.no_grad, which users know
    """Context manager and decorator under which ops record no graph (in this thread).

    Example:
        >>> from autograd import Value, no_grad
        >>> x = Value(2.0)
        >>> with no_grad():
        ...     y = x * x
        >>> y.op, y.children
        ('', ())
        >>> @no_grad()
        ... def evaluate(v):
        ...     return v * 3
        >>> evaluate(x).children
        ()
    """

    recording = False


class enable_grad(_GradMode):  # noqa: N801 - named like torch.enable_grad
    """Context manager and decorator under which ops record the graph, even inside no_grad.

    ``autograd.grad(..., create_graph=True)`` uses it: a gradient asked for as a graph is
    recorded as one wherever it is computed.

    Example:
        >>> from autograd import Value, enable_grad, no_grad
        >>> x = Value(2.0)
        >>> with no_grad(), enable_grad():
        ...     y = x * x
        >>> y.op
        '*'
    """

    recording = True
