"""Two-dimensional loss surfaces, for watching optimizers walk downhill.

A surface is a function of two Values that returns a Value, so an optimizer can train
its two "parameters" ``x`` and ``y`` on it like on any loss. Two classic ones:

* :func:`ravine`: a long, narrow valley aligned with the axes (momentum's favourite);
* :func:`rosenbrock`: Rosenbrock's curved banana valley (everybody's nightmare).

:data:`SURFACES` gives each a sensible view, start and minimum for
:func:`viz.plot_optimizer_trajectories`; :func:`resolve_surface` turns a name (or any
function of two Values) into such a :class:`Surface`, and :func:`surface_grid` evaluates
one on a grid for contour lines.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from autograd import Value, no_grad

SurfaceFunction = Callable[[Value, Value], Value]
"""A loss surface: a function of two Values returning a Value."""


def ravine(x: Value, y: Value) -> Value:
    """A long, narrow valley: 0.1 x² + 2 y², minimum 0 at (0, 0).

    Steep across (y), nearly flat along (x): plain gradient descent zig-zags across the
    valley while crawling along it; momentum and adaptive methods fix one or both.

    Example:
        >>> from autograd import Value
        >>> ravine(Value(1.0), Value(1.0)).data
        2.1
    """
    return 0.1 * x**2 + 2 * y**2


def rosenbrock(x: Value, y: Value) -> Value:
    """Rosenbrock's banana: (1 - x)² + 100 (y - x²)², minimum 0 at (1, 1).

    Finding the curved valley is easy; following it to the minimum is slow.

    Example:
        >>> from autograd import Value
        >>> rosenbrock(Value(1.0), Value(1.0)).data
        0.0
    """
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


@dataclass(frozen=True)
class Surface:
    """A 2-D loss surface with a view and a start that show it well.

    Attributes:
        name: how titles call it.
        f: the function of two Values.
        xlim, ylim: the part of the plane to draw.
        start: where optimizers start.
        minimum: where the minimum is, if known (drawn as a star).
        log_levels: space contour levels logarithmically (for surfaces whose valley is
            far below their walls, like Rosenbrock's).
    """

    name: str
    f: SurfaceFunction
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    start: tuple[float, float]
    minimum: tuple[float, float] | None = None
    log_levels: bool = False


SURFACES: dict[str, Surface] = {
    "ravine": Surface("ravine", ravine, (-5.5, 1.5), (-2.5, 2.5), (-5.0, -2.0), (0.0, 0.0)),
    "rosenbrock": Surface(
        "rosenbrock", rosenbrock, (-2.0, 2.0), (-1.0, 3.0), (-1.5, 2.0), (1.0, 1.0), True
    ),
}
"""The built-in surfaces of :func:`viz.plot_optimizer_trajectories`, by name."""


def resolve_surface(
    surface: str | SurfaceFunction,
    *,
    start: tuple[float, float] | None = None,
    xlim: tuple[float, float] | None = None,
    ylim: tuple[float, float] | None = None,
) -> Surface:
    """The :class:`Surface` to draw: a built-in one by name, or a function of two Values.

    Args:
        surface: a name from :data:`SURFACES`, or a function of two Values.
        start, xlim, ylim: override the built-in surface's; required with a function.

    Raises:
        ValueError: for an unknown name, or a function without start, xlim and ylim.
        TypeError: if ``surface`` is neither a name nor a function.

    Example:
        >>> resolve_surface("ravine", start=(-4.0, 1.0)).start
        (-4.0, 1.0)
        >>> resolve_surface(lambda x, y: x * y, start=(1, 1), xlim=(-2, 2), ylim=(-2, 2)).name
        '<lambda>'
    """
    if isinstance(surface, str):
        if surface not in SURFACES:
            raise ValueError(
                f"unknown surface {surface!r}; choose from {', '.join(map(repr, SURFACES))} "
                "or pass a function of two Values"
            )
        base = SURFACES[surface]
    elif callable(surface):
        if start is None or xlim is None or ylim is None:
            raise ValueError("with a surface function, give start, xlim and ylim too")
        base = Surface(getattr(surface, "__name__", "surface"), surface, xlim, ylim, start)
    else:
        raise TypeError(f"surface must be a name or a function, got {type(surface).__name__}")
    return dataclasses.replace(
        base,
        start=start if start is not None else base.start,
        xlim=xlim if xlim is not None else base.xlim,
        ylim=ylim if ylim is not None else base.ylim,
    )


def surface_grid(
    surface: Surface, points: int = 140
) -> tuple[list[float], list[float], list[list[float]]]:
    """The surface's values on a ``points`` × ``points`` grid over its view.

    Returns:
        ``(gx, gy, z)``: the x and y coordinates and ``z[j][i] = f(gx[i], gy[j])``, the
        layout matplotlib's ``contour`` takes.

    Example:
        >>> gx, gy, z = surface_grid(SURFACES["ravine"], points=3)
        >>> gx, gy, z[1][2]
        ([-5.5, -2.0, 1.5], [-2.5, 0.0, 2.5], 0.225)
    """
    (x0, x1), (y0, y1) = surface.xlim, surface.ylim
    gx = [x0 + (x1 - x0) * i / (points - 1) for i in range(points)]
    gy = [y0 + (y1 - y0) * j / (points - 1) for j in range(points)]
    with no_grad():  # numbers only: no graph to keep for each of the many points
        z = [[surface.f(Value(a), Value(b)).data for a in gx] for b in gy]
    return gx, gy, z
