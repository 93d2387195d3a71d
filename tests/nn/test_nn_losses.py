"""Loss functions at chosen points (values worked out by hand), their gradients
(finite differences), stability at extreme inputs and their errors."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
from autograd import Value, gradcheck
from autograd.testing import scalars


def values(xs: list[float]) -> list[Value]:
    return [Value(x) for x in xs]


def test_mse_by_hand() -> None:
    assert nn.mse_loss([1.0, 2.0, 3.0], [1.0, 0.0, 5.0]).data == pytest.approx(8 / 3)
    assert nn.mse_loss([1.0, 2.0, 3.0], [1.0, 0.0, 5.0], reduction="sum").data == 8.0
    p = values([1.0, 2.0])
    nn.mse_loss(p, [0.0, 4.0]).backward()  # d/dp (p - t)²/2 = p - t
    assert [v.grad for v in p] == [1.0, -2.0]
    rows = nn.mse_loss([[1.0, 2.0], [3.0, 4.0]], [[0.0, 0.0], [0.0, 0.0]])
    assert rows.data == pytest.approx(30 / 4)


def test_bce_by_hand() -> None:
    expected = -(math.log(0.9) + math.log(0.8)) / 2
    assert nn.binary_cross_entropy([0.9, 0.2], [1, 0]).data == pytest.approx(expected, rel=1e-15)
    p = values([0.25])
    nn.binary_cross_entropy(p, [1.0]).backward()  # d/dp -log p = -1/p
    assert p[0].grad == pytest.approx(-4.0, rel=1e-14)
    q = values([0.25])
    nn.binary_cross_entropy(q, [0.0]).backward()  # d/dp -log(1 - p) = 1/(1 - p)
    assert q[0].grad == pytest.approx(4 / 3, rel=1e-14)


def test_bce_clamps_each_log_at_minus_100() -> None:
    assert nn.binary_cross_entropy([0.0], [1.0]).data == 100.0
    assert nn.binary_cross_entropy([1.0], [0.0]).data == 100.0
    assert nn.binary_cross_entropy([0.0, 1.0], [0.0, 1.0]).data == 0.0
    p = values([0.0])
    nn.binary_cross_entropy(p, [1.0]).backward()  # PyTorch's floor: -1 / 1e-12 (as float32)
    assert p[0].grad == pytest.approx(-1 / 9.999999960041972e-13, rel=1e-15)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (-0.1, "not a probability in"),
        (1.5, "not a probability in"),
        (float("nan"), "prediction 1 is nan; every prediction must be a finite number"),
    ],
)
def test_bce_refuses_non_probabilities(bad: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        nn.binary_cross_entropy([0.5, bad], [1.0, 0.0])


def test_bce_with_logits_by_hand_and_at_1000() -> None:
    x = 0.3
    expected = -(math.log(1 / (1 + math.exp(-x))))  # target 1: -log sigmoid(x)
    assert nn.binary_cross_entropy_with_logits([x], [1]).data == pytest.approx(expected, rel=1e-15)
    logits = values([1000.0, -1000.0, 1000.0, -1000.0])
    loss = nn.binary_cross_entropy_with_logits(logits, [1, 0, 0, 1], reduction="sum")
    assert loss.data == 2000.0  # two exact hits cost 0, two confident misses 1000 each
    loss.backward()
    assert [v.grad for v in logits] == [0.0, 0.0, 1.0, -1.0]  # sigmoid(x) - y


def test_cross_entropy_by_hand_and_stable() -> None:
    assert nn.cross_entropy([[2.0, 0.0, 0.0]], [0]).data == pytest.approx(
        math.log(1 + 2 * math.exp(-2)), rel=1e-15
    )
    assert nn.cross_entropy([1.0, 1.0], 1).data == pytest.approx(math.log(2))  # one row
    z = [values([1000.0, -1000.0, 0.0])]
    loss = nn.cross_entropy(z, [2])
    assert loss.data == 1000.0
    loss.backward()
    assert [v.grad for v in z[0]] == pytest.approx([1.0, 0.0, -1.0])  # softmax - one-hot
    assert nn.cross_entropy([[1.0, 2.0], [3.0, 0.0]], [1.0, 0], reduction="sum").data > 0


def test_cross_entropy_takes_any_integer_type_as_class_index() -> None:
    np = pytest.importorskip("numpy")
    expected = nn.cross_entropy([[1.0, 2.0], [0.5, 0.0]], [1, 0]).data
    for targets in ([np.int64(1), np.uint8(0)], np.array([1, 0]), [1.0, np.float32(0.0)]):
        assert nn.cross_entropy([[1.0, 2.0], [0.5, 0.0]], targets).data == expected
    one_row = nn.cross_entropy([1.0, 2.0], 1).data
    assert nn.cross_entropy(np.array([1.0, 2.0]), np.int32(1)).data == one_row
    with pytest.raises(ValueError, match="a bool"):
        nn.cross_entropy([[1.0, 2.0]], np.array([True]))  # numpy's bool too


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (True, r"target 0 is True, a bool; expected a class index in \[0, 2\)"),
        (0.5, r"target 0 is 0\.5 \(a float\), not an integer; .*not probabilities"),
        ("1", r"target 0 is '1' \(a str\), not an integer"),
        (None, r"target 0 is None \(a NoneType\), not an integer"),
        (float("nan"), r"target 0 is nan \(a float\), not an integer"),
    ],
)
def test_cross_entropy_refuses_bools_and_non_integers(target: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        nn.cross_entropy([[1.0, 2.0]], [target])


def test_hinge_by_hand() -> None:
    assert nn.hinge_loss([2.0, 0.5, -1.0], [1, 1, 1]).data == pytest.approx(2.5 / 3)
    s = values([2.0, 0.5, -1.0, 0.25])
    nn.hinge_loss(s, [1, 1, 1, -1], reduction="sum").backward()
    assert [v.grad for v in s] == [0.0, -1.0, -1.0, 1.0]  # -y where the margin is not met


def test_hinge_refuses_zero_one_labels() -> None:
    with pytest.raises(ValueError, match=r"target 1 is 0\.0, expected -1 or \+1"):
        nn.hinge_loss([0.5, 0.5], [1, 0])


def test_batches_of_one_element_rows_count_as_flat() -> None:
    model_out = [[Value(0.2)], [Value(0.7)]]
    flat = nn.mse_loss([0.2, 0.7], [0.0, 1.0]).data
    assert nn.mse_loss(model_out, [0.0, 1.0]).data == flat
    assert nn.mse_loss(model_out, [[0.0], [1.0]]).data == flat


@pytest.mark.parametrize(
    ("loss", "predictions", "targets", "message"),
    [
        (
            nn.mse_loss,
            [1.0, 2.0],
            [1.0],
            r"predictions have shape \[2\] but targets have shape \[1\]",
        ),
        (nn.mse_loss, [[1.0, 2.0]], [1.0, 2.0], r"shape \[1, 2\] but targets have shape \[2\]"),
        (nn.mse_loss, [[1.0, 2.0], [1.0]], [[1.0, 2.0], [1.0]], "rows of equal length"),
        (nn.binary_cross_entropy, [], [], "empty batch"),
        (nn.hinge_loss, [1.0], [1.0, 1.0], "shape"),
        (nn.cross_entropy, [[1.0, 2.0]], [2], r"target 0 is 2, expected a class index in \[0, 2\)"),
        (nn.cross_entropy, [[1.0, 2.0]], [0, 1], "1 rows of logits but 2 class indices"),
        (nn.cross_entropy, [[1.0, 2.0]], [0.5], "0.5"),
    ],
)
def test_shape_and_target_errors(loss: Any, predictions: Any, targets: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        loss(predictions, targets)


def test_unknown_reduction() -> None:
    with pytest.raises(ValueError, match="reduction must be 'mean', 'sum' or 'none', got 'avg'"):
        nn.mse_loss([1.0], [1.0], reduction="avg")  # type: ignore[call-overload]


def test_targets_must_be_numbers() -> None:
    with pytest.raises(TypeError, match="target"):
        nn.mse_loss([1.0], ["a"])


# -- gradients against finite differences ---------------------------------------------

probabilities = scalars(0.05, 0.95)
logits = scalars(-8.0, 8.0)


@given(st.lists(logits, min_size=1, max_size=4), st.sampled_from(["mean", "sum"]))
def test_gradcheck_mse(points: list[float], reduction: Any) -> None:
    targets = [0.5 * k - 1 for k in range(len(points))]
    assert gradcheck(lambda *p: nn.mse_loss(list(p), targets, reduction=reduction), points)


@given(st.lists(probabilities, min_size=1, max_size=4))
def test_gradcheck_bce(points: list[float]) -> None:
    targets = [k % 2 * 0.8 for k in range(len(points))]
    assert gradcheck(lambda *p: nn.binary_cross_entropy(list(p), targets), points)


@given(st.lists(logits, min_size=1, max_size=4))
def test_gradcheck_bce_with_logits(points: list[float]) -> None:
    targets = [float(k % 2) for k in range(len(points))]
    assert gradcheck(lambda *p: nn.binary_cross_entropy_with_logits(list(p), targets), points)


@given(st.lists(logits, min_size=6, max_size=6))
def test_gradcheck_cross_entropy(points: list[float]) -> None:
    def f(*p: Value) -> Value:
        return nn.cross_entropy([list(p[:3]), list(p[3:])], [2, 0])

    assert gradcheck(f, points)


@given(st.lists(scalars(-3.0, 3.0, avoid=[-1.0, 1.0]), min_size=1, max_size=4))
def test_gradcheck_hinge(points: list[float]) -> None:
    targets = [1.0 if k % 2 else -1.0 for k in range(len(points))]  # kinks at s = ±1
    assert gradcheck(lambda *p: nn.hinge_loss(list(p), targets), points)


def test_bce_second_derivative() -> None:
    from autograd import grad

    p = Value(0.3)
    (dp,) = grad(nn.binary_cross_entropy([p], [1.0]), [p], create_graph=True)
    (d2p,) = grad(dp, [p])
    assert dp.data == pytest.approx(-1 / 0.3) and d2p.data == pytest.approx(1 / 0.09)


# -- issue 10: shapes and numbers the losses refuse -------------------------------------


@pytest.mark.parametrize(
    ("logits", "message"),
    [
        ([[1.0, 2.0], [1.0, 2.0, 3.0]], "row 1 has 3 logits but row 0 has 2"),
        ([[1.0, 2.0, 3.0], [1.0, 2.0]], "row 1 has 2 logits but row 0 has 3"),
        ([[1.0, 2.0], [3.0, 4.0], [5.0]], "row 2 has 1 logits but row 0 has 2"),
    ],
)
def test_cross_entropy_refuses_ragged_rows(logits: Any, message: str) -> None:
    """Issue 10, row "cross_entropy with ragged logit rows": accepted (each row its own
    number of classes); now ValueError naming the row."""
    with pytest.raises(ValueError, match=f"cross_entropy: {message}; every row needs one logit"):
        nn.cross_entropy(logits, [0] * len(logits))


@pytest.mark.parametrize(
    ("logits", "targets", "message"),
    [
        ([[1.0, 2.0], []], [0, 0], "row 1 is empty"),
        ([[]], [0], "row 0 is empty"),
        ([[1.0, 2.0], 3.0], [0, 0], "row 1 is a float, not a row of logits"),
        ([[1.0, math.nan]], [0], r"logit \[0, 1\] is nan"),
        ([[1.0, 2.0], [math.inf, 0.0]], [0, 1], r"logit \[1, 0\] is inf"),
        ([[1.0, 2.0]], [[1]], r"target 0 is \[1\]"),
    ],
)
def test_cross_entropy_refuses_odd_rows_and_numbers(
    logits: Any, targets: Any, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        nn.cross_entropy(logits, targets)


@pytest.mark.parametrize(
    ("loss", "predictions", "targets", "message"),
    [
        (nn.mse_loss, [[1.0, 2.0], [1.0]], [[1.0, 2.0], [1.0]], "row 1 has 1 entries and row 0"),
        (nn.mse_loss, [[1.0], 2.0], [1.0, 2.0], "item 1 is a float and item 0 is a row"),
        (nn.mse_loss, [1.0, 2.0], [1.0, math.nan], "target 1 is nan; every target must be finite"),
        (nn.mse_loss, [1.0, math.inf], [1.0, 2.0], "prediction 1 is inf"),
        (nn.mse_loss, [[1.0, 2.0]], [[1.0, -math.inf]], r"target \[0, 1\] is -inf"),
        (nn.binary_cross_entropy, [0.5, 0.5], [1.0, 2.0], r"target 1 is 2\.0, expected a prob"),
        (nn.binary_cross_entropy, [0.5], [math.nan], "target 0 is nan"),
        (nn.binary_cross_entropy_with_logits, [0.5, 1.0], [-1, 1], "target 0 is -1.0, expected"),
        (nn.binary_cross_entropy_with_logits, [math.nan], [1], "prediction 0 is nan"),
        (nn.hinge_loss, [math.nan], [1], "prediction 0 is nan"),
        (nn.hinge_loss, [1.0], [math.nan], "target 0 is nan"),
    ],
)
def test_elementwise_losses_refuse_ragged_rows_and_numbers_that_say_nothing(
    loss: Any, predictions: Any, targets: Any, message: str
) -> None:
    """A NaN target makes the loss NaN, and a -1 target makes a binary cross-entropy
    unbounded below (training runs to -inf): each is refused, naming its position."""
    with pytest.raises(ValueError, match=message.replace("must be finite", "must be a finite")):
        loss(predictions, targets)


def test_value_targets_are_checked_too() -> None:
    with pytest.raises(ValueError, match="target 0 is nan"):
        nn.mse_loss([Value(1.0)], [Value(math.nan)])
    assert nn.mse_loss([Value(1.0)], [Value(3.0)]).data == 4.0
