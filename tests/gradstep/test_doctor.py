"""``gradstep doctor``, and what happens when a namesake package comes first on the path.

The namesakes here are real packages on disk (a folder named ``autograd`` or ``nn``, with
or without installed metadata claiming it), put first on ``PYTHONPATH``: what a learner
gets by running Python next to a clone of HIPS autograd, or after pip let another
distribution overwrite gradstep's files. The real HIPS autograd clash is in
``tests/packaging``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

GRADSTEP = str(Path(sys.executable).with_name("gradstep"))


def run(args: list[str], pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``args`` from the namesake's folder (so the source tree is not on the path)."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(
        args, capture_output=True, text=True, timeout=120, env=env, check=False, cwd=pythonpath
    )


def namesake(root: Path, name: str, *, distribution: str | None = None) -> Path:
    """A package ``name`` that is not gradstep's, optionally installed as ``distribution``."""
    package = root / name
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""Someone else\'s package."""\nvalue = 42\n')
    if distribution is not None:
        info = root / f"{distribution}-1.7.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {distribution}\nVersion: 1.7.0\n"
        )
        (info / "RECORD").write_text(f"{name}/__init__.py,,\n")
        (info / "top_level.txt").write_text(f"{name}\n")
    return root


def test_doctor_on_this_installation_says_all_is_well() -> None:
    result = run([GRADSTEP, "doctor"])
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    topics = [line.split()[1] for line in lines[:-1]]
    assert topics == [
        "Python",
        "gradstep",
        "autograd",
        "nn",
        "viz",
        "libraries",
        "Graphviz",
        "matplotlib",
    ]
    assert all(line.startswith("ok ") for line in lines[:-1])
    assert lines[-1] == "all is well"
    assert "dot - graphviz version" in result.stdout
    assert "backend agg" in result.stdout.lower()


def test_import_nn_with_a_namesake_autograd_is_one_sentence(tmp_path: Path) -> None:
    path = namesake(tmp_path, "autograd", distribution="autograd")
    result = run([sys.executable, "-c", "import nn"], pythonpath=path)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("autograd._own.ForeignPackageError: gradstep's nn needs gradstep's ")
    assert str(tmp_path / "autograd") in last  # where the namesake is
    assert "virtual environment of its own" in last and "gradstep doctor" in last
    # `import nn` reports the cause itself: no chain of other exceptions above it
    assert "During handling" not in result.stderr and "direct cause" not in result.stderr


def test_import_viz_with_a_namesake_nn_names_its_distribution(tmp_path: Path) -> None:
    path = namesake(tmp_path, "nn", distribution="nn")
    result = run([sys.executable, "-c", "import viz"], pythonpath=path)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert "gradstep's viz needs gradstep's package 'nn'" in last
    assert "finds the package of nn 1.7.0 at " + str(tmp_path / "nn") in last


def test_the_command_with_a_namesake_is_one_line_and_doctor_explains(tmp_path: Path) -> None:
    path = namesake(tmp_path, "nn")
    result = run([GRADSTEP, "train", "--epochs", "1"], pythonpath=path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "another package named 'nn'" in result.stderr

    doctor = run([GRADSTEP, "doctor"], pythonpath=path)
    assert doctor.returncode == 1, doctor.stdout
    assert "Traceback" not in doctor.stderr
    report = doctor.stdout
    assert (
        f"!! nn            is not gradstep's: it is another package named 'nn', at {tmp_path}"
        in report
    )
    assert "!! viz           is gradstep's but cannot be imported (gradstep's viz needs" in report
    assert "ok autograd" in report  # the others are still fine
    *_, heading, fix_nn, _ = report.splitlines()
    assert heading == "2 problems:"
    assert fix_nn.startswith("  nn: install gradstep in a virtual environment of its own")


def test_doctor_survives_a_namesake_that_cannot_even_be_imported(tmp_path: Path) -> None:
    broken = tmp_path / "viz"
    broken.mkdir()
    (broken / "__init__.py").write_text("raise RuntimeError('half-overwritten files')\n")
    doctor = run([GRADSTEP, "doctor"], pythonpath=tmp_path)
    assert doctor.returncode == 1
    assert "Traceback" not in doctor.stderr
    assert "!! viz" in doctor.stdout and "half-overwritten files" in doctor.stdout


def test_a_namesake_module_without_gradstep_files_is_still_one_sentence(tmp_path: Path) -> None:
    (tmp_path / "autograd.py").write_text("value = 42\n")  # a module: autograd._own cannot exist
    for statement in ("import nn", "import viz"):
        result = run([sys.executable, "-c", statement], pythonpath=tmp_path)
        assert result.returncode == 1
        last = result.stderr.strip().splitlines()[-1]
        assert last.startswith("ImportError: gradstep's nn needs gradstep's package 'autograd'")
        assert f"finds another package at {tmp_path / 'autograd.py'}" in last
        assert "gradstep doctor" in last
