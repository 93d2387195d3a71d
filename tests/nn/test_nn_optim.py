"""Optimizers against hand-derived numbers and independent float-only reimplementations.

The reimplementations below are written from the documented formulas (PyTorch's
algorithm boxes), on plain floats, for one parameter on f(x) = (x - 3)**2 / 2 + ... ,
independently of nn's code. Two-step values are also worked out by hand.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from nn_compare import assert_close

import nn
from autograd import Value
from nn.optim import SGD, Adagrad, Adam, AdamW, RMSprop

START = 5.0


def grad_f(x: float) -> float:
    """f(x) = 0.5 (x - 3)**2 + 0.25 x**4 / 10: a 1-D problem with a curved gradient."""
    return (x - 3.0) + 0.1 * x**3


def f(x: Value) -> Value:
    return 0.5 * (x - 3.0) ** 2 + 0.025 * x**4


def trajectory(optimizer: Any, x: Value, steps: int) -> list[float]:
    out = []
    for _ in range(steps):
        optimizer.zero_grad()
        f(x).backward()
        optimizer.step()
        out.append(x.data)
    return out


def run(cls: type, steps: int, **hyper: Any) -> list[float]:
    x = Value(START)
    return trajectory(cls([x], **hyper), x, steps)


# -- independent float-only reimplementations, from the documented algorithms ----------


def sgd_floats(
    steps: int,
    lr: float,
    momentum: float = 0.0,
    dampening: float = 0.0,
    weight_decay: float = 0.0,
    nesterov: bool = False,
) -> list[float]:
    x, b, out = START, None, []
    for _ in range(steps):
        g = grad_f(x) + weight_decay * x
        if momentum:
            b = g if b is None else momentum * b + (1 - dampening) * g
            g = g + momentum * b if nesterov else b
        x = x - lr * g
        out.append(x)
    return out


def adagrad_floats(
    steps: int,
    lr: float,
    lr_decay: float = 0.0,
    weight_decay: float = 0.0,
    initial_accumulator_value: float = 0.0,
    eps: float = 1e-10,
) -> list[float]:
    x, s, out = START, initial_accumulator_value, []
    for t in range(1, steps + 1):
        g = grad_f(x) + weight_decay * x
        clr = lr / (1 + (t - 1) * lr_decay)
        s = s + g * g
        x = x - clr * g / (math.sqrt(s) + eps)
        out.append(x)
    return out


def rmsprop_floats(
    steps: int,
    lr: float,
    alpha: float = 0.99,
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    momentum: float = 0.0,
    centered: bool = False,
) -> list[float]:
    x, v, gbar, b, out = START, 0.0, 0.0, 0.0, []
    for _ in range(steps):
        g = grad_f(x) + weight_decay * x
        v = alpha * v + (1 - alpha) * g * g
        if centered:
            gbar = alpha * gbar + (1 - alpha) * g
            d = math.sqrt(max(v - gbar * gbar, 0.0)) + eps  # clamped: see RMSprop's Note
        else:
            d = math.sqrt(v) + eps
        if momentum > 0:
            b = momentum * b + g / d
            x = x - lr * b
        else:
            x = x - lr * g / d
        out.append(x)
    return out


def adam_floats(
    steps: int,
    lr: float,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    amsgrad: bool = False,
    decoupled: bool = False,
) -> list[float]:
    b1, b2 = betas
    x, m, v, vmax, out = START, 0.0, 0.0, 0.0, []
    for t in range(1, steps + 1):
        g = grad_f(x)
        if decoupled:
            x = x * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * x
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = m / (1 - b1**t)
        if amsgrad:
            vmax = max(vmax, v)
            v_hat = vmax / (1 - b2**t)
        else:
            v_hat = v / (1 - b2**t)
        x = x - lr * m_hat / (math.sqrt(v_hat) + eps)
        out.append(x)
    return out


# -- two steps by hand --------------------------------------------------------------


def test_grad_f_is_the_derivative_of_f() -> None:
    x = Value(START)
    f(x).backward()
    assert x.grad == pytest.approx(grad_f(START), rel=1e-15)  # 2 + 12.5 = 14.5


def test_sgd_nesterov_two_steps_by_hand() -> None:
    # g1 = f'(5) = 14.5; b1 = g1; step = g1 + 0.9 b1 = 27.55; x1 = 5 - 0.01 * 27.55 = 4.7245
    # g2 = f'(4.7245) = 1.7245 + 0.1 * 4.7245**3; b2 = 0.9 * 14.5 + g2; x2 = x1 - 0.01 (g2 + 0.9 b2)
    g2 = 1.7245 + 0.1 * 4.7245**3
    b2 = 0.9 * 14.5 + g2
    x2 = 4.7245 - 0.01 * (g2 + 0.9 * b2)
    assert run(SGD, 2, lr=0.01, momentum=0.9, nesterov=True) == pytest.approx(
        [4.7245, x2], rel=1e-13
    )


TINY_EPS = 1e-300
"""eps must be > 0; this one vanishes next to the numbers below, as if there were none."""


def test_adagrad_lr_decay_two_steps_by_hand() -> None:
    # t=1: s = 14.5², x1 = 5 - 0.5 · 14.5 / 14.5 = 4.5 (eps ≈ 0)
    # t=2: lr_2 = 0.5 / (1 + 0.1) ; g2 = 1.5 + 0.1 · 4.5³ = 10.6125; s = 14.5² + g2²
    g2 = 1.5 + 0.1 * 4.5**3
    x2 = 4.5 - (0.5 / 1.1) * g2 / math.sqrt(14.5**2 + g2**2)
    assert run(Adagrad, 2, lr=0.5, lr_decay=0.1, eps=TINY_EPS) == pytest.approx(
        [4.5, x2], rel=1e-13
    )


def test_rmsprop_centered_momentum_two_steps_by_hand() -> None:
    a, lr, mu = 0.9, 0.01, 0.5
    g1 = 14.5
    v1, gbar1 = 0.1 * g1**2, 0.1 * g1
    d1 = math.sqrt(v1 - gbar1**2)  # eps ≈ 0: sqrt(0.01 · 14.5² · 9) = 0.3 · 14.5
    assert d1 == pytest.approx(0.3 * 14.5)
    b1 = g1 / d1  # = 1 / 0.3
    x1 = START - lr * b1
    g2 = grad_f(x1)
    v2, gbar2 = a * v1 + 0.1 * g2**2, a * gbar1 + 0.1 * g2
    b2 = mu * b1 + g2 / math.sqrt(v2 - gbar2**2)
    x2 = x1 - lr * b2
    got = run(RMSprop, 2, lr=lr, alpha=a, eps=TINY_EPS, momentum=mu, centered=True)
    assert got == pytest.approx([x1, x2], rel=1e-12)


def test_adam_two_steps_by_hand() -> None:
    # Step 1: m̂ = g, v̂ = g², so x moves by lr (minus eps's effect) whatever g is.
    lr = 0.1
    x1 = START - lr * 14.5 / (14.5 + 1e-8)
    g2 = grad_f(x1)
    m2 = 0.9 * 0.1 * 14.5 + 0.1 * g2
    v2 = 0.999 * 0.001 * 14.5**2 + 0.001 * g2**2
    x2 = x1 - lr * (m2 / (1 - 0.9**2)) / (math.sqrt(v2 / (1 - 0.999**2)) + 1e-8)
    assert run(Adam, 2, lr=lr) == pytest.approx([x1, x2], rel=1e-13)


def test_centered_rmsprop_survives_a_constant_gradient() -> None:
    """With a constant gradient v - ḡ² tends to 0 and rounding takes it below 0 (at step
    331 here): clamped at 0, d is eps and the step lr g / eps, where PyTorch gives NaN."""
    lr, alpha, eps, g = 1e-3, 0.9, 1e-8, 0.1
    x = Value(1.0)
    opt = RMSprop([x], lr=lr, alpha=alpha, eps=eps, centered=True)
    negative_steps = 0
    for _ in range(1000):
        before = x.data
        opt.zero_grad()
        (g * x).backward()
        opt.step()
        assert math.isfinite(x.data)
        if opt.state[x]["square_avg"] - opt.state[x]["grad_avg"] ** 2 < 0.0:
            negative_steps += 1
            assert before - x.data == pytest.approx(lr * g / eps, rel=1e-9)
    assert negative_steps > 0  # the case this test is about did happen


# -- long trajectories against the float reimplementations --------------------------

CASES: list[tuple[type, Any, dict[str, Any]]] = [
    (SGD, sgd_floats, {"lr": 0.01}),
    (SGD, sgd_floats, {"lr": 0.01, "momentum": 0.9, "dampening": 0.2, "weight_decay": 0.05}),
    (SGD, sgd_floats, {"lr": 0.01, "momentum": 0.9, "nesterov": True}),
    (Adagrad, adagrad_floats, {"lr": 0.5, "lr_decay": 0.05}),
    (Adagrad, adagrad_floats, {"lr": 0.5, "initial_accumulator_value": 1.0, "weight_decay": 0.1}),
    (RMSprop, rmsprop_floats, {"lr": 0.01}),
    (RMSprop, rmsprop_floats, {"lr": 0.01, "centered": True, "momentum": 0.5}),
    (RMSprop, rmsprop_floats, {"lr": 0.01, "alpha": 0.9, "weight_decay": 0.1}),
    (Adam, adam_floats, {"lr": 0.05}),
    (Adam, adam_floats, {"lr": 0.05, "amsgrad": True, "weight_decay": 0.1}),
    (Adam, adam_floats, {"lr": 0.02, "betas": (0.8, 0.9), "eps": 1e-6}),
]


@pytest.mark.parametrize(
    ("cls", "reference", "hyper"),
    CASES,
    ids=[f"{cls.__name__}{sorted(hyper.items())}" for cls, _, hyper in CASES],
)
def test_long_trajectory_matches_float_reimplementation(
    cls: type, reference: Any, hyper: dict[str, Any]
) -> None:
    assert_close(run(cls, 200, **hyper), reference(200, **hyper), rel=1e-9, what=cls.__name__)


def test_adamw_is_adam_with_decoupled_decay() -> None:
    expected = adam_floats(200, lr=0.05, weight_decay=0.2, decoupled=True)
    assert_close(run(AdamW, 200, lr=0.05, weight_decay=0.2), expected, rel=1e-9, what="AdamW")
    # And it differs from Adam's L2 decay with the same number.
    assert run(Adam, 200, lr=0.05, weight_decay=0.2)[-1] != pytest.approx(expected[-1], rel=1e-3)


def test_optimizers_converge_on_the_problem() -> None:
    x_star = 5.0
    for _ in range(200):  # Newton's method for f'(x) = 0
        x_star -= grad_f(x_star) / (1 + 0.3 * x_star**2)
    for cls, hyper in [(SGD, {"lr": 0.05}), (Adam, {"lr": 0.05}), (RMSprop, {"lr": 0.01})]:
        assert run(cls, 1000, **hyper)[-1] == pytest.approx(x_star, abs=0.05)


# -- defaults, validation and state ---------------------------------------------------


def test_defaults_are_pytorchs() -> None:
    """The constructors' defaults, under PyTorch's keys in PyTorch's order (which the
    param groups and the state dict keep)."""
    p = [Value(1.0)]
    assert list(SGD(p).defaults.items()) == [
        ("lr", 1e-3),
        ("momentum", 0.0),
        ("dampening", 0.0),
        ("weight_decay", 0.0),
        ("nesterov", False),
        ("maximize", False),
        ("foreach", None),
        ("differentiable", False),
        ("fused", None),
    ]
    assert list(Adagrad(p).defaults.items()) == [
        ("lr", 1e-2),
        ("lr_decay", 0.0),
        ("eps", 1e-10),
        ("weight_decay", 0.0),
        ("initial_accumulator_value", 0.0),
        ("foreach", None),
        ("maximize", False),
        ("differentiable", False),
        ("fused", None),
    ]
    assert list(RMSprop(p).defaults.items()) == [
        ("lr", 1e-2),
        ("momentum", 0.0),
        ("alpha", 0.99),
        ("eps", 1e-8),
        ("centered", False),
        ("weight_decay", 0.0),
        ("capturable", False),
        ("foreach", None),
        ("maximize", False),
        ("differentiable", False),
    ]
    adam = [
        ("lr", 1e-3),
        ("betas", (0.9, 0.999)),
        ("eps", 1e-8),
        ("weight_decay", 0.0),
        ("amsgrad", False),
        ("maximize", False),
        ("foreach", None),
        ("capturable", False),
        ("differentiable", False),
        ("fused", None),
        ("decoupled_weight_decay", False),
    ]
    assert list(Adam(p).defaults.items()) == adam
    adamw = dict(adam, weight_decay=1e-2, decoupled_weight_decay=True)
    assert list(AdamW(p).defaults.items()) == list(adamw.items())
    sgd = SGD(p)
    assert sgd.param_groups == [{"params": p, **sgd.defaults}]
    assert sgd.lr == 1e-3 and sgd.momentum == 0.0  # one group: its values as attributes


@pytest.mark.parametrize(
    ("cls", "hyper", "message"),
    [
        (SGD, {"lr": -0.1}, "-0.1"),
        (SGD, {"lr": float("nan")}, "nan"),
        (SGD, {"momentum": -0.5}, "momentum"),
        (SGD, {"weight_decay": -1.0}, "weight_decay"),
        (SGD, {"nesterov": True}, "Nesterov"),
        (SGD, {"nesterov": True, "momentum": 0.9, "dampening": 0.1}, "dampening"),
        (Adagrad, {"lr_decay": -1.0}, "lr_decay"),
        (Adagrad, {"initial_accumulator_value": -1.0}, "initial_accumulator_value"),
        (Adagrad, {"eps": -1.0}, "eps"),
        (RMSprop, {"alpha": -0.1}, "alpha"),
        (RMSprop, {"momentum": -0.1}, "momentum"),
        (Adam, {"betas": (1.0, 0.999)}, "index 0: 1.0"),
        (Adam, {"betas": (0.9, -0.1)}, "index 1: -0.1"),
        (Adam, {"betas": (0.9,)}, "pair"),
        (Adam, {"eps": -1e-8}, "eps"),
        (AdamW, {"weight_decay": -0.01}, "weight_decay"),
    ],
)
def test_bad_hyperparameters_raise_naming_the_value(cls: type, hyper: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cls([Value(1.0)], **hyper)


def test_bad_parameter_lists() -> None:
    with pytest.raises(ValueError, match="empty"):
        SGD([])
    with pytest.raises(TypeError, match="index 1"):
        SGD([Value(1.0), 2.0])  # type: ignore[list-item]
    p = Value(1.0)
    with pytest.raises(ValueError, match="more than once"):
        SGD([p, p])
    with pytest.raises(TypeError, match="number"):
        SGD([p], lr="0.1")  # type: ignore[arg-type]


def test_state_is_inspectable() -> None:
    """PyTorch's per-parameter state, made at a parameter's first step, and read-only
    views listing one kind of it for every parameter."""
    x, y = Value(START), Value(1.0)
    adam = Adam([x, y], lr=0.1)
    assert adam.exp_avg is None and not adam.state  # nothing before the first step
    trajectory(adam, x, 3)
    assert list(adam.state[x]) == ["step", "exp_avg", "exp_avg_sq"]
    assert adam.state[x]["step"] == adam.state[y]["step"] == 3
    assert adam.exp_avg == [adam.state[x]["exp_avg"], adam.state[y]["exp_avg"]]
    assert adam.max_exp_avg_sq is None  # no amsgrad
    with pytest.raises(AttributeError, match=r"read-only view.*opt.state\[p\]\['exp_avg'\]"):
        adam.exp_avg = [0.0, 0.0]
    z = Value(START)
    sgd = SGD([z], lr=0.01, momentum=0.9)
    assert sgd.momentum_buffer is None  # created at the first step, as in PyTorch
    trajectory(sgd, z, 1)
    assert sgd.state[z] == {"momentum_buffer": 14.5} and sgd.momentum_buffer == [14.5]
    assert not SGD([z]).state  # without momentum SGD keeps nothing, as PyTorch's
    assert Adagrad([z], initial_accumulator_value=0.5).state[z] == {"step": 0, "sum": 0.5}


@pytest.mark.parametrize(
    ("cls", "hyper"),
    [
        (SGD, {"lr": 0.01, "momentum": 0.9}),
        (Adagrad, {"lr": 0.5}),
        (RMSprop, {"lr": 0.01, "centered": True, "momentum": 0.5}),
        (Adam, {"lr": 0.05, "amsgrad": True}),
        (AdamW, {"lr": 0.05}),
    ],
)
def test_state_dict_round_trip_resumes_the_same_trajectory(cls: type, hyper: dict) -> None:
    x = Value(START)
    opt = cls([x], **hyper)
    trajectory(opt, x, 10)
    saved, x_saved = opt.state_dict(), x.data
    rest = trajectory(opt, x, 10)
    y = Value(x_saved)
    fresh = cls([y], lr=123.0)  # other hyper-parameters: the state dict restores them
    fresh.load_state_dict(saved)
    assert trajectory(fresh, y, 10) == rest
    assert saved["state"][0].get("step", 10) == 10


def test_load_state_dict_refuses_mismatches() -> None:
    opt = Adam([Value(1.0)])
    trajectory(opt, opt.params[0], 2)
    before = opt.state_dict()
    sgd = SGD([Value(1.0)], momentum=0.9)
    trajectory(sgd, sgd.params[0], 1)
    with pytest.raises(ValueError, match="lacks 'betas', 'eps', 'amsgrad': it is not the state"):
        opt.load_state_dict(sgd.state_dict())
    two = Adam([Value(1.0), Value(2.0)])
    with pytest.raises(ValueError, match="param group 0 has 2 parameters but this Adam's has 1"):
        opt.load_state_dict(two.state_dict())
    grouped = Adam([{"params": [Value(1.0)]}, {"params": [Value(2.0)]}])
    with pytest.raises(ValueError, match="the state dict has 2 param groups but this Adam has 1"):
        opt.load_state_dict(grouped.state_dict())
    bad = opt.state_dict()
    bad["param_groups"][0]["lr"] = -1.0
    with pytest.raises(ValueError, match=r"param group 0: Invalid learning rate \(lr\): -1\.0"):
        opt.load_state_dict(bad)
    assert opt.state_dict() == before and opt.lr == 1e-3  # nothing was loaded


def test_zero_grad_and_step_on_a_model() -> None:
    model = nn.Linear(2, 1, seed=0)
    opt = SGD(model.parameters(), lr=0.1)
    out = model([1.0, 2.0])[0]
    out.backward()
    before = [p.data for p in model.parameters()]
    grads = [p.grad for p in model.parameters()]
    assert grads == [1.0, 2.0, 1.0]
    opt.step()
    assert [p.data for p in model.parameters()] == [
        b - 0.1 * g for b, g in zip(before, grads, strict=True)
    ]
    opt.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())
    assert "SGD(3 parameters, lr=0.1" in repr(opt)


def test_the_registry_names_each_optimizer_with_its_settings() -> None:
    params = [Value(1.0), Value(-2.0)]
    expected = {
        "sgd": (nn.optim.SGD, 0.1),
        "momentum": (nn.optim.SGD, 0.05),
        "adagrad": (nn.optim.Adagrad, 0.1),
        "rmsprop": (nn.optim.RMSprop, 0.01),
        "adam": (nn.optim.Adam, 0.01),
        "adamw": (nn.optim.AdamW, 0.01),
    }
    assert list(nn.optim.OPTIMIZERS) == list(expected)
    for name, (kind, lr) in expected.items():
        choice = nn.optim.OPTIMIZERS[name]
        assert choice.lr == lr and choice.summary
        made = choice(params)
        assert type(made) is kind and made.lr == lr
        assert choice(params, lr=0.5).lr == 0.5
    assert nn.optim.OPTIMIZERS["momentum"](params).momentum == 0.9
    assert nn.optim.OPTIMIZERS["sgd"](params).momentum == 0.0


# -- issue 10: hyper-parameters, state and steps that cannot give finite numbers ---------

ALL = [SGD, Adagrad, RMSprop, Adam, AdamW]


@pytest.mark.parametrize(
    ("cls", "hyper", "message"),
    [
        (RMSprop, {"alpha": 2.0}, r"Invalid alpha: 2\.0 \(it must be in \[0, 1\]\)"),
        (RMSprop, {"eps": 0.0}, r"Invalid eps: 0\.0 \(it must be a finite number > 0\)"),
        (Adam, {"eps": 0.0}, r"Invalid eps: 0\.0"),
        (AdamW, {"eps": 0}, r"Invalid eps: 0"),
        (Adagrad, {"eps": 0.0}, r"Invalid eps: 0\.0"),
        (SGD, {"lr": math.inf}, r"Invalid learning rate \(lr\): inf \(it must be a finite"),
        (Adam, {"lr": -math.inf}, r"Invalid learning rate \(lr\): -inf"),
        (RMSprop, {"lr": 10**400}, r"learning rate \(lr\): an int too large for a float"),
        (SGD, {"momentum": math.inf}, "Invalid momentum: inf"),
        (SGD, {"dampening": 2.0}, r"Invalid dampening: 2\.0 \(it must be in \[0, 1\]\)"),
        (SGD, {"dampening": math.nan}, "Invalid dampening: nan"),
        (SGD, {"weight_decay": math.inf}, "Invalid weight_decay: inf"),
        (Adagrad, {"lr_decay": math.inf}, "Invalid lr_decay: inf"),
        (Adagrad, {"initial_accumulator_value": math.nan}, "initial_accumulator_value: nan"),
        (Adam, {"betas": (math.nan, 0.999)}, "beta parameter at index 0: nan"),
        (Adam, {"eps": math.inf}, "Invalid eps: inf"),
        (RMSprop, {"momentum": math.nan}, "Invalid momentum: nan"),
    ],
)
def test_hyperparameters_that_cannot_give_finite_steps_are_refused_up_front(
    cls: type, hyper: dict, message: str
) -> None:
    """Issue 10, row "RMSprop(alpha=2); eps=0 with a zero gradient": a math domain error or
    ZeroDivisionError at step; now ValueError naming the hyper-parameter, at construction.
    An infinite lr (row "any optimizer lr=inf") is refused here too: a learning rate is a
    hyper-parameter, and inf makes every parameter inf or NaN at the first step."""
    with pytest.raises(ValueError, match=message):
        cls([Value(1.0)], **hyper)


@pytest.mark.parametrize(
    ("cls", "hyper"),
    [(SGD, {"nesterov": "no"}), (Adam, {"amsgrad": "yes"}), (RMSprop, {"centered": 2})],
)
def test_switches_must_be_bools(cls: type, hyper: dict) -> None:
    """bool("no") is True: a str or a 2 is a mistake, not a switch."""
    with pytest.raises(TypeError, match="must be True or False"):
        cls([Value(1.0)], **hyper)


def test_zero_gradients_step_without_dividing_by_zero() -> None:
    """With eps > 0 (now required), a parameter that has only seen zero gradients stays put."""
    for cls in (Adagrad, RMSprop, Adam, AdamW):
        x = Value(2.0)
        opt = cls([x], weight_decay=0.0)
        opt.step()  # grad 0.0: was 0 / 0 with eps=0
        assert x.data == 2.0, cls.__name__


@pytest.mark.parametrize(
    ("cls", "name", "value", "message"),
    [
        (SGD, "lr", math.inf, r"Invalid learning rate \(lr\): inf"),
        (RMSprop, "alpha", 2.0, "Invalid alpha: 2.0"),
        (Adam, "eps", 0.0, "Invalid eps: 0.0"),
        (Adam, "betas", (0.9, 1.0), "index 1: 1.0"),
    ],
)
def test_attributes_set_after_construction_are_checked_at_the_next_step(
    cls: type, name: str, value: object, message: str
) -> None:
    x = Value(3.0)
    opt = cls([x], lr=0.1)
    (x * x).backward()
    setattr(opt, name, value)
    with pytest.raises(ValueError, match=message):
        opt.step()
    assert x.data == 3.0


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("step", -5, r"the state of parameter 0: step must be from 0 to 2\*\*63 - 1, got -5"),
        ("step", 2.5, "step must be an int, got float"),
        ("exp_avg", "0.5", "exp_avg must be a finite number, got str"),
        ("sum", 1.0, "holds 'sum', which Adam does not keep"),
    ],
)
def test_state_edited_between_steps_is_checked_at_the_next_step(
    key: str, value: object, message: str
) -> None:
    x = Value(3.0)
    opt = Adam([x], lr=0.1)
    trajectory(opt, x, 1)
    opt.state[x][key] = value
    x_before = x.data
    (x * x).backward()
    with pytest.raises(ValueError, match=message):
        opt.step()
    assert x.data == x_before


def adam_after_steps() -> tuple[Adam, dict[str, Any]]:
    x = Value(START)
    opt = Adam([x, Value(1.0)], lr=0.1, amsgrad=True)
    trajectory(opt, x, 3)
    return opt, opt.state_dict()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda sd: sd["state"][0].update(step=-5), r"state\[0\]: step must be from 0 to 2\*\*63"),
        (lambda sd: sd["state"][0].update(step=True), "step must be an int, got bool"),
        (lambda sd: sd["state"][1].update(step=10**30), "step must be from 0"),
        (lambda sd: sd["state"][1].update(exp_avg_sq=-1.0), r"state\[1\]: exp_avg_sq is -1\.0"),
        (lambda sd: sd["state"][0].update(max_exp_avg_sq=-2.0), r"state\[0\]: max_exp_avg_sq"),
        (lambda sd: sd["state"][0].update(exp_avg=math.nan), r"state\[0\]: exp_avg must be a"),
        (lambda sd: sd["state"][1].update(exp_avg="0.5"), r"state\[1\]: exp_avg must be a"),
        (lambda sd: sd["state"][1].update(exp_avg=[0.5]), r"state\[1\]: exp_avg must be a"),
        (lambda sd: sd["state"][0].pop("exp_avg"), r"state\[0\] lacks 'exp_avg'"),
        (lambda sd: sd["state"][0].update(momentum_buffer=1.0), "which Adam does not keep"),
        (lambda sd: sd["state"].update({2: {"step": 1}}), "state for parameter 2, which none"),
        (lambda sd: sd["state"].update({"x": {}}), "parameter numbers are ints from 0, got 'x'"),
        (lambda sd: sd["state"].update({0: "ab"}), r"state\[0\] must be a dict"),
        (lambda sd: sd["state"].update({"0": sd["state"][1]}), r"entries for parameter 0 \(0 and"),
        (lambda sd: sd["state"].update({"01": sd["state"][1]}), r"parameter 1 \(1 and '01'\)"),
        (lambda sd: sd["state"].update({"\u0661": sd["state"].pop(1)}), "from 0, got '\u0661'"),
        (lambda sd: sd["param_groups"][0].update(eps=0.0), "Invalid eps: 0.0"),
        (lambda sd: sd["param_groups"][0].update(differentiable=True), "differentiable=True"),
        (lambda sd: sd["param_groups"][0].update(params=[0, 0]), "number 0 a second time"),
        (lambda sd: sd["param_groups"][0].update(params=[0, True]), "got True"),
        (lambda sd: sd.update(state=[]), "'state' must be a dict"),
        (lambda sd: sd.pop("param_groups"), "has 'state' and 'param_groups'"),
        (lambda sd: sd.clear() or sd.update(type="Adam", hyperparameters={}), "earlier gradstep"),
    ],
    ids=[
        "step -5", "step true", "step 10**30", "negative v", "negative v max", "nan m",
        "str m", "list in m", "no m", "foreign key", "unlisted parameter", "bad number",
        "str state", "0 and '0'", "1 and '01'", "arabic-indic 1", "eps 0", "differentiable",
        "twice", "bool number", "state a list", "no groups", "old layout",
    ],
)  # fmt: skip
def test_optimizer_state_that_cannot_step_is_refused_when_loaded(edit: Any, message: str) -> None:
    """Issue 10, row "optimizer state with step=-5 or a negative second moment": a math
    domain error at the next step; now ValueError naming the state entry, when loading,
    and nothing changes."""
    opt, saved = adam_after_steps()
    before = opt.state_dict()
    edit(saved)
    with pytest.raises(ValueError, match=message):
        opt.load_state_dict(saved)
    assert opt.state_dict() == before


@pytest.mark.parametrize("cls", [Adam, AdamW, Adagrad, RMSprop])
def test_a_step_past_the_largest_step_count_is_refused_and_changes_nothing(cls: type) -> None:
    """At step 2**63 - 1 the next step stored 2**63, which the optimizer's own
    load_state_dict (and its next step) then refused."""
    x = Value(START)
    opt = cls([x], lr=0.1)
    trajectory(opt, x, 1)
    saved = opt.state_dict()
    saved["state"][0]["step"] = 2**63 - 1
    opt.load_state_dict(saved)
    x.grad, before = 0.5, x.data
    with pytest.raises(OverflowError, match=r"parameter 0 has taken 2\*\*63 - 1 steps"):
        opt.step()
    assert opt.state_dict() == saved and x.data == before


def test_a_second_moment_made_negative_by_hand_is_named_at_the_step() -> None:
    x = Value(START)
    opt = RMSprop([x], lr=0.01)
    trajectory(opt, x, 2)
    opt.state[x]["square_avg"] = -1.0
    f(x).backward()
    with pytest.raises(
        ValueError,
        match=r"RMSprop: the state of parameter 0: square_avg is -1\.0: it is a running",
    ):
        opt.step()


def two_parameters(grad: float) -> tuple[Value, Value]:
    """Parameters a (gradient 1, harmless) and b (gradient ``grad``), labelled."""
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    a.grad, b.grad = 1.0, grad
    return a, b


@pytest.mark.parametrize(
    ("cls", "hyper", "grad", "message"),
    [
        (SGD, {"lr": 1e308}, 6.0, r"SGD: parameter 1 \(b\), at 2\.0 with gradient 6\.0: it"),
        (SGD, {"lr": 1e308, "momentum": 0.9}, 6.0, "parameter 1 \\(b\\).*would become -inf"),
        (Adagrad, {"lr": 1e308}, 1e200, r"its sum would be inf"),
        (RMSprop, {"lr": 0.01}, 1e200, r"its square_avg would be inf"),
        (Adam, {"lr": 0.01}, 1e200, r"Adam step 1: parameter 1 \(b\).*its exp_avg_sq would be inf"),
        (AdamW, {"lr": 0.01}, 1e200, r"AdamW step 1: .*exp_avg_sq would be inf"),
        (Adam, {"lr": 1e308}, 1.0, r"it would become -inf"),
    ],
)
def test_a_step_that_would_overflow_raises_and_changes_nothing(
    cls: type, hyper: dict, grad: float, message: str
) -> None:
    """Issue 10, row "SGD lr=1e308, any optimizer lr=inf, Adam with gradient 1e200": the
    parameters silently became inf or NaN, or stopped moving (Adam: grad² = inf, so the
    step was 0); now OverflowError naming the parameter and the optimizer, and the step is
    all or nothing: parameter a, updated before b, is unchanged too."""
    a, b = two_parameters(grad)
    opt = cls([a, b], **hyper)
    state_before = opt.state_dict()
    with pytest.raises(OverflowError, match=message):
        opt.step()
    assert (a.data, b.data) == (1.0, 2.0)
    assert opt.state_dict() == state_before
    b.grad = 1.0  # with a gradient it can take, the same optimizer steps on
    a.grad = 1.0
    if hyper["lr"] < 1.0:
        opt.step()
        assert a.data != 1.0 and opt.state_dict() != state_before


def test_a_parameter_or_gradient_that_is_not_finite_is_named() -> None:
    a, b = two_parameters(math.nan)
    opt = Adam([a, b])
    with pytest.raises(ValueError, match=r"parameter 1 \(b\), at 2\.0 with gradient nan: not a"):
        opt.step()
    assert (a.data, b.data) == (1.0, 2.0)
    unlabelled = Value(math.inf)
    with pytest.raises(ValueError, match=r"SGD: parameter 0, at inf with gradient 0\.0: not"):
        SGD([unlabelled], lr=0.1).step()
