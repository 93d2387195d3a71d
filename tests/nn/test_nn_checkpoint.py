"""Checkpoints: exact round trips, atomic writes, and clear errors that change nothing."""

from __future__ import annotations

import json
import math
import os
import pickle
import stat
from pathlib import Path

import pytest

import nn


def trained_model() -> nn.MLP:
    model = nn.MLP(2, [5, 4, 1], batchnorm=True, seed=0)
    model([[0.1, 0.2], [0.3, -0.4], [1.0, 2.0]])  # moves the running statistics
    for p in model.parameters():
        p.data = p.data / 3.0 + 1e-17  # awkward floats: 0.1 + 0.2 style round-trip traps
    return model


def test_round_trip_is_exact(tmp_path: Path) -> None:
    model = trained_model()
    path = nn.save(model, tmp_path / "model.json")
    assert path == tmp_path / "model.json"
    other = nn.MLP(2, [5, 4, 1], batchnorm=True, seed=1)
    assert nn.load(other, path) is other
    assert other.state_dict() == model.state_dict()
    assert [p.data for p in other.parameters()] == [p.data for p in model.parameters()]
    document = json.loads(path.read_text())
    assert document["format"] == "gradstep-checkpoint" and document["model"] == "MLP"
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]  # no temp file left


def test_save_replaces_atomically(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    nn.save(nn.MLP(2, [3, 1], seed=0), path)
    inode_before = os.stat(path).st_ino
    nn.save(nn.MLP(2, [3, 1], seed=1), path)
    assert os.stat(path).st_ino != inode_before  # a new file renamed over the old one
    loaded = nn.load(nn.MLP(2, [3, 1], seed=2), path)
    assert loaded.state_dict() == nn.MLP(2, [3, 1], seed=1).state_dict()


def test_failed_save_leaves_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    nn.save(nn.MLP(2, [3, 1], seed=0), path)
    old = path.read_text()
    model = nn.MLP(2, [3, 1], seed=1)
    object.__setattr__(model, "state_dict", lambda: {"x": object()})  # not JSON-serialisable
    with pytest.raises(TypeError):
        nn.save(model, path)
    assert path.read_text() == old
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]


@pytest.mark.parametrize(
    ("label", "bad", "message"),
    [
        ("0.weight[2,1]", float("nan"), r"parameter 0\.weight\[2,1\] is nan"),
        ("3.bias[0]", float("inf"), r"parameter 3\.bias\[0\] is inf"),
        ("1.running_var[2]", -float("inf"), r"buffer 1\.running_var\[2\] is -inf"),
    ],
)
def test_save_refuses_nan_and_infinity(
    tmp_path: Path, label: str, bad: float, message: str
) -> None:
    """json.dumps would write bare NaN / Infinity, which standard JSON readers refuse."""
    path = tmp_path / "model.json"
    nn.save(nn.MLP(2, [3, 1], batchnorm=True, seed=0), path)
    old = path.read_text()
    model = nn.MLP(2, [3, 1], batchnorm=True, seed=1)
    if label.startswith("1.running_var"):
        model[1].running_var[2] = bad
    else:
        dict(model.named_parameters())[label].data = bad
        model[1].running_mean[0] = math.nan  # parameters come first, and only one is named
    with pytest.raises(nn.CheckpointError, match=message + r" .*no NaN or infinity"):
        nn.save(model, path)
    assert path.read_text() == old
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]


def corrupt_cases(text: str) -> dict[str, str]:
    document = json.loads(text)
    wrong_shape = json.loads(text)
    wrong_shape["state_dict"]["0.weight"] = [[1.0, 2.0]]
    missing = json.loads(text)
    del missing["state_dict"]["3.bias"]
    newer = dict(document, version=99)
    return {
        "truncated": text[: len(text) // 2],
        "empty": "",
        "foreign JSON": json.dumps({"weights": [1, 2, 3]}),
        "a list": "[1, 2]",
        "newer version": json.dumps(newer),
        "no state_dict": json.dumps(dict(document, state_dict=None)),
        "wrong shape": json.dumps(wrong_shape),
        "missing key": json.dumps(missing),
        "other architecture": json.dumps(
            dict(document, state_dict=nn.MLP(2, [3, 1], seed=0).state_dict())
        ),
    }


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("truncated", "not valid JSON, perhaps truncated"),
        ("empty", "not valid JSON"),
        ("foreign JSON", "not a gradstep checkpoint"),
        ("a list", "not a gradstep checkpoint"),
        ("newer version", "version 99"),
        ("no state_dict", "no state_dict"),
        ("wrong shape", r"0\.weight: shape mismatch"),
        ("missing key", r"missing keys: '3\.bias'"),
        ("other architecture", "unexpected keys"),
    ],
)
def test_bad_files_raise_and_leave_the_model_unchanged(
    tmp_path: Path, case: str, message: str
) -> None:
    good = tmp_path / "good.json"
    nn.save(trained_model(), good)
    bad = tmp_path / "bad.json"
    bad.write_text(corrupt_cases(good.read_text())[case])
    model = nn.MLP(2, [5, 4, 1], batchnorm=True, seed=5)
    before = model.state_dict()
    with pytest.raises(nn.CheckpointError, match=message):
        nn.load(model, bad)
    assert model.state_dict() == before


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("pickle", "binary file, not JSON text"),
        ("png", "binary file, not JSON text"),
        ("deep JSON", "nested too deeply"),
    ],
)
def test_foreign_files_raise_checkpoint_error_and_leave_the_model_unchanged(
    tmp_path: Path, case: str, message: str
) -> None:
    contents = {
        "pickle": pickle.dumps(trained_model().state_dict()),
        "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "deep JSON": b"[" * 100_000 + b"]" * 100_000,
    }
    bad = tmp_path / "bad.json"
    bad.write_bytes(contents[case])
    model = nn.MLP(2, [5, 4, 1], batchnorm=True, seed=5)
    before = model.state_dict()
    with pytest.raises(nn.CheckpointError, match=f"bad.json is not a checkpoint: .*{message}"):
        nn.load(model, bad)
    assert model.state_dict() == before


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_save_gives_the_permissions_open_would(tmp_path: Path, umask: int) -> None:
    previous = os.umask(umask)
    try:
        saved = nn.save(nn.MLP(2, [3, 1], seed=0), tmp_path / "model.json")
        (tmp_path / "plain.json").write_text("{}")  # what open() makes
    finally:
        os.umask(previous)
    mode = stat.S_IMODE(saved.stat().st_mode)
    assert mode == 0o666 & ~umask == stat.S_IMODE((tmp_path / "plain.json").stat().st_mode)
    # Overwriting keeps the file's permissions, as open(path, "w") would.
    saved.chmod(0o640)
    nn.save(nn.MLP(2, [3, 1], seed=1), saved)
    assert stat.S_IMODE(saved.stat().st_mode) == 0o640


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        nn.load(nn.MLP(2, [3, 1]), tmp_path / "nope.json")


def test_non_strict_load(tmp_path: Path) -> None:
    path = nn.save(nn.MLP(2, [3, 1], seed=0), tmp_path / "small.json")
    bigger = nn.MLP(2, [3, 1], batchnorm=True, seed=1)  # has the same 0.* keys
    nn.load(bigger, path, strict=False)
    assert bigger.state_dict()["0.weight"] == nn.MLP(2, [3, 1], seed=0).state_dict()["0.weight"]
