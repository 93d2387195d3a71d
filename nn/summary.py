"""``nn.summary(model)``: a table of a model's layers, output widths and parameter counts.

Like ``torchinfo.summary``: one row per module (indented by depth), the width of the
rows it outputs, its parameters (trainable and frozen) and the totals. In Jupyter a
model shows this table (``Module._repr_html_``).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from autograd import no_grad
from nn.activation import _Elementwise
from nn.batchnorm import BatchNorm1d
from nn.container import ModuleDict, ModuleList, Sequential
from nn.dropout import Dropout
from nn.linear import Identity, Linear
from nn.module import Module, is_frozen

_SAME_WIDTH = (_Elementwise, Dropout, Identity)
"""Modules whose output rows are as wide as their input rows."""


@dataclass(frozen=True)
class SummaryRow:
    """One module in :func:`summary`'s table.

    Attributes:
        path: its name in the model (``"0"``, ``"encoder.1"``; ``""`` for the model).
        kind: its class name.
        depth: how deep it sits (0 for the model itself).
        output_width: the number of entries in each row it outputs, or None where that
            is not known (see :func:`summary`).
        parameters: how many parameter entries the module owns itself (its sub-modules'
            are on their own rows), or None for a module already listed (shared).
        trainable: how many of those are not frozen.
    """

    path: str
    kind: str
    depth: int
    output_width: int | None
    parameters: int | None
    trainable: int | None


class Summary(str):
    """The text of a :func:`summary` table, which also knows its numbers.

    It is a ``str`` (print it, write it to a file, compare it), shown without quotes at
    the prompt, and as an HTML table in Jupyter.

    Attributes:
        rows: a :class:`SummaryRow` per module, in the table's order.
        total_params, trainable_params, frozen_params: the totals, each parameter Value
            counted once (a module used twice, or a weight shared, counts once).
        input_width: the width of the input rows the output widths were worked out
            for, or None.
    """

    rows: list[SummaryRow]
    total_params: int
    trainable_params: int
    frozen_params: int
    input_width: int | None

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        """The table as HTML, for Jupyter."""
        cells = "".join(f"<th>{html.escape(h)}</th>" for h in _HEADERS)
        body = []
        for row in self.rows:
            name = html.escape(_name(row))
            indent = f"padding-left:{0.4 + 1.2 * row.depth:.1f}em"
            values = [_text(row.output_width), _text(row.parameters), _text(row.trainable)]
            tds = "".join(f'<td style="text-align:right">{v}</td>' for v in values)
            body.append(f'<tr><td style="text-align:left;{indent}">{name}</td>{tds}</tr>')
        footer = (
            f"Total params: {self.total_params:,} &middot; trainable: "
            f"{self.trainable_params:,} &middot; frozen: {self.frozen_params:,}"
        )
        return (
            f'<table class="gradstep-summary"><thead><tr>{cells}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody>"
            f'<tfoot><tr><td colspan="4" style="text-align:left">{footer}</td></tr></tfoot>'
            "</table>"
        )


_HEADERS = ("Layer (type)", "Output width", "Param #", "Trainable")


def _name(row: SummaryRow) -> str:
    return f"{row.path} {row.kind}" if row.path else row.kind


def _text(n: int | None) -> str:
    return "--" if n is None else f"{n:,}"


def _input_width(module: Module) -> int | None:
    """The width of the rows ``module`` takes, where its first layer tells it.

    A Linear's ``in_features`` or a BatchNorm1d's ``num_features``; through a
    Sequential, its first module that is not width-preserving. A module of your own
    is asked through its first sub-module with a known width (a guess: pass
    ``input_size`` to :func:`summary` where it is wrong).
    """
    if isinstance(module, Linear):
        return module.in_features
    if isinstance(module, BatchNorm1d):
        return module.num_features
    if isinstance(module, _SAME_WIDTH):
        return None
    for child in module.children():
        width = _input_width(child)
        if width is not None:
            return width
        if not isinstance(child, _SAME_WIDTH) and isinstance(module, Sequential):
            return None  # an unknown module comes first: its input says nothing
    return None


def _output_width(module: Module, width: int | None) -> int | None:
    """The width of ``module``'s output rows for input rows of ``width``, without running it
    where its kind tells it, else by running it on one row of zeros (None if that fails)."""
    if isinstance(module, Linear):
        return module.out_features
    if isinstance(module, BatchNorm1d):
        return module.num_features
    if isinstance(module, _SAME_WIDTH):
        return width
    if isinstance(module, (ModuleList, ModuleDict)):
        return None  # they hold modules; the owner's forward decides what comes out
    if isinstance(module, Sequential) and type(module).forward is Sequential.forward:
        for child in module.children():
            width = _output_width(child, width)
        return width
    if width is None:
        return None
    was_training = [m.training for m in module.modules()]
    module.eval()  # no running statistic moves, no dropout mask is drawn
    try:
        with no_grad():
            out = module([0.0] * width)
    except Exception:  # a module of the user's own that wants other input: width unknown
        return None
    finally:
        for m, mode in zip(module.modules(), was_training, strict=True):
            object.__setattr__(m, "training", mode)
    return len(out) if isinstance(out, Sequence) and not isinstance(out, str) else None


def summary(model: Module, input_size: int | Sequence[int] | None = None) -> Summary:
    """A table of ``model``: each module's path and class, output width, parameters.

    Output widths are worked out from the layers (a Linear gives ``out_features``, an
    activation keeps the width...) for input rows as wide as the model's first layer
    takes; give ``input_size`` (an int, or a shape such as ``(batch, features)`` whose
    last entry counts, as in torchinfo) where the model cannot tell. A module of your
    own is run once on a row of zeros, in eval mode without recording a graph, to find
    its output width; its sub-modules' widths are shown where their kind tells them
    (``--`` where not).

    "Param #" counts the parameter entries a module owns itself (a container's are on
    its children's rows), "Trainable" those of them that are not frozen (see
    ``Module.requires_grad_``). The totals count every parameter Value once.

    Args:
        model: any module.
        input_size: the width of an input row, or None to take it from the model.

    Returns:
        A :class:`Summary`: the table as a ``str``, with the numbers as attributes.

    Raises:
        TypeError: if ``model`` is not a Module, or ``input_size`` not an int >= 1 or a
            sequence ending with one.
        ValueError: if ``input_size`` is above :data:`MAX_INPUT_WIDTH` (1,000,000).

    Example:
        >>> import nn
        >>> model = nn.MLP(2, [16, 1], seed=0)
        >>> _ = model[0].requires_grad_(False)
        >>> print(nn.summary(model))
        Layer (type)   Output width   Param #   Trainable
        =================================================
        MLP                       1        --          --
          0 Linear               16        48           0
          1 ReLU                 16        --          --
          2 Linear                1        17          17
        =================================================
        Total params: 65
        Trainable params: 17
        Frozen params: 48
    """
    if not isinstance(model, Module):
        raise TypeError(f"summary takes a Module, got {type(model).__name__}")
    width = _check_input_size(input_size) if input_size is not None else _input_width(model)
    widths: dict[int, int | None] = {}
    _trace(model, width, widths)
    rows = []
    seen: set[int] = set()
    for path, module in model.named_modules():
        depth = path.count(".") + 1 if path else 0
        own = [value for _, value in module.named_parameters(recurse=False)]
        if id(module) in seen:
            count = trainable = None
        else:
            count = len(own) or None
            trainable = None if count is None else sum(not is_frozen(p) for p in own)
        seen.add(id(module))
        rows.append(
            SummaryRow(path, type(module).__name__, depth, widths.get(id(module)), count, trainable)
        )
    unique = list({id(p): p for p in model.parameters()}.values())
    frozen = sum(is_frozen(p) for p in unique)
    out = Summary(_render(rows, len(unique), len(unique) - frozen, frozen))
    out.rows = rows
    out.total_params = len(unique)
    out.trainable_params = len(unique) - frozen
    out.frozen_params = frozen
    out.input_width = width
    return out


MAX_INPUT_WIDTH = 1_000_000
"""The widest ``input_size`` :func:`summary` takes: it runs a module of your own on a row
of that many zeros (a million Values already take a few seconds and about 200 MB)."""


def _check_input_size(input_size: object) -> int:
    size = input_size
    if isinstance(size, Sequence) and not isinstance(size, str) and size:
        size = size[-1]
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise TypeError(
            "input_size must be the width of an input row (an int >= 1) or a shape ending "
            f"with it, such as (32, 2); got {input_size!r:.60}"
        )
    if size > MAX_INPUT_WIDTH:
        raise ValueError(
            f"input_size {size if size.bit_length() < 200 else 'of over 60 digits'} is wider "
            f"than summary takes ({MAX_INPUT_WIDTH:,}): it runs a module of your own on one "
            "row of zeros that wide"
        )
    return size


def _trace(module: Module, width: int | None, widths: dict[int, int | None]) -> None:
    """Fill ``widths`` (by module id) with each module's output width, input first."""
    out = _output_width(module, width)
    widths.setdefault(id(module), out)
    if isinstance(module, Sequential) and type(module).forward is Sequential.forward:
        for child in module.children():
            _trace(child, width, widths)
            width = widths.get(id(child))
        return
    for child in module.children():  # a forward we cannot follow: each child on its own
        _trace(child, _input_width(child), widths)


def _render(rows: list[SummaryRow], total: int, trainable: int, frozen: int) -> str:
    names = ["  " * row.depth + _name(row) for row in rows]
    columns = [
        [_HEADERS[0], *names],
        [_HEADERS[1], *(_text(r.output_width) for r in rows)],
        [_HEADERS[2], *(_text(r.parameters) for r in rows)],
        [_HEADERS[3], *(_text(r.trainable) for r in rows)],
    ]
    sizes = [max(len(cell) for cell in column) for column in columns]
    lines = []
    for i in range(len(rows) + 1):
        first = columns[0][i].ljust(sizes[0])
        rest = [column[i].rjust(size) for column, size in zip(columns[1:], sizes[1:], strict=True)]
        lines.append("   ".join([first, *rest]).rstrip())
    rule = "=" * max(len(line) for line in lines)
    return "\n".join(
        [
            lines[0],
            rule,
            *lines[1:],
            rule,
            f"Total params: {total:,}",
            f"Trainable params: {trainable:,}",
            f"Frozen params: {frozen:,}",
        ]
    )
