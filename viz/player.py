"""The HTML step-through player of a :class:`~viz.stepper.BackpropStepper`.

One player is a ``<div>`` holding ONE inline SVG (the graph, laid out once by Graphviz),
one text panel per step, and controls: previous/next buttons, a slider, play/pause and
the keyboard (arrows, Home/End, space).

**One drawing, and per step only what changes.** Every step draws the same layout:
only colours, borders, the numbers in the boxes and the notes on lit edges differ. So
the file holds the drawing of step 1 and, for each later step, the list of changes from
the step before (a text, a colour, a border width, an edge's shape when it is lit),
as compact JSON that ``viz/assets/player.js`` applies (and undoes, to go back). The file
grows with nodes + steps, not with their product: a 200-op chain is about 1 MB instead
of over 100 MB, and Graphviz runs a few times, not once per step. Without JavaScript
the drawing shows step 1, as it is written.

How the changes are found, so that every step looks exactly as a drawing of that step
alone (:meth:`~viz.stepper.BackpropStepper.frame`):

* :class:`~viz.graph.GraphBuilder` says how each box, oval and edge looks in each step
  (the same code that draws a single frame);
* Graphviz draws the graph with every edge plain and with every edge lit (a lit arrow is
  bigger, so its edge is shaped differently);
* a small Graphviz drawing measures every number shown, because Graphviz right-aligns
  numbers in their cells by its own text widths (and sets bold ones a point higher);
* the notes on lit edges (the amount a step adds) are placed by Graphviz once more, a
  group of steps whose notes are far apart at a time, because notes placed together
  push each other away.

**Notebooks that run no script.** JupyterLab shows the outputs of a notebook it does
not trust (one it did not run itself) sanitized: no scripts, no styles, no SVG. So in a
notebook (:func:`player_fragment`) the player comes hidden behind a PNG of step 1 and one
line saying how to trust the notebook (:func:`fallback_html`), and its script swaps them;
the stepper's mimebundle also carries that PNG and line for viewers without HTML.

Safety: every piece of user text (labels) is escaped, in the SVG by Graphviz's XML
output of our escaped HTML-like labels, in the text panels by :func:`viz._text.web_html`,
and in the JSON by escaping ``<``, ``>``, ``&`` and the line separators (the script sets
texts with ``textContent``, which never parses markup). No user text ever goes inside
an executable ``<script>``: the script is a fixed file (``viz/assets/player.js``) and
finds its player by an id made of hex digits. The stand-alone document adds a
Content-Security-Policy that allows only that one script (by its hash), the inline
styles and nothing from the network.

The player uses only the public API of :class:`~viz.stepper.BackpropStepper` (its steps,
states and drawing options, its number formatting and texts). The stepper imports this
module to export itself; this module imports the stepper's types for type checking
only, so the dependency runs one way.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from autograd import Constant, Value
from viz._text import (
    TITLE_LIMIT,
    added_text,
    graphviz_html,
    printable,
    remaining_text,
    shorten,
    web_html,
)
from viz.graph import (
    CELL_HEIGHT,
    CURRENT,
    EDGE_COLOUR,
    EDGE_PENWIDTH,
    FONT,
    LIT_EDGE,
    NODE_PENWIDTH,
    OP_COLOURS,
    GraphBuilder,
    GraphDrawing,
    Options,
    State,
    note_attrs,
)

if TYPE_CHECKING:
    from viz.stepper import BackpropStepper, Step

MAX_PLAYER_STEPS = 2000
"""The most steps a player shows (a 2,000-step player is a few megabytes)."""

_PLAYER_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
_SVG = "{http://www.w3.org/2000/svg}"
_TEXT_ATTRIBUTE = "#text"  # an element's text, among its attributes
# What a step changes, in player.js's words: "t" a text, "x"/"y" where it starts, "v" a
# note's visibility; "L" (a look from the list of styles) the attributes of _STYLE;
# "g" swaps an edge's shape (plain or lit) with the other one.
_CODES = {_TEXT_ATTRIBUTE: "t", "visibility": "v"}
_STYLE = ("fill", "stroke", "stroke-width", "stroke-dasharray", "font-weight")
_SHAPE_OF = {"edge": "d", "arrow": "points"}  # the attribute that holds an edge's shape


@cache
def asset(name: str) -> str:
    """The text of ``viz/assets/<name>``."""
    return resources.files("viz").joinpath("assets").joinpath(name).read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------
# The text panels
# ---------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------
# The drawing: what each element looks like in each step
# ---------------------------------------------------------------------------------------

# An element of the drawing that steps change, by what it is and the position of its
# value in the topological order: ("box", i), ("data", i), ("grad", i), ("op", i), and
# for the edge into op i from argument k (k = -1: from op i to its value) ("edge", i, k),
# ("arrow", i, k) (its arrowhead) and ("note", i, k) (the amount added, on lit edges).
Key = tuple[Any, ...]
Look = dict[str, Any]  # SVG attribute (or _TEXT_ATTRIBUTE) -> value; None: absent


@dataclass(frozen=True)
class _Text:
    """A text that a number cell shows, right-aligned: where Graphviz puts it depends on
    its width, in Graphviz's own measure, and on its font (bold sits a little higher)."""

    text: str
    bold: bool


@dataclass(frozen=True)
class _At:
    """Stands for the x or y (``axis``) of a cell's text until the texts are measured."""

    text: _Text
    axis: int  # 0: x, 1: y


@dataclass(frozen=True)
class _Shape:
    """Stands for an edge's geometry (``d`` or ``points``), plain or lit."""

    lit: bool


class _Looks:
    """How each element looks in a step, from :class:`GraphBuilder`'s own decisions."""

    def __init__(self, stepper: BackpropStepper, options: Options) -> None:
        self.stepper = stepper
        self.order = stepper.order
        self.position = {v: i for i, v in enumerate(self.order)}
        first = stepper.state(0)
        self.builder = GraphBuilder(
            stepper.root, options, first, order=self.order, params=stepper.params
        )
        # Which edge has which note: each edge into an op is lit in that op's one
        # backward step, so each has at most one note.
        self.notes: dict[tuple[int, int], str] = {}
        self.notes_of: dict[int, list[tuple[int, int]]] = {}  # by step
        for step in stepper:
            for c in step.contributions:
                i = self.position[step.node]
                self.notes[(i, c.position)] = added_text(stepper.format_number(c.product))
                self.notes_of.setdefault(step.index, []).append((i, c.position))

    def numbered(self, value: Value) -> bool:
        """Whether ``value``'s box has data and grad rows (not a bare constant)."""
        return self.builder.options.show_grads and not isinstance(value, Constant)

    def keys_of(self, value: Value) -> Iterator[Key]:
        """Every element that shows ``value`` or its op, and its op's edges."""
        i = self.position[value]
        yield ("box", i)
        if self.numbered(value):
            yield ("data", i)
            yield ("grad", i)
        if value.children:
            yield ("op", i)
            for k in (*range(len(value.children)), -1):
                yield ("edge", i, k)
                yield ("arrow", i, k)
                if (i, k) in self.notes:
                    yield ("note", i, k)

    def all_keys(self) -> list[Key]:
        return [key for value in self.order for key in self.keys_of(value)]

    def touched(self, before: State, after: State) -> list[Key]:
        """The elements that can look different in ``after`` than in ``before``: those of
        the nodes either step is about and of their children."""
        values: dict[Value, None] = {}
        for state in (before, after):
            if state.current is not None:
                values[state.current] = None
                values.update(dict.fromkeys(state.current.children))
            values.update(dict.fromkeys(state.updated))
        return [key for value in values for key in self.keys_of(value)]

    def look(self, key: Key, state: State) -> Look:
        """How element ``key`` looks in ``state``."""
        builder = self.builder
        builder.state = state
        what, i = key[0], key[1]
        value = self.order[i]
        if what == "box":
            style = builder.value_style(value)
            return {
                "fill": style["fillcolor"],
                "stroke": style["color"],
                "stroke-width": style.get("penwidth", NODE_PENWIDTH),
                "stroke-dasharray": "5,2" if "dashed" in style.get("style", "") else None,
            }
        if what in ("data", "grad"):
            cell = builder.data_cell(value) if what == "data" else builder.grad_cell(value)
            text = _Text(printable(cell.text), cell.bold)
            return {
                _TEXT_ATTRIBUTE: text.text,
                "x": _At(text, 0),
                "y": _At(text, 1),
                "fill": cell.colour,
                "font-weight": "bold" if cell.bold else None,
            }
        if what == "op":
            style = {"fillcolor": OP_COLOURS[0], "color": OP_COLOURS[1], "penwidth": NODE_PENWIDTH}
            style.update(builder.op_style(value))
            return {
                "fill": style["fillcolor"],
                "stroke": style["color"],
                "stroke-width": style["penwidth"],
            }
        k = key[2]
        attrs = builder.edge_attrs(value, k) if k >= 0 else builder.output_edge_attrs(value)
        if what == "note":
            return {"visibility": None if "xlabel" in attrs else "hidden"}
        colour = attrs.get("color", EDGE_COLOUR)
        look: Look = {"stroke": colour, "stroke-width": attrs.get("penwidth", EDGE_PENWIDTH)}
        if what == "arrow":
            look["fill"] = colour
        look["points" if what == "arrow" else "d"] = _Shape(lit="color" in attrs)
        return look


class _PlayerBuilder(GraphBuilder):
    """Draws the player's layout with the notes ``notes`` and the edges of the ops
    ``lit`` (positions in the topological order; None: all of them) lit.

    Notes never move the nodes, only each other: Graphviz places each note where it
    overlaps least with the nodes and the notes placed before it.
    """

    def __init__(
        self,
        looks: _Looks,
        options: Options,
        state: State,
        *,
        notes: Iterable[tuple[int, int]],
        lit: Iterable[int] | None,
    ) -> None:
        stepper = looks.stepper
        super().__init__(stepper.root, options, state, order=looks.order, params=stepper.params)
        self.looks = looks
        self.notes = frozenset(notes)
        self.lit = None if lit is None else frozenset(lit)

    def _is_lit(self, v: Value) -> bool:
        return self.lit is None or self.position[v] in self.lit

    def edge_attrs(self, v: Value, k: int) -> dict[str, str]:
        attrs = super().edge_attrs(v, k)
        key = (self.position[v], k)
        if key in self.notes:
            attrs.update(note_attrs(self.looks.notes[key]))
        if self._is_lit(v):
            attrs.update(LIT_EDGE)
        return attrs

    def output_edge_attrs(self, v: Value) -> dict[str, str]:
        attrs = super().output_edge_attrs(v)
        if self._is_lit(v):
            attrs.update(color=CURRENT, penwidth=LIT_EDGE["penwidth"])
        return attrs


def _settled_state(stepper: BackpropStepper) -> State:
    """Every value and gradient known, nothing current: the layout's own look."""
    return State(grads=stepper.grads, fixed=stepper.fixed_widths, phase="backward")


# ---------------------------------------------------------------------------------------
# Reading Graphviz's SVG
# ---------------------------------------------------------------------------------------


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg[svg.index("<svg") :])


def _groups(root: ET.Element) -> dict[str, ET.Element]:
    """Every node and edge ``<g>`` of a drawing by its id."""
    return {g.get("id", ""): g for g in root.iter(f"{_SVG}g") if g.get("class") in ("node", "edge")}


def _find(g: ET.Element, *tags: str) -> ET.Element | None:
    for element in g.iter():
        if element.tag in tuple(f"{_SVG}{tag}" for tag in tags):
            return element
    return None


def _texts(g: ET.Element) -> list[ET.Element]:
    return list(g.iter(f"{_SVG}text"))


def _elements(root: ET.Element, keys: Iterable[Key], svg_id: str) -> dict[Key, ET.Element]:
    """The SVG element of each key (in the drawing ``root`` whose ids start ``svg_id``)."""
    groups = _groups(root)
    out: dict[Key, ET.Element] = {}
    for key in keys:
        what, i = key[0], key[1]
        element: ET.Element | None
        if what in ("box", "data", "grad"):
            g = groups[f"{svg_id}-n{i}"]
            texts = _texts(g)
            if what == "box":
                element = _find(g, "path", "polygon", "ellipse")
            else:
                # A box ends with the rows "data <number>" and "grad <number>".
                at = -3 if what == "data" else -1
                if len(texts) < 4 or "".join(texts[at - 1].itertext()) != what:
                    raise RuntimeError(f"unexpected SVG from Graphviz for the box of n{i}")
                element = texts[at]
        elif what == "op":
            element = _find(groups[f"{svg_id}-o{i}"], "ellipse", "path", "polygon")
        else:
            k = key[2]
            g = groups[f"{svg_id}-e{i}" + ("" if k < 0 else f"-{k}")]
            if what == "edge":
                element = _find(g, "path")
            elif what == "arrow":
                element = _find(g, "polygon")
            else:
                # The note is the edge's last text but its mark (a, b), wherever Graphviz
                # writes the mark.
                texts = [t for t in _texts(g) if "".join(t.itertext()) not in ("a", "b")]
                element = texts[-1] if texts else None
        if element is not None:
            out[key] = element
    return out


def _geometry(element: ET.Element) -> str:
    return element.get("d") or element.get("points") or ""


def _same_layout(plain: ET.Element, lit: ET.Element) -> bool:
    """Whether two drawings put every node in the same place."""

    def shapes(root: ET.Element) -> list[str]:
        found = []
        for g in root.iter(f"{_SVG}g"):
            shape = _find(g, "path", "polygon", "ellipse") if g.get("class") == "node" else None
            if shape is not None:
                found.append(_geometry(shape) + str(shape.get("cx")) + str(shape.get("cy")))
        return found

    return shapes(plain) == shapes(lit)


# ---------------------------------------------------------------------------------------
# Measuring the widths of numbers as Graphviz does
# ---------------------------------------------------------------------------------------

_SHEET_LABEL = 12_000  # characters per measuring label (Graphviz refuses 16,384 and more)


def _sheet(variants: list[_Text]) -> GraphDrawing:
    """A drawing of tables of texts, each right-aligned in a bordered cell of its own."""
    sheet = GraphDrawing(
        name="widths",
        graph_attr={"rankdir": "LR"},
        node_attr={"shape": "plaintext", "fontname": FONT, "fontsize": "11", "margin": "0"},
    )
    rows: list[str] = []
    length = 0
    tables = 0

    def flush() -> None:
        nonlocal rows, length, tables
        table = '<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="1">'
        sheet.node(f"w{tables}", label=f"<{table}{''.join(rows)}</TABLE>>")
        rows, length, tables = [], 0, tables + 1

    for variant in variants:
        content = graphviz_html(variant.text)
        content = f"<B>{content}</B>" if variant.bold else content
        # The player's cells have a fixed height (a bold text sits higher in it than a
        # plain one); a width with room to spare keeps the text right-aligned.
        width = 12 * len(variant.text) + 20
        size = f'WIDTH="{width}" HEIGHT="{CELL_HEIGHT}" FIXEDSIZE="TRUE"'
        rows.append(f'<TR><TD ALIGN="RIGHT" {size}>{content}</TD></TR>')
        length += len(rows[-1])
        if length > _SHEET_LABEL:
            flush()
    if rows:
        flush()
    return sheet


def _placements(variants: list[_Text], svg: str) -> dict[_Text, tuple[float, float]]:
    """Where Graphviz starts each text (x, y), from the right and bottom of its cell."""
    tables = {}
    for g in _parse(svg).iter(f"{_SVG}g"):
        title = g.find(f"{_SVG}title")
        if g.get("class") == "node" and title is not None:
            tables[int("".join(title.itertext())[1:])] = g
    found: list[tuple[float, float]] = []
    for number in sorted(tables):
        right = bottom = 0.0
        for element in tables[number].iter():
            if element.tag == f"{_SVG}polygon":  # a cell's border comes before its text
                points = [p.split(",") for p in element.get("points", "").split()]
                right = max(float(x) for x, _ in points)
                bottom = max(float(y) for _, y in points)
            elif element.tag == f"{_SVG}text":
                x, y = float(element.get("x", 0)), float(element.get("y", 0))
                found.append((x - right, y - bottom))
    return dict(zip(variants, found, strict=True))


# ---------------------------------------------------------------------------------------
# The steps as changes
# ---------------------------------------------------------------------------------------


class _Changes:
    """The drawing of step 1 and every later step's changes, found by replaying the walk."""

    def __init__(self, stepper: BackpropStepper, svg_id: str) -> None:
        self.svg_id = svg_id
        options = stepper.drawing_options(svg_id=svg_id, element_ids=True)
        self.looks = _Looks(stepper, options)
        self.looks.builder.check_size()  # before any work on a graph too big to draw
        self.options = options
        states = stepper.states()
        first = next(states)
        self.keys = self.looks.all_keys()
        self.start = {key: self.looks.look(key, first) for key in self.keys}
        settled = _settled_state(stepper)
        self.settled = {key: self.looks.look(key, settled) for key in self.keys}
        shown = dict(self.start)
        # Per step: (element, how it looked, how it looks now) for each element that changed.
        self.steps: list[list[tuple[Key, Look, Look]]] = []
        before = first
        for after in states:
            changes = []
            for key in self.looks.touched(before, after):
                look = self.looks.look(key, after)
                if look != shown[key]:
                    changes.append((key, shown[key], look))
                    shown[key] = look
            self.steps.append(changes)
            before = after

    def variants(self) -> list[_Text]:
        """Every text a number cell shows (and in which font), in a fixed order."""
        found: dict[_Text, None] = {}
        for look in (*self.settled.values(), *self.start.values()):
            if isinstance(look.get("x"), _At):
                found[look["x"].text] = None
        for changes in self.steps:
            found.update((look["x"].text, None) for _, _, look in changes if "x" in look)
        return list(found)


MAX_NOTE_DRAWINGS = 6
"""The most Graphviz drawings that place the notes of steps apart (see :func:`_note_groups`)."""


def _render(stepper: BackpropStepper, changes: _Changes) -> tuple[str, str, str]:
    """Graphviz's first three drawings, side by side: the plain one (all notes in it,
    so that the drawing has room for every note), the lit one and the width sheet."""
    looks = changes.looks
    settled = _settled_state(stepper)
    drawings = [
        _PlayerBuilder(looks, changes.options, settled, notes=looks.notes, lit=()).build(),
        _PlayerBuilder(looks, changes.options, settled, notes=looks.notes, lit=None).build(),
        _sheet(changes.variants()),
    ]
    plain, lit, sheet = _svgs(drawings)
    return plain, lit, sheet


def _svgs(drawings: list[GraphDrawing]) -> list[str]:
    with ThreadPoolExecutor(max_workers=3) as pool:
        return list(pool.map(lambda drawing: drawing.svg(), drawings))


def _note_groups(looks: _Looks, placed: Mapping[Key, ET.Element]) -> list[list[int]]:
    """The steps with notes, in groups whose notes are far apart.

    A frame of its own shows only its step's notes, and Graphviz places each where it
    fits best. Placed all at once, notes close to each other push each other away. So
    the notes are placed again, a group of steps at a time, each group's notes far
    enough apart (judged from where they sit when placed all at once) not to touch.
    """
    margin = 30.0  # points around a note that another group's note must keep clear of

    def box(key: Key) -> tuple[float, float, float, float]:
        note = placed[key]
        x, y = float(note.get("x", 0)), float(note.get("y", 0))
        width = 7.0 * len("".join(note.itertext()))
        return (x - margin, y - 12 - margin, x + width + margin, y + margin)

    def apart(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
        return a[2] < b[0] or b[2] < a[0] or a[3] < b[1] or b[3] < a[1]

    groups: list[list[int]] = []
    boxes: list[list[tuple[float, float, float, float]]] = []
    for step, notes in looks.notes_of.items():
        mine = [box(("note", i, k)) for i, k in notes if ("note", i, k) in placed]
        for group, taken in zip(groups, boxes, strict=True):
            if all(apart(a, b) for a in mine for b in taken):
                group.append(step)
                taken.extend(mine)
                break
        else:
            groups.append([step])
            boxes.append(mine)
    return groups


def _place_notes(
    stepper: BackpropStepper, changes: _Changes, plain: ET.Element, placed: dict[Key, ET.Element]
) -> None:
    """Move each note of ``plain`` to where the frame of its step alone puts it."""
    looks = changes.looks
    groups = _note_groups(looks, placed)[:MAX_NOTE_DRAWINGS]  # the rest: as placed together
    settled = _settled_state(stepper)
    drawings = []
    for group in groups:
        notes = [key for step in group for key in looks.notes_of[step]]
        lit = [looks.position[stepper[step].node] for step in group]
        drawings.append(
            _PlayerBuilder(looks, changes.options, settled, notes=notes, lit=lit).build()
        )
    for group, svg in zip(groups, _svgs(drawings), strict=True):
        drawing = _parse(svg)
        if not _same_layout(plain, drawing):  # moved by a note at the border: keep as is
            continue
        keys = [("note", i, k) for step in group for i, k in looks.notes_of[step]]
        for key, note in _elements(drawing, keys, changes.svg_id).items():
            if key in placed:
                placed[key].set("x", note.get("x", "0"))
                placed[key].set("y", note.get("y", "0"))


def _player_svg(stepper: BackpropStepper, player_id: str) -> tuple[str, str]:
    """The drawing of step 1 (SVG markup) and the JSON of every later step's changes."""
    svg_id = f"{player_id}-g"
    changes = _Changes(stepper, svg_id)
    plain_svg, lit_svg, sheet_svg = _render(stepper, changes)
    plain, lit = _parse(plain_svg), _parse(lit_svg)
    elements = _elements(plain, changes.keys, svg_id)
    lit_elements = _elements(lit, changes.keys, svg_id) if _same_layout(plain, lit) else elements
    _place_notes(stepper, changes, plain, elements)
    placements = _placements(changes.variants(), sheet_svg)
    # Each shape as Graphviz drew it, plain and lit (read before any is changed below).
    shapes = {key: _geometry(element) for key, element in elements.items()}
    lit_shapes = {key: _geometry(element) for key, element in lit_elements.items()}
    # Where each number cell is: its settled text's place, less that text's own offset.
    anchors: dict[Key, tuple[float, float]] = {}
    for key, look in changes.settled.items():
        if isinstance(look.get("x"), _At) and key in elements:
            dx, dy = placements[look["x"].text]
            element = elements[key]
            anchors[key] = (float(element.get("x", 0)) - dx, float(element.get("y", 0)) - dy)

    def resolve(key: Key, attribute: str, value: Any) -> str | None:
        if isinstance(value, _At):
            return f"{anchors[key][value.axis] + placements[value.text][value.axis]:.2f}"
        if isinstance(value, _Shape):
            return (lit_shapes if value.lit else shapes)[key]
        return value  # type: ignore[no-any-return]

    index = {key: k for k, key in enumerate(k for k in changes.keys if k in elements)}
    for key, k in index.items():
        element = elements[key]
        element.set("data-k", str(k))
        for attribute, value in changes.start[key].items():
            _apply(element, attribute, resolve(key, attribute, value))
    # An edge is drawn plain or lit: the script swaps the shape drawn with the other one.
    other_shape = {
        k: (shapes if changes.start[key][_SHAPE_OF[key[0]]].lit else lit_shapes)[key]
        for key, k in index.items()
        if key[0] in _SHAPE_OF
    }
    # Colours, borders and weights come in few combinations: each is written once.
    styles: dict[tuple[tuple[str, str | None], ...], int] = {}

    def encode(key: Key, old: Look, new: Look) -> list[Any]:
        k = index[key]
        out: list[Any] = []
        style = tuple((a, new[a]) for a in _STYLE if a in new)
        if any(old.get(a) != v for a, v in style):
            out += [k, "L", styles.setdefault(style, len(styles))]
        for attribute, value in new.items():
            if attribute in _STYLE or old.get(attribute) == value:
                continue
            if attribute in ("d", "points"):
                out += [k, "g", 1]
            elif attribute in ("x", "y"):
                out += [k, attribute, float(str(resolve(key, attribute, value)))]
            else:
                out += [k, _CODES[attribute], resolve(key, attribute, value)]
        return out

    steps = [
        [part for key, old, new in step if key in index for part in encode(key, old, new)]
        for step in changes.steps
    ]
    # The box of each step's node, which the script scrolls into view in a big drawing.
    focus = [index.get(("box", changes.looks.position[step.node])) for step in stepper]
    data = {
        "steps": steps,
        "styles": [dict(style) for style in styles],
        "shapes": other_shape,
        "focus": focus,
    }
    _keep_readable(plain)
    ET.register_namespace("", _SVG[1:-1])
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    return ET.tostring(plain, encoding="unicode"), _json(data)


READABLE_SCALE = 0.6
"""A drawing is never shown smaller than this (its panel scrolls instead): at 0.6, the
numbers in the boxes are still about 9 pixels high."""


def _keep_readable(svg: ET.Element) -> None:
    """Let a drawing fill its panel, but never shrink below :data:`READABLE_SCALE`:
    the panel scrolls then, and the script keeps each step's node in view."""
    width = svg.get("width", "")
    if not width.endswith("pt"):
        return
    smallest = float(width[:-2]) * 4 / 3 * READABLE_SCALE  # in CSS pixels
    if smallest > 600:  # no panel is narrower: a smaller drawing simply fills it
        svg.set("style", f"width: max(100%, {smallest:.0f}px); max-height: none")


def _apply(element: ET.Element, attribute: str, value: str | None) -> None:
    if attribute == _TEXT_ATTRIBUTE:
        element.text = value
    elif value is None:
        element.attrib.pop(attribute, None)
    else:
        element.set(attribute, value)


def _json(data: object) -> str:
    """``data`` as JSON that is safe inside ``<script type="application/json">``."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    for char, escape in (
        ("&", "\\u0026"),
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text


# ---------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------


def _check_size(stepper: BackpropStepper) -> None:
    if len(stepper) > MAX_PLAYER_STEPS:
        raise ValueError(
            f"this graph has {len(stepper):,} steps; the player shows at most "
            f"{MAX_PLAYER_STEPS:,}. Step through a smaller graph, e.g. one neuron or a batch "
            "of one row, or use stepper.trace() for the text"
        )


def _heading(stepper: BackpropStepper, title: str | None) -> str:
    if title is None:
        title = f"Backpropagation through {stepper.name(stepper.root)}"
    return shorten(title, TITLE_LIMIT, lines=1)


TRUST_HINT = (
    "run the notebook, or trust it: “Trust Notebook” in JupyterLab's command palette, "
    "or jupyter trust NOTEBOOK.ipynb in a terminal"
)
"""How to see a player that a notebook viewer did not run: the one line of its fallback."""


def player_summary(stepper: BackpropStepper) -> str:
    """What a player shows, in a few words: ``backprop player of y: 7 steps``."""
    name = printable(stepper.name(stepper.root)).replace("\n", "\\n")  # one line
    return f"backprop player of {name}: {len(stepper):,} step{'s' if len(stepper) != 1 else ''}"


def player_text(stepper: BackpropStepper) -> str:
    """The player as one line of plain text, for viewers that show no HTML."""
    return f"{player_summary(stepper)}; to see the interactive player, {TRUST_HINT}"


def first_step_png(stepper: BackpropStepper) -> bytes:
    """A PNG of the player's step 1 (runs Graphviz): what an untrusted notebook shows.

    Raises:
        GraphvizNotFoundError: if Graphviz is not installed.
    """
    png: bytes = stepper.frame(0).pipe(format="png", quiet=True)
    return png


def fallback_html(stepper: BackpropStepper, png: bytes) -> str:
    """What a notebook shows when it does not run the player's script.

    An untrusted notebook (JupyterLab sanitizes its HTML outputs) drops scripts, styles
    and inline SVG (keeping the SVG's text), but keeps ``<img>`` with a ``data:`` source,
    ``<p>`` and the ``hidden`` attribute when it has a value (a bare ``hidden`` is
    dropped): so the player's own markup is hidden until its script runs, and this,
    which the script removes, shows step 1 as a picture and how to see more.
    """
    source = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    summary = web_html(player_summary(stepper))
    return (
        '<div class="gs-fallback">'
        f'<img src="{source}" alt="step 1 of the {summary}" style="max-width: 100%">'
        f"<p><b>{summary}</b>, step 1 shown: to play it, {web_html(TRUST_HINT)}.</p>"
        "</div>"
    )


def _markup(
    stepper: BackpropStepper, player_id: str, *, title: str | None, fallback: str | None = None
) -> str:
    """The player's markup; with a ``fallback``, that first and the player hidden until
    its script runs (see :func:`fallback_html`)."""
    _check_size(stepper)
    svg, steps = _player_svg(stepper, player_id)
    n = len(stepper)
    text_html = "".join(
        f'<section class="gs-step" data-step="{i}"{" hidden" if i else ""}>'
        f"{step_html(stepper, step)}</section>"
        for i, step in enumerate(stepper)
    )
    return (
        f'<div class="gs-player" id="{player_id}" tabindex="0" '
        f'aria-label="step-through backpropagation">'
        # hidden="hidden": JupyterLab's sanitizer drops a bare `hidden` (no value).
        + (f'{fallback}<div class="gs-live" hidden="hidden">' if fallback is not None else "")
        + f'<div class="gs-top"><div class="gs-title">{web_html(_heading(stepper, title))}</div>'
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
        f'<div class="gs-body"><div class="gs-graph">'
        f'<div class="gs-frame" data-step="0">{svg}</div></div>'
        f'<div class="gs-text">{text_html}</div></div>'
        f'<script type="application/json" class="gs-data">{steps}</script>'
        '<noscript><p class="gs-noscript">JavaScript is off: this shows the first step; '
        "every step is in the text below.</p></noscript>"
        '<details class="gs-trace"><summary>all steps as text</summary>'
        f"<pre>{web_html(stepper.trace())}</pre></details>"
        + ("</div>" if fallback is not None else "")
        + "</div>"
    )


def _script(player_id: str, *, document_keys: bool) -> str:
    call = f'gradstepPlayer("{player_id}", {"true" if document_keys else "false"});'
    return f"{asset('player.js')}\n{call}\n"


def player_fragment(
    stepper: BackpropStepper, *, player_id: str | None = None, png: bytes | None = None
) -> str:
    """The player as an HTML fragment with its own style and script (for notebooks).

    It starts with a fallback for notebooks that do not run its script (see
    :func:`fallback_html`), with ``png`` as the picture of step 1 (None: drawn now).
    """
    pid = player_id if player_id is not None else f"gs-{secrets.token_hex(6)}"
    if not _PLAYER_ID.fullmatch(pid):
        raise ValueError(
            f"player_id must be a letter followed by letters, digits, '-' or '_' "
            f"(at most 64 characters), got {pid!r}"
        )
    _check_size(stepper)
    fallback = fallback_html(stepper, png if png is not None else first_step_png(stepper))
    markup = _markup(stepper, pid, title=None, fallback=fallback)
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
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{web_html(_heading(stepper, title))} · gradstep</title>"
        f"<style>{asset('player.css')}</style></head>"
        f'<body class="gs-page">{_markup(stepper, pid, title=title)}'
        f"<script>{script}</script></body></html>\n"
    )
