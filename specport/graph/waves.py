"""Topological layers: wave N holds the specs whose needs are all in waves before N.

The specs of one cycle share a wave (they cannot be ordered); cycles.py names them.
"""

from __future__ import annotations

from specport.graph.cycles import strongly_connected
from specport.graph.model import Graph


def waves(graph: Graph) -> list[list[int]]:
    """Spec indexes per wave, each wave in input order."""
    adj = graph.adjacency()
    components = strongly_connected(adj)
    comp_of = {node: c for c, members in enumerate(components) for node in members}
    level: dict[int, int] = {}
    # strongly_connected() returns components needed-first (Tarjan's reverse topological order)
    for c, members in enumerate(components):
        needed = {comp_of[n] for m in members for n in adj[m]} - {c}
        level[c] = 1 + max((level[d] for d in needed), default=-1)
    out: list[list[int]] = [[] for _ in range(max(level.values(), default=-1) + 1)]
    for node in range(len(graph.records)):
        out[level[comp_of[node]]].append(node)
    return out


def wave_of(graph: Graph) -> dict[int, int]:
    return {node: w for w, members in enumerate(waves(graph)) for node in members}
