"""The exported player in a real headless Chromium (Playwright): every control, and safety.

Screenshots go to test-artifacts/ (gitignored).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

import viz
from autograd import Value
from viz._text import fmt

pytestmark = pytest.mark.browser

INJECTIONS = (
    "<img src=x onerror=alert(1)>",
    "</script><script>window.__pwned = 1; alert(2)</script>",
    '"><svg onload="window.__pwned = 2">',
)


@dataclass
class Watch:
    """Everything the page does that a test wants to see none of (or check)."""

    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


@pytest.fixture
def page(browser: Any) -> Iterator[tuple[Any, Watch]]:
    context = browser.new_context(viewport={"width": 1400, "height": 820})
    page = context.new_page()
    watch = Watch()
    page.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: watch.errors.append(str(e)))

    def on_dialog(dialog: Any) -> None:
        watch.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("request", lambda r: watch.requests.append(r.url))
    yield page, watch
    context.close()


def visible_step(page: Any, root: str = "#gs-player") -> int:
    frames = page.locator(f"{root} .gs-frame:visible")
    texts = page.locator(f"{root} .gs-step:visible")
    assert frames.count() == 1 and texts.count() == 1
    step = frames.first.get_attribute("data-step")
    assert texts.first.get_attribute("data-step") == step
    assert page.locator(f"{root} .gs-slider").input_value() == step
    return int(step)


def test_click_through_every_step(page: Any, tmp_path: Path, artifacts: Path, helpers: Any) -> None:
    page, watch = page
    root, _ = helpers.neuron()
    stepper = viz.BackpropStepper(root, include_forward=True)
    path = stepper.to_html(tmp_path / "neuron.html")
    page.goto(path.as_uri())
    n = len(stepper)
    assert visible_step(page) == 0
    assert page.locator("#gs-player .gs-counter").inner_text() == f"step 1 / {n}"
    assert page.locator(".gs-prev").is_disabled()
    page.screenshot(path=str(artifacts / "player-step-1.png"))

    for i, step in enumerate(stepper):
        assert visible_step(page) == i
        text = page.locator("#gs-player .gs-step:visible").inner_text()
        assert f"step {i + 1} of {n}" in text
        assert step.node_name in text
        for c in step.contributions:
            assert c.formula in text and c.child_name in text
            assert fmt(c.product, ".4g") in text
            assert f"{fmt(c.grad_before, '.4g')} → {fmt(c.grad_after, '.4g')}" in text
        frame_text = page.locator("#gs-player .gs-frame:visible svg").text_content()
        assert step.node_name in frame_text
        assert page.locator("#gs-player .gs-counter").inner_text() == f"step {i + 1} / {n}"
        if i == 7:
            page.screenshot(path=str(artifacts / "player-step-8.png"))
        if i < n - 1:
            page.click("#gs-player .gs-next")
    assert page.locator(".gs-next").is_disabled()
    assert "Done" in page.locator("#gs-player .gs-step:visible").inner_text()
    page.click("#gs-player .gs-prev")
    assert visible_step(page) == n - 2
    page.click("#gs-player .gs-first")
    assert visible_step(page) == 0
    page.click("#gs-player .gs-last")
    assert visible_step(page) == n - 1
    assert watch.errors == [] and watch.dialogs == []
    assert watch.requests == [path.as_uri()]  # the file itself, nothing else


def test_slider_keyboard_and_play(page: Any, tmp_path: Path, helpers: Any) -> None:
    page, watch = page
    root, _ = helpers.neuron()
    stepper = viz.BackpropStepper(root)
    n = len(stepper)
    page.goto(stepper.to_html(tmp_path / "p.html").as_uri())

    slider = page.locator("#gs-player .gs-slider")
    slider.focus()
    page.keyboard.press("ArrowRight")  # the slider's own keyboard handling
    assert visible_step(page) == 1
    slider.evaluate("(el) => { el.value = '3'; el.dispatchEvent(new Event('input')); }")
    assert visible_step(page) == 3

    page.locator("#gs-player .gs-title").click()
    page.keyboard.press("ArrowRight")
    assert visible_step(page) == 4
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert visible_step(page) == 2
    page.keyboard.press("End")
    assert visible_step(page) == n - 1
    page.keyboard.press("Home")
    assert visible_step(page) == 0

    # play runs to the end by itself and stops; pause stops it
    page.evaluate("document.getElementById('gs-player').setAttribute('data-gs-interval', '40')")
    play = page.locator("#gs-player .gs-play")
    play.click()
    assert play.get_attribute("aria-pressed") == "true"
    # (expect() polls without eval, which the file's Content-Security-Policy forbids)
    expect(page.locator("#gs-player")).to_have_attribute("data-gs-current", str(n - 1))
    expect(play).to_have_attribute("aria-pressed", "false")
    assert visible_step(page) == n - 1
    page.evaluate("document.getElementById('gs-player').setAttribute('data-gs-interval', '60000')")
    page.keyboard.press("Space")  # from the end, play starts over
    assert visible_step(page) == 0 and play.get_attribute("aria-pressed") == "true"
    play.click()
    assert play.get_attribute("aria-pressed") == "false"
    assert watch.errors == [] and watch.dialogs == []


def test_frame_one_shows_without_javascript(browser: Any, tmp_path: Path, helpers: Any) -> None:
    root, _ = helpers.neuron()
    stepper = viz.BackpropStepper(root)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(stepper.to_html(tmp_path / "p.html").as_uri())
    assert page.locator(".gs-frame:visible").count() == 1
    assert page.locator(".gs-frame").first.is_visible()
    assert page.locator(".gs-frame:visible svg").text_content().count("grad") >= 5
    assert "start at the output" in page.locator(".gs-step:visible").inner_text()
    assert not page.locator(".gs-controls").is_visible()
    assert page.locator(".gs-noscript").is_visible()
    context.close()


def injected_stepper() -> viz.BackpropStepper:
    xs = [Value(float(i + 1), label=label) for i, label in enumerate(INJECTIONS)]
    out = (xs[0] * xs[1] + xs[2]).tanh()
    out.label = "<b>out</b>"
    return viz.BackpropStepper(out, include_forward=True)


def check_injections_inert(page: Any, watch: Watch, root: str) -> None:
    n = page.locator(f"{root} .gs-step").count()
    for _ in range(n - 1):
        page.click(f"{root} .gs-next")
    assert watch.dialogs == []
    assert page.evaluate("window.__pwned") is None
    assert page.locator(f"{root} img").count() == 0
    assert page.locator(f"{root} .gs-frame:visible svg svg").count() == 0
    shown = page.locator(f"{root} .gs-step:visible").inner_text()
    assert INJECTIONS[0] in shown  # the label is shown as text
    svg_text = page.locator(f"{root} .gs-frame:visible svg").text_content()
    for label in INJECTIONS:
        assert label in svg_text
    assert "<b>out</b>" in page.locator(f"{root} .gs-trace pre").text_content()


def test_injection_labels_run_nothing_in_the_file(
    page: Any, tmp_path: Path, artifacts: Path
) -> None:
    page, watch = page
    path = injected_stepper().to_html(tmp_path / "injected.html")
    page.goto(path.as_uri())
    check_injections_inert(page, watch, "#gs-player")
    page.screenshot(path=str(artifacts / "player-injection-labels.png"))
    assert watch.errors == []
    assert watch.requests == [path.as_uri()]


def test_two_notebook_players_on_one_page_without_csp(page: Any, helpers: Any) -> None:
    """The notebook fragment, where no Content-Security-Policy helps: escaping alone."""
    page, watch = page
    root, _ = helpers.neuron()
    first = injected_stepper()
    second = viz.BackpropStepper(root)
    page.set_content(
        "<!DOCTYPE html><html><body>"
        f"<div class='cell'>{first._repr_html_()}</div>"
        f"<div class='cell'>{second._repr_html_()}</div>"
        "</body></html>"
    )
    ids = page.eval_on_selector_all(".gs-player", "els => els.map(e => e.id)")
    assert len(ids) == 2 and ids[0] != ids[1]
    a, b = (f"#{i}" for i in ids)
    check_injections_inert(page, watch, a)
    # the second player did not move; its keys work only while it has focus
    assert visible_step(page, b) == 0
    page.locator(f"{b} .gs-title").click()
    page.keyboard.press("ArrowRight")
    assert visible_step(page, b) == 1
    assert visible_step(page, a) == len(first) - 1
    page.click(f"{a} .gs-first")
    assert visible_step(page, a) == 0 and visible_step(page, b) == 1
    assert watch.errors == [] and watch.dialogs == []
    assert not [u for u in watch.requests if u != "about:blank"]
