"""Bad, huge and odd input to the real ``gradstep`` program (issue 10, "The command").

Each ``test_row_*`` is the regression test of one row of the issue's table, named in its
docstring; the other tests are the neighbours found next to a row (the same class of
defect). Every test runs the installed program in a subprocess, with real pipes, closed
descriptors and ``/dev/full``, and imports nothing of gradstep: the file runs unchanged
against an older checkout, where the rows fail.

Input that must be refused before any work is given settings that would take minutes if
it were not (and a timeout that fails the test if it is not).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

GRADSTEP = str(Path(sys.executable).with_name("gradstep"))
"""The installed console script (make test installs the package into the venv)."""

ENV = {**os.environ, "MPLBACKEND": "Agg"}
NEURON = ["tanh(x*w + b)", "--var", "x=2", "--var", "w=-3", "--var", "b=6.5"]
REFUSED_QUICKLY = 60
"""Seconds a run that must be refused up front may take (a real run would take minutes)."""

Argument = str | bytes


def run(
    *args: Argument,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
    **streams: object,
) -> subprocess.CompletedProcess[bytes]:
    """Run gradstep; stdout and stderr are captured as bytes unless ``streams`` say else."""
    options: dict[str, object] = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    options.update(streams)
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [GRADSTEP, *args],
        cwd=cwd,
        env={**ENV, **(env or {})},
        timeout=timeout,
        check=False,
        **options,
    )


def one_line_error(result: subprocess.CompletedProcess[bytes], status: int) -> str:
    """The one line on stderr, after checking the status and that it is all there is.

    The line must be valid UTF-8 with no control character: nothing the user typed may
    reach the terminal raw.
    """
    err = result.stderr.decode("utf-8")  # strict: no undecodable byte passed through
    assert result.returncode == status, (result.returncode, err, result.stdout[-500:])
    assert "Traceback" not in err
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1, err
    assert all(c.isprintable() for c in lines[0]), lines[0]
    return lines[0]


# -- row 1: undecodable bytes ------------------------------------------------------------------


def test_row_1_a_formula_with_an_undecodable_byte_is_one_line_naming_where(
    tmp_path: Path,
) -> None:
    """Row 1: a formula with an undecodable byte ($'x\\xff'): one line, exit 2 (was a
    UnicodeEncodeError traceback)."""
    line = one_line_error(run("graph", b"x\xff", "--var", "x=1", "-o", str(tmp_path / "g.svg")), 2)
    assert line.startswith("gradstep: error: argument 2 ('x\\xff') is not valid UTF-8")
    assert "the byte \\xff at position 2" in line
    assert list(tmp_path.iterdir()) == []


def test_an_undecodable_byte_anywhere_in_the_arguments_is_refused(tmp_path: Path) -> None:
    """A file name that is not UTF-8 is refused too (documented): every message shows it."""
    out = bytes(tmp_path) + b"/\xe9t\xe9.svg"  # été in Latin-1
    line = one_line_error(run("graph", *NEURON, "-o", out), 2)
    assert "argument 10" in line and "the byte \\xe9 at position" in line
    assert list(tmp_path.iterdir()) == []


def test_unprintable_characters_are_escaped_in_every_error_line(tmp_path: Path) -> None:
    """A terminal escape sequence or a newline in a formula, a path or a stray argument
    is shown escaped: it can neither break the line nor drive the terminal."""
    red = "\x1b[31m"
    cases = [
        (["graph", f"{red}x", "--var", "x=1"], "in '\\x1b[31mx'"),
        (["graph", *NEURON, "-o", "no\nsuch/g.svg"], "-o 'no\\nsuch/g.svg': cannot write"),
        (["graph", *NEURON, red], "unrecognized arguments: \\x1b[31m"),
        (["train", "--data", f"moons{red}"], "invalid choice: 'moons\\x1b[31m'"),
    ]
    for args, shown in cases:
        result = run(*args, cwd=tmp_path)
        assert b"\x1b" not in result.stderr
        assert shown in one_line_error(result, 2)


# -- row 2: --var values must be finite ----------------------------------------------------------


@pytest.mark.parametrize("value", ["1e999", "inf", "-inf", "nan"])
def test_row_2_var_values_must_be_finite(value: str) -> None:
    """Row 2: --var x=1e999, x=inf, x=nan: refused like the formula's own 1e400 (were
    accepted, and the result was inf or NaN)."""
    line = one_line_error(run("graph", "x", "--var", f"x={value}", "-o", "-"), 2)
    assert f"argument --var: 'x={value}': the value must be a finite number" in line


# -- row 3: --var names are normalised as Python normalises the formula's ---------------------


@pytest.mark.parametrize(
    ("formula", "name"),
    [
        ("x*2", "ｘ"),  # a full-width x: NFKC makes it x
        ("\u00e9*2", "e\u0301"),  # é as one character in the formula, two in --var
        ("e\u0301*2", "\u00e9"),  # and the other way round
    ],
)
def test_row_3_var_names_are_normalised_like_the_formulas(formula: str, name: str) -> None:
    """Row 3: a --var name in another Unicode form than the formula's (ｘ, NFD é) gives
    the formula's variable its value (was "no value for x")."""
    result = run("graph", formula, "--var", f"{name}=1.5", "-o", "-")
    assert result.returncode == 0, result.stderr.decode()
    label = unicodedata.normalize("NFKC", name)
    assert f">{label}<".encode() in result.stdout  # the leaf is labelled with Python's name


def test_a_var_name_that_is_no_identifier_even_normalised_is_refused() -> None:
    for text, shown in (("½=1", "'½'"), ("if=1", "'if'"), ("x y=1", "'x y'")):
        line = one_line_error(run("graph", "x", "--var", text, "-o", "-"), 2)
        assert f"{shown} is not a name a formula can use" in line


def test_a_variable_given_twice_is_refused_even_in_two_spellings() -> None:
    """`--var x=1 --var x=2`: refused (documented), rather than the last silently winning."""
    for second in ("x=2", "ｘ=2"):
        line = one_line_error(run("graph", "x", "--var", "x=1", "--var", second, "-o", "-"), 2)
        assert f"--var 'x' is given twice (x=1 and {second})" in line


# -- row 4: echoes are cut to a readable length ------------------------------------------------


def test_row_4_a_huge_formula_is_echoed_cut(tmp_path: Path) -> None:
    """Row 4: a 131,000-character formula: the error line no longer echoes all of it."""
    line = one_line_error(run("graph", "x" * 131_000, "-o", str(tmp_path / "g.svg")), 2)
    assert len(line) < 300
    assert "'" + "x" * 80 + "'… (131000 characters)" in line
    assert "the formula is 131000 characters long; the limit is 2000" in line


@pytest.mark.parametrize(
    "args",
    [
        ["graph", *NEURON, "-o", "a" * 5000 + ".svg"],  # a name beyond NAME_MAX
        ["graph", *NEURON, "-o", "no-such-folder/" + "a" * 200 + ".svg"],
        ["graph", *NEURON, "-o", "a" * 5000],  # no suffix
        ["graph", "q" * 1500, "--var", "x=1"],  # a long name without a value
        ["graph", "x", "--var", "x" * 5000 + "=1"],
        ["graph", "x", "--var", "x=" + "1" * 5000 + "e"],
        ["graph", *NEURON, "z" * 50_000],  # a stray argument
        ["train", "--data", "m" * 50_000],
        ["train", "--seed", "9" * 50_000],
        ["train", "--epochs", "9" * 50_000],
        ["train", "--hidden", "1," * 20_000],
        [*"abc" * 400],  # too many arguments
    ],
    ids=lambda args: " ".join(a[:12] for a in args[:3]),
)
def test_every_echo_of_user_text_is_cut(args: list[str]) -> None:
    """The class of row 4: paths, names, numbers, choices and stray arguments too."""
    line = one_line_error(run(*args), 2)
    assert len(line) < 400, line


# -- row 5: documented upper bounds on training ------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--hidden", "100000", "argument --hidden: a layer is at most 256 wide, got 100000"),
        ("--samples", str(10**12), "argument --samples: must be at most 10000, got 1000000"),
        ("--epochs", str(10**26), "argument --epochs: must be at most 10000, got 1000000"),
    ],
)
def test_row_5_training_options_have_documented_upper_bounds(
    option: str, value: str, message: str, tmp_path: Path
) -> None:
    """Row 5: --hidden 100000, --samples 10**12, --epochs 10**26: exit 2 with the limit
    (ran for minutes at gigabytes, ended in a MemoryError traceback or "training
    diverged")."""
    out = tmp_path / "out"
    result = run("train", option, value, "--out", str(out), timeout=REFUSED_QUICKLY)
    assert message in one_line_error(result, 2)
    assert result.stdout == b"" and not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--hidden", "1,1,1,1,1,1,1,1,1"], "at most 8 hidden layers, got 9"),
        (["--batch-size", "10001"], "argument --batch-size: must be at most 10000"),
        (
            ["--hidden", "256,256"],  # 50 epochs × 200 samples of a 66,817-parameter MLP
            "50 epochs × 200 samples × network size 77,077 (parameters + 20 per neuron) = "
            "770,770,000; the limit is 300,000,000 (a few minutes): use --epochs 19 or fewer",
        ),
        (
            ["--hidden", "256,256", "--epochs", "1", "--samples", "1000", "--batch-size", "1000"],
            "needs too much memory: 750 rows per training step × network size 77,077",
        ),
        (
            ["--hidden", "256,256", "--epochs", "1", "--samples", "3000", "--test-fraction", ".9"],
            "needs too much memory: 2700 test rows (evaluated at once) × network size 77,077",
        ),
    ],
)
def test_the_size_of_a_run_is_bounded_before_it_starts(
    args: list[str], message: str, tmp_path: Path
) -> None:
    """Row 5's class: every option within its bound, but the whole too big for the engine
    (time: epochs × samples × size; memory: rows at once × size)."""
    out = tmp_path / "out"
    result = run("train", *args, "--out", str(out), timeout=REFUSED_QUICKLY)
    assert message in one_line_error(result, 2)
    assert result.stdout == b"" and not out.exists()


def test_demo_epochs_are_bounded_by_the_same_work(tmp_path: Path) -> None:
    result = run("demo", "--epochs", "5000", "--out", str(tmp_path), timeout=REFUSED_QUICKLY)
    line = one_line_error(result, 2)
    # 300,000,000 // (200 samples × size 1,669 of 2-16-16-1 with batch norm, whose Linears
    # before a BatchNorm have no bias) = 898
    assert line.endswith("the limit is 300,000,000 (a few minutes): use --epochs 898 or fewer")


def test_help_states_every_bound() -> None:
    help_text = " ".join(run("train", "--help").stdout.decode().split())
    for text in (
        "--samples N rows of data, 10 to 10000 (default: 200)",
        "--epochs N passes over the data, 1 to 10000 (default: 50)",
        "at most 8 layers, each at most 256 wide (default: 16,16)",
        "--batch-size N rows per step, 1 to 10000 (default: 32)",
        "epochs × samples × network size (parameters + 20 per neuron) is at most 300,000,000",
    ):
        assert text in help_text
    help_text = " ".join(run("graph", "--help").stdout.decode().split())
    assert "at most 2000 characters and 400 parts" in help_text
    assert "a variable's value, a finite number" in help_text


# -- row 6: output paths are checked before training ---------------------------------------------


def test_row_6_output_paths_are_checked_before_training(tmp_path: Path) -> None:
    """Row 6: train --save /nonexistent/x.json (and --out): exit 2 before training starts
    (was: only after training and plotting)."""
    out = tmp_path / "out"
    slow = ["--epochs", "10000", "--samples", "10", "--hidden", "2", "--no-progress"]
    result = run("train", *slow, "--save", "/nonexistent/x.json", "--out", str(out),
                 timeout=REFUSED_QUICKLY)  # fmt: skip
    assert "--save '/nonexistent/x.json': cannot write" in one_line_error(result, 2)
    assert result.stdout == b"" and not out.exists()

    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    result = run("train", *slow, "--out", str(a_file / "out"), timeout=REFUSED_QUICKLY)
    assert "cannot create the folder" in one_line_error(result, 2)
    assert result.stdout == b""


@pytest.mark.parametrize(
    ("command", "blocked"),
    [
        ("train", "decision_boundary.png"),
        ("demo", "neuron.svg"),
        ("demo", "backprop.html"),
        ("demo", "training.html"),
    ],
)
def test_the_files_inside_the_output_folder_are_checked_before_training(
    command: str, blocked: str, tmp_path: Path
) -> None:
    """Row 6's class: --out is fine, but a file the run will write there cannot be."""
    (tmp_path / blocked).mkdir()
    result = run(command, "--epochs", "800", "--out", str(tmp_path), timeout=REFUSED_QUICKLY)
    line = one_line_error(result, 2)
    assert f"cannot write '{blocked}' in it: it exists and is not a regular file" in line
    assert result.stdout == b""


def test_an_empty_output_folder_is_refused() -> None:
    line = one_line_error(run("train", "--out", "", timeout=REFUSED_QUICKLY), 2)
    assert "--out is empty" in line


def test_a_symbolic_link_loop_and_a_name_too_long_are_refused_up_front(tmp_path: Path) -> None:
    (tmp_path / "a.svg").symlink_to("b.svg")
    (tmp_path / "b.svg").symlink_to("a.svg")
    assert "-o 'a.svg': cannot write" in one_line_error(run("graph", *NEURON, "-o", "a.svg",
                                                            cwd=tmp_path), 2)  # fmt: skip
    line = one_line_error(run("graph", *NEURON, "-o", "n" * 300 + ".svg", cwd=tmp_path), 2)
    assert "the file name is 304 bytes long; this file system's limit is 255" in line


# -- row 7: standard output that cannot be written -----------------------------------------------


def _closed_pipe() -> int:
    """The write end of a pipe whose reader is already gone: writing gives EPIPE."""
    read, write = os.pipe()
    os.close(read)
    return write


@pytest.mark.parametrize(
    "args",
    [
        ["graph", *NEURON, "-o", "-"],
        ["step", *NEURON, "-o", "-"],
        ["train", "--epochs", "3", "--samples", "10", "--hidden", "2", "--no-progress"],
    ],
    ids=["graph", "step", "train"],
)
def test_row_7_a_broken_pipe_ends_quietly(args: list[str], tmp_path: Path) -> None:
    """Row 7: -o - into a closed or broken pipe (and train's lines per epoch): a quiet
    end, exit status 1, no traceback (was a BrokenPipeError traceback)."""
    extra = ["--out", str(tmp_path)] if args[0] == "train" else []
    write = _closed_pipe()
    try:
        result = run(*args, *extra, stdout=write)
    finally:
        os.close(write)
    assert result.returncode == 1
    assert result.stderr == b""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
@pytest.mark.parametrize(
    "args",
    [
        ["graph", *NEURON, "-o", "-"],
        ["step", *NEURON, "-o", "-"],
        ["train", "--epochs", "1", "--samples", "10", "--hidden", "2", "--no-progress"],
    ],
    ids=["graph", "step", "train"],
)
def test_row_7_a_full_disk_is_one_line_and_exit_status_1(args: list[str], tmp_path: Path) -> None:
    """Row 7: -o - into a full disk: one line, exit 1 (was an OSError traceback)."""
    extra = ["--out", str(tmp_path)] if args[0] == "train" else []
    with open("/dev/full", "wb") as full:
        result = run(*args, *extra, stdout=full)
    line = one_line_error(result, 1)
    assert line.endswith(": cannot write to standard output: No space left on device")


def test_row_7_a_closed_standard_output_is_one_line_and_exit_status_1(tmp_path: Path) -> None:
    """Row 7: -o - with standard output closed (>&-): one line, exit 1 (was an
    AttributeError traceback); other commands print nowhere, as Python does."""
    closed = ["sh", "-c", 'exec "$0" "$@" >&-', GRADSTEP]
    for command in ("graph", "step"):
        result = subprocess.run(
            [*closed, command, *NEURON, "-o", "-"], capture_output=True, env=ENV, timeout=120
        )
        line = one_line_error(result, 1)
        assert line == f"gradstep {command}: -o -: standard output is closed: nowhere to write"
    result = subprocess.run(
        [*closed, "train", "--epochs", "2", "--samples", "10", "--hidden", "2", "--out",
         str(tmp_path)], capture_output=True, env=ENV, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()
    assert (tmp_path / "loss.png").exists()


def test_a_closed_standard_error_does_not_stop_a_run(tmp_path: Path) -> None:
    """Neighbour of row 7: with stderr closed (2>&-) the progress bar has nowhere to go,
    and errors are not printed into standard output instead."""
    closed = ["sh", "-c", 'exec "$0" "$@" 2>&-', GRADSTEP]
    result = subprocess.run(
        [*closed, "train", "--epochs", "2", "--samples", "10", "--hidden", "2", "--out",
         str(tmp_path)], capture_output=True, env=ENV, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0
    assert len(re.findall(rb"^epoch +\d/2", result.stdout, flags=re.M)) == 2
    bad = subprocess.run([*closed, "graph", "x +", "-o", "-"], capture_output=True, env=ENV)
    assert bad.returncode == 2 and bad.stdout == b""  # the error line went nowhere


def test_documents_on_standard_output_are_utf_8_whatever_the_locale(tmp_path: Path) -> None:
    """`-o -` writes the document's own bytes (UTF-8, as it declares), and the lines
    meant for reading are escaped where the terminal's encoding cannot hold them."""
    ascii_only = {"PYTHONIOENCODING": "ascii"}
    result = run("step", "θ*2", "--var", "θ=1", "-o", "-", env=ascii_only)
    assert result.returncode == 0, result.stderr.decode()
    assert "θ".encode() in result.stdout and result.stdout.decode("utf-8")
    out = tmp_path / "g.svg"
    result = run("graph", "θ*2", "--var", "θ=1", "-o", str(out), env=ascii_only)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == f"\\u03b8*2 = 2; graph written to {out}\n".encode()


# -- row 8: step -o - -----------------------------------------------------------------------------


def test_row_8_step_to_stdout_writes_the_page_not_a_file_named_dash(tmp_path: Path) -> None:
    """Row 8: step -o - writes the page to standard output, as graph does (wrote a file
    named "-")."""
    result = run("step", *NEURON, "-o", "-", cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    page = result.stdout.decode("utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert list(tmp_path.iterdir()) == []


# -- the command line as a whole -------------------------------------------------------------------


def test_too_many_arguments_are_refused_at_once() -> None:
    """argparse takes a minute over 30,000 repeated options (its time grows with the
    square of their number): more than 1,000 arguments are refused before parsing."""
    args = ["graph", "x", *["--var", "x=1"] * 10_000]
    line = one_line_error(run(*args, timeout=REFUSED_QUICKLY), 2)
    assert line == "gradstep: error: 20002 arguments; the limit is 1000"


def test_a_formula_that_starts_with_a_minus_sign() -> None:
    """argparse reads "-x*2" as an option: the error says how to pass it, and that works."""
    assert "goes after --" in one_line_error(run("graph", "-x*2", "--var", "x=1", "-o", "-"), 2)
    result = run("graph", "--var", "x=1", "-o", "-", "--", "-x*2")
    assert result.returncode == 0 and b"<svg" in result.stdout
