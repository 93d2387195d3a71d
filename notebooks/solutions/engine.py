"""A complete scalar autograd engine: the reference solution of notebook 02.

Notebook 02 ("Build your own engine") grows this class one exercise at a time; here it
is in one piece. Each operation computes its output and, right next to it, a small
function (a closure) that knows how to pass the output's gradient back to the inputs:
the chain rule, one op at a time. ``backward()`` calls those functions in reverse
topological order.

Run it to check it against gradstep with random expressions:
``python notebooks/solutions/engine.py``.
"""

import math


class Value:
    """A number that remembers how it was computed, so that gradients can flow back."""

    def __init__(self, data, children=(), op=""):
        self.data = float(data)
        self.grad = 0.0  # d(output)/d(this node), filled in by backward()
        self.children = tuple(children)  # the nodes it was computed from, in order
        self.op = op  # "+", "*", "tanh"...: only for printing
        self._backward = lambda: None  # a leaf has nothing to pass back

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():  # d(a + b)/da = d(a + b)/db = 1
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():  # d(a * b)/da = b, d(a * b)/db = a
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __pow__(self, n):  # n is a plain number
        out = Value(self.data**n, (self,), f"**{n}")

        def _backward():  # d(x ** n)/dx = n x ** (n - 1)
            self.grad += n * self.data ** (n - 1) * out.grad

        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")

        def _backward():  # d tanh(x)/dx = 1 - tanh(x) ** 2
            self.grad += (1 - t * t) * out.grad

        out._backward = _backward
        return out

    def exp(self):
        out = Value(math.exp(self.data), (self,), "exp")

        def _backward():  # d exp(x)/dx = exp(x)
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def backward(self):
        order, visited = [], set()

        def visit(node):  # depth first: a node joins the order after all its children
            if node not in visited:
                visited.add(node)
                for child in node.children:
                    visit(child)
                order.append(node)

        visit(self)
        self.grad = 1.0
        for node in reversed(order):  # every node after all the nodes that use it
            node._backward()

    # The rest comes for free: composed from the operations above, so the chain rule
    # through those gives their gradients with no new _backward.
    def __radd__(self, other):  # 2 + x
        return self + other

    def __rmul__(self, other):  # 2 * x
        return self * other

    def __neg__(self):  # -x
        return self * -1

    def __sub__(self, other):  # x - y
        return self + (-other)

    def __rsub__(self, other):  # 2 - x
        return other + (-self)

    def __truediv__(self, other):  # x / y
        return self * other**-1

    def __rtruediv__(self, other):  # 2 / x
        return other * self**-1


if __name__ == "__main__":
    from autograd.testing import check_engine

    print(check_engine(Value))
