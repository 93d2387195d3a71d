"""Write tests/nn/torch_golden.json: PyTorch's numbers for the cases nn must reproduce.

NOT part of ``make test`` (it needs torch, which gradstep never depends on). The JSON
it writes is committed, and tests/nn/test_nn_torch_golden.py compares nn with it to
1e-9 relative. Regenerate it after changing a case, with torch in a scratch venv
outside the repository::

    python3 -m venv /tmp/torchenv
    /tmp/torchenv/bin/pip install torch numpy tqdm
    /tmp/torchenv/bin/python tests/nn/make_torch_golden.py

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
            layers.append(torch.nn.Linear(layer.in_features, layer.out_features))
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


if __name__ == "__main__":
    main()
