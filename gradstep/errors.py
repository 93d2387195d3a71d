"""How the command fails: one line on standard error and an exit status, never a traceback.

* :class:`UsageError`: the input is wrong (a malformed formula, an option out of range, an
  output path that cannot be written): exit status :data:`EXIT_BAD_INPUT` (2), as for
  argparse's own errors.
* :class:`RunFailedError`: the input is fine but the run cannot finish (Graphviz is
  missing, training diverged, the disk is full, the installation is broken):
  :data:`EXIT_RUN_FAILED` (1).
* Ctrl-C: :data:`EXIT_INTERRUPTED` (130, the shell's 128 + SIGINT).

Whenever a message repeats what the user typed (a formula, a path, a name), it goes
through :func:`shown`, so that the line stays one readable line whatever was typed.
"""

from __future__ import annotations

from gradstep.limits import ECHO_LIMIT

EXIT_OK = 0
EXIT_RUN_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """Bad input from the user: reported in one line, exit status 2."""


class RunFailedError(Exception):
    """Valid input, but the run could not finish: reported in one line, exit status 1."""


def one_line(error: BaseException) -> str:
    """The message of ``error`` on one line (or its type's name if it has none)."""
    return " ".join(str(error).split()) or type(error).__name__


def _escaped(char: str, quote: str) -> str:
    """``char`` as it can be shown on a terminal: itself if printable, else an escape."""
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        # Python decodes a byte that is not valid UTF-8 in a command-line argument or a
        # file name as the lone surrogate U+DC80 + byte ("surrogateescape"): show the byte.
        return f"\\x{code - 0xDC00:02x}"
    if char == "\\" or (quote and char == quote):
        return "\\" + char
    if char.isprintable():
        return char
    return repr(char)[1:-1]  # \n, \t, \x1b, \u200b...: Python's own spelling


def shown(text: str, *, limit: int | None = ECHO_LIMIT, quote: bool = True) -> str:
    """User text as a message may repeat it: on one line, escaped, quoted, and cut.

    Every character that is not printable (a newline, a terminal's escape sequences, a
    byte that was not valid UTF-8) is written as a Python escape, so the text can neither
    break the message onto two lines nor drive the terminal. Text longer than ``limit``
    characters (once escaped) is cut, and the message says how long it was.

    Args:
        text: what the user typed.
        limit: most characters to show; None shows everything (a path that a success
            message reports, which the user may want to copy).
        quote: put the text in quotes, as Python's ``repr`` does (single quotes unless
            the text holds one and no double quote).

    Example:
        >>> print(shown("tanh(x)"), shown("a\\nb"), shown("x\\udcff"), shown("f('a')"))
        'tanh(x)' 'a\\nb' 'x\\xff' "f('a')"
        >>> print(shown("x" * 1000, limit=10))
        'xxxxxxxxxx'… (1000 characters)
        >>> print(shown("out/loss.png", quote=False))
        out/loss.png
    """
    mark = ""
    if quote:
        mark = '"' if "'" in text and '"' not in text else "'"
    pieces: list[str] = []
    used = 0
    for char in text:
        piece = _escaped(char, mark)
        if limit is not None and used + len(piece) > limit:
            return f"{mark}{''.join(pieces)}{mark}… ({len(text)} characters)"
        pieces.append(piece)
        used += len(piece)
    return f"{mark}{''.join(pieces)}{mark}"
