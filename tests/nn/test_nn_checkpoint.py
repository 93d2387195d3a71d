"""Checkpoints: exact round trips, atomic writes, and clear errors that change nothing."""

from __future__ import annotations

import json
import os
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
    model.parameters()[0].data = float("nan")
    object.__setattr__(model, "state_dict", lambda: {"x": object()})  # not JSON-serialisable
    with pytest.raises(TypeError):
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


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        nn.load(nn.MLP(2, [3, 1]), tmp_path / "nope.json")


def test_non_strict_load(tmp_path: Path) -> None:
    path = nn.save(nn.MLP(2, [3, 1], seed=0), tmp_path / "small.json")
    bigger = nn.MLP(2, [3, 1], batchnorm=True, seed=1)  # has the same 0.* keys
    nn.load(bigger, path, strict=False)
    assert bigger.state_dict()["0.weight"] == nn.MLP(2, [3, 1], seed=0).state_dict()["0.weight"]
