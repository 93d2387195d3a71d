"""Saving and loading a model's numbers as JSON: :func:`save` and :func:`load`.

A checkpoint is a JSON object::

    {"format": "gradstep-checkpoint", "version": 1, "model": "MLP",
     "state_dict": {"0.weight": [[...]], ...}}

JSON, never pickle: loading a checkpoint cannot run code, and the file can be read
by anything (``json.load`` it and hand ``state_dict`` to a PyTorch model). Python
writes each float with the shortest text that reads back as the same float, so
numbers round-trip exactly.

A file is read only if it is at most :data:`MAX_CHECKPOINT_BYTES` long and holds
nothing but finite numbers where numbers belong: a checkpoint from elsewhere is input
like any other, and a NaN weight, a 5,000-digit integer or a 2 GB file should be
refused with a sentence, not loaded or crashed on.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import stat
from pathlib import Path
from typing import Any

from nn.module import Module, StateDictError

FORMAT = "gradstep-checkpoint"
VERSION = 1

MAX_CHECKPOINT_BYTES = 16 * 1024 * 1024
"""The largest checkpoint :func:`load` reads and :func:`save` writes: 16 MiB.

That is some 600,000 parameters, far more than a scalar engine trains in reasonable
time (a 2-16-16-1 MLP's checkpoint is about 20 KB). The bound keeps a foreign or
corrupt file from taking gigabytes of memory: JSON takes about ten times its size
once read into Python lists.
"""

MAX_INTEGER_DIGITS = 400
"""Integers longer than this are refused while reading (no float has more than 309
digits before its point); Python would refuse to convert one of 4,300 digits anyway,
with an error that names no key."""


class CheckpointError(ValueError):
    """A file is not a usable checkpoint for this model; the message says why."""


class _HugeInteger:
    """Stands in for an integer literal too long to be a number of a model."""

    __slots__ = ("digits",)

    def __init__(self, digits: int) -> None:
        self.digits = digits

    def __repr__(self) -> str:
        return f"an integer of {self.digits} digits"


def _first_non_finite(model: Module, state_dict: dict[str, Any]) -> str | None:
    """The first NaN or infinite number of the model's state, with its name, or None."""
    for name, value in model.named_parameters():
        if not math.isfinite(value.data):
            return f"parameter {name} is {value.data}"
    for key, entry in state_dict.items():  # the parameters are finite: this is a buffer
        for i, number in enumerate(entry if isinstance(entry, list) else [entry]):
            if isinstance(number, float) and not math.isfinite(number):
                return f"buffer {key}[{i}] is {number}"
    return None


_KINDS = {
    stat.S_IFDIR: "a folder",
    stat.S_IFIFO: "a FIFO (a named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def _regular_target(path: Path) -> Path:
    """The file that saving to ``path`` replaces: ``path`` itself, or, if it is a
    symbolic link, the file it leads to (so the link stays a link).

    Raises:
        CheckpointError: if that file exists but is not a regular file (a folder, a
            FIFO, a device such as /dev/null, a socket) or the link leads nowhere but
            to itself; replacing it with a regular file would break whatever used it.
    """
    real = Path(os.path.realpath(path))
    try:
        mode = os.lstat(real).st_mode
    except FileNotFoundError:
        return real  # a new file (or the missing target of a link): created as open() would
    if stat.S_ISLNK(mode):  # realpath stops at a link it cannot resolve: a loop
        raise CheckpointError(f"cannot save to {path}: it is a symbolic link in a loop")
    if not stat.S_ISREG(mode):
        kind = _KINDS.get(stat.S_IFMT(mode), "not a regular file")
        raise CheckpointError(
            f"cannot save to {path}: it exists and is {kind}, not a regular file; "
            "refusing to replace it with one"
        )
    return real


def _create_like_open(target: Path) -> tuple[int, Path]:
    """A new temporary file next to ``target``, with the permissions ``open(target, "w")``
    would give: those of ``target`` if it exists, else 0o666 less the umask.

    Its name, ``.gradstep-`` and 12 random hex digits, is 27 characters long whatever
    the target's name, so it fits in the folder wherever the target's name fits (a
    name built from the target's would be too long for a name near the 255 limit).
    ``tempfile.mkstemp`` would always make it 0o600, private whatever the umask.
    """
    for _ in range(100):
        temp = target.parent / f".gradstep-{secrets.token_hex(6)}.tmp"
        try:
            # O_EXCL: never reuse a file someone else made; the OS applies the umask.
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        try:
            os.chmod(temp, stat.S_IMODE(os.stat(target).st_mode))
        except FileNotFoundError:
            pass  # a new file: the umask decided
        except BaseException:
            os.close(fd)
            temp.unlink(missing_ok=True)
            raise
        return fd, temp
    raise FileExistsError(f"could not create a temporary file next to {target}")


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.1f} MiB"


def save(model: Module, path: str | os.PathLike[str]) -> Path:
    """Write ``model.state_dict()`` to ``path`` as JSON, atomically.

    The JSON goes to a temporary file in the same folder (named ``.gradstep-`` and
    random hex digits, short whatever ``path``'s length), which is flushed to disk and
    then renamed over the target (``os.replace``): a crash mid-write leaves the old
    file intact, never a half-written one, and two saves to the same file at once
    leave one of the two whole. The file gets the permissions ``open()`` would give
    it (those of the file it replaces, or 0o666 less the umask).

    If ``path`` is a symbolic link, the file it leads to is replaced and the link
    stays, as ``open(path, "w")`` would do. A ``path`` that exists but is not a
    regular file (a folder, a FIFO, a device such as ``/dev/null``) is refused:
    renaming a file over it would replace the device itself.

    Returns:
        ``path``, as a ``Path``.

    Raises:
        CheckpointError (a ValueError): nothing is written, if a parameter or buffer
            is NaN or infinite (training diverged: standard JSON has no such numbers,
            so other tools could not read the file), if the file would be larger than
            :data:`MAX_CHECKPOINT_BYTES` (:func:`load` would refuse it), or if
            ``path`` is not a regular file (see above).
        OSError: if the folder does not exist or cannot be written to (e.g.
            ``PermissionError`` for a read-only folder); nothing is left behind.

    Example:
        >>> import nn, tempfile, os
        >>> model = nn.MLP(2, [3, 1], seed=0)
        >>> path = os.path.join(tempfile.mkdtemp(), "model.json")
        >>> _ = nn.save(model, path)
        >>> copy = nn.load(nn.MLP(2, [3, 1], seed=1), path)
        >>> copy.state_dict() == model.state_dict()
        True
    """
    given = Path(path)
    state_dict = model.state_dict()
    problem = _first_non_finite(model, state_dict)
    if problem is not None:
        raise CheckpointError(
            f"cannot save {type(model).__name__} to {given}: {problem} (did training "
            "diverge?); standard JSON has no NaN or infinity, so other tools could not "
            "read the file"
        )
    document = {
        "format": FORMAT,
        "version": VERSION,
        "model": type(model).__name__,
        "state_dict": state_dict,
    }
    text = json.dumps(document, indent=1, allow_nan=False)  # ASCII: one byte a character
    if len(text) > MAX_CHECKPOINT_BYTES:
        raise CheckpointError(
            f"cannot save {type(model).__name__} to {given}: its checkpoint would take "
            f"{_megabytes(len(text))}, more than the {_megabytes(MAX_CHECKPOINT_BYTES)} "
            "that nn.load reads (MAX_CHECKPOINT_BYTES)"
        )
    target = _regular_target(given)
    fd, temp = _create_like_open(target)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return given


def _read_limited(source: Path) -> bytes:
    """The bytes of ``source``, or CheckpointError if there are more than the limit.

    A regular file's size is checked before anything is read; anything else (a pipe,
    a device such as /dev/zero) is read no further than one byte past the limit.
    """

    def too_large(size: str) -> CheckpointError:
        return CheckpointError(
            f"{source} is not loaded: it is {size}, more than the "
            f"{_megabytes(MAX_CHECKPOINT_BYTES)} a checkpoint may take (MAX_CHECKPOINT_BYTES; "
            "a model this scalar engine can train takes far less)"
        )

    with open(source, "rb") as f:
        info = os.fstat(f.fileno())
        if stat.S_ISREG(info.st_mode) and info.st_size > MAX_CHECKPOINT_BYTES:
            raise too_large(_megabytes(info.st_size))
        data = f.read(MAX_CHECKPOINT_BYTES + 1)
    if len(data) > MAX_CHECKPOINT_BYTES:  # a file that grew, a pipe, a device
        raise too_large("longer")
    return data


def _place(path: tuple[str | int, ...]) -> str:
    """A place in the document as messages name it: ``version``, ``0.weight[3,1]``."""
    keys = [p for p in path if isinstance(p, str)]
    if keys[:1] == ["state_dict"] and len(keys) > 1:
        keys = keys[1:]  # the state dict's keys are what users know
    indices = [str(p) for p in path if isinstance(p, int)]
    return ".".join(keys) + (f"[{','.join(indices)}]" if indices else "")


def _find_huge_integer(document: Any) -> str | None:
    """Where the first :class:`_HugeInteger` of ``document`` is, or None (iteratively: the
    document may be nested as deeply as the JSON reader allows)."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), document)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, _HugeInteger):
            return f"{_place(path)} is {node!r}"
        if isinstance(node, dict):
            children = list(node.items())
        elif isinstance(node, list):
            children = list(enumerate(node))
        else:
            continue
        stack.extend(((*path, key), child) for key, child in reversed(children))
    return None


def _parse(text: str, source: Path) -> Any:
    """The JSON document in ``text``, or CheckpointError saying why there is none."""
    huge = False

    def read_int(literal: str) -> int | _HugeInteger:
        nonlocal huge
        digits = len(literal.lstrip("-"))
        if digits > MAX_INTEGER_DIGITS:
            huge = True
            return _HugeInteger(digits)
        return int(literal)

    try:
        document = json.loads(text, parse_int=read_int)
    except json.JSONDecodeError as error:
        raise CheckpointError(
            f"{source} is not a checkpoint: it is not valid JSON, perhaps truncated ({error})"
        ) from None
    except RecursionError:
        raise CheckpointError(
            f"{source} is not a checkpoint: its JSON is nested too deeply to read"
        ) from None
    if huge:
        raise CheckpointError(
            f"{source} is not loaded: {_find_huge_integer(document)}, too large to be "
            "a number of a model"
        )
    return document


def load(model: Module, path: str | os.PathLike[str], strict: bool = True) -> Module:
    """Load a checkpoint written by :func:`save` into ``model``; returns ``model``.

    The file is checked whole before the model changes: its size (at most
    :data:`MAX_CHECKPOINT_BYTES`, checked before reading), its JSON, its format and
    version (exactly 1), and every number, which must be finite (no ``NaN``,
    ``Infinity``, or ``1e999``, which reads as infinity), not a huge integer, and fit
    its entry (a whole number from 0 for a counter, a non-negative ``running_var``);
    see :meth:`Module.load_state_dict`.

    Args:
        model: a model of the same architecture (its numbers are replaced).
        path: the checkpoint file.
        strict: as for :meth:`Module.load_state_dict`.

    Raises:
        CheckpointError (a ValueError): if the file is too large, is not valid JSON
            (e.g. truncated, binary, or nested too deeply to read), is not a gradstep
            checkpoint, has another version, holds a number that is not finite or is
            out of range (the message names its key), or does not fit the model
            (missing or unexpected keys, wrong shapes). The model is unchanged.
        FileNotFoundError: if there is no such file; another OSError if it cannot be
            read (a folder, no permission).
    """
    source = Path(path)
    data = _read_limited(source)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CheckpointError(
            f"{source} is not a checkpoint: it is a binary file, not JSON text "
            f"(byte {error.start} is {error.object[error.start : error.start + 1]!r})"
        ) from None
    del data  # the text and the document take memory enough
    document = _parse(text, source)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise CheckpointError(
            f'{source} is not a gradstep checkpoint (no "format": {FORMAT!r} in it)'
        )
    version = document.get("version")
    if type(version) is not int or version != VERSION:  # type(): true is no version
        newer = type(version) is int and version > VERSION
        raise CheckpointError(
            f"{source} has checkpoint version {version!r:.40}; this gradstep reads version "
            f"{VERSION}" + (" (a newer gradstep wrote it?)" if newer else "")
        )
    state_dict = document.get("state_dict")
    if not isinstance(state_dict, dict):
        raise CheckpointError(f"{source} has no state_dict object")
    try:
        model.load_state_dict(state_dict, strict=strict)
    except StateDictError as error:
        saved = document.get("model")
        saved_text = repr(saved[:60]) if isinstance(saved, str) else "an unnamed model"
        raise CheckpointError(
            f"{source} (saved from {saved_text}) cannot be loaded into this "
            f"{type(model).__name__}: {error}"
        ) from None
    return model
