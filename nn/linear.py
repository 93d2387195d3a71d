"""The fully connected layer (y = W x + b, one fused node per output) and :class:`Identity`."""

from __future__ import annotations

from typing import Any

from autograd import Value, linear
from nn import init
from nn._tensor import as_batch, check_width
from nn.module import Module


class Linear(Module):
    """A fully connected layer: y_i = sum_j W[i][j] x_j + b_i for each of ``out_features`` outputs.

    Each output is ONE graph node (``autograd.dot`` with a bias), whose children are the
    row of weights, the inputs and the bias, instead of 2 * nin binary nodes: the graph
    stays readable and backpropagation is fast.

    Weights and biases start uniform in [-1/sqrt(in_features), 1/sqrt(in_features)],
    PyTorch's default (weights drawn row by row, then biases). Parameter names and shapes
    are PyTorch's: ``weight`` is ``out_features`` rows of ``in_features`` Values, ``bias``
    is ``out_features`` Values.

    Args:
        in_features: the number of input features.
        out_features: the number of outputs.
        bias: whether to add a bias (``b = 0`` and no ``bias`` parameter if False).
        device, dtype: accepted for PyTorch's sake and ignored: gradstep computes in
            Python floats (64-bit) on the CPU.
        seed: (keyword only, gradstep's) None (the default generator, see
            :func:`nn.manual_seed`), an int, or a ``random.Random`` to draw the initial
            values from.

    Raises:
        ValueError: for in_features < 1 or out_features < 1, and for inputs whose rows
            are not in_features long.

    Example:
        >>> import nn
        >>> layer = nn.Linear(3, 2, seed=0)
        >>> layer
        Linear(in_features=3, out_features=2, bias=True)
        >>> y = layer([1.0, 2.0, 3.0])          # a single row in, a single row out
        >>> len(y), y[0].op, len(y[0].children)  # 3 weights + 3 inputs + 1 bias
        (2, 'dot', 7)
        >>> len(layer([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))  # a batch of 2 rows
        2
    """

    weight: list[list[Value]]
    bias: list[Value] | None

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        seed: init.Seed = None,
    ) -> None:
        super().__init__()
        for name, n in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(n, int) or isinstance(n, bool) or n < 1:
                raise ValueError(f"Linear needs {name} >= 1, got {n!r}")
        self.in_features = in_features
        self.out_features = out_features
        rng = init.generator(seed)
        bound = init.uniform_bound(in_features)
        self.register_parameter(
            "weight",
            [
                [Value(rng.uniform(-bound, bound)) for _ in range(in_features)]
                for _ in range(out_features)
            ],
        )
        if bias:
            self.register_parameter(
                "bias", [Value(rng.uniform(-bound, bound)) for _ in range(out_features)]
            )
        else:
            object.__setattr__(self, "bias", None)

    def forward(self, x: object) -> list[Value] | list[list[Value]]:
        """W x + b for one row, or for each row of a batch."""
        rows, single = as_batch(x, "Linear input")
        check_width(rows, self.in_features, "Linear")
        # autograd.linear makes the node dot(W[i], row, b[i]) for every row and i.
        # in_graph: the parameters themselves, or constants where they are frozen.
        weight = self.in_graph("weight")
        bias = None if self.bias is None else self.in_graph("bias")
        out = linear(weight, rows, bias)  # type: ignore[arg-type]
        return out[0] if single else out

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Identity(Module):
    """Returns its input unchanged: a placeholder where a layer may or may not be.

    ``Sequential(Linear(2, 8), norm, ReLU())`` with ``norm = BatchNorm1d(8) if batchnorm
    else Identity()``, say. It takes any arguments and ignores them, as PyTorch's does,
    so it can stand in for a layer with the same arguments.

    Example:
        >>> import nn
        >>> row = [1.0, 2.0]
        >>> nn.Identity(54, unused="argument")(row) is row
        True
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, x: Any) -> Any:
        """``x`` itself."""
        return x
