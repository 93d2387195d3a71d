"""Switching graph recording off and on: :class:`no_grad`, :class:`enable_grad`.

Inside ``with no_grad():`` every op still computes its value, but the result is a
leaf: it remembers no children, so nothing can be backpropagated through it and no
graph is kept in memory. Use it for evaluation and for optimizer updates.

The switch is global to the process (not per thread), which keeps the check on every
op down to reading one variable.
"""

from __future__ import annotations

from contextlib import ContextDecorator
from types import TracebackType

_enabled = True


def is_grad_enabled() -> bool:
    """Whether ops currently record the graph (False inside :class:`no_grad`)."""
    return _enabled


class _GradMode(ContextDecorator):
    """Sets whether ops record the graph inside a ``with`` block (or a decorated function)."""

    recording: bool

    def __init__(self) -> None:
        # A stack, not one saved flag: the same instance may be entered again
        # before it exits (a decorated function that calls itself).
        self._saved: list[bool] = []

    def __enter__(self) -> _GradMode:
        global _enabled
        self._saved.append(_enabled)
        _enabled = self.recording
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        global _enabled
        _enabled = self._saved.pop()


class no_grad(_GradMode):  # noqa: N801 - named like torch.no_grad, which users know
    """Context manager and decorator under which ops record no graph.

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
