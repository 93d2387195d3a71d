"""Saving and loading a model's numbers as JSON: :func:`save` and :func:`load`.

A checkpoint is a JSON object::

    {"format": "gradstep-checkpoint", "version": 1, "model": "MLP",
     "state_dict": {"0.weight": [[...]], ...}}

JSON, never pickle: loading a checkpoint cannot run code, and the file can be read
by anything (``json.load`` it and hand ``state_dict`` to a PyTorch model). Python
writes each float with the shortest text that reads back as the same float, so
numbers round-trip exactly.
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


class CheckpointError(ValueError):
    """A file is not a usable checkpoint for this model; the message says why."""


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


def _create_like_open(target: Path) -> tuple[int, Path]:
    """A new temporary file next to ``target``, with the permissions ``open(target, "w")``
    would give: those of ``target`` if it exists, else 0o666 less the umask.

    ``tempfile.mkstemp`` would always make it 0o600, private whatever the umask.
    """
    for _ in range(100):
        temp = target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp"
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


def save(model: Module, path: str | os.PathLike[str]) -> Path:
    """Write ``model.state_dict()`` to ``path`` as JSON, atomically.

    The JSON goes to a temporary file in the same folder, which is flushed to disk and
    then renamed over ``path`` (``os.replace``): a crash mid-write leaves the old file
    intact, never a half-written one. The file gets the permissions ``open()`` would
    give it (those of the file it replaces, or 0o666 less the umask).

    Returns:
        The path written, as a ``Path``.

    Raises:
        CheckpointError (a ValueError): if a parameter or buffer is NaN or infinite
            (training diverged): standard JSON has no such numbers, so the file could
            not be read by other tools. Nothing is written.

    Example:
        >>> import nn, tempfile, os
        >>> model = nn.MLP(2, [3, 1], seed=0)
        >>> path = os.path.join(tempfile.mkdtemp(), "model.json")
        >>> _ = nn.save(model, path)
        >>> copy = nn.load(nn.MLP(2, [3, 1], seed=1), path)
        >>> copy.state_dict() == model.state_dict()
        True
    """
    target = Path(path)
    state_dict = model.state_dict()
    problem = _first_non_finite(model, state_dict)
    if problem is not None:
        raise CheckpointError(
            f"cannot save {type(model).__name__} to {target}: {problem} (did training "
            "diverge?); standard JSON has no NaN or infinity, so other tools could not "
            "read the file"
        )
    document = {
        "format": FORMAT,
        "version": VERSION,
        "model": type(model).__name__,
        "state_dict": state_dict,
    }
    text = json.dumps(document, indent=1, allow_nan=False)
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
    return target


def load(model: Module, path: str | os.PathLike[str], strict: bool = True) -> Module:
    """Load a checkpoint written by :func:`save` into ``model``; returns ``model``.

    Args:
        model: a model of the same architecture (its numbers are replaced).
        path: the checkpoint file.
        strict: as for :meth:`Module.load_state_dict`.

    Raises:
        CheckpointError (a ValueError): if the file is not valid JSON (e.g. truncated,
            binary, or nested too deeply to read), is not a gradstep checkpoint, has a
            newer version, or does not fit the model (missing or unexpected keys, wrong
            shapes). The model is unchanged.
        FileNotFoundError: if there is no such file.
    """
    source = Path(path)
    try:
        text = source.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise CheckpointError(
            f"{source} is not a checkpoint: it is a binary file, not JSON text "
            f"(byte {error.start} is {error.object[error.start : error.start + 1]!r})"
        ) from None
    try:
        document: Any = json.loads(text)
    except json.JSONDecodeError as error:
        raise CheckpointError(
            f"{source} is not a checkpoint: it is not valid JSON, perhaps truncated ({error})"
        ) from None
    except RecursionError:
        raise CheckpointError(
            f"{source} is not a checkpoint: its JSON is nested too deeply to read"
        ) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise CheckpointError(
            f'{source} is not a gradstep checkpoint (no "format": {FORMAT!r} in it)'
        )
    version = document.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise CheckpointError(
            f"{source} has checkpoint version {version!r}; this gradstep reads up to {VERSION}"
        )
    state_dict = document.get("state_dict")
    if not isinstance(state_dict, dict):
        raise CheckpointError(f"{source} has no state_dict object")
    try:
        model.load_state_dict(state_dict, strict=strict)
    except StateDictError as error:
        saved = document.get("model", "?")
        raise CheckpointError(
            f"{source} (saved from: {saved}) does not fit this {type(model).__name__}: {error}"
        ) from None
    return model
