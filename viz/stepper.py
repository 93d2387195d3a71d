"""Step-through backpropagation: :class:`BackpropStepper`.

``backward()`` does all of its work in one call. The stepper does the same walk one node
at a time and keeps a record of every step, so that a learner can follow it:

1. (optional) the **forward** pass, one step per op: values appear, inputs first;
2. the **seed**: d out/d out = 1 (or the ``gradient`` given);
3. one **backward** step per non-leaf node, in reverse topological order (the order
   ``backward()`` uses): the node's gradient g is complete, and for each child the
   step shows the local derivative d node/d child (its formula and its value, from
   the op itself), the chain-rule product g × local that is *added* to the child's
   grad, and the child's grad before and after. A child used by several nodes (fan-in)
   receives several additions, in several steps; the step says how many are still to
   come.

The stepper never touches ``.grad``: it keeps its own gradients, which after the last
step are exactly (to the last bit) what ``backward()`` computes on a graph whose grads
start at zero.

Ways to look at it: ``print(stepper)`` or :meth:`BackpropStepper.trace` (text of every
step), :meth:`BackpropStepper.frame` (the graph at one step, as a Graphviz drawing),
:meth:`BackpropStepper.to_html` (a self-contained HTML player with buttons, slider,
keyboard and play/pause) and, in Jupyter, the same player inline.

The player (:mod:`viz.player`) is built from the stepper's public methods only
(:meth:`~BackpropStepper.frame`, :meth:`~BackpropStepper.format_number`,
:meth:`~BackpropStepper.gradient_name`, :meth:`~BackpropStepper.values_text`...): this
module uses the player, which knows this one only by its types.
"""

from __future__ import annotations

import base64
import dataclasses
import os
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, overload

from autograd import Value, topological_order, trace
from autograd.value import as_float
from viz._text import added_text, derivative_name, fmt, printable, remaining_text, shorten
from viz.graph import GraphBuilder, GraphDrawing, Options, State, display_name
from viz.modules import ModelParameters, model_parameters
from viz.player import (
    MAX_PLAYER_STEPS,
    first_step_png,
    player_document,
    player_fragment,
    player_text,
    step_html,
)

__all__ = ["MAX_PLAYER_STEPS", "BackpropStepper", "Contribution", "Step", "expression_text"]


@dataclass(frozen=True)
class Contribution:
    """What one backward step adds to one child's gradient.

    Attributes:
        child: the child Value.
        child_name: how the text refers to it (its label, or ``v<i>``).
        position: its argument position in the node's op (0-based).
        argument: the name of that argument in the formula (``"a"``, ``"x"``, ``"w_2"``).
        formula: the local derivative as text, e.g. ``"d(a * b)/da = b"``.
        local: the local derivative d node / d child at this point.
        product: the chain-rule product ``grad × local`` added to the child's grad.
        grad_before: the child's gradient before the addition.
        grad_after: the child's gradient after it (``grad_before + product``).
        remaining: how many more additions this child will receive in later steps.
    """

    child: Value
    child_name: str
    position: int
    argument: str
    formula: str
    local: float
    product: float
    grad_before: float
    grad_after: float
    remaining: int

    def local_text(self, number: Callable[[float], str]) -> str:
        """``formula = value``, or just the formula when it is already that number (``= 1``)."""
        value = number(self.local)
        if self.formula.endswith(f"= {value}"):
            return self.formula
        return f"{self.formula} = {value}"


@dataclass(frozen=True)
class Step:
    """One step of the walk.

    Attributes:
        index: 0-based position in the stepper.
        kind: ``"forward"`` (a value is computed), ``"seed"`` (d out/d out is set) or
            ``"backward"`` (a node passes its gradient to its children).
        node: the Value this step is about.
        node_name: how the text refers to it.
        expression: how the node is computed, with its children's names (``"x * w"``);
            empty for the seed of a leaf.
        grad: the node's gradient d out/d node (None for forward steps).
        contributions: for backward steps, what each child receives, in argument order.
    """

    index: int
    kind: str
    node: Value
    node_name: str
    expression: str
    grad: float | None
    contributions: tuple[Contribution, ...] = ()


def _short_join(names: Sequence[str], limit: int = 6) -> str:
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join([*names[:3], "…", *names[-2:]])


def expression_text(node: Value, names: Sequence[str]) -> str:
    """How ``node`` is computed from its children, whose names are ``names``.

    Example:
        >>> from autograd import Value
        >>> a, b = Value(1.0), Value(2.0)
        >>> expression_text(a * b, ["a", "b"]), expression_text(a.tanh(), ["a"])
        ('a * b', 'tanh(a)')
    """
    op = node.op_info
    if op is None:
        return ""
    if len(names) == 2 and op.name in ("+", "-", "*", "/", "**"):
        return f"{names[0]} {op.name} {names[1]}"
    if len(names) == 1:
        if op.name == "**":
            return f"{names[0]} {op.symbol[:2]} {op.symbol[2:]}"
        if op.name == "neg":
            return f"-{names[0]}"
        return f"{op.symbol}({names[0]})" if op.name != "abs" else f"|{names[0]}|"
    if op.name == "dot":
        n = len(names) // 2
        w, x = _short_join(names[:n], 4), _short_join(names[n : 2 * n], 4)
        return f"[{w}]·[{x}]" + (f" + {names[-1]}" if len(names) % 2 else "")
    return f"{op.name}({_short_join(names)})"


class BackpropStepper:
    """The backward pass of ``root`` (and optionally its forward pass) as a list of steps.

    Args:
        root: the output Value to backpropagate from.
        include_forward: also step through the forward pass first, one op at a time.
        gradient: d out/d out, the seed (1 by default, as in ``backward()``).
        number_format: a format spec for the numbers in text and drawings.
        rankdir: the direction of the drawn graph ("LR", "TB", "RL" or "BT").
        params: the model whose parameters the graph uses (an ``nn.Module`` or a dict
            of names to Values, as for :func:`viz.draw_graph`): steps and frames then
            name each parameter as the model does (``0.weight[3,1]``) and draw it as a
            parameter.

    The stepper is a sequence: ``len(s)``, ``s[i]`` (a :class:`Step`), ``for step in s``.
    ``s.grads`` holds the gradients after the last step; ``s.grads_at(i)`` after step i.

    Example:
        >>> from autograd import Value
        >>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
        >>> c = a * b; c.label = "c"
        >>> s = BackpropStepper(c)
        >>> [step.kind for step in s]
        ['seed', 'backward']
        >>> print(s[1].contributions[0].formula, "=", s[1].contributions[0].local)
        d(a * b)/da = b = -3.0
        >>> s.grads[a], a.grad          # the stepper keeps its own gradients
        (-3.0, 0.0)
        >>> print(s.trace())
        backprop through c = a * b: 2 steps
        [1/2] seed: dc/dc = 1
        [2/2] backward through c = a * b, dc/dc = 1
              a (a): local d(a * b)/da = b = -3; adds 1 × -3 = -3; a.grad 0 → -3 (complete)
              b (b): local d(a * b)/db = a = 2; adds 1 × 2 = 2; b.grad 0 → 2 (complete)
    """

    def __init__(
        self,
        root: Value,
        *,
        include_forward: bool = False,
        gradient: float = 1.0,
        number_format: str = ".4g",
        rankdir: str = "LR",
        params: object = None,
    ) -> None:
        if not isinstance(root, Value):
            raise TypeError(f"BackpropStepper needs a Value, got {type(root).__name__}")
        # The frames' options, made now so that a bad rankdir or format fails here.
        self._options = Options(
            rankdir=rankdir, number_format=number_format, group_modules=False, collapse="none"
        )
        self.root = root
        self.number_format = number_format
        self.rankdir = rankdir
        self.include_forward = bool(include_forward)
        self._params = model_parameters(params) if params is not None else None
        self._order = topological_order(root)
        # Names as steps show them: a long label is cut (see viz._text.shorten), so that
        # a step's text stays short whatever the labels hold.
        self._names = {
            v: shorten(display_name(v, i, number_format, self._params))
            for i, v in enumerate(self._order)
        }
        self.steps: tuple[Step, ...] = tuple(self._walk(as_float(gradient, "gradient")))

    # -- the walk ------------------------------------------------------------------------

    def name(self, value: Value) -> str:
        """How steps refer to ``value``: its label, a constant's number, or ``v<i>``
        (at most :data:`viz._text.LABEL_LIMIT` characters of it)."""
        return self._names[value]

    def _expression(self, node: Value) -> str:
        return expression_text(node, [self._names[c] for c in node.children])

    def _walk(self, seed: float) -> Iterator[Step]:
        order, names = self._order, self._names
        index = 0
        if self.include_forward:
            for node in order:
                if node.children:
                    yield Step(index, "forward", node, names[node], self._expression(node), None)
                    index += 1
        root = self.root
        yield Step(index, "seed", root, names[root], self._expression(root), seed)
        index += 1
        # The walk is autograd's own (the one backward() runs), recorded; this only
        # replays its additions to show each child's gradient before and after.
        visits, final = trace(root, seed)
        grads: dict[Value, float] = {root: 0.0 + seed}
        uses = Counter(c for node in order for c in node.children)
        for visit in visits:
            node, g = visit.node, visit.grad
            assert node.op_info is not None and isinstance(g, float)
            formula = node.op_info.formula(len(node.children))
            contributions = []
            for k, child in enumerate(node.children):
                before = grads.get(child, 0.0)
                product = float(visit.added[k])
                grads[child] = after = before + product
                uses[child] -= 1
                contributions.append(
                    Contribution(
                        child=child,
                        child_name=names[child],
                        position=k,
                        argument=formula.arguments[k],
                        formula=formula.local(k),
                        local=float(visit.local[k]),
                        product=product,
                        grad_before=before,
                        grad_after=after,
                        remaining=uses[child],
                    )
                )
            yield Step(
                index,
                "backward",
                node,
                names[node],
                self._expression(node),
                g,
                tuple(contributions),
            )
            index += 1
        self._final = final

    # -- the sequence --------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.steps)

    @overload
    def __getitem__(self, i: int) -> Step: ...

    @overload
    def __getitem__(self, i: slice) -> tuple[Step, ...]: ...

    def __getitem__(self, i: int | slice) -> Step | tuple[Step, ...]:
        return self.steps[i]

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    @property
    def grads(self) -> dict[Value, float]:
        """d out/d node for every node, after the last step (what backward() computes)."""
        return dict(self._final)

    def _check_index(self, i: int) -> int:
        if not isinstance(i, int) or isinstance(i, bool):
            raise TypeError(f"a step index must be an int, got {type(i).__name__}")
        n = len(self.steps)
        if not -n <= i < n:
            raise IndexError(f"step {i} out of range: this stepper has {n} steps (0..{n - 1})")
        return i % n

    def grads_at(self, i: int) -> dict[Value, float]:
        """The gradients known after step ``i`` (nodes not reached yet are absent)."""
        i = self._check_index(i)
        grads: dict[Value, float] = {}
        for step in self.steps[: i + 1]:
            if step.kind == "seed":
                assert step.grad is not None
                grads[step.node] = 0.0 + step.grad
            for c in step.contributions:
                grads[c.child] = c.grad_after
        return grads

    # -- text ----------------------------------------------------------------------------

    def format_number(self, x: float) -> str:
        """``x`` as the stepper writes numbers: its ``number_format``, -0 as 0, NaN as nan.

        Example:
            >>> from autograd import Value
            >>> BackpropStepper(Value(1.0), number_format=".2f").format_number(2 / 3)
            '0.67'
        """
        return fmt(x, self.number_format)

    def gradient_name(self, node: Value) -> str:
        """The root's gradient with respect to ``node`` as text, e.g. ``"dc/da"``, with
        parentheses round a name of more than one word: ``"dy/d(x*w)"``."""
        return derivative_name(self._names[self.root], self._names[node])

    def values_text(self, step: Step) -> str:
        """How ``step``'s node is computed, with its children's values in place of their
        names: ``"2 * -3"`` for ``"a * b"``."""
        return expression_text(step.node, [self.format_number(c.data) for c in step.node.children])

    def describe(self, i: int) -> str:
        """Step ``i`` as plain text (one line, plus one line per child for backward steps).

        Hidden characters of labels are shown escaped (see :func:`viz._text.printable`):
        a right-to-left override in a label cannot reorder a terminal's line either.
        """
        return printable(self._describe(self.steps[self._check_index(i)]))

    def _describe(self, step: Step) -> str:
        head = f"[{step.index + 1}/{len(self.steps)}]"
        name, f = step.node_name, self.format_number
        if step.kind == "forward":
            values = self.values_text(step)
            return f"{head} forward: {name} = {step.expression} = {values} = {f(step.node.data)}"
        assert step.grad is not None
        if step.kind == "seed":
            return f"{head} seed: {self.gradient_name(step.node)} = {f(step.grad)}"
        lines = [
            f"{head} backward through {name} = {step.expression}, "
            f"{self.gradient_name(step.node)} = {f(step.grad)}"
        ]
        pad = " " * (len(head) + 1)
        for c in step.contributions:
            lines.append(
                f"{pad}{c.child_name} ({c.argument}): local {c.local_text(f)}; "
                f"adds {f(step.grad)} × {f(c.local)} = {f(c.product)}; "
                f"{c.child_name}.grad {f(c.grad_before)} → {f(c.grad_after)} "
                f"({remaining_text(c.remaining)})"
            )
        return "\n".join(lines)

    def trace(self) -> str:
        """Every step as text, one block per step: readable in a terminal or a notebook."""
        root = self.root
        what = (
            f"{self._names[root]} = {self._expression(root)}"
            if root.children
            else self._names[root]
        )
        head = printable(f"backprop through {what}: {len(self.steps)} steps")
        return "\n".join([head, *(self.describe(i) for i in range(len(self.steps)))])

    def __str__(self) -> str:
        return self.trace()

    def __repr__(self) -> str:
        return f"<BackpropStepper of {self._names[self.root]!r}: {len(self.steps)} steps>"

    # -- drawings ------------------------------------------------------------------------

    @property
    def order(self) -> list[Value]:
        """Every node of the graph, children before parents (node ``i`` is drawn ``n<i>``)."""
        return list(self._order)

    @property
    def params(self) -> ModelParameters | None:
        """The model's parameters given as ``params``, or None."""
        return self._params

    def drawing_options(self, **changes: Any) -> Options:
        """The options of this stepper's drawings, with ``changes`` (any field of
        :class:`~viz.graph.Options`, e.g. ``svg_id``)."""
        return dataclasses.replace(self._options, **changes)

    @cached_property
    def fixed_widths(self) -> dict[Value, int]:
        """The widest number (in characters) each node shows in any frame, so frames align.

        (The name cell is sized from the name itself, which no frame changes.)
        """
        f = self.format_number
        longest: dict[Value, int] = {}
        for v in self._order:
            longest[v] = max(len(f(v.data)), 1)
        for step in self.steps:
            if step.kind == "seed" and step.grad is not None:
                longest[step.node] = max(longest[step.node], len(f(step.grad)))
            for c in step.contributions:
                longest[c.child] = max(longest[c.child], len(f(c.grad_after)))
        return {v: longest[v] + 1 for v in self._order}

    def state(self, i: int) -> State:
        """What the drawing of step ``i`` shows (see :class:`~viz.graph.State`)."""
        i = self._check_index(i)
        known = {v for v in self._order if not v.children}
        known.update(s.node for s in self.steps[: i + 1] if s.kind == "forward")
        return self._state(self.steps[i], self.grads_at(i), known)

    def states(self) -> Iterator[State]:
        """The state of every step in order: the same as ``state(i)`` for each ``i``,
        built as the walk goes (each step costs the size of the graph, not of the walk)."""
        known = {v for v in self._order if not v.children}
        grads: dict[Value, float] = {}
        for step in self.steps:
            if step.kind == "forward":
                known.add(step.node)
            elif step.kind == "seed":
                assert step.grad is not None
                grads[step.node] = 0.0 + step.grad
            for c in step.contributions:
                grads[c.child] = c.grad_after
            yield self._state(step, dict(grads), set(known))

    def _state(self, step: Step, grads: dict[Value, float], known: set[Value]) -> State:
        fixed = self.fixed_widths
        if step.kind == "forward":
            return State(
                grads={},
                known_data=known,
                current=step.node,
                active=range(len(step.node.children)),
                updated={step.node},
                fixed=fixed,
                phase="forward",
            )
        if step.kind == "seed":
            return State(
                grads=grads, current=step.node, updated={step.node}, fixed=fixed, phase="backward"
            )
        f = self.format_number
        return State(
            grads=grads,
            current=step.node,
            active=range(len(step.node.children)),
            updated={c.child for c in step.contributions},
            edge_notes={c.position: added_text(f(c.product)) for c in step.contributions},
            fixed=fixed,
            phase="backward",
        )

    def frame(
        self, i: int, *, legend: bool = True, title: str | None = None, svg_id: str = "gradstep"
    ) -> GraphDrawing:
        """The graph at step ``i``: values and grads known so far, this step highlighted.

        The node of the step has an orange border, the edges to the children it updates
        are orange with the amount added, grads not reached yet show "?" in grey (and
        values not computed yet, in forward steps). Every frame has the same layout.

        Args:
            i: the step (negative counts from the end).
            legend: draw the colour legend.
            title: a title above the graph.
            svg_id: the id of the ``<svg>`` element (a page with several frames gives
                each its own).
        """
        options = self.drawing_options(legend=legend, title=title, svg_id=svg_id)
        state = self.state(i)
        builder = GraphBuilder(self.root, options, state, order=self._order, params=self._params)
        return builder.build()

    # -- the HTML player -----------------------------------------------------------------

    def step_html(self, i: int) -> str:
        """Step ``i`` as an HTML fragment (the text panel of the player); all text escaped."""
        return step_html(self, self.steps[self._check_index(i)])

    def player_html(self, *, player_id: str | None = None) -> str:
        """The player as an HTML fragment (for notebooks): markup, its CSS and JS inline.

        Each call uses a new random element id, so several players can share a page.
        """
        return player_fragment(self, player_id=player_id)

    def html(self, *, title: str | None = None) -> str:
        """The player as one complete, self-contained HTML page (what :meth:`to_html` writes).

        Raises:
            ValueError: if there are more than :data:`MAX_PLAYER_STEPS` steps.
            GraphvizNotFoundError: if Graphviz is not installed.
        """
        return player_document(self, title=title)

    def to_html(self, path: str | os.PathLike[str], *, title: str | None = None) -> Path:
        """Write the player as ONE self-contained HTML file and return its path.

        The file holds one inline SVG (the graph as step 1 shows it), what each later
        step changes in it, the text of every step, the CSS and the JavaScript: it
        fetches nothing and needs no kernel. Without JavaScript it shows step 1. Its
        size grows with nodes + steps (a 200-op chain is about 1 MB).

        Raises:
            ValueError: if there are more than :data:`MAX_PLAYER_STEPS` steps.
            GraphvizNotFoundError: if Graphviz is not installed.
        """
        out = Path(path)
        out.write_text(self.html(title=title), encoding="utf-8")
        return out

    def _repr_html_(self) -> str:
        return self.player_html()

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None, **kwargs: Any
    ) -> dict[str, str]:
        """What Jupyter shows: the player (HTML), a PNG of step 1 and one line of text.

        A notebook that does not run the player's script (an untrusted one) shows the
        picture and the line that says how to see the player (see :mod:`viz.player`).
        """
        png = first_step_png(self)
        bundle = {
            "text/html": player_fragment(self, png=png),
            "image/png": base64.b64encode(png).decode("ascii"),
            "text/plain": player_text(self),
        }
        return {
            kind: data
            for kind, data in bundle.items()
            if (not include or kind in include) and not (exclude and kind in exclude)
        }
