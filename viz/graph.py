"""Drawing a computation graph: :func:`draw_graph` builds DOT, :func:`render_svg` renders it.

Building and rendering are separate steps, as in python-graphviz. :func:`draw_graph`
only builds a :class:`graphviz.Digraph` (its ``.source`` is the DOT text, which tests
and users can read without Graphviz installed); turning it into a picture runs
Graphviz's ``dot`` program, which :func:`render_svg`, ``.render()`` and Jupyter's
inline display do. If ``dot`` is missing, all of those raise
:class:`GraphvizNotFoundError`, whose message says how to install it.

What a drawing shows:

* one box per Value, coloured by its role: an *input* (a leaf), a *parameter* (a leaf
  that the model given as ``params`` names, e.g. ``0.weight[3,1]``), a *constant* (a
  number that appeared in an expression, :class:`autograd.Constant`), an *intermediate*
  result, and the *output* (the root). The box shows the name (a parameter's name in
  ``params``, else the label; an unlabelled value has no name line: its op says what it
  is), ``data`` and ``grad``;
* one small oval per op, with an edge from each child in argument order (``a + a``
  draws two edges); for ``-``, ``/`` and ``**`` the edges are marked ``a`` and ``b``
  beside the op;
* a legend of the colours; all text in one sans-serif font (:data:`FONT`).

The model's inputs keep their order (``x[0,0]`` above ``x[1,0]``), and so do the
per-row terms of a loss (see :meth:`GraphBuilder.ordered_runs`).

**In Jupyter** a drawing shows as SVG, with a PNG and a line of text besides: a notebook
that is not trusted shows no SVG, but shows the PNG. ``repr()`` says what it is:
``<computation graph of y: 6 values, 3 ops: ...>``.

Node ids come from topological positions (``n0``, ``n1``...; the op of node ``i`` is
``o<i>``), so the same graph always gives the same DOT text. (Text that refers to an
unlabelled value, such as the player's, calls it ``v<i>``.)

**Grads before backward().** When the root's grad is exactly 0.0, ``backward()`` has not
run from it (it always leaves its seed there), and the drawing shows "not computed yet"
instead of numbers, even if parameters still hold gradients from earlier steps.
Pass ``grads_computed=True`` to show the zeros anyway (a graph whose gradients are
truly all zero) or ``False`` to never show numbers.

**Modules and large graphs.** Given the model (``params=model``, or a dict of its named
parameters), the drawing clusters nodes per layer and per neuron (``Linear 0, neuron
3``: its weights, bias, its ``dot`` node for every row and its activation; see
:mod:`viz.modules`). With ``collapse="neuron"`` each neuron becomes one (teal) box, with
``collapse="layer"`` each layer does, and only the edges between boxes and the other
nodes remain. By default (``collapse=None``) a graph with more than
:data:`COLLAPSE_THRESHOLD` values is collapsed by neuron, and by layer if that still
would draw more than :data:`NEURON_BOX_LIMIT` neuron boxes (or still more than
:data:`COLLAPSE_THRESHOLD` nodes). Without ``params`` there are no modules: every node
is drawn.

**Limits: a drawing never fails, and never takes minutes.** Whatever a label holds, a
box shows at most :data:`~viz._text.LABEL_LIMIT` characters of it, hidden characters
(controls, bidi overrides, zero-width spaces, lone surrogates) shown as escapes such as
``\u202e``; the box's tooltip holds the label. A ``number_format`` may not ask for a
width above 20 or a precision above 17. A drawing of more than :data:`MAX_DRAWN_VALUES`
boxes is refused (with ``params``, the boxes left after collapsing count), and so is a
graph whose layout is too big for Graphviz to finish in seconds
(:data:`MAX_LAYOUT_SIZE`); both say what to do instead. Graphs with long edges (a value
used by ops far apart, like ``x`` in ``x*x*...*x``) get a faster layout
(:data:`FAST_LAYOUT`). Measured on a 2-core machine with Graphviz 2.43 (CPU seconds of
``dot``): ``x*x*...*x`` with 60 factors took 17 s with Graphviz's defaults and 0.08 s
with :data:`FAST_LAYOUT`; with 300 factors (layout size 90,600) 1.1 s.

The pieces are public so that other drawings can reuse them: :class:`Options` (how to
draw), :class:`State` (what is known at the moment drawn) and :class:`GraphBuilder`
(which turns a graph, options and a state into DOT). The step-through player draws its
frames with them.
"""

from __future__ import annotations

import base64
import itertools
import os
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import graphviz  # type: ignore[import-untyped]

from autograd import Constant, Value, topological_order
from viz._text import (
    TITLE_LIMIT,
    check_number_format,
    fmt,
    graphviz_html,
    graphviz_tooltip,
    printable,
    shorten,
)
from viz.modules import Grouping, ModelParameters, Unit, group_by_module, model_parameters

COLLAPSE_THRESHOLD = 200
"""Graphs with more values than this are collapsed by default (``collapse=None``)."""

NEURON_BOX_LIMIT = 50
"""Collapsing by default draws one box per neuron up to this many neurons, else per layer."""

MAX_DRAWN_VALUES = 1000
"""The most boxes (values, or modules once collapsed) a drawing shows; more are refused.

Past a few hundred boxes a drawing cannot be read, and Graphviz needs many seconds."""

FAST_LAYOUT_SIZE = 2000
"""Layout sizes (see :func:`layout_size`) up to this get Graphviz's best layout; larger
graphs get :data:`FAST_LAYOUT` (measured: at most about 1 s of ``dot`` either way)."""

MAX_LAYOUT_SIZE = 100_000
"""The largest layout size (see :func:`layout_size`) drawn; larger graphs are refused.

With :data:`FAST_LAYOUT`, ``dot`` 2.43 lays out a graph of this size in about 2 s on one
core; with Graphviz's default settings, ``x*x*...*x`` with 80 factors (layout size 6,600)
takes more than 40 s."""

FAST_LAYOUT = {"nslimit": "0", "mclimit": "0.1", "splines": "line"}
"""Graphviz settings for graphs larger than :data:`FAST_LAYOUT_SIZE`.

Long edges (a value used by ops far downstream, like ``x`` in ``x*x*...*x``) make ``dot``
slow: each edge becomes a chain of hidden nodes, one per rank it crosses, and ``dot``'s
network simplex places all of them, in time that grows faster than the square of their
number. ``nslimit=0`` skips that refinement (nodes keep their first, rougher
positions), ``mclimit`` shortens the search for fewer edge crossings, and straight
edges skip the routing of curves through every rank crossed."""

MAX_ORDERED_RUN = 100
"""The most arguments of one op kept in order (see :meth:`GraphBuilder.ordered_runs`)."""

RANKDIRS = ("LR", "TB", "RL", "BT")
"""Allowed ``rankdir`` values: left to right (default), top to bottom, and the reverses."""

COLLAPSE_MODES = ("none", "neuron", "layer")
"""Allowed ``collapse`` values (besides None, which picks one by size)."""

ROLES = ("input", "parameter", "constant", "intermediate", "output")
"""The roles a value can have, in legend order."""

ROLE_COLOURS: dict[str, tuple[str, str]] = {
    "input": ("#dbeafe", "#2563eb"),
    "parameter": ("#ffedd5", "#ea580c"),
    "constant": ("#f1f5f9", "#94a3b8"),
    "intermediate": ("#ffffff", "#64748b"),
    "output": ("#dcfce7", "#16a34a"),
}
"""Role -> (fill colour, border colour)."""

MODULE_COLOURS = ("#ccfbf1", "#0f766e")
"""(fill, border) of a collapsed module's box: teal, which no colour vision confuses with
the parameters' orange (they differ in hue and in lightness)."""
OP_COLOURS = ("#ede9fe", "#7c3aed")
HIGHLIGHT = "#db2777"
CURRENT = "#f97316"
GRAD_COLOUR = "#be123c"
MUTED = "#94a3b8"
EDGE_COLOUR = "#64748b"
UNKNOWN_COLOURS = ("#f8fafc", "#cbd5e1")
"""(fill, border) of a value or op not computed yet (in the player's forward steps)."""
NODE_PENWIDTH = "1.3"
CELL_HEIGHT = 17
"""The height in points of a line of a box in the player, where every cell has a fixed size."""
EDGE_PENWIDTH = "1.1"
FONT = "Helvetica"

NOT_COMPUTED = "not computed yet"
"""What a grad shows before backward() has run."""

_TABLE = '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
_LAYER_STYLE = {
    "style": "rounded,filled",
    "fillcolor": "#f8fafc",
    "color": "#cbd5e1",
    "fontsize": "13",
    "labeljust": "l",
}
_UNIT_STYLE = {
    "style": "rounded,filled",
    "fillcolor": "#fffaf3",
    "color": "#fdba74",
    "fontsize": "11",
    "labeljust": "l",
}


class GraphvizNotFoundError(RuntimeError):
    """Graphviz's ``dot`` program is not installed, so a graph cannot be rendered.

    Building a graph (``draw_graph(...).source``) does not need it; rendering does.
    """

    def __init__(self) -> None:
        super().__init__(
            "Graphviz's 'dot' program was not found on PATH, so the graph cannot be "
            "rendered (building it still works: see the .source of draw_graph()). "
            "Install Graphviz: Debian/Ubuntu 'sudo apt-get install graphviz', "
            "macOS 'brew install graphviz', conda 'conda install -c conda-forge graphviz', "
            "Windows and others https://graphviz.org/download/ ; then restart Python."
        )


class GraphDrawing(graphviz.Digraph):  # type: ignore[misc]
    """A :class:`graphviz.Digraph` whose rendering raises :class:`GraphvizNotFoundError`.

    Everything graphviz offers works (``.source``, ``.render()``, ``.pipe()``, inline
    display in Jupyter); only a missing ``dot`` program is reported as one clear error
    instead of graphviz's own.
    """

    def pipe(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().pipe(*args, **kwargs)
        except graphviz.ExecutableNotFound:
            raise GraphvizNotFoundError() from None

    def render(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().render(*args, **kwargs)
        except graphviz.ExecutableNotFound:
            raise GraphvizNotFoundError() from None

    def svg(self) -> str:
        """The drawing as SVG text (runs ``dot``).

        Raises:
            GraphvizNotFoundError: if Graphviz is not installed.
        """
        text: str = self.pipe(format="svg", encoding="utf-8", quiet=True)
        return text

    summary = "computation graph"
    """One line saying what the drawing shows (set by :meth:`GraphBuilder.build`)."""

    def __repr__(self) -> str:
        return f"<{self.summary}: .source is its DOT text; Jupyter draws it>"

    def png(self) -> bytes:
        """The drawing as a PNG image (runs ``dot``).

        Raises:
            GraphvizNotFoundError: if Graphviz is not installed.
        """
        data: bytes = self.pipe(format="png", quiet=True)
        return data

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None, **kwargs: Any
    ) -> dict[str, str]:
        """What Jupyter shows: the SVG, and a PNG and a line of text besides.

        A notebook that is not trusted does not show SVG (it could hold scripts), but
        does show a PNG; a viewer without images shows the text.
        """
        bundle = {
            "image/svg+xml": self.svg(),
            "image/png": base64.b64encode(self.png()).decode("ascii"),
            "text/plain": self.summary,
        }
        return {
            kind: data
            for kind, data in bundle.items()
            if (not include or kind in include) and not (exclude and kind in exclude)
        }


def role_of(value: Value, root: Value, params: object = None) -> str:
    """The role of ``value`` in the graph of ``root``: one of :data:`ROLES`.

    Args:
        value: a node of the graph.
        root: the graph's output.
        params: the model's parameters (a model, a dict of names to Values, or
            :class:`~viz.modules.ModelParameters`); a leaf they name is a parameter.
            None: no leaf is a parameter.

    Example:
        >>> from autograd import Value
        >>> x = Value(1.0, label="x"); w = Value(2.0)
        >>> y = x * w + 1
        >>> params = {"0.weight[0,0]": w}
        >>> [role_of(v, y, params) for v in (x, w, y.children[0], y.children[1], y)]
        ['input', 'parameter', 'intermediate', 'constant', 'output']
    """
    if value is root:
        return "output"
    if isinstance(value, Constant):
        return "constant"
    if value.children:
        return "intermediate"
    if params is not None and value in model_parameters(params):
        return "parameter"
    return "input"


def display_name(
    value: Value,
    position: int,
    number_format: str = ".4g",
    params: ModelParameters | None = None,
) -> str:
    """How text refers to a value: its name in ``params``, its label, the number of a
    constant, else ``v<position>``.

    Example:
        >>> from autograd import Value
        >>> w = Value(0.5, label="weight[0,0]")
        >>> display_name(w, 3), display_name(Value(1.0), 3)
        ('weight[0,0]', 'v3')
        >>> from viz.modules import model_parameters
        >>> display_name(w, 3, params=model_parameters({"0.weight[0,0]": w}))
        '0.weight[0,0]'
    """
    if params is not None and value in params.names:
        return params.names[value].full
    if value.label:
        return value.label
    if isinstance(value, Constant):
        return fmt(value.data, number_format)
    return f"v{position}"


def op_text(value: Value) -> str:
    """The op of a non-leaf value as drawn in its oval (``*`` is drawn as ``×``)."""
    op = value.op_info
    if op is None:
        return ""
    return "×" if op.name == "*" else op.symbol


_ORDERED_BINARY = frozenset({"-", "/", "**"})
_SVG_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,99}")


def argument_marks(value: Value) -> tuple[str, ...]:
    """Edge marks for ops whose argument order matters: ``("a", "b")`` for ``-``, ``/``, ``**``."""
    if value.op in _ORDERED_BINARY and len(value.children) == 2:
        return ("a", "b")
    return ("",) * len(value.children)


NOTE_PADDING = 5
"""Points of room round a note on a lit edge."""

LIT_EDGE = {"color": CURRENT, "penwidth": "2.6", "arrowsize": "0.8"}
"""How the edges into the current step's op are drawn (the edges a step updates)."""


def note_attrs(note: str) -> dict[str, str]:
    """The DOT attributes of a note next to an edge (the amount a step adds).

    The note sets its own font, so that the edge's mark (``a``, ``b``) keeps its own, and
    sits in a borderless cell with some padding: Graphviz keeps a note clear of the nodes
    but not of the edges, and the padding keeps it off the (thick, lit) arrows.
    """
    text = graphviz_html(shorten(note))
    return {
        "xlabel": f'<<TABLE BORDER="0" CELLPADDING="{NOTE_PADDING}"><TR><TD>'
        f'<FONT COLOR="{CURRENT}" POINT-SIZE="10"><B>{text}</B></FONT></TD></TR></TABLE>>'
    }


class DrawnEdge(NamedTuple):
    """One edge of a drawing.

    Attributes:
        source: the DOT name of the node it starts at (``n3``, ``u0``...).
        target: the DOT name of the node it ends at.
        value: the value whose op the edge belongs to.
        argument: the argument position of the edge into ``value``'s op; None for the
            edge from the op to ``value`` (and for edges between module boxes).
        between_boxes: whether it joins module boxes (drawn plainly, once per pair).
    """

    source: str
    target: str
    value: Value
    argument: int | None
    between_boxes: bool = False


@dataclass(frozen=True)
class Cell:
    """A number cell of a value's box as drawn: text, colour (None: black) and weight.

    Example:
        >>> Cell("?", MUTED)
        Cell(text='?', colour='#94a3b8', bold=False, italic=False, size=None)
    """

    text: str
    colour: str | None = None
    bold: bool = False
    italic: bool = False
    size: int | None = None

    def html(self) -> str:
        """The cell as a piece of Graphviz HTML-like label."""
        text = graphviz_html(self.text)
        text = f"<I>{text}</I>" if self.italic else text
        text = _font(text, colour=self.colour, size=self.size)
        return f"<B>{text}</B>" if self.bold else text


def check_choice(name: str, value: object, allowed: Iterable[object]) -> None:
    """Raise ValueError naming ``value`` and the allowed values if it is not one of them."""
    allowed = tuple(allowed)
    if value not in allowed:
        shown = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {shown}; got {value!r}")


# ---------------------------------------------------------------------------------------
# Options and state: what a drawing is asked to show
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    """How to draw: the choices of :func:`draw_graph`, fixed for a whole drawing (or for
    every frame of a player). They are checked when made.

    Attributes:
        rankdir: the direction of the data flow: "LR", "TB", "RL" or "BT".
        number_format: a format spec for data and grads, e.g. ".4g".
        show_grads: draw the grad of every value.
        group_modules: cluster nodes by module and neuron (needs the model's parameters).
        collapse: "none", "neuron", "layer", or None to decide by size (see
            :data:`COLLAPSE_THRESHOLD`).
        legend: draw the colour legend.
        title: a title above the graph (at most :data:`~viz._text.TITLE_LIMIT` characters
            are shown; all of it in the tooltip).
        svg_id: the id of the ``<svg>`` element (each frame of a player page has its own):
            a letter, then letters, digits, ``-`` or ``_``.
        element_ids: give every value, op and edge an id in the SVG (``<svg_id>-n3``,
            ``<svg_id>-o3``, ``<svg_id>-e3-0`` for the edge from op 3's first argument,
            ``<svg_id>-e3`` for the edge from op 3 to its value), for scripts that change
            a drawing in place, such as the step-through player.

    Raises:
        ValueError: for a rankdir, collapse, number_format or svg_id that is not allowed.
        TypeError: for a title that is not a str.

    Example:
        >>> Options(rankdir="TB").rankdir
        'TB'
        >>> Options(collapse="all")
        Traceback (most recent call last):
        ...
        ValueError: collapse must be one of 'none', 'neuron', 'layer', None; got 'all'
    """

    rankdir: str = "LR"
    number_format: str = ".4g"
    show_grads: bool = True
    group_modules: bool = True
    collapse: str | None = None
    legend: bool = True
    title: str | None = None
    svg_id: str = "gradstep"
    element_ids: bool = False

    def __post_init__(self) -> None:
        check_choice("rankdir", self.rankdir, RANKDIRS)
        check_number_format(self.number_format)
        check_choice("collapse", self.collapse, (*COLLAPSE_MODES, None))
        if self.title is not None and not isinstance(self.title, str):
            raise TypeError(f"title must be a str or None, got {type(self.title).__name__}")
        if not isinstance(self.svg_id, str) or not _SVG_ID.fullmatch(self.svg_id):
            raise ValueError(
                "svg_id must be a letter followed by letters, digits, '-' or '_' "
                f"(at most 100 characters), got {self.svg_id!r}"
            )
        for flag in ("show_grads", "group_modules", "legend", "element_ids"):
            object.__setattr__(self, flag, bool(getattr(self, flag)))


@dataclass
class State:
    """What is known at the moment drawn (a step of the player, or the graph as it is).

    Attributes:
        grads: the gradient of each node whose gradient is known; None when backward()
            has not run (every grad shows "not computed yet").
        known_data: the nodes whose value is known (None: all of them).
        highlight: nodes drawn with a highlighted border.
        current: the node being processed by a step.
        active: argument positions of ``current``'s children whose edges are lit.
        updated: nodes whose grad (or data) changed in this step.
        edge_notes: text next to the lit edges, by argument position.
        fixed: for the player, the width in characters of each node's name and value
            cells, the same in every frame so that the layout never moves.
        phase: "graph", "forward" or "backward" (only changes the legend).
    """

    grads: Mapping[Value, float] | None
    known_data: Collection[Value] | None = None
    highlight: Collection[Value] = frozenset()
    current: Value | None = None
    active: Collection[int] = ()
    updated: Collection[Value] = frozenset()
    edge_notes: Mapping[int, str] = field(default_factory=dict)
    fixed: Mapping[Value, int] | None = None
    phase: str = "graph"

    def data_known(self, value: Value) -> bool:
        """Whether the value of ``value`` is known at this moment."""
        return self.known_data is None or value in self.known_data


# ---------------------------------------------------------------------------------------
# Small pieces of Graphviz's HTML-like labels
# ---------------------------------------------------------------------------------------


def _points(chars: int, size: float = 11.0) -> int:
    """A generous estimate of the width in points of ``chars`` characters of text."""
    return int(chars * size * 0.66) + 8


def _font(text: str, *, colour: str | None = None, size: float | None = None) -> str:
    attrs = ""
    if colour:
        attrs += f' COLOR="{colour}"'
    if size:
        attrs += f' POINT-SIZE="{size:g}"'
    return f"<FONT{attrs}>{text}</FONT>" if attrs and text else text


def _cell(
    content: str, *, align: str = "CENTER", width: int | None = None, span: int = 1, lines: int = 1
) -> str:
    attrs = f' ALIGN="{align}"'
    if span > 1:
        attrs += f' COLSPAN="{span}"'
    if width is not None:
        attrs += f' WIDTH="{width}" HEIGHT="{CELL_HEIGHT * lines - lines + 1}" FIXEDSIZE="TRUE"'
    return f"<TD{attrs}>{content}</TD>"


def _table(rows: Iterable[str]) -> str:
    return f"<{_TABLE}{''.join(rows)}</TABLE>>"


def _keep_in_order(graph: Any, nodes: list[str]) -> None:
    """Keep ``nodes`` in one rank, in this order, with invisible edges between them
    (Graphviz places the tail of an edge inside a rank before its head)."""
    with graph.subgraph() as run:
        run.attr(rank="same")
        for tail, head in itertools.pairwise(nodes):
            run.edge(tail, head, style="invis")


def _legend_row(swatch: str, text: str, *, fill: str, border: str) -> str:
    return (
        f'<TR><TD BGCOLOR="{fill}" COLOR="{border}" BORDER="1" STYLE="ROUNDED" '
        f'WIDTH="26" HEIGHT="14">{_font(swatch, size=8)}</TD>'
        f'<TD ALIGN="LEFT">{_font(text, size=10)}</TD></TR>'
    )


# ---------------------------------------------------------------------------------------
# How much work a layout is
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LayoutSize:
    """What Graphviz's ``dot`` has to place for a drawing, estimated before running it.

    ``dot`` puts the nodes in ranks (columns, left to right) and turns an edge that
    crosses k ranks into a chain of k hidden nodes, which it places like any other; so
    its work grows with nodes + edges + ranks crossed, and it slows down sharply once
    many long edges cross many ranks.

    Attributes:
        nodes: the nodes drawn (value boxes, op ovals, module boxes).
        edges: the edges drawn.
        crossed: the ranks all edges cross on their way, in a ranking that places each
            node as close to its users as possible (``dot`` finds one at least as
            short); counted twice when edges carry labels, because ``dot`` then puts
            each label in a rank of its own.
        size: ``nodes + edges + crossed``, what :data:`FAST_LAYOUT_SIZE` and
            :data:`MAX_LAYOUT_SIZE` are about.
    """

    nodes: int
    edges: int
    crossed: int

    @property
    def size(self) -> int:
        return self.nodes + self.edges + self.crossed


def layout_size(
    nodes: Collection[str], edges: Iterable[tuple[str, str]], *, labelled: bool = False
) -> LayoutSize:
    """Estimate the layout work of a drawing with ``nodes`` and directed ``edges``.

    Each node gets the rank just before its earliest user (sinks get the last rank);
    an edge from rank r to rank s crosses ``s - r - 1`` ranks in between.

    Example:
        >>> layout_size(["x", "a", "b"], [("x", "a"), ("a", "b"), ("x", "b")])
        LayoutSize(nodes=3, edges=3, crossed=1)
    """
    edge_list = list(edges)
    users: dict[str, list[str]] = defaultdict(list)
    sources: dict[str, list[str]] = defaultdict(list)
    for source, target in edge_list:
        users[source].append(target)
        sources[target].append(source)
    # Ranks counted back from the sinks, in reverse topological order (Kahn's algorithm);
    # nodes on a cycle (possible between module boxes) keep rank 0.
    waiting = {node: len(users[node]) for node in nodes}
    ready = [node for node, count in waiting.items() if count == 0]
    back: dict[str, int] = {}
    while ready:
        node = ready.pop()
        back[node] = max((back[user] + 1 for user in users[node]), default=0)
        for source in sources[node]:
            waiting[source] -= 1
            if waiting[source] == 0:
                ready.append(source)
    crossed = sum(
        max(abs(back.get(source, 0) - back.get(target, 0)) - 1, 0) for source, target in edge_list
    )
    if labelled:  # every edge gets a rank more for its label
        crossed = 2 * crossed + len(edge_list)
    return LayoutSize(nodes=len(nodes), edges=len(edge_list), crossed=crossed)


# ---------------------------------------------------------------------------------------
# The builder
# ---------------------------------------------------------------------------------------


class GraphBuilder:
    """Turns the graph under ``root``, :class:`Options` and a :class:`State` into DOT.

    :func:`draw_graph` uses one builder for its drawing; the step-through player one
    per frame, with the same options and each step's state. :meth:`build` works in
    four parts, each a method: the module boxes or clusters, the other nodes, the
    edges, and the legend.

    Args:
        root: the output Value; everything it depends on is drawn.
        options: how to draw.
        state: what is known at the moment drawn.
        order: the topological order of ``root``'s graph, if the caller has it already.
        params: the model's parameters (anything :func:`viz.modules.model_parameters`
            accepts): their names are shown, they are drawn as parameters, and they
            group the graph by module. None: no modules.

    Attributes:
        order: the graph's nodes, children before parents; node ``i`` is drawn as
            ``n<i>`` (and its op as ``o<i>``).
        params: the model's parameters, or None.
        grouping: the units of the graph (empty without ``params``).
        collapse: the collapse mode in effect: "none", "neuron" or "layer".

    Raises:
        ValueError: for ``collapse="neuron"`` or ``"layer"`` without ``params``.

    Example:
        >>> from autograd import Value
        >>> y = Value(2.0, label="x").tanh()
        >>> dot = GraphBuilder(y, Options(legend=False), State(grads=None)).build()
        >>> [line.strip() for line in dot.source.splitlines() if "->" in line]
        ['n0 -> o1', 'o1 -> n1']
    """

    def __init__(
        self,
        root: Value,
        options: Options,
        state: State,
        *,
        order: list[Value] | None = None,
        params: object = None,
    ) -> None:
        self.root = root
        self.options = options
        self.state = state
        self.order = order if order is not None else topological_order(root)
        self.position = {v: i for i, v in enumerate(self.order)}
        self.params = model_parameters(params) if params is not None else None
        self.grouping = self._grouping()
        self.collapse = self._collapse_mode()
        self.clustered = options.group_modules and self.collapse != "layer"
        self._members = self.grouping.members()
        self._unit_number = {unit: k for k, unit in enumerate(self.grouping.units)}
        self._box_of = self.box_of()

    # -- what to group --------------------------------------------------------------------

    def _grouping(self) -> Grouping:
        options = self.options
        if self.params is None or (options.collapse == "none" and not options.group_modules):
            return Grouping()
        return group_by_module(self.order, self.params)

    def _collapse_mode(self) -> str:
        """``options.collapse``, with None decided by size (see :data:`COLLAPSE_THRESHOLD`)."""
        mode = self.options.collapse
        if mode not in (None, "none") and self.params is None:
            raise ValueError(
                f"collapse={mode!r} draws one box per module: pass the model as well, "
                "draw_graph(root, params=model, collapse=...)"
            )
        if not self.grouping.units:
            return "none"
        if mode is not None:
            return mode
        if len(self.order) <= COLLAPSE_THRESHOLD:
            return "none"
        grouping = self.grouping
        drawn = len(self.order) - len(grouping.unit_of) + len(grouping.units)
        if drawn <= COLLAPSE_THRESHOLD and len(grouping.units) <= NEURON_BOX_LIMIT:
            return "neuron"
        return "layer"

    def _units_of(self, path: str) -> list[Unit]:
        return [u for u in self.grouping.units if u.path == path]

    def box_of(self) -> dict[Value, str]:
        """The box each node is drawn in when collapsed (``u<k>`` or ``l<j>``)."""
        if self.collapse == "neuron":
            return {v: f"u{self._unit_number[u]}" for v, u in self.grouping.unit_of.items()}
        if self.collapse == "layer":
            layer = {path: f"l{j}" for j, path in enumerate(self.grouping.layers())}
            return {v: layer[u.path] for v, u in self.grouping.unit_of.items()}
        return {}

    # -- sizes ----------------------------------------------------------------------------

    def edges(self) -> list[DrawnEdge]:
        """Every edge of the drawing, in the order drawn (edges between boxes once)."""
        box_of = self._box_of
        out: list[DrawnEdge] = []
        seen: set[tuple[str, str]] = set()
        for v in self.order:
            if not v.children:
                continue
            i = self.position[v]
            target = box_of.get(v, f"o{i}")
            for k, child in enumerate(v.children):
                source = box_of.get(child, f"n{self.position[child]}")
                if v not in box_of:  # into an op drawn on its own: one edge per argument
                    out.append(DrawnEdge(source, target, v, k))
                elif source != target and (source, target) not in seen:
                    seen.add((source, target))
                    out.append(DrawnEdge(source, target, v, None, between_boxes=True))
            if v not in box_of:
                out.append(DrawnEdge(target, f"n{i}", v, None))
        return out

    def boxes_drawn(self) -> int:
        """How many boxes the drawing has: values drawn on their own, and module boxes."""
        box_of = self._box_of
        return sum(1 for v in self.order if v not in box_of) + len(set(box_of.values()))

    def layout_size(self) -> LayoutSize:
        """The layout work of this drawing (see :func:`layout_size`)."""
        box_of = self._box_of
        nodes = set(box_of.values())
        for v in self.order:
            if v not in box_of:
                i = self.position[v]
                nodes.add(f"n{i}")
                if v.children:
                    nodes.add(f"o{i}")
        edges = self.edges()
        labelled = any(
            e.argument is not None and argument_marks(e.value)[e.argument] for e in edges
        )
        return layout_size(nodes, [(e.source, e.target) for e in edges], labelled=labelled)

    def check_size(self) -> LayoutSize:
        """The layout size, after checking that the drawing is small enough to draw.

        Raises:
            ValueError: if the drawing would have more than :data:`MAX_DRAWN_VALUES`
                boxes, or a layout size above :data:`MAX_LAYOUT_SIZE`; the message
                says how to draw less.
        """
        boxes = self.boxes_drawn()
        advice = self._advice()
        if boxes > MAX_DRAWN_VALUES:
            drawn = "" if boxes == len(self.order) else f", drawn as {boxes:,} boxes"
            raise ValueError(
                f"this graph has {len(self.order):,} values{drawn}; a drawing shows at most "
                f"{MAX_DRAWN_VALUES:,} (more cannot be read): {advice}"
            )
        size = self.layout_size()
        if size.size > MAX_LAYOUT_SIZE:
            raise ValueError(
                f"this graph is too big to lay out in a few seconds: its {size.nodes:,} "
                f"nodes and {size.edges:,} edges, whose long edges cross {size.crossed:,} "
                f"ranks, make a layout size of {size.size:,}; the most is "
                f"{MAX_LAYOUT_SIZE:,}. A value used by ops far apart (like x in x*x*...*x) "
                f"makes long edges: {advice}"
            )
        return size

    def _advice(self) -> str:
        """What to do about a graph too big to draw, given how it was asked for."""
        part = "draw a part of the graph (e.g. one neuron, or a batch of one row)"
        asked = self.options.collapse
        if self.params is None:
            if asked is None:
                return f"pass the model, draw_graph(root, params=model), to collapse it, or {part}"
            return part
        if asked == "none":
            return f"let it collapse by module (collapse=None, 'neuron' or 'layer'), or {part}"
        if asked == "layer" or self.collapse == "layer":
            return "draw a part of the graph (e.g. a batch of fewer rows)"
        return "collapse more (collapse='layer'), or draw a part of the graph (fewer rows)"

    # -- the whole graph ------------------------------------------------------------------

    def build(self) -> GraphDrawing:
        """The drawing: module boxes or clusters, the other nodes, the edges, the legend.

        Raises:
            ValueError: if the graph is too big to draw (see :meth:`check_size`).
        """
        size = self.check_size()
        graph = self._new_graph(fast=size.size > FAST_LAYOUT_SIZE)
        if self.collapse == "layer":
            self._add_layer_boxes(graph)
        elif self.clustered:
            self._add_layer_clusters(graph)
        elif self.collapse == "neuron":
            self._add_neuron_boxes(graph)
        grouped = self.clustered or self.collapse != "none"
        for v in self.order:
            if not (grouped and v in self.grouping.unit_of):
                self._add_value(graph, v)
        self._add_edges(graph)
        if self.state.fixed is None:  # the player keeps the layout it has always had
            for run in self.ordered_runs():
                _keep_in_order(graph, [f"n{self.position[v]}" for v in run])
        if self.options.legend:
            self._add_legend(graph)
        graph.summary = self.summary()
        return graph

    def ordered_runs(self) -> list[list[Value]]:
        """Nodes that the drawing keeps in their natural order, one run each.

        Graphviz orders the nodes of a rank to cross as few edges as it can, which can
        put ``x[1,0]`` above ``x[0,0]``. Two runs are kept in order: the model's inputs
        (the inputs used by its modules, rows first), and the arguments of an op with
        three or more of the same kind (the per-row terms of a loss, before its sum).
        """
        box_of, unit_of = self._box_of, self.grouping.unit_of
        runs = []
        if self.grouping.units:
            inputs = {
                c: None
                for v in self.order
                if v in unit_of
                for c in v.children
                if not c.children
                and c not in unit_of
                and role_of(c, self.root, self.params) == "input"
            }
            runs.append(sorted(inputs, key=self.position.__getitem__))
        for v in self.order:
            terms = v.children
            if (
                3 <= len(terms) <= MAX_ORDERED_RUN
                and v not in box_of
                and len(set(terms)) == len(terms)
                and all(t.children and t not in box_of for t in terms)
                and len({t.op for t in terms}) == 1
            ):
                runs.append(list(terms))
        return [run for run in runs if len(run) > 1]

    def summary(self) -> str:
        """One line saying what the drawing shows, e.g. ``computation graph of y: 7 values``."""
        ops = sum(1 for v in self.order if v.children)
        text = f"computation graph of {self.shown_name(self.root)}: {len(self.order):,} values"
        text += f", {ops:,} op{'s' if ops != 1 else ''}"
        if self.collapse != "none":
            boxes = len(set(self._box_of.values()))
            text += f", drawn with {boxes:,} module boxes ({self.collapse})"
        # printable() keeps line breaks (a label may have several lines); a summary is
        # one line (repr, Jupyter's text/plain), so a break in a name shows as \n
        return printable(text).replace("\n", "\\n")

    def _new_graph(self, *, fast: bool) -> GraphDrawing:
        opts = self.options
        graph = GraphDrawing(
            name="gradstep",
            graph_attr={
                "id": opts.svg_id,
                "rankdir": opts.rankdir,
                "fontname": FONT,
                "bgcolor": "white",
                "nodesep": "0.18",
                "ranksep": "0.35",
                "pad": "0.15",
                "newrank": "true",
                **(FAST_LAYOUT if fast else {}),
            },
            node_attr={
                "shape": "box",
                "style": "rounded,filled",
                "fontname": FONT,
                "fontsize": "11",
                "penwidth": NODE_PENWIDTH,
                "margin": "0.08,0.04",
            },
            # Every text in one sans-serif family: edges default to Times otherwise.
            edge_attr={
                "color": EDGE_COLOUR,
                "arrowsize": "0.6",
                "penwidth": EDGE_PENWIDTH,
                "fontname": FONT,
            },
        )
        if opts.title:
            title = shorten(opts.title, TITLE_LIMIT, lines=2)
            graph.attr(label=f"<<B>{graphviz_html(title)}</B>>", labelloc="t", fontsize="15")
            if title != opts.title:
                graph.attr(tooltip=graphviz.nohtml(graphviz_tooltip(opts.title)))
        return graph

    # -- modules: boxes and clusters ------------------------------------------------------

    def _add_layer_boxes(self, graph: Any) -> None:
        for j, path in enumerate(self.grouping.layers()):
            graph.node(f"l{j}", **self._box_attrs(self._units_of(path), layer=True))

    def _add_neuron_boxes(self, graph: Any) -> None:
        for unit, k in self._unit_number.items():
            graph.node(f"u{k}", **self._box_attrs([unit], layer=False))

    def _add_layer_clusters(self, graph: Any) -> None:
        for j, path in enumerate(self.grouping.layers()):
            units = self._units_of(path)
            with graph.subgraph(name=f"cluster_l{j}") as layer_graph:
                title = graphviz_html(shorten(units[0].layer_title))
                layer_graph.attr(label=f"<<B>{title}</B>>", **_LAYER_STYLE)
                for unit in units:
                    self._add_unit(layer_graph, unit)

    def _add_unit(self, graph: Any, unit: Unit) -> None:
        """One unit inside its layer's cluster: a box, its own cluster, or loose nodes."""
        k = self._unit_number[unit]
        if self.collapse == "neuron":
            graph.node(f"u{k}", **self._box_attrs([unit], layer=False, in_cluster=True))
        elif unit.index is None:  # a whole module: its layer's cluster is enough
            for v in self._members[unit]:
                self._add_value(graph, v)
        else:
            with graph.subgraph(name=f"cluster_u{k}") as unit_graph:
                unit_graph.attr(label=f"<{graphviz_html(shorten(unit.title))}>", **_UNIT_STYLE)
                for v in self._members[unit]:
                    self._add_value(unit_graph, v)

    def _box_attrs(
        self, units: list[Unit], *, layer: bool, in_cluster: bool = False
    ) -> dict[str, str]:
        """A collapsed unit or layer: its title, what it computes, its mean |grad|."""
        nodes = [v for u in units for v in self._members[u]]
        params = [v for v in nodes if not v.children]
        title, line = self._box_text(units, nodes, params, layer=layer, in_cluster=in_cluster)
        rows = [f"<TR><TD><B>{graphviz_html(shorten(title))}</B></TD></TR>"]
        rows.append(f"<TR><TD>{_font(graphviz_html(shorten(line)), size=10)}</TD></TR>")
        if self.options.show_grads:
            rows.append(f"<TR><TD>{self._mean_grad(params)}</TD></TR>")
        fill, border = MODULE_COLOURS
        attrs = {
            "label": _table(rows),
            "fillcolor": fill,
            "color": border,
            "penwidth": "1.6",
            "margin": "0.12,0.06",
        }
        if any(v in self.state.highlight for v in nodes):
            attrs.update(color=HIGHLIGHT, penwidth="3")
        return attrs

    def _box_text(
        self,
        units: list[Unit],
        nodes: list[Value],
        params: list[Value],
        *,
        layer: bool,
        in_cluster: bool,
    ) -> tuple[str, str]:
        """The title of a box and its line of facts."""
        unit = units[0]
        activation = self.grouping.activation.get(unit)
        uses = [v for v in nodes if any(c in params for c in v.children)]
        rows_count = len(uses) // max(1, len(units))
        per_row = "1 row" if rows_count == 1 else f"{rows_count} rows"
        if layer:
            title = unit.layer_title + (f" + {activation}" if activation else "")
            what = unit.part or "module"
            what += "" if len(units) == 1 else "s"
            return title, f"{len(units)} {what} · {len(params)} parameters · {per_row}"
        title = unit.title.split(", ")[-1] if in_cluster else unit.title
        if unit.part == "neuron":
            assert self.params is not None  # units come from params
            has_bias = any(self.params.names[p].name == "bias" for p in params)
            expression = "w·x + b" if has_bias else "w·x"
            expression = f"{activation}({expression})" if activation else expression
        else:
            expression = f"{activation}(…)" if activation else ""
        # "w·x + b · 4 rows" would read as b·4: the count is said apart from the formula.
        return title, f"{expression}, for {per_row}" if expression else per_row

    def _mean_grad(self, params: list[Value]) -> str:
        grads = self.state.grads
        if grads is None:
            return _font(f"<I>grad {NOT_COMPUTED}</I>", colour=MUTED, size=9)
        known = [abs(grads[p]) for p in params if p in grads]
        if not known:
            return _font("grad ?", colour=MUTED, size=10)
        text = f"mean |grad| {fmt(sum(known) / len(known), self.options.number_format)}"
        return _font(graphviz_html(text), colour=GRAD_COLOUR, size=10)

    # -- values and ops -------------------------------------------------------------------

    def name(self, value: Value) -> str:
        """How the drawing names ``value`` (see :func:`display_name`)."""
        return display_name(value, self.position[value], self.options.number_format, self.params)

    def shown_name(self, value: Value) -> str:
        """The name as the box shows it: cut to :data:`~viz._text.LABEL_LIMIT` characters
        (the box's tooltip holds all of it)."""
        return shorten(self.name(value))

    def _add_value(self, graph: Any, value: Value) -> None:
        i = self.position[value]
        attrs = self.value_attrs(value)
        if self.options.element_ids:
            attrs["id"] = f"{self.options.svg_id}-n{i}"
        graph.node(f"n{i}", **attrs)
        if value.children:
            attrs = {
                "shape": "ellipse",
                "style": "filled",
                "fillcolor": OP_COLOURS[0],
                "color": OP_COLOURS[1],
                "fontsize": "11",
                "width": "0.3",
                "height": "0.25",
                "margin": "0.04,0.01",
                "label": f"<{graphviz_html(shorten(op_text(value)))}>",
            }
            if argument_marks(value)[0]:
                # Arguments in order, a above b (left to right in a top-to-bottom drawing),
                # so that the marks never swap sides or meet.
                attrs["ordering"] = "in"
            attrs.update(self.op_style(value))
            if self.options.element_ids:
                attrs["id"] = f"{self.options.svg_id}-o{i}"
            graph.node(f"o{i}", **attrs)

    def value_attrs(self, value: Value) -> dict[str, str]:
        """The DOT attributes of ``value``'s box: its label, colours and border, and the
        whole name as its tooltip when the label had to be shortened."""
        attrs = {"label": self._value_label(value), **self.value_style(value)}
        if isinstance(value, Constant) and not value.label:
            attrs.update(margin="0.06,0.02", width="0.3", height="0.25")
        name = self.name(value)
        if self.shown_name(value) != name:
            attrs["tooltip"] = graphviz.nohtml(graphviz_tooltip(name))
        return attrs

    def value_style(self, value: Value) -> dict[str, str]:
        """The colours and border of ``value``'s box in this state: ``fillcolor`` and
        ``color``, and ``style`` and ``penwidth`` where they differ from the defaults
        (``"rounded,filled"``, :data:`NODE_PENWIDTH`)."""
        fill, border = ROLE_COLOURS[role_of(value, self.root, self.params)]
        style = {"fillcolor": fill, "color": border}
        state = self.state
        if not state.data_known(value):
            fill, border = UNKNOWN_COLOURS
            style.update(fillcolor=fill, color=border, style="rounded,filled,dashed")
        if value is state.current:
            style.update(color=CURRENT, penwidth="3.5")
        elif value in state.updated:
            style.update(color=CURRENT, penwidth="2.2")
        elif value in state.highlight:
            style.update(color=HIGHLIGHT, penwidth="3")
        return style

    def op_style(self, value: Value) -> dict[str, str]:
        """How ``value``'s op oval differs from the usual :data:`OP_COLOURS` in this state."""
        if value is self.state.current:
            return {"color": CURRENT, "penwidth": "2.5"}
        if not self.state.data_known(value):
            return {"fillcolor": UNKNOWN_COLOURS[0], "color": UNKNOWN_COLOURS[1]}
        return {}

    def _value_label(self, value: Value) -> str:
        """The box of a value: its name, then rows for data and grad."""
        name = self.shown_name(value)
        data = self.data_cell(value).html()
        if isinstance(value, Constant) and not value.label:
            return f"<{_font(data, size=11)}>"
        name_width, label_width, value_width = self._cell_widths(value, name)
        named = value.label or (self.params is not None and value in self.params)
        if not named and self.state.fixed is None:
            # An unlabelled result is named by its topological position (v57), a number
            # that says nothing in a picture: its op oval already says what it is. (The
            # player keeps it, since its text panels refer to it.)
            rows = [self._row("data", data, label_width, value_width)]
            if self.options.show_grads:
                rows.append(self._row("grad", self.grad_cell(value).html(), None, None))
            return _table(rows)
        title = (
            f"<B>{graphviz_html(name)}</B>" if named else _font(graphviz_html(name), colour=MUTED)
        )
        lines = len(name.split("\n"))
        rows = [f"<TR>{_cell(_font(title, size=12), width=name_width, span=2, lines=lines)}</TR>"]
        rows.append(self._row("data", data, label_width, value_width))
        if self.options.show_grads and not isinstance(value, Constant):
            grad = self.grad_cell(value).html()
            rows.append(self._row("grad", grad, label_width, value_width))
        return _table(rows)

    def _cell_widths(self, value: Value, name: str) -> tuple[int | None, int | None, int | None]:
        """Fixed (name, label, value) cell widths for the player, else (None, None, None).

        In the player every cell has a fixed size, the widest this node gets in any frame,
        so the layout is the same in every frame (and no cell stretches: Graphviz
        misplaces text in stretched fixed-size cells).
        """
        fixed = self.state.fixed.get(value) if self.state.fixed is not None else None
        if not fixed:
            return None, None, None
        label_width = 30
        widest_line = max(len(printable(line)) for line in name.split("\n"))
        value_width = max(_points(fixed), _points(widest_line, 12) - 30)
        return label_width + value_width, label_width, value_width

    @staticmethod
    def _row(what: str, content: str, label_width: int | None, value_width: int | None) -> str:
        label = _cell(_font(what, colour="#64748b", size=9), align="LEFT", width=label_width)
        return f"<TR>{label}{_cell(content, align='RIGHT', width=value_width)}</TR>"

    def data_cell(self, value: Value) -> Cell:
        """What ``value``'s data cell shows in this state: its number, or "?"."""
        if not self.state.data_known(value):
            return Cell("?", MUTED)
        bold = value in self.state.updated and self.state.phase == "forward"
        return Cell(fmt(value.data, self.options.number_format), bold=bold)

    def grad_cell(self, value: Value) -> Cell:
        """What ``value``'s grad cell shows in this state: its number, "?" or a note."""
        grads = self.state.grads
        if grads is None:
            return Cell(NOT_COMPUTED, MUTED, italic=True, size=9)
        if value not in grads:
            return Cell("?", MUTED)
        bold = value in self.state.updated and self.state.phase == "backward"
        return Cell(fmt(grads[value], self.options.number_format), GRAD_COLOUR, bold=bold)

    # -- edges ----------------------------------------------------------------------------

    def _add_edges(self, graph: Any) -> None:
        ids = self.options.element_ids
        for edge in self.edges():
            v, k = edge.value, edge.argument
            if edge.between_boxes:
                graph.edge(edge.source, edge.target)
                continue
            attrs = self.edge_attrs(v, k) if k is not None else self.output_edge_attrs(v)
            if ids:
                i = self.position[v]
                attrs["id"] = f"{self.options.svg_id}-e{i}" + ("" if k is None else f"-{k}")
            graph.edge(edge.source, edge.target, **attrs)

    def output_edge_attrs(self, v: Value) -> dict[str, str]:
        """The attributes of the edge from ``v``'s op to ``v`` (lit when ``v`` is current)."""
        if v is self.state.current:
            return {"color": CURRENT, "penwidth": "2.6"}
        return {}

    def edge_attrs(self, v: Value, k: int) -> dict[str, str]:
        """The attributes of the edge from ``v``'s ``k``-th argument to its op: its mark
        (``a``/``b``), and for the current step's lit edges their colour and note."""
        attrs: dict[str, str] = {}
        mark = argument_marks(v)[k]
        if mark:
            # At the head, beside the op, each mark close to its own edge: a little above
            # it for a, below for b (the op asks for its arguments in that order, but
            # Graphviz cannot always keep it, so the marks stay near their edges). A label
            # at an edge's middle lands among the other edges of a crowded rank.
            attrs.update(
                headlabel=mark,
                labelangle="-15" if k == 0 else "15",
                labeldistance="2.2",
                labelfontsize="9",
                labelfontcolor=OP_COLOURS[1],
            )
        state = self.state
        if v is state.current and k in state.active:
            attrs.update(LIT_EDGE)
            note = state.edge_notes.get(k)
            if note:
                attrs.update(note_attrs(note))
        return attrs

    # -- legend ---------------------------------------------------------------------------

    def _add_legend(self, graph: Any) -> None:
        # The roles of the boxes drawn: values inside a collapsed module do not count.
        present = {role_of(v, self.root, self.params) for v in self.order if v not in self._box_of}
        rows = [
            _legend_row("", role, fill=ROLE_COLOURS[role][0], border=ROLE_COLOURS[role][1])
            for role in ROLES
            if role in present
        ]
        rows.append(_legend_row("op", "operation", fill=OP_COLOURS[0], border=OP_COLOURS[1]))
        if self.collapse != "none":
            fill, border = MODULE_COLOURS
            rows.append(_legend_row("", "module (collapsed)", fill=fill, border=border))
        state = self.state
        if state.fixed is not None:  # the player: the same legend in every frame
            rows.append(_legend_row("", "this step", fill="#ffffff", border=CURRENT))
            rows.append(_legend_row("?", "not known yet", fill="#f8fafc", border="#cbd5e1"))
        elif state.highlight:
            rows.append(_legend_row("", "highlighted", fill="#ffffff", border=HIGHLIGHT))
        if state.grads is None and self.options.show_grads and state.fixed is None:
            note = _font("<I>grads not computed yet: call backward()</I>", colour=MUTED, size=9)
            rows.append(f'<TR><TD COLSPAN="2" ALIGN="LEFT">{note}</TD></TR>')
        table = '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="1">'
        graph.node(
            "legend",
            label=f"<{table}{''.join(rows)}</TABLE>>",
            shape="box",
            style="rounded",
            color="#e2e8f0",
            margin="0.08,0.05",
        )


# ---------------------------------------------------------------------------------------
# The public functions
# ---------------------------------------------------------------------------------------


def draw_graph(
    root: Value,
    *,
    params: object = None,
    rankdir: str = "LR",
    number_format: str = ".4g",
    show_grads: bool = True,
    grads_computed: bool | None = None,
    highlight: Iterable[Value] = (),
    group_modules: bool = True,
    collapse: str | None = None,
    legend: bool = True,
    title: str | None = None,
) -> GraphDrawing:
    """The computation graph under ``root`` as a :class:`graphviz.Digraph` (DOT, not rendered).

    Args:
        root: the output Value; everything it depends on is drawn.
        params: the model whose parameters the graph uses: an ``nn.Module`` (anything
            with ``named_parameters()``) or a dict of names to Values, such as
            ``dict(model.named_parameters())``. Its parameters are drawn as parameters,
            named as the model names them (``0.weight[3,1]``), and grouped by the module
            that owns them (see :mod:`viz.modules`). None: no modules.
        rankdir: the direction of the data flow: "LR" (left to right), "TB", "RL" or "BT".
        number_format: a format spec for data and grads, e.g. ".4g" or ".3f".
        show_grads: draw the grad of every value.
        grads_computed: whether grads are drawn as numbers. None (default) decides by
            looking: if the root's grad is exactly 0.0, backward() has not run from it
            and grads show "not computed yet".
        highlight: values to draw with a thick pink border.
        group_modules: with ``params``, cluster parameters and the nodes using them by
            module and neuron.
        collapse: "none", "neuron" (one box per neuron), "layer" (one box per layer), or
            None to collapse graphs with more than :data:`COLLAPSE_THRESHOLD` values
            (with ``params``; without, graphs are drawn whole, up to
            :data:`MAX_DRAWN_VALUES` values).
        legend: draw the colour legend.
        title: a title above the graph.

    Returns:
        A :class:`GraphDrawing` (a ``graphviz.Digraph``): ``.source`` is the DOT text;
        Jupyter displays it inline; :meth:`GraphDrawing.svg` and ``.render()`` run Graphviz.

    Raises:
        ValueError: for a rankdir, collapse or number_format that is not allowed,
            ``collapse="neuron"``/``"layer"`` without ``params``, or a graph too big to
            draw (more than :data:`MAX_DRAWN_VALUES` boxes once collapsed, or a layout
            size above :data:`MAX_LAYOUT_SIZE`); the message says what to do instead.
        TypeError: if ``root`` is not a Value, or ``params`` is not a model or a dict of
            Values.

    Example:
        >>> from autograd import Value
        >>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
        >>> c = a * b; c.label = "c"
        >>> dot = draw_graph(c)
        >>> dot.source.splitlines()[-3].strip()  # the last edge: the * op gives c
        'o2 -> n2'
        >>> "not computed yet" in dot.source
        True
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_graph() needs a Value, got {type(root).__name__}")
    options = Options(
        rankdir=rankdir,
        number_format=number_format,
        show_grads=show_grads,
        group_modules=group_modules,
        collapse=collapse,
        legend=legend,
        title=title,
    )
    order = topological_order(root)
    if grads_computed is None:
        # backward() always leaves its seed on the node it starts from, so a root with
        # grad 0 has not been backpropagated (its leaves may still hold old gradients).
        grads_computed = root.grad != 0.0
    grads = {v: v.grad for v in order} if grads_computed else None
    state = State(grads=grads, highlight=frozenset(highlight))
    return GraphBuilder(root, options, state, order=order, params=params).build()


def render_svg(root: Value, path: str | os.PathLike[str] | None = None, **options: Any) -> str:
    """The drawing of ``root`` as SVG text, also written to ``path`` when given.

    Takes the same keyword options as :func:`draw_graph` (``params=model`` included).

    Raises:
        GraphvizNotFoundError: if Graphviz's ``dot`` program is not installed.
        ValueError: as :func:`draw_graph` (a bad option, or a graph too big to draw).

    Example:
        >>> from autograd import Value
        >>> svg = render_svg(Value(1.0, label="x").tanh())
        >>> svg.lstrip().startswith("<?xml") and "</svg>" in svg
        True
    """
    svg = draw_graph(root, **options).svg()
    if path is not None:
        Path(path).write_text(svg, encoding="utf-8")
    return svg
