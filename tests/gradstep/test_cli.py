"""The gradstep command, run for real in a subprocess, on good and bad input."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import nn
from gradstep import cli

GRADSTEP = str(Path(sys.executable).with_name("gradstep"))
"""The installed console script (make test installs the package into the venv)."""

NEURON = ["tanh(x*w + b)", "--var", "x=2", "--var", "w=-3", "--var", "b=6.5"]


def run(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [GRADSTEP, *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "MPLBACKEND": "Agg", **(env or {})},
        cwd=cwd,
        check=False,
    )


def svg_texts(path: Path) -> list[str]:
    root = ET.fromstring(path.read_bytes())
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_version_and_help() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert re.fullmatch(r"gradstep \d+\.\d+\.\d+\n", result.stdout)
    for command in ([], ["demo"], ["graph"], ["step"], ["train"], ["compare"]):
        result = run(*command, "--help")
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("usage: gradstep")


def test_graph_writes_an_svg_of_the_formula_after_backward(tmp_path: Path) -> None:
    out = tmp_path / "neuron.svg"
    result = run("graph", *NEURON, "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "0.462117" in result.stdout and str(out) in result.stdout
    texts = svg_texts(out)
    for label in ("x", "w", "b", "tanh"):
        assert label in texts
    assert "-2.359" in texts  # dy/dx = (1 - tanh(0.5)^2) * w


def test_graph_to_stdout() -> None:
    result = run("graph", "x*x", "--var", "x=3", "-o", "-")
    assert result.returncode == 0, result.stderr
    assert ET.fromstring(result.stdout.encode()).tag.endswith("svg")


def test_step_writes_a_player_and_prints_the_trace(tmp_path: Path) -> None:
    out = tmp_path / "player.html"
    result = run("step", *NEURON, "-o", str(out), "--trace")
    assert result.returncode == 0, result.stderr
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "<svg" in html and "http://" not in html.replace("http://www.w3.org", "")
    assert "d(a * b)/da = b" in result.stdout


@pytest.mark.browser
def test_the_step_player_opens_in_a_browser(
    tmp_path: Path, browser: object, artifacts: Path
) -> None:
    out = tmp_path / "player.html"
    assert run("step", *NEURON, "-o", str(out)).returncode == 0
    page = browser.new_page()  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(out.as_uri())
    counter = page.locator("text=/step 1 \\/ \\d+/").first
    assert counter.is_visible()
    page.keyboard.press("End")
    assert page.locator("text=/step (\\d+) \\/ \\1/").first.is_visible()
    page.screenshot(path=str(artifacts / "cli-step-player.png"))
    page.close()
    assert errors == []


def test_train_prints_epochs_writes_plots_and_a_loadable_checkpoint(tmp_path: Path) -> None:
    folder, checkpoint = tmp_path / "out", tmp_path / "model.json"
    result = run(
        "train", "--data", "xor", "--samples", "40", "--hidden", "4", "--epochs", "3",
        "--optimizer", "momentum", "--batchnorm", "--activation", "tanh", "--no-progress",
        "--out", str(folder), "--save", str(checkpoint),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert len(re.findall(r"^epoch +\d+/3 +loss", result.stdout, flags=re.M)) == 3
    for name in ("loss.png", "decision_boundary.png", "gradient_flow.png"):
        assert (folder / name).read_bytes().startswith(b"\x89PNG")
    model = nn.MLP(2, [4, 1], activation="tanh", batchnorm=True)
    nn.load(model, checkpoint)
    assert json.loads(checkpoint.read_text())  # JSON, not pickle


def test_train_multi_class_uses_cross_entropy(tmp_path: Path) -> None:
    result = run(
        "train", "--data", "spirals", "--samples", "60", "--epochs", "2", "--hidden", "8",
        "--no-progress", "--out", str(tmp_path),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "MLP(2, [8, 3]" in result.stdout


def test_demo_writes_every_output(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    result = run("demo", "--out", str(folder), "--epochs", "3", "--no-progress")
    assert result.returncode == 0, result.stderr
    assert re.search(r"final training accuracy: \d+\.\d%", result.stdout)
    for name in ("loss.png", "decision_boundary.png", "gradient_flow.png"):
        assert (folder / name).read_bytes().startswith(b"\x89PNG")
        assert str(folder / name) in result.stdout
    assert "0.weight[0,0]" in svg_texts(folder / "neuron.svg")
    assert "<svg" in (folder / "backprop.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["graph", "x +", "--var", "x=1"], "syntax error"),
        (["graph", "__import__('os').system('echo pwned')"], "attribute access"),
        (["graph", "__import__('os')"], "unknown function '__import__'"),
        (["graph", "x.__class__", "--var", "x=1"], "attribute access"),
        (["graph", "2 ** 100000"], "overflows"),
        (["graph", "x ** 5000", "--var", "x=10"], "overflows"),
        (["graph", "log(x)", "--var", "x=-1"], r"log\(-1.0\)"),
        (["step", "x / y", "--var", "x=1"], "no value for y"),
        (["graph", "x", "--var", "x"], "expected NAME=NUMBER"),
        (["graph", "x", "--var", "x=abc"], "not a number"),
        (["graph", "x", "--bogus"], "unrecognized arguments: --bogus"),
        (["fly"], "invalid choice: 'fly'"),
        ([], "required: COMMAND"),
        (["train", "--epochs", "0"], "must be at least 1"),
        (["train", "--hidden", "16,x"], "expected widths"),
        (["train", "--data", "mnist"], "invalid choice: 'mnist'"),
        (["train", "--lr", "-1"], "argument --lr: must be positive"),
        (["train", "--lr", "inf"], "argument --lr: must be positive and finite, got inf"),
        (["train", "--lr", "nan"], "argument --lr: must be positive and finite, got nan"),
        (["train", "--noise", "-1"], "argument --noise: must be from 0 to 10, got -1"),
        (["train", "--noise", "nan"], "argument --noise: must be from 0 to 10, got nan"),
        (["train", "--noise", "1e308"], "argument --noise: must be from 0 to 10, got 1e308"),
        (["train", "--noise", "inf"], "argument --noise: must be from 0 to 10"),
        (["train", "--samples", "1"], "argument --samples: must be at least 10, got 1"),
        (["train", "--samples", "9"], "argument --samples: must be at least 10, got 9"),
        (["train", "--test-fraction", "1"], r"argument --test-fraction: must be in \[0, 1\)"),
        (["train", "--test-fraction", "-0.1"], "argument --test-fraction: must be in"),
        (
            ["train", "--samples", "10", "--test-fraction", "0.9"],
            "--test-fraction 0.9 of --samples 10 leaves 1 training row",
        ),
        (
            ["train", "--samples", "10", "--test-fraction", "0.99"],
            "--test-fraction 0.99 of --samples 10 leaves 0 training row",
        ),
        (
            ["train", "--batchnorm", "--batch-size", "1"],
            "--batch-size 1 cannot train with --batchnorm",
        ),
    ],
)
def test_bad_input_gives_one_line_and_exit_status_2(
    args: list[str], message: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    if args and args[0] == "train":  # tiny settings, in case a case is wrongly accepted
        args = [*args, "--out", str(out), "--no-progress", "--epochs", "1"]
        args += [] if "--samples" in args else ["--samples", "10"]
    result = run(*args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert re.search(message, lines[0]), lines[0]
    assert "pwned" not in result.stdout
    assert not out.exists()  # refused before the output folder is made


def test_train_with_test_fraction_0_trains_on_every_row(tmp_path: Path) -> None:
    result = run(
        "train", "--test-fraction", "0", "--samples", "12", "--epochs", "2", "--hidden", "4",
        "--no-progress", "--out", str(tmp_path),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "on moons (12 rows)" in result.stdout
    assert re.search(r"^final training accuracy: \d+\.\d%$", result.stdout, flags=re.M)
    assert "test loss" not in result.stdout and "test accuracy" not in result.stdout
    assert (tmp_path / "loss.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    "options",
    [
        ["--samples", "12", "--batch-size", "4"],  # 9 training rows: batches of 4, 4, 1
        ["--samples", "12", "--test-fraction", "0", "--batch-size", "11"],  # 11, 1
        ["--samples", "12", "--batch-size", "32"],  # one batch, smaller than --batch-size
        ["--samples", "10", "--test-fraction", "0.8", "--batch-size", "2"],  # 2 rows: the least
    ],
)
def test_batchnorm_never_trains_on_a_batch_of_one_row(options: list[str], tmp_path: Path) -> None:
    result = run(
        "train", "--batchnorm", *options, "--epochs", "2", "--hidden", "4", "--no-progress",
        "--out", str(tmp_path),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert len(re.findall(r"^epoch +\d+/2 +loss \d", result.stdout, flags=re.M)) == 2


@pytest.mark.parametrize(
    ("options", "what"),
    [
        # nn.optim refuses a step that would make a weight inf (issue 10): no NaN loss first.
        (["--optimizer", "adam", "--lr", "1e308"], "a value overflowed a float"),
        (["--optimizer", "sgd", "--lr", "1e300"], "a value overflowed a float"),
    ],
)
def test_diverged_training_is_one_line_and_exit_status_1(
    options: list[str], what: str, tmp_path: Path
) -> None:
    folder, checkpoint = tmp_path / "out", tmp_path / "model.json"
    result = run(
        "train", *options, "--samples", "10", "--epochs", "2", "--hidden", "4", "--no-progress",
        "--out", str(folder), "--save", str(checkpoint),
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines == [f"gradstep train: training diverged ({what}): try a smaller --lr"]
    assert not checkpoint.exists() and list(folder.iterdir()) == []  # nothing half-written


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (ValueError("BatchNorm1d needs\nmore rows"), "BatchNorm1d needs more rows"),
        (ZeroDivisionError("division by zero"), "division by zero"),
    ],
)
def test_errors_the_settings_provoke_while_training_are_one_line(
    error: Exception,
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def fit(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(nn, "fit", fit)
    status = cli.main(["train", "--samples", "10", "--no-progress", "--out", str(tmp_path)])
    assert status == 2
    assert capsys.readouterr().err == (
        f"gradstep train: error: training failed with these settings: {message}\n"
    )


def test_errors_making_the_data_are_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def make_moons(*args: object, **kwargs: object) -> None:
        raise ValueError("noise must be >= 0, got -1.0")

    monkeypatch.setitem(nn.data.DATASETS, "moons", make_moons)
    status = cli.main(["train", "--samples", "10", "--no-progress", "--out", str(tmp_path)])
    assert status == 2
    err = capsys.readouterr().err
    assert err == "gradstep train: error: cannot make the data with these settings: " + (
        "noise must be >= 0, got -1.0\n"
    )


@pytest.mark.parametrize("error", [TypeError("a bug"), AttributeError("a bug"), KeyError("bug")])
def test_programming_errors_while_training_still_raise(
    error: Exception, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fit(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(nn, "fit", fit)
    with pytest.raises(type(error)):
        cli.main(["train", "--samples", "10", "--no-progress", "--out", str(tmp_path)])


def test_unwritable_output_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for args in (
        ["demo", "--out", str(blocker / "out"), "--epochs", "1", "--no-progress"],
        ["train", "--out", str(blocker / "out"), "--epochs", "1", "--no-progress"],
        ["graph", "x", "--var", "x=1", "-o", str(blocker / "g.svg")],
        ["step", "x", "--var", "x=1", "-o", str(tmp_path / "missing" / "p.html")],
    ):
        result = run(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert "cannot" in result.stderr


def test_missing_graphviz_is_one_line_saying_what_to_install(tmp_path: Path) -> None:
    result = run("graph", *NEURON, "-o", str(tmp_path / "g.svg"), env={"PATH": str(tmp_path)})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Graphviz" in result.stderr and "apt" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["graph", "x\0", "--var", "x=1"], r"argument 2 \('x\\x00'\) holds a NUL character"),
        (["graph", "x", "--var", "x=1", "-o", "a\0.svg"], "argument 6 .* holds a NUL"),
        (["graph", "x\ud800", "--var", "x=1"], r"is not valid UTF-8: \\ud800 at position 2"),
    ],
)
def test_arguments_no_shell_can_pass_are_one_line_too(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """NUL characters and lone surrogates reach main() only from Python (a shell cannot
    pass them): still one line, exit status 2, never a ValueError from deep inside."""
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("gradstep: error: ") and err.count("\n") == 1
    assert re.search(message, err), err


def test_a_run_at_the_bounds_is_accepted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """19 epochs of --hidden 256,256 on 200 samples is 292,892,600 units of work: under
    the 300,000,000 of the limit, so training starts (and stops here, in a fake fit)."""

    def fit(*args: object, **kwargs: object) -> None:
        raise KeyError("training started")

    monkeypatch.setattr(nn, "fit", fit)
    with pytest.raises(KeyError, match="training started"):
        cli.main(["train", "--hidden", "256,256", "--epochs", "19", "--out", str(tmp_path)])
