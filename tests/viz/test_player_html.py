"""The exported player, read as HTML: self-contained, safe, frame 0 without JavaScript."""

from __future__ import annotations

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
    assert len(scripts) == 1 and "src" not in scripts[0]
    for _, attrs in tags.tags:  # nothing refers to another file or to the network
        for key in ("src", "href", "xlink:href", "action"):
            assert key not in attrs, attrs
    (policy,) = [a["content"] for a in tags.named("meta") if a.get("http-equiv")]
    assert policy is not None and "default-src 'none'" in policy
    assert len(tags.named("svg")) == len(stepper)
    # the same stepper exports the same bytes
    again = stepper.to_html(tmp_path / "again.html", title="One neuron")
    assert again.read_text(encoding="utf-8") == text


def test_only_step_one_is_visible_without_javascript(tmp_path: Path, helpers: Any) -> None:
    root, _ = helpers.neuron()
    stepper = viz.BackpropStepper(root)
    tags = Tags(stepper.to_html(tmp_path / "p.html").read_text(encoding="utf-8"))
    frames = [a for a in tags.named("div") if a.get("class") == "gs-frame"]
    steps = [a for a in tags.named("section") if a.get("class") == "gs-step"]
    assert len(frames) == len(steps) == len(stepper)
    assert ["hidden" in a for a in frames] == [False] + [True] * (len(stepper) - 1)
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
    assert len(tags.named("script")) == 1
    assert tags.named("img") == []
    assert "<b>out</b>" not in text and "&lt;b&gt;out&lt;/b&gt;" in text
    assert [t for t, _ in tags.tags].count("svg") == len(stepper)  # no injected <svg>
    for _, attrs in tags.tags:
        assert not [k for k in attrs if k.startswith("on")], attrs
    for label in INJECTIONS:
        assert label not in text  # only ever escaped
    fragment = stepper.player_html()
    assert Tags(fragment).named("img") == [] and len(Tags(fragment).named("script")) == 1


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
    with pytest.raises(ValueError, match="at most 400"):
        stepper.to_html(tmp_path / "big.html")
    assert not (tmp_path / "big.html").exists()
    assert autograd.topological_order(total)[-1] is total
