"""The exported player, read as HTML: self-contained, safe, frame 0 without JavaScript."""

from __future__ import annotations

import base64
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import autograd
import viz
from autograd import Value
from viz.stepper import MAX_PLAYER_STEPS

SVG = "{http://www.w3.org/2000/svg}"
INJECTIONS = (
    "<img src=x onerror=alert(1)>",
    "</script><script>window.__pwned = 1</script>",
    '"><svg onload=alert(2)>',
)


class Tags(HTMLParser):
    """Every start tag with its attributes, as a browser's tokenizer sees them."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for t, attrs in self.tags if t == tag]


def injected_graph() -> Value:
    xs = [Value(float(i + 1), label=label) for i, label in enumerate(INJECTIONS)]
    out = (xs[0] * xs[1] + xs[2]).tanh()
    out.label = "<b>out</b>"
    return out


def test_to_html_writes_one_self_contained_file(tmp_path: Path, helpers: Any) -> None:
    root, _ = helpers.neuron()
    stepper = viz.BackpropStepper(root, include_forward=True)
    path = stepper.to_html(tmp_path / "player.html", title="One neuron")
    assert path == tmp_path / "player.html" and list(tmp_path.iterdir()) == [path]
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    tags = Tags(text)
    assert [t for t, _ in tags.tags if t in ("link", "img", "iframe", "object", "embed")] == []
    scripts = tags.named("script")
    code = [a for a in scripts if a.get("type") is None]  # the one script that runs
    data = [a for a in scripts if a.get("type") == "application/json"]  # step changes
    assert len(code) == len(data) == 1 and len(scripts) == 2
    assert not [a for a in scripts if "src" in a]
    for _, attrs in tags.tags:  # nothing refers to another file or to the network
        for key in ("src", "href", "xlink:href", "action"):
            assert key not in attrs, attrs
    (policy,) = [a["content"] for a in tags.named("meta") if a.get("http-equiv")]
    assert policy is not None and "default-src 'none'" in policy
    assert len(tags.named("svg")) == 1  # one drawing; later steps are changes to it
    # the same stepper exports the same bytes
    again = stepper.to_html(tmp_path / "again.html", title="One neuron")
    assert again.read_text(encoding="utf-8") == text


def test_only_step_one_is_visible_without_javascript(tmp_path: Path, helpers: Any) -> None:
    root, _ = helpers.neuron()
    stepper = viz.BackpropStepper(root)
    tags = Tags(stepper.to_html(tmp_path / "p.html").read_text(encoding="utf-8"))
    (frame,) = [a for a in tags.named("div") if a.get("class") == "gs-frame"]
    steps = [a for a in tags.named("section") if a.get("class") == "gs-step"]
    assert len(steps) == len(stepper)
    assert "hidden" not in frame and frame.get("data-step") == "0"  # drawn as step 1
    assert ["hidden" in a for a in steps] == [False] + [True] * (len(stepper) - 1)
    (controls,) = [a for a in tags.named("div") if a.get("class") == "gs-controls"]
    assert "hidden" in controls  # buttons appear only when the script runs


def test_fragments_have_unique_ids_so_players_can_share_a_page(helpers: Any) -> None:
    root, _ = helpers.neuron()
    stepper = viz.BackpropStepper(root)
    page = stepper._repr_html_() + stepper.player_html()
    ids = [a["id"] for _, a in Tags(page).tags if a.get("id")]
    assert len(ids) == len(set(ids)) > 2 * len(stepper)
    players = [a["id"] for a in Tags(page).named("div") if a.get("class") == "gs-player"]
    assert len(players) == 2 and players[0] != players[1]
    with pytest.raises(ValueError, match="player_id"):
        stepper.player_html(player_id='x" onmouseover="alert(1)')


def test_injected_labels_are_text_not_markup(tmp_path: Path) -> None:
    stepper = viz.BackpropStepper(injected_graph(), include_forward=True)
    text = stepper.to_html(tmp_path / "p.html").read_text(encoding="utf-8")
    tags = Tags(text)
    assert len([a for a in tags.named("script") if a.get("type") is None]) == 1
    assert tags.named("img") == []
    assert "<b>out</b>" not in text and "&lt;b&gt;out&lt;/b&gt;" in text
    assert [t for t, _ in tags.tags].count("svg") == 1  # no injected <svg>
    for _, attrs in tags.tags:
        assert not [k for k in attrs if k.startswith("on")], attrs
    for label in INJECTIONS:
        assert label not in text  # only ever escaped
    fragment = Tags(stepper.player_html())
    (picture,) = fragment.named("img")  # the fallback's picture of step 1, nothing injected
    assert (picture.get("src") or "").startswith("data:image/png;base64,")
    assert len([a for a in fragment.named("script") if a.get("type") is None]) == 1


def test_frames_keep_the_same_layout(helpers: Any) -> None:
    root, _ = helpers.neuron()
    stepper = viz.BackpropStepper(root, include_forward=True)

    def positions(i: int) -> dict[str, str]:
        tree = ET.fromstring(stepper.frame(i).svg().encode("utf-8"))
        out = {}
        for g in tree.iter(f"{SVG}g"):
            title = g.find(f"{SVG}title")
            shape = g.find(f"{SVG}polygon")
            if shape is None:
                shape = g.find(f"{SVG}path")
            if shape is None:
                shape = g.find(f"{SVG}ellipse")
            if title is not None and shape is not None and g.get("class") == "node":
                geometry = {k: shape.get(k) for k in ("d", "points", "cx", "cy", "rx", "ry")}
                out[title.text or ""] = re.sub(r"\s+", " ", str(geometry))
        return out

    first = positions(0)
    assert len(first) > 10
    for i in (3, 5, 8, len(stepper) - 1):
        assert positions(i) == first, i


def test_too_many_steps_for_a_player(tmp_path: Path) -> None:
    xs = [Value(float(i)) for i in range(MAX_PLAYER_STEPS + 1)]
    total = xs[0]
    for x in xs[1:]:
        total = total + x
    stepper = viz.BackpropStepper(total)
    assert len(stepper) > MAX_PLAYER_STEPS
    with pytest.raises(ValueError, match=f"at most {MAX_PLAYER_STEPS:,}"):
        stepper.to_html(tmp_path / "big.html")
    assert not (tmp_path / "big.html").exists()
    assert autograd.topological_order(total)[-1] is total


def chain(ops: int) -> Value:
    """A chain of ``ops`` ops, tanh and a product by a constant in turn (micrograd-style)."""
    y = Value(0.5, label="x")
    for i in range(ops):
        y = y.tanh() if i % 2 else y * 1.01
    y.label = "y"
    return y


def test_a_200_op_chain_player_is_about_a_megabyte(tmp_path: Path) -> None:
    """Issue 10, row 3 (the player of a 200-op chain): one full SVG per step made
    133 MB of HTML, and as many Graphviz runs. Now the file holds one drawing and what
    each step changes in it: it grows with nodes + steps, not with their product."""
    stepper = viz.BackpropStepper(chain(200))
    path = stepper.to_html(tmp_path / "chain.html")
    text = path.read_text(encoding="utf-8")
    assert path.stat().st_size < 3_000_000
    assert text.count("<svg") == 1
    (data,) = re.findall(r'<script type="application/json" class="gs-data">(.*?)</script>', text)
    steps = json.loads(data)["steps"]
    assert len(steps) == len(stepper) - 1  # one list of changes per step after the first
    assert max(len(step) for step in steps) < 3 * 50  # a step changes a few elements


def test_the_steps_data_escapes_what_could_end_its_script(tmp_path: Path) -> None:
    """The numbers go into a JSON block: a format's fill character can be < > or &."""
    x = Value(2.0, label="x")
    y = (x * 3).tanh()
    for number_format in ("<>12.3f", "&^12.3f", ">>12.3f"):
        stepper = viz.BackpropStepper(y, number_format=number_format, include_forward=True)
        text = stepper.html()
        (data,) = re.findall(r'class="gs-data">(.*?)</script>', text, flags=re.S)
        assert not {"<", ">", "&", "\u2028", "\u2029"} & set(data)
        shown = [v for step in json.loads(data)["steps"] for v in step if isinstance(v, str)]
        assert stepper.format_number(y.data) in shown  # computed in the second step


def test_the_player_refuses_a_graph_too_big_to_draw(tmp_path: Path) -> None:
    y = Value(1.0001, label="x")
    x = y
    for _ in range(399):
        y = y * x  # x used 400 times: long edges, a layout too big to draw
    with pytest.raises(ValueError, match="too big to lay out"):
        viz.BackpropStepper(y).to_html(tmp_path / "p.html")
    assert not (tmp_path / "p.html").exists()


def test_a_notebook_that_runs_no_script_sees_step_one_as_a_picture(helpers: Any) -> None:
    """Untrusted notebooks drop scripts, styles and SVG: what is left must read well."""
    root, _ = helpers.neuron()
    stepper = viz.BackpropStepper(root)
    bundle = stepper._repr_mimebundle_()
    assert set(bundle) == {"text/html", "image/png", "text/plain"}
    png = base64.b64decode(bundle["image/png"])
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert "\n" not in bundle["text/plain"]
    assert f"backprop player of o: {len(stepper)} steps" in bundle["text/plain"]
    assert "jupyter trust" in bundle["text/plain"]
    tags = Tags(bundle["text/html"])
    divs = [(a.get("class"), "hidden" in a) for a in tags.named("div")]
    # the player first, then the fallback, then the live player hidden until its script runs
    assert divs[:3] == [("gs-player", False), ("gs-fallback", False), ("gs-live", True)]
    (picture,) = tags.named("img")
    assert picture["src"] == "data:image/png;base64," + bundle["image/png"]
    assert "Trust Notebook" in bundle["text/html"]
    # the stand-alone page needs no fallback: its script always runs
    page = Tags(stepper.html())
    assert page.named("img") == []
    assert [a for a in page.named("div") if a.get("class") in ("gs-fallback", "gs-live")] == []


def test_only_what_is_asked_for_is_in_the_bundle(helpers: Any) -> None:
    root, _ = helpers.neuron()
    stepper = viz.BackpropStepper(root)
    assert set(stepper._repr_mimebundle_(include=["text/plain"])) == {"text/plain"}
    assert "image/png" not in stepper._repr_mimebundle_(exclude=["image/png"])
