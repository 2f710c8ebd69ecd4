"""Cycles among specs: strongly connected components, and the edges that close each cycle.

The closing edges are the back edges of a depth-first walk inside a component: without them
the component has an order, so they are what a packager has to break (bootstrap one side).
"""

from __future__ import annotations

from dataclasses import dataclass

from specport.graph.model import Edge, Graph


@dataclass(frozen=True)
class Cycle:
    members: tuple[int, ...]  # spec indexes, in input order
    closing: tuple[Edge, ...]  # the edges that close it


def strongly_connected(adj: dict[int, set[int]]) -> list[list[int]]:
    """Tarjan's algorithm, iterative; components come out needed-first (reverse topological)."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    out: list[list[int]] = []
    counter = 0
    for root in sorted(adj):
        if root in index:
            continue
        work: list[tuple[int, list[int]]] = [(root, sorted(adj[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, todo = work[-1]
            if todo:
                nxt = todo.pop()
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, sorted(adj[nxt])))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                comp: list[int] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    comp.append(member)
                    if member == node:
                        break
                out.append(sorted(comp))
    return out


def find_cycles(graph: Graph) -> list[Cycle]:
    adj = graph.adjacency()
    cycles = []
    for comp in strongly_connected(adj):
        if len(comp) < 2:
            continue
        members = set(comp)
        back = _back_edges(comp[0], {n: adj[n] & members for n in comp})
        closing = tuple(e for e in graph.edges if (e.spec, e.needs) in back)
        cycles.append(Cycle(tuple(comp), closing))
    return cycles


def _back_edges(root: int, adj: dict[int, set[int]]) -> set[tuple[int, int]]:
    """(from, to) pairs that point back to a node still on the depth-first path."""
    back: set[tuple[int, int]] = set()
    state: dict[int, int] = {root: 1}  # 1 on the path, 2 done
    work: list[tuple[int, list[int]]] = [(root, sorted(adj[root], reverse=True))]
    while work:
        node, todo = work[-1]
        if not todo:
            state[node] = 2
            work.pop()
            continue
        nxt = todo.pop()
        if state.get(nxt) == 1:
            back.add((node, nxt))
        elif nxt not in state:
            state[nxt] = 1
            work.append((nxt, sorted(adj[nxt], reverse=True)))
    return back
