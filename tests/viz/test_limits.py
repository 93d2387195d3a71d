"""What any graph and any label do to a drawing: it never fails, it stays small, and what
is too big to draw is refused in one line that says what to do instead (issue 10).

Every test renders with the real ``dot``; none measures time (the layout limits were set
from measurements, see viz.graph.MAX_LAYOUT_SIZE): they check the limits themselves.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import viz
from autograd import Value
from viz._text import (
    LABEL_LIMIT,
    NUMBER_PRECISION_LIMIT,
    NUMBER_WIDTH_LIMIT,
    TITLE_LIMIT,
    TOOLTIP_LIMIT,
    graphviz_html,
    graphviz_tooltip,
    printable,
    shorten,
    web_html,
)
from viz.graph import (
    FAST_LAYOUT,
    FAST_LAYOUT_SIZE,
    MAX_DRAWN_VALUES,
    MAX_LAYOUT_SIZE,
    GraphBuilder,
    Options,
    State,
    layout_size,
)

SVG = "{http://www.w3.org/2000/svg}"
XLINK_TITLE = "{http://www.w3.org/1999/xlink}title"

HIDDEN = (
    "\u202a\u202b\u202c\u202d\u202e"  # bidi embeddings and overrides
    "\u2066\u2067\u2068\u2069"  # bidi isolates
    "\u200b\u200c\u200d\u200e\u200f"  # zero-width space, joiners, marks
    "\ufeff\u00ad\u061c"  # BOM, soft hyphen, Arabic letter mark (all Cf)
    "\u2028\u2029"  # line and paragraph separators (Zl, Zp)
    "\x00\x1b\x7f\x85\x9f"  # C0 and C1 controls
    "\ud800\udfff"  # lone surrogates
    "\U000e0001\U000e007f"  # language tags (Cf, beyond the BMP)
)
"""Characters that must never reach a drawing or a page as themselves."""


def power(n: int) -> Value:
    """``x*x*...*x`` with n factors: one leaf used n times, by ops ever further away."""
    x = Value(1.0001, label="x")
    y = x
    for _ in range(n - 1):
        y = y * x
    y.label = "y"
    return y


def svg_of(root: Value, **options: Any) -> ET.Element:
    return ET.fromstring(viz.render_svg(root, **options).encode("utf-8"))


def texts(tree: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in tree.iter(f"{SVG}text")]


def tooltips(tree: ET.Element) -> list[str]:
    return [a.get(XLINK_TITLE, "") for a in tree.iter(f"{SVG}a")]


# -- long labels and number formats -----------------------------------------------------------


def test_a_label_of_16384_characters_draws_cut_with_the_rest_in_its_tooltip() -> None:
    """Issue 10, row 1 (a label of 16,384+ characters): Graphviz refused the label (its
    HTML strings stop at 16,384 characters) and the drawing failed. Now the box shows
    the label's start and an ellipsis, and its tooltip holds the label."""
    label = "ab<&>" * 4000  # 20,000 characters; 44,000 once escaped for Graphviz
    x = Value(2.0, label=label)
    y = x.tanh()
    y.label = "y"
    y.backward()
    tree = svg_of(y)
    shown = shorten(label)
    assert len(shown) == LABEL_LIMIT and shown.endswith("…")
    assert shown in texts(tree) and label not in texts(tree)
    (tooltip,) = tooltips(tree)
    assert tooltip == shorten(label, TOOLTIP_LIMIT, lines=TOOLTIP_LIMIT)
    assert len(viz.render_svg(y)) < 20_000  # the drawing did not grow with the label


@pytest.mark.parametrize(
    ("number_format", "rule"),
    [
        ("100000000", "width 100000000; the most is 20"),
        ("21.3f", "width 21; the most is 20"),
        (".1000f", "precision 1000; the most is 17"),
        ("+018.999e", "precision 999; the most is 17"),
        ("x<100.2f", "width 100"),
    ],
)
def test_number_formats_with_a_huge_width_or_precision_are_refused(
    number_format: str, rule: str
) -> None:
    """Issue 10, row 1 (``number_format="100000000"``): every number became a hundred
    million characters (MemoryError, or a broken pipe to Graphviz). Now the format is
    refused before any number is formatted, naming the value and the rule."""
    y = Value(1.0, label="x").tanh()
    for make in (
        lambda: viz.draw_graph(y, number_format=number_format),
        lambda: viz.BackpropStepper(y, number_format=number_format),
    ):
        with pytest.raises(ValueError, match=re.escape(f"{number_format!r} asks for {rule}")):
            make()


@pytest.mark.parametrize(
    "number_format",
    [".4g", ".3f", "+.2e", f"{NUMBER_WIDTH_LIMIT}.{NUMBER_PRECISION_LIMIT}f", "", "%", ",.2f"],
)
def test_number_formats_within_the_limits_draw(number_format: str) -> None:
    y = Value(123456.5, label="x").tanh() * 1e300
    y.backward()
    assert "</svg>" in viz.render_svg(y, number_format=number_format)


def test_a_long_title_and_long_parameter_names_are_cut_too() -> None:
    """Neighbours of row 1: ``gradstep graph`` uses the formula as the title, and a dict
    of parameters may hold any names; both are drawn in labels of their own."""
    w = Value(0.5)
    x = Value(2.0, label="x")
    y = (w * x).tanh()
    y.backward()
    name = "layer" * 5000 + ".weight[0,0]"
    title = "tanh(" * 4000 + "x" + ")" * 4000
    tree = svg_of(y, params={name: w}, title=title)
    shown = texts(tree)
    assert shorten(title, TITLE_LIMIT, lines=2) in shown
    assert any(t.startswith("layer") and t.endswith("…") for t in shown)
    assert all(len(t) <= TITLE_LIMIT for t in shown)
    collapsed = svg_of(y, params={name: w}, collapse="neuron")
    assert all(len(t) <= TITLE_LIMIT for t in texts(collapsed))


def test_tooltips_hold_the_label_literally(helpers: Any) -> None:
    """A tooltip is read twice by Graphviz (escapes, then \\N and friends) and keeps
    entities such as &lt; as they are: the label must still come out as written."""
    label = 'a\\N b\\\\G "q" &lt; &amp; <b>tag</b> ' + "x" * LABEL_LIMIT + "\\"
    y = Value(1.0, label=label).tanh()
    y.backward()
    (tooltip,) = tooltips(svg_of(y))
    assert tooltip == label


def test_a_bad_svg_id_is_refused() -> None:
    with pytest.raises(ValueError, match="svg_id"):
        Options(svg_id='x" onload="alert(1)')
    stepper = viz.BackpropStepper(Value(1.0).tanh())
    with pytest.raises(ValueError, match="svg_id"):
        stepper.frame(0, svg_id="\x00")


_ANY_CHARACTER = st.one_of(
    st.characters(exclude_categories=()),  # all of Unicode, controls and surrogates too
    st.sampled_from([*HIDDEN, "\n", "\t", "\\", "&", "<", ">", '"', "]", "\ufffe", "…"]),
)


@settings(max_examples=25)
@given(st.text(_ANY_CHARACTER, max_size=60), st.integers(1, 400))
def test_any_label_of_any_length_draws(text: str, repeat: int) -> None:
    """Issue 10, row 1: a drawing never fails because of a label's content or length."""
    label = text * repeat if repeat > 300 else text  # now and then a long one
    x = Value(1.5, label=label)
    y = (x * 2).tanh()
    y.label = label[::-1]
    y.backward()
    params = {f"{label}.weight[0,0]": x}
    for options in ({"title": label}, {"params": params}, {"params": params, "collapse": "layer"}):
        svg = viz.render_svg(y, **options)
        tree = ET.fromstring(svg.encode("utf-8"))  # well-formed XML
        assert not any(char in svg for char in HIDDEN)
        assert all(len(t) <= TITLE_LIMIT for t in texts(tree))
    shown = texts(svg_of(y))
    for line in printable(shorten(label)).split("\n"):
        assert line.strip() == "" or any(line in t for t in shown)


@settings(max_examples=8)
@given(st.lists(st.text(_ANY_CHARACTER, max_size=60), min_size=3, max_size=3), st.booleans())
def test_any_labels_make_a_player(labels: list[str], forward: bool) -> None:
    """The player too: one drawing read back from Graphviz's SVG, whatever the labels."""
    a, b, c = (Value(float(i + 1), label=label) for i, label in enumerate(labels))
    y = (a * b - c).tanh() / a
    y.label = labels[0][::-1]
    page = viz.BackpropStepper(y, include_forward=forward).html(title=labels[1])
    assert page.count("<svg") == 1
    assert not any(char in page for char in HIDDEN)


# -- hidden characters -------------------------------------------------------------------------


@pytest.mark.parametrize("char", list(HIDDEN), ids=[f"U+{ord(c):04X}" for c in HIDDEN])
def test_bidi_and_invisible_characters_are_shown_escaped(char: str) -> None:
    """Issue 10, row 5 (a label with U+202E or other bidi controls): the character went
    raw into the SVG and the player, and reordered the text around it. Now every
    character of categories Cc, Cf, Zl, Zp and every lone surrogate is shown as an
    escape such as \\u202e, in drawings, tooltips, the player's panels and its trace."""
    code = ord(char)
    if code < 0x100:
        escape = f"\\x{code:02x}"
    else:
        escape = f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
    label = f"abc{char}def"
    x = Value(2.0, label=label)
    y = x * 3
    y.label = "y" + "z" * LABEL_LIMIT + char  # cut: its tooltip shows the escape too
    y.backward()
    svg = viz.render_svg(y, title=label)
    assert char not in svg
    assert f"abc{escape}def" in texts(ET.fromstring(svg.encode("utf-8")))
    stepper = viz.BackpropStepper(y, include_forward=True)
    page = stepper.html(title=label)
    assert char not in page
    assert f"abc{escape}def" in page
    assert char not in stepper.trace() and f"abc{escape}def" in stepper.trace()


def test_one_function_decides_what_is_shown() -> None:
    """printable() is the one place: every escaper shows exactly what it shows."""
    sample = "".join(HIDDEN) + "plain é 😀 \\ & < > \" ' \t\n end"
    shown = printable(sample)
    assert not any(char in shown for char in HIDDEN)
    assert html.unescape(web_html(sample)) == shown
    assert html.unescape(graphviz_html(sample).replace('<BR ALIGN="CENTER"/>', "\n")) == (
        shown.replace("\\", "\\\\")
    )
    assert html.unescape(graphviz_tooltip(sample).replace("\\" * 4, "\\")) == shown
    assert printable(shown) == shown  # showing twice changes nothing


# -- layout time: long edges -----------------------------------------------------------------


def test_a_leaf_used_99_times_gets_a_layout_that_is_fast() -> None:
    """Issue 10, row 2 (``x*x*...*x`` with 75 to 99 factors): ``dot`` took from 38 s to
    over 2 minutes, placing the hidden nodes of x's 98 ever longer edges. Now a graph
    whose layout is larger than FAST_LAYOUT_SIZE is drawn with FAST_LAYOUT, which skips
    that refinement (about 0.2 s for this graph)."""
    y = power(99)
    y.backward()
    drawing = viz.draw_graph(y)
    for setting, value in FAST_LAYOUT.items():
        assert f"{setting}={value}" in drawing.source
    texts_drawn = texts(ET.fromstring(drawing.svg().encode("utf-8")))
    assert "y" in texts_drawn and "x" in texts_drawn


def test_small_graphs_keep_graphvizs_best_layout(helpers: Any) -> None:
    root, _ = helpers.neuron()
    assert "nslimit" not in viz.draw_graph(root).source
    builder = GraphBuilder(root, Options(), State(grads=None))
    assert builder.layout_size().size <= FAST_LAYOUT_SIZE


def test_layout_size_counts_the_ranks_long_edges_cross() -> None:
    # x feeds a, b and c of a chain: its edges cross 0, 1 and 2 ranks on their way
    chain = [("x", "a"), ("a", "b"), ("b", "c"), ("x", "b"), ("x", "c")]
    assert layout_size(["x", "a", "b", "c"], chain).crossed == 3
    assert layout_size(["x", "a"], [("x", "a")], labelled=True).crossed == 1  # the label's rank
    # a cycle (possible between module boxes) does not break the estimate
    assert layout_size(["a", "b"], [("a", "b"), ("b", "a")]).size >= 4
    y = power(99)
    size = GraphBuilder(y, Options(), State(grads=None)).layout_size()
    assert size.nodes == 99 + 98 and size.edges == 3 * 98  # values, ops; edges
    assert size.crossed > 9000  # 98 edges from x, crossing ever more ranks


def test_a_graph_at_the_layout_limit_draws() -> None:
    y = power(300)
    assert GraphBuilder(y, Options(), State(grads=None)).layout_size().size <= MAX_LAYOUT_SIZE
    assert "</svg>" in viz.render_svg(y, legend=False)


def test_a_graph_too_big_to_lay_out_is_refused_in_one_line() -> None:
    y = power(400)
    size = GraphBuilder(y, Options(), State(grads=None)).layout_size().size
    assert size > MAX_LAYOUT_SIZE
    for draw in (viz.draw_graph, viz.render_svg):
        with pytest.raises(ValueError, match="too big to lay out") as error:
            draw(y)
        message = str(error.value)
        assert "\n" not in message
        assert f"layout size of {size:,}" in message and f"{MAX_LAYOUT_SIZE:,}" in message
        assert "x*x*...*x" in message and "params=model" in message


# -- big graphs without modules ----------------------------------------------------------------


def test_5000_values_without_a_model_are_refused_with_what_to_do(tmp_path: Path) -> None:
    """Issue 10, row 4 (5,000 values with no nn labels): without a model there were no
    modules to collapse, and Graphviz took 103 s for a 17 MB SVG nobody can read. Now a
    drawing of more than MAX_DRAWN_VALUES boxes is refused, before any DOT is built,
    with the count, the limit and the way out."""
    xs = [Value(float(i)) for i in range(2500)]
    loss = autograd.sum([x * x for x in xs])  # 2,500 + 2,500 + 1 values
    loss.backward()
    for draw in (viz.draw_graph, viz.render_svg):
        with pytest.raises(ValueError, match="values") as error:
            draw(loss)
        message = str(error.value)
        assert "\n" not in message
        assert "5,001 values" in message and f"at most {MAX_DRAWN_VALUES:,}" in message
        assert "params=model" in message
    few_steps = autograd.sum([Value(float(i)) for i in range(5000)])  # 5,001 values, 2 steps
    with pytest.raises(ValueError, match=r"5,001 values.*draw a part of the graph"):
        viz.BackpropStepper(few_steps).to_html(tmp_path / "player.html")
    assert not (tmp_path / "player.html").exists()


def test_a_model_graph_is_collapsed_and_the_limit_applies_to_what_is_drawn(helpers: Any) -> None:
    """With params=model the graph collapses by neuron or layer; the limit counts boxes."""
    loss, params = helpers.mlp_loss((2, 8, 8, 1), rows=60)
    loss.backward()
    assert len(autograd.topological_order(loss)) > MAX_DRAWN_VALUES
    source = viz.draw_graph(loss, params=params).source  # collapsed: small enough
    assert len(re.findall(r"^\s*\w+ \[", source, flags=re.M)) < MAX_DRAWN_VALUES
    with pytest.raises(ValueError, match=r"has [\d,]+ values; a drawing .* let it collapse"):
        viz.draw_graph(loss, params=params, collapse="none")
    big, big_params = helpers.mlp_loss((2, 3, 1), rows=300)  # each row's loss stays whole
    with pytest.raises(ValueError, match="a batch of fewer rows"):
        viz.draw_graph(big, params=big_params, collapse="layer")
