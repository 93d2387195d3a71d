"""fit(..., record=True): the frames against the History, the model and hand computations."""

from __future__ import annotations

import copy
import json
import math
import statistics
import warnings
from typing import Any

import pytest

import autograd
import nn
from autograd import Value, no_grad
from nn.recording import RecordOptions


def moons(n: int = 40, seed: int = 0) -> tuple[list[list[float]], list[float]]:
    X, y = nn.data.make_moons(n, noise=0.1, seed=seed)
    return X, y


def train(
    epochs: int = 3,
    *,
    model: nn.Module | None = None,
    record: bool | RecordOptions = True,
    batchnorm: bool = True,
    validation: bool = True,
    batch_size: int | None = 10,
    **options: Any,
) -> tuple[nn.Module, nn.History]:
    """A small MLP (2-4-3-1, BatchNorm) on 40 moons with Adam: fast, and exercises it all."""
    X, y = moons()
    X_train, X_val, y_train, y_val = nn.data.train_test_split(X, y, test_size=0.25, seed=0)
    if model is None:
        model = nn.MLP(2, [4, 3, 1], batchnorm=batchnorm, seed=0)
    history = nn.fit(
        model,
        X_train,
        y_train,
        loss=options.pop("loss", nn.binary_cross_entropy_with_logits),
        optimizer=nn.optim.Adam(model.parameters(), lr=0.05),
        epochs=epochs,
        batch_size=batch_size,
        seed=0,
        validation_data=(X_val, y_val) if validation else None,
        progress=False,
        record=record,
        **options,
    )
    return model, history


def test_frames_are_the_history_per_epoch() -> None:
    model, history = train(3)
    rec = history.recording
    assert rec is not None
    frames = rec["frames"]
    assert [f["epoch"] for f in frames] == [0.0, 1.0, 2.0, 3.0]
    assert [f["step"] for f in frames] == [0, 3, 6, 9]  # 30 rows in batches of 10
    assert rec["epochs"] == 3 and rec["steps_per_epoch"] == 3 and rec["stride"] == 1
    assert rec["grad_layers"] == list(history.grad_magnitudes)
    for e in range(1, 4):
        f = frames[e]
        assert f["loss"] == history.loss[e - 1]
        assert f["accuracy"] == history.accuracy[e - 1]
        assert f["val_loss"] == history.val_loss[e - 1]
        assert f["val_accuracy"] == history.val_accuracy[e - 1]
        assert f["grad_magnitudes"] == {k: v[e - 1] for k, v in history.grad_magnitudes.items()}
    assert frames[-1]["state"] == model.state_dict()
    assert frames[0]["grads"] is None and frames[0]["grad_magnitudes"] is None
    # the last frame's gradients are those of the last step, still in .grad
    assert frames[-1]["grads"]["0.weight"] == [[p.grad for p in row] for row in model[0].weight]  # type: ignore[index]


def test_frame_0_is_the_initial_model_and_recording_changes_no_number() -> None:
    X, y = moons()
    X_train, _, y_train, _ = nn.data.train_test_split(X, y, test_size=0.25, seed=0)
    initial = nn.MLP(2, [4, 3, 1], batchnorm=True, seed=0)
    frame0 = train(3)[1].recording["frames"][0]  # type: ignore[index]
    assert frame0["state"] == initial.state_dict()
    loss, accuracy = nn.evaluate(initial, X_train, y_train, nn.binary_cross_entropy_with_logits)
    assert (frame0["loss"], frame0["accuracy"]) == (loss, accuracy)
    # the same run without recording trains identically, to the last bit
    plain_model, plain = train(3, record=False)
    recorded_model, recorded = train(3)
    assert plain.recording is None
    assert (plain.loss, plain.val_loss, plain.grad_magnitudes) == (
        recorded.loss,
        recorded.val_loss,
        recorded.grad_magnitudes,
    )
    assert plain_model.state_dict() == recorded_model.state_dict()


def test_each_frame_holds_the_parameters_of_its_epoch() -> None:
    # fit(epochs=k) runs exactly the first k epochs of fit(epochs=3): the same shuffles
    frames = train(3)[1].recording["frames"]  # type: ignore[index]
    for k in (1, 2):
        model, _ = train(k, record=False)
        assert frames[k]["state"] == model.state_dict()


def test_grid_values_are_the_model_evaluated_at_those_points() -> None:
    model, history = train(3)
    rec = history.recording
    assert rec is not None
    grid, frame = rec["grid"], rec["frames"][-1]
    n = grid["size"]
    assert n == 21 and len(grid["x"]) == len(grid["y"]) == n
    x_lo, x_hi, y_lo, y_hi = grid["bounds"]
    assert x_hi - x_lo == pytest.approx(y_hi - y_lo)  # square
    points = rec["data"]["X"] + rec["data"]["X_val"]
    assert all(x_lo < x < x_hi and y_lo < y < y_hi for x, y in points)
    model.eval()
    with no_grad():
        for i, j in [(0, 0), (3, 17), (10, 10), (20, 5)]:
            point = [grid["x"][j], grid["y"][i]]
            assert frame["output"][0][i * n + j] == model(point)[0].data
            # neuron u of layer 0 is the output of Linear 0 -> BatchNorm 1 -> ReLU 2
            hidden = model[0:3](point)  # type: ignore[index]
            for u in range(4):
                assert frame["neurons"][0][u][i * n + j] == hidden[u].data
            second = model[0:6](point)  # type: ignore[index]
            assert [frame["neurons"][1][u][i * n + j] for u in range(3)] == [v.data for v in second]
    assert len(frame["neurons"]) == 3 and frame["neurons"][2] == frame["output"]
    assert rec["task"] == {
        "loss": "binary_cross_entropy_with_logits",
        "outputs": 1,
        "decision": "threshold",
        "threshold": 0.0,
    }


def test_batchnorm_statistics_are_those_of_the_training_set() -> None:
    model, history = train(2)
    rec = history.recording
    assert rec is not None
    X_train = rec["data"]["X"]
    stats = rec["frames"][-1]["batchnorm"]
    assert sorted(stats) == ["1", "4"]
    # the first BatchNorm's input is Linear 0's output: mean and biased variance per unit
    with no_grad():
        columns = list(zip(*[[v.data for v in row] for row in model[0](X_train)], strict=True))  # type: ignore[index]
        # the second one's, through the first in training mode (on a copy: running stats move)
        twin = copy.deepcopy(model).train()
        second = list(zip(*[[v.data for v in r] for r in twin[0:4](X_train)], strict=True))  # type: ignore[index]
    for name, cols in (("1", columns), ("4", second)):
        assert stats[name]["batch_mean"] == pytest.approx(
            [statistics.fmean(c) for c in cols], rel=1e-12, abs=1e-14
        )
        assert stats[name]["batch_var"] == pytest.approx(
            [statistics.pvariance(c) for c in cols], rel=1e-9, abs=1e-14
        )
        sd = model.state_dict()
        assert stats[name]["running_mean"] == sd[f"{name}.running_mean"]
        assert stats[name]["running_var"] == sd[f"{name}.running_var"]
        assert stats[name]["weight"] == sd[f"{name}.weight"]
        assert stats[name]["bias"] == sd[f"{name}.bias"]


@pytest.mark.parametrize(
    "options",
    [{"bias": False}, {"track_running_stats": False}, {"affine": False}],
    ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()),
)
def test_batchnorm_without_beta_or_running_stats_records_what_the_model_computes(
    options: dict[str, bool],
) -> None:
    """BatchNorm1d's optional pieces (beta, gamma, running statistics) may be missing."""
    model = nn.Sequential(
        nn.Linear(2, 3, bias=False, seed=0),
        nn.BatchNorm1d(3, **options),
        nn.ReLU(),
        nn.Linear(3, 1, seed=1),
    )
    model, history = train(2, model=model)
    rec = history.recording
    assert rec is not None
    frame, grid = rec["frames"][-1], rec["grid"]
    n = grid["size"]
    stats = frame["batchnorm"]["1"]
    state = model.state_dict()
    for key in ("weight", "bias", "running_mean", "running_var"):
        assert stats[key] == state.get(f"1.{key}"), key  # None where the layer has none
    model.eval()
    with no_grad():
        # Without running statistics, eval mode normalises each call's own batch, as PyTorch
        # does: the grid is then evaluated as one batch, so compare with the whole grid.
        points = [[grid["x"][j], grid["y"][i]] for i in range(n) for j in range(n)]
        expected = [row[0].data for row in model(points)]
    assert frame["output"][0] == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_record_every_steps() -> None:
    _, history = train(2, record_every=2)  # 3 steps per epoch: frames at steps 2, 4, 6
    frames = history.recording["frames"]  # type: ignore[index]
    assert [f["step"] for f in frames] == [0, 2, 4, 6]
    assert [f["epoch"] for f in frames] == [0.0, 2 / 3, 4 / 3, 2.0]
    assert history.recording["record_every"] == 2  # type: ignore[index]
    # with one step per epoch, a frame's loss is the mean over its steps' batches
    _, full = train(4, batch_size=None, record_every=2, validation=False)
    loss = full.loss
    frames = full.recording["frames"]  # type: ignore[index]
    rows = 30
    assert frames[1]["loss"] == (loss[0] * rows + loss[1] * rows) / (2 * rows)
    assert frames[2]["loss"] == (loss[2] * rows + loss[3] * rows) / (2 * rows)
    assert frames[2]["grad_magnitudes"] == {
        k: (v[2] + v[3]) / 2 for k, v in full.grad_magnitudes.items()
    }
    assert frames[2]["val_loss"] is None


def test_a_long_run_keeps_evenly_spaced_frames() -> None:
    _, history = train(10, record=RecordOptions(max_frames=5, grid_size=5))
    rec = history.recording
    assert rec is not None
    assert rec["stride"] == 3 and rec["grid"]["size"] == 5
    assert [f["epoch"] for f in rec["frames"]] == [0.0, 3.0, 6.0, 9.0, 10.0]
    assert rec["frames"][2]["loss"] == history.loss[5]
    # a bound on the numbers kept lowers the number of frames too
    _, small = train(10, record=RecordOptions(max_values=3000, grid_size=5))
    assert len(small.recording["frames"]) < 11  # type: ignore[index]


def test_inputs_that_are_not_2d_have_no_grid() -> None:
    X, y = moons()
    X3 = [[a, b, a * b] for a, b in X]
    model = nn.MLP(3, [4, 1], seed=0)
    history = nn.fit(
        model,
        X3,
        y,
        loss=nn.binary_cross_entropy_with_logits,
        optimizer=nn.optim.SGD(model.parameters(), lr=0.1),
        epochs=2,
        progress=False,
        record=True,
    )
    rec = history.recording
    assert rec is not None
    assert rec["grid"] is None and "3 features" in rec["grid_missing"]
    assert "X" not in rec["data"] and rec["data"]["features"] == 3
    assert rec["network"]["inputs"] == 3 and rec["network_missing"] is None
    assert all(f["neurons"] is None and f["output"] is None for f in rec["frames"])
    assert rec["frames"][-1]["state"] == model.state_dict()


class TwoLayers(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.hidden = nn.Linear(2, 3, seed=0)
        self.out = nn.Linear(3, 1, seed=1)

    def forward(self, x: Any) -> Any:
        return self.out(nn.Tanh()(self.hidden(x)))


def test_a_model_that_cannot_be_drawn_still_records_what_it_can() -> None:
    model = TwoLayers()
    _, history = train(2, model=model)
    rec = history.recording
    assert rec is not None
    assert rec["network"] is None and "TwoLayers" in rec["network_missing"]
    assert rec["grad_layers"] == ["hidden Linear", "out Linear"]
    frame = rec["frames"][-1]
    assert frame["neurons"] is None and frame["batchnorm"] is None
    assert frame["grads"]["out.bias"] == [model.out.bias[0].grad]  # type: ignore[index]
    grid = rec["grid"]
    with no_grad():
        assert frame["output"][0][5] == model([grid["x"][5], grid["y"][0]])[0].data


def test_divergence_stops_fit_and_the_recording_there() -> None:
    X, y = moons()
    model = nn.MLP(2, [8, 1], seed=0)
    options: dict[str, Any] = {"loss": nn.mse_loss, "epochs": 5, "batch_size": 8}
    options.update(seed=0, progress=False)
    with pytest.warns(RuntimeWarning, match="training diverged at epoch"):
        history = nn.fit(
            model,
            X,
            y,
            optimizer=nn.optim.SGD(model.parameters(), lr=1e150),
            record=True,
            **options,  # type: ignore[arg-type]
        )
    rec = history.recording
    assert rec is not None
    diverged = rec["diverged"]
    assert diverged["epoch"] == 1 and diverged["step"] == 2
    assert "overflowed" in diverged["reason"]
    assert len(rec["frames"]) == 1 and history.loss == []  # epoch 1 never completed
    # without record, fit raises as it always did
    model = nn.MLP(2, [8, 1], seed=0)
    with pytest.raises(OverflowError):
        nn.fit(model, X, y, optimizer=nn.optim.SGD(model.parameters(), lr=1e150), **options)  # type: ignore[arg-type]


def test_a_nan_loss_is_a_divergence_too() -> None:
    X, y = moons()
    calls = 0

    def loss_nan_at_step_4(predictions: Any, targets: Any) -> Value:
        nonlocal calls
        value = nn.mse_loss(predictions, targets)
        if not autograd.is_grad_enabled():  # checks and frame measurements, not a step
            return value
        calls += 1  # call k is step k
        return value + Value(math.nan) if calls == 4 else value

    model = nn.MLP(2, [4, 1], seed=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = nn.fit(
            model,
            X,
            y,
            loss=loss_nan_at_step_4,
            optimizer=nn.optim.SGD(model.parameters(), lr=0.01),
            epochs=3,
            batch_size=20,
            progress=False,
            record=True,
        )
    assert [w.category for w in caught] == [RuntimeWarning]
    rec = history.recording
    assert rec is not None
    assert rec["diverged"] == {"epoch": 2, "step": 4, "reason": "the training loss is nan"}
    assert len(rec["frames"]) == 2 and len(history.loss) == 1  # the initial model and epoch 1
    assert rec["task"]["decision"] is None and math.isnan(rec["frames"][1]["accuracy"])


def test_json_round_trip_is_exact() -> None:
    _, history = train(2, loss=nn.mse_loss)  # mse: accuracy is NaN, which json keeps too
    text = json.dumps(history.to_dict())
    back = nn.History.from_dict(json.loads(text))
    assert json.dumps(back.to_dict()) == text
    assert back.loss == history.loss and back.grad_magnitudes == history.grad_magnitudes
    assert back.recording["frames"][-1]["state"] == history.recording["frames"][-1]["state"]  # type: ignore[index]
    # to_dict is a copy
    data = history.to_dict()
    data["recording"]["frames"][0]["state"]["1.bias"][0] = 123.0
    data["loss"].append(1.0)
    assert history.recording["frames"][0]["state"]["1.bias"][0] != 123.0  # type: ignore[index]
    assert len(history.loss) == 2
    plain = nn.History(loss=[1.0, 0.5])
    assert nn.History.from_dict(json.loads(json.dumps(plain.to_dict()))) == plain


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "needs a dict"),
        ({"loss": [1.0], "lost": []}, "unknown field"),
        ({"loss": ["a"]}, "'loss' must hold numbers"),
        ({"loss": 1.0}, "'loss' must be a list"),
        ({"recording": {"format": "other"}}, "not a gradstep recording"),
        ({"recording": {"format": "gradstep.recording", "version": 99}}, "version 99"),
        ({"recording": {"format": "gradstep.recording", "version": 1}}, "lacks epochs"),
    ],
)
def test_from_dict_refuses_what_it_cannot_read(data: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        nn.History.from_dict(data)


def test_bad_record_arguments() -> None:
    with pytest.raises(ValueError, match="record_every=3 needs record=True"):
        train(1, record=False, record_every=3)
    with pytest.raises(ValueError, match="record_every must be an int >= 1"):
        train(1, record_every=0)
    with pytest.raises(TypeError, match=r"record must be True, False or nn\.RecordOptions"):
        train(1, record="yes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="grid_size must be an int >= 2"):
        RecordOptions(grid_size=1)
    with pytest.raises(ValueError, match="margin"):
        RecordOptions(margin=-1.0)


@pytest.mark.parametrize("training", [True, False])
def test_the_model_keeps_its_mode(training: bool) -> None:
    model = TwoLayers()
    model.train(training)
    train(1, model=model)
    assert model.training is training


def test_inputs_may_be_values() -> None:
    X, y = moons(12)
    rows = [[Value(a), Value(b)] for a, b in X]
    model = nn.MLP(2, [3, 1], seed=0)
    history = nn.fit(
        model,
        rows,
        y,
        loss=nn.binary_cross_entropy_with_logits,
        optimizer=nn.optim.SGD(model.parameters(), lr=0.1),
        epochs=1,
        progress=False,
        record=True,
    )
    assert history.recording["data"]["X"] == X  # type: ignore[index]
