"""The HTML step-through player of a :class:`~viz.stepper.BackpropStepper`.

One player is a ``<div>`` holding one inline SVG per step (rendered by Graphviz, all
with the same layout), one text panel per step, and controls: previous/next buttons,
a slider, play/pause and the keyboard (arrows, Home/End, space). Only step 1 is visible
before any script runs, so the file still shows something with JavaScript off.

Safety: every piece of user text (labels) is escaped, in the SVG by Graphviz's XML
output of our escaped HTML-like labels and in the text panels by :func:`viz._text.web_html`.
No user text ever goes inside a ``<script>``: the script is a fixed file
(``viz/assets/player.js``) and finds its player by an id made of hex digits. The
stand-alone document adds a Content-Security-Policy that allows only that one script
(by its hash), the inline styles and nothing from the network.

The CSS and JS live in ``viz/assets/`` and are inlined when a player is exported.

The player uses only the public API of :class:`~viz.stepper.BackpropStepper` (its steps,
:meth:`~viz.stepper.BackpropStepper.frame`, its number formatting and texts). The stepper
imports this module to export itself; this module imports the stepper's types for type
checking only, so the dependency runs one way.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from viz._text import remaining_text, web_html

if TYPE_CHECKING:
    from viz.stepper import BackpropStepper, Step

MAX_PLAYER_STEPS = 400
"""The most steps a player draws (one SVG per step)."""

_PLAYER_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")


@cache
def asset(name: str) -> str:
    """The text of ``viz/assets/<name>``."""
    return resources.files("viz").joinpath("assets").joinpath(name).read_text(encoding="utf-8")


def _code(text: str) -> str:
    return f"<code>{web_html(text)}</code>"


def step_html(stepper: BackpropStepper, step: Step) -> str:
    """The text panel of one step (escaped HTML)."""
    f = stepper.format_number
    n = len(stepper)
    labels = {"forward": "forward", "seed": "start", "backward": "backward"}
    parts = [
        f'<header><span class="gs-badge gs-{step.kind}">{labels[step.kind]}</span>'
        f'<span class="gs-stepno">step {step.index + 1} of {n}</span></header>'
    ]
    name = step.node_name
    if step.kind == "forward":
        values = stepper.values_text(step)
        parts.append(f"<h3>compute {_code(f'{name} = {step.expression}')}</h3>")
        parts.append(f'<p class="gs-eq">{_code(f"= {values} = {f(step.node.data)}")}</p>')
        parts.append(
            '<p class="gs-note">Forward pass: each op computes its value from values '
            "already known, from the inputs towards the output.</p>"
        )
    elif step.kind == "seed":
        assert step.grad is not None
        parts.append(f"<h3>start at the output {_code(name)}</h3>")
        parts.append(
            f'<p class="gs-eq">{_code(f"{stepper.gradient_name(step.node)} = {f(step.grad)}")}</p>'
        )
        parts.append(
            '<p class="gs-note">The gradient of the output with respect to itself is '
            f"{web_html(f(step.grad))}. Backpropagation starts here and walks the graph "
            "backwards, one node at a time, in reverse topological order.</p>"
        )
    else:
        assert step.grad is not None
        parts.append(f"<h3>backward through {_code(f'{name} = {step.expression}')}</h3>")
        grad_text = f"{stepper.gradient_name(step.node)} = {f(step.grad)}"
        parts.append(
            f'<p class="gs-grad">gradient of {_code(name)} (complete): {_code(grad_text)}</p>'
        )
        items = []
        for c in step.contributions:
            child = web_html(c.child_name)
            remaining = remaining_text(c.remaining)
            items.append(
                "<li>"
                f'<div class="gs-child"><b>{child}</b> <span class="gs-arg">'
                f"as {web_html(c.argument)}</span></div>"
                f'<div class="gs-row"><span class="gs-k">local derivative</span>'
                f"{_code(c.local_text(f))}</div>"
                f'<div class="gs-row"><span class="gs-k">chain rule, added</span>'
                f"{_code(f'{f(step.grad)} × {f(c.local)} = {f(c.product)}')}</div>"
                f'<div class="gs-row"><span class="gs-k">{child}.grad</span>'
                f"{_code(f'{f(c.grad_before)} → {f(c.grad_after)}')}"
                f' <span class="gs-left">{remaining}</span></div>'
                "</li>"
            )
        parts.append(f'<ol class="gs-children">{"".join(items)}</ol>')
    if step.index == n - 1 and step.kind != "forward":
        parts.append(
            '<p class="gs-done">Done: every gradient is now what <code>backward()</code> '
            "computes.</p>"
        )
    return "".join(parts)


def _render_frames(stepper: BackpropStepper, player_id: str) -> list[str]:
    """One SVG per step, rendered in parallel (each is a separate ``dot`` process)."""
    if len(stepper) > MAX_PLAYER_STEPS:
        raise ValueError(
            f"this graph has {len(stepper)} steps; the player draws at most "
            f"{MAX_PLAYER_STEPS} (one SVG each). Step through a smaller graph, e.g. one "
            "neuron or a batch of one row, or use stepper.trace() for the text"
        )

    def render(i: int) -> str:
        svg = stepper.frame(i, svg_id=f"{player_id}-f{i}").svg()
        return svg[svg.index("<svg") :]

    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(render, range(len(stepper))))


def _markup(stepper: BackpropStepper, player_id: str, *, title: str | None) -> str:
    frames = _render_frames(stepper, player_id)
    n = len(stepper)
    frame_html = "".join(
        f'<div class="gs-frame" data-step="{i}"{" hidden" if i else ""}>{svg}</div>'
        for i, svg in enumerate(frames)
    )
    text_html = "".join(
        f'<section class="gs-step" data-step="{i}"{" hidden" if i else ""}>'
        f"{step_html(stepper, step)}</section>"
        for i, step in enumerate(stepper)
    )
    heading = (
        title if title is not None else f"Backpropagation through {stepper.name(stepper.root)}"
    )
    return (
        f'<div class="gs-player" id="{player_id}" tabindex="0" '
        f'aria-label="step-through backpropagation">'
        f'<div class="gs-top"><div class="gs-title">{web_html(heading)}</div>'
        '<div class="gs-controls" hidden>'
        '<button type="button" class="gs-first" title="first step (Home)">« first</button>'
        '<button type="button" class="gs-prev" title="previous step (←)">◀ prev</button>'
        '<button type="button" class="gs-play" title="play / pause (space)" '
        'aria-pressed="false">▶ play</button>'
        '<button type="button" class="gs-next" title="next step (→)">next ▶</button>'
        '<button type="button" class="gs-last" title="last step (End)">last »</button>'
        f'<input type="range" class="gs-slider" min="0" max="{n - 1}" value="0" step="1" '
        'aria-label="step">'
        f'<span class="gs-counter">step 1 / {n}</span>'
        "</div></div>"
        f'<div class="gs-body"><div class="gs-graph">{frame_html}</div>'
        f'<div class="gs-text">{text_html}</div></div>'
        '<noscript><p class="gs-noscript">JavaScript is off: this shows the first step; '
        "every step is in the text below.</p></noscript>"
        '<details class="gs-trace"><summary>all steps as text</summary>'
        f"<pre>{web_html(stepper.trace())}</pre></details>"
        "</div>"
    )


def _script(player_id: str, *, document_keys: bool) -> str:
    call = f'gradstepPlayer("{player_id}", {"true" if document_keys else "false"});'
    return f"{asset('player.js')}\n{call}\n"


def player_fragment(stepper: BackpropStepper, *, player_id: str | None = None) -> str:
    """The player as an HTML fragment with its own style and script (for notebooks)."""
    pid = player_id if player_id is not None else f"gs-{secrets.token_hex(6)}"
    if not _PLAYER_ID.fullmatch(pid):
        raise ValueError(
            f"player_id must be a letter followed by letters, digits, '-' or '_' "
            f"(at most 64 characters), got {pid!r}"
        )
    markup = _markup(stepper, pid, title=None)
    return (
        f"<style>{asset('player.css')}</style>{markup}"
        f"<script>{_script(pid, document_keys=False)}</script>"
    )


def player_document(stepper: BackpropStepper, *, title: str | None = None) -> str:
    """A whole HTML document holding one player, with a strict Content-Security-Policy."""
    pid = "gs-player"
    script = _script(pid, document_keys=True)
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    policy = (
        f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    heading = (
        title if title is not None else f"Backpropagation through {stepper.name(stepper.root)}"
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{web_html(heading)} · gradstep</title>"
        f"<style>{asset('player.css')}</style></head>"
        f'<body class="gs-page">{_markup(stepper, pid, title=title)}'
        f"<script>{script}</script></body></html>\n"
    )
