"""Give a learner their own copy of the course: the first half of ``make lab``.

Running a notebook and saving it writes its outputs into the file: notebook 01 grows
to half a megabyte, and the next ``git pull`` that touches it conflicts. So learners
work on a copy in ``lab/``, a folder git ignores, and ``notebooks/`` stays as the
clone has it.

This copies every file of the course folder (notebooks, ``images/``, ``solutions/``,
helper modules: whatever is there, minus caches and hidden files) into the lab folder,
**but only files the lab folder does not have yet**: a learner's notebooks are never
overwritten. After a ``git pull`` brings a new notebook, ``make lab`` adds it; to get
the new version of a notebook you already have, rename or delete your copy first.

Usage::

    python .ci/course/lab_copy.py [SOURCE [TARGET]]     # default: notebooks lab
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIPPED = {"__pycache__", ".ipynb_checkpoints", ".hypothesis", ".pytest_cache"}
"""Folders of caches that tools write next to the notebooks; never part of the course."""


def course_files(source: Path) -> list[Path]:
    """Every file of the course under ``source``, relative to it, sorted.

    Hidden files and folders (``.something``) and the caches in :data:`SKIPPED` are
    left out.
    """
    found = []
    for path in source.rglob("*"):
        relative = path.relative_to(source)
        if not path.is_file() or any(
            part.startswith(".") or part in SKIPPED for part in relative.parts
        ):
            continue
        found.append(relative)
    return sorted(found)


def copy_missing(source: Path, target: Path) -> tuple[list[Path], list[Path]]:
    """Copy into ``target`` each course file that it does not have yet.

    Args:
        source: the course folder (``notebooks/``).
        target: the learner's folder (``lab/``); created if missing.

    Returns:
        ``(copied, kept)``: the files copied now, and the files the learner already
        had and that were left as they are (both relative to the folders).
    """
    copied, kept = [], []
    for relative in course_files(source):
        destination = target / relative
        if destination.exists():
            kept.append(relative)
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / relative, destination)
        copied.append(relative)
    return copied, kept


def shown(path: Path) -> str:
    """``path`` relative to the repository when it is inside it (shorter messages)."""
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def main(argv: Sequence[str] | None = None) -> int:
    """Copy and say what was copied and what was kept; returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) > 2:
        print("usage: lab_copy.py [SOURCE [TARGET]]", file=sys.stderr)
        return 2
    source = Path(args[0]) if args else ROOT / "notebooks"
    target = Path(args[1]) if len(args) > 1 else ROOT / "lab"
    if not source.is_dir():
        print(f"lab: the course folder {source} does not exist", file=sys.stderr)
        return 2
    copied, kept = copy_missing(source, target)
    where = shown(target)
    if copied:
        notebooks = sum(1 for p in copied if p.suffix == ".ipynb")
        plural = "" if notebooks == 1 else "s"
        print(f"lab: copied {len(copied)} new files ({notebooks} notebook{plural}) into {where}/")
    if kept:
        print(
            f"lab: kept your {len(kept)} files already in {where}/ as they are (to get a "
            "fresh copy of one, rename or delete yours and run make lab again)"
        )
    if target.resolve() == (ROOT / "lab").resolve():
        print(f"lab: you work in {where}/, which git ignores: git pull never conflicts with it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
