"""Module, Linear, Sequential, MLP, LogisticRegression: structure, names, state, shapes."""

from __future__ import annotations

import contextlib
import copy
import gc
import json
import math
import pickle
import random
import signal
import weakref
from collections.abc import Iterator
from fractions import Fraction

import pytest

import autograd
import nn
from autograd import Value


def test_linear_is_one_fused_dot_node_per_output() -> None:
    layer = nn.Linear(3, 2, seed=0)
    x = [Value(1.0), Value(-2.0), Value(0.5)]
    y = layer(x)
    assert len(y) == 2
    for i, out in enumerate(y):
        assert out.op == "dot"
        w, b = layer.weight[i], layer.bias[i]  # type: ignore[index]
        assert out.children == (*w, *x, b)
        assert out.data == sum(wi.data * xi.data for wi, xi in zip(w, x, strict=True)) + b.data
    assert len(autograd.topological_order(y[0])) == 3 + 3 + 1 + 1


def test_linear_init_is_pytorchs_uniform_bound() -> None:
    layer = nn.Linear(25, 40, seed=1)
    values = [p.data for p in layer.parameters()]
    assert len(values) == 25 * 40 + 40
    assert max(abs(v) for v in values) <= 1 / math.sqrt(25)
    assert max(abs(v) for v in values) > 0.9 / math.sqrt(25)  # the whole range is used


def test_seeds_make_initialisation_reproducible() -> None:
    assert nn.Linear(3, 4, seed=5).state_dict() == nn.Linear(3, 4, seed=5).state_dict()
    assert nn.Linear(3, 4, seed=5).state_dict() != nn.Linear(3, 4, seed=6).state_dict()
    nn.manual_seed(42)
    a = nn.MLP(2, [4, 1]).state_dict()
    nn.manual_seed(42)
    assert nn.MLP(2, [4, 1]).state_dict() == a
    assert nn.MLP(2, [4, 1], seed=3).state_dict() == nn.MLP(2, [4, 1], seed=3).state_dict()
    shared = random.Random(9)
    first = nn.Linear(2, 2, seed=shared).state_dict()
    assert nn.Linear(2, 2, seed=shared).state_dict() != first  # the generator moved on
    with pytest.raises(TypeError, match="seed"):
        nn.Linear(2, 2, seed="x")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="int"):
        nn.manual_seed(1.5)  # type: ignore[arg-type]


def test_linear_without_bias() -> None:
    layer = nn.Linear(2, 3, bias=False, seed=0)
    assert layer.bias is None
    assert list(layer.state_dict()) == ["weight"]
    assert layer([1.0, 1.0])[0].children[-1].data == 1.0  # (w1, w2, x1, x2): no bias
    assert len(layer([1.0, 1.0])[0].children) == 4
    assert repr(layer) == "Linear(in_features=2, out_features=3, bias=False)"


def test_batch_in_batch_out_row_in_row_out() -> None:
    model = nn.MLP(3, [4, 2], seed=0)
    row = model([1.0, 2.0, 3.0])
    assert isinstance(row, list) and len(row) == 2 and isinstance(row[0], Value)
    batch = model([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    assert len(batch) == 2 and all(len(r) == 2 for r in batch)
    assert [v.data for v in batch[0]] == [v.data for v in row]
    assert model([]) == []
    assert model((1.0, 2.0, 3.0))[0].data == row[0].data  # tuples work too


def test_numpy_inputs_work() -> None:
    np = pytest.importorskip("numpy")
    layer = nn.Linear(2, 1, seed=0)
    assert layer(np.array([[1.0, 2.0]]))[0][0].data == layer([[1.0, 2.0]])[0][0].data


@pytest.mark.parametrize(
    ("module", "bad", "message"),
    [
        (nn.Linear(3, 2, seed=0), [1.0, 2.0], "expects rows of 3 features, got a row of 2"),
        (nn.Linear(3, 2, seed=0), [[1.0, 2.0, 3.0], [1.0]], r"got a row of 1 \(row 1\)"),
        (nn.BatchNorm1d(2), [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]], "expects rows of 2"),
        (nn.Linear(3, 2, seed=0), "abc", "must be a row"),
        (nn.Linear(3, 2, seed=0), [[1.0, 2.0, 3.0], 4.0], "item 1 is a float"),
    ],
)
def test_wrong_shapes_name_expected_and_actual(
    module: nn.Module, bad: object, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        module(bad)


def test_bad_constructor_arguments() -> None:
    with pytest.raises(ValueError, match="in_features >= 1, got 0"):
        nn.Linear(0, 2)
    with pytest.raises(ValueError, match="choose one of relu, tanh, sigmoid, leaky_relu"):
        nn.MLP(2, [3, 1], activation="gelu")
    with pytest.raises(ValueError, match="at least one"):
        nn.MLP(2, [])
    with pytest.raises(TypeError, match="Modules"):
        nn.Sequential(nn.ReLU(), 3)  # type: ignore[arg-type]


def test_names_give_module_path_parameter_and_index() -> None:
    model = nn.MLP(2, [3, 1], batchnorm=True, seed=0)
    names = [name for name, _ in model.named_parameters()]
    assert names[:3] == ["0.weight[0,0]", "0.weight[0,1]", "0.weight[1,0]"]
    assert "1.weight[0]" in names and "1.bias[2]" in names
    assert "0.bias[2]" not in names  # no bias before a BatchNorm1d: it would do nothing
    assert names[-1] == "3.bias[0]"
    assert [v for _, v in model.named_parameters()] == model.parameters()
    nested = nn.Sequential(nn.Sequential(nn.Linear(2, 2, seed=0), nn.ReLU()), nn.Linear(2, 1))
    assert nested.named_parameters()[0][0] == "0.0.weight[0,0]"
    assert nested.named_parameters()[-1][0] == "1.bias[0]"
    assert nested[0].named_parameters()[0][0] == "0.weight[0,0]"  # from the sub-module
    assert nn.Linear(1, 1).named_parameters()[0][0] == "weight[0,0]"  # a model on its own


def names_as_labels(model: nn.Module) -> bool:
    """Every parameter's label is its name in ``model`` (as a model built inside out has)."""
    return all(name == value.label for name, value in model.named_parameters())


def test_labels_are_the_models_names_when_built_inside_out() -> None:
    model = nn.MLP(2, [3, 1], batchnorm=True, seed=0)
    assert [p.label for p in model.parameters()] == [n for n, _ in model.named_parameters()]
    assert model.parameters()[0].label == "0.weight[0,0]"
    layer = nn.Linear(2, 1, seed=0)
    assert layer.bias is not None and layer.bias[0].label == "bias[0]"
    outer = nn.Sequential(nn.ReLU(), nn.Sequential(layer))  # attached: prefixed, inside out
    assert layer.bias[0].label == "1.0.bias[0]" == outer.named_parameters()[-1][0]

    class Scaled(nn.Module):  # a label given by hand is kept, in the module and above it
        def __init__(self) -> None:
            super().__init__()
            self.register_parameter("gain", [Value(2.0, label="g"), Value(3.0)])

    assert [p.label for p in nn.Sequential(Scaled()).parameters()] == ["g", "0.gain[1]"]


def test_labels_are_not_rewritten_after_the_model_is_built() -> None:
    """A module does not know its parents: a change below an attached module names the new
    parameters from there; the model's names (named_parameters) are always right."""
    inner = nn.Sequential(nn.Linear(2, 2, seed=0))
    outer = nn.Sequential(inner)
    inner.append(nn.Linear(2, 1, seed=1))
    assert outer.named_parameters()[-1][0] == "0.1.bias[0]"
    assert outer.parameters()[-1].label == "1.bias[0]"
    shared = nn.Linear(1, 1, seed=0)
    first, second = nn.Sequential(shared), nn.Sequential(nn.ReLU(), shared)
    assert shared.weight[0][0].label == "0.weight[0,0]"  # the first model's name stays
    assert second.named_parameters()[0][0] == "1.weight[0,0]"
    assert first.named_parameters()[0][0] == "0.weight[0,0]"


def test_a_replaced_or_removed_module_leaves_the_model() -> None:
    model = nn.Sequential(nn.Linear(2, 2, seed=0), nn.Sequential(nn.Linear(2, 1, seed=1)))
    old = model[1]
    model.__setattr__("1", nn.Linear(2, 3, seed=2))  # replace sub-module "1"
    assert model.named_parameters()[-1][0] == "1.bias[2]" and len(model.parameters()) == 6 + 9
    assert old.named_parameters()[0][0] == "0.weight[0,0]"
    old.append(nn.Linear(1, 1))  # no longer part of the model: does not touch it
    assert len(model.parameters()) == 15 and old.named_parameters()[-1][0] == "1.bias[0]"
    model.__setattr__("1", None)  # a plain attribute: the sub-module is gone
    assert list(model.state_dict()) == ["0.weight", "0.bias"]


def test_modules_hold_no_reference_to_their_parents_and_cycles_are_refused() -> None:
    inner = nn.Sequential(nn.Linear(2, 2, seed=0))
    outer = nn.Sequential(inner)
    alive = weakref.ref(outer)
    del outer
    gc.collect()
    assert alive() is None  # nothing below keeps the model alive
    with pytest.raises(ValueError, match="inside itself"):
        inner.append(inner)
    with pytest.raises(ValueError, match="inside itself"):
        inner[0].__setattr__("loop", inner)
    deeper = nn.Sequential(nn.Sequential(inner))
    with pytest.raises(ValueError, match="inside itself"):
        inner.append(deeper)  # inner is inside deeper: attaching it would close a loop
    assert len(inner) == 1
    shared = nn.Linear(1, 1)
    twice = nn.Sequential(shared, shared)  # one module in two places is not a cycle
    assert len(twice.parameters()) == 4


def test_copies_and_pickles_are_independent_models() -> None:
    inner = nn.Sequential(nn.Linear(2, 2, seed=0))
    outer = nn.Sequential(nn.ReLU(), inner)
    for twin in (copy.deepcopy(outer), pickle.loads(pickle.dumps(outer))):
        assert twin.state_dict() == outer.state_dict() and names_as_labels(twin)
        assert twin.named_parameters()[0][0] == outer.named_parameters()[0][0]
        assert twin.parameters()[0] is not outer.parameters()[0]
        twin[1].append(nn.Linear(2, 1, seed=1))
        assert twin.named_parameters()[-1][0] == "1.1.bias[0]"
    assert len(outer.parameters()) == 6 and names_as_labels(outer)
    shallow = copy.copy(inner)  # shares the Values, as in PyTorch
    assert shallow.parameters()[0] is inner.parameters()[0]
    assert inner.parameters()[0].label == "1.0.weight[0,0]"  # a copy relabels nothing


def test_state_dict_has_pytorchs_keys_and_plain_numbers() -> None:
    model = nn.MLP(2, [3, 1], batchnorm=True, seed=0)
    sd = model.state_dict()
    assert list(sd) == [
        "0.weight",
        "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked",
        "3.weight", "3.bias",
    ]  # fmt: skip
    assert len(sd["0.weight"]) == 3 and len(sd["0.weight"][0]) == 2
    assert sd["1.num_batches_tracked"] == 0 and isinstance(sd["1.num_batches_tracked"], int)
    assert sd["1.running_var"] == [1.0, 1.0, 1.0]
    assert json.loads(json.dumps(sd)) == sd
    sd["1.bias"][0] = 99.0  # a copy: changing it leaves the model alone
    assert model.state_dict()["1.bias"][0] != 99.0


def test_state_dict_round_trip_keeps_parameter_identity() -> None:
    source = nn.MLP(2, [4, 3, 1], batchnorm=True, seed=1)
    source([[1.0, 2.0], [3.0, -1.0], [0.0, 0.5]])  # updates the running statistics
    target = nn.MLP(2, [4, 3, 1], batchnorm=True, seed=2)
    params = target.parameters()
    result = target.load_state_dict(json.loads(json.dumps(source.state_dict())))
    assert result == nn.IncompatibleKeys([], [])
    assert target.state_dict() == source.state_dict()
    assert target.parameters() == params  # the same Value objects, so optimizers keep working
    x = [[0.3, -0.2], [1.0, 1.0]]
    source.eval()
    target.eval()
    assert [r[0].data for r in target(x)] == [r[0].data for r in source(x)]


def test_load_state_dict_accepts_tolist_objects() -> None:
    np = pytest.importorskip("numpy")
    source = nn.MLP(2, [3, 1], batchnorm=True, seed=1)
    arrays = {k: np.array(v) for k, v in source.state_dict().items()}
    target = nn.MLP(2, [3, 1], batchnorm=True, seed=2)
    target.load_state_dict(arrays)
    assert target.state_dict() == source.state_dict()


def test_strict_loading_names_every_problem_and_changes_nothing() -> None:
    model = nn.MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    sd = nn.MLP(2, [3, 1], seed=1).state_dict()
    del sd["2.bias"]
    sd["2.extra"] = [1.0]
    sd["0.weight"] = [[1.0, 2.0]] * 4
    with pytest.raises(nn.StateDictError) as info:
        model.load_state_dict(sd)
    message = str(info.value)
    assert "missing keys: '2.bias'" in message
    assert "unexpected keys: '2.extra'" in message
    assert "0.weight: shape mismatch, the model has [3, 2], the state dict has [4, 2]" in message
    assert model.state_dict() == before


def test_non_strict_loading_reports_and_loads_the_rest() -> None:
    model = nn.MLP(2, [3, 1], seed=0)
    sd = nn.MLP(2, [3, 1], seed=1).state_dict()
    del sd["2.bias"]
    sd["junk"] = 1
    result = model.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["2.bias"] and result.unexpected_keys == ["junk"]
    assert model.state_dict()["0.weight"] == sd["0.weight"]
    with pytest.raises(nn.StateDictError, match="shape mismatch"):
        model.load_state_dict({"0.bias": [1.0]}, strict=False)  # shapes are always checked


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("0.bias", [1.0, "x", 2.0], "str"),
        ("0.weight", [[1.0, 2.0], [1.0], [1.0, 2.0]], "ragged"),
        ("0.bias", 3.0, "shape mismatch"),
    ],
)
def test_bad_values_are_refused(key: str, value: object, message: str) -> None:
    model = nn.MLP(2, [3, 1], seed=0)
    sd = model.state_dict()
    sd[key] = value
    with pytest.raises(nn.StateDictError, match=message):
        model.load_state_dict(sd)


def test_counter_must_be_an_integer() -> None:
    bn = nn.BatchNorm1d(2)
    sd = bn.state_dict()
    sd["num_batches_tracked"] = 2.5
    with pytest.raises(nn.StateDictError, match="integer"):
        bn.load_state_dict(sd)
    sd["num_batches_tracked"] = 3.0
    bn.load_state_dict(sd)
    assert bn.num_batches_tracked == 3 and isinstance(bn.num_batches_tracked, int)


def test_repr_is_pytorch_like() -> None:
    model = nn.MLP(2, [16, 1], batchnorm=True, activation="leaky_relu", seed=0)
    assert repr(model) == (
        "MLP(\n"
        "  (0): Linear(in_features=2, out_features=16, bias=False)\n"
        "  (1): BatchNorm1d(16, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)\n"
        "  (2): LeakyReLU(negative_slope=0.01)\n"
        "  (3): Linear(in_features=16, out_features=1, bias=True)\n"
        ")"
    )
    nested = nn.Sequential(nn.Sequential(nn.Tanh()), nn.Sigmoid())
    assert repr(nested) == (
        "Sequential(\n  (0): Sequential(\n    (0): Tanh()\n  )\n  (1): Sigmoid()\n)"
    )


def test_mlp_layout() -> None:
    model = nn.MLP(2, [16, 16, 1], seed=0)
    kinds = [type(m).__name__ for m in model]
    assert kinds == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    assert len(model.parameters()) == 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1
    with_bn = nn.MLP(2, [8, 1], batchnorm=True, activation="tanh", seed=0)
    assert [type(m).__name__ for m in with_bn] == ["Linear", "BatchNorm1d", "Tanh", "Linear"]
    assert isinstance(model[0], nn.Linear) and len(model[1:3]) == 2
    with pytest.raises(IndexError, match="index 7 is out of range for a MLP of 5 modules"):
        model[7]


def test_logistic_regression_is_linear_then_sigmoid() -> None:
    model = nn.LogisticRegression(3, seed=0)
    (p,) = model([1.0, 2.0, 3.0])
    assert p.op == "sigmoid" and p.children[0].op == "dot"
    assert list(model.state_dict()) == ["0.weight", "0.bias"]


def test_train_eval_and_zero_grad() -> None:
    model = nn.MLP(2, [3, 1], batchnorm=True, seed=0)
    assert model.training and all(m.training for m in model.modules())
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())
    out = model([[1.0, 2.0], [2.0, 1.0]])
    autograd.sum([r[0] for r in out]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_custom_module_registers_children_and_parameters() -> None:
    class Scale(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.register_parameter("gain", [Value(2.0)])
            self.inner = nn.Linear(1, 1, seed=0)

        def forward(self, x: object) -> object:
            return [v * self.gain[0] for v in self.inner(x)]

    m = Scale()
    assert [name for name, _ in m.named_parameters()] == [
        "gain[0]",
        "inner.weight[0,0]",
        "inner.bias[0]",
    ]
    assert list(m.state_dict()) == ["gain", "inner.weight", "inner.bias"]

    class Forgot(nn.Module):
        def __init__(self) -> None:
            self.x = 1

    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Forgot()
    with pytest.raises(NotImplementedError):
        nn.Module()([1.0])


def test_a_slice_keeps_names_and_shares_the_modules() -> None:
    model = nn.MLP(2, [3, 3, 1], seed=0)  # Linear 0, ReLU 1, Linear 2, ReLU 3, Linear 4
    head = model[2:]
    assert [name for name, _ in head.named_children()] == ["2", "3", "4"]
    assert list(head.state_dict()) == ["2.weight", "2.bias", "4.weight", "4.bias"]
    assert head.named_parameters()[0] == model.named_parameters()[9]  # same name, same Value
    assert model[2].weight[0][0].label == "2.weight[0,0]"  # the model's name, also in the slice
    assert head([0.5, -1.0, 2.0])[0].data == model[4](model[3](model[2]([0.5, -1.0, 2.0])))[0].data
    model[4].register_parameter("extra", [Value(0.0)])  # a change in the model...
    wrapped = nn.Sequential(head)  # ...and a wrapped slice: both see the shared module
    assert model.named_parameters()[-1][0] == "4.extra[0]"
    assert wrapped.named_parameters()[-1][0] == "0.4.extra[0]"
    assert len(wrapped.parameters()) == len(head.parameters()) == 12 + 4 + 1


# -- issue 10: state dicts that are bad, huge or odd -------------------------------------


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TimeoutError in the block after ``seconds`` (a test of "at once" must fail,
    not hang, on code that loops)."""
    if not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def self_referencing() -> list[object]:
    r: list[object] = []
    r.append(r)
    return r


def deep(levels: int) -> list[object]:
    out: list[object] = [0.0]
    for _ in range(levels):
        out = [out]
    return out


DEEP = "nested more than 32 levels deep (a list that contains itself?)"


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("0.weight", self_referencing(), DEEP),
        ("0.bias", self_referencing(), DEEP),
        ("2.bias", [self_referencing()], DEEP),  # where a number belongs
        ("0.weight", deep(10_000), DEEP),
        ("0.bias", [1.0, deep(10_000), 2.0], "or ragged rows"),  # only the first is followed
        ("0.bias", [1.0, self_referencing(), 2.0], "or ragged rows"),
    ],
    ids=["itself", "itself as a vector", "itself in a row", "deep", "deep entry", "itself later"],
)
def test_a_list_that_contains_itself_is_refused_at_once(
    key: str, value: object, message: str
) -> None:
    """Issue 10, row "load_state_dict with a self-referencing list (r = []; r.append(r))": it
    looped until MemoryError; now StateDictError at once, saying what the limit is."""
    model = nn.MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    sd = dict(before, **{key: value})
    with time_limit(5.0), pytest.raises(nn.StateDictError) as info:
        model.load_state_dict(sd)
    assert f"{key}: " in str(info.value) and message in str(info.value)
    assert model.state_dict() == before


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (float("nan"), r"0\.bias\[1\] is nan: not a finite number"),
        (-float("inf"), r"0\.bias\[1\] is -inf"),
        (True, r"0\.bias\[1\]: expected a number, got the bool True"),
        (10**400, r"0\.bias\[1\]: an integer of 401 digits is too large for a float"),
        (-(10**5000), r"0\.bias\[1\]: an integer of 5001 digits is too large"),
        (Fraction(10**400, 3), r"0\.bias\[1\]: the number is too large for a float"),
        (None, r"0\.bias\[1\] must be a real number .* got NoneType"),
    ],
    ids=["nan", "-inf", "bool", "10**400", "-10**5000", "huge Fraction", "None"],
)
def test_every_entry_must_be_a_finite_number(value: object, message: str) -> None:
    model = nn.MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    sd = model.state_dict()
    sd["0.bias"][1] = value
    with pytest.raises(nn.StateDictError, match=message):
        model.load_state_dict(sd)
    assert model.state_dict() == before


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-1, "expected a count from 0 to 2\\*\\*63 - 1, got -1"),
        (2**63, "got 9223372036854775808"),
        (10**5000, "got an integer of 5001 digits"),
        (float("inf"), "num_batches_tracked is inf"),
        (False, "got the bool False"),
    ],
    ids=["-1", "2**63", "10**5000", "inf", "False"],
)
def test_a_counter_is_a_whole_number_from_zero(value: object, message: str) -> None:
    bn = nn.BatchNorm1d(2)
    sd = bn.state_dict()
    sd["num_batches_tracked"] = value
    with pytest.raises(nn.StateDictError, match=message):
        bn.load_state_dict(sd)
    assert bn.num_batches_tracked == 0
    sd["num_batches_tracked"] = 2**63 - 1  # the largest, exactly (no float in between)
    bn.load_state_dict(sd)
    assert bn.num_batches_tracked == 2**63 - 1


def test_a_negative_running_var_is_refused_and_cannot_break_eval() -> None:
    bn = nn.BatchNorm1d(3).eval()
    sd = bn.state_dict()
    sd["running_var"] = [1.0, -1e-300, 2.0]
    with pytest.raises(nn.StateDictError, match=r"running_var\[1\] is -1e-300: a variance"):
        bn.load_state_dict(sd)
    assert bn.running_var == [1.0, 1.0, 1.0]
    bn.running_var[2] = -4.0  # set directly, bypassing load_state_dict
    with pytest.raises(ValueError, match=r"running_var\[2\] is -4\.0; a variance must be"):
        bn([[0.0, 0.0, 0.0]])  # was a TypeError about complex numbers


def test_a_message_lists_a_few_of_many_unexpected_keys() -> None:
    model = nn.MLP(2, [3, 1], seed=0)
    sd = dict(model.state_dict(), **{f"junk{i}": 0 for i in range(100_000)})
    with pytest.raises(nn.StateDictError, match=r"'junk9' and 99990 more") as info:
        model.load_state_dict(sd)
    assert len(str(info.value)) < 1000


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        ("a.b", KeyError, r'name cannot contain "\.", got'),
        ("", KeyError, 'name cannot be empty ""'),
        ("forward", KeyError, "attribute 'forward' already exists in Linear"),
        ("bias", None, ""),  # a parameter: a buffer may not take its name, another may
        (3, TypeError, "name must be a str, got int: 3"),
    ],
)
def test_register_buffer_and_parameter_refuse_names_that_would_clash(
    name: object, error: type[Exception] | None, message: str
) -> None:
    """A dotted name read as a path in state_dict ("a.b": buffer b of sub-module a), an
    empty one as the module, an attribute's name hid it (m(x) called a list)."""
    layer = nn.Linear(2, 1, seed=0)
    keys = list(layer.state_dict())
    with pytest.raises(error or KeyError, match=message or "attribute 'bias' already exists"):
        layer.register_buffer(name, [0.0])  # type: ignore[arg-type]
    assert list(layer.state_dict()) == keys
    if error is None:
        layer.register_parameter(name, [Value(0.5)])  # type: ignore[arg-type]
        assert layer.state_dict()["bias"] == [0.5]
        return
    with pytest.raises(error, match=message):
        layer.register_parameter(name, [Value(0.0)])  # type: ignore[arg-type]
    assert list(layer.state_dict()) == keys
    assert layer([1.0, 2.0])[0].data == nn.Linear(2, 1, seed=0)([1.0, 2.0])[0].data
