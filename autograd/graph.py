"""Walking a computation graph: the topological order that backpropagation needs.

Backpropagation may only process a node once every node that *uses* it has passed
its gradient down; otherwise the node would forward an incomplete gradient. A
topological order (every node after all of its children) gives exactly that when it
is walked backwards, from the output to the inputs.
"""

from __future__ import annotations

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

    Raises:
        TypeError: if ``root`` is not a Value.

    Example:
        >>> from autograd import Value, topological_order
        >>> a = Value(2.0, label="a"); b = Value(3.0, label="b")
        >>> c = a * b; c.label = "c"
        >>> d = c + a; d.label = "d"
        >>> [v.label for v in topological_order(d)]
        ['a', 'b', 'c', 'd']
    """
    if not isinstance(root, Value):
        raise TypeError(f"topological_order() needs a Value, got {type(root).__name__}")
    order: list[Value] = []
    visited = {root}
    # The path from the root to the node being explored, and for each node on it an
    # iterator over the children still to visit. A node is emitted once its iterator
    # is exhausted (post-order): all of its children are emitted by then.
    path = [root]
    pending = [iter(root._children)]
    while path:
        for child in pending[-1]:
            if child in visited:
                continue
            visited.add(child)
            # Descend into the child, unless it waits for nothing: a leaf, or a node whose
            # children were all visited already, which means emitted (in a DAG a visited
            # node still being explored is an ancestor, never a child). The check runs in
            # C; a layer's dot nodes share their inputs, so it skips most of their work.
            if child._children and not visited.issuperset(child._children):
                path.append(child)
                pending.append(iter(child._children))
                break
            order.append(child)
        else:
            pending.pop()
            order.append(path.pop())
    return order
