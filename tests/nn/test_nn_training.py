"""Training end to end: fit's History contract, accuracy rules, and real learning."""

from __future__ import annotations

import fcntl
import math
import os
import pty
import struct
import sys
import termios

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
