"""The graph of one spec set for one target: records, edges, waves and cycles together."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from specport.graph.cycles import Cycle, find_cycles
from specport.graph.model import Graph, SpecRecord, build_graph
from specport.graph.records import record_from_spec
from specport.graph.waves import waves
from specport.normalize.model import Bconds
from specport.normalize.resolver import Resolver
from specport.targets.model import Target


@dataclass(frozen=True)
class TargetGraph:
    target: Target
    graph: Graph
    waves: tuple[tuple[int, ...], ...]
    cycles: tuple[Cycle, ...]

    @property
    def records(self) -> tuple[SpecRecord, ...]:
        return self.graph.records

    def label(self, index: int) -> str:
        """The spec's Name, or its path when two specs of the set share a Name."""
        rec = self.records[index]
        same = sum(1 for r in self.records if r.name == rec.name)
        return rec.name if same == 1 else rec.spec

    def cycle_text(self, cycle: Cycle) -> str:
        members = ", ".join(self.label(i) for i in cycle.members)
        closing = "; ".join(
            f"{self.label(e.spec)} -> {self.label(e.needs)} (BuildRequires {e.via})"
            for e in cycle.closing
        )
        return f"{members}: closed by {closing}"


def target_graph(records: Sequence[SpecRecord], target: Target) -> TargetGraph:
    graph = build_graph(records)
    return TargetGraph(
        target,
        graph,
        tuple(tuple(w) for w in waves(graph)),
        tuple(find_cycles(graph)),
    )


def graph_of_texts(
    specs: Sequence[tuple[str, str]],
    target: Target,
    resolver: Resolver | None = None,
    bconds: Bconds | None = None,
) -> TargetGraph:
    """`specs`: (label, text) pairs, read from disk by the caller; `bconds`: the build's
    --with/--without, which can change what a spec needs."""
    return target_graph(
        [record_from_spec(lb, text, target, resolver, bconds) for lb, text in specs], target
    )
