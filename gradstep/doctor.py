"""``gradstep doctor``: is this installation of gradstep complete and its own?

It reports, one line each: the Python running it; gradstep's version and where it is
installed; whether ``autograd``, ``nn`` and ``viz`` are gradstep's own packages and
whether another installed distribution claims the same names (HIPS ``autograd``, ``nn``
and ``viz`` on the package index do: installed into one environment, they overwrite
each other's files); the libraries gradstep needs; Graphviz's ``dot`` program; and
matplotlib's backend. Each problem comes with its fix. The exit status is 0 when all is
well and 1 otherwise.

The doctor must work when everything else is broken, so it imports nothing of gradstep's
libraries up front, and every check catches whatever goes wrong inside it and reports
it as a problem instead of crashing.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import platform
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from importlib import metadata
from pathlib import Path
from types import ModuleType

from gradstep.errors import EXIT_OK, EXIT_RUN_FAILED, RunFailedError, one_line

GRAPHVIZ_INSTALL = (
    "install Graphviz: Debian/Ubuntu 'sudo apt-get install graphviz', macOS 'brew install "
    "graphviz', conda 'conda install -c conda-forge graphviz', others "
    "https://graphviz.org/download/"
)

OWN_ENVIRONMENT = (
    "install gradstep in a virtual environment of its own, as `make demo` does "
    "(python3 -m venv .venv && .venv/bin/pip install gradstep)"
)

LIBRARIES = ("autograd", "nn", "viz")
DEPENDENCIES = ("graphviz", "hypothesis", "matplotlib", "tqdm")
"""The distributions gradstep depends on (its pyproject's ``dependencies``)."""


@dataclass(frozen=True)
class Finding:
    """One line of the report: what was checked, what was found, and the fix if wrong."""

    topic: str
    found: str
    fix: str = ""

    @property
    def ok(self) -> bool:
        return not self.fix


def _python() -> Iterator[Finding]:
    yield Finding("Python", f"{platform.python_version()} ({sys.executable})")


def _gradstep() -> Iterator[Finding]:
    try:
        distribution = metadata.distribution("gradstep")
    except metadata.PackageNotFoundError:
        here = Path(__file__).resolve().parent.parent
        yield Finding(
            "gradstep",
            f"running from {here}, not installed",
            f"{OWN_ENVIRONMENT}, or run `make demo` in the source tree",
        )
        return
    where = Path(str(distribution.locate_file(""))).resolve()
    editable = any(
        (file.name.startswith("__editable__") or file.suffix == ".pth")
        for file in distribution.files or []
    )
    how = " (editable: the source tree is used directly)" if editable else ""
    yield Finding("gradstep", f"{distribution.version} in {where}{how}")


def _owners(name: str) -> list[str]:
    owners = metadata.packages_distributions().get(name, [])
    return [
        f"{owner} {metadata.version(owner)}"
        for owner in dict.fromkeys(owners)
        if owner.lower() != "gradstep"
    ]


def _marked(name: str) -> bool:
    """Whether the ``__init__.py`` that ``import name`` would run carries gradstep's marker."""
    try:
        spec = importlib.util.find_spec(name)
        text = Path(spec.origin).read_text(encoding="utf-8") if spec and spec.origin else ""
    except Exception:
        return False
    return '__distribution__ = "gradstep"' in text


def _import_own(name: str) -> tuple[ModuleType | None, str]:
    """``(module, "")`` if ``import name`` gives gradstep's package, else ``(None, why not)``."""
    try:
        module = importlib.import_module(name)
    except Exception as error:  # a namesake overwrote files, or a dependency is missing
        whose = "is gradstep's but" if _marked(name) else "is not gradstep's and"
        return None, f"{whose} cannot be imported ({one_line(error)})"
    if getattr(module, "__distribution__", None) != "gradstep":
        where = getattr(module, "__file__", None) or "an unknown location"
        others = _owners(name)
        what = f"the package of {others[0]}" if others else f"another package named {name!r}"
        return None, f"is not gradstep's: it is {what}, at {where}"
    return module, ""


def check_libraries() -> None:
    """Raise RunFailedError (one line) unless autograd, nn and viz are gradstep's own.

    Every subcommand but ``doctor`` needs all three; this runs before any of them.
    """
    for name in LIBRARIES:
        module, problem = _import_own(name)
        if module is None:
            raise RunFailedError(f"the package {name!r} {problem}: {OWN_ENVIRONMENT}")


def _library(name: str) -> Iterator[Finding]:
    module, problem = _import_own(name)
    if module is None:
        yield Finding(name, problem, OWN_ENVIRONMENT)
        return
    where = Path(getattr(module, "__file__", None) or ".").parent
    others = _owners(name)
    if others:
        yield Finding(
            name,
            f"gradstep's ({where}), but {', '.join(others)} also installs files there: "
            "they overwrite each other",
            f"`pip uninstall {others[0].split()[0]}` from this environment, or {OWN_ENVIRONMENT}",
        )
    else:
        yield Finding(name, f"gradstep's own ({where})")


def _dependencies() -> Iterator[Finding]:
    found, missing = [], []
    for name in DEPENDENCIES:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            missing.append(name)
    if missing:
        yield Finding(
            "libraries",
            f"missing: {', '.join(missing)}",
            f"pip install {' '.join(missing)} (or reinstall gradstep, which brings them)",
        )
    else:
        yield Finding("libraries", ", ".join(found))


def _dot() -> Iterator[Finding]:
    path = shutil.which("dot")
    if path is None:
        yield Finding("Graphviz dot", "not found on PATH", GRAPHVIZ_INSTALL)
        return
    try:
        done = subprocess.run([path, "-V"], capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError) as error:
        yield Finding("Graphviz dot", f"{path} does not run ({one_line(error)})", GRAPHVIZ_INSTALL)
        return
    version = (done.stderr or done.stdout).strip().splitlines()
    if done.returncode != 0 or not version:
        yield Finding(
            "Graphviz dot", f"{path} fails (exit status {done.returncode})", GRAPHVIZ_INSTALL
        )
    else:
        yield Finding("Graphviz dot", f"{version[0]} ({path})")


def _matplotlib() -> Iterator[Finding]:
    try:
        import matplotlib
    except Exception as error:
        yield Finding(
            "matplotlib", f"cannot be imported ({one_line(error)})", "pip install matplotlib"
        )
        return
    yield Finding("matplotlib", f"{matplotlib.__version__}, backend {matplotlib.get_backend()}")


CHECKS: tuple[tuple[str, Callable[[], Iterator[Finding]]], ...] = (
    ("Python", _python),
    ("gradstep", _gradstep),
    *((name, partial(_library, name)) for name in LIBRARIES),
    ("libraries", _dependencies),
    ("Graphviz dot", _dot),
    ("matplotlib", _matplotlib),
)
"""Every check, in report order: (topic, function yielding its findings)."""


def examine() -> list[Finding]:
    """Run every check; a check that fails in itself becomes a finding, never a crash."""
    findings: list[Finding] = []
    for topic, check in CHECKS:
        try:
            findings.extend(check())
        except Exception as error:
            findings.append(
                Finding(topic, f"the check itself failed ({one_line(error)})", OWN_ENVIRONMENT)
            )
    return findings


def run_doctor(args: argparse.Namespace) -> int:
    """Check the installation: Python, gradstep and its packages, Graphviz, matplotlib."""
    findings = examine()
    width = max(len(f.topic) for f in findings)
    for finding in findings:
        mark = "ok " if finding.ok else "!! "
        print(f"{mark}{finding.topic:<{width}}  {finding.found}")
    problems = [f for f in findings if not f.ok]
    if not problems:
        print("all is well")
        return EXIT_OK
    print(f"\n{len(problems)} problem{'s' if len(problems) > 1 else ''}:")
    for finding in problems:
        print(f"  {finding.topic}: {finding.fix}")
    return EXIT_RUN_FAILED
