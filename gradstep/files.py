"""The files the command writes: checked before any work starts, written atomically.

Every output path is checked when the command starts (:func:`output_path`,
:func:`output_folder`), so a typo in ``--save`` fails in a second, not after a minute of
training. Every file is then written by :func:`write_atomic`: into a temporary file in
the same folder, renamed over the target only once complete. An interrupted run (Ctrl-C,
a crash, a full disk) leaves the old file or none, never half of one.

A symbolic link is written through: its target gets the new content and the link stays.
A path that is not a regular file (a folder, a FIFO, a device such as ``/dev/null``) is
refused rather than replaced.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Callable, Collection
from pathlib import Path

from gradstep.errors import UsageError

STDOUT = "-"
"""The output name that means standard output."""


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


def output_folder(path: str) -> Path:
    """Create the folder ``path`` (and its parents) and check that it can be written.

    Raises:
        UsageError: if it cannot be created or written.
    """
    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"cannot create the output folder {path!r}: {_reason(error)}") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"cannot write into the output folder {path!r}: permission denied")
    return folder


def output_path(path: str, *, suffixes: Collection[str], option: str) -> Path:
    """Check an output file given on the command line, before any work is done.

    Args:
        path: the path as given.
        suffixes: the accepted suffixes, lower case with the dot (``.svg``...); the
            suffix picks the format, so any other one is refused.
        option: the option's name, for the message (``-o``, ``--save``).

    Returns:
        The path to write: for a symbolic link, the file it points to.

    Raises:
        UsageError: for another suffix, a missing or unwritable folder, or a path that
            exists and is not a regular file.
    """
    given = Path(path)
    if given.suffix.lower() not in suffixes:
        accepted = ", ".join(sorted(suffixes))
        raise UsageError(
            f"{option} {path!r}: the file name must end in {accepted} (the suffix picks the format)"
        )
    target = given.resolve() if given.is_symlink() else given
    if target.exists() and not target.is_file():
        raise UsageError(
            f"{option} {path!r}: cannot write: it exists and is not a regular file (refusing "
            "to replace it)"
        )
    folder = target.parent
    if not folder.is_dir():
        raise UsageError(
            f"{option} {path!r}: cannot write: the folder {str(folder)!r} does not exist"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"{option} {path!r}: cannot write into {str(folder)!r}: permission denied")
    return target


def _temporary_next_to(target: Path) -> Path:
    """Create an empty temporary file in ``target``'s folder and return its path.

    Its name is short whatever the target's length (a name at the file system's limit
    still has room for its temporary), keeps the target's suffix (matplotlib picks the
    format from it), and starts with a dot. Its permissions are those ``open(target,
    "w")`` would give: the existing file's, or 0o666 less the umask.
    """
    suffix = target.suffix if len(target.suffix) <= 8 else ""
    for _ in range(100):
        temp = target.parent / f".gradstep-{secrets.token_hex(6)}{suffix}"
        try:
            # O_EXCL: never take over a file that someone else made.
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        with contextlib.suppress(FileNotFoundError):  # a new file: the umask decided
            os.chmod(temp, stat.S_IMODE(os.stat(target).st_mode))
        return temp
    raise FileExistsError(f"could not create a temporary file next to {target}")


def write_atomic(path: Path, write: Callable[[Path], object]) -> Path:
    """Have ``write(temporary_path)`` write a file, then move it to ``path`` in one step.

    Args:
        path: the file to create or replace (for a symbolic link, its target is written).
        write: writes the whole file to the path it is given.

    Returns:
        ``path``.

    Raises:
        UsageError: if the file cannot be written (the message names it and the reason).
    """
    target = path.resolve() if path.is_symlink() else path
    try:
        temp = _temporary_next_to(target)
    except OSError as error:
        raise UsageError(f"cannot write {str(path)!r}: {_reason(error)}") from None
    try:
        write(temp)
        os.replace(temp, target)
    except OSError as error:
        temp.unlink(missing_ok=True)
        raise UsageError(f"cannot write {str(path)!r}: {_reason(error)}") from None
    except BaseException:  # Ctrl-C included: no temporary file is left behind
        temp.unlink(missing_ok=True)
        raise
    return path
