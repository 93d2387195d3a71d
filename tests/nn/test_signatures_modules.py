"""Every layer, activation and loss takes PyTorch's parameters, in PyTorch's order.

The table below is written down from PyTorch's documentation (torch.nn and
torch.nn.functional, version 2.13), not read from an installed torch: these tests run
without it. Each entry is the parameter list as the documentation prints it. gradstep's
signature must start with exactly those parameters (same names, order, kinds and
defaults); it may add keyword-only parameters of its own after them, but only those
listed in GRADSTEP_EXTRAS, so that a new one is a decision someone wrote down (and the
README lists: "Moving on to PyTorch").
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import nn
from nn import functional

REQUIRED = inspect.Parameter.empty

PYTORCH: dict[str, str] = {
    # torch.nn modules
    "Linear": "in_features, out_features, bias=True, device=None, dtype=None",
    "ReLU": "inplace=False",
    "Tanh": "",
    "Sigmoid": "",
    "LeakyReLU": "negative_slope=0.01, inplace=False",
    "BatchNorm1d": (
        "num_features, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True, "
        "device=None, dtype=None, *, bias=True"
    ),
    "Dropout": "p=0.5, inplace=False",
    "Identity": "*args, **kwargs",
    "Sequential": "*args",
    "ModuleList": "modules=None",
    "ModuleDict": "modules=None",
    "MSELoss": "size_average=None, reduce=None, reduction='mean'",
    "BCELoss": "weight=None, size_average=None, reduce=None, reduction='mean'",
    "BCEWithLogitsLoss": (
        "weight=None, size_average=None, reduce=None, reduction='mean', pos_weight=None"
    ),
    "CrossEntropyLoss": (
        "weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean', "
        "label_smoothing=0.0"
    ),
    # torch.nn.functional
    "F.relu": "input, inplace=False",
    "F.tanh": "input",
    "F.sigmoid": "input",
    "F.leaky_relu": "input, negative_slope=0.01, inplace=False",
    "F.dropout": "input, p=0.5, training=True, inplace=False",
    "F.linear": "input, weight, bias=None",
    "F.mse_loss": "input, target, size_average=None, reduce=None, reduction='mean', weight=None",
    "F.binary_cross_entropy": (
        "input, target, weight=None, size_average=None, reduce=None, reduction='mean'"
    ),
    "F.binary_cross_entropy_with_logits": (
        "input, target, weight=None, size_average=None, reduce=None, reduction='mean', "
        "pos_weight=None"
    ),
    "F.cross_entropy": (
        "input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, "
        "reduction='mean', label_smoothing=0.0"
    ),
    # torch.nn.Module methods (self left out)
    "Module.apply": "fn",
    "Module.add_module": "name, module",
    "Module.get_submodule": "target",
    "Module.requires_grad_": "requires_grad=True",
    "Module.parameters": "recurse=True",
    "Module.buffers": "recurse=True",
    "Module.train": "mode=True",
    "Module.load_state_dict": "state_dict, strict=True, assign=False",
}
"""PyTorch's parameters, as its documentation prints them."""

GRADSTEP_EXTRAS: dict[str, set[str]] = {
    "Linear": {"seed"},  # reproducible initial weights without a global generator
    "Dropout": {"seed"},  # reproducible masks
    "F.dropout": {"seed"},
}
"""gradstep's own keyword-only parameters, after PyTorch's."""

KNOWN_GAPS: dict[str, str] = {
    # PyTorch's parameter that gradstep leaves out, and why (the README lists these too).
    "Module.load_state_dict": "assign",  # no tensors to assign: numbers are always copied
}
"""PyTorch parameters gradstep does not take; each is a documented difference."""


def gradstep_object(name: str) -> Callable[..., Any]:
    """The gradstep class or function a table entry stands for."""
    if name.startswith("F."):
        return getattr(functional, name[2:])  # type: ignore[no-any-return]
    if name.startswith("Module."):
        return getattr(nn.Module, name.split(".", 1)[1])  # type: ignore[no-any-return]
    return getattr(nn, name)  # type: ignore[no-any-return]


def parse(documented: str) -> list[inspect.Parameter]:
    """A documented parameter list as inspect.Parameters ("*" starts the keyword-only ones)."""
    out = []
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    for item in (part.strip() for part in documented.split(",") if part.strip()):
        if item == "*":
            kind = inspect.Parameter.KEYWORD_ONLY
        elif item.startswith("**"):
            out.append(inspect.Parameter(item[2:], inspect.Parameter.VAR_KEYWORD))
        elif item.startswith("*"):
            out.append(inspect.Parameter(item[1:], inspect.Parameter.VAR_POSITIONAL))
            kind = inspect.Parameter.KEYWORD_ONLY
        elif "=" in item:
            name, default = item.split("=", 1)
            out.append(inspect.Parameter(name, kind, default=ast.literal_eval(default)))
        else:
            out.append(inspect.Parameter(item, kind))
    return out


def differences(
    target: Callable[..., Any], documented: str, extras: set[str], gaps: set[str]
) -> list[str]:
    """What keeps ``target``'s signature from being PyTorch's ``documented`` one (empty: none)."""
    ours = [p for p in inspect.signature(target).parameters.values() if p.name != "self"]
    theirs = [p for p in parse(documented) if p.name not in gaps]
    problems = []
    for position, expected in enumerate(theirs):
        if position >= len(ours):
            problems.append(f"missing parameter {position}: {expected}")
            continue
        actual = ours[position]
        if actual.name != expected.name:
            problems.append(f"parameter {position} is {actual.name!r}, PyTorch's is {expected}")
            continue
        if actual.kind != expected.kind:
            problems.append(
                f"{expected.name}: kind {actual.kind.description}, PyTorch's is "
                f"{expected.kind.description}"
            )
        if actual.default != expected.default or type(actual.default) is not type(expected.default):
            problems.append(
                f"{expected.name}: default {actual.default!r}, PyTorch's is {expected.default!r}"
            )
    for actual in ours[len(theirs) :]:
        if actual.name not in extras:
            problems.append(f"an extra parameter {actual} that the table does not allow")
        elif actual.kind != inspect.Parameter.KEYWORD_ONLY:
            problems.append(f"gradstep's own {actual.name!r} must be keyword-only")
    return problems


@pytest.mark.parametrize("name", sorted(PYTORCH))
def test_signature_is_pytorchs(name: str) -> None:
    gaps = {KNOWN_GAPS[name]} if name in KNOWN_GAPS else set()
    problems = differences(
        gradstep_object(name), PYTORCH[name], GRADSTEP_EXTRAS.get(name, set()), gaps
    )
    assert not problems, f"{name}: " + "; ".join(problems)


def test_every_public_layer_and_loss_is_in_the_table() -> None:
    """A new public module class of nn has to get a row (or a reason not to)."""
    no_twin = {"Module", "MLP", "LogisticRegression"}  # gradstep's own models
    modules = {
        name
        for name in nn.__all__
        if isinstance(getattr(nn, name), type) and issubclass(getattr(nn, name), nn.Module)
    }
    assert modules - no_twin <= set(PYTORCH)
    functions = {
        f"F.{name}" for name in functional.__all__ if name != "hinge_loss"
    }  # no torch twin
    assert functions <= set(PYTORCH)


def test_the_comparison_can_fail() -> None:
    """The checker catches each kind of difference (else every row above proves nothing)."""

    def old_linear(nin: int, nout: int, bias: bool = True, *, seed: Any = None) -> None: ...

    def wrong_default(inplace: bool = True) -> None: ...

    def positional_extra(p: float = 0.5, inplace: bool = False, seed: Any = None) -> None: ...

    def keyword_only(*, p: float = 0.5, inplace: bool = False) -> None: ...

    def int_for_float(p: float = 0.5, eps: int = 0) -> None: ...

    row = PYTORCH["Linear"]
    assert differences(old_linear, row, {"seed"}, set())[0].startswith("parameter 0 is 'nin'")
    assert "default True" in differences(wrong_default, "inplace=False", set(), set())[0]
    assert (
        "must be keyword-only"
        in differences(positional_extra, PYTORCH["Dropout"], {"seed"}, set())[0]
    )
    assert (
        "an extra parameter" in differences(positional_extra, PYTORCH["Dropout"], set(), set())[0]
    )
    assert "kind keyword-only" in differences(keyword_only, PYTORCH["Dropout"], set(), set())[0]
    assert "default 0" in differences(int_for_float, "p=0.5, eps=0.0", set(), set())[0]
    assert (
        "missing parameter"
        in differences(keyword_only, "p=0.5, inplace=False, x=1", set(), set())[-1]
    )


def test_pytorch_style_calls_work() -> None:
    """The calls a PyTorch user writes, by keyword (the issue's examples first)."""
    layer = nn.Linear(in_features=2, out_features=3, bias=False, device="cpu", dtype=None)
    assert (layer.in_features, layer.out_features, layer.bias) == (2, 3, None)
    assert nn.Linear(2, 3).out_features == 3  # positional, as every existing caller does
    assert nn.ReLU(inplace=True).inplace is True
    assert nn.LeakyReLU(negative_slope=0.2, inplace=True).negative_slope == 0.2
    bn = nn.BatchNorm1d(
        num_features=4, eps=1e-3, momentum=None, affine=False, track_running_stats=False
    )
    assert (bn.eps, bn.momentum, bn.weight, bn.running_mean) == (1e-3, None, None, None)
    assert nn.Dropout(p=0.25, inplace=False).p == 0.25
    assert nn.CrossEntropyLoss(ignore_index=3, label_smoothing=0.1).ignore_index == 3


def test_the_readme_lists_the_differences() -> None:
    """Every gap and every extra parameter of the tables is in the README's differences."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Moving on to PyTorch") :]
    section = section[: section.index("\n## ")]
    for name in [*KNOWN_GAPS.values(), *{e for extras in GRADSTEP_EXTRAS.values() for e in extras}]:
        assert f"`{name}" in section, name
    for name in GRADSTEP_EXTRAS:
        assert name.removeprefix("F.") in section, name
    assert "`Tanh()` and `Sigmoid()` take no arguments" in section  # the empty rows above
