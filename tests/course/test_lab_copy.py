"""``make lab``'s copy step: the learner's folder gets what it lacks and keeps the rest."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import lab_copy

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".ci" / "course" / "lab_copy.py"


def clone_like(tmp_path: Path) -> Path:
    """A notebooks/ folder with a bit of everything a course folder may hold."""
    course = tmp_path / "notebooks"
    for name, text in {
        "01_first.ipynb": "first, as in git",
        "02_second.ipynb": "second, as in git",
        "README.md": "# The course",
        "helpers.py": "HELP = 1",
        "images/graph.png": "png",
        "solutions/01_first.py": "answer = 42",
        ".ipynb_checkpoints/01_first-checkpoint.ipynb": "junk",
        "__pycache__/helpers.cpython-311.pyc": "junk",
        ".hypothesis/examples/x": "junk",
    }.items():
        (course / name).parent.mkdir(parents=True, exist_ok=True)
        (course / name).write_text(text)
    return course


def test_copies_what_is_missing_and_keeps_the_learners_work(tmp_path: Path) -> None:
    course = clone_like(tmp_path)
    lab = tmp_path / "lab"
    (lab / "solutions").mkdir(parents=True)
    (lab / "01_first.ipynb").write_text("first, with the learner's outputs")
    (lab / "my_notes.ipynb").write_text("the learner's own")

    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(course), str(lab)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert (lab / "01_first.ipynb").read_text() == "first, with the learner's outputs"
    assert (lab / "my_notes.ipynb").read_text() == "the learner's own"
    for name in ("02_second.ipynb", "README.md", "helpers.py", "images/graph.png"):
        assert (lab / name).read_text() == (course / name).read_text()
    assert (lab / "solutions" / "01_first.py").read_text() == "answer = 42"
    assert not (lab / ".ipynb_checkpoints").exists()
    assert not (lab / "__pycache__").exists() and not (lab / ".hypothesis").exists()
    assert "copied 5 new files (1 notebook)" in result.stdout
    assert "kept your 1 files already in" in result.stdout
    assert result.stderr == ""

    (course / "03_third.ipynb").write_text("new after a git pull")
    copied, kept = lab_copy.copy_missing(course, lab)
    assert copied == [Path("03_third.ipynb")]
    assert len(kept) == 6


def test_make_lab_copy_fills_a_new_folder_with_the_course(tmp_path: Path) -> None:
    lab = tmp_path / "mylab"
    subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), "lab-copy", f"LAB={lab}"],
        capture_output=True,
        check=True,
    )
    notebooks = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert sorted(p.name for p in lab.glob("[0-9][0-9]_*.ipynb")) == notebooks
    for name in notebooks:
        assert (lab / name).read_bytes() == (ROOT / "notebooks" / name).read_bytes()


def test_git_ignores_the_lab_folder_and_the_built_course() -> None:
    ignored = subprocess.run(
        ["git", "-C", str(ROOT), "check-ignore", "lab/01_x.ipynb", "build/course/index.html"],
        capture_output=True,
        text=True,
    )
    assert ignored.stdout.split() == ["lab/01_x.ipynb", "build/course/index.html"]
