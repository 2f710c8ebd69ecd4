"""The graph over plain records: per spec, the packages it builds, what they provide, and its
BuildRequires after translation for one target. Pure: records in, edges out.

A record can come from anywhere (records.py reads a normalized spec as text; an index-backed
resolver can fill the same fields), so the graph never parses a spec itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class SpecRecord:
    spec: str  # the spec's path, as given: it names the node
    name: str  # the source package's Name
    packages: tuple[str, ...]  # binary package names as the target's tool writes them
    provides: tuple[str, ...]  # other names those packages answer to (Provides, aliases)
    build_requires: tuple[str, ...]  # dependency names only, versions dropped
    requires: tuple[str, ...] = ()  # run-time Requires, and the ABIs the build ties it to

    @property
    def label(self) -> str:
        return self.name


@dataclass(frozen=True, order=True)
class Edge:
    """`spec` needs a package of `needs` to build, because of BuildRequires `via`."""

    spec: int
    needs: int
    via: str
    package: str  # the package of `needs` that answers `via`


@dataclass(frozen=True)
class Graph:
    records: tuple[SpecRecord, ...]
    edges: tuple[Edge, ...]

    def needs(self, index: int) -> set[int]:
        return {e.needs for e in self.edges if e.spec == index}

    def adjacency(self) -> dict[int, set[int]]:
        """spec -> the specs it needs."""
        out: dict[int, set[int]] = {i: set() for i in range(len(self.records))}
        for e in self.edges:
            out[e.spec].add(e.needs)
        return out

    def dependents(self, indexes: Iterable[int]) -> set[int]:
        """Every spec that needs one of `indexes`, directly or through others (not themselves)."""
        users: dict[int, set[int]] = {i: set() for i in range(len(self.records))}
        for e in self.edges:
            users[e.needs].add(e.spec)
        start = set(indexes)
        seen: set[int] = set()
        todo = list(start)
        while todo:
            for user in users[todo.pop()]:
                if user not in seen:
                    seen.add(user)
                    todo.append(user)
        return seen - start


def provider_map(records: Iterable[SpecRecord]) -> dict[str, list[tuple[int, str]]]:
    """name -> [(spec index, package)] for every package name and everything it provides."""
    out: dict[str, list[tuple[int, str]]] = {}
    for i, rec in enumerate(records):
        main = rec.packages[0] if rec.packages else rec.name
        for pkg in rec.packages:
            out.setdefault(pkg, []).append((i, pkg))
        for name in rec.provides:
            entry = (i, _owner(name, rec.packages, main))
            if entry not in out.setdefault(_base(name), []):
                out[_base(name)].append(entry)
    return out


def build_graph(records: Iterable[SpecRecord]) -> Graph:
    """Edges from each BuildRequires to the specs whose packages provide it (never to itself)."""
    recs = tuple(records)
    providers = provider_map(recs)
    edges: set[Edge] = set()
    for i, rec in enumerate(recs):
        for dep in rec.build_requires:
            for j, pkg in providers.get(dep, ()):
                if j != i:
                    edges.add(Edge(i, j, dep, pkg))
    return Graph(recs, tuple(sorted(edges)))


# a provide may be given as "name=package": `name` is answered by that package of the spec
def _base(name: str) -> str:
    return name.split("=", 1)[0]


def _owner(name: str, packages: tuple[str, ...], main: str) -> str:
    _, _, pkg = name.partition("=")
    return pkg if pkg in packages else main
