"""The fully connected layer: y = W x + b, one fused node per output."""

from __future__ import annotations

from autograd import Value, linear
from nn import init
from nn._tensor import as_batch, check_width
from nn.module import Module


class Linear(Module):
    """A fully connected layer: y_i = sum_j W[i][j] x_j + b_i for each of ``nout`` outputs.

    Each output is ONE graph node (``autograd.dot`` with a bias), whose children are the
    row of weights, the inputs and the bias, instead of 2 * nin binary nodes: the graph
    stays readable and backpropagation is fast.

    Weights and biases start uniform in [-1/sqrt(nin), 1/sqrt(nin)], PyTorch's default
    (weights drawn row by row, then biases). Parameter names and shapes are PyTorch's:
    ``weight`` is ``nout`` rows of ``nin`` Values, ``bias`` is ``nout`` Values.

    Args:
        nin: the number of input features (PyTorch's ``in_features``).
        nout: the number of outputs (``out_features``).
        bias: whether to add a bias (``b = 0`` and no ``bias`` parameter if False).
        seed: None (the default generator, see :func:`nn.manual_seed`), an int, or a
            ``random.Random`` to draw the initial values from.

    Raises:
        ValueError: for nin < 1 or nout < 1, and for inputs whose rows are not nin long.

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

    def __init__(self, nin: int, nout: int, bias: bool = True, *, seed: init.Seed = None) -> None:
        super().__init__()
        for name, n in (("nin", nin), ("nout", nout)):
            if not isinstance(n, int) or isinstance(n, bool) or n < 1:
                raise ValueError(f"Linear needs {name} >= 1, got {n!r}")
        self.in_features = nin
        self.out_features = nout
        rng = init.generator(seed)
        bound = init.uniform_bound(nin)
        self.register_parameter(
            "weight", [[Value(rng.uniform(-bound, bound)) for _ in range(nin)] for _ in range(nout)]
        )
        if bias:
            self.register_parameter(
                "bias", [Value(rng.uniform(-bound, bound)) for _ in range(nout)]
            )
        else:
            object.__setattr__(self, "bias", None)

    def forward(self, x: object) -> list[Value] | list[list[Value]]:
        """W x + b for one row, or for each row of a batch."""
        rows, single = as_batch(x, "Linear input")
        check_width(rows, self.in_features, "Linear")
        # autograd.linear makes the node dot(W[i], row, b[i]) for every row and i.
        out = linear(self.weight, rows, self.bias)
        return out[0] if single else out

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )
