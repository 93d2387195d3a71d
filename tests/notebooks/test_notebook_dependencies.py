"""The ``[notebooks]`` extra holds everything the notebooks import.

A learner installs ``gradstep[notebooks]`` and opens the course: every module a notebook
imports, or runs with ``python -m``, must then be there. This reads the imports of every
code cell and checks each against the standard library, gradstep's own packages, the
course's packages next to the notebooks (``exercises``, ``solutions``), and the
distributions that gradstep's installed metadata requires (the base dependencies plus the
``notebooks`` extra).
"""

from __future__ import annotations

import ast
import json
import re
import sys
from importlib import metadata
from pathlib import Path

FOLDER = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOKS = sorted(FOLDER.glob("*.ipynb"))
OURS = {"autograd", "nn", "viz", "gradstep"}
COURSE = {p.name for p in FOLDER.iterdir() if (p / "__init__.py").is_file()}
"""The course's own packages next to the notebooks (``exercises``, ``solutions``)."""
RUN_AS_MODULE = re.compile(r"""["']-m["']\s*,\s*["']([A-Za-z_][\w.]*)["']|-m\s+([A-Za-z_][\w.]*)""")


def modules_used(notebook: Path) -> set[str]:
    """Top-level names of what the notebook's code imports or runs with ``python -m``."""
    found: set[str] = set()
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        code = "\n".join(
            line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))
        )
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
        for match in RUN_AS_MODULE.finditer(source):
            found.add((match[1] or match[2]).split(".")[0])
    return found


def promised_distributions() -> set[str]:
    """gradstep's base requirements and its ``notebooks`` extra, normalised names."""
    names = set()
    for requirement in metadata.requires("gradstep") or []:
        name, _, marker = requirement.partition(";")
        if marker and "extra" in marker and '"notebooks"' not in marker:
            continue
        names.add(re.split(r"[<>=!~\[ ]", name.strip(), maxsplit=1)[0].lower().replace("_", "-"))
    return names


def test_the_notebooks_extra_provides_every_import() -> None:
    assert len(NOTEBOOKS) >= 8
    assert {"exercises", "solutions"} <= COURSE
    promised = promised_distributions()
    assert {"matplotlib", "jupyterlab", "pytest"} <= promised
    providers = metadata.packages_distributions()
    unprovided = {}
    for notebook in NOTEBOOKS:
        for module in modules_used(notebook):
            if module in sys.stdlib_module_names or module in OURS | COURSE:
                continue
            distributions = {d.lower().replace("_", "-") for d in providers.get(module, [])}
            if not distributions & promised:
                unprovided.setdefault(notebook.name, []).append(module)
    assert unprovided == {}, f"imported by the notebooks but not promised: {unprovided}"


def test_the_scan_finds_imports_and_modules_run_with_dash_m(tmp_path: Path) -> None:
    notebook = tmp_path / "n.ipynb"
    cells = [
        {"cell_type": "code", "source": ["%matplotlib inline\n", "import numpy.linalg as la\n"]},
        {"cell_type": "code", "source": ["from scipy import stats\n", "import viz\n"]},
        {"cell_type": "code", "source": ['run([sys.executable, "-m", "pytest", "-q"])\n']},
        {"cell_type": "markdown", "source": ["import pandas\n"]},
    ]
    notebook.write_text(json.dumps({"cells": cells}))
    assert modules_used(notebook) == {"numpy", "scipy", "viz", "pytest"}
