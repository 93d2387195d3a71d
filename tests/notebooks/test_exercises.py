"""Every exercise of every notebook is complete, and every checker can say "not yet".

(a) The notebooks: each exercise is four cells in a row (the conventions are in
``notebooks/exercises/__init__.py``): a markdown cell starting ``**Exercise N.k**``, the
learner's cell starting ``answer = ...``, the checker cell ``check_<name>(answer)`` and a
collapsed solution cell tagged "solution" ending ``assert check_<name>(solution_answer)``.
nbmake runs every notebook with the solutions in place, so a wrong solution fails there.

(b) The checkers: every checker in ``notebooks/exercises/`` is fed its reference answer
(True, "✓ ..."), the wrong answers of its :class:`~exercise_cases.Case` (False, "✗ not
yet: ..." with the expected words), answers of the wrong type (False, one sentence with
a hint) and the placeholder (False, how to start), and must never raise. A checker
without a case fails the test, by name.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import exercises
import nbformat
import pytest
from exercise_cases import Case, Wrong
from exercises.feedback import (
    Checker,
    Verdict,
    as_number,
    attempt,
    checker,
    describe,
    error_text,
    expect_number,
    expect_numbers,
    not_yet,
    right,
)

import autograd

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "notebooks"
NOTEBOOKS = sorted(FOLDER.glob("[0-9][0-9]_*.ipynb"))
CASES_FOLDER = Path(__file__).resolve().parent / "exercise_cases"

HEADING = re.compile(r"\*\*Exercise (\d+)\.(\d+)\*\*")
CHECKER_CELL = re.compile(r"(check_\w+)\(answer\)")
SOLUTION_END = re.compile(r"assert (check_\w+)\(solution_answer\)")
SOLUTION_NAME = re.compile(r"(solution_|Solution)\w*")
PLACEHOLDER = re.compile(r"answer = \.\.\.\s*(#.*)?")


def module_name(notebook: Path) -> str:
    """The checkers' module of a notebook: its file name without number and suffix."""
    return notebook.stem[3:]


def notebook_number(notebook: Path) -> int:
    return int(notebook.name[:2])


# -- (a) the exercises in the notebooks ----------------------------------------------------------


@dataclass(frozen=True)
class Exercise:
    """One exercise found in a notebook."""

    number: str  # "2.3"
    cell: int  # index of its markdown cell
    checker: str  # "check_add"


def first_statement(source: str) -> str:
    """The first line that is neither blank nor a comment."""
    for line in source.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            return line.strip()
    return ""


def top_level_names(source: str) -> set[str]:
    """The names a cell defines at its top level (assignments, defs, classes; not imports)."""
    names: set[str] = set()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.For, ast.With)):
            targets = {
                ast.Assign: lambda n: n.targets,
                ast.AnnAssign: lambda n: [n.target],
                ast.AugAssign: lambda n: [n.target],
                ast.For: lambda n: [n.target],
                ast.With: lambda n: [i.optional_vars for i in n.items if i.optional_vars],
            }[type(node)](node)
            for target in targets:
                names.update(
                    n.id
                    for n in ast.walk(target)
                    if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
                )
    return names


def imported_checkers(notebook: nbformat.NotebookNode) -> dict[str, str]:
    """``{checker name: module}`` for every ``from exercises.<module> import ...``."""
    found = {}
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        code = "\n".join(
            line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!"))
        )
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("exercises."):
                for alias in node.names:
                    found[alias.asname or alias.name] = node.module.removeprefix("exercises.")
    return found


def is_solution_cell(cell: nbformat.NotebookNode) -> bool:
    return "solution" in cell.get("metadata", {}).get("tags", [])


def read_exercises(path: Path) -> tuple[list[Exercise], list[str]]:
    """The exercises of a notebook, and everything wrong with their structure."""
    notebook = nbformat.read(path, as_version=4)
    cells = notebook.cells
    number = notebook_number(path)
    imports = imported_checkers(notebook)
    found: list[Exercise] = []
    problems: list[str] = []
    part_of_exercise: set[int] = set()
    for i, cell in enumerate(cells):
        if cell.cell_type != "markdown":
            continue
        heading = HEADING.search(cell.source)
        if heading is None:
            continue
        label = f"Exercise {heading[1]}.{heading[2]} (cell {i})"
        if heading.start() != 0:
            problems.append(f"{label}: the markdown cell must start with **Exercise N.k**")
        expected = f"{number}.{len(found) + 1}"
        if f"{heading[1]}.{heading[2]}" != expected:
            problems.append(f"{label}: should be numbered Exercise {expected}")
        if i + 3 >= len(cells):
            problems.append(f"{label}: needs three cells after it (learner, checker, solution)")
            continue
        learner, check, solution = cells[i + 1], cells[i + 2], cells[i + 3]
        part_of_exercise.update({i + 1, i + 2, i + 3})
        if learner.cell_type != "code" or not PLACEHOLDER.fullmatch(
            first_statement(learner.source)
        ):
            problems.append(f"{label}: the next cell must be code starting with `answer = ...`")
        if is_solution_cell(learner):
            problems.append(f"{label}: the learner's cell is tagged solution")
        match = CHECKER_CELL.fullmatch(check.source.strip()) if check.cell_type == "code" else None
        if match is None:
            problems.append(f"{label}: the cell after the learner's must be `check_<name>(answer)`")
            continue
        checker = match[1]
        if imports.get(checker) != module_name(path):
            problems.append(
                f"{label}: {checker} must be imported from exercises.{module_name(path)}"
            )
        hidden = solution.get("metadata", {}).get("jupyter", {}).get("source_hidden") is True
        if solution.cell_type != "code" or not hidden or not is_solution_cell(solution):
            problems.append(
                f"{label}: the solution cell must be code with metadata "
                '{"jupyter": {"source_hidden": true}, "tags": ["solution"]}'
            )
            continue
        lines = [line for line in solution.source.strip().splitlines() if line.strip()]
        end = SOLUTION_END.fullmatch(lines[-1].strip()) if lines else None
        if end is None or end[1] != checker:
            problems.append(
                f"{label}: the solution cell must end with `assert {checker}(solution_answer)`"
            )
        foreign = sorted(
            name for name in top_level_names(solution.source) if not SOLUTION_NAME.fullmatch(name)
        )
        if foreign:
            problems.append(
                f"{label}: the solution cell may only define names starting with solution_ or "
                f"Solution (so running it never replaces the learner's work), not {foreign}"
            )
        found.append(Exercise(f"{heading[1]}.{heading[2]}", i, checker))
    for i, cell in enumerate(cells):
        if is_solution_cell(cell) and i not in part_of_exercise:
            problems.append(f"cell {i} is tagged solution but belongs to no exercise")
    used = [exercise.checker for exercise in found]
    for checker in sorted({c for c in used if used.count(c) > 1}):
        problems.append(f"{checker} is the checker of more than one exercise")
    return found, problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_exercise_is_complete(path: Path) -> None:
    _, problems = read_exercises(path)
    assert problems == [], f"{path.name}:\n" + "\n".join(problems)


def test_the_structure_check_finds_broken_exercises(tmp_path: Path) -> None:
    """The test above can fail: a notebook with one exercise per kind of mistake."""

    def code(source: str, solution: bool = False) -> nbformat.NotebookNode:
        cell = nbformat.v4.new_code_cell(source)
        if solution:
            cell.metadata = {"jupyter": {"source_hidden": True}, "tags": ["solution"]}
        return cell

    md = nbformat.v4.new_markdown_cell
    cells = [
        md("# Title"),
        code("from exercises.demo import check_a, check_b, check_c"),
        md("**Exercise 9.1** fine."),
        code("# write it below\nanswer = ...  # your number"),
        code("check_a(answer)"),
        code("solution_answer = 1\nassert check_a(solution_answer)", solution=True),
        md("**Exercise 9.3** misnumbered, no placeholder, solution not hidden."),
        code("answer = 2"),
        code("check_b(answer)"),
        code("solution_answer = 2\nassert check_b(solution_answer)"),
        md("**Exercise 9.3** overwrites the learner's name, wrong assert."),
        code("answer = ..."),
        code("check_c(answer)"),
        code("Value = 3\nsolution_answer = 3\nassert check_a(solution_answer)", solution=True),
        md("**Exercise 9.4** checker not imported."),
        code("answer = ..."),
        code("check_d(answer)"),
        code("solution_answer = 4\nassert check_d(solution_answer)", solution=True),
        code("stray = 5", solution=True),
    ]
    path = tmp_path / "09_demo.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    found, problems = read_exercises(path)
    assert [e.number for e in found] == ["9.1", "9.3", "9.4"]
    text = "\n".join(problems)
    for expected in (
        "Exercise 9.3 (cell 6): should be numbered Exercise 9.2",
        "Exercise 9.3 (cell 6): the next cell must be code starting with `answer = ...`",
        "Exercise 9.3 (cell 6): the solution cell must be code with metadata",
        "Exercise 9.3 (cell 10): the solution cell must end with `assert check_c(solution_answer)`",
        "not ['Value']",
        "Exercise 9.4 (cell 14): check_d must be imported from exercises.demo",
        "cell 18 is tagged solution but belongs to no exercise",
    ):
        assert expected in text, text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_the_readmes_count_the_exercises(path: Path) -> None:
    found, _ = read_exercises(path)
    n = len(found)
    count = "no exercises yet" if n == 0 else f"{n} exercise{'' if n == 1 else 's'}"
    for readme in (ROOT / "README.md", FOLDER / "README.md"):
        lines = [
            line for line in readme.read_text(encoding="utf-8").splitlines() if path.name in line
        ]
        assert lines, f"{readme.relative_to(ROOT)} does not list {path.name}"
        assert count in lines[0], f"{readme.relative_to(ROOT)} should say {count!r} for {path.name}"


def test_every_checker_module_belongs_to_a_notebook() -> None:
    modules = {name for _, name, _ in pkgutil.iter_modules(exercises.__path__)}
    notebooks = {module_name(path) for path in NOTEBOOKS}
    assert modules - {"feedback"} <= notebooks, "modules in notebooks/exercises/ without a notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_checker_is_used_by_an_exercise(path: Path) -> None:
    found, _ = read_exercises(path)
    defined = {name.split(".")[1] for name in CHECKERS if name.startswith(module_name(path) + ".")}
    unused = defined - {exercise.checker for exercise in found}
    assert not unused, f"checkers of {path.name} that no exercise uses: {sorted(unused)}"


# -- (b) the checkers ------------------------------------------------------------------------------


def checker_modules() -> Iterator[ModuleType]:
    for info in pkgutil.iter_modules(exercises.__path__):
        if info.name != "feedback":
            yield importlib.import_module(f"exercises.{info.name}")


def find_checkers() -> dict[str, Checker]:
    """``{"module.check_name": checker}`` for every checker defined in notebooks/exercises/."""
    found = {}
    for module in checker_modules():
        short = module.__name__.removeprefix("exercises.")
        for name, obj in vars(module).items():
            if isinstance(obj, Checker) and obj.__module__ == module.__name__:
                found[f"{short}.{name}"] = obj
    return found


def find_cases() -> dict[str, Case]:
    """``{"module.check_name": case}`` from every module of exercise_cases/."""
    found = {}
    for info in pkgutil.iter_modules([str(CASES_FOLDER)]):
        module = importlib.import_module(f"exercise_cases.{info.name}")
        for name, case in module.CASES.items():
            found[f"{info.name}.{name}"] = case
    return found


CHECKERS = find_checkers()
CASES = find_cases()
TESTED = sorted(set(CHECKERS) & set(CASES))


def _raising() -> None:
    raise ValueError("a learner's function that raises")


def _exiting() -> None:
    raise SystemExit("a learner's function that calls exit()")


class _RaisingClass:
    """A learner's class whose constructor raises a BaseException that is no Exception."""

    def __init__(self, *args: object) -> None:
        raise GeneratorExit("a learner's class that raises GeneratorExit")


class _BrokenList(list):  # type: ignore[type-arg]
    """A list whose own __len__ and __iter__ raise."""

    def __len__(self) -> int:
        raise RuntimeError("__len__ of a broken list")

    def __iter__(self) -> Iterator[object]:
        raise RuntimeError("__iter__ of a broken list")


class _BrokenObject:
    """An object whose every attribute raises, and whose class lacks the same ones."""

    def __getattr__(self, name: str) -> object:
        raise RuntimeError(f"no {name} here")

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("__eq__ of a broken object")

    __hash__ = object.__hash__


class _BrokenInstances:
    """A learner's class whose instances raise on reading any attribute not set."""

    def __init__(self, data: object = 0.0, *args: object) -> None:
        self.data = data

    def __getattr__(self, name: str) -> object:
        raise RuntimeError(f"no {name} here")


GENERIC_WRONG_TYPES = [
    None,
    "text",
    3,
    2.5,
    True,
    [1, 2],
    (),
    {},
    object(),
    _raising,
    # hostile answers (adversarial pass): never an exception, always one printable line
    10**5000,  # repr() refuses it, float() overflows
    -(10**400),
    float("nan"),
    "\x1b[2J<script>alert(1)</script>\x00",
    _exiting,
    _RaisingClass,
    _BrokenList([1.0, 2.0]),
    _BrokenObject(),
    _BrokenInstances,
]
"""Answers of the wrong type for any exercise (whatever the right type is, these are not)."""


@pytest.fixture(autouse=True)
def checker_errors_raise(monkeypatch: pytest.MonkeyPatch) -> None:
    """An exception inside a checker is a bug in it: raise it here instead of reporting it."""
    monkeypatch.setattr("exercises.feedback.RAISE_CHECKER_ERRORS", True)


def test_checkers_are_found() -> None:
    assert len(CHECKERS) >= 6
    for module in checker_modules():
        loose = [
            name
            for name, obj in vars(module).items()
            if name.startswith("check_") and not isinstance(obj, Checker)
        ]
        assert not loose, f"{module.__name__}: {loose} are not made with @checker"


def test_every_checker_has_a_failing_test() -> None:
    untested = sorted(set(CHECKERS) - set(CASES))
    assert not untested, (
        f"checkers without right and wrong answers: {untested}. Add a Case for each to "
        f"tests/notebooks/exercise_cases/<module>.py"
    )
    stale = sorted(set(CASES) - set(CHECKERS))
    assert not stale, f"cases for checkers that do not exist: {stale}"
    for name in TESTED:
        assert CASES[name].wrong, f"{name}: no wrong answer"
        assert CASES[name].wrong_type, f"{name}: no answer of the wrong type"


def run(checker: Checker, answer: object, capsys: pytest.CaptureFixture[str]) -> tuple[bool, str]:
    verdict = checker(answer)
    out = capsys.readouterr().out
    assert isinstance(verdict, bool)
    assert out.endswith("\n") and out.count("\n") == 1, f"not one line: {out!r}"
    assert out[:-1].isprintable(), f"control characters in: {out!r}"
    return verdict, out.strip()


@pytest.mark.parametrize("name", TESTED)
def test_checker_accepts_the_reference(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    verdict, out = run(CHECKERS[name], CASES[name].right, capsys)
    assert verdict is True, out
    assert out.startswith("✓ ")
    assert len(out) <= 100, f"the ✓ line should be short: {out}"


@pytest.mark.parametrize("name", TESTED)
def test_checker_rejects_wrong_answers(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    for wrong in CASES[name].wrong:
        verdict, out = run(CHECKERS[name], wrong.answer, capsys)
        assert verdict is False, f"{name} accepted {wrong}"
        assert out.startswith("✗ not yet: ") and "(hint: " in out, out
        assert wrong.says in out, f"expected {wrong.says!r} in: {out}"


@pytest.mark.parametrize("name", TESTED)
def test_checker_rejects_wrong_types(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    answers = [*CASES[name].wrong_type, *(Wrong(a, "") for a in GENERIC_WRONG_TYPES)]
    for wrong in answers:
        verdict, out = run(CHECKERS[name], wrong.answer, capsys)
        assert verdict is False, f"{name} accepted {wrong.answer!r}"
        assert out.startswith("✗ not yet: ") and out.endswith(")") and "(hint: " in out, out
        assert wrong.says in out, f"expected {wrong.says!r} in: {out}"


@pytest.mark.parametrize("name", TESTED)
def test_checker_says_how_to_start(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    verdict, out = run(CHECKERS[name], ..., capsys)
    assert verdict is False
    assert out.startswith("→ to start: "), out


# -- (c) the helpers in exercises/feedback.py ------------------------------------------------------


def test_an_unexpected_error_inside_a_checker_reaches_the_learner_as_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    @checker(start="anything")
    def check_buggy(answer: object) -> Verdict:
        return {}[answer]  # type: ignore[no-any-return]  # a bug in the checker

    monkeypatch.setattr("exercises.feedback.RAISE_CHECKER_ERRORS", False)
    assert check_buggy(1) is False
    out = capsys.readouterr().out
    assert (
        out == "✗ not yet: checking your answer ran into KeyError: 1 (hint: this is "
        "unexpected: look at the answer's type, and tell your teacher)\n"
    )
    monkeypatch.setattr("exercises.feedback.RAISE_CHECKER_ERRORS", True)
    with pytest.raises(KeyError):
        check_buggy(1)


def test_expect_number_explains_each_kind_of_wrong_answer() -> None:
    def verdict(answer: object) -> str:
        return str(expect_number(answer, 1.92, name="dL/dw1", hint="0.64 times x1"))

    assert verdict(1.92) == "✓ right: dL/dw1 is 1.92"
    assert verdict(1.9200000001) == "✓ right: dL/dw1 is 1.92"
    assert verdict(0.64) == "✗ not yet: dL/dw1 should be 1.92, you gave 0.64 (hint: 0.64 times x1)"
    assert "without quotes" in verdict("1.92")
    assert "its .grad" in verdict(autograd.Value(1.92))
    assert "not a list" in verdict([1.92])
    assert "but it is the bool True" in verdict(True)
    assert "you gave nan" in verdict(float("nan"))


def test_expect_numbers_checks_type_length_and_items() -> None:
    def verdict(answer: object) -> str:
        return str(expect_numbers(answer, [1.0, -2.0], name="the grads", hint="look again"))

    assert verdict((1, -2)) == "✓ right: the grads are 1, -2"
    assert verdict(1.0).startswith("✗ not yet: the answer should be a list of 2 numbers")
    assert "should be 2 numbers, you gave 3" in verdict([1, -2, 3])
    assert "item 2 should be a number, but it is a str ('-2')" in verdict([1, "-2"])
    assert "number 2 should be -2, you gave 2" in verdict([1, 2])


def test_keyboard_interrupt_still_stops_a_checker(capsys: pytest.CaptureFixture[str]) -> None:
    """A learner stops a hanging function with the kernel's interrupt: never swallowed."""

    def interrupted() -> float:
        raise KeyboardInterrupt

    @checker(start="anything")
    def check_calls(answer: object) -> Verdict:
        return expect_number(attempt("f()", answer, "look at f"), 1.0, name="f()", hint="")  # type: ignore[arg-type]

    with pytest.raises(KeyboardInterrupt):
        check_calls(interrupted)
    assert capsys.readouterr().out == ""


def test_the_learners_own_exceptions_are_named_with_their_method(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An exception raised in the learner's code that a checker calls outside attempt()
    (a comparison, a length) is their mistake: said with the method, also in tests."""

    cell = (  # the learner's class, written in a notebook cell
        "class Loud:\n"
        "    def __eq__(self, other):\n"
        "        raise ValueError('no comparing')\n"
        "    __hash__ = object.__hash__\n"
    )
    namespace: dict[str, object] = {}
    exec(compile(cell, "/tmp/ipykernel_1/2.py", "exec"), namespace)
    loud = namespace["Loud"]()  # type: ignore[operator]

    @checker(start="anything")
    def check_compares(answer: object) -> Verdict:
        return right("equal") if answer == 1 else not_yet("not 1", "give 1")

    assert check_compares(loud) is False
    assert capsys.readouterr().out == (
        "✗ not yet: checking your answer, your own __eq__ raised ValueError: no comparing "
        "(hint: the checker uses your answer as the exercise says: look at __eq__)\n"
    )


def test_describe_and_error_text_never_raise() -> None:
    class UnprintableError(Exception):
        def __str__(self) -> str:
            raise RuntimeError("no str")

    assert error_text(UnprintableError()) == "UnprintableError"
    assert describe(_BrokenList([1])) == "a _BrokenList"
    assert describe(_BrokenObject()) == "a _BrokenObject"
    assert describe(10**5000) == "an integer of about 5001 digits"
    assert as_number(10**400) == float("inf") and as_number(-(10**400)) == float("-inf")
    assert "you gave an integer of about 401 digits" in str(
        expect_number(10**400, 1.0, name="x", hint="h")
    )
    assert "you gave an integer of about 401 digits" in str(
        expect_numbers([1, 10**400], [1.0, 2.0], name="x", hint="h")
    )


def test_learner_code_that_turns_recording_off_does_not_poison_later_checks(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A property that enters no_grad() and never leaves it: the checker says it fails,
    and the next checker (which computes its right numbers with gradstep) still accepts
    the right answer."""

    def product_rule(mul: object, x: float, y: float) -> None:
        autograd.no_grad().__enter__()  # never exited
        a, b = autograd.Value(x), autograd.Value(y)
        mul(a, b).backward()  # type: ignore[operator]
        assert abs(a.grad - y) < 1e-6

    try:
        assert (
            CHECKERS["testing_gradients_with_properties.check_product_property"](product_rule)
            is False
        )
        assert autograd.is_grad_enabled()
        name = "build_your_own_engine.check_backward"
        assert CHECKERS[name](CASES[name].right) is True, capsys.readouterr().out
    finally:
        autograd.enable_grad().__enter__()  # never leave the test process without recording
