"""The command's training players: ``train --player``, ``demo``'s training.html, ``compare``.

The command runs in this process (``cli.main``), as a user's command line would run it:
the runs are tiny, and importing the libraries once keeps the file fast. Each player is
read back from the HTML file itself: the JSON block the page plays, decoded.
"""

from __future__ import annotations

import base64
import json
import math
import re
from array import array
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import nn
import viz
from gradstep import cli, compare, limits

DATA_BLOCK = re.compile(r'<script type="application/json" class="gt-data">(.*?)</script>', re.S)

SMALL = ["--samples", "20", "--hidden", "4", "--no-progress", "--quiet"]
"""Options of a run that takes a fraction of a second."""


def main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``gradstep ARGS`` in this process: (exit status, stdout, stderr)."""
    status = cli.main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def payload(path: Path) -> dict[str, Any]:
    """The data a player's page plays, read from its HTML file."""
    found = DATA_BLOCK.search(path.read_text(encoding="utf-8"))
    assert found is not None, f"no data block in {path}"
    data: dict[str, Any] = json.loads(found[1])
    return data


def floats(b64: str) -> list[float]:
    """The float64 numbers a payload field holds (base64 of little-endian doubles)."""
    values = array("d", base64.b64decode(b64))
    if array("d", [1.0]).tobytes()[0] != 0:  # a big-endian machine: the page is little-endian
        values.byteswap()
    return list(values)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [f"{tag} {key}" for key, _ in attrs if key in {"src", "href", "action"}]


def links(path: Path) -> list[str]:
    """Every attribute of the page that would load something (src, href, action)."""
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.found


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


# -- train --player ------------------------------------------------------------------------


def test_train_player_holds_what_a_run_with_the_same_seed_records(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    player = tmp_path / "run.html"
    status, out, err = main(
        capsys, "train", "--samples", "20", "--hidden", "4", "--no-progress", "--epochs", "3",
        "--seed", "5", "--out", str(tmp_path / "out"), "--player", str(player),
    )  # fmt: skip
    assert status == 0, err
    assert f"training player    {player}" in out
    assert links(player) == []  # self-contained: nothing to fetch, from file:// too
    shown = payload(player)

    # The same run, through the library, as the README tells a learner to write it.
    X, y = nn.data.make_moons(20, noise=0.1, seed=5)
    X_train, X_test, y_train, y_test = nn.data.train_test_split(X, y, test_size=0.25, seed=5)
    model = nn.MLP(2, [4, 1], activation="relu", seed=5)
    history = nn.fit(
        model, X_train, y_train, loss=nn.binary_cross_entropy_with_logits,
        optimizer=nn.optim.Adam(model.parameters(), lr=0.01), epochs=3, batch_size=32, seed=5,
        validation_data=(X_test, y_test), progress=False, record=True,
    )  # fmt: skip
    expected = viz.TrainingPlayer(history, title=shown["title"]).payload()
    assert shown == expected
    (run,) = shown["runs"]
    # And the numbers are the run's: each epoch's loss as the command printed it.
    losses = floats(run["scalars"])[0::4]  # loss, accuracy, val_loss, val_accuracy per frame
    assert losses[1:] == history.loss and len(losses) == 4
    printed = re.findall(r"^epoch +\d/3 +loss ([0-9.]+)", out, re.M)
    assert printed == [f"{loss:.4f}" for loss in losses[1:]]
    assert run["name"] == "training run"
    assert shown["title"] == (
        "MLP(2, [4, 1], activation='relu', batchnorm=False) on moons with adam, lr=0.01"
    )


def test_a_diverged_run_still_writes_its_player_then_fails_as_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """sgd with lr 1e60 overflows in epoch 3: the player shows epochs 0 to 2 and marks
    where it stopped; the command then ends as an unrecorded diverged run does."""
    diverging = ["train", *SMALL, "--epochs", "5", "--optimizer", "sgd", "--lr", "1e60"]
    folder, checkpoint, player = tmp_path / "out", tmp_path / "m.json", tmp_path / "p.html"
    status, _, err = main(
        capsys, *diverging, "--out", str(folder), "--save", str(checkpoint),
        "--player", str(player),
    )  # fmt: skip
    assert status == 1
    line = one_error_line(err)
    assert line == (
        "gradstep train: training diverged (a value overflowed a float, at epoch 3 step 3): "
        f"try a smaller --lr; the player shows the run up to there: '{player}'"
    )
    assert not checkpoint.exists() and list(folder.iterdir()) == []  # no plots
    (run,) = payload(player)["runs"]
    assert run["diverged"]["epoch"] == 3 and run["diverged"]["reason"].startswith("a value")
    assert run["frames"] == 3  # the initial model and epochs 1 and 2
    assert all(math.isfinite(x) for x in floats(run["params"]))

    status, _, err = main(capsys, *diverging, "--out", str(tmp_path / "plain"))
    assert status == 1
    assert one_error_line(err) == (
        "gradstep train: training diverged (a value overflowed a float): try a smaller --lr"
    )


def test_a_big_network_is_recorded_on_a_coarser_grid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each frame evaluates every neuron at every grid point: a big network gets fewer
    points. A smaller budget makes the tiny network "big" here."""
    monkeypatch.setattr(limits, "RECORD_GRID_WORK", 64 * limits.network_size(2, [4], 1))
    player = tmp_path / "p.html"
    status, _, err = main(capsys, "train", *SMALL, "--epochs", "1", "--out", str(tmp_path),
                          "--player", str(player))  # fmt: skip
    assert status == 0, err
    (run,) = payload(player)["runs"]
    assert run["grid"]["size"] == limits.MIN_RECORD_GRID == 8


@pytest.mark.parametrize(
    ("player", "message"),
    [
        ("missing/p.html", r"--player 'missing/p.html': cannot write: the folder 'missing'"),
        ("p.htm", r"--player 'p.htm': the file name must end in .html"),
        # Python reads ".html" as a hidden file with no suffix: say what is missing.
        (
            ".html",
            r"--player '.html': a suffix alone is no file name: give one such as "
            r"p.html$",
        ),
    ],
)
def test_a_bad_player_path_is_refused_before_training(
    player: str,
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A relative path: an absolute temporary one can pass the 80 characters after which
    # the command cuts what it echoes, and the message would then hide the folder's name.
    monkeypatch.chdir(tmp_path)
    status, out, err = main(
        capsys, "train", *SMALL, "--epochs", "500", "--out", "out", "--player", player
    )
    assert status == 2
    assert re.search(message, one_error_line(err))
    assert "training" not in out and not (tmp_path / "out").exists()


def test_a_player_linked_to_another_output_is_refused_before_training(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A symbolic link is written through: the player, then the plot, would land in one
    file, and the plot would silently replace the player."""
    monkeypatch.chdir(tmp_path)
    Path("out").mkdir()
    Path("p.html").symlink_to("out/loss.png")
    status, out, err = main(capsys, "train", *SMALL, "--epochs", "500", "--out", "out",
                            "--player", "p.html")  # fmt: skip
    assert status == 2 and "training" not in out
    line = one_error_line(err)  # the file's full path is cut if long: check both ends
    assert line.startswith(
        "gradstep train: error: --player 'p.html' and 'loss.png' in --out are the same file, '"
    )
    assert line.endswith(" (through a symbolic link): one would overwrite the other")
    assert list(Path("out").iterdir()) == []


# -- demo ----------------------------------------------------------------------------------


def test_demo_refuses_two_of_its_files_linked_to_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "training.html").symlink_to("backprop.html")
    status, out, err = main(capsys, "demo", "--out", str(tmp_path), "--quiet", "--no-progress")
    assert status == 2 and "training" not in out
    assert "'backprop.html' in --out and 'training.html' in --out are the same file" in (
        one_error_line(err)
    )


def test_demo_writes_its_training_player_and_60_epochs_fit_in_3_mb(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A frame adds the same bytes to the file whatever the epoch (base64 of fixed-size
    floats and codes), so a 1-epoch demo gives the size of the 60-epoch one."""
    status, out, err = main(capsys, "demo", "--epochs", "1", "--out", str(tmp_path),
                            "--no-progress", "--quiet")  # fmt: skip
    assert status == 0, err
    path = tmp_path / "training.html"
    assert f"training player    {path}" in out and links(path) == []
    (run,) = payload(path)["runs"]
    assert run["frames"] == 2  # the initial model and epoch 1
    units = [layer["units"] for layer in run["network"]["layers"]]
    kinds = [stage["kind"] for stage in run["network"]["layers"][0]["stages"]]
    assert units == [16, 16, 1] and kinds == ["batchnorm", "relu"]
    assert run["grid"]["size"] == limits.MAX_RECORD_GRID == 21
    per_frame = 0
    for key in ("scalars", "gradBars", "params", "grads", "bn"):
        per_frame += len(run[key]) // run["frames"]
    for key in ("neurons", "output"):  # the heatmaps and the decision boundary
        per_frame += (len(run[key]["codes"]) + len(run[key]["ranges"])) // run["frames"]
    assert per_frame > 10_000  # 33 heatmaps of 441 points, parameters and gradients
    assert path.stat().st_size + (61 - 2) * per_frame <= 3_000_000


# -- compare -------------------------------------------------------------------------------


def test_compare_writes_one_player_of_the_runs_from_the_same_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "new" / "cmp"  # made, parents included
    status, out, err = main(
        capsys, "compare", "--vary", "activation=sigmoid,relu", *SMALL, "--epochs", "2",
        "--out", str(folder),
    )  # fmt: skip
    assert status == 0, err
    assert [p.name for p in folder.iterdir()] == ["compare.html"]
    assert re.search(r"^activation=sigmoid +\d+\.\d% +\d+\.\d%$", out, re.M)
    shown = payload(folder / "compare.html")
    assert shown["title"] == "activation: sigmoid vs relu"
    sigmoid, relu = shown["runs"]
    assert (sigmoid["name"], relu["name"]) == ("activation=sigmoid", "activation=relu")
    assert [s["kind"] for s in sigmoid["network"]["layers"][0]["stages"]] == ["sigmoid"]
    assert [s["kind"] for s in relu["network"]["layers"][0]["stages"]] == ["relu"]
    assert sigmoid["points"] == relu["points"]  # the same data
    n = len(floats(sigmoid["params"])) // sigmoid["frames"]
    assert floats(sigmoid["params"])[:n] == floats(relu["params"])[:n]  # the same initial weights
    assert floats(sigmoid["scalars"])[4:] != floats(relu["scalars"])[4:]  # then they differ
    assert sigmoid["frames"] == relu["frames"] == 3


def test_compare_hidden_widths_are_separated_by_slashes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = main(
        capsys, "compare", "--vary", "hidden=3,2/5", *SMALL, "--epochs", "1", "--out",
        str(tmp_path),
    )  # fmt: skip
    assert status == 0, err
    runs = payload(tmp_path / "compare.html")["runs"]
    assert [run["name"] for run in runs] == ["hidden=3,2", "hidden=5"]
    widths = [[layer["units"] for layer in run["network"]["layers"]] for run in runs]
    assert widths == [[3, 2, 1], [5, 1]]
    assert compare.split_values("8,16") == ["8", "16"]  # no slash: commas separate runs


def test_compare_varies_batch_sizes_that_take_as_many_steps_per_epoch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """15 training rows: batches of 8 and of 10 are 2 steps an epoch each, and with
    BatchNorm batches of 7 are too (the last batch, of one row, is skipped)."""
    for sizes, extra in (("8,10", []), ("7,8", ["--batchnorm"])):
        status, _, err = main(capsys, "compare", "--vary", f"batch-size={sizes}", *SMALL, *extra,
                              "--epochs", "2", "--out", str(tmp_path))  # fmt: skip
        assert status == 0, err
        runs = payload(tmp_path / "compare.html")["runs"]
        assert [run["frames"] for run in runs] == [3, 3]


@pytest.mark.parametrize("space", ["\n", "\r", "\x0b", "\x85", "\u2028", "\t \t"])
def test_a_run_name_holds_no_line_break_or_control_whitespace(
    space: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """int() reads "3,\n2" as widths 3 and 2 (any whitespace around a number), so the
    value is accepted; its name, printed and shown in the player, must stay on one line."""
    status, out, err = main(capsys, "compare", "--vary", f"hidden=3,{space}2/5", *SMALL,
                            "--epochs", "1", "--out", str(tmp_path))  # fmt: skip
    assert status == 0, err
    runs = payload(tmp_path / "compare.html")["runs"]
    assert [run["name"] for run in runs] == ["hidden=3, 2", "hidden=5"]
    assert "run 1/2: hidden=3, 2\n" in out
    assert re.search(r"^hidden=3, 2 +\d+\.\d% +\d+\.\d%$", out, re.M)
    assert all(c.isprintable() for line in out.splitlines() for c in line)


def test_compared_runs_of_very_different_sizes_keep_the_same_frames(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Left to itself, nn.fit keeps fewer frames of a big network than of a small one
    (within the same max_values); compare gives every run the big one's, so that they
    share one timeline, and the big one's coarser heatmap grid. Smaller budgets make a
    small network "big" here, and the test fast."""
    monkeypatch.setattr(limits, "COMPARE_RECORDED_VALUES", 50_000)
    monkeypatch.setattr(compare, "COMPARE_RECORDED_VALUES", 50_000)
    monkeypatch.setattr(limits, "RECORD_GRID_WORK", 100 * 997)  # [16, 16]: size 997
    status, _, err = main(
        capsys, "compare", "--vary", "hidden=2/16,16", *SMALL, "--epochs", "10",
        "--out", str(tmp_path),
    )  # fmt: skip
    assert status == 0, err
    shown = payload(tmp_path / "compare.html")
    # 25,000 numbers a run; a frame of [16, 16] on a 10 x 10 grid holds at most 4,074:
    # 6 frames, stride 2.
    assert shown["timeline"]["stride"] == 2
    small, big = shown["runs"]
    assert small["frames"] == big["frames"] == 6  # epochs 0, 2, 4, 6, 8, 10
    assert len(small["grid"]["x"]) == len(big["grid"]["x"]) == 10
    assert shown["timeline"]["epochs"] == [0, 2, 4, 6, 8, 10]


@pytest.mark.parametrize(
    ("hidden", "batchnorm", "outputs"), [([4], False, 1), ([16, 16], True, 1), ([3, 5], True, 3)]
)
def test_the_frame_size_bound_is_at_least_what_a_frame_holds(
    hidden: list[int], batchnorm: bool, outputs: int
) -> None:
    X, y = nn.data.make_blobs(30, centers=outputs if outputs > 1 else 2, seed=0)
    model = nn.MLP(2, [*hidden, outputs], batchnorm=batchnorm, seed=0)
    loss = nn.cross_entropy if outputs > 1 else nn.binary_cross_entropy_with_logits
    history = nn.fit(model, X, y, loss=loss, optimizer=nn.optim.SGD(model.parameters()),
                     epochs=1, batch_size=10, progress=False, record=True)  # fmt: skip
    frame = history.recording["frames"][1]
    held = sum(
        len(numbers(frame[key])) for key in ("state", "grads", "batchnorm", "neurons", "output")
    )
    bound = limits.recorded_values_per_frame(
        2, hidden, outputs, batchnorm=batchnorm, grid_points=21 * 21
    )  # nn.RecordOptions' default grid, which fit used
    assert held <= bound <= 1.05 * held


def numbers(data: Any) -> list[float]:
    """Every number in nested plain data."""
    if isinstance(data, dict):
        return [x for value in data.values() for x in numbers(value)]
    if isinstance(data, list):
        return [x for value in data for x in numbers(value)]
    return [data] if isinstance(data, (int, float)) and not isinstance(data, bool) else []


@pytest.mark.parametrize(
    ("vary", "extra", "message"),
    [
        ("foo=1,2", [], r"--vary 'foo': not an option compare can vary; vary one of: "
                        "activation, batch-size, batchnorm, hidden, lr, optimizer$"),
        ("--lr=0.1,nan", [], r"--vary lr=nan: must be positive and finite, got nan$"),
        ("activation=sigmoid,swish", [], r"--vary activation=swish: invalid choice: 'swish'"),
        ("optimizer=adam,Adam", [], r"--vary optimizer=Adam: invalid choice: 'Adam'"),
        ("batchnorm=off,yes", [], r"--vary batchnorm=yes: expected one of off, on$"),
        ("hidden=16,16", [], r"gives the same value twice: '16' and '16' \(to vary the widths"),
        # Already separated by /: the hint about / would be beside the point.
        ("hidden=16,16/16, 16", [], r"gives the same value twice: '16,16' and '16, 16'$"),
        ("hidden=8/300", [], r"--vary hidden=300: a layer is at most 256 wide, got 300$"),
        ("lr=0.1", [], r"one value; compare needs 2 to 8"),
        ("lr=0.1,,0.2", [], r"an empty value"),
        ("lr", [], r"expected OPTION=VALUES"),
        ("seed=1,2", [], r"--vary seed: every compared run shares its data, seed and epochs"),
        ("epochs=1,2", [], r"--vary epochs: every compared run shares"),
        ("hidden=1/2/3/4/5/6/7/8/9", [], r"9 values; compare trains at most 8 runs$"),
        ("batch-size=1,2", ["--batchnorm"], r"run 'batch-size=1': --batch-size 1 cannot train"),
        ("hidden=64,64/64,63", ["--samples", "200", "--epochs", "150"],
         r"these 2 runs are too long together .* the limit for all of them is 300,000,000"),
        ("lr=0.1,0.2", ["--vary", "hidden=1,2"], r"--vary is given 2 times"),
        # Each run keeps at least 2 frames (the first and the last): 3 runs of 2 frames
        # of a network this big hold more than the recordings' bound, however few epochs.
        ("lr=0.1,0.2,0.3", ["--hidden", ",".join(["256"] * 8), "--batchnorm", "--samples",
                            "10", "--epochs", "1"],
         r"the recordings of these 3 runs would hold up to 6,498,156 numbers \(2 frames "
         r"each of up to 1,083,026\); the limit for all of them is 6,000,000"),
        # 15 training rows: 2 steps an epoch in batches of 8, 1 in a batch of 16; the
        # player's runs share one timeline of (epoch, step) frames.
        ("batch-size=8,16", [], r"run 'batch-size=8' takes 2 steps per epoch, run "
                                r"'batch-size=16' 1 \(15 training rows\); .* same number"),
        # BatchNorm skips a last batch of one row: 14 + 1 rows are 1 step, not 2.
        ("batchnorm=off,on", ["--batch-size", "14"], r"run 'batchnorm=off' takes 2 steps "
                                                     r"per epoch, run 'batchnorm=on' 1"),
    ],
)  # fmt: skip
def test_bad_vary_is_one_line_and_exit_status_2_before_any_training(
    vary: str, extra: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "out"
    status, out, err = main(
        capsys, "compare", f"--vary={vary}", *SMALL, *extra, "--out", str(out_dir)
    )  # the last --samples, --epochs given win
    assert status == 2
    line = one_error_line(err)
    assert line.startswith("gradstep compare: error: ")
    assert re.search(message, line), line
    assert "training" not in out and not out_dir.exists()


@pytest.mark.parametrize("option", ["--player", "--save"])
def test_a_train_option_compare_does_not_take_is_refused_by_compare(
    option: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:  # argparse's errors exit, as on the shell
        cli.main(["compare", "--vary", "lr=0.1,0.2", option, "x", *SMALL, "--out", str(tmp_path)])
    assert exited.value.code == 2
    assert one_error_line(capsys.readouterr().err) == (
        f"gradstep compare: error: unrecognized arguments: {option} x "
        "(see 'gradstep compare --help')"
    )


def test_compare_refuses_an_output_folder_it_cannot_make_before_training(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    status, out, err = main(capsys, "compare", "--vary", "lr=0.1,0.2", *SMALL, "--epochs", "500",
                            "--out", str(blocker / "out"))  # fmt: skip
    assert status == 2
    assert "--out" in one_error_line(err) and "cannot create the folder" in err
    assert "training" not in out
    (tmp_path / "cmp").mkdir()
    (tmp_path / "cmp" / "compare.html").mkdir()  # the file's name is taken by a folder
    status, out, err = main(capsys, "compare", "--vary", "lr=0.1,0.2", *SMALL, "--epochs", "500",
                            "--out", str(tmp_path / "cmp"))  # fmt: skip
    assert status == 2 and "cannot write 'compare.html' in it" in one_error_line(err)
    assert "training" not in out


def test_an_out_that_is_a_file_or_a_broken_link_is_named_as_such(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both made mkdir say "File exists", which reads as if the folder were fine."""
    monkeypatch.chdir(tmp_path)
    Path("a-file").write_text("not a folder")
    Path("broken").symlink_to("nowhere")
    for out, why in (
        ("a-file", "it exists and is not a folder"),
        ("broken", "it is a broken symbolic link (to 'nowhere': missing, or a loop)"),
    ):
        status, out_text, err = main(capsys, "compare", "--vary", "lr=0.1,0.2", *SMALL,
                                     "--out", out)  # fmt: skip
        assert status == 2 and "training" not in out_text
        assert one_error_line(err) == f"gradstep compare: error: --out '{out}': {why}"
    assert not Path("nowhere").exists()


def test_a_diverged_compared_run_is_in_the_player_and_fails_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = main(capsys, "compare", "--vary", "lr=0.1,1e60", "--optimizer", "sgd",
                            *SMALL, "--epochs", "4", "--out", str(tmp_path))  # fmt: skip
    assert status == 1
    player = tmp_path / "compare.html"
    assert one_error_line(err) == (
        "gradstep compare: run 'lr=1e60': training diverged (a value overflowed a float, at "
        f"epoch 3 step 3): try a smaller --lr; the player shows the run up to there: '{player}'"
    )
    fine, diverged = payload(player)["runs"]
    assert fine["diverged"] is None and fine["frames"] == 5
    assert diverged["diverged"]["epoch"] == 3 and diverged["frames"] == 3
    assert "run 2/2: lr=1e60" in out  # the run after the diverged one was trained too


def test_every_diverged_compared_run_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = main(capsys, "compare", "--vary", "lr=0.1,1e300,1e250", "--optimizer",
                          "sgd", *SMALL, "--epochs", "2", "--out", str(tmp_path))  # fmt: skip
    assert status == 1
    assert one_error_line(err).startswith(
        "gradstep compare: run 'lr=1e300' (diverged too: 'lr=1e250'): training diverged ("
    )
    assert [run["diverged"] is None for run in payload(tmp_path / "compare.html")["runs"]] == [
        True, False, False,
    ]  # fmt: skip


def test_every_option_compare_can_vary_is_a_train_option_and_in_its_help(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        cli.main(["train", "--help"])
    train_help = capsys.readouterr().out
    with pytest.raises(SystemExit):
        cli.main(["compare", "--help"])
    compare_help = " ".join(capsys.readouterr().out.split())
    for option in (*compare.VARIABLE_OPTIONS, *compare.SHARED_OPTIONS):
        assert f"[--{option}" in train_help, option
    listed = re.search(r"the option is one of ([a-z, ()-]+)\. Values", compare_help)
    assert listed is not None
    assert listed[1].replace(" (off,on)", "").split(", ") == list(compare.VARIABLE_OPTIONS)
    assert "Values are split on / if there is one, else on commas" in compare_help
