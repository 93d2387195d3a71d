"""The losses' PyTorch options: reduction "none", weight, pos_weight, ignore_index,
label_smoothing, the deprecated size_average/reduce; the loss modules; fit with one.

Numbers are compared with PyTorch's own (tests/nn/torch_golden_modules.json, written by
make_torch_golden.py); the rest by hand.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from nn_compare import assert_close

import autograd
import nn
from autograd import Value

GOLDEN = json.loads(Path(__file__).with_name("torch_golden_modules.json").read_text())
REL = 1e-12


def as_values(predictions: Any) -> tuple[Any, list[Value]]:
    """Predictions as Values in the same nesting, and the flat list of them."""
    if isinstance(predictions[0], list):
        rows = [[Value(v) for v in row] for row in predictions]
        return rows, [v for row in rows for v in row]
    flat = [Value(v) for v in predictions]
    return flat, flat


def flatten(x: Any) -> list[Any]:
    return [v for row in x for v in row] if isinstance(x[0], list) else list(x)


@pytest.mark.parametrize(
    "case", GOLDEN["loss_options"], ids=lambda c: f"{c['loss']}-{c['kwargs']}"[:90]
)
def test_loss_options_match_torch(case: dict[str, Any]) -> None:
    values, flat = as_values(case["predictions"])
    out = getattr(nn.functional, case["loss"])(values, case["targets"], **case["kwargs"])
    if case["upstream"] is None:
        assert isinstance(out, Value)
        out.backward()
        assert_close(out.data, case["value"], REL, 1e-15, "value")
    else:  # reduction="none": the terms, in the predictions' shape (rows for rows)
        assert isinstance(out, list)
        expected = case["value"]
        assert len(out) == len(expected)
        if isinstance(expected[0], list):
            assert all(isinstance(row, list) for row in out)
        terms = flatten(out)
        assert_close([t.data for t in terms], flatten(expected), REL, 1e-15, "terms")
        autograd.dot(terms, case["upstream"]).backward()
    assert_close([v.grad for v in flat], flatten(case["grad"]), REL, 1e-15, "gradient")


def test_the_options_are_covered() -> None:
    """The golden cases exercise every option and every reduction of every loss."""
    seen = {(c["loss"], k) for c in GOLDEN["loss_options"] for k in c["kwargs"]}
    for option in ("weight", "reduction"):
        for loss in ("mse_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits"):
            assert (loss, option) in seen
    assert {("cross_entropy", k) for k in ("weight", "ignore_index", "label_smoothing")} <= seen
    assert ("binary_cross_entropy_with_logits", "pos_weight") in seen


def test_reduction_none_returns_the_terms() -> None:
    p = [Value(1.0), Value(2.0), Value(-1.0)]
    terms = nn.mse_loss(p, [0.0, 0.0, 0.0], reduction="none")
    assert isinstance(terms, list) and [t.data for t in terms] == [1.0, 4.0, 1.0]
    assert nn.mse_loss([[1.0], [2.0]], [0.0, 0.0], reduction="none")[1].data == 4.0  # flat
    rows = nn.mse_loss([[1.0, 2.0], [3.0, 4.0]], [[0.0] * 2] * 2, reduction="none")
    assert [[t.data for t in row] for row in rows] == [[1.0, 4.0], [9.0, 16.0]]  # type: ignore[union-attr]
    ce = nn.cross_entropy([[0.0, 0.0], [5.0, 5.0], [1.0, 1.0]], [0, 1, 0], reduction="none")
    assert [round(t.data, 12) for t in ce] == [round(math.log(2), 12)] * 3  # one per row
    hinge = nn.hinge_loss([2.0, 0.5], [1, 1], reduction="none")
    assert [t.data for t in hinge] == [0.0, 0.5]
    # The mean of the terms is the mean loss, and their sum the sum.
    total = autograd.sum(nn.binary_cross_entropy([0.3, 0.8], [0, 1], reduction="none"))
    assert total.data == pytest.approx(
        nn.binary_cross_entropy([0.3, 0.8], [0, 1], reduction="sum").data
    )


def test_bce_weight_mean_is_over_predictions_mse_over_weights() -> None:
    """PyTorch's two conventions: BCE's weighted mean divides by N, MSE's by sum(w)."""
    bce = nn.binary_cross_entropy([0.5, 0.5], [1, 1], weight=[2.0, 0.0]).data
    assert bce == pytest.approx(2.0 * math.log(2) / 2)
    mse = nn.mse_loss([1.0, 3.0], [0.0, 0.0], weight=[2.0, 0.0]).data
    assert mse == pytest.approx(2.0 * 1.0 / 2.0)
    assert nn.mse_loss([1.0, 3.0], [0.0, 0.0], weight=0.5).data == pytest.approx(5.0)


def test_cross_entropy_ignore_index_skips_rows() -> None:
    rows = [[2.0, 0.0], [0.0, 9.0], [1.0, 1.0]]
    skipped = nn.cross_entropy(rows, [0, -100, 1])
    assert skipped.data == pytest.approx(nn.cross_entropy([rows[0], rows[2]], [0, 1]).data)
    logits = [Value(v) for v in rows[1]]
    nn.cross_entropy([rows[0], logits], [0, -100]).backward()
    assert [v.grad for v in logits] == [0.0, 0.0]  # an ignored row sends no gradient
    terms = nn.cross_entropy(rows, [0, 5, 1], ignore_index=5, reduction="none")
    assert terms[1].data == 0.0  # type: ignore[index]
    with pytest.raises(ValueError, match="every target is ignore_index"):
        nn.cross_entropy(rows, [-100, -100, -100])
    assert nn.cross_entropy(rows, [-100] * 3, reduction="sum").data == 0.0


def test_label_smoothing_of_one_is_uniform_targets() -> None:
    row = [1.0, 2.0, 4.0]
    smooth = nn.cross_entropy([row], [2], label_smoothing=1.0).data
    lse = math.log(sum(math.exp(z) for z in row))
    assert smooth == pytest.approx(sum(lse - z for z in row) / 3)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: nn.mse_loss([1.0], [1.0], weight=[-1.0]), ValueError, r"weight 0 is -1.0"),
        (lambda: nn.mse_loss([1.0], [1.0], weight=[math.nan]), ValueError, "weight 0 is nan"),
        (lambda: nn.mse_loss([1.0, 2.0], [1.0, 2.0], weight=[1.0] * 3), ValueError, "shape"),
        (lambda: nn.mse_loss([1.0], [1.0], weight=[True]), TypeError, "bool"),
        (lambda: nn.mse_loss([1.0], [2.0], weight=[0.0]), ValueError, "sum to 0.0"),
        (
            lambda: nn.binary_cross_entropy_with_logits([1.0], [1.0], pos_weight=[-2.0]),
            ValueError,
            "pos_weight 0 is -2.0",
        ),
        (lambda: nn.cross_entropy([[1.0, 2.0]], [0], weight=[1.0]), ValueError, "one weight per"),
        (lambda: nn.cross_entropy([[1.0, 2.0]], [0], weight=2.0), ValueError, "one weight per"),
        (lambda: nn.cross_entropy([[1.0, 2.0]], [0], label_smoothing=1.5), ValueError, r"\[0, 1\]"),
        (lambda: nn.cross_entropy([[1.0, 2.0]], [0], ignore_index=1.5), TypeError, "an int"),
        (lambda: nn.cross_entropy([[1.0, 2.0]], [-100], weight=[0.0, 1.0]), ValueError, "ignore"),
        (lambda: nn.cross_entropy([[1.0, 2.0]], [0], weight=[0.0, 1.0]), ValueError, "sum to"),
        (
            lambda: nn.cross_entropy([[1.0, 2.0]] * 2, [1, 1], weight=[1.0, 1e308]),
            OverflowError,
            "sum to more than a float holds",  # the weighted mean came out as 0.0
        ),
        (
            lambda: nn.mse_loss([1e-3, 1e-3], [0.0, 0.0], weight=[1e308, 1e308]),
            OverflowError,
            "mse_loss: the weights sum to more than a float holds",  # was fsum's own message
        ),
        (
            lambda: nn.cross_entropy([[1.0, 2.0]], [1], weight=[1e308, 1e308], label_smoothing=0.1),
            OverflowError,
            "cross_entropy: the weights sum to more than a float holds",
        ),
        (lambda: nn.mse_loss([1.0], [1.0], "sum"), TypeError, "reduction='sum'"),
        (lambda: nn.binary_cross_entropy([0.5], [1.0], "sum"), TypeError, "reduction='sum'"),
        (lambda: nn.mse_loss([1.0], [1.0], reduce=1), TypeError, "reduce must be None"),
    ],
)
def test_bad_options_are_refused(call: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize(
    ("size_average", "reduce", "expected"),
    [(None, False, "none"), (False, None, "sum"), (True, True, "mean"), (False, False, "none")],
)
def test_size_average_and_reduce_are_pytorchs_deprecated_pair(
    size_average: bool | None, reduce: bool | None, expected: str
) -> None:
    with pytest.warns(UserWarning, match=f"reduction='{expected}'"):
        out = nn.mse_loss([1.0, 3.0], [0.0, 0.0], size_average, reduce)
    want = nn.mse_loss([1.0, 3.0], [0.0, 0.0], reduction=expected)  # type: ignore[call-overload]
    assert type(out) is type(want)
    with pytest.warns(UserWarning, match="MSELoss: size_average and reduce are deprecated"):
        module = nn.MSELoss(size_average, reduce)
    assert module.reduction == expected


def test_loss_modules_compute_their_functions() -> None:
    rows, classes = [[2.0, 0.0, -1.0], [0.1, 0.2, 0.3]], [0, 2]
    cases = [
        (nn.MSELoss(), nn.mse_loss, [0.5, 2.0], [1.0, 1.0], {}),
        (nn.BCELoss(weight=[1.0, 2.0]), nn.binary_cross_entropy, [0.3, 0.9], [0, 1], {}),
        (
            nn.BCEWithLogitsLoss(pos_weight=[2.0], reduction="sum"),
            nn.binary_cross_entropy_with_logits,
            [0.3, -0.9],
            [0, 1],
            {},
        ),
        (
            nn.CrossEntropyLoss(weight=[1.0, 2.0, 3.0], label_smoothing=0.1, ignore_index=1),
            nn.cross_entropy,
            rows,
            classes,
            {},
        ),
    ]
    for module, function, p, t, _ in cases:
        assert type(module).loss_function is function
        options = {"reduction": module.reduction, **module.options()}
        assert module(p, t).data == function(p, t, **options).data
        assert module.parameters() == [] and module.state_dict() == {}
    terms = nn.CrossEntropyLoss(reduction="none")(rows, classes)
    assert isinstance(terms, list) and len(terms) == 2
    assert repr(nn.MSELoss()) == "MSELoss()"
    assert repr(nn.CrossEntropyLoss(reduction="sum", label_smoothing=0.1)) == (
        "CrossEntropyLoss(reduction='sum', label_smoothing=0.1)"
    )
    with pytest.raises(ValueError, match="reduction must be"):
        nn.BCELoss(reduction="avg")  # type: ignore[arg-type]


def test_fit_takes_a_loss_module_with_its_accuracy() -> None:
    X, y = nn.data.make_moons(40, noise=0.1, seed=0)
    histories = []
    for loss in (nn.binary_cross_entropy_with_logits, nn.BCEWithLogitsLoss()):
        model = nn.MLP(2, [6, 1], seed=0)
        opt = nn.optim.SGD(model.parameters(), lr=0.1)
        history = nn.fit(model, X, y, loss=loss, optimizer=opt, epochs=2, seed=0, progress=False)
        histories.append(history)
    assert histories[0].loss == histories[1].loss
    assert histories[0].accuracy == histories[1].accuracy and not math.isnan(
        histories[1].accuracy[0]
    )
    assert nn.accuracy_rule(nn.CrossEntropyLoss()) is nn.accuracy_rule(nn.cross_entropy)
    assert nn.accuracy_rule(nn.MSELoss()) is None


@pytest.mark.parametrize("case", GOLDEN["batchnorm"], ids=lambda c: str(c["kwargs"]))
def test_batchnorm_without_bias_matches_torch(case: dict[str, Any]) -> None:
    bn = nn.BatchNorm1d(3, **case["kwargs"])
    assert bn.bias is None and list(bn.state_dict())[:1] == ["weight"]
    assert "bias=False" in repr(bn)
    bn.load_state_dict(case["initial_state_dict"])
    for k, step in enumerate(case["steps"]):
        bn.train(step["mode"] == "train")
        bn.zero_grad()
        x = [[Value(v) for v in row] for row in step["input"]]
        y = bn(x)
        flat = [v for row in y for v in row]
        autograd.dot(flat, [v for row in step["upstream"] for v in row]).backward()
        what = f"step {k} ({step['mode']})"
        assert_close([[v.data for v in row] for row in y], step["output"], 1e-9, 1e-12, what)
        assert_close([[v.grad for v in row] for row in x], step["input_grad"], 1e-9, 1e-12, what)
        assert bn.weight is not None
        assert_close([p.grad for p in bn.weight], step["weight_grad"], 1e-9, 1e-12, what)
        state = bn.state_dict()
        assert list(state) == list(step["state_dict"])
        for key, expected in step["state_dict"].items():
            assert_close(state[key], expected, 1e-9, 0.0, f"{what} {key}")


@pytest.mark.parametrize(
    "loss",
    [nn.MSELoss(reduction="none"), lambda p, t: nn.mse_loss(p, t, reduction="none")],
    ids=["module", "function"],
)
def test_fit_refuses_a_loss_that_returns_its_terms(loss: Any) -> None:
    model = nn.MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    optimizer = nn.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(
        TypeError, match=r"the loss must return one Value, got list \(reduction='none'"
    ):
        nn.fit(
            model,
            [[0.0, 1.0], [1.0, 0.0]],
            [0.0, 1.0],
            loss=loss,
            optimizer=optimizer,
            progress=False,
        )
    assert model.state_dict() == before
