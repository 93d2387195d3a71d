"""gradstep's public classes take PyTorch's parameters: the same names, order and defaults.

PYTORCH holds each class's signature as PyTorch's documentation writes it (copied from
the documentation of PyTorch 2.13 into this file: torch is never imported by the
tests). Python's own parser reads each one, and the test compares it with the gradstep
class's ``inspect.signature``: every name, in order, positional or keyword-only as in
PyTorch, with an equal default. Where gradstep differs on purpose, DIFFERENCES names
the parameters, and the README's nn section must mention each of them.

This file holds the optimizers and schedulers; the layers, losses and containers have
their table in test_signatures_modules.py. The helpers :func:`documented`,
:func:`actual` and :func:`problems` need nothing but PYTORCH and DIFFERENCES, so a
sibling file can copy them with its own tables.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path
from typing import Any

import pytest

PYTORCH: dict[str, str] = {
    # -- optimizers (torch.optim) ------------------------------------------------------
    "nn.optim.SGD": (
        "params, lr=0.001, momentum=0, dampening=0, weight_decay=0, nesterov=False, *, "
        "maximize=False, foreach=None, differentiable=False, fused=None"
    ),
    "nn.optim.Adagrad": (
        "params, lr=0.01, lr_decay=0, weight_decay=0, initial_accumulator_value=0, "
        "eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None"
    ),
    "nn.optim.RMSprop": (
        "params, lr=0.01, alpha=0.99, eps=1e-08, weight_decay=0, momentum=0, "
        "centered=False, capturable=False, foreach=None, maximize=False, "
        "differentiable=False"
    ),
    "nn.optim.Adam": (
        "params, lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0, amsgrad=False, "
        "*, foreach=None, maximize=False, capturable=False, differentiable=False, "
        "fused=None, decoupled_weight_decay=False"
    ),
    "nn.optim.AdamW": (
        "params, lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.01, "
        "amsgrad=False, *, maximize=False, foreach=None, capturable=False, "
        "differentiable=False, fused=None"
    ),
    # -- learning-rate schedulers (torch.optim.lr_scheduler) ----------------------------
    "nn.optim.lr_scheduler.StepLR": "optimizer, step_size, gamma=0.1, last_epoch=-1",
    "nn.optim.lr_scheduler.MultiStepLR": "optimizer, milestones, gamma=0.1, last_epoch=-1",
    "nn.optim.lr_scheduler.ExponentialLR": "optimizer, gamma, last_epoch=-1",
    "nn.optim.lr_scheduler.CosineAnnealingLR": "optimizer, T_max, eta_min=0.0, last_epoch=-1",
    "nn.optim.lr_scheduler.LinearLR": (
        "optimizer, start_factor=0.3333333333333333, end_factor=1.0, total_iters=5, last_epoch=-1"
    ),
    "nn.optim.lr_scheduler.OneCycleLR": (
        "optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None, "
        "pct_start=0.3, anneal_strategy='cos', cycle_momentum=True, base_momentum=0.85, "
        "max_momentum=0.95, div_factor=25.0, final_div_factor=10000.0, three_phase=False, "
        "last_epoch=-1"
    ),
    "nn.optim.lr_scheduler.ReduceLROnPlateau": (
        "optimizer, mode='min', factor=0.1, patience=10, threshold=0.0001, "
        "threshold_mode='rel', cooldown=0, min_lr=0, eps=1e-08"
    ),
}

DIFFERENCES: dict[str, set[str]] = {}
"""Parameters in which a class differs from PyTorch on purpose (missing, extra, or
another default), by class. Each is explained in the README's nn section."""

README = Path(__file__).resolve().parents[2] / "README.md"

Param = tuple[str, str, Any]
"""(name, "positional" or "keyword", default or inspect.Parameter.empty)."""


def documented(text: str) -> list[Param]:
    """A signature as PyTorch's documentation writes it, read by Python's parser."""
    args = ast.parse(f"def f({text}): pass").body[0].args  # type: ignore[attr-defined]
    positional = [(a.arg, "positional") for a in args.args]
    keyword = [(a.arg, "keyword") for a in args.kwonlyargs]
    defaults = [inspect.Parameter.empty] * (len(args.args) - len(args.defaults))
    defaults += [ast.literal_eval(d) for d in args.defaults]
    keyword_defaults = [
        inspect.Parameter.empty if d is None else ast.literal_eval(d) for d in args.kw_defaults
    ]
    return [
        (name, kind, default)
        for (name, kind), default in zip(
            positional + keyword, defaults + keyword_defaults, strict=True
        )
    ]


def actual(path: str) -> list[Param]:
    """The gradstep class's constructor signature, without ``self``."""
    module, _, name = path.rpartition(".")
    cls = getattr(importlib.import_module(module), name)
    out = []
    for p in inspect.signature(cls).parameters.values():
        assert p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY), f"{path}: *{p.name}"
        kind = "keyword" if p.kind is p.KEYWORD_ONLY else "positional"
        out.append((p.name, kind, p.default))
    return out


def problems(path: str, text: str) -> list[str]:
    """How the class at ``path`` differs from the documented signature ``text``, beyond
    its DIFFERENCES. A default may be a float where PyTorch writes an int (0.0 for 0)."""
    ours = {name: (i, kind, default) for i, (name, kind, default) in enumerate(actual(path))}
    theirs = documented(text)
    allowed = DIFFERENCES.get(path, set())
    out = []
    for i, (name, kind, default) in enumerate(theirs):
        if name in allowed:
            continue
        if name not in ours:
            out.append(f"lacks PyTorch's {name!r}")
        elif ours[name][:2] != (i, kind):
            out.append(f"{name!r} is {ours[name][:2]} where PyTorch has {(i, kind)}")
        elif not (ours[name][2] == default and type(ours[name][2]) in (type(default), float)):
            out.append(f"{name!r} defaults to {ours[name][2]!r}, PyTorch's to {default!r}")
    extra = set(ours) - {name for name, _, _ in theirs} - allowed
    return out + [f"has {name!r}, which PyTorch has not" for name in sorted(extra)]


@pytest.mark.parametrize("path", list(PYTORCH))
def test_signature_is_pytorchs(path: str) -> None:
    assert problems(path, PYTORCH[path]) == []


def test_the_check_can_fail() -> None:
    """The parser reads what the table writes, and the check notices each kind of change."""
    assert documented("optimizer, gamma=0.1, *, maximize=False, foreach=None") == [
        ("optimizer", "positional", inspect.Parameter.empty),
        ("gamma", "positional", 0.1),
        ("maximize", "keyword", False),
        ("foreach", "keyword", None),
    ]
    step_lr = "nn.optim.lr_scheduler.StepLR"
    assert problems(step_lr, "optimizer, step_size, gamma=0.5, last_epoch=-1") == [
        "'gamma' defaults to 0.1, PyTorch's to 0.5"
    ]
    assert problems(step_lr, "optimizer, step_size, gamma=0.1, *, last_epoch=-1") == [
        "'last_epoch' is (3, 'positional') where PyTorch has (3, 'keyword')"
    ]
    assert problems(step_lr, "optimizer, step_size, gamma=0.1, last_epoch=-1, verbose=0") == [
        "lacks PyTorch's 'verbose'"
    ]
    assert problems(step_lr, "optimizer, step_size, gamma=0.1") == [
        "has 'last_epoch', which PyTorch has not"
    ]


def test_every_difference_is_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    nn_section = text[text.index("## Neural networks: `nn`") : text.index("## Seeing it: `viz`")]
    for path, names in DIFFERENCES.items():
        for name in names:
            assert f"`{name}`" in nn_section, f"README: explain {path}'s {name!r}"
