"""Which module owns which node: grouping a graph by the parameter labels nn gives.

``nn`` labels every parameter ``"<module path>.<name>[<i>]"`` or ``"...[<i>,<j>]"``:
``"0.weight[3,1]"`` is the weight from input 1 to output 3 of the Linear at position 0
of a Sequential, ``"1.weight[2]"`` the gamma of feature 2 of a BatchNorm1d at
position 1, ``"0.1.bias[2]"`` a bias in a nested Sequential. From those labels alone
(viz never imports nn for this) a graph is split into *units*:

* a Linear's unit is one neuron (output ``i``): its weights ``weight[i, *]``, its bias
  ``bias[i]``, every node computed directly from them (nn's fused ``dot`` node, one per
  row of the batch), and the activation (relu, tanh, sigmoid, leaky relu) applied
  right after it;
* a BatchNorm1d's unit is one feature: its gamma and beta and the nodes using them;
* parameters of any other module make one unit per module.

A layer is all units of one module path. Drawings cluster nodes by unit inside a box per
layer, or collapse each unit or layer into a single box.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from autograd import Constant, Value

PARAMETER_LABEL = re.compile(
    r"(?:(?P<path>[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)\.)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"\[(?P<i>[0-9]+)(?:,(?P<j>[0-9]+))?\]"
)
"""The label of a parameter, e.g. ``0.weight[3,1]``: module path, name and index.

A layer used on its own (not inside a Sequential) has no path: ``weight[3,1]``. Only
the names ``weight`` and ``bias`` count as parameters then, so that an input labelled
``x[0]`` stays an input."""

BARE_PARAMETER_NAMES = frozenset({"weight", "bias"})

ACTIVATIONS = frozenset({"relu", "tanh", "sigmoid", "leaky_relu"})
"""Ops that join the unit of the node they are applied to (a neuron's nonlinearity)."""


@dataclass(frozen=True)
class ParameterLabel:
    """A parsed parameter label such as ``0.weight[3,1]``."""

    path: str
    name: str
    index: tuple[int, ...]


def parse_parameter_label(label: str) -> ParameterLabel | None:
    """The parts of a parameter label, or None if ``label`` is not one.

    Example:
        >>> parse_parameter_label("0.1.weight[2,0]")
        ParameterLabel(path='0.1', name='weight', index=(2, 0))
        >>> parse_parameter_label("x[0]") is None   # an input: no module path
        True
        >>> parse_parameter_label("bias[1]")        # a layer used on its own
        ParameterLabel(path='', name='bias', index=(1,))
    """
    match = PARAMETER_LABEL.fullmatch(label)
    if match is None or (match["path"] is None and match["name"] not in BARE_PARAMETER_NAMES):
        return None
    index = (int(match["i"]),) if match["j"] is None else (int(match["i"]), int(match["j"]))
    return ParameterLabel(match["path"] or "", match["name"], index)


def is_parameter(value: Value) -> bool:
    """Whether ``value`` is a leaf labelled like an nn parameter."""
    return (
        not value.children
        and not isinstance(value, Constant)
        and parse_parameter_label(value.label) is not None
    )


@dataclass(frozen=True)
class Unit:
    """A neuron of a Linear, a feature of a BatchNorm1d, or a whole other module.

    Attributes:
        path: the module path, e.g. ``"0"`` or ``"0.1"``.
        kind: ``"Linear"``, ``"BatchNorm1d"`` or ``"Module"``.
        index: the neuron or feature index (None for a whole module).
    """

    path: str
    kind: str
    index: int | None

    @property
    def layer_title(self) -> str:
        """E.g. ``"Linear 0"``."""
        name = self.kind if self.kind != "Module" else "module"
        return f"{name} {self.path}" if self.path else name

    @property
    def title(self) -> str:
        """E.g. ``"Linear 0, neuron 3"`` or ``"BatchNorm1d 1, feature 2"``."""
        if self.index is None:
            return self.layer_title
        what = "neuron" if self.kind == "Linear" else "feature"
        return f"{self.layer_title}, {what} {self.index}"


@dataclass
class Grouping:
    """The units found in a graph and which nodes belong to each.

    Attributes:
        unit_of: the unit of every grouped node (ungrouped nodes are absent).
        units: every unit, ordered by module path (numerically: ``2`` before ``10``) and
            then by neuron index.
        activation: for units that absorbed an activation, its op name.
    """

    unit_of: dict[Value, Unit] = field(default_factory=dict)
    units: list[Unit] = field(default_factory=list)
    activation: dict[Unit, str] = field(default_factory=dict)

    def layers(self) -> list[str]:
        """The module paths, in the order of :attr:`units`."""
        return list(dict.fromkeys(u.path for u in self.units))

    def members(self) -> dict[Unit, list[Value]]:
        """The nodes of each unit, in the order of :attr:`units`."""
        out: dict[Unit, list[Value]] = {u: [] for u in self.units}
        for node, unit in self.unit_of.items():
            out[unit].append(node)
        return out


def _module_kinds(labels: list[ParameterLabel]) -> dict[str, str]:
    names: dict[str, set[tuple[str, int]]] = {}
    for p in labels:
        names.setdefault(p.path, set()).add((p.name, len(p.index)))
    kinds = {}
    for path, seen in names.items():
        if ("weight", 2) in seen and seen <= {("weight", 2), ("bias", 1)}:
            kinds[path] = "Linear"
        elif seen <= {("weight", 1), ("bias", 1)}:
            kinds[path] = "BatchNorm1d"
        else:
            kinds[path] = "Module"
    return kinds


def group_by_module(order: list[Value]) -> Grouping:
    """Find the units of the graph whose nodes are ``order`` (children before parents).

    A non-leaf node joins a unit when:

    * its children include parameters, all of them from that one unit (e.g. a neuron's
      ``dot`` node; a node mixing parameters of two units joins neither);
    * it is an activation (relu, tanh, sigmoid, leaky relu) of a node in the unit;
    * it is a ``+`` or ``sum`` whose children are all in the unit or constants (a
      neuron written as ``w1*x1 + w2*x2 + b`` with binary ops).

    Example:
        >>> from autograd import Value, dot, topological_order
        >>> w = [Value(0.5, label="0.weight[1,0]"), Value(-1.0, label="0.weight[1,1]")]
        >>> b = Value(0.1, label="0.bias[1]")
        >>> h = dot(w, [2.0, 3.0], b).tanh()
        >>> g = group_by_module(topological_order(h))
        >>> [u.title for u in g.units], g.activation[g.units[0]]
        (['Linear 0, neuron 1'], 'tanh')
    """
    params = {v: p for v in order if is_parameter(v) and (p := parse_parameter_label(v.label))}
    kinds = _module_kinds(list(params.values()))
    grouping = Grouping()
    unit_of = grouping.unit_of
    seen: set[Unit] = set()

    def assign(node: Value, unit: Unit) -> None:
        unit_of[node] = unit
        if unit not in seen:
            seen.add(unit)
            grouping.units.append(unit)

    for node in order:
        label = params.get(node)
        if label is not None:
            kind = kinds[label.path]
            assign(node, Unit(label.path, kind, None if kind == "Module" else label.index[0]))
            continue
        children = node.children
        if not children:
            continue
        owners = {unit_of[c] for c in children if c in params}
        if owners:
            if len(owners) == 1:
                assign(node, owners.pop())
            continue
        if node.op in ACTIVATIONS and children[0] in unit_of:
            unit = unit_of[children[0]]
            assign(node, unit)
            grouping.activation.setdefault(unit, node.op)
        elif node.op in ("+", "sum"):
            found = {unit_of.get(c) for c in children if not isinstance(c, Constant)}
            only = found.pop() if len(found) == 1 else None
            if only is not None:
                assign(node, only)
    grouping.units.sort(key=_unit_key)
    return grouping


def _unit_key(unit: Unit) -> tuple[tuple[tuple[int, int | str], ...], int]:
    path = tuple((0, int(p)) if p.isdigit() else (1, p) for p in unit.path.split("."))
    return path, -1 if unit.index is None else unit.index
