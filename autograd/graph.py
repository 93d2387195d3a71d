"""Walking a computation graph: the topological order that backpropagation needs.

Backpropagation may only process a node once every node that *uses* it has passed
its gradient down; otherwise the node would forward an incomplete gradient. A
topological order (every node after all of its children) gives exactly that when it
is walked backwards, from the output to the inputs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from autograd.value import Value


def topological_order(root: Value) -> list[Value]:
    """Every node that ``root`` depends on, each exactly once, children before parents.

    The order contract:

    * each node appears after all of its children, so ``root`` comes last;
    * each node appears once, however many paths lead to it (``a + a`` lists ``a`` once);
    * the order is deterministic: a depth-first search that visits children in
      argument order, so the same graph always gives the same list.

    The search keeps its own stack instead of recursing, so graphs of any depth
    (a chain of a million ops) work without RecursionError.

    Example:
        >>> from autograd import Value, topological_order
        >>> a = Value(2.0, label="a"); b = Value(3.0, label="b")
        >>> c = a * b; c.label = "c"
        >>> d = c + a; d.label = "d"
        >>> [v.label for v in topological_order(d)]
        ['a', 'b', 'c', 'd']
    """
    order: list[Value] = []
    visited = {root}
    # Each stack entry is a node and an iterator over the children still to visit;
    # a node is emitted once its iterator is exhausted (post-order).
    stack = [(root, iter(root._children))]
    push, pop, emit, mark = stack.append, stack.pop, order.append, visited.add
    done = visited.issuperset
    while stack:
        node, pending = stack[-1]
        for child in pending:
            if child not in visited:
                mark(child)
                children = child._children
                # A node whose children were all seen already has nothing to wait for
                # (in a DAG, a seen node that is not an ancestor is already emitted).
                # The check runs in C: for wide nodes such as a layer's dot nodes,
                # whose weights every example shares, it skips most of the work.
                if children and not done(children):
                    push((child, iter(children)))
                    break
                emit(child)
        else:
            pop()
            emit(node)
    return order
