"""The bridge out to PyTorch: :func:`to_torch` and :func:`from_torch`.

gradstep is for seeing how networks learn; when a model outgrows a scalar engine (more
data, a GPU, many machines) its way on is PyTorch. ``nn.to_torch(model)`` returns the
``torch.nn.Module`` that computes the same function with the same numbers: its layers,
their options, weights and buffers, which parameters are frozen and which modules are in
training mode. ``nn.from_torch(module)`` does the reverse for the same layers.

Both cross through a :func:`describe`-tion of the model, plain JSON-able data:

    {"architecture": {"type": "Sequential", "training": true, "options": {},
                      "children": [["0", {"type": "Linear", "options": {...}, ...}], ...]},
     "state_dict": {"0.weight": [[...]], ...},      # PyTorch's keys, plain numbers
     "frozen": ["0.weight", "0.bias"]}               # parameters that train no more

A module used twice (tied weights) is described once; its second place holds
``{"same_as": "0"}`` (the first one's path), so the twin shares it as the model does.

:func:`describe` and :func:`build` (gradstep's side) need no PyTorch, so they are tested
without it; only the other side imports torch, and only when called. PyTorch is an
optional extra of gradstep (``pip install 'gradstep[torch]'``), never a dependency.

The layers that cross: Linear, ReLU, Tanh, Sigmoid, LeakyReLU, BatchNorm1d, Dropout,
Identity, Sequential (and so MLP and LogisticRegression, which are Sequentials: they
arrive in PyTorch as a ``torch.nn.Sequential`` with the same children and names),
ModuleList and ModuleDict. Anything else (a module of your own, a loss module) raises
TypeError naming the layer: build its twin by hand and load ``model.state_dict()``.
"""

from __future__ import annotations

import importlib
from collections import OrderedDict
from typing import Any

from nn.activation import LeakyReLU, ReLU, Sigmoid, Tanh
from nn.batchnorm import BatchNorm1d
from nn.container import ModuleDict, ModuleList, Sequential
from nn.dropout import Dropout
from nn.linear import Identity, Linear
from nn.module import Module, _entries, is_frozen

Description = dict[str, Any]
"""What crosses the bridge: ``{"architecture": ..., "state_dict": ..., "frozen": [...]}``."""

LAYERS = (
    "Linear",
    "ReLU",
    "Tanh",
    "Sigmoid",
    "LeakyReLU",
    "BatchNorm1d",
    "Dropout",
    "Identity",
    "Sequential",
    "ModuleList",
    "ModuleDict",
)
"""The layers the bridge converts, by their name (the same in gradstep and PyTorch)."""

_CONTAINERS = ("Sequential", "ModuleList", "ModuleDict")

_ours: dict[str, type[Module]] = {
    "Linear": Linear,
    "ReLU": ReLU,
    "Tanh": Tanh,
    "Sigmoid": Sigmoid,
    "LeakyReLU": LeakyReLU,
    "BatchNorm1d": BatchNorm1d,
    "Dropout": Dropout,
    "Identity": Identity,
    "Sequential": Sequential,
    "ModuleList": ModuleList,
    "ModuleDict": ModuleDict,
}


def _import_torch(caller: str) -> Any:
    """The torch module, or ImportError of one sentence saying how to install it."""
    try:
        # importlib rather than `import torch`: the type checker must not need torch.
        return importlib.import_module("torch")
    except ImportError:
        raise ImportError(
            f"nn.{caller} needs PyTorch, an optional extra of gradstep: install it with "
            "`pip install 'gradstep[torch]'`."
        ) from None


def _where(path: str) -> str:
    return f"layer {path!r}" if path else "the model"


def _unsupported(caller: str, path: str, kind: str) -> TypeError:
    return TypeError(
        f"{caller}: {_where(path)} is a {kind}, which has no twin across the bridge (it "
        f"converts {', '.join(LAYERS[:-3])} and the containers Sequential, ModuleList and "
        "ModuleDict); build that part by hand and load the state_dict into it"
    )


# -- gradstep's side: no torch needed ------------------------------------------------------


def _kind(module: Module) -> str | None:
    """The bridge's name for ``module``'s layer, or None if it has no twin.

    A subclass of Sequential that keeps its forward (MLP, LogisticRegression, one of
    your own that only adds an ``__init__``) is a Sequential; any other subclass may
    compute something else, so it has no twin.
    """
    for name, cls in _ours.items():
        if type(module) is cls:
            return name
    if isinstance(module, Sequential) and type(module).forward is Sequential.forward:
        return "Sequential"
    return None


def _options(module: Module, kind: str) -> dict[str, Any]:
    """The constructor arguments that make ``module``'s twin (numbers aside)."""
    if isinstance(module, Linear):
        return {
            "in_features": module.in_features,
            "out_features": module.out_features,
            "bias": module.bias is not None,
        }
    if isinstance(module, BatchNorm1d):
        return {
            "num_features": module.num_features,
            "eps": module.eps,
            "momentum": module.momentum,
            "affine": module.affine,
            "track_running_stats": module.track_running_stats,
            "bias": not module.affine or module.bias is not None,
        }
    if isinstance(module, LeakyReLU):
        return {"negative_slope": module.negative_slope, "inplace": module.inplace}
    if isinstance(module, ReLU):
        return {"inplace": module.inplace}
    if isinstance(module, Dropout):
        return {"p": module.p, "inplace": module.inplace}
    return {}


def _architecture(module: Module, path: str, seen: dict[int, str] | None = None) -> dict[str, Any]:
    """``module``'s node; a module met before (used twice) is ``{"same_as": its path}``,
    so that the twin shares it too (tied weights stay tied)."""
    seen = {} if seen is None else seen
    if id(module) in seen:
        return {"same_as": seen[id(module)]}
    kind = _kind(module)
    if kind is None:
        raise _unsupported("to_torch", path, type(module).__name__)
    seen[id(module)] = path
    node: dict[str, Any] = {
        "type": kind,
        "options": _options(module, kind),
        "training": module.training,
    }
    if kind in _CONTAINERS:
        node["children"] = [
            [name, _architecture(child, f"{path}.{name}" if path else name, seen)]
            for name, child in module._modules.items()
        ]
    return node


def describe(model: Module) -> Description:
    """What :func:`to_torch` sends across: ``model``'s layers, numbers and frozen parameters.

    Plain data (JSON-able): the layer tree with each layer's options and training mode,
    the ``state_dict()``, and the names of the frozen parameters. An MLP or a
    LogisticRegression is described as the Sequential it is.

    Raises:
        TypeError: naming the first layer without a twin (see the module docstring).

    Example:
        >>> import nn
        >>> d = nn.bridge.describe(nn.LogisticRegression(2, seed=0))
        >>> d["architecture"]["type"], [c[1]["type"] for c in d["architecture"]["children"]]
        ('Sequential', ['Linear', 'Sigmoid'])
        >>> list(d["state_dict"]), d["frozen"]
        (['0.weight', '0.bias'], [])
    """
    return _describe(model, "describe")


def _describe(model: Module, caller: str) -> Description:
    if not isinstance(model, Module):
        raise TypeError(f"{caller} takes a gradstep nn.Module, got {type(model).__name__}")
    architecture = _architecture(model, "")
    frozen = [
        key
        for key, (kind, module, name) in model._state_shapes().items()
        if kind == "parameter" and all(is_frozen(v) for _, v in _entries(module._parameters[name]))
    ]
    return {"architecture": architecture, "state_dict": model.state_dict(), "frozen": frozen}


def _build_node(node: dict[str, Any], path: str, built: dict[str, Module] | None = None) -> Module:
    built = {} if built is None else built
    if "same_as" in node:  # a module used twice: the one already built
        if node["same_as"] not in built:
            raise ValueError(f"{_where(path)} is the same module as {node['same_as']!r}, not built")
        return built[node["same_as"]]
    kind = node.get("type")
    if kind not in _ours:
        raise _unsupported("from_torch", path, str(kind))
    module: Module
    if kind in _CONTAINERS:
        children = [
            (name, _build_node(child, f"{path}.{name}" if path else name, built))
            for name, child in node["children"]
        ]
        if kind == "ModuleDict":
            module = ModuleDict(children)
        elif kind == "ModuleList":
            module = ModuleList(child for _, child in children)
        else:
            module = Sequential(OrderedDict(children))
    else:
        module = _ours[kind](**node["options"])
    object.__setattr__(module, "training", bool(node["training"]))
    built[path] = module
    return module


def build(description: Description) -> Module:
    """The gradstep model a :func:`describe`-style description stands for.

    The layers are made from their options, the numbers loaded with
    ``load_state_dict`` (strictly: every check of it applies), the frozen parameters
    frozen, and each module put in its training mode.

    Raises:
        TypeError: for a layer type the bridge does not know.
        nn.StateDictError: for numbers that do not fit (or are not finite).
    """
    model = _build_node(description["architecture"], "")
    model.load_state_dict(description["state_dict"])
    for key in description.get("frozen", []):
        path, _, name = key.rpartition(".")
        model.get_submodule(path)._set_requires_grad(name, False)
    return model


# -- PyTorch's side ------------------------------------------------------------------------


def _torch_kind(module: Any, torch: Any) -> str | None:
    """The bridge's name for a torch module's layer, or None (as :func:`_kind`)."""
    for name in LAYERS:
        if type(module) is getattr(torch.nn, name):
            return name
    sequential = torch.nn.Sequential
    if isinstance(module, sequential) and type(module).forward is sequential.forward:
        return "Sequential"
    return None


def _torch_options(module: Any, kind: str) -> dict[str, Any]:
    if kind == "Linear":
        return {
            "in_features": int(module.in_features),
            "out_features": int(module.out_features),
            "bias": module.bias is not None,
        }
    if kind == "BatchNorm1d":
        return {
            "num_features": int(module.num_features),
            "eps": float(module.eps),
            "momentum": None if module.momentum is None else float(module.momentum),
            "affine": bool(module.affine),
            "track_running_stats": bool(module.track_running_stats),
            "bias": not module.affine or module.bias is not None,
        }
    if kind == "LeakyReLU":
        return {"negative_slope": float(module.negative_slope), "inplace": bool(module.inplace)}
    if kind == "ReLU":
        return {"inplace": bool(module.inplace)}
    if kind == "Dropout":
        return {"p": float(module.p), "inplace": bool(module.inplace)}
    return {}


def _torch_architecture(
    module: Any, path: str, torch: Any, seen: dict[int, str] | None = None
) -> dict[str, Any]:
    seen = {} if seen is None else seen
    if id(module) in seen:  # used twice: shared in the gradstep model too
        return {"same_as": seen[id(module)]}
    kind = _torch_kind(module, torch)
    if kind is None:
        raise _unsupported("from_torch", path, f"torch.nn.{type(module).__name__}")
    seen[id(module)] = path
    node: dict[str, Any] = {
        "type": kind,
        "options": _torch_options(module, kind),
        "training": bool(module.training),
    }
    if kind in _CONTAINERS:
        # _modules rather than named_children(), which lists a module used twice once
        node["children"] = [
            [name, _torch_architecture(child, f"{path}.{name}" if path else name, torch, seen)]
            for name, child in module._modules.items()
        ]
    return node


def describe_torch(module: Any) -> Description:
    """What :func:`from_torch` brings across from a ``torch.nn.Module``, as :func:`describe`.

    Raises:
        ImportError: without PyTorch.
        TypeError: for something that is not a torch module, or naming the first layer
            without a twin.
    """
    torch = _import_torch("from_torch")
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"from_torch takes a torch.nn.Module, got {type(module).__name__}")
    architecture = _torch_architecture(module, "", torch)
    state = {key: value.detach().tolist() for key, value in module.state_dict().items()}
    frozen = [
        name for name, p in module.named_parameters(remove_duplicate=False) if not p.requires_grad
    ]
    return {"architecture": architecture, "state_dict": state, "frozen": frozen}


def _build_torch_node(
    node: dict[str, Any], path: str, torch: Any, built: dict[str, Any] | None = None
) -> Any:
    built = {} if built is None else built
    if "same_as" in node:  # a module used twice: the twin shares it too
        return built[node["same_as"]]
    kind = node["type"]
    options = dict(node["options"])
    if kind in _CONTAINERS:
        children = [
            (name, _build_torch_node(child, f"{path}.{name}" if path else name, torch, built))
            for name, child in node["children"]
        ]
        if kind == "ModuleList":
            module = torch.nn.ModuleList([child for _, child in children])
        else:
            module = getattr(torch.nn, kind)(OrderedDict(children))
    elif kind in ("Linear", "BatchNorm1d"):
        if kind == "BatchNorm1d" and options["bias"]:
            del options["bias"]  # the default: left out for PyTorch versions without it
        try:
            module = getattr(torch.nn, kind)(**options, dtype=torch.float64)
        except TypeError as error:  # BatchNorm1d(bias=False) before PyTorch knew it
            raise TypeError(
                f"to_torch: {_where(path)}, {kind}({options}), cannot be made in PyTorch "
                f"{torch.__version__}: {error}"
            ) from None
    else:
        module = getattr(torch.nn, kind)(**options)
    module.training = bool(node["training"])
    built[path] = module
    return module


def to_torch(model: Module) -> Any:
    """The ``torch.nn.Module`` that computes what ``model`` computes, with the same numbers.

    Layer by layer (see the module docstring for which), with the same options, the
    same names (so ``state_dict()`` keys are the same), the same weights, biases and
    buffers (running statistics and ``num_batches_tracked``), the same frozen
    parameters (``requires_grad=False``) and the same training or eval mode. Its
    parameters are float64, as gradstep's numbers are: call ``.float()`` on it for
    PyTorch's usual float32, and give it float64 input otherwise
    (``torch.tensor(X, dtype=torch.float64)``). An MLP or a LogisticRegression
    becomes a ``torch.nn.Sequential``. What does not cross: Dropout's ``seed=`` (PyTorch
    draws its masks from its own generator, ``torch.manual_seed``), and the graph and
    gradients (a PyTorch model starts without any).

    Raises:
        ImportError: without PyTorch, one sentence saying how to install it.
        TypeError: naming the first layer that has no twin (a module of your own, say).
    """
    description = _describe(model, "to_torch")  # first: that news needs no torch
    torch = _import_torch("to_torch")
    twin = _build_torch_node(description["architecture"], "", torch)
    state = {
        key: torch.tensor(value, dtype=torch.long if isinstance(value, int) else torch.float64)
        for key, value in description["state_dict"].items()
    }
    twin.load_state_dict(state, strict=True)
    for key in description["frozen"]:
        twin.get_parameter(key).requires_grad_(False)
    return twin


def from_torch(module: Any) -> Module:
    """The gradstep model that computes what a ``torch.nn.Module`` computes: the reverse
    of :func:`to_torch`, for the same layers.

    A ``torch.nn.Sequential`` becomes an ``nn.Sequential`` with the same names (so
    ``from_torch(to_torch(nn.MLP(...)))`` is a Sequential with the MLP's layers). The
    numbers arrive as Python floats (exact: every float32 and float64 is one), so a
    float32 model's gradstep twin computes in float64 and agrees to float32's
    precision, about 1e-7. Frozen parameters (``requires_grad=False``) arrive frozen,
    and each module keeps its training or eval mode.

    Raises:
        ImportError: without PyTorch.
        TypeError: for something that is not a torch module, or naming the first layer
            without a twin.
        nn.StateDictError: for a weight or buffer that is NaN or infinite.
    """
    return build(describe_torch(module))
