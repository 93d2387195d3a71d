"""Which module owns which node: grouping a graph by a model's named parameters.

``viz.draw_graph(root, params=model)`` groups the graph of ``root`` by the modules of
``model``, and learns everything it needs from the model itself, by duck typing (viz
never imports nn for this):

* ``model.named_parameters()`` gives every parameter Value with its PyTorch-style name,
  ``"0.weight[3,1]"``: the entry at row 3, column 1 of the ``weight`` of the module at
  path ``"0"`` (``"0.1.bias[2]"`` is a bias in a nested Sequential, ``"weight[3,1]"`` a
  layer used on its own);
* ``model.named_modules()``, when the model has it, gives the class of the module at
  each path, so a cluster says ``Linear 0`` because the module *is* a Linear.

A plain dict of names to Values works too (torchviz's habit,
``params=dict(model.named_parameters())``); the kind of each module is then read from
the shapes of its parameters (a matrix ``weight`` is a Linear's, vectors ``weight`` and
``bias`` alone a BatchNorm1d's).

From those names the nodes of a graph are split into *units*:

* a module with a matrix ``weight`` (a Linear) has one unit per neuron (output ``i``):
  its weights ``weight[i, *]``, its bias ``bias[i]``, every node computed directly from
  them (nn's fused ``dot`` node, one per row of the batch), and the activation (relu,
  tanh, sigmoid, leaky relu) applied right after it;
* a module whose parameters are vectors ``weight`` and ``bias`` (a BatchNorm1d) has one
  unit per feature: its gamma and beta and the nodes using them;
* any other module with parameters is one unit.

A *layer* is all units of one module path. Drawings cluster nodes by unit inside a box
per layer, or collapse each unit or layer into a single box.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from autograd import Constant, Value

ACTIVATIONS = frozenset({"relu", "tanh", "sigmoid", "leaky_relu"})
"""Ops that join the unit of the node they are applied to (a neuron's nonlinearity)."""

GUESSED_KINDS = {"neuron": "Linear", "feature": "BatchNorm1d", None: "module"}
"""The kind of a module known only from a dict of parameters, by how its units split."""


@dataclass(frozen=True)
class ParameterName:
    """A parameter's name and its parts, e.g. ``0.1.weight[3,1]``.

    Attributes:
        full: the whole name, as the model gives it (what a drawing shows).
        path: the path of the module that owns the parameter (``"0.1"``; ``""`` for the
            model itself).
        name: the parameter's name in that module (``"weight"``).
        index: the entry's position (``(3, 1)`` in a matrix, ``(2,)`` in a vector,
            ``()`` for a name without one).
    """

    full: str
    path: str
    name: str
    index: tuple[int, ...]


def parse_parameter_name(full: str) -> ParameterName:
    """Split a parameter name into module path, name and index.

    Any string is accepted: a name without ``[...]`` has no index, a name without a dot
    belongs to the model itself.

    Example:
        >>> parse_parameter_name("0.1.weight[3,1]")
        ParameterName(full='0.1.weight[3,1]', path='0.1', name='weight', index=(3, 1))
        >>> parse_parameter_name("bias[2]").path    # a layer used on its own
        ''
        >>> parse_parameter_name("scale").index     # e.g. from a hand-made dict
        ()
    """
    base: str = full
    index: tuple[int, ...] = ()
    head, bracket, tail = full.partition("[")
    if bracket and tail.endswith("]"):
        parts = [part.strip() for part in tail[:-1].split(",")]
        if all(part.isdecimal() for part in parts):
            base, index = head, tuple(int(part) for part in parts)
    path, _, name = base.rpartition(".")
    return ParameterName(full, path, name, index)


@dataclass(frozen=True)
class ModelParameters:
    """A model's parameters as viz uses them: by Value, with their names.

    Build one with :func:`model_parameters`.

    Attributes:
        names: every parameter Value with its name, in the model's order (a Value the
            model names twice keeps its first name).
        classes: the class name of the module at each path (``{"": "MLP", "0":
            "Linear", ...}``) when the model says it; empty for a dict of parameters.
    """

    names: Mapping[Value, ParameterName]
    classes: Mapping[str, str] = field(default_factory=dict)

    def __contains__(self, value: object) -> bool:
        return value in self.names

    def __len__(self) -> int:
        return len(self.names)


def model_parameters(params: object) -> ModelParameters:
    """The named parameters of ``params``: a model, or a dict of names to Values.

    Args:
        params: anything with ``named_parameters()`` returning ``(name, Value)`` pairs
            (an ``nn.Module``; its ``named_modules()`` is used too when it has one), a
            mapping from names to Values, or a :class:`ModelParameters` (returned as is).

    Returns:
        A :class:`ModelParameters`.

    Raises:
        TypeError: if ``params`` is none of those, or a name is not a str, or an entry
            is not a Value (naming it).

    Example:
        >>> from autograd import Value
        >>> w = Value(0.5)
        >>> found = model_parameters({"0.weight[0,0]": w})
        >>> found.names[w].path, found.names[w].index, found.classes
        ('0', (0, 0), {})
    """
    if isinstance(params, ModelParameters):
        return params
    classes: dict[str, str] = {}
    named = getattr(params, "named_parameters", None)
    if callable(named):
        pairs = list(named())
        modules = getattr(params, "named_modules", None)
        if callable(modules):
            classes = {str(path): type(module).__name__ for path, module in modules()}
    elif isinstance(params, Mapping):
        pairs = list(params.items())
    else:
        raise TypeError(
            "params must be a model (anything with named_parameters(), such as an "
            "nn.Module) or a dict of names to Values, e.g. dict(model.named_parameters()); "
            f"got {type(params).__name__}"
        )
    names: dict[Value, ParameterName] = {}
    for name, value in pairs:
        if not isinstance(name, str):
            raise TypeError(f"parameter names must be str, got {type(name).__name__} {name!r}")
        if not isinstance(value, Value):
            raise TypeError(f"parameter {name!r} must be a Value, got {type(value).__name__}")
        names.setdefault(value, parse_parameter_name(name))
    return ModelParameters(names, classes)


@dataclass(frozen=True)
class Unit:
    """A neuron of a Linear, a feature of a BatchNorm1d, or a whole other module.

    Attributes:
        path: the module path, e.g. ``"0"`` or ``"0.1"`` (``""``: the model itself).
        kind: the module's class name (``"Linear"``), or ``"module"`` when unknown.
        part: ``"neuron"`` or ``"feature"`` for a unit that is part of its module;
            None for a whole module.
        index: the neuron or feature index (None for a whole module).
    """

    path: str
    kind: str
    part: str | None
    index: int | None

    @property
    def layer_title(self) -> str:
        """E.g. ``"Linear 0"``."""
        return f"{self.kind} {self.path}" if self.path else self.kind

    @property
    def title(self) -> str:
        """E.g. ``"Linear 0, neuron 3"`` or ``"BatchNorm1d 1, feature 2"``."""
        if self.index is None:
            return self.layer_title
        return f"{self.layer_title}, {self.part} {self.index}"


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


def _splits(names: list[ParameterName]) -> dict[str, str | None]:
    """How each module's parameters split into units: "neuron", "feature" or None (whole)."""
    shapes: dict[str, set[tuple[str, int]]] = {}
    for p in names:
        shapes.setdefault(p.path, set()).add((p.name, len(p.index)))
    splits: dict[str, str | None] = {}
    for path, seen in shapes.items():
        if ("weight", 2) in seen and seen <= {("weight", 2), ("bias", 1)}:
            splits[path] = "neuron"
        elif seen <= {("weight", 1), ("bias", 1)}:
            splits[path] = "feature"
        else:
            splits[path] = None
    return splits


def parameter_units(params: ModelParameters) -> dict[Value, Unit]:
    """The unit of every parameter of ``params``.

    Example:
        >>> from autograd import Value
        >>> w, b = Value(0.5), Value(0.1)
        >>> units = parameter_units(model_parameters({"2.weight[1,0]": w, "2.bias[1]": b}))
        >>> units[w].title, units[w] == units[b]
        ('Linear 2, neuron 1', True)
    """
    splits = _splits(list(params.names.values()))
    units: dict[Value, Unit] = {}
    for value, p in params.names.items():
        split = splits[p.path]
        kind = params.classes.get(p.path) or GUESSED_KINDS[split]
        index = p.index[0] if split is not None else None
        units[value] = Unit(p.path, kind, split, index)
    return units


def group_by_module(order: list[Value], params: object) -> Grouping:
    """Find the units of the graph whose nodes are ``order`` (children before parents).

    Parameters (leaves named by ``params``) belong to their unit. A non-leaf node joins
    a unit when:

    * its children include parameters, all of them from that one unit (e.g. a neuron's
      ``dot`` node; a node mixing parameters of two units joins neither);
    * it is an activation (relu, tanh, sigmoid, leaky relu) of a node in the unit;
    * it is a ``+`` or ``sum`` whose children are all in the unit or constants (a
      neuron written as ``w1*x1 + w2*x2 + b`` with binary ops).

    Args:
        order: the graph's nodes in topological order (``autograd.topological_order``).
        params: the model's parameters: whatever :func:`model_parameters` accepts.

    Returns:
        The :class:`Grouping`.

    Example:
        >>> from autograd import Value, dot, topological_order
        >>> w = [Value(0.5), Value(-1.0)]
        >>> b = Value(0.1)
        >>> h = dot(w, [2.0, 3.0], b).tanh()
        >>> names = {"0.weight[1,0]": w[0], "0.weight[1,1]": w[1], "0.bias[1]": b}
        >>> g = group_by_module(topological_order(h), names)
        >>> [u.title for u in g.units], g.activation[g.units[0]]
        (['Linear 0, neuron 1'], 'tanh')
    """
    units = parameter_units(model_parameters(params))
    grouping = Grouping()
    seen: set[Unit] = set()
    for node in order:
        unit = _unit_of_node(node, units, grouping)
        if unit is None:
            continue
        grouping.unit_of[node] = unit
        if unit not in seen:
            seen.add(unit)
            grouping.units.append(unit)
        if node.op in ACTIVATIONS and node.children[0] not in units:
            grouping.activation.setdefault(unit, node.op)
    grouping.units.sort(key=_unit_key)
    return grouping


def _unit_of_node(node: Value, units: Mapping[Value, Unit], grouping: Grouping) -> Unit | None:
    """The unit ``node`` joins (see :func:`group_by_module`), or None."""
    children = node.children
    if not children:
        return units.get(node)
    owners = {units[c] for c in children if c in units}
    if owners:
        return owners.pop() if len(owners) == 1 else None
    if node.op in ACTIVATIONS:
        return grouping.unit_of.get(children[0])
    if node.op in ("+", "sum"):
        found = {grouping.unit_of.get(c) for c in children if not isinstance(c, Constant)}
        return found.pop() if len(found) == 1 else None
    return None


def _unit_key(unit: Unit) -> tuple[tuple[tuple[int, int | str], ...], int]:
    path = tuple((0, int(p)) if p.isdecimal() else (1, p) for p in unit.path.split("."))
    return path, -1 if unit.index is None else unit.index
