"""What users install is the wheel: build it, install it far from the source tree, use it.

``make`` installs gradstep in editable mode, which hides packaging mistakes (a subpackage
or an asset missing from the wheel works fine from the source tree). These tests build
the sdist and the wheel from the project's files, check that both hold every file of
every package, install the wheel into a new virtual environment that cannot see the
source tree, and run the program there. Then they install HIPS autograd, whose import
name is gradstep's, into the same environment, in both orders, and check that the clash
is reported in one sentence instead of a traceback.

They need the network (pip fetches the build backend and the dependencies) and take
about a minute; the module's tests share one build.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("wheel")]

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("autograd", "nn", "viz", "gradstep")
VERSION = next(
    line.split('"')[1]
    for line in (ROOT / "pyproject.toml").read_text().splitlines()
    if line.startswith("version = ")
)


def project_files() -> list[str]:
    """The files a fresh clone has: tracked, plus new ones not ignored (paths from ROOT)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode()  # fmt: skip
    return sorted(p for p in listed.split("\0") if p and (ROOT / p).is_file())


def package_files() -> set[str]:
    return {p for p in project_files() if p.split("/")[0] in PACKAGES}


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist and wheel, built by ``python -m build`` from a copy of the project's files."""
    source = tmp_path_factory.mktemp("source")
    for name in project_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(source)],
        capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    return out


def wheel_of(dist: Path) -> Path:
    (wheel,) = dist.glob("gradstep-*.whl")
    return wheel


def test_the_wheel_and_the_sdist_hold_every_file_of_every_package(dist: Path) -> None:
    expected = package_files()
    assert {"viz/assets/player.js", "nn/optim/adam.py", "gradstep/py.typed"} <= expected

    wheel_names = set(zipfile.ZipFile(wheel_of(dist)).namelist())
    info = f"gradstep-{VERSION}.dist-info"
    missing = expected - wheel_names
    assert not missing, f"not in the wheel: {sorted(missing)}"
    stray = {n for n in wheel_names - expected if not n.startswith(f"{info}/")}
    assert not stray, f"unexpected files in the wheel: {sorted(stray)}"
    assert f"{info}/licenses/LICENSE" in wheel_names
    metadata = zipfile.ZipFile(wheel_of(dist)).read(f"{info}/METADATA").decode()
    for line in (
        "License-Expression: MIT",
        "Classifier: Typing :: Typed",
        "Classifier: Framework :: Jupyter",
        "Classifier: Programming Language :: Python :: 3.10",
        "Provides-Extra: notebooks",
    ):
        assert line in metadata.splitlines(), line
    assert (
        "gradstep = gradstep.cli:main"
        in zipfile.ZipFile(wheel_of(dist)).read(f"{info}/entry_points.txt").decode()
    )

    (sdist,) = dist.glob("gradstep-*.tar.gz")
    prefix = f"gradstep-{VERSION}/"
    with tarfile.open(sdist) as archive:
        sdist_names = {n.removeprefix(prefix) for n in archive.getnames()}
    missing = (expected | {"LICENSE", "README.md", "pyproject.toml"}) - sdist_names
    assert not missing, f"not in the sdist: {sorted(missing)}"


def run(args: list[str], cwd: Path, *, status: int | None = 0) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["MPLBACKEND"] = "Agg"
    result = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=600
    )
    if status is not None:
        assert result.returncode == status, (args, result.stdout[-2000:], result.stderr[-2000:])
    return result


IMPORT_EVERYTHING = """
import importlib, pkgutil, sys
site = sys.argv[1]
count = 0
for name in ("autograd", "nn", "viz", "gradstep"):
    package = importlib.import_module(name)
    modules = [name] + [m.name for m in pkgutil.walk_packages(package.__path__, name + ".")]
    for module_name in modules:
        if module_name.endswith("__main__"):
            continue  # running it is running the program
        module = importlib.import_module(module_name)
        assert module.__file__.startswith(site), (module_name, module.__file__)
        count += 1
print(count)
"""


def test_the_installed_wheel_works_far_from_the_source_tree(dist: Path, tmp_path: Path) -> None:
    venv, work = tmp_path / "venv", tmp_path / "work"
    work.mkdir()
    run([sys.executable, "-m", "venv", str(venv)], tmp_path)
    python, program = venv / "bin" / "python", venv / "bin" / "gradstep"
    run([str(python), "-m", "pip", "install", "--quiet", str(wheel_of(dist))], work)
    site = run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], work)

    assert run([str(program), "--version"], work).stdout == f"gradstep {VERSION}\n"
    assert run([str(python), "-m", "gradstep", "--version"], work).stdout == f"gradstep {VERSION}\n"
    doctor = run([str(program), "doctor"], work).stdout
    assert f"ok autograd      gradstep's own ({site.stdout.strip()}/autograd)" in doctor
    assert "(editable" not in doctor
    demo = run([str(program), "demo", "--epochs", "2", "--out", str(work / "out")], work)
    assert "final training accuracy" in demo.stdout
    for name in ("loss.png", "decision_boundary.png", "gradient_flow.png"):
        assert (work / "out" / name).read_bytes().startswith(b"\x89PNG")
    assert "<svg" in (work / "out" / "backprop.html").read_text(encoding="utf-8")
    count = run([str(python), "-c", IMPORT_EVERYTHING, site.stdout.strip()], work)
    assert int(count.stdout) == len([p for p in package_files() if p.endswith(".py")]) - 1
    run([str(python), "-m", "pip", "check"], work)

    # HIPS autograd after gradstep: its files replace gradstep's autograd/__init__.py.
    run([str(python), "-m", "pip", "install", "--quiet", "autograd"], work)
    hips = run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('autograd'))"], work
    )
    broken = run([str(python), "-c", "import nn"], work, status=1)
    last = broken.stderr.strip().splitlines()[-1]
    assert last.startswith("autograd._own.ForeignPackageError: gradstep's nn needs gradstep's ")
    assert f"`import autograd` finds the package of autograd {hips.stdout.strip()} at " in last
    demo = run([str(program), "demo", "--epochs", "1", "--out", str(work / "out2")], work, status=1)
    assert "Traceback" not in demo.stderr and len(demo.stderr.strip().splitlines()) == 1
    assert f"the package of autograd {hips.stdout.strip()}" in demo.stderr
    doctor = run([str(program), "doctor"], work, status=1).stdout
    assert "!! autograd" in doctor and "virtual environment of its own" in doctor

    # gradstep again, over HIPS autograd: gradstep works, and the doctor names the clash.
    run([str(python), "-m", "pip", "install", "--quiet", "--force-reinstall", "--no-deps",
         str(wheel_of(dist))], work)  # fmt: skip
    run([str(python), "-c", "import nn, viz"], work)
    doctor = run([str(program), "doctor"], work, status=1).stdout
    assert f"autograd {hips.stdout.strip()} also installs files there" in doctor
    assert "pip uninstall autograd" in doctor
