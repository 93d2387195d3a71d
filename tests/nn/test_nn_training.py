"""Training end to end: fit's History contract, accuracy rules, and real learning."""

from __future__ import annotations

import fcntl
import math
import os
import pty
import struct
import sys
import termios
from typing import Any

import pytest

import nn


def test_moons_reach_97_percent_with_mlp_and_adam() -> None:
    xs, ys = nn.data.make_moons(300, noise=0.1, seed=0)
    xs_train, xs_test, ys_train, ys_test = nn.data.train_test_split(xs, ys, test_size=0.3, seed=0)
    model = nn.MLP(2, [16, 16, 1], seed=0)
    history = nn.fit(
        model,
        xs_train,
        ys_train,
        loss=nn.binary_cross_entropy_with_logits,
        optimizer=nn.optim.Adam(model.parameters(), lr=0.02),
        epochs=40,
        batch_size=32,
        seed=0,
        validation_data=(xs_test, ys_test),
        progress=False,
    )
    _, test_accuracy = nn.evaluate(model, xs_test, ys_test, nn.binary_cross_entropy_with_logits)
    assert test_accuracy >= 0.97
    assert history.val_accuracy[-1] == test_accuracy
    assert history.loss[-1] < history.loss[0] / 5


def test_logistic_regression_separates_two_blobs() -> None:
    xs, ys = nn.data.make_blobs(100, centers=[[-2.0, -1.0], [2.0, 1.5]], noise=0.6, seed=1)
    model = nn.LogisticRegression(2, seed=0)
    history = nn.fit(
        model,
        xs,
        ys,
        loss=nn.binary_cross_entropy,
        optimizer=nn.optim.SGD(model.parameters(), lr=0.5),
        epochs=30,
        seed=0,
        progress=False,
    )
    assert history.accuracy[-1] == 1.0
    model.eval()
    probabilities = [row[0].data for row in model(xs)]
    assert all((p > 0.5) == (label == 1) for p, label in zip(probabilities, ys, strict=True))
    w = [p.data for p in model[0].weight[0]]  # type: ignore[index]
    assert w[0] > 0 and w[1] > 0  # the boundary faces from the first blob to the second


def test_history_contract() -> None:
    xs, ys = nn.data.make_xor(40, seed=0)
    model = nn.MLP(2, [6, 6, 1], batchnorm=True, seed=0)
    history = nn.fit(
        model,
        xs,
        ys,
        loss=nn.binary_cross_entropy_with_logits,
        optimizer=nn.optim.Adam(model.parameters(), lr=0.01),
        epochs=3,
        batch_size=16,
        drop_last=True,
        seed=0,
        progress=False,
    )
    assert isinstance(history, nn.History)
    assert len(history.loss) == len(history.accuracy) == 3
    assert all(0.0 <= a <= 1.0 for a in history.accuracy)
    assert history.val_loss == [] and history.val_accuracy == []
    assert list(history.grad_magnitudes) == [
        "0 Linear",
        "1 BatchNorm1d",
        "3 Linear",
        "4 BatchNorm1d",
        "6 Linear",
    ]
    assert all(len(v) == 3 and all(g > 0 for g in v) for v in history.grad_magnitudes.values())
    assert model.training  # the mode it had
    model.eval()
    nn.fit(model, xs, ys, loss=nn.binary_cross_entropy_with_logits,
           optimizer=nn.optim.SGD(model.parameters()), batch_size=16, drop_last=True,
           progress=False)  # fmt: skip
    assert not model.training


def test_history_numbers_are_what_they_say() -> None:
    """One full-batch epoch with lr = 0: the loss, accuracy and mean |grad| can be recomputed."""
    xs, ys = nn.data.make_blobs(20, centers=[[-1.0, 0.0], [1.0, 0.0]], seed=0)
    model = nn.MLP(2, [3, 1], seed=0)
    history = nn.fit(
        model, xs, ys, loss=nn.binary_cross_entropy_with_logits,
        optimizer=nn.optim.SGD(model.parameters(), lr=0.0), epochs=1, progress=False,
    )  # fmt: skip
    out = model(xs)
    loss = nn.binary_cross_entropy_with_logits(out, ys)
    assert history.loss == [pytest.approx(loss.data, rel=1e-15)]
    hits = sum((row[0].data > 0) == (t == 1) for row, t in zip(out, ys, strict=True))
    assert history.accuracy == [hits / 20]
    model.zero_grad()
    loss.backward()
    first = model[0].parameters()  # type: ignore[union-attr]
    assert history.grad_magnitudes["0 Linear"] == [
        pytest.approx(sum(abs(p.grad) for p in first) / len(first), rel=1e-12)
    ]


def test_accuracy_rules() -> None:
    assert nn.accuracy_rule(nn.binary_cross_entropy)([[0.7], [0.2], [0.6]], [1, 0, 0]) == 2 / 3
    assert nn.accuracy_rule(nn.binary_cross_entropy_with_logits)([0.1, -2.0], [1, 1]) == 0.5
    assert nn.accuracy_rule(nn.hinge_loss)([[0.5], [-0.5]], [1, -1]) == 1.0
    assert nn.accuracy_rule(nn.cross_entropy)([[0.1, 0.9, 0.0], [2.0, 1.0, 3.0]], [1, 0]) == 0.5
    assert nn.accuracy_rule(nn.mse_loss) is None


def test_mse_has_no_accuracy_unless_given() -> None:
    xs = [[0.0], [1.0], [2.0]]
    ys = [1.0, 3.0, 5.0]
    model = nn.Linear(1, 1, seed=0)
    opt = nn.optim.SGD(model.parameters(), lr=0.1)
    history = nn.fit(model, xs, ys, loss=nn.mse_loss, optimizer=opt, epochs=2, progress=False)
    assert all(math.isnan(a) for a in history.accuracy)
    assert list(history.grad_magnitudes) == ["Linear"]

    def within_half(predictions: list[list[float]], targets: list[float]) -> float:
        close = [abs(p[0] - t) < 0.5 for p, t in zip(predictions, targets, strict=True)]
        return sum(close) / len(close)

    history = nn.fit(
        model, xs, ys, loss=nn.mse_loss, optimizer=opt, epochs=200, accuracy=within_half,
        validation_data=(xs, ys), progress=False,
    )  # fmt: skip
    assert history.val_accuracy[-1] == 1.0


def test_multiclass_training_with_cross_entropy() -> None:
    xs, ys = nn.data.make_blobs(
        90, centers=[[-3.0, 0.0], [3.0, 0.0], [0.0, 4.0]], noise=0.5, seed=2
    )
    model = nn.MLP(2, [8, 3], seed=0)
    history = nn.fit(
        model, xs, ys, loss=nn.cross_entropy,
        optimizer=nn.optim.Adam(model.parameters(), lr=0.05), epochs=15, batch_size=30, seed=0,
        progress=False,
    )  # fmt: skip
    assert history.accuracy[-1] == 1.0


def test_cross_entropy_training_from_numpy_arrays() -> None:
    np = pytest.importorskip("numpy")
    xs, ys = nn.data.make_blobs(
        90, centers=[[-3.0, 0.0], [3.0, 0.0], [0.0, 4.0]], noise=0.5, seed=2
    )
    X, y = np.array(xs), np.array(ys)  # y holds numpy integers (np.int64)
    model = nn.MLP(2, [8, 3], seed=0)
    history = nn.fit(
        model, X, y, loss=nn.cross_entropy,
        optimizer=nn.optim.Adam(model.parameters(), lr=0.05), epochs=15, batch_size=30, seed=0,
        validation_data=(X, y), progress=False,
    )  # fmt: skip
    assert history.accuracy[-1] == 1.0 and history.val_accuracy[-1] == 1.0
    lists = nn.MLP(2, [8, 3], seed=0)  # the same numbers as from plain lists
    same = nn.fit(
        lists, xs, ys, loss=nn.cross_entropy,
        optimizer=nn.optim.Adam(lists.parameters(), lr=0.05), epochs=15, batch_size=30, seed=0,
        progress=False,
    )  # fmt: skip
    assert history.loss == same.loss


def _fit_two_epochs(**options: object) -> None:
    model = nn.Linear(1, 1, seed=0)
    nn.fit(
        model, [[0.0], [1.0]], [0.0, 1.0], loss=nn.mse_loss,
        optimizer=nn.optim.SGD(model.parameters()), epochs=2, **options,
    )  # fmt: skip


def _drawn_on_a_terminal(monkeypatch: pytest.MonkeyPatch, **options: object) -> bytes:
    """What a fit draws on standard error when that is a real terminal (a pty, 80 columns)."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    with os.fdopen(follower, "w") as terminal, monkeypatch.context() as patch:
        patch.setattr(sys, "stderr", terminal)
        _fit_two_epochs(**options)
        terminal.write("end")  # so that the read below never blocks
        terminal.flush()
        drawn = os.read(leader, 65536)
    os.close(leader)
    return drawn.removesuffix(b"end")


def test_the_progress_bar_is_drawn_on_a_terminal_only(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _fit_two_epochs(progress=True)
    assert capsys.readouterr().err == ""  # captured: not a terminal, so no bar
    assert b"training:" in _drawn_on_a_terminal(monkeypatch, progress=True)
    assert _drawn_on_a_terminal(monkeypatch, progress=False) == b""


def test_on_epoch_end_sees_each_epoch_as_it_ends() -> None:
    seen = []
    model = nn.Linear(1, 1, seed=0)
    nn.fit(
        model, [[0.0], [1.0]], [0.0, 1.0], loss=nn.mse_loss,
        optimizer=nn.optim.SGD(model.parameters()), epochs=3, progress=False,
        on_epoch_end=lambda epoch, history: seen.append((epoch, list(history.loss))),
    )  # fmt: skip
    assert [epoch for epoch, _ in seen] == [1, 2, 3]
    assert [len(losses) for _, losses in seen] == [1, 2, 3]
    assert seen[-1][1][:2] == seen[1][1]  # the history grows; earlier numbers stay


def test_fit_errors() -> None:
    model = nn.Linear(1, 1, seed=0)
    opt = nn.optim.SGD(model.parameters())
    with pytest.raises(ValueError, match="epochs"):
        nn.fit(model, [[0.0]], [0.0], loss=nn.mse_loss, optimizer=opt, epochs=-1)
    with pytest.raises(ValueError, match="1 rows but y has 2"):
        nn.fit(model, [[0.0]], [0.0, 1.0], loss=nn.mse_loss, optimizer=opt)
    with pytest.raises(ValueError, match="no batch"):
        nn.fit(model, [[0.0]], [0.0], loss=nn.mse_loss, optimizer=opt, batch_size=2,
               drop_last=True, progress=False)  # fmt: skip
    bn_model = nn.MLP(1, [2, 1], batchnorm=True, seed=0)
    with pytest.raises(ValueError, match="drop_last=True"):
        nn.fit(bn_model, [[0.0], [1.0], [2.0]], [0.0, 1.0, 0.0], loss=nn.mse_loss,
               optimizer=nn.optim.SGD(bn_model.parameters()), batch_size=2, shuffle=False,
               progress=False)  # fmt: skip


# -- issue 10: fit checks everything before the first step --------------------------------


def blobs(n: int = 24) -> tuple[list[list[float]], list[int]]:
    return nn.data.make_blobs(n, centers=[[-2.0, 0.0], [2.0, 0.0]], noise=0.5, seed=3)


@pytest.mark.parametrize(
    ("loss", "make_model", "labels"),
    [
        (nn.binary_cross_entropy_with_logits, lambda: nn.MLP(2, [4, 1], seed=0), lambda t: t),
        (nn.binary_cross_entropy, lambda: nn.LogisticRegression(2, seed=0), lambda t: t),
        (nn.hinge_loss, lambda: nn.MLP(2, [4, 1], seed=0), lambda t: 2 * t - 1),
        (nn.mse_loss, lambda: nn.MLP(2, [4, 1], seed=0), lambda t: float(t)),
    ],
)
def test_targets_as_one_element_rows_train_like_flat_targets(
    loss: Any, make_model: Any, labels: Any
) -> None:
    """Issue 10, row "nn.fit with targets as one-element rows, which the loss accepts": the
    accuracy rule raised TypeError after the first step had changed the model; now the
    accuracy rules accept what the losses accept, and the run equals the flat one."""
    X, y = blobs()
    flat = [labels(t) for t in y]
    runs = []
    rule = nn.training.sign_accuracy if loss is nn.mse_loss else None
    for targets in (flat, [[t] for t in flat]):
        model = make_model()
        history = nn.fit(
            model, X, targets, loss=loss, epochs=3, batch_size=8, seed=0, progress=False,
            optimizer=nn.optim.SGD(model.parameters(), lr=0.1), accuracy=rule,
            validation_data=(X, targets),
        )  # fmt: skip
        runs.append(history)
    assert runs[0] == runs[1]
    assert all(0.0 <= a <= 1.0 for a in runs[1].accuracy + runs[1].val_accuracy)


def test_each_accuracy_rule_accepts_the_shapes_its_loss_accepts() -> None:
    rules = nn.training
    assert rules.probability_accuracy([[0.7], [0.2]], [[1], [1]]) == 0.5
    assert rules.sign_accuracy([0.5, -0.5], [[1.0], [-1.0]]) == 1.0
    assert rules.sign_accuracy([[0.5, -0.5]], [[1, 1]]) == 0.5  # rows of several entries
    assert rules.argmax_accuracy([0.1, 0.9], 1) == 1.0  # one row, one class
    assert rules.argmax_accuracy([[0.1, 0.9], [2.0, 1.0]], [1.0, 0]) == 1.0  # 1.0 is class 1
    with pytest.raises(ValueError, match="a bool"):
        rules.argmax_accuracy([[0.1, 0.9]], [True])  # refused as cross_entropy refuses it
    with pytest.raises(ValueError, match=r"class index in \[0, 2\)"):
        rules.argmax_accuracy([[0.1, 0.9]], [2])


def bad_inputs() -> dict[str, tuple[Any, ...]]:
    """(loss, X, y, model width, extra fit options) whose problem lies past the first batch."""
    X, y = blobs()
    late = len(X) - 1  # the last row: found before training, not after 2 epochs of steps
    ragged = [*X[:late], [1.0]]
    nan_x = [*X[:late], [1.0, math.nan]]
    strs = [*X[:late], [1.0, "2"]]
    return {
        "class index out of range": (nn.cross_entropy, X, [*y[:late], 2], 2, {}),
        "0/1 labels for hinge": (nn.hinge_loss, X, [2 * t - 1 for t in y[:late]] + [0], 1, {}),
        "target above 1 for bce": (
            nn.binary_cross_entropy_with_logits, X, [*y[:late], 2], 1, {},
        ),
        "nan target": (nn.mse_loss, X, [*y[:late], math.nan], 1, {}),
        "ragged row": (nn.mse_loss, ragged, y, 1, {}),
        "nan input": (nn.mse_loss, nan_x, y, 1, {}),
        "str input": (nn.mse_loss, strs, y, 1, {}),
        "flat X": (nn.mse_loss, [row[0] for row in X], y, 1, {}),
        "targets of the wrong shape": (nn.mse_loss, X, [[t, t] for t in y], 1, {}),
        "wider model": (nn.mse_loss, X, y, 1, {"width": 3}),
        "bad validation target": (
            nn.cross_entropy, X, y, 2, {"validation_data": (X, [*y[:late], 5])},
        ),
        "ragged validation row": (nn.mse_loss, X, y, 1, {"validation_data": (ragged, y)}),
        "validation not a pair": (nn.mse_loss, X, y, 1, {"validation_data": (X, y, y)}),
        "batchnorm, last batch of one row": (
            nn.mse_loss, [*X, X[0]], [*y, y[0]], 1, {"batchnorm": True, "batch_size": 8},
        ),
        "batchnorm, batch_size 1": (nn.mse_loss, X, y, 1, {"batchnorm": True, "batch_size": 1}),
        "an accuracy rule that fails": (
            nn.mse_loss, X, y, 1, {"accuracy": lambda p, t: 1 / 0 if len(t) > 1 else 1.0},
        ),
    }  # fmt: skip


BAD_MESSAGES = {
    "class index out of range": r"cross_entropy: target 23 is 2, expected a class index",
    "0/1 labels for hinge": r"hinge_loss: target 23 is 0\.0, expected -1 or \+1",
    "target above 1 for bce": r"target 23 is 2\.0, expected a probability",
    "nan target": r"mse_loss: target 23 is nan",
    "ragged row": r"X row 23 has 1 entries but row 0 has 2",
    "nan input": r"X\[23\]\[1\] is nan; inputs must be finite numbers",
    "str input": r"X\[23\]\[1\] must be a real number",
    "flat X": r"X row 0 is a float, not a row",
    "targets of the wrong shape": r"predictions have shape \[1\] but targets have shape \[1, 2\]",
    "wider model": r"Linear expects rows of 3 features, got a row of 2",
    "bad validation target": r"validation_data: cross_entropy: target 23 is 5",
    "ragged validation row": r"validation_data: X row 23 has 1 entries",
    "validation not a pair": r"validation_data must be a pair",
    "batchnorm, last batch of one row": r"with 25 rows and batch_size=8 the last batch would",
    "batchnorm, batch_size 1": r"batch_size=1 every batch would have one",
    "an accuracy rule that fails": "division by zero",
}


@pytest.mark.parametrize("case", list(BAD_MESSAGES))
def test_bad_input_fails_before_any_parameter_changes(case: str) -> None:
    """Issue 10, row "nn.fit ... a bad input fails before any parameter changes": each of
    these used to fail in the middle of training, after optimizer steps had changed the
    model (or, for some, never: a NaN input trained on silently)."""
    loss, X, y, outputs, options = bad_inputs()[case]
    width = options.pop("width", 2)
    model = nn.MLP(width, [4, outputs], batchnorm=options.pop("batchnorm", False), seed=0)
    optimizer = nn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)  # a step leaves state
    before = model.state_dict()
    with pytest.raises((ValueError, TypeError, ZeroDivisionError), match=BAD_MESSAGES[case]):
        nn.fit(
            model, X, y, loss=loss, optimizer=optimizer, epochs=2, progress=False,
            **{"batch_size": 4, **options},
        )  # fmt: skip
    assert model.state_dict() == before and not optimizer.state  # no step was taken
    assert model.training  # the checks ran in eval mode; the mode is back


@pytest.mark.parametrize(
    ("epochs", "message"),
    [
        (10**30, r"epochs must be from 0 to 1,000,000,000 \(MAX_EPOCHS\), got 1,000,000,"),
        (10**5000, r"epochs must be from 0 to 1,000,000,000 \(MAX_EPOCHS\), got a far larger"),
        (-1, "got -1"),
        (True, "epochs must be an int, got bool"),
        (2.0, "epochs must be an int, got float"),
    ],
    ids=["10**30", "10**5000", "-1", "True", "2.0"],
)
def test_epochs_beyond_the_limit_are_refused(epochs: Any, message: str) -> None:
    """Issue 10, row "nn.fit(epochs=10**30)": a bare OverflowError from the progress bar;
    now ValueError naming the limit, MAX_EPOCHS."""
    model = nn.Linear(1, 1, seed=0)
    with pytest.raises(ValueError, match=message):
        nn.fit(model, [[0.0]], [0.0], loss=nn.mse_loss, epochs=epochs, progress=False,
               optimizer=nn.optim.SGD(model.parameters()))  # fmt: skip
    assert nn.training.MAX_EPOCHS == 10**9


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"loss": "mse"}, TypeError, "loss must be a function, got str"),
        ({"accuracy": 0.5}, TypeError, "accuracy must be a function, got float"),
        ({"on_epoch_end": print, "batch_size": 0}, ValueError, "batch_size must be an int >= 1"),
        ({"batch_size": True}, ValueError, "batch_size must be an int >= 1 or None, got True"),
        ({"on_epoch_end": "print"}, TypeError, "on_epoch_end must be a function"),
    ],
)
def test_fit_options_are_checked_first(options: dict, error: type, message: str) -> None:
    model = nn.Linear(1, 1, seed=0)
    before = model.state_dict()
    with pytest.raises(error, match=message):
        nn.fit(
            model, [[0.0], [1.0]], [0.0, 1.0], optimizer=nn.optim.SGD(model.parameters()),
            progress=False, **{"loss": nn.mse_loss, **options},
        )  # fmt: skip
    assert model.state_dict() == before
