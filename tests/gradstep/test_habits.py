"""The command's habits: formats by suffix, streaming epochs, Ctrl-C, progress bars, atomic files.

Every test runs the installed ``gradstep`` program as a user would, in a subprocess.
"""

from __future__ import annotations

import argparse
import ast
import errno
import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

import nn
from gradstep import limits
from gradstep.errors import RunFailedError, UsageError, shown
from gradstep.files import output_path, write_atomic
from gradstep.limits import NEURON_COST, network_size
from gradstep.training import OutputOption, check_outputs

GRADSTEP = str(Path(sys.executable).with_name("gradstep"))
NEURON = ["tanh(x*w + b)", "--var", "x=2", "--var", "w=-3", "--var", "b=6.5"]
ENV = {**os.environ, "MPLBACKEND": "Agg"}


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [GRADSTEP, *args], capture_output=True, text=True, timeout=300, env=ENV, cwd=cwd
    )


def one_line_error(result: subprocess.CompletedProcess[str], status: int) -> str:
    assert result.returncode == status, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


# -- -o picks the format from the suffix --------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "magic"), [(".png", b"\x89PNG"), (".pdf", b"%PDF"), (".svg", b"<?xml")]
)
def test_graph_writes_the_format_its_suffix_names(
    suffix: str, magic: bytes, tmp_path: Path
) -> None:
    out = tmp_path / f"neuron{suffix.upper() if suffix == '.png' else suffix}"
    result = run("graph", *NEURON, "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(magic)
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary file left


@pytest.mark.parametrize(
    ("command", "name", "accepted"),
    [
        ("graph", "a.jpg", ".pdf, .png, .svg"),
        ("graph", "a", ".pdf, .png, .svg"),
        ("graph", "a.html", ".pdf, .png, .svg"),
        ("step", "a.svg", ".html"),
        ("step", "a.htm", ".html"),
    ],
)
def test_an_unknown_suffix_is_a_usage_error_and_writes_nothing(
    command: str, name: str, accepted: str, tmp_path: Path
) -> None:
    line = one_line_error(run(command, *NEURON, "-o", str(tmp_path / name)), 2)
    assert f"must end in {accepted}" in line
    assert list(tmp_path.iterdir()) == []


def test_step_to_stdout_writes_the_page_and_no_file(tmp_path: Path) -> None:
    result = run("step", *NEURON, "-o", "-", "--trace", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("<!DOCTYPE html>") and result.stdout.rstrip().endswith(
        "</html>"
    )
    assert "d(a * b)/da = b" in result.stderr  # the trace stays out of the page
    assert list(tmp_path.iterdir()) == []


def test_a_symlink_is_written_through_and_a_fifo_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "real.svg"
    target.write_text("old")
    link = tmp_path / "link.svg"
    link.symlink_to(target)
    assert run("graph", *NEURON, "-o", str(link)).returncode == 0
    assert link.is_symlink() and target.read_text().startswith("<?xml")
    fifo = tmp_path / "pipe.svg"
    os.mkfifo(fifo)
    line = one_line_error(run("graph", *NEURON, "-o", str(fifo)), 2)
    assert "not a regular file" in line


def test_save_and_out_are_checked_before_training(tmp_path: Path) -> None:
    started = time.monotonic()
    result = run("train", "--epochs", "500", "--save", str(tmp_path / "no" / "m.json"),
                 "--out", str(tmp_path / "out"))  # fmt: skip
    assert "does not exist" in one_line_error(result, 2)
    assert "epoch" not in result.stdout and not (tmp_path / "out").exists()
    assert time.monotonic() - started < 60  # refused up front, not after 500 epochs
    assert "must end in .json" in one_line_error(run("train", "--save", "m.txt"), 2)


# -- help ----------------------------------------------------------------------------------


def test_every_option_shows_its_default_and_every_command_ends_with_an_example() -> None:
    for name in ("demo", "graph", "step", "train", "compare", "doctor"):
        help_text = run(name, "--help").stdout
        options = help_text.split("\noptions:\n", 1)[1].split("\nexample:", 1)[0]
        entries = [" ".join(e.split()) for e in re.split(r"\n(?=  -)", options.strip("\n"))]
        assert entries[0].startswith("-h, --help")
        for entry in entries[1:]:
            assert "(default: " in entry or entry.endswith("(required)"), (name, entry)
        *_, heading, example = help_text.rstrip().splitlines()
        assert heading == "example:" and example.startswith(f"  gradstep {name}")
    train = " ".join(run("train", "--help").stdout.split())
    assert (
        "--hidden WIDTHS hidden layer widths, comma-separated: at most 8 layers, each at most "
        "256 wide (default: 16,16)"
    ) in train
    assert "--batchnorm BatchNorm1d after each hidden layer" in train
    assert "(default: off)" in train and "(default: the optimizer's own: sgd 0.1," in train


def test_python_dash_m_gradstep_is_the_same_program() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "gradstep", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and result.stdout == run("--version").stdout


# -- training output: streamed lines, bars only on a terminal, Ctrl-C ------------------------


def _train(tmp_path: Path, *extra: str, **popen: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [GRADSTEP, "train", "--samples", "40", "--hidden", "4", "--out", str(tmp_path / "out"),
         *extra],
        env=ENV,
        **popen,  # type: ignore[arg-type]
    )  # fmt: skip


def _read_line(stream: object, timeout: float = 60) -> bytes:
    fd = stream.fileno()  # type: ignore[attr-defined]
    line = b""
    deadline = time.monotonic() + timeout
    while not line.endswith(b"\n"):
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        assert ready, f"no full line within {timeout} s (got {line!r})"
        chunk = os.read(fd, 1)
        assert chunk, f"the stream ended (got {line!r})"
        line += chunk
    return line


def test_epoch_lines_arrive_while_training_runs_and_ctrl_c_ends_cleanly(tmp_path: Path) -> None:
    save = tmp_path / "model.json"
    process = _train(
        tmp_path, "--epochs", "10000", "--save", str(save),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert _read_line(process.stdout).startswith(b"training MLP")
        assert re.match(rb"epoch +1/10000 +loss \d", _read_line(process.stdout))
        assert process.poll() is None  # a line per epoch, while training goes on
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130
    assert err.decode().strip() == "gradstep train: interrupted"
    assert not save.exists()
    assert list((tmp_path / "out").iterdir()) == []  # no plot, no temporary file


def test_no_progress_bar_into_a_pipe_and_one_on_a_terminal(tmp_path: Path) -> None:
    piped = _train(tmp_path, "--epochs", "3", "--quiet", stdout=subprocess.PIPE,
                   stderr=subprocess.PIPE)  # fmt: skip
    out, err = piped.communicate(timeout=120)
    assert piped.returncode == 0, err
    assert b"\r" not in err and b"training:" not in err
    assert b"epoch" not in out  # --quiet

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 100 columns
    on_terminal = _train(tmp_path, "--epochs", "3", stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    seen = b""
    while True:  # read the terminal until the program closes it
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert on_terminal.wait(timeout=120) == 0
    assert b"training:" in seen and b"\r" in seen


# -- atomic writing ---------------------------------------------------------------------------


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "plot.png"
    target.write_bytes(b"old picture")

    def half_then_ctrl_c(temp: Path) -> None:
        temp.write_bytes(b"half a pic")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, half_then_ctrl_c)
    assert target.read_bytes() == b"old picture"
    assert [p.name for p in tmp_path.iterdir()] == ["plot.png"]


def test_a_name_at_the_length_limit_still_has_room_for_its_temporary(tmp_path: Path) -> None:
    target = tmp_path / ("n" * 250 + ".svg")  # 254 characters: most file systems allow 255
    write_atomic(
        output_path(str(target), suffixes=(".svg",), option="-o"), lambda t: t.write_text("x")
    )
    assert target.read_text() == "x"


def test_output_path_refuses_a_folder_and_a_device_even_through_a_link(tmp_path: Path) -> None:
    folder = tmp_path / "sub.svg"
    folder.mkdir()
    with pytest.raises(UsageError, match="not a regular file"):
        output_path(str(folder), suffixes=(".svg",), option="-o")
    link = tmp_path / "null.json"
    link.symlink_to(os.devnull)  # `train --save` must never replace /dev/null
    with pytest.raises(UsageError, match="not a regular file"):
        output_path(str(link), suffixes=(".json",), option="--save")


def test_a_full_disk_while_writing_a_file_is_a_failed_run_not_bad_input(tmp_path: Path) -> None:
    """The path was checked up front; what fails while writing is the surroundings (a
    full disk): RunFailedError, exit status 1, the old file kept, no temporary left."""
    target = tmp_path / "plot.png"
    target.write_bytes(b"old picture")

    def disk_full(temp: Path) -> None:
        temp.write_bytes(b"half")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with pytest.raises(RunFailedError, match="No space left on device"):
        write_atomic(target, disk_full)
    assert [p.name for p in tmp_path.iterdir()] == ["plot.png"]
    assert target.read_bytes() == b"old picture"


def test_an_output_option_is_one_row_of_the_table(tmp_path: Path) -> None:
    """``train``'s output files are checked before training from one table: an option
    such as --player FILE.html is one more row."""
    table = (
        OutputOption("save", "--save", (".json",)),
        OutputOption("player", "--player", (".html",)),
    )
    good = argparse.Namespace(save=None, player=str(tmp_path / "p.html"))
    assert check_outputs(good, table) == {"player": tmp_path / "p.html"}
    for player, message in (("/nonexistent/p.html", "does not exist"), ("p.htm", "end in .html")):
        bad = argparse.Namespace(save=str(tmp_path / "m.json"), player=player)
        with pytest.raises(UsageError, match=f"^--player '{player}': .*{message}"):
            check_outputs(bad, table)


@pytest.mark.parametrize(
    ("hidden", "outputs", "batchnorm"),
    [([16, 16], 1, False), ([4], 3, True), ([256, 256], 1, False), ([3, 5, 7], 3, True)],
)
def test_network_size_counts_the_parameters_of_the_real_mlp(
    hidden: list[int], outputs: int, batchnorm: bool
) -> None:
    """The bounds of a run use network_size, which counts without building the model."""
    model = nn.MLP(2, [*hidden, outputs], batchnorm=batchnorm)
    neurons = sum(hidden) * (2 if batchnorm else 1) + outputs
    expected = len(model.parameters()) + NEURON_COST * neurons
    assert network_size(2, hidden, outputs, batchnorm=batchnorm) == expected


@pytest.mark.parametrize(
    "text", ["tanh(x)", "a\nb\r\x1b[2J\x07", "\u200b\u202e", "'\"\\", "é θ ｘ", "f('a')"]
)
def test_shown_text_reads_back_as_python_would_write_it(text: str) -> None:
    """Escaped as in Python's repr, so a learner can paste it back into Python."""
    line = shown(text)
    assert line.isprintable() and ast.literal_eval(line) == text


def test_shown_text_is_one_printable_line_of_bounded_length() -> None:
    assert shown("x\udcff\ud800") == "'x\\xff\\ud800'"  # the undecodable byte, as a byte
    long = shown("\x1b" * 500)
    assert long.isprintable() and long == "'" + "\\x1b" * 20 + "'… (500 characters)"


def test_the_readme_lists_every_limit_with_its_value() -> None:
    """The error contract's table of limits says what gradstep/limits.py holds."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    table = readme.split("**Limits.**", 1)[1].split("\n## ", 1)[0]
    for text in (
        f"| arguments | at most {limits.MAX_ARGUMENTS:,} |",
        f"at most {limits.MAX_FORMULA_LENGTH:,} characters and {limits.MAX_FORMULA_PARTS} parts",
        f"| `--samples` | {limits.MIN_SAMPLES} to {limits.MAX_SAMPLES:,} |",
        f"| `--epochs` | 1 to {limits.MAX_EPOCHS:,} |",
        f"| `--batch-size` | 1 to {limits.MAX_BATCH_SIZE:,} |",
        f"at most {limits.MAX_HIDDEN_LAYERS} layers, each at most {limits.MAX_LAYER_WIDTH} wide",
        f"| `--noise` | 0 to {limits.MAX_NOISE:g} |",
        f"epochs × samples × network size ≤ {limits.MAX_WORK:,}",
        f"rows at once × network size ≤ {limits.MAX_ROWS_AT_ONCE_WORK:,}",
        f"parameters + {limits.NEURON_COST} per neuron",
        f"| {limits.ECHO_LIMIT} characters, then cut |",
        f"| `compare --vary` values | 2 to {limits.MAX_COMPARE_RUNS} |",
        f"{limits.COMPARE_RECORDED_VALUES:,} numbers for all runs",
    ):
        assert text in table, text
