"""The bridge to PyTorch: nn.to_torch, nn.from_torch (nn/bridge.py).

Without torch (the usual case: PyTorch is an optional extra), the bridge is checked
against what PyTorch did when the golden data was recorded (make_torch_golden.py, into
torch_golden_modules.json): for each model of bridge_models.py, ``nn.bridge.describe``
must still say what it said then, and the gradstep model must compute what its PyTorch
twin computed (outputs, gradients, running statistics after a training pass); for each
PyTorch model recorded, the gradstep model built from its description must do the same.

The tests marked ``torch`` run the bridge itself; they are skipped, with the reason,
where torch is not installed.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import OrderedDict
from pathlib import Path
from typing import Any

import pytest
from bridge_models import RECIPES
from nn_compare import assert_close

import autograd
import nn
from autograd import Value

GOLDEN = json.loads(Path(__file__).with_name("torch_golden_modules.json").read_text())
REL, ABS = 1e-12, 1e-14

HAVE_TORCH = importlib.util.find_spec("torch") is not None
requires_torch = pytest.mark.skipif(
    not HAVE_TORCH, reason="PyTorch is not installed (the optional extra gradstep[torch])"
)


def run(model: nn.Module, case: dict[str, Any]) -> dict[str, Any]:
    """What make_torch_golden.run_torch records, computed by gradstep."""
    x = [[Value(v) for v in row] for row in case["input"]]
    out = model(x)
    autograd.dot(
        [v for row in out for v in row], [u for row in case["upstream"] for u in row]
    ).backward()
    return {
        "output": [[v.data for v in row] for row in out],
        "input_grad": [[v.grad for v in row] for row in x],
        "params": model.named_parameters(),
        "state_dict_after": model.state_dict(),
    }


def assert_same_pass(model: nn.Module, case: dict[str, Any]) -> None:
    ours = run(model, case)
    assert_close(ours["output"], case["output"], REL, ABS, "output")
    assert_close(ours["input_grad"], case["input_grad"], REL, ABS, "input gradient")
    for key, grad in case["grads"].items():
        mine = [p.grad for name, p in ours["params"] if name.split("[")[0] == key]
        assert mine, key
        if grad is None:  # frozen in PyTorch: no gradient; here a gradient of 0
            assert mine == [0.0] * len(mine), key
        else:
            flat = [g for row in grad for g in row] if isinstance(grad[0], list) else grad
            assert_close(mine, flat, REL, ABS, f"gradient of {key}")
    assert ours["state_dict_after"].keys() == case["state_dict_after"].keys()
    for key, value in case["state_dict_after"].items():
        assert_close(ours["state_dict_after"][key], value, REL, ABS, key)


@pytest.mark.parametrize("case", GOLDEN["bridge_to_torch"], ids=lambda c: c["recipe"])
def test_to_torch_twin_computed_what_gradstep_computes(case: dict[str, Any]) -> None:
    model = RECIPES[case["recipe"]]()
    assert nn.bridge.describe(model) == case["description"]  # what to_torch builds from
    assert_same_pass(model, case)


@pytest.mark.parametrize("case", GOLDEN["bridge_from_torch"], ids=lambda c: c["name"])
def test_from_torch_builds_what_pytorch_computed(case: dict[str, Any]) -> None:
    model = nn.bridge.build(case["description"])  # from_torch is build(describe_torch(m))
    described = case["description"]
    assert model.state_dict() == described["state_dict"]
    frozen = {name.split("[")[0] for name, p in model.named_parameters() if nn.is_frozen(p)}
    assert frozen == set(described["frozen"])
    assert_same_pass(model, case)


def test_the_golden_cases_cover_every_layer_and_mode() -> None:
    kinds: set[str] = set()
    modes: set[bool] = set()

    def walk(node: dict[str, Any]) -> None:
        kinds.add(node["type"])
        modes.add(node["training"])
        for _, child in node.get("children", []):
            walk(child)

    for case in GOLDEN["bridge_to_torch"] + GOLDEN["bridge_from_torch"]:
        walk(case["description"]["architecture"])
    assert kinds >= set(nn.bridge.LAYERS) - {"ModuleList", "ModuleDict"}  # no forward
    assert modes == {True, False}
    assert any(case["description"]["frozen"] for case in GOLDEN["bridge_to_torch"])
    assert any(case["description"]["frozen"] for case in GOLDEN["bridge_from_torch"])


class Square(nn.Module):
    def forward(self, x: Any) -> Any:
        return [[v * v for v in row] for row in x]


class Residual(nn.Sequential):
    """A Sequential with a forward of its own: not a Sequential to the bridge."""

    def forward(self, x: Any) -> Any:
        out = super().forward(x)
        return [[a + b for a, b in zip(r, s, strict=True)] for r, s in zip(out, x, strict=True)]


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (nn.Sequential(nn.Linear(2, 2), Square()), "layer '1' is a Square, which has no twin"),
        (Square(), "the model is a Square"),
        (nn.Sequential(Residual(nn.Linear(2, 2))), "layer '0' is a Residual"),
        (nn.Sequential(nn.Sequential(nn.MSELoss())), "layer '0.0' is a MSELoss"),
    ],
)
def test_a_layer_without_a_twin_is_a_type_error_naming_it(model: nn.Module, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        nn.bridge.describe(model)
    with pytest.raises(TypeError, match=f"to_torch: {message}"):
        nn.to_torch(model)  # says so before it needs torch


def test_to_torch_takes_a_gradstep_module() -> None:
    with pytest.raises(TypeError, match=r"to_torch takes a gradstep nn\.Module, got str"):
        nn.to_torch("model")


def test_without_torch_the_error_is_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # what `import torch` meets without it
    for call, arg in ((nn.to_torch, nn.MLP(2, [3, 1], seed=0)), (nn.from_torch, object())):
        with pytest.raises(ImportError) as caught:
            call(arg)
        message = str(caught.value)
        assert message == (
            f"nn.{call.__name__} needs PyTorch, an optional extra of gradstep: install it "
            "with `pip install 'gradstep[torch]'`."
        )
        assert message.count(". ") == 0 and "\n" not in message


def test_build_refuses_unknown_layers_and_bad_numbers() -> None:
    description = nn.bridge.describe(nn.LogisticRegression(2, seed=0))
    description["architecture"]["children"][1][1]["type"] = "GELU"
    with pytest.raises(TypeError, match="from_torch: layer '1' is a GELU"):
        nn.bridge.build(description)
    description = nn.bridge.describe(nn.LogisticRegression(2, seed=0))
    description["state_dict"]["0.bias"] = [float("nan")]
    with pytest.raises(nn.StateDictError, match=r"0\.bias"):
        nn.bridge.build(description)


def test_a_module_used_twice_is_described_once_and_built_shared() -> None:
    """Tied weights stay tied: the second use is {"same_as": the first's path}."""
    layer = nn.Linear(2, 2, seed=0)
    model = nn.Sequential(layer, nn.Tanh(), layer)
    description = nn.bridge.describe(model)
    assert description["architecture"]["children"][2][1] == {"same_as": "0"}
    back = nn.bridge.build(json.loads(json.dumps(description)))
    assert back[0] is back[2] and back.state_dict() == model.state_dict()


# -- with torch ------------------------------------------------------------------------


@pytest.mark.torch
@requires_torch
def test_a_module_used_twice_stays_shared_across_the_bridge() -> None:
    """to_torch used to make two separate Linears of one: training the twin untied them."""
    import torch

    layer = nn.Linear(2, 2, seed=0)
    twin = nn.to_torch(nn.Sequential(layer, nn.Tanh(), layer))
    assert twin[0] is twin[2]
    shared = torch.nn.Linear(2, 2)
    back = nn.from_torch(torch.nn.Sequential(shared, torch.nn.ReLU(), shared))
    assert back[0] is back[2]


@pytest.mark.torch
@requires_torch
@pytest.mark.parametrize("name", sorted(RECIPES))
def test_round_trip_through_torch(name: str) -> None:
    import torch

    model = RECIPES[name]()
    twin = nn.to_torch(model)
    assert isinstance(twin, torch.nn.Module)
    assert {k: v.tolist() for k, v in twin.state_dict().items()} == model.state_dict()
    assert [m.training for m in twin.modules()] == [m.training for m in model.modules()]
    back = nn.from_torch(twin)
    assert back.state_dict() == model.state_dict()
    assert [type(m).__name__ for m in back.modules()][1:] == [
        type(m).__name__ for m in model.modules()
    ][1:]
    assert [nn.is_frozen(p) for p in back.parameters()] == [
        nn.is_frozen(p) for p in model.parameters()
    ]
    assert nn.bridge.describe_torch(twin) == nn.bridge.describe(model)


@pytest.mark.torch
@requires_torch
def test_to_torch_of_an_mlp_trains_like_gradstep() -> None:
    """One SGD step on each side from the same weights: the same weights after it."""
    import torch

    X = [[0.5, -1.0], [1.5, 2.0], [-0.3, 0.1], [1.0, 1.0]]
    y = [1.0, 0.0, 1.0, 0.0]
    model = nn.MLP(2, [4, 1], batchnorm=True, activation="tanh", seed=2)
    twin = nn.to_torch(model)
    assert isinstance(twin, torch.nn.Sequential)
    assert twin[0].weight.dtype == torch.float64

    optimizer = nn.optim.SGD(model.parameters(), lr=0.1)
    nn.binary_cross_entropy_with_logits(model(X), y).backward()
    optimizer.step()

    torch_optimizer = torch.optim.SGD(twin.parameters(), lr=0.1)
    out = twin(torch.tensor(X, dtype=torch.float64))
    target = torch.tensor(y, dtype=torch.float64)
    torch.nn.functional.binary_cross_entropy_with_logits(out.squeeze(1), target).backward()
    torch_optimizer.step()
    for key, value in twin.state_dict().items():
        assert_close(model.state_dict()[key], value.tolist(), 1e-12, 1e-14, key)


@pytest.mark.torch
@requires_torch
def test_from_torch_errors_and_float32() -> None:
    import torch

    with pytest.raises(TypeError, match=r"from_torch takes a torch\.nn\.Module, got list"):
        nn.from_torch([1, 2])
    conv = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.GELU())
    with pytest.raises(TypeError, match=r"from_torch: layer '1' is a torch\.nn\.GELU"):
        nn.from_torch(conv)
    torch.manual_seed(0)
    single = torch.nn.Sequential(
        OrderedDict(fc=torch.nn.Linear(3, 2), act=torch.nn.Sigmoid())
    )  # float32, PyTorch's default
    model = nn.from_torch(single)
    assert isinstance(model, nn.Sequential) and list(model.state_dict()) == ["fc.weight", "fc.bias"]
    x = [[0.1, -0.2, 0.3]]
    expected = single(torch.tensor(x)).tolist()
    assert_close([[v.data for v in row] for row in model(x)], expected, 1e-6, 1e-7, "float32")


@pytest.mark.torch
@pytest.mark.slow
@requires_torch
def test_the_golden_data_is_what_torch_records_today() -> None:
    """make_torch_golden.py, run again, writes the committed module golden data."""
    import make_torch_golden
    import torch

    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # as the script's main() does
    try:
        assert make_torch_golden.modules_golden() == GOLDEN
    finally:
        torch.set_default_dtype(before)
