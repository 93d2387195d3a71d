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
import os
import tempfile
from pathlib import Path
from typing import Any

from nn.module import Module, StateDictError

FORMAT = "gradstep-checkpoint"
VERSION = 1


class CheckpointError(ValueError):
    """A file is not a usable checkpoint for this model; the message says why."""


def save(model: Module, path: str | os.PathLike[str]) -> Path:
    """Write ``model.state_dict()`` to ``path`` as JSON, atomically.

    The JSON goes to a temporary file in the same folder, which is flushed to disk and
    then renamed over ``path`` (``os.replace``): a crash mid-write leaves the old file
    intact, never a half-written one.

    Returns:
        The path written, as a ``Path``.

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
    document = {
        "format": FORMAT,
        "version": VERSION,
        "model": type(model).__name__,
        "state_dict": model.state_dict(),
    }
    text = json.dumps(document, indent=1)
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
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
        CheckpointError (a ValueError): if the file is not valid JSON (e.g. truncated),
            is not a gradstep checkpoint, has a newer version, or does not fit the
            model (missing or unexpected keys, wrong shapes). The model is unchanged.
        FileNotFoundError: if there is no such file.
    """
    source = Path(path)
    text = source.read_text(encoding="utf-8")
    try:
        document: Any = json.loads(text)
    except json.JSONDecodeError as error:
        raise CheckpointError(
            f"{source} is not a checkpoint: it is not valid JSON, perhaps truncated ({error})"
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
