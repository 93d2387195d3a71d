"""The exported player in a real headless Chromium (Playwright): every control, and safety.

Screenshots go to test-artifacts/ (gitignored).
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

import autograd
import viz
from autograd import Value
from viz._text import fmt, shorten

pytestmark = pytest.mark.browser

INJECTIONS = (
    "<img src=x onerror=alert(1)>",
    "</script><script>window.__pwned = 1; alert(2)</script>",
    '"><svg onload="window.__pwned = 2">',
)


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


def check_injections_inert(page: Any, watch: Any, root: str) -> None:
    n = page.locator(f"{root} .gs-step").count()
    for _ in range(n - 1):
        page.click(f"{root} .gs-next")
    assert watch.dialogs == []
    assert page.evaluate("window.__pwned") is None
    assert page.locator(f"{root} img").count() == 0
    assert page.locator(f"{root} .gs-frame:visible svg svg").count() == 0
    shown = page.locator(f"{root} .gs-step:visible").inner_text()
    assert INJECTIONS[0] in shown  # the label is shown as text
    svg = page.locator(f"{root} .gs-frame:visible svg")
    svg_text = svg.text_content()
    tooltips = svg.evaluate(
        "(el) => Array.from(el.querySelectorAll('a')).map((a) => a.getAttribute('xlink:title'))"
    )
    for label in INJECTIONS:
        assert shorten(label) in svg_text  # a long label is cut...
        assert label in svg_text or label in tooltips  # ...and whole in its tooltip
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


# -- one drawing, changed step by step (issue 10) -----------------------------------------------

SVG_NS = "{http://www.w3.org/2000/svg}"


def go_to(page: Any, step: int, root: str = "#gs-player") -> None:
    """Move the slider to ``step`` as a person would (one input event)."""
    page.locator(f"{root} .gs-slider").fill(str(step))
    assert visible_step(page, root) == step


def chain(ops: int) -> Value:
    y = Value(0.5, label="x")
    for i in range(ops):
        y = y.tanh() if i % 2 else y * 1.01
    y.label = "y"
    return y


def test_a_200_op_chain_player_shows_each_steps_gradients(
    page: Any, tmp_path: Path, artifacts: Path
) -> None:
    """Issue 10, row 3: the player of a 200-op chain, now one drawing and its changes,
    shows at each step (reached forwards, backwards or by a jump) the gradients that
    stepper.grads_at(step) holds, and "?" for those not reached yet."""
    page, watch = page
    stepper = viz.BackpropStepper(chain(200))
    path = stepper.to_html(tmp_path / "chain.html")
    page.goto(path.as_uri())
    order = stepper.order
    for step in (0, 1, 2, 3, 150, len(stepper) - 1, 57, 4, 0, 120):
        go_to(page, step)
        grads = stepper.grads_at(step)
        shown = page.eval_on_selector_all(
            "#gs-player .gs-frame g.node[id^='gs-player-g-n']",
            "gs => gs.map(g => [g.id, Array.from(g.querySelectorAll('text')).pop().textContent])",
        )
        assert len(shown) == len(order)
        for element_id, text in shown:
            value = order[int(element_id.rsplit("-n", 1)[1])]
            if isinstance(value, autograd.Constant):
                continue  # a constant's box has no grad row
            expected = fmt(grads[value], ".4g") if value in grads else "?"
            assert text == expected, (step, element_id)
        if step == 57:
            page.screenshot(path=str(artifacts / "player-chain-step-58.png"))
    assert watch.errors == [] and watch.dialogs == []


def svg_elements(svg: str) -> dict[str, list[tuple[str, dict[str, str | None], str]]]:
    """Each node's and edge's drawn parts, by their Graphviz name (the <title>)."""
    root = ET.fromstring(svg[svg.index("<svg") :])
    out = {}
    for g in root.iter(f"{SVG_NS}g"):
        title = g.find(f"{SVG_NS}title")
        if g.get("class") not in ("node", "edge") or title is None:
            continue
        parts = []
        for element in g.iter():
            tag = element.tag.removeprefix(SVG_NS)
            if (
                tag in ("path", "polygon", "ellipse", "text")
                and element.get("visibility") != "hidden"
            ):
                attributes = ("fill", "stroke", "stroke-width", "stroke-dasharray", "font-weight")
                look = {a: element.get(a) for a in (*attributes, "d", "points", "x", "y")}
                parts.append((tag, look, "".join(element.itertext())))
        out["".join(title.itertext())] = parts
    return out


def assert_same_drawing(player: str, frame: str, step: int) -> None:
    """The player's drawing at a step is the frame Graphviz draws for it: the same parts
    with the same colours, borders, shapes and texts, each text within 0.02 pt of its
    place (Graphviz writes two decimals; the player computes some places itself)."""
    mine, expected = svg_elements(player), svg_elements(frame)
    assert mine.keys() == expected.keys()
    for name, parts in expected.items():
        assert len(mine[name]) == len(parts), (step, name)
        for (tag, look, text), (tag_now, look_now, text_now) in zip(parts, mine[name], strict=True):
            assert (tag, text) == (tag_now, text_now), (step, name)
            for attribute, value in look.items():
                now = look_now[attribute]
                if attribute in ("x", "y") and value is not None and now is not None:
                    assert abs(float(value) - float(now)) <= 0.02, (
                        step,
                        name,
                        text,
                        attribute,
                        value,
                        now,
                    )
                else:
                    assert now == value, (step, name, text, attribute)


def pixels_differing(first: bytes, second: bytes) -> float:
    """The share of pixels that differ between two screenshots of the same size."""
    from PIL import Image, ImageChops

    a = Image.open(io.BytesIO(first)).convert("RGB")
    b = Image.open(io.BytesIO(second)).convert("RGB")
    assert a.size == b.size
    mask = ImageChops.difference(a, b).convert("L").point(lambda v: 255 if v > 40 else 0)
    return sum(mask.histogram()[255:]) / (a.size[0] * a.size[1])


def subtraction_graph() -> Value:
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    y = (a - b) / (a**2) + a * a  # marks a/b on -, / and **; a used four times
    y.label = "y"
    return y


def power(n: int) -> Value:
    x = Value(1.0001, label="x")
    y = x
    for _ in range(n - 1):
        y = y * x
    return y


@pytest.mark.parametrize("graph", ["neuron", "marks", "long-edges"])
def test_each_step_looks_as_its_own_frame(
    page: Any, helpers: Any, artifacts: Path, graph: str
) -> None:
    """Issue 10, row 3: the player changes one drawing step by step, and every step
    looks as the frame Graphviz draws for that step alone (what the player showed
    before, one SVG per step): compared part by part, and pixel by pixel on screen.
    The graph with long edges is drawn with the fast layout."""
    page, watch = page
    roots = {"neuron": helpers.neuron()[0], "marks": subtraction_graph(), "long-edges": power(50)}
    stepper = viz.BackpropStepper(roots[graph], include_forward=True)
    page.set_content(stepper.html())
    n = len(stepper)
    frame = page.locator("#gs-player .gs-frame")
    steps = [*range(n), *range(n - 2, -1, -1)]  # forwards to the end, then all the way back
    if graph == "long-edges":
        assert "nslimit" in stepper.frame(0).source
        steps = [0, 1, 2, 30, 49, 50, 77, 98, 10, 0]
    for step in steps:
        go_to(page, step)
        expected = stepper.frame(step, svg_id="gs-player-g").svg()
        assert_same_drawing(frame.inner_html(), expected, step)
    for step in (0, n // 2, n - 1):
        go_to(page, step)
        now = frame.locator("svg").screenshot()
        # The frame of this step in the same place and size, the player's drawing hidden.
        frame.evaluate(
            "(el, svg) => { const live = el.firstElementChild;"
            " el.insertAdjacentHTML('beforeend', '<div class=\"gs-alone\">' + svg + '</div>');"
            " const alone = el.lastElementChild.firstElementChild;"
            " alone.setAttribute('style', live.getAttribute('style') || '');"
            " live.style.display = 'none'; }",
            stepper.frame(step).svg(),
        )
        before = frame.locator(".gs-alone svg").screenshot()
        frame.evaluate(
            "(el) => { el.lastElementChild.remove(); el.firstElementChild.style.display = ''; }"
        )
        (artifacts / f"player-{graph}-step-{step + 1}-now.png").write_bytes(now)
        (artifacts / f"player-{graph}-step-{step + 1}-frame.png").write_bytes(before)
        assert pixels_differing(now, before) < 0.005, step
    assert watch.errors == [] and watch.dialogs == []
