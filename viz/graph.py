"""Drawing a computation graph: :func:`draw_graph` builds DOT, :func:`render_svg` renders it.

Building and rendering are separate steps, as in python-graphviz. :func:`draw_graph`
only builds a :class:`graphviz.Digraph` (its ``.source`` is the DOT text, which tests
and users can read without Graphviz installed); turning it into a picture runs
Graphviz's ``dot`` program, which :func:`render_svg`, ``.render()`` and Jupyter's
inline display do. If ``dot`` is missing, all of those raise
:class:`GraphvizNotFoundError`, whose message says how to install it.

What a drawing shows:

* one box per Value, coloured by its role: an *input* (a leaf), a *parameter* (a leaf
  labelled like nn's parameters, e.g. ``0.weight[3,1]``), a *constant* (a number that
  appeared in an expression, :class:`autograd.Constant`), an *intermediate* result, and
  the *output* (the root). The box shows the label (or ``v<i>`` for an unlabelled
  value, ``i`` being its topological position), ``data`` and ``grad``;
* one small oval per op, with an edge from each child in argument order (``a + a``
  draws two edges); for ``-``, ``/`` and ``**`` the edges are marked ``a`` and ``b``;
* a legend of the colours.

Node ids come from topological positions (``n0``, ``n1``...; the op of node ``i`` is
``o<i>``), so the same graph always gives the same DOT text.

**Grads before backward().** When the root's grad is exactly 0.0, ``backward()`` has not
run from it (it always leaves its seed there), and the drawing shows "not computed yet"
instead of numbers, even if parameters still hold gradients from earlier steps.
Pass ``grads_computed=True`` to show the zeros anyway (a graph whose gradients are
truly all zero) or ``False`` to never show numbers.

**Large graphs.** Parameters labelled by nn are grouped into clusters per layer and per
neuron (``Linear 0, neuron 3``: its weights, bias, its ``dot`` node for every row
and its activation). With ``collapse="neuron"`` each neuron becomes one box, with
``collapse="layer"`` each layer does, and only the edges between boxes and the other
nodes remain. By default (``collapse=None``) a graph with more than
:data:`COLLAPSE_THRESHOLD` values is collapsed by neuron, and by layer if that still
would draw more than :data:`NEURON_BOX_LIMIT` neuron boxes (or still more than
:data:`COLLAPSE_THRESHOLD` nodes).
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import graphviz  # type: ignore[import-untyped]

from autograd import Constant, Value, topological_order
from viz._modules import Grouping, Unit, group_by_module, is_parameter
from viz._text import check_number_format, fmt, graphviz_html

COLLAPSE_THRESHOLD = 200
"""Graphs with more values than this are collapsed by default (``collapse=None``)."""

NEURON_BOX_LIMIT = 50
"""Collapsing by default draws one box per neuron up to this many neurons, else per layer."""

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

OP_COLOURS = ("#ede9fe", "#7c3aed")
HIGHLIGHT = "#db2777"
CURRENT = "#f97316"
GRAD_COLOUR = "#be123c"
MUTED = "#94a3b8"
FONT = "Helvetica"

NOT_COMPUTED = "not computed yet"
"""What a grad shows before backward() has run."""


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


def role_of(value: Value, root: Value) -> str:
    """The role of ``value`` in the graph of ``root``: one of :data:`ROLES`.

    Example:
        >>> from autograd import Value
        >>> x = Value(1.0, label="x"); w = Value(2.0, label="0.weight[0,0]")
        >>> y = x * w + 1
        >>> [role_of(v, y) for v in (x, w, y.children[0], y.children[1], y)]
        ['input', 'parameter', 'intermediate', 'constant', 'output']
    """
    if value is root:
        return "output"
    if isinstance(value, Constant):
        return "constant"
    if value.children:
        return "intermediate"
    return "parameter" if is_parameter(value) else "input"


def display_name(value: Value, position: int, number_format: str = ".4g") -> str:
    """How text refers to a value: its label, the number of a constant, else ``v<position>``."""
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


def argument_marks(value: Value) -> tuple[str, ...]:
    """Edge marks for ops whose argument order matters: ``("a", "b")`` for ``-``, ``/``, ``**``."""
    if value.op in _ORDERED_BINARY and len(value.children) == 2:
        return ("a", "b")
    return ("",) * len(value.children)


# ---------------------------------------------------------------------------------------
# Options and state shared with the step-through player
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    """How to draw (fixed for a whole drawing or a whole player)."""

    rankdir: str = "LR"
    number_format: str = ".4g"
    show_grads: bool = True
    group_modules: bool = True
    collapse: str = "none"
    legend: bool = True
    title: str | None = None
    svg_id: str = "gradstep"


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


def check_choice(name: str, value: object, allowed: Iterable[object]) -> None:
    """Raise ValueError naming ``value`` and the allowed values if it is not one of them."""
    allowed = tuple(allowed)
    if value not in allowed:
        shown = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {shown}; got {value!r}")


# ---------------------------------------------------------------------------------------
# Building the DOT
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
        attrs += f' WIDTH="{width}" HEIGHT="{16 * lines + 1}" FIXEDSIZE="TRUE"'
    return f"<TD{attrs}>{content}</TD>"


class _Builder:
    def __init__(self, root: Value, order: list[Value], options: Options, state: State) -> None:
        self.root = root
        self.order = order
        self.position = {v: i for i, v in enumerate(order)}
        self.options = options
        self.state = state
        self.fmt = options.number_format

    # -- values ----------------------------------------------------------------------

    def name(self, value: Value) -> str:
        return display_name(value, self.position[value], self.fmt)

    def data_text(self, value: Value) -> tuple[str, bool]:
        known = self.state.known_data is None or value in self.state.known_data
        return (fmt(value.data, self.fmt), True) if known else ("?", False)

    def grad_text(self, value: Value) -> tuple[str, str]:
        """The grad as (text, kind): kind is "known", "unknown" or "not computed"."""
        grads = self.state.grads
        if grads is None:
            return NOT_COMPUTED, "not computed"
        if value in grads:
            return fmt(grads[value], self.fmt), "known"
        return "?", "unknown"

    def value_label(self, value: Value) -> str:
        fixed = self.state.fixed.get(value) if self.state.fixed is not None else None
        name_width = value_width = label_width = None
        name_lines = self.name(value).split("\n")
        if fixed:
            # Every cell has a fixed size, the widest this node gets in any frame, so the
            # layout is the same in every frame (and no cell stretches: Graphviz misplaces
            # text in stretched fixed-size cells).
            label_width = 30
            value_width = max(_points(fixed), _points(max(map(len, name_lines)), 12) - 30)
            name_width = label_width + value_width
        updated = value in self.state.updated
        data, data_known = self.data_text(value)
        if isinstance(value, Constant) and not value.label:
            return f"<{_font(graphviz_html(data), size=11)}>"
        if value.label:
            title = f"<B>{graphviz_html(value.label)}</B>"
        else:
            title = _font(graphviz_html(self.name(value)), colour=MUTED)
        rows = [
            "<TR>"
            + _cell(_font(title, size=12), width=name_width, span=2, lines=len(name_lines))
            + "</TR>"
        ]
        data_html = graphviz_html(data)
        if not data_known:
            data_html = _font(data_html, colour=MUTED)
        elif updated and self.state.phase == "forward":
            data_html = f"<B>{data_html}</B>"
        rows.append(
            "<TR>"
            + _cell(_font("data", colour="#64748b", size=9), align="LEFT", width=label_width)
            + _cell(data_html, align="RIGHT", width=value_width)
            + "</TR>"
        )
        if self.options.show_grads and not isinstance(value, Constant):
            text, kind = self.grad_text(value)
            if kind == "known":
                grad_html = _font(graphviz_html(text), colour=GRAD_COLOUR)
                if updated and self.state.phase == "backward":
                    grad_html = f"<B>{grad_html}</B>"
            elif kind == "unknown":
                grad_html = _font(graphviz_html(text), colour=MUTED)
            else:
                grad_html = _font(f"<I>{graphviz_html(text)}</I>", colour=MUTED, size=9)
            rows.append(
                "<TR>"
                + _cell(_font("grad", colour="#64748b", size=9), align="LEFT", width=label_width)
                + _cell(grad_html, align="RIGHT", width=value_width)
                + "</TR>"
            )
        table = '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
        return f"<{table}{''.join(rows)}</TABLE>>"

    def value_attrs(self, value: Value) -> dict[str, str]:
        fill, border = ROLE_COLOURS[role_of(value, self.root)]
        attrs = {
            "label": self.value_label(value),
            "fillcolor": fill,
            "color": border,
        }
        if isinstance(value, Constant) and not value.label:
            attrs.update(margin="0.06,0.02", width="0.3", height="0.25")
        known = self.state.known_data is None or value in self.state.known_data
        if not known:
            attrs.update(fillcolor="#f8fafc", color="#cbd5e1", style="rounded,filled,dashed")
        if value is self.state.current:
            attrs.update(color=CURRENT, penwidth="3.5")
        elif value in self.state.updated:
            attrs.update(color=CURRENT, penwidth="2.2")
        elif value in self.state.highlight:
            attrs.update(color=HIGHLIGHT, penwidth="3")
        return attrs

    def op_attrs(self, value: Value) -> dict[str, str]:
        attrs = {"label": f"<{graphviz_html(op_text(value))}>"}
        known = self.state.known_data is None or value in self.state.known_data
        if value is self.state.current:
            attrs.update(color=CURRENT, penwidth="2.5")
        elif not known:
            attrs.update(fillcolor="#f8fafc", color="#cbd5e1")
        return attrs

    # -- the whole graph ---------------------------------------------------------------

    def build(self) -> GraphDrawing:
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
            },
            node_attr={
                "shape": "box",
                "style": "rounded,filled",
                "fontname": FONT,
                "fontsize": "11",
                "penwidth": "1.3",
                "margin": "0.08,0.04",
            },
            edge_attr={"color": "#64748b", "arrowsize": "0.6", "penwidth": "1.1"},
        )
        if opts.title:
            graph.attr(label=f"<<B>{graphviz_html(opts.title)}</B>>", labelloc="t", fontsize="15")
        grouping = Grouping()
        if opts.group_modules or opts.collapse != "none":
            grouping = group_by_module(self.order)
        collapse = opts.collapse if grouping.units else "none"
        members = grouping.members()
        layers = grouping.layers()
        box_of: dict[Value, str] = {}
        if collapse == "neuron":
            for k, unit in enumerate(grouping.units):
                box_of.update((v, f"u{k}") for v in members[unit])
        elif collapse == "layer":
            for j, path in enumerate(layers):
                for unit in grouping.units:
                    if unit.path == path:
                        box_of.update((v, f"l{j}") for v in members[unit])

        clustered = opts.group_modules and collapse != "layer"
        if collapse == "layer":
            for j, path in enumerate(layers):
                units = [u for u in grouping.units if u.path == path]
                graph.node(f"l{j}", **self.box_attrs(units, members, grouping, layer=True))
        elif clustered:
            for j, path in enumerate(layers):
                with graph.subgraph(name=f"cluster_l{j}") as layer_graph:
                    units = [u for u in grouping.units if u.path == path]
                    layer_graph.attr(
                        label=f"<<B>{graphviz_html(units[0].layer_title)}</B>>",
                        style="rounded,filled",
                        fillcolor="#f8fafc",
                        color="#cbd5e1",
                        fontsize="13",
                        labeljust="l",
                    )
                    for unit in units:
                        k = grouping.units.index(unit)
                        if collapse == "neuron":
                            attrs = self.box_attrs(
                                [unit], members, grouping, layer=False, in_cluster=True
                            )
                            layer_graph.node(f"u{k}", **attrs)
                        elif unit.index is None:
                            for v in members[unit]:
                                self.add_value(layer_graph, v)
                        else:
                            with layer_graph.subgraph(name=f"cluster_u{k}") as unit_graph:
                                unit_graph.attr(
                                    label=f"<{graphviz_html(unit.title)}>",
                                    style="rounded,filled",
                                    fillcolor="#fffaf3",
                                    color="#fdba74",
                                    fontsize="11",
                                    labeljust="l",
                                )
                                for v in members[unit]:
                                    self.add_value(unit_graph, v)
        elif collapse == "neuron":
            for k, unit in enumerate(grouping.units):
                graph.node(f"u{k}", **self.box_attrs([unit], members, grouping, layer=False))

        grouped = set(grouping.unit_of) if clustered or collapse != "none" else set()
        for v in self.order:
            if v not in grouped:
                self.add_value(graph, v)
        self.add_edges(graph, box_of)
        if opts.legend:
            self.add_legend(graph, collapsed=collapse != "none")
        return graph

    def add_value(self, graph: Any, value: Value) -> None:
        i = self.position[value]
        graph.node(f"n{i}", **self.value_attrs(value))
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
            }
            attrs.update(self.op_attrs(value))
            graph.node(f"o{i}", **attrs)

    def add_edges(self, graph: Any, box_of: Mapping[Value, str]) -> None:
        seen: set[tuple[str, str]] = set()
        state = self.state
        for v in self.order:
            if not v.children:
                continue
            i = self.position[v]
            target = box_of.get(v, f"o{i}")
            marks = argument_marks(v)
            for k, child in enumerate(v.children):
                source = box_of.get(child, f"n{self.position[child]}")
                if child in box_of or v in box_of:
                    if source == target or (source, target) in seen:
                        continue
                    seen.add((source, target))
                    graph.edge(source, target)
                    continue
                attrs: dict[str, str] = {}
                if marks[k]:
                    # Near the op (head), where the two edges meet, the marks of a
                    # left-to-right drawing land on the wrong edges; near the children
                    # (tail) they crowd round a child used twice. An edge's own label
                    # sits at its middle, on that edge.
                    attrs.update(label=marks[k], fontsize="9", fontcolor="#7c3aed")
                if v is state.current and k in state.active:
                    attrs.update(color=CURRENT, penwidth="2.6", arrowsize="0.8")
                    note = state.edge_notes.get(k)
                    if note:
                        attrs.update(
                            xlabel=f"<<B>{graphviz_html(note)}</B>>",
                            fontcolor=CURRENT,
                            fontsize="10",
                        )
                graph.edge(source, target, **attrs)
            if v not in box_of:
                attrs = {}
                if v is state.current:
                    attrs = {"color": CURRENT, "penwidth": "2.6"}
                graph.edge(f"o{i}", f"n{i}", **attrs)

    # -- collapsed boxes ---------------------------------------------------------------

    def box_attrs(
        self,
        units: list[Unit],
        members: Mapping[Unit, list[Value]],
        grouping: Grouping,
        *,
        layer: bool,
        in_cluster: bool = False,
    ) -> dict[str, str]:
        nodes = [v for u in units for v in members[u]]
        params = [v for v in nodes if not v.children]
        owners = [v for v in nodes if any(c in params for c in v.children)]
        unit = units[0]
        activation = grouping.activation.get(unit)
        rows_count = len(owners) // max(1, len(units))
        per_row = "1 row" if rows_count == 1 else f"{rows_count} rows"
        if layer:
            title = unit.layer_title + (f" + {activation}" if activation else "")
            what = "neuron" if unit.kind == "Linear" else "feature"
            what += "" if len(units) == 1 else "s"
            lines = [f"{len(units)} {what} · {len(params)} parameters · {per_row}"]
        else:
            title = unit.title.split(", ")[-1] if in_cluster else unit.title
            if unit.kind == "Linear":
                has_bias = any(p.label.startswith(f"{unit.path}.bias") for p in params)
                expression = "w·x + b" if has_bias else "w·x"
                expression = f"{activation}({expression})" if activation else expression
            else:
                expression = f"{activation}(…)" if activation else ""
            lines = [f"{expression} · {per_row}" if expression else per_row]
        rows = [f"<TR><TD><B>{graphviz_html(title)}</B></TD></TR>"]
        rows += [f"<TR><TD>{_font(graphviz_html(t), size=10)}</TD></TR>" for t in lines]
        if self.options.show_grads:
            grads = self.state.grads
            if grads is None:
                grad_line = _font(f"<I>grad {NOT_COMPUTED}</I>", colour=MUTED, size=9)
            else:
                known = [abs(grads[p]) for p in params if p in grads]
                if known:
                    mean = sum(known) / len(known)
                    text = f"mean |grad| {fmt(mean, self.fmt)}"
                    grad_line = _font(graphviz_html(text), colour=GRAD_COLOUR, size=10)
                else:
                    grad_line = _font("grad ?", colour=MUTED, size=10)
            rows.append(f"<TR><TD>{grad_line}</TD></TR>")
        table = '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
        fill, border = ROLE_COLOURS["parameter"]
        attrs = {
            "label": f"<{table}{''.join(rows)}</TABLE>>",
            "fillcolor": fill,
            "color": border,
            "penwidth": "1.6",
            "margin": "0.12,0.06",
        }
        if any(v in self.state.highlight for v in nodes):
            attrs.update(color=HIGHLIGHT, penwidth="3")
        return attrs

    # -- legend ------------------------------------------------------------------------

    def add_legend(self, graph: Any, *, collapsed: bool) -> None:
        present = {role_of(v, self.root) for v in self.order}
        rows = []

        def row(swatch: str, text: str, *, fill: str, border: str) -> None:
            rows.append(
                f'<TR><TD BGCOLOR="{fill}" COLOR="{border}" BORDER="1" STYLE="ROUNDED" '
                f'WIDTH="26" HEIGHT="14">{_font(swatch, size=8)}</TD>'
                f'<TD ALIGN="LEFT">{_font(text, size=10)}</TD></TR>'
            )

        for role in ROLES:
            if role in present:
                row("", role, fill=ROLE_COLOURS[role][0], border=ROLE_COLOURS[role][1])
        row("op", "operation", fill=OP_COLOURS[0], border=OP_COLOURS[1])
        if collapsed:
            fill, border = ROLE_COLOURS["parameter"]
            row("", "module (collapsed)", fill=fill, border=border)
        if self.state.fixed is not None:  # the player: the same legend in every frame
            row("", "this step", fill="#ffffff", border=CURRENT)
            row("?", "not known yet", fill="#f8fafc", border="#cbd5e1")
        elif self.state.highlight:
            row("", "highlighted", fill="#ffffff", border=HIGHLIGHT)
        if self.state.grads is None and self.options.show_grads and self.state.fixed is None:
            rows.append(
                '<TR><TD COLSPAN="2" ALIGN="LEFT">'
                + _font("<I>grads not computed yet: call backward()</I>", colour=MUTED, size=9)
                + "</TD></TR>"
            )
        table = '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="1">'
        graph.node(
            "legend",
            label=f"<{table}{''.join(rows)}</TABLE>>",
            shape="box",
            style="rounded",
            color="#e2e8f0",
            margin="0.08,0.05",
        )


def _options(
    *,
    rankdir: str,
    number_format: str,
    show_grads: bool,
    group_modules: bool,
    collapse: str | None,
    legend: bool,
    title: str | None,
    order: list[Value],
) -> Options:
    check_choice("rankdir", rankdir, RANKDIRS)
    check_number_format(number_format)
    if collapse is not None:
        check_choice("collapse", collapse, (*COLLAPSE_MODES, None))
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a str or None, got {type(title).__name__}")
    mode = collapse if collapse is not None else _auto_collapse(order)
    return Options(
        rankdir=rankdir,
        number_format=number_format,
        show_grads=bool(show_grads),
        group_modules=bool(group_modules),
        collapse=mode,
        legend=bool(legend),
        title=title,
    )


def _auto_collapse(order: list[Value]) -> str:
    """The collapse mode for ``collapse=None``: see :data:`COLLAPSE_THRESHOLD`."""
    if len(order) <= COLLAPSE_THRESHOLD:
        return "none"
    grouping = group_by_module(order)
    if not grouping.units:
        return "none"
    drawn = len(order) - len(grouping.unit_of) + len(grouping.units)
    if drawn <= COLLAPSE_THRESHOLD and len(grouping.units) <= NEURON_BOX_LIMIT:
        return "neuron"
    return "layer"


def draw_graph(
    root: Value,
    *,
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
        rankdir: the direction of the data flow: "LR" (left to right), "TB", "RL" or "BT".
        number_format: a format spec for data and grads, e.g. ".4g" or ".3f".
        show_grads: draw the grad of every value.
        grads_computed: whether grads are drawn as numbers. None (default) decides by
            looking: if the root's grad is exactly 0.0, backward() has not run from it
            and grads show "not computed yet".
        highlight: values to draw with a thick pink border.
        group_modules: cluster parameters and the nodes using them by module and neuron
            (from nn's labels, e.g. ``0.weight[3,1]``); no effect on graphs without them.
        collapse: "none", "neuron" (one box per neuron), "layer" (one box per layer), or
            None to collapse graphs with more than :data:`COLLAPSE_THRESHOLD` values.
        legend: draw the colour legend.
        title: a title above the graph.

    Returns:
        A :class:`GraphDrawing` (a ``graphviz.Digraph``): ``.source`` is the DOT text;
        Jupyter displays it inline; :meth:`GraphDrawing.svg` and ``.render()`` run Graphviz.

    Raises:
        ValueError: for a rankdir, collapse or number_format that is not allowed.
        TypeError: if ``root`` is not a Value.

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
    order = topological_order(root)
    options = _options(
        rankdir=rankdir,
        number_format=number_format,
        show_grads=show_grads,
        group_modules=group_modules,
        collapse=collapse,
        legend=legend,
        title=title,
        order=order,
    )
    if grads_computed is None:
        # backward() always leaves its seed on the node it starts from, so a root with
        # grad 0 has not been backpropagated (its leaves may still hold old gradients).
        grads_computed = root.grad != 0.0
    grads = {v: v.grad for v in order} if grads_computed else None
    state = State(grads=grads, highlight=frozenset(highlight))
    return _Builder(root, order, options, state).build()


def render_svg(root: Value, path: str | os.PathLike[str] | None = None, **options: Any) -> str:
    """The drawing of ``root`` as SVG text, also written to ``path`` when given.

    Takes the same keyword options as :func:`draw_graph`.

    Raises:
        GraphvizNotFoundError: if Graphviz's ``dot`` program is not installed.

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
