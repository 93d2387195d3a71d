"""The training player in a real headless Chromium (Playwright): controls, numbers, safety.

Screenshots go to test-artifacts/ (gitignored): training-player-*.png.
"""

from __future__ import annotations

import random
import warnings
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

import nn
import viz
from autograd import no_grad
from viz._text import fmt

pytestmark = pytest.mark.browser

HOSTILE = "<img src=x onerror=alert(1)></script><script>window.__pwned=1</script> \"q\" 'q' &amp;"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[nn.History, Path]:
    """The demo's run: moons, MLP 2-16-16-1 with BatchNorm, Adam, 60 epochs; its player."""
    X, y = nn.data.make_moons(200, noise=0.1, seed=0)
    X_train, X_test, y_train, y_test = nn.data.train_test_split(X, y, test_size=0.25, seed=0)
    model = nn.MLP(2, [16, 16, 1], activation="relu", batchnorm=True, seed=0)
    history = nn.fit(
        model,
        X_train,
        y_train,
        loss=nn.binary_cross_entropy_with_logits,
        optimizer=nn.optim.Adam(model.parameters(), lr=0.02),
        epochs=60,
        batch_size=30,
        seed=0,
        validation_data=(X_test, y_test),
        progress=False,
        record=True,
    )
    path = viz.TrainingPlayer(history).to_html(tmp_path_factory.mktemp("demo") / "demo.html")
    return history, path


def small_run(*, model: nn.Module | None = None, lr: float = 0.05, features: int = 2) -> nn.History:
    X, y = nn.data.make_moons(40, noise=0.1, seed=0)
    if features == 3:
        X = [[a, b, a * b] for a, b in X]
    X_train, X_val, y_train, y_val = nn.data.train_test_split(X, y, test_size=0.25, seed=0)
    model = model or nn.MLP(features, [5, 4, 1], batchnorm=True, seed=0)
    return nn.fit(
        model,
        X_train,
        y_train,
        loss=nn.binary_cross_entropy_with_logits,
        optimizer=nn.optim.SGD(model.parameters(), lr=lr),
        epochs=6,
        batch_size=10,
        seed=0,
        validation_data=(X_val, y_val),
        progress=False,
        record=True,
    )


def shown_frame(page: Any, root: str = "#gt-player") -> int:
    return int(page.locator(root).get_attribute("data-gt-frame"))


def stat(page: Any, field: str, card: str = "#gt-player .gt-run") -> str:
    return str(page.locator(f"{card} .gt-stat[data-field='{field}'] b").inner_text())


def check_numbers(page: Any, history: nn.History, k: int) -> None:
    """The text shown at frame k equals the recording, to 4 significant digits."""
    frame = history.recording["frames"][k]  # type: ignore[index]
    assert shown_frame(page) == k
    assert stat(page, "epoch").startswith(f"{k} of 60")
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert stat(page, key) == fmt(frame[key], ".4g"), key
    values = page.locator("#gt-player .gt-grad-value").all_inner_texts()
    mags = frame["grad_magnitudes"]  # None in frame 0: no step yet
    expected = [fmt(mags[name], ".4g") if mags else "\u2013" for name in history.grad_magnitudes]
    assert values[: len(expected)] == expected


@pytest.mark.slow
def test_the_demo_file_is_small(demo: tuple[nn.History, Path]) -> None:
    _, path = demo
    assert path.stat().st_size <= 3_000_000


@pytest.mark.slow
def test_the_demo_run_plays_steps_and_slides(
    page: tuple[Any, Any], demo: tuple[nn.History, Path], artifacts: Path
) -> None:
    page_, watch = page
    history, path = demo
    page_.goto(path.as_uri())
    p = page_
    check_numbers(p, history, 0)
    assert stat(p, "epoch") == "0 of 60, initial model"
    assert "no gradient yet" in p.locator("#gt-player .gt-grad-note").inner_text()
    p.click("#gt-player .gt-last")
    check_numbers(p, history, 60)
    p.screenshot(path=str(artifacts / "training-player-demo.png"))
    p.click("#gt-player .gt-prev")
    check_numbers(p, history, 59)
    slider = p.locator("#gt-player .gt-slider")
    slider.evaluate("(el) => { el.value = '30'; el.dispatchEvent(new Event('input')); }")
    check_numbers(p, history, 30)
    p.locator("#gt-player .gt-title").click()
    p.keyboard.press("ArrowRight")
    check_numbers(p, history, 31)
    p.keyboard.press("ArrowLeft")
    p.keyboard.press("ArrowLeft")
    check_numbers(p, history, 29)
    p.keyboard.press("Home")
    assert shown_frame(p) == 0 and p.locator("#gt-player .gt-prev").is_disabled()
    assert p.locator("#gt-player .gt-first").is_disabled()

    # play runs to the end by itself and stops; space starts it again from the start
    slider.evaluate("(el) => { el.value = '52'; el.dispatchEvent(new Event('input')); }")
    p.evaluate("document.getElementById('gt-player').setAttribute('data-gt-interval', '30')")
    play = p.locator("#gt-player .gt-play")
    play.click()
    assert play.get_attribute("aria-pressed") == "true"
    expect(p.locator("#gt-player")).to_have_attribute("data-gt-frame", "60", timeout=15_000)
    expect(play).to_have_attribute("aria-pressed", "false")
    p.evaluate("document.getElementById('gt-player').setAttribute('data-gt-interval', '60000')")
    p.keyboard.press("Space")
    assert shown_frame(p) == 0 and play.get_attribute("aria-pressed") == "true"
    p.keyboard.press("Space")
    assert play.get_attribute("aria-pressed") == "false"

    # a neuron and a link, at epoch 30: weights, gradients, the formula's numbers
    slider.evaluate("(el) => { el.value = '30'; el.dispatchEvent(new Event('input')); }")
    frame = history.recording["frames"][30]  # type: ignore[index]
    p.focus("#gt-player .gt-neuron[data-layer='1'][data-unit='2']")
    info = p.locator("#gt-player .gt-info").inner_text()
    assert "layer 2, neuron 2" in info
    assert fmt(frame["state"]["4.bias"][2], ".4g") in info  # beta: Linear 3 has no bias
    assert fmt(frame["grads"]["4.bias"][2], ".4g") in info
    assert fmt(frame["state"]["4.running_mean"][2], ".4g") in info
    assert fmt(frame["batchnorm"]["4"]["batch_var"][2], ".4g") in info
    # z at the probe point (the first training point), from the model at epoch 30
    model = nn.MLP(2, [16, 16, 1], batchnorm=True, seed=0)
    model.load_state_dict(frame["state"])
    model.eval()
    probe = history.recording["data"]["X"][0]  # type: ignore[index]
    with no_grad():
        z = model[0:4](probe)[2].data  # type: ignore[index]
        a = model[0:6](probe)[2].data  # type: ignore[index]
    assert f"= {fmt(z, '.4g')}" in info
    assert f"relu({fmt(z, '.4g')})" not in info  # relu acts on ẑ, after BatchNorm
    assert info.rstrip().endswith(f"= {fmt(a, '.4g')}")
    p.focus("#gt-player .gt-hit[data-layer='1'][data-to='3'][data-from='5']")
    info = p.locator("#gt-player .gt-info").inner_text()
    assert "3.weight[3,5]" in info
    assert fmt(frame["state"]["3.weight"][3][5], ".4g") in info
    assert fmt(frame["grads"]["3.weight"][3][5], ".4g") in info
    p.screenshot(path=str(artifacts / "training-player-details.png"))

    p.set_viewport_size({"width": 900, "height": 820})
    p.screenshot(path=str(artifacts / "training-player-narrow.png"), full_page=True)
    assert watch.errors == [] and watch.dialogs == []
    assert watch.requests == [path.as_uri()]  # the file itself, nothing else


class TwoLayers(nn.Module):
    """A model the network view cannot draw (not a Sequential)."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden = nn.Linear(2, 3, seed=0)
        self.out = nn.Linear(3, 1, seed=1)

    def forward(self, x: Any) -> Any:
        return self.out(nn.Tanh()(self.hidden(x)))


def test_runs_side_by_side_with_hostile_names(
    page: tuple[Any, Any], tmp_path: Path, artifacts: Path
) -> None:
    p, watch = page
    first = small_run()
    rec = first.recording
    assert rec is not None
    old_name = rec["grad_layers"][0]
    rec["grad_layers"][0] = HOSTILE  # a layer name as hostile as a run name
    for frame in rec["frames"][1:]:
        frame["grad_magnitudes"][HOSTILE] = frame["grad_magnitudes"].pop(old_name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        diverged = small_run(lr=1e150)
    assert diverged.recording["diverged"] is not None  # type: ignore[index]
    names = [HOSTILE, 'diverged & "lost"', "<b>TwoLayers</b>"]
    player = viz.TrainingPlayer([first, diverged, small_run(model=TwoLayers())], names=names)
    path = player.to_html(tmp_path / "compare.html")
    p.goto(path.as_uri())
    cards = [f"#gt-player .gt-run[data-run='{i}']" for i in range(3)]
    for card, name in zip(cards, names, strict=True):
        assert p.locator(f"{card} .gt-run-name").inner_text() == name
    assert p.locator("#gt-player .gt-title").inner_text().startswith("Training: <img")
    assert HOSTILE in p.locator(f"{cards[0]} .gt-grads").inner_text()
    assert p.locator(f"{cards[0]} .gt-grad-name").first.get_attribute("title") == HOSTILE
    assert "No network view" in p.locator(f"{cards[2]} .gt-net").inner_text()
    assert "TwoLayers" in p.locator(f"{cards[2]} .gt-net").inner_text()

    # one slider moves every run
    p.click("#gt-player .gt-next")
    p.click("#gt-player .gt-next")
    for card, run in ((cards[0], first), (cards[2], None)):
        assert stat(p, "epoch", card).startswith("2 of 6")
        if run is not None:
            frame = run.recording["frames"][2]  # type: ignore[index]
            assert stat(p, "loss", card) == fmt(frame["loss"], ".4g")
            bar = p.locator(f"{card} .gt-grad-value").first.inner_text()
            assert bar == fmt(frame["grad_magnitudes"][HOSTILE], ".4g")
    # the diverged run stays on its last finite frame, marked
    assert stat(p, "epoch", cards[1]).startswith("0 of 6")
    assert p.locator(f"{cards[1]} .gt-badge").is_visible()
    note = p.locator(f"{cards[1]} .gt-diverged-note").inner_text()
    assert note.startswith("Diverged at epoch 1, step") and "overflowed" in note
    assert not p.locator(f"{cards[0]} .gt-badge").is_visible()
    p.screenshot(path=str(artifacts / "training-player-compare.png"), full_page=True)

    assert watch.dialogs == [] and watch.errors == []
    assert p.evaluate("window.__pwned") is None
    assert p.locator("#gt-player img, #gt-player b.gt-v b").count() == 0
    assert watch.requests == [path.as_uri()]


def test_notebook_players_and_inputs_that_are_not_2d(page: tuple[Any, Any]) -> None:
    """Two notebook fragments on one page, without a Content-Security-Policy."""
    p, watch = page
    flat = viz.TrainingPlayer(small_run(features=3), names=["3 features"])
    plane = viz.TrainingPlayer(small_run(), names=[HOSTILE], max_frames=4)  # of 7
    p.set_content(
        "<!DOCTYPE html><html><body>"
        f"<div class='cell'>{flat._repr_html_()}</div>"
        f"<div class='cell'>{plane._repr_html_()}</div>"
        "</body></html>"
    )
    ids = p.eval_on_selector_all(".gt-player", "els => els.map(e => e.id)")
    assert len(ids) == 2 and ids[0] != ids[1]
    a, b = (f"#{i}" for i in ids)
    missing = p.locator(f"{a} .gt-grid-missing").inner_text()
    assert "No heatmaps or decision boundary: the inputs have 3 features" in missing
    assert p.locator(f"{a} .gt-net-svg .gt-neuron").count() == 3 + 5 + 4 + 1
    assert p.locator(f"{a} .gt-curve[data-curve='loss'] path.gt-series").count() == 2
    note = p.locator(f"{b} .gt-subsampled").inner_text()
    assert note.startswith("Showing 4 of 7 recorded frames, evenly spaced")
    assert p.locator(f"{a} .gt-subsampled").count() == 0
    # keys move only the player that has focus
    p.locator(f"{b} .gt-title").click()
    p.keyboard.press("ArrowRight")
    assert (shown_frame(p, a), shown_frame(p, b)) == (0, 1)
    p.locator(f"{a} .gt-title").click()
    p.keyboard.press("End")
    assert (shown_frame(p, a), shown_frame(p, b)) == (6, 1)
    assert watch.errors == [] and watch.dialogs == []
    assert p.evaluate("window.__pwned") is None
    assert p.locator(f"{b} .gt-run-name").inner_text() == HOSTILE


def test_numbers_are_formatted_like_python(page: tuple[Any, Any]) -> None:
    """The page's number format is Python's ".4g", exact ties (to even) included."""
    p, watch = page
    p.set_content(viz.TrainingPlayer(small_run()).player_html())
    rng = random.Random(0)
    values = [2.0625, -2.0625, 0.0078125, 9.9995, 99995.0, 1234.5, 1e-5, 123456.0, 0.5, -0.0]
    values += [rng.uniform(-1, 1) * 10 ** rng.randint(-9, 9) for _ in range(300)]
    values += [rng.randint(1, 99999) / 2 ** rng.randint(0, 12) for _ in range(300)]
    shown = p.evaluate("xs => xs.map(window.gradstepTrainingPlayer.format)", values)
    assert shown == [fmt(v, ".4g") for v in values]
    assert p.evaluate("[NaN, Infinity, -Infinity].map(window.gradstepTrainingPlayer.format)") == [
        "nan",
        "inf",
        "-inf",
    ]
    assert watch.errors == []
