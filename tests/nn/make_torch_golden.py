"""Write tests/nn/torch_golden*.json: PyTorch's numbers for the cases nn must reproduce.

NOT part of ``make test`` (it needs torch, which gradstep never depends on). The JSON
it writes is committed, and tests/nn/test_nn_torch_golden.py (and, for the module kit
and the bridge, test_nn_loss_options.py and test_nn_bridge.py) compare nn with it.
Regenerate it after changing a case, with gradstep's optional PyTorch extra installed
(a CPU build is enough)::

    .venv/bin/pip install -e '.[torch]'
    .venv/bin/python tests/nn/make_torch_golden.py

The output is deterministic: the same torch version writes the same bytes.

Everything runs in float64. The cases:

* ``optimizers``: every optimizer with several hyper-parameter combinations, 300 steps
  on f(x) = sum_i a_i (x_i - c_i)**2 + b * x_0 * x_1 (a coupled quadratic), the
  parameters after every step;
* ``batchnorm``: BatchNorm1d in training mode over three batches (outputs, gradients,
  running statistics), then in eval mode;
* ``losses``: each loss's value and gradient at chosen points (including clamped and
  extreme ones), for reduction "mean" and "sum";
* ``models``: nn models built here (from their seeds), their state_dict loaded into a
  PyTorch twin, then a forward and backward pass.

In torch_golden_modules.json (the module kit of issue 13):

* ``loss_options``: the losses with ``reduction="none"``, ``weight``, ``pos_weight``,
  ``ignore_index`` and ``label_smoothing``: values and gradients;
* ``batchnorm``: BatchNorm1d with ``bias=False`` (as the cases above);
* ``bridge_to_torch``: the models of bridge_models.py, what ``nn.bridge.describe`` says
  of them, and their ``nn.to_torch`` twin's outputs, gradients and state after a pass;
* ``bridge_from_torch``: PyTorch models, what ``nn.bridge.describe_torch`` says of them
  (all ``nn.from_torch`` needs), and their outputs, gradients and state after a pass.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

try:
    import torch
    import torch.nn.functional as F  # noqa: N812 - PyTorch's own spelling
except ImportError:  # pytest imports this file to look for doctests: torch is optional
    torch = None

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bridge_models import BATCH, RECIPES, input_width  # noqa: E402 - this folder, on the path

import nn  # noqa: E402 - after the path is set

STEPS = 300
PROBLEM = {"a": [0.5, 2.0, 1.5], "c": [1.5, -0.75, 0.25], "b": 0.3, "x0": [-1.0, 2.0, 0.5]}

OPTIMIZER_CASES: list[tuple[str, dict[str, Any]]] = [
    ("SGD", {"lr": 1e-3}),
    ("SGD", {"lr": 0.05}),
    ("SGD", {"lr": 0.02, "momentum": 0.9}),
    ("SGD", {"lr": 0.02, "momentum": 0.9, "dampening": 0.3}),
    ("SGD", {"lr": 0.02, "momentum": 0.8, "nesterov": True}),
    ("SGD", {"lr": 0.02, "momentum": 0.5, "weight_decay": 0.1, "nesterov": True}),
    ("Adagrad", {}),
    ("Adagrad", {"lr": 0.3}),
    ("Adagrad", {"lr": 0.3, "lr_decay": 0.01}),
    ("Adagrad", {"lr": 0.2, "initial_accumulator_value": 0.5, "weight_decay": 0.05}),
    ("Adagrad", {"lr": 0.2, "eps": 1e-3}),
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.005, "alpha": 0.9}),
    ("RMSprop", {"lr": 0.005, "centered": True}),
    ("RMSprop", {"lr": 0.002, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.002, "centered": True, "momentum": 0.9, "weight_decay": 0.05}),
    ("Adam", {}),
    ("Adam", {"lr": 0.05}),
    ("Adam", {"lr": 0.01, "betas": [0.8, 0.95]}),
    ("Adam", {"lr": 0.05, "amsgrad": True}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1, "eps": 1e-4}),
    ("AdamW", {}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.1}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.2, "amsgrad": True, "betas": [0.8, 0.99]}),
]


def objective(x: torch.Tensor) -> torch.Tensor:
    a = torch.tensor(PROBLEM["a"])
    c = torch.tensor(PROBLEM["c"])
    return (a * (x - c) ** 2).sum() + PROBLEM["b"] * x[0] * x[1]


def optimizer_case(name: str, hyper: dict[str, Any]) -> dict[str, Any]:
    x = torch.tensor(PROBLEM["x0"], requires_grad=True)
    kwargs = dict(hyper)
    if "betas" in kwargs:
        kwargs["betas"] = tuple(kwargs["betas"])
    opt = getattr(torch.optim, name)([x], foreach=False, **kwargs)
    trajectory = []
    for _ in range(STEPS):
        opt.zero_grad()
        objective(x).backward()
        opt.step()
        trajectory.append(x.detach().tolist())
    return {"optimizer": name, "hyperparameters": hyper, "trajectory": trajectory}


def batchnorm_case(kwargs: dict[str, Any], seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    c = 3
    bn = torch.nn.BatchNorm1d(c, **kwargs)
    if bn.affine:
        with torch.no_grad():
            bn.weight.copy_(torch.tensor([rng.uniform(0.5, 2.0) for _ in range(c)]))
            if bn.bias is not None:
                bn.bias.copy_(torch.tensor([rng.uniform(-1.0, 1.0) for _ in range(c)]))
    initial = {k: v.tolist() for k, v in bn.state_dict().items()}
    steps = []
    for mode, n in (("train", 5), ("train", 4), ("train", 6), ("eval", 3)):
        bn.train(mode == "train")
        x = torch.tensor([[rng.gauss(1.0, 2.0) for _ in range(c)] for _ in range(n)])
        x.requires_grad_(True)
        r = torch.tensor([[rng.uniform(-1.0, 1.0) for _ in range(c)] for _ in range(n)])
        if bn.affine:
            bn.weight.grad = None
            if bn.bias is not None:
                bn.bias.grad = None
        y = bn(x)
        (y * r).sum().backward()
        step = {
            "mode": mode,
            "input": x.detach().tolist(),
            "upstream": r.tolist(),
            "output": y.detach().tolist(),
            "input_grad": x.grad.tolist(),
            "state_dict": {k: v.tolist() for k, v in bn.state_dict().items()},
        }
        if bn.affine:
            step["weight_grad"] = bn.weight.grad.tolist()
            if bn.bias is not None:
                step["bias_grad"] = bn.bias.grad.tolist()
        steps.append(step)
    return {"kwargs": kwargs, "initial_state_dict": initial, "steps": steps}


def loss_case(name: str, predictions: Any, targets: Any, reduction: str) -> dict[str, Any]:
    p = torch.tensor(predictions, requires_grad=True)
    if name == "cross_entropy":
        t = torch.tensor(targets, dtype=torch.long)
        value = F.cross_entropy(p, t, reduction=reduction)
    elif name == "hinge_loss":  # micrograd's max-margin loss, written in torch
        terms = torch.relu(1.0 - torch.tensor(targets) * p)
        value = terms.mean() if reduction == "mean" else terms.sum()
    else:
        value = getattr(F, name)(p, torch.tensor(targets), reduction=reduction)
    value.backward()
    return {
        "loss": name,
        "reduction": reduction,
        "predictions": predictions,
        "targets": targets,
        "value": value.item(),
        "grad": p.grad.tolist(),
    }


LOSS_POINTS: list[tuple[str, Any, Any]] = [
    ("mse_loss", [0.5, -1.25, 3.0, 0.0], [1.0, -1.0, 2.5, 0.25]),
    ("mse_loss", [[0.5, 2.0], [-1.0, 0.125]], [[0.0, 1.5], [-2.0, 1.0]]),
    ("binary_cross_entropy", [0.9, 0.2, 0.5, 0.999, 1e-10], [1.0, 0.0, 1.0, 0.0, 0.3]),
    ("binary_cross_entropy", [0.0, 1.0, 0.0, 1.0], [0.0, 1.0, 1.0, 0.0]),
    ("binary_cross_entropy", [0.3, 0.7], [0.25, 0.6]),
    ("binary_cross_entropy_with_logits", [2.0, -0.5, 0.0, 7.5], [1.0, 0.0, 1.0, 0.2]),
    ("binary_cross_entropy_with_logits", [1000.0, -1000.0, 1000.0, -1000.0], [1.0, 0.0, 0.0, 1.0]),
    ("cross_entropy", [[2.0, 0.0, -1.0], [0.1, 0.2, 0.3], [-3.0, 5.0, 1.0]], [0, 2, 1]),
    ("cross_entropy", [[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]], [2, 1]),
    ("hinge_loss", [2.0, 0.5, -1.0, 0.0, -3.0], [1.0, 1.0, 1.0, -1.0, -1.0]),
]


def twin(model: nn.Module) -> torch.nn.Sequential:
    """The PyTorch module with the same layers as an nn.Sequential."""
    layers: list[torch.nn.Module] = []
    for layer in model.children():
        if isinstance(layer, nn.Linear):
            bias = layer.bias is not None  # none before a BatchNorm in MLP(batchnorm=True)
            layers.append(torch.nn.Linear(layer.in_features, layer.out_features, bias=bias))
        elif isinstance(layer, nn.BatchNorm1d):
            layers.append(torch.nn.BatchNorm1d(layer.num_features, eps=layer.eps))
        elif isinstance(layer, nn.LeakyReLU):
            layers.append(torch.nn.LeakyReLU(layer.negative_slope))
        else:
            layers.append(getattr(torch.nn, type(layer).__name__)())
    return torch.nn.Sequential(*layers)


def model_case(kind: str, kwargs: dict[str, Any], batch: int, loss: str) -> dict[str, Any]:
    model = getattr(nn, kind)(**kwargs)
    state = model.state_dict()
    theirs = twin(model)
    theirs.load_state_dict({k: torch.tensor(v) for k, v in state.items()}, strict=True)
    rng = random.Random(1)
    nin = kwargs.get("nin", 2)
    x = torch.tensor([[rng.gauss(0.0, 1.5) for _ in range(nin)] for _ in range(batch)])
    out = theirs(x)
    nout = out.shape[1]
    if loss == "cross_entropy":
        targets = [rng.randrange(nout) for _ in range(batch)]
        value = F.cross_entropy(out, torch.tensor(targets))
    else:
        targets = [float(rng.randrange(2)) for _ in range(batch)]
        value = getattr(F, loss)(out[:, 0], torch.tensor(targets))
    value.backward()
    grads = {name: p.grad.tolist() for name, p in theirs.named_parameters()}
    return {
        "model": kind,
        "kwargs": kwargs,
        "state_dict": state,
        "input": x.tolist(),
        "targets": targets,
        "loss_function": loss,
        "output": out.detach().tolist(),
        "loss": value.item(),
        "grads": grads,
        "state_dict_after": {k: v.tolist() for k, v in theirs.state_dict().items()},
    }


ROWS3 = [[2.0, 0.0, -1.0], [0.1, 0.2, 0.3], [-3.0, 5.0, 1.0]]
FLAT4 = ([0.5, -1.25, 3.0, 0.0], [1.0, -1.0, 2.5, 0.25])
PROBS = ([0.9, 0.2, 0.5, 0.999], [1.0, 0.0, 1.0, 0.0])
LOGITS = ([2.0, -0.5, 0.0, 7.5], [1.0, 0.0, 1.0, 0.2])
LOGIT_ROWS = ([[2.0, -1.0], [0.5, 30.0], [-40.0, 0.0]], [[1.0, 0.0], [0.0, 1.0], [1.0, 0.5]])

LOSS_OPTION_CASES: list[tuple[str, Any, Any, dict[str, Any]]] = [
    ("mse_loss", *FLAT4, {"reduction": "none"}),
    ("mse_loss", [[0.5, 2.0], [-1.0, 0.125]], [[0.0, 1.5], [-2.0, 1.0]], {"reduction": "none"}),
    ("mse_loss", *FLAT4, {"weight": [1.0, 0.5, 2.0, 0.0]}),
    ("mse_loss", *FLAT4, {"weight": [1.0, 0.5, 2.0, 0.0], "reduction": "sum"}),
    ("mse_loss", *FLAT4, {"weight": [1.0, 0.5, 2.0, 0.0], "reduction": "none"}),
    ("binary_cross_entropy", *PROBS, {"reduction": "none"}),
    ("binary_cross_entropy", *PROBS, {"weight": [1.0, 2.0, 0.5, 0.0]}),
    (
        "binary_cross_entropy",
        [[0.9, 0.2], [0.4, 0.7]],
        [[1.0, 0.0], [0.0, 1.0]],
        {"weight": [2.0, 0.5]},
    ),
    ("binary_cross_entropy_with_logits", *LOGITS, {"reduction": "none"}),
    ("binary_cross_entropy_with_logits", *LOGITS, {"pos_weight": [3.0]}),
    (
        "binary_cross_entropy_with_logits",
        *LOGITS,
        {"pos_weight": [3.0], "weight": [1.0, 2.0, 0.5, 1.0], "reduction": "sum"},
    ),
    ("binary_cross_entropy_with_logits", *LOGIT_ROWS, {"pos_weight": [0.5, 4.0]}),
    (
        "binary_cross_entropy_with_logits",
        *LOGIT_ROWS,
        {"pos_weight": [0.5, 4.0], "reduction": "none"},
    ),
    (
        "binary_cross_entropy_with_logits",
        [1000.0, -1000.0, 3.0],
        [0.0, 1.0, 1.0],
        {"pos_weight": [2.0]},
    ),
    ("cross_entropy", ROWS3, [0, 2, 1], {"reduction": "none"}),
    ("cross_entropy", ROWS3, [0, 2, 1], {"weight": [1.0, 2.0, 0.5]}),
    ("cross_entropy", ROWS3, [0, 2, 1], {"weight": [1.0, 2.0, 0.5], "reduction": "sum"}),
    ("cross_entropy", ROWS3, [0, -100, 1], {}),
    ("cross_entropy", ROWS3, [0, -100, 1], {"reduction": "none"}),
    ("cross_entropy", ROWS3, [0, 2, 1], {"label_smoothing": 0.1}),
    ("cross_entropy", ROWS3, [0, 2, 1], {"label_smoothing": 0.3, "reduction": "none"}),
    (
        "cross_entropy",
        ROWS3,
        [0, 2, 7],
        {"weight": [1.0, 2.0, 0.5], "label_smoothing": 0.2, "ignore_index": 7},
    ),
    (
        "cross_entropy",
        ROWS3,
        [0, 2, 1],
        {"weight": [1.0, 2.0, 0.5], "label_smoothing": 0.2, "reduction": "sum"},
    ),
    (
        "cross_entropy",
        [[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]],
        [2, 1],
        {"label_smoothing": 0.1},
    ),
]


def loss_option_case(
    name: str, predictions: Any, targets: Any, kwargs: dict[str, Any]
) -> dict[str, Any]:
    """The loss with options, and its gradient (through fixed weights of each term for "none")."""
    p = torch.tensor(predictions, requires_grad=True)
    options = {
        k: torch.tensor(v) if k in ("weight", "pos_weight") else v for k, v in kwargs.items()
    }
    t = torch.tensor(targets, dtype=torch.long if name == "cross_entropy" else None)
    value = getattr(F, name)(p, t, **options)
    upstream = None
    if value.dim() == 0:
        value.backward()
    else:
        rng = random.Random(len(predictions))
        upstream = [rng.uniform(-1.0, 1.0) for _ in range(value.numel())]
        (value.flatten() * torch.tensor(upstream)).sum().backward()
    return {
        "loss": name,
        "kwargs": kwargs,
        "predictions": predictions,
        "targets": targets,
        "value": value.tolist(),
        "upstream": upstream,
        "grad": p.grad.tolist(),
    }


def run_torch(model: Any, x: list[list[float]], seed: int) -> dict[str, Any]:
    """A forward pass of ``model`` on ``x``, then backward of sum(outputs * fixed weights)."""
    inputs = torch.tensor(x, requires_grad=True)
    out = model(inputs)
    rng = random.Random(seed)
    upstream = [[rng.uniform(-1.0, 1.0) for _ in row] for row in out.tolist()]
    (out * torch.tensor(upstream)).sum().backward()
    return {
        "input": x,
        "upstream": upstream,
        "output": out.detach().tolist(),
        "input_grad": inputs.grad.tolist(),
        "grads": {
            name: (None if p.grad is None else p.grad.tolist())
            for name, p in model.named_parameters()
        },
        "state_dict_after": {k: v.tolist() for k, v in model.state_dict().items()},
    }


def bridge_to_torch_case(name: str) -> dict[str, Any]:
    model = RECIPES[name]()
    description = nn.bridge.describe(model)
    twin = nn.to_torch(model)
    rng = random.Random(len(name))
    width = input_width(model)
    x = [[rng.gauss(0.0, 1.5) for _ in range(width)] for _ in range(5)]
    return {"recipe": name, "description": description, **run_torch(twin, x, len(name) + 1)}


def torch_models() -> dict[str, Any]:
    """PyTorch models for from_torch, each with its own seeded initialisation."""
    from collections import OrderedDict

    torch.manual_seed(0)
    mlp = torch.nn.Sequential(
        torch.nn.Linear(3, 6),
        torch.nn.BatchNorm1d(6),
        torch.nn.ReLU(),
        torch.nn.Dropout(0.2),
        torch.nn.Linear(6, 2),
    )
    mlp(torch.tensor(BATCH))  # running statistics move (the dropout mask does not matter)
    mlp.eval()
    torch.manual_seed(1)
    frozen = torch.nn.Sequential(
        torch.nn.Linear(2, 3, bias=False),
        torch.nn.BatchNorm1d(3, momentum=None, bias=False),
        torch.nn.LeakyReLU(0.05),
        torch.nn.Linear(3, 1),
    )
    frozen[0].weight.requires_grad_(False)
    frozen(torch.tensor([row[:2] for row in BATCH]))
    torch.manual_seed(2)
    named = torch.nn.Sequential(
        OrderedDict(
            hidden=torch.nn.Linear(3, 4),
            squash=torch.nn.Tanh(),
            skip=torch.nn.Identity(),
            norm=torch.nn.BatchNorm1d(4, affine=False, eps=1e-3, momentum=0.3),
            out=torch.nn.Linear(4, 2),
            prob=torch.nn.Sigmoid(),
        )
    )
    named(torch.tensor(BATCH))
    named.norm.eval()  # one module in eval mode, the rest training
    return {"mlp_eval": mlp, "frozen_training": frozen, "named_mixed_modes": named}


def bridge_from_torch_cases() -> list[dict[str, Any]]:
    cases = []
    for k, (name, model) in enumerate(torch_models().items()):
        description = nn.bridge.describe_torch(model)
        rng = random.Random(100 + k)
        width = description["architecture"]["children"][0][1]["options"]["in_features"]
        x = [[rng.gauss(0.0, 1.5) for _ in range(width)] for _ in range(5)]
        cases.append({"name": name, "description": description, **run_torch(model, x, 200 + k)})
    return cases


def modules_golden() -> dict[str, Any]:
    return {
        "torch_version": torch.__version__,
        "loss_options": [loss_option_case(*case) for case in LOSS_OPTION_CASES],
        "batchnorm": [
            batchnorm_case({"bias": False}, 5),
            batchnorm_case({"bias": False, "momentum": None}, 6),
        ],
        "bridge_to_torch": [bridge_to_torch_case(name) for name in RECIPES],
        "bridge_from_torch": bridge_from_torch_cases(),
    }


def main() -> None:
    if torch is None:
        sys.exit("this script needs torch: see its docstring")
    torch.set_default_dtype(torch.float64)
    golden = {
        "torch_version": torch.__version__,
        "problem": PROBLEM,
        "optimizers": [optimizer_case(name, hyper) for name, hyper in OPTIMIZER_CASES],
        "batchnorm": [
            batchnorm_case({}, 0),
            batchnorm_case({"momentum": 0.3, "eps": 1e-3}, 1),
            batchnorm_case({"momentum": None}, 2),
            batchnorm_case({"affine": False}, 3),
            batchnorm_case({"track_running_stats": False}, 4),
        ],
        "losses": [
            loss_case(name, p, t, reduction)
            for name, p, t in LOSS_POINTS
            for reduction in ("mean", "sum")
        ],
        "models": [
            model_case("MLP", {"nin": 3, "nouts": [5, 4, 2], "seed": 7}, 6, "cross_entropy"),
            model_case(
                "MLP",
                {"nin": 3, "nouts": [4, 4, 3], "seed": 8, "batchnorm": True, "activation": "tanh"},
                5,
                "cross_entropy",
            ),
            model_case(
                "MLP",
                {"nin": 2, "nouts": [6, 1], "seed": 9, "activation": "leaky_relu"},
                7,
                "binary_cross_entropy_with_logits",
            ),
            model_case(
                "MLP",
                {"nin": 2, "nouts": [3, 3, 1], "seed": 10, "activation": "sigmoid"},
                4,
                "binary_cross_entropy_with_logits",
            ),
            model_case("LogisticRegression", {"nin": 2, "seed": 11}, 5, "binary_cross_entropy"),
        ],
    }
    out = Path(__file__).with_name("torch_golden.json")
    out.write_text(json.dumps(golden, indent=None, separators=(",", ":")) + "\n")
    print(f"wrote {out} ({out.stat().st_size:,} bytes) with torch {torch.__version__}")
    # The module kit's cases live in a file of their own, so that changing them leaves
    # the file above (and its diffs) alone.
    out = Path(__file__).with_name("torch_golden_modules.json")
    out.write_text(json.dumps(modules_golden(), indent=None, separators=(",", ":")) + "\n")
    print(f"wrote {out} ({out.stat().st_size:,} bytes) with torch {torch.__version__}")


if __name__ == "__main__":
    main()
