"""The files the command writes: checked before any work starts, written atomically.

Every output path is checked when the command starts (:func:`output_path`,
:func:`output_folder`), so a typo in ``--save`` fails in a second, not after a minute of
training. Every file is then written by :func:`write_atomic`: into a temporary file in
the same folder, renamed over the target only once complete. An interrupted run (Ctrl-C,
a crash, a full disk) leaves the old file or none, never half of one.

A symbolic link is written through: its target gets the new content and the link stays.
A path that is not a regular file (a folder, a FIFO, a device such as ``/dev/null``) is
refused rather than replaced. A path checked up front that still fails while being
written (a full disk) is a failed run, exit status 1, not bad input.

Standard output (``-o -``) is checked up front too (:func:`check_stdout`: not closed),
and a document goes to it as bytes (:func:`write_stdout`).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import sys
from collections.abc import Callable, Collection, Mapping
from pathlib import Path

from gradstep.errors import RunFailedError, UsageError, shown

STDOUT = "-"
"""The output name that means standard output."""


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


def _too_long(path: Path) -> str | None:
    """Why the file system would refuse ``path`` for its length, or None.

    The kernel would say so only when the file is created, at the end of the run; the
    limits it applies can be asked for up front (255 bytes a name, 4096 a path, usually).
    """
    folder = path.parent
    try:
        name_max = os.pathconf(folder, "PC_NAME_MAX")
        path_max = os.pathconf(folder, "PC_PATH_MAX")
    except (OSError, ValueError):  # no such folder (reported next), or no such limit
        return None
    name_bytes, path_bytes = len(os.fsencode(path.name)), len(os.fsencode(path.absolute()))
    if name_bytes > name_max:
        return f"the file name is {name_bytes} bytes long; this file system's limit is {name_max}"
    if path_bytes >= path_max:
        return f"the path is {path_bytes} bytes long; this system's limit is {path_max - 1}"
    return None


def _unwritable(path: Path) -> str | None:
    """Why the file ``path`` cannot be written, checked without writing; None if it can.

    Catches, before any work: a name longer than the file system allows, a symbolic link
    that leads nowhere (a loop), a path that exists and is not a regular file, a folder
    that does not exist or cannot be written.
    """
    try:
        too_long = _too_long(path)  # first: a name too long cannot even be looked up
        if too_long is not None:
            return too_long
        target = path.resolve() if path.is_symlink() else path
        if target.exists() and not target.is_file():
            return "it exists and is not a regular file (refusing to replace it)"
        folder = target.parent
        if not folder.is_dir():
            return f"the folder {shown(str(folder))} does not exist"
    except OSError as error:
        return _reason(error)
    except RuntimeError:  # pathlib's "Symlink loop from ..." (before Python 3.13)
        return "the symbolic links lead in a loop"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"permission denied in the folder {shown(str(folder))}"
    return None


def output_folder(path: str, *, files: Collection[str] = (), option: str = "--out") -> Path:
    """Create the folder ``path`` (and its parents) and check that it can be written.

    Args:
        path: the folder as given.
        files: the names of the files the command will write into it: each must be
            writable too (none may be, say, a folder), checked now rather than after a
            long run.
        option: the option's name, for the message.

    Raises:
        UsageError: if it cannot be created or written, or one of ``files`` cannot be.
    """
    if not path:
        raise UsageError(f"{option} is empty: give a folder (. for the current one)")
    folder = Path(path)
    # mkdir says "File exists" for both, as if the folder were there: say what is.
    why = None
    with contextlib.suppress(OSError):  # a folder we may not look into: mkdir says so
        if folder.is_symlink() and not folder.exists():
            target = shown(os.readlink(folder))
            why = f"it is a broken symbolic link (to {target}: missing, or a loop)"
        elif folder.exists() and not folder.is_dir():
            why = "it exists and is not a folder"
    if why is not None:
        raise UsageError(f"{option} {shown(path)}: {why}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(
            f"{option} {shown(path)}: cannot create the folder: {_reason(error)}"
        ) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"{option} {shown(path)}: cannot write into the folder: permission denied")
    for name in files:
        why = _unwritable(folder / name)
        if why is not None:
            raise UsageError(f"{option} {shown(path)}: cannot write {shown(name)} in it: {why}")
    check_distinct({f"{shown(name)} in {option}": folder / name for name in files})
    return folder


def check_distinct(outputs: Mapping[str, Path]) -> None:
    """Refuse two outputs that are one file, before any work is done.

    A symbolic link is written through (``training.html`` linked to ``backprop.html``),
    so two outputs can name the same file: the one written second would silently
    replace the first.

    Args:
        outputs: each output's path, by how a message names it (``--player 'p.html'``,
            ``'loss.png' in --out``).

    Raises:
        UsageError: naming both outputs and the file they share.
    """
    seen: dict[str, str] = {}
    for what, path in outputs.items():
        real = os.path.realpath(path)
        if real in seen:
            raise UsageError(
                f"{seen[real]} and {what} are the same file, {shown(real)} (through a "
                "symbolic link): one would overwrite the other"
            )
        seen[real] = what


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
        UsageError: for another suffix, a name that is a suffix alone (``.html``), or
            a path that cannot be written (see :func:`_unwritable`).
    """
    given = Path(path)
    if given.name.lower() in suffixes:  # ".html": pathlib sees a hidden file, no suffix
        raise UsageError(
            f"{option} {shown(path)}: a suffix alone is no file name: give one such as "
            f"p{given.name}"
        )
    if given.suffix.lower() not in suffixes:
        accepted = ", ".join(sorted(suffixes))
        raise UsageError(
            f"{option} {shown(path)}: the file name must end in {accepted} (the suffix picks "
            "the format)"
        )
    why = _unwritable(given)
    if why is not None:
        raise UsageError(f"{option} {shown(path)}: cannot write: {why}")
    return given.resolve() if given.is_symlink() else given


def check_stdout(option: str) -> None:
    """Before any work: refuse to write to a standard output that is closed (``>&-``).

    Raises:
        RunFailedError: if it is closed (exit status 1: the input is fine, the
            surroundings are not).
    """
    if sys.stdout is None:
        raise RunFailedError(f"{option} {STDOUT}: standard output is closed: nowhere to write")


def write_stdout(data: bytes) -> None:
    """Write a whole document (SVG, HTML) to standard output, as the bytes it is made of.

    The bytes go out as they are, UTF-8 as the document itself declares, whatever the
    terminal's or the locale's encoding (which only concerns text meant for reading).

    Raises:
        BrokenPipeError: if the reader went away (``gradstep graph ... -o - | head``);
            the command then ends quietly.
        RunFailedError: for any other failure to write (a full disk...).
    """
    stream = sys.stdout
    try:
        stream.flush()  # whatever text went before, in order
        stream.buffer.write(data)
        stream.buffer.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        raise RunFailedError(f"cannot write to standard output: {_reason(error)}") from None


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
        RunFailedError: if the file cannot be written (the message names it and the
            reason). Its path was checked up front (:func:`output_path`), so what fails
            now is the surroundings (a full disk, a folder removed meanwhile), not the
            input: exit status 1.
    """
    target = path.resolve() if path.is_symlink() else path
    try:
        temp = _temporary_next_to(target)
    except OSError as error:
        raise RunFailedError(f"cannot write {shown(str(path))}: {_reason(error)}") from None
    try:
        write(temp)
        os.replace(temp, target)
    except OSError as error:
        temp.unlink(missing_ok=True)
        raise RunFailedError(f"cannot write {shown(str(path))}: {_reason(error)}") from None
    except BaseException:  # Ctrl-C included: no temporary file is left behind
        temp.unlink(missing_ok=True)
        raise
    return path
