"""Checkpoints: exact round trips, atomic writes, and clear errors that change nothing."""

from __future__ import annotations

import json
import math
import os
import pickle
import stat
import threading
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
    del missing["state_dict"]["4.bias"]  # the second BatchNorm1d's beta
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
        ("missing key", r"missing keys: '4\.bias'"),
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


# -- issue 10: bad, huge and odd checkpoints --------------------------------------------


def edited_checkpoint(tmp_path: Path, place: str, literal: str) -> Path:
    """A good checkpoint whose entry at ``place`` reads ``literal``, written as raw JSON text
    (so that NaN, 1e999 and 5,000-digit integers are in the file exactly as written)."""
    good = nn.save(trained_model(), tmp_path / "good.json")
    document = json.loads(good.read_text())
    if place == "version":
        document["version"] = "@@"
    else:
        key, _, index = place.partition("[")
        entry = document["state_dict"][key]
        if index:
            *rows, last = (int(i) for i in index.rstrip("]").split(","))
            for i in rows:
                entry = entry[i]
            entry[last] = "@@"
        else:
            document["state_dict"][key] = "@@"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document).replace('"@@"', literal))
    return bad


BAD_NUMBERS = [
    ("0.weight[1,0]", "NaN", r"0\.weight\[1,0\] is nan: not a finite number"),
    ("1.bias[2]", "Infinity", r"1\.bias\[2\] is inf: not a finite number"),
    ("6.bias[0]", "-Infinity", r"6\.bias\[0\] is -inf: not a finite number"),
    ("1.bias[0]", "1e999", r"1\.bias\[0\] is inf: not a finite number"),
    ("1.bias[1]", "9" * 5000, r"1\.bias\[1\] is an integer of 5000 digits"),
    ("1.bias[1]", "-" + "9" * 350, r"1\.bias\[1\]: an integer of 350 digits is too large"),
    ("1.running_var[3]", "-0.5", r"1\.running_var\[3\] is -0\.5: a variance is never negative"),
    ("1.running_var[0]", "NaN", r"1\.running_var\[0\] is nan"),
    ("1.running_mean[0]", "Infinity", r"1\.running_mean\[0\] is inf"),
    ("1.num_batches_tracked", "-5", r"num_batches_tracked: expected a count from 0 to 2\*\*63"),
    ("1.num_batches_tracked", "1e300", r"num_batches_tracked: expected a count .* 301 digits"),
    ("1.num_batches_tracked", "NaN", r"num_batches_tracked is nan"),
    ("1.num_batches_tracked", "true", r"num_batches_tracked: expected a number, got the bool"),
    ("0.weight[0,0]", "true", r"0\.weight\[0,0\]: expected a number, got the bool True"),
    ("version", "true", "checkpoint version True; this gradstep reads version 1"),
    ("version", "-5", "checkpoint version -5; this gradstep reads version 1"),
    ("version", "1.0", "checkpoint version 1.0; this gradstep reads version 1"),
    ("version", '"1"', "checkpoint version '1'; this gradstep reads version 1"),
    ("version", "NaN", "checkpoint version nan"),
]


@pytest.mark.parametrize(
    ("place", "literal", "message"), BAD_NUMBERS, ids=[f"{p}={v[:12]}" for p, v, _ in BAD_NUMBERS]
)
def test_numbers_that_are_not_finite_or_out_of_range_are_refused_by_name(
    tmp_path: Path, place: str, literal: str, message: str
) -> None:
    """Issue 10, row "checkpoint with NaN, Infinity, 1e999, a 5,000-digit integer, version
    true or -5, running_var negative or NaN": each was loaded (or raised a bare ValueError)
    and failed at forward; now CheckpointError naming the key, and the model unchanged."""
    bad = edited_checkpoint(tmp_path, place, literal)
    model = nn.MLP(2, [5, 4, 1], batchnorm=True, seed=5)
    before = model.state_dict()
    with pytest.raises(nn.CheckpointError, match=message):
        nn.load(model, bad)
    assert model.state_dict() == before
    model.eval()
    assert math.isfinite(model([0.5, -0.5])[0].data)  # still a working model


def test_large_but_valid_numbers_still_load(tmp_path: Path) -> None:
    """The bounds refuse only what cannot be a model's number: 1e308, a 300-digit integer
    (a float of 1e300), a counter of 2**63 - 1 and a variance of 0 all load."""
    path = nn.save(trained_model(), tmp_path / "model.json")
    document = json.loads(path.read_text())
    state = document["state_dict"]
    state["1.bias"][:2] = [1e308, int("9" * 300)]  # the first BatchNorm1d's beta
    state["1.num_batches_tracked"] = 2**63 - 1
    state["1.running_var"][0] = 0.0
    path.write_text(json.dumps(document))
    loaded = nn.load(nn.MLP(2, [5, 4, 1], batchnorm=True, seed=5), path).state_dict()
    assert loaded["1.bias"][:2] == [1e308, float("9" * 300)]
    assert loaded["1.num_batches_tracked"] == 2**63 - 1
    assert loaded["1.running_var"][0] == 0.0


def test_a_checkpoint_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    """Issue 10, row "a 60 MB checkpoint": it loaded in 670 MB of memory; now there is a
    documented limit (MAX_CHECKPOINT_BYTES) and a clear error beyond it. The file is sparse
    (60 MB of nothing on disk): its size is checked before a byte is read."""
    assert nn.checkpoint.MAX_CHECKPOINT_BYTES == 16 * 2**20
    big = tmp_path / "big.json"
    with big.open("wb") as f:
        f.truncate(60 * 2**20)
    model = nn.MLP(2, [5, 4, 1], batchnorm=True, seed=5)
    before = model.state_dict()
    with pytest.raises(nn.CheckpointError, match=r"it is 60\.0 MiB, more than the 16\.0 MiB"):
        nn.load(model, big)
    assert model.state_dict() == before
    # Just under the limit, a file is read (and found to be no JSON).
    with big.open("r+b") as f:
        f.truncate(nn.checkpoint.MAX_CHECKPOINT_BYTES)
    with pytest.raises(nn.CheckpointError, match="not valid JSON"):
        nn.load(model, big)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_an_endless_device_is_read_no_further_than_the_limit() -> None:
    """/dev/zero has no size to check first: it is read up to the limit, then refused."""
    with pytest.raises(nn.CheckpointError, match=r"is longer, more than the 16\.0 MiB"):
        nn.load(nn.MLP(2, [3, 1], seed=0), "/dev/zero")


def test_save_refuses_a_checkpoint_over_the_size_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """save refuses what load would refuse (the limit is lowered here: a real model of
    16 MiB would take a minute to build)."""
    monkeypatch.setattr(nn.checkpoint, "MAX_CHECKPOINT_BYTES", 1000)
    with pytest.raises(nn.CheckpointError, match=r"would take 0\.0 MiB, more than the 0\.0"):
        nn.save(trained_model(), tmp_path / "model.json")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("length", [200, 240, 250, 255])
def test_save_to_a_name_at_the_file_systems_limit(tmp_path: Path, length: int) -> None:
    """Issue 10, row "nn.save(model, path) where path's name is 240-255 characters": the
    temporary name (the target's plus 20 characters) was too long (ENAMETOOLONG); now it
    is short whatever the target's name."""
    path = tmp_path / ("m" * (length - 5) + ".json")
    model = trained_model()
    assert nn.save(model, path) == path
    assert nn.load(nn.MLP(2, [5, 4, 1], batchnorm=True, seed=5), path).state_dict() == (
        model.state_dict()
    )
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


@pytest.mark.skipif(os.name != "posix", reason="POSIX symbolic links")
def test_save_writes_through_a_symlink(tmp_path: Path) -> None:
    """Issue 10, row "nn.save onto a symlink": the link was replaced by a regular file;
    now the file it leads to is written and the link stays (as open(path, "w") does)."""
    real = tmp_path / "data" / "model.json"
    real.parent.mkdir()
    nn.save(nn.MLP(2, [3, 1], seed=0), real)
    link = tmp_path / "latest.json"
    link.symlink_to(Path("data") / "model.json")  # relative, as links often are
    chain = tmp_path / "chain.json"
    chain.symlink_to(link)
    model = nn.MLP(2, [3, 1], seed=1)
    assert nn.save(model, chain) == chain
    assert link.is_symlink() and chain.is_symlink()
    assert os.readlink(link) == str(Path("data") / "model.json")
    assert nn.load(nn.MLP(2, [3, 1], seed=2), real).state_dict() == model.state_dict()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chain.json", "data", "latest.json"]
    assert [p.name for p in real.parent.iterdir()] == ["model.json"]  # no temporary left
    # A dangling link: its target is created, as open() would.
    dangling = tmp_path / "new.json"
    dangling.symlink_to("data/new-target.json")
    nn.save(model, dangling)
    assert dangling.is_symlink() and (tmp_path / "data" / "new-target.json").is_file()


def make_special(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"{kind}.json"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        if os.geteuid() != 0:
            pytest.skip("making a device file needs root")
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # the same device as /dev/null
    elif kind == "folder":
        path.mkdir()
    elif kind == "link to a fifo":
        os.mkfifo(tmp_path / "pipe")
        path.symlink_to(tmp_path / "pipe")
    elif kind == "link loop":
        path.symlink_to(tmp_path / "other.json")
        (tmp_path / "other.json").symlink_to(path)
    return path


@pytest.mark.skipif(os.name != "posix", reason="FIFOs, devices and links are POSIX's")
@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("fifo", r"it exists and is a FIFO \(a named pipe\), not a regular file"),
        ("device", "it exists and is a character device, not a regular file"),
        ("folder", "it exists and is a folder, not a regular file"),
        ("link to a fifo", "it exists and is a FIFO"),
        ("link loop", "a symbolic link in a loop"),
    ],
)
def test_save_refuses_a_target_that_is_not_a_regular_file(
    tmp_path: Path, kind: str, message: str
) -> None:
    """Issue 10, row "nn.save onto a FIFO, or a device file": the device was replaced by a
    regular file (as root, train --save /dev/null replaced /dev/null); now CheckpointError,
    nothing written. The device here is a copy of /dev/null made in a temporary folder."""
    path = make_special(tmp_path, kind)
    before = {p.name: os.lstat(p).st_mode for p in tmp_path.iterdir()}
    with pytest.raises(nn.CheckpointError, match=message):
        nn.save(nn.MLP(2, [3, 1], seed=0), path)
    assert {p.name: os.lstat(p).st_mode for p in tmp_path.iterdir()} == before


def test_two_threads_saving_the_same_file_leave_one_whole_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    models = [nn.MLP(2, [8, 8, 1], seed=seed) for seed in range(2)]
    errors: list[BaseException] = []

    def save_often(model: nn.Module) -> None:
        try:
            for _ in range(20):
                nn.save(model, path)
        except BaseException as error:  # reported below: a thread's error is otherwise lost
            errors.append(error)

    threads = [threading.Thread(target=save_often, args=(m,)) for m in models]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    loaded = nn.load(nn.MLP(2, [8, 8, 1], seed=5), path).state_dict()
    assert loaded in [m.state_dict() for m in models]
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]


def test_load_names_the_model_of_a_foreign_file_briefly(tmp_path: Path) -> None:
    """The "model" field is shown in messages: a huge or odd one is cut short."""
    path = nn.save(nn.MLP(2, [3, 1], seed=0), tmp_path / "model.json")
    document = json.loads(path.read_text())
    document["model"] = "M" * 100_000
    path.write_text(json.dumps(document))
    with pytest.raises(nn.CheckpointError) as info:
        nn.load(nn.MLP(2, [4, 1], seed=0), path)
    assert "saved from 'MMMM" in str(info.value) and len(str(info.value)) < 1000
