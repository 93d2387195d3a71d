"""Whether the packages named ``autograd``, ``nn`` and ``viz`` are gradstep's own.

gradstep's three libraries have short import names that other distributions on the
package index use too: HIPS ``autograd`` (which other libraries depend on), ``nn`` and
``viz``. pip does not stop two distributions from installing the same package folder:
whichever is installed second silently overwrites the first one's files, and then
neither works. gradstep therefore lives in a virtual environment of its own, which is
what ``make`` sets up.

This module recognises the case where an import name leads somewhere else and turns
it into one sentence: which package was found, where, and how to fix it. Each of
gradstep's packages carries the marker ``__distribution__ = "gradstep"`` in its
``__init__``; a package without it is not gradstep's. ``nn`` and ``viz`` check the
packages they need when they are imported; ``gradstep doctor`` reports on all three.

Only the standard library is used here, and nothing at import time: the checks cost a
dictionary lookup when all is well.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from importlib import metadata
from types import ModuleType

DISTRIBUTION = "gradstep"
"""The distribution (what ``pip install`` names) that owns gradstep's packages."""

PACKAGES = ("autograd", "nn", "viz")
"""gradstep's library packages, whose import names other distributions also use."""

FIX = (
    "install gradstep in a virtual environment of its own, as `make demo` does "
    "(python3 -m venv .venv && .venv/bin/pip install gradstep), run it from there, "
    "and check with `gradstep doctor`"
)
"""How to get out of a clash, as the end of every error sentence."""


class ForeignPackageError(ImportError):
    """An import name of gradstep's leads to a package that is not gradstep's."""


def is_own(module: ModuleType) -> bool:
    """Whether ``module`` is one of gradstep's packages (it carries the marker)."""
    return getattr(module, "__distribution__", None) == DISTRIBUTION


def other_owners(name: str) -> list[str]:
    """The installed distributions other than gradstep that provide the import name ``name``.

    Each as ``"<distribution> <version>"``, e.g. ``["autograd 1.7.0"]``; empty when
    none does (or the installed metadata cannot be read).
    """
    try:
        owners = metadata.packages_distributions().get(name, [])
        return [
            f"{owner} {metadata.version(owner)}"
            for owner in dict.fromkeys(owners)
            if owner.lower() != DISTRIBUTION
        ]
    except Exception:  # broken metadata must not hide the real problem
        return []


def location(name: str) -> str:
    """Where ``import name`` finds its package or module, as a path (or a phrase)."""
    module = sys.modules.get(name)
    found = getattr(module, "__file__", None)
    if found is None:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is None:
            return "nowhere (it is not installed)"
        found = spec.origin or next(iter(spec.submodule_search_locations or []), None)
    return str(found) if found else "an unknown location"


def foreign_package_error(name: str, needed_by: str, cause: str = "") -> ForeignPackageError:
    """The one-sentence error for ``needed_by`` finding someone else's ``name``.

    Example:
        >>> error = foreign_package_error("nn", needed_by="viz")
        >>> str(error).startswith("gradstep's viz needs gradstep's package 'nn'")
        True
    """
    owners = other_owners(name)
    found = f"the package of {owners[0]}" if owners else f"another package named {name!r}"
    why = f" ({cause})" if cause else ""
    return ForeignPackageError(
        f"gradstep's {needed_by} needs gradstep's package {name!r}, but `import {name}` "
        f"finds {found} at {location(name)}{why}: {FIX}."
    )


def require_own(*names: str, needed_by: str) -> None:
    """Import each package of ``names`` and check that it is gradstep's.

    Raises:
        ForeignPackageError (an ImportError): for the first package that cannot be
            imported or is not gradstep's, in one sentence that names what was found,
            where, and the fix.
    """
    for name in names:
        try:
            module = importlib.import_module(name)
        except Exception as error:  # someone else's package, broken by the clash
            cause = " ".join(f"{type(error).__name__}: {error}".split())
            raise foreign_package_error(name, needed_by, cause) from None
        if not is_own(module):
            raise foreign_package_error(name, needed_by)
