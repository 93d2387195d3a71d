"""How the command fails: one line on standard error and an exit status, never a traceback.

* :class:`UsageError`: the input is wrong (a malformed formula, an option out of range, an
  output path that cannot be written): exit status :data:`EXIT_BAD_INPUT` (2), as for
  argparse's own errors.
* :class:`RunFailedError`: the input is fine but the run cannot finish (Graphviz is
  missing, training diverged, the installation is broken): :data:`EXIT_RUN_FAILED` (1).
* Ctrl-C: :data:`EXIT_INTERRUPTED` (130, the shell's 128 + SIGINT).
"""

from __future__ import annotations

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
