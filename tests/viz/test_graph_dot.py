"""draw_graph / render_svg: DOT structure, determinism, roles, options, clustering, escaping."""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

import autograd
import viz
from autograd import Value
from viz._text import shorten
from viz.graph import (
    COLLAPSE_THRESHOLD,
    MODULE_COLOURS,
    NOT_COMPUTED,
    ROLE_COLOURS,
    GraphDrawing,
)

SVG_NS = "{http://www.w3.org/2000/svg}"


def node_lines(source: str) -> dict[str, str]:
    """DOT node statements by node id."""
    out = {}
    for line in source.splitlines():
        m = re.match(r"\s*(\w+) \[(.*)\]$", line)
        if m and m.group(1) not in ("graph", "node", "edge"):
            out[m.group(1)] = m.group(2)
    return out


def edges(source: str) -> list[tuple[str, str]]:
    return re.findall(r"^\s*(\w+) -> (\w+)", source, flags=re.MULTILINE)


# -- structure ------------------------------------------------------------------------------


def test_one_node_per_value_and_per_op_with_edges_in_argument_order() -> None:
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    c = a - b
    c.label = "c"
    dot = viz.draw_graph(c, legend=False)
    assert isinstance(dot, GraphDrawing)
    nodes = node_lines(dot.source)
    assert set(nodes) == {"n0", "n1", "n2", "o2"}
    assert edges(dot.source) == [("n0", "o2"), ("n1", "o2"), ("o2", "n2")]
    # subtraction marks which edge is a and which is b
    assert re.search(r"n0 -> o2 \[headlabel=a ", dot.source)
    assert re.search(r"n1 -> o2 \[headlabel=b ", dot.source)


def test_a_plus_a_draws_two_edges() -> None:
    a = Value(3.0, label="a")
    y = a + a
    assert edges(viz.draw_graph(y).source) == [("n0", "o1"), ("n0", "o1"), ("o1", "n1")]


def test_node_shows_label_data_and_grad(helpers: Any) -> None:
    root, v = helpers.neuron()
    root.backward()
    nodes = node_lines(viz.draw_graph(root, number_format=".3f").source)
    n = nodes["n8"]  # n is the 9th value in topological order
    assert "<B>n</B>" in n
    assert "0.881" in n and f"{v['n'].grad:.3f}" in n
    assert "<TD" in n and "data" in n and "grad" in n


def test_same_graph_gives_the_same_dot_text(helpers: Any) -> None:
    first = viz.draw_graph(helpers.neuron()[0]).source
    second = viz.draw_graph(helpers.neuron()[0]).source
    assert first == second
    assert "0x" not in first  # no id()-based names


def test_roles_get_their_colours_and_the_legend_lists_them() -> None:
    x = Value(1.0, label="x")
    w = Value(0.5, label="w")
    y = x * w + 2
    y.label = "y"
    params = {"0.weight[0,0]": w}
    nodes = node_lines(viz.draw_graph(y, params=params, group_modules=False).source)
    fill = {role: f'fillcolor="{colours[0]}"' for role, colours in ROLE_COLOURS.items()}
    assert fill["input"] in nodes["n0"]
    assert fill["parameter"] in nodes["n1"]
    assert fill["intermediate"] in nodes["n2"]
    assert fill["constant"] in nodes["n3"]
    assert fill["output"] in nodes["n4"]
    legend = nodes["legend"]
    for role in ("input", "parameter", "constant", "intermediate", "output", "operation"):
        assert role in legend
    assert "legend" not in node_lines(viz.draw_graph(y, legend=False).source)
    # without the model, no leaf is a parameter, whatever its label says
    lookalike = Value(0.5, label="0.weight[0,0]") * x
    assert fill["input"] in node_lines(viz.draw_graph(lookalike).source)["n0"]


def test_grads_before_backward_say_not_computed(helpers: Any) -> None:
    root, _ = helpers.neuron()
    source = viz.draw_graph(root).source
    assert source.count(NOT_COMPUTED) >= 6
    root.backward()
    assert NOT_COMPUTED not in viz.draw_graph(root).source
    # explicit override: a graph whose grads are all zero can still show the zeros
    fresh, _ = helpers.neuron()
    assert NOT_COMPUTED not in viz.draw_graph(fresh, grads_computed=True).source
    assert NOT_COMPUTED in viz.draw_graph(root, grads_computed=False).source


def test_show_grads_false_hides_them(helpers: Any) -> None:
    root, _ = helpers.neuron()
    root.backward()
    source = viz.draw_graph(root, show_grads=False, legend=False).source
    assert ">grad<" not in source


def test_highlight_and_rankdir_and_number_format(helpers: Any) -> None:
    root, v = helpers.neuron()
    dot = viz.draw_graph(root, highlight=[v["n"]], rankdir="TB", number_format=".2f")
    assert "rankdir=TB" in dot.source
    assert "penwidth=3" in node_lines(dot.source)["n8"]
    assert "6.88" in dot.source and "6.881" not in dot.source


@pytest.mark.parametrize(
    ("option", "value", "allowed"),
    [
        ("rankdir", "XY", "'LR', 'TB', 'RL', 'BT'"),
        ("collapse", "all", "'none', 'neuron', 'layer', None"),
        ("number_format", "q", "'.4g'"),
    ],
)
def test_bad_options_name_the_allowed_values(option: str, value: str, allowed: str) -> None:
    with pytest.raises(ValueError, match=re.escape(allowed)) as error:
        viz.draw_graph(Value(1.0), **{option: value})
    assert repr(value) in str(error.value)


def test_not_a_value() -> None:
    with pytest.raises(TypeError, match="needs a Value"):
        viz.draw_graph(3.0)  # type: ignore[arg-type]


# -- modules: clusters and collapsing --------------------------------------------------------


def test_clusters_are_named_from_the_models_parameter_names(helpers: Any) -> None:
    loss, params = helpers.mlp_loss((2, 4, 1), rows=3)
    source = viz.draw_graph(loss, params=params, collapse="none").source
    assert "subgraph cluster_l0" in source and "subgraph cluster_l1" in source
    titles = re.findall(r"label=<(Linear \d, neuron \d)>", source)
    assert titles == [f"Linear 0, neuron {i}" for i in range(4)] + ["Linear 2, neuron 0"]
    assert "<B>Linear 0</B>" in source and "<B>Linear 2</B>" in source
    # the neuron's cluster holds its weights, bias, its dot node for every row and its tanh;
    # parameters are shown with their names in the model, not their labels
    block = source.split("subgraph cluster_u3")[1].split("}")[0]
    labels = re.findall(r"<B>(\d\.(?:weight|bias)\[[\d,]+\])</B>", block)
    assert labels == ["0.weight[3,0]", "0.weight[3,1]", "0.bias[3]"]
    assert block.count("dot + b") == 3
    assert block.count("label=<tanh>") == 3


def test_group_modules_false_draws_no_clusters(helpers: Any) -> None:
    loss, params = helpers.mlp_loss((2, 3, 1), rows=2)
    source = viz.draw_graph(loss, params=params, group_modules=False, collapse="none").source
    assert "cluster" not in source and "<B>0.weight[0,0]</B>" in source


def test_without_params_there_are_no_modules(helpers: Any) -> None:
    loss, _ = helpers.mlp_loss((2, 3, 1), rows=2)
    source = viz.draw_graph(loss).source
    assert "cluster" not in source and "<B>weight[0,0]</B>" in source  # labels, no path
    assert "0.weight[0,0]" not in source
    big, _ = helpers.mlp_loss((2, 8, 8, 1), rows=6)
    assert len(autograd.topological_order(big)) > COLLAPSE_THRESHOLD
    whole = viz.draw_graph(big).source  # no modules to collapse into: drawn whole
    assert "u0 [" not in whole and len(node_lines(whole)) > COLLAPSE_THRESHOLD
    for mode in ("neuron", "layer"):
        with pytest.raises(ValueError, match=r"params=model"):
            viz.draw_graph(loss, collapse=mode)


def test_params_can_be_a_model_or_a_dict_and_nothing_else(helpers: Any) -> None:
    loss, params = helpers.mlp_loss((2, 3, 1), rows=2)

    class Model:  # what viz needs of a model: named_parameters(), nothing more
        def named_parameters(self) -> list[tuple[str, Value]]:
            return list(params.items())

    from_dict = viz.draw_graph(loss, params=params).source
    assert viz.draw_graph(loss, params=Model()).source == from_dict
    assert "cluster_l1" in from_dict
    with pytest.raises(TypeError, match="named_parameters"):
        viz.draw_graph(loss, params=[1, 2])
    with pytest.raises(TypeError, match=r"'x' must be a Value, got float"):
        viz.draw_graph(loss, params={"x": 1.0})


def test_collapse_by_neuron_and_by_layer(helpers: Any) -> None:
    loss, params = helpers.mlp_loss((2, 4, 1), rows=3)
    loss.backward()
    neurons = viz.draw_graph(loss, params=params, collapse="neuron").source
    boxes = re.findall(r"^\s*(u\d+) \[", neurons, flags=re.MULTILINE)
    assert boxes == [f"u{i}" for i in range(5)]  # 4 hidden neurons and the output neuron
    assert "tanh(w·x + b), for 3 rows" in neurons and "mean |grad|" in neurons
    assert "weight[" not in neurons  # parameters live inside the boxes
    layers = viz.draw_graph(loss, params=params, collapse="layer").source
    assert re.findall(r"^\s*(l\d+) \[", layers, flags=re.MULTILINE) == ["l0", "l1"]
    assert "Linear 0 + tanh" in layers and "4 neurons · 12 parameters · 3 rows" in layers
    assert ("l0", "l1") in edges(layers)
    # every input row feeds the first layer box; the output box feeds each row's loss term
    assert sum(1 for e in edges(layers) if e[1] == "l0") == 6


def test_big_graphs_collapse_by_default_small_ones_do_not(helpers: Any) -> None:
    small, params = helpers.mlp_loss((2, 3, 1), rows=2)
    assert len(autograd.topological_order(small)) <= COLLAPSE_THRESHOLD
    assert "u0 [" not in viz.draw_graph(small, params=params).source
    big, params = helpers.mlp_loss((2, 8, 8, 1), rows=6)
    assert len(autograd.topological_order(big)) > COLLAPSE_THRESHOLD
    source = viz.draw_graph(big, params=params).source
    assert re.search(r"^\s*u0 \[", source, flags=re.MULTILINE)
    assert len(node_lines(source)) < COLLAPSE_THRESHOLD
    wide, wide_params = helpers.mlp_loss((2, 30, 30, 1), rows=2)  # 61 neurons: too many boxes
    layers = viz.draw_graph(wide, params=wide_params).source
    assert re.search(r"^\s*l0 \[", layers, flags=re.MULTILINE)
    assert "cluster_u" in viz.draw_graph(big, params=params, collapse="none").source


def test_unfused_neurons_and_an_l2_term_group_sensibly() -> None:
    units = []
    params: dict[str, Value] = {}
    for i in range(2):
        w = [Value(0.5), Value(-1.0)]
        b = Value(0.1)
        params.update({f"0.weight[{i},0]": w[0], f"0.weight[{i},1]": w[1], f"0.bias[{i}]": b})
        units.append((w, (w[0] * 2.0 + w[1] * 3.0 + b).relu()))  # binary ops, not dot
    squares = [p**2 for w, _ in units for p in w]
    penalty = autograd.sum(squares)  # mixes both neurons: belongs to neither
    loss = units[0][1] + units[1][1] + penalty
    grouping = viz.modules.group_by_module(autograd.topological_order(loss), params)
    members = grouping.members()
    assert [u.title for u in members] == ["Linear 0, neuron 0", "Linear 0, neuron 1"]
    for unit, (w, out) in zip(members, units, strict=True):
        assert out in members[unit] and all(p in members[unit] for p in w)
        assert grouping.activation[unit] == "relu"
    assert all(sq in grouping.unit_of for sq in squares)
    assert penalty not in grouping.unit_of and loss not in grouping.unit_of


# -- rendering and escaping -----------------------------------------------------------------


def test_render_svg_returns_and_writes_well_formed_svg(tmp_path: Path, helpers: Any) -> None:
    root, _ = helpers.neuron()
    root.backward()
    path = tmp_path / "neuron.svg"
    svg = viz.render_svg(root, path, title="a neuron")
    assert path.read_text(encoding="utf-8") == svg
    tree = helpers.parse_svg(svg)
    assert tree.tag == f"{SVG_NS}svg"
    texts = helpers.svg_texts(tree)
    assert "a neuron" in texts and "x1*w1" in texts and "tanh" in texts


def test_any_label_renders_literally_in_well_formed_svg(nasty_label: str, helpers: Any) -> None:
    label = nasty_label  # one test per label of conftest.NASTY_LABELS
    x = Value(1.5, label=label)
    y = x * 2
    y.label = label
    svg = viz.render_svg(y)
    tree = helpers.parse_svg(svg)  # well-formed XML, whatever the label
    assert not list(tree.iter(f"{SVG_NS}script"))
    assert not list(tree.iter(f"{SVG_NS}image"))
    assert not any(el.tag.endswith("img") for el in tree.iter())
    assert not any(k.startswith("on") for el in tree.iter() for k in el.attrib)
    shown = "\n".join(helpers.svg_texts(tree))
    expected = shorten(label).replace("\x01", "\\x01")  # a long label is cut...
    for line in expected.split("\n"):
        assert shown.count(line) >= 2, (line, shown)  # the input and the output node
    if shorten(label) != label:  # ...and whole in its tooltip
        tooltips = [a.get("{http://www.w3.org/1999/xlink}title") for a in tree.iter(f"{SVG_NS}a")]
        assert tooltips == [label, label]


def test_many_nasty_labels_in_one_graph(helpers: Any) -> None:
    xs = [Value(float(i), label=label) for i, label in enumerate(helpers.nasty_labels)]
    total = autograd.sum(xs)
    total.label = "\\G\\N\\L{}"
    total.backward()
    svg = viz.render_svg(total)
    texts = helpers.svg_texts(helpers.parse_svg(svg))
    assert "\\G\\N\\L{}" in texts  # Graphviz's own escapes are not expanded


def test_graph_drawing_renders_like_graphviz(helpers: Any) -> None:
    root, _ = helpers.neuron()
    dot = viz.draw_graph(root)
    assert dot.svg() == dot.pipe(format="svg", encoding="utf-8", quiet=True)
    assert helpers.parse_svg(dot._repr_image_svg_xml()).tag == f"{SVG_NS}svg"  # Jupyter's path


def test_a_drawing_says_what_it_is_as_text_and_as_a_picture_for_untrusted_notebooks(
    helpers: Any,
) -> None:
    root, _ = helpers.neuron()
    drawing = viz.draw_graph(root)
    assert repr(drawing) == (
        "<computation graph of o: 10 values, 5 ops: .source is its DOT text; Jupyter draws it>"
    )
    bundle = drawing._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml", "image/png", "text/plain"}
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")
    assert bundle["image/svg+xml"].lstrip().startswith("<?xml")
    assert bundle["text/plain"] == "computation graph of o: 10 values, 5 ops"
    loss, params = helpers.mlp_loss((2, 3, 1), rows=2)
    collapsed = viz.draw_graph(loss, params=params, collapse="neuron")
    assert repr(collapsed).startswith("<computation graph of loss: ")
    assert "drawn with 4 module boxes (neuron)" in repr(collapsed)


def box_positions(svg: str) -> dict[str, tuple[float, float]]:
    """Where each node's first text is drawn, by the node's DOT name (``n3``) and by that
    text (a box's name): -> (x, y)."""
    root = ET.fromstring(svg.encode("utf-8"))
    found = {}
    for g in root.iter(f"{SVG_NS}g"):
        texts = list(g.iter(f"{SVG_NS}text"))
        title = g.find(f"{SVG_NS}title")
        if g.get("class") == "node" and texts and title is not None:
            first = texts[0]
            at = (float(first.get("x", 0)), float(first.get("y", 0)))
            found["".join(title.itertext())] = at
            found.setdefault("".join(first.itertext()), at)
    return found


def test_the_models_inputs_and_the_losss_rows_are_drawn_in_order(helpers: Any) -> None:
    # Left to itself, Graphviz draws this graph's inputs x[1,0] above x[0,0].
    loss, params = helpers.mlp_loss((2, 4, 1), rows=4, seed=0)
    drawing = viz.draw_graph(loss, params=params, collapse="neuron")
    at = box_positions(drawing.svg())
    inputs = [f"x[{r},{c}]" for r in range(4) for c in range(2)]
    heights = [at[name][1] for name in inputs]  # left to right: top to bottom
    assert heights == sorted(heights) and len(set(heights)) == len(heights)
    assert len({at[name][0] for name in inputs}) == 1  # one column
    # the per-row squares summed by the loss, top to bottom in row order
    order = autograd.topological_order(loss)
    squares = [f"n{order.index(v)}" for v in loss.children[0].children]
    heights = [at[name][1] for name in squares]
    assert heights == sorted(heights) and len(set(heights)) == len(heights)


def test_unlabelled_values_have_no_made_up_name_in_a_drawing(helpers: Any) -> None:
    loss, params = helpers.mlp_loss((2, 3, 1), rows=2)
    drawing = viz.draw_graph(loss, params=params, collapse="neuron")
    names = [text for text in box_positions(drawing.svg()) if re.fullmatch(r"v\d+", text)]
    assert names == []
    # the player's text refers to them as v<i>, so its drawing names them too
    x = Value(2.0, label="x")
    y = x * 3 + 1
    stepper = viz.BackpropStepper(y)
    assert "v2" in stepper.trace() and ">v2<" in stepper.frame(0).source


def test_collapsed_modules_and_parameters_have_different_colours(helpers: Any) -> None:
    loss, params = helpers.mlp_loss((2, 3, 1), rows=2)
    collapsed = viz.draw_graph(loss, params=params, collapse="neuron").source
    module_fill, module_border = MODULE_COLOURS
    assert module_fill != ROLE_COLOURS["parameter"][0]
    assert module_border != ROLE_COLOURS["parameter"][1]
    assert collapsed.count(f'fillcolor="{module_fill}"') == 4  # 3 + 1 neurons
    legend = node_lines(collapsed)["legend"]
    assert f'BGCOLOR="{module_fill}"' in legend and "module (collapsed)" in legend
    assert ">parameter<" not in legend  # every parameter is inside a module box
    whole = viz.draw_graph(loss, params=params, collapse="none").source
    assert ">parameter<" in node_lines(whole)["legend"]
    assert "module (collapsed)" not in whole


def test_every_text_is_in_one_sans_serif_font(helpers: Any) -> None:
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    c = (a - b) / a
    c.label = "c"
    c.backward()
    stepper = viz.BackpropStepper(c)
    for drawing in (viz.draw_graph(c), stepper.frame(len(stepper) - 1)):
        svg = drawing.svg()
        fonts = set(re.findall(r'font-family="([^"]*)"', svg))
        assert fonts == {"Helvetica,sans-Serif"}, fonts
