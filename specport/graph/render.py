"""The graph as text, Graphviz dot, or JSON (the same facts in each)."""

from __future__ import annotations

import json
from typing import Any

from specport.graph.sets import TargetGraph


def as_text(graphs: list[TargetGraph]) -> str:
    out: list[str] = []
    for tg in graphs:
        g = tg.graph
        out.append(
            f"{tg.target.name}: {len(g.records)} specs, {len(g.edges)} edges, {len(tg.waves)} waves"
        )
        for n, wave in enumerate(tg.waves, start=1):
            out.append(f"  wave {n}: {', '.join(tg.label(i) for i in wave)}")
        for e in g.edges:
            via = e.via if e.via == e.package else f"{e.via} = {e.package}"
            out.append(f"  {tg.label(e.spec)} -> {tg.label(e.needs)} ({via})")
        for c in tg.cycles:
            out.append(f"  cycle: {tg.cycle_text(c)}")
    return "\n".join(out)


def as_dot(graphs: list[TargetGraph]) -> str:
    out = ["digraph specport {", "  rankdir=LR;"]
    for n, tg in enumerate(graphs):
        out.append(f"  subgraph cluster_{n} {{")
        out.append(f"    label={_q(tg.target.name)};")
        closing = {(e.spec, e.needs) for c in tg.cycles for e in c.closing}
        for i in range(len(tg.records)):
            out.append(f"    {_node(n, i)} [label={_q(tg.label(i))}];")
        for e in tg.graph.edges:
            style = ", color=red" if (e.spec, e.needs) in closing else ""
            out.append(f"    {_node(n, e.spec)} -> {_node(n, e.needs)} [label={_q(e.via)}{style}];")
        out.append("  }")
    out.append("}")
    return "\n".join(out)


def as_json(graphs: list[TargetGraph]) -> str:
    return json.dumps({"targets": [_target_json(tg) for tg in graphs]}, indent=2)


def _target_json(tg: TargetGraph) -> dict[str, Any]:
    def edge(e: Any) -> dict[str, str]:
        return {
            "spec": tg.label(e.spec),
            "needs": tg.label(e.needs),
            "via": e.via,
            "package": e.package,
        }

    wave_of = {i: w for w, members in enumerate(tg.waves, start=1) for i in members}
    return {
        "target": tg.target.name,
        "specs": [
            {
                "name": tg.label(i),
                "spec": r.spec,
                "packages": list(r.packages),
                "wave": wave_of[i],
            }
            for i, r in enumerate(tg.records)
        ],
        "edges": [edge(e) for e in tg.graph.edges],
        "waves": [[tg.label(i) for i in w] for w in tg.waves],
        "cycles": [
            {"specs": [tg.label(i) for i in c.members], "closing": [edge(e) for e in c.closing]}
            for c in tg.cycles
        ],
    }


def _node(cluster: int, index: int) -> str:
    return f"t{cluster}s{index}"


def _q(text: str) -> str:
    return json.dumps(text)  # a dot ID in double quotes escapes like JSON
