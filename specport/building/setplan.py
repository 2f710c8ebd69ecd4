"""The order of a set of prepared pairs, and rebuilds' release suffixes: host-side steps
between preparing the pairs (prepare.py) and building them (run.py)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from specport.building.plan import SetPlan
from specport.building.prepare import Prepared
from specport.errors import BuildError
from specport.graph.records import read_record, record_from_spec
from specport.graph.setnames import (
    point_at_set,
    rename_requirement,
    renames,
    requires_renames,
)
from specport.graph.sets import target_graph
from specport.normalize.edit import add_release_suffix
from specport.normalize.model import Bconds
from specport.targets.families import facts_of


def set_plan(
    prepared: list[Prepared], others: list[Path] | None = None, bconds: Bconds | None = None
) -> SetPlan:
    """The order of the prepared pairs, per target, from the graph of their normalized specs.

    BuildRequires that name a package of the set under the target's name for it are pointed at
    the set's package (graph/setnames.py), in the spec and in the info apt/dnf install from.
    `others` are specs of the set built elsewhere (earlier CI waves): they give names, not order.
    A cycle fails here, before any container starts. `bconds`: the build's --with/--without,
    which decide the branches (and so the BuildRequires) of each spec."""

    needs: list[frozenset[int]] = [frozenset() for _ in prepared]
    wave = [1 for _ in prepared]
    by_target: dict[str, list[int]] = {}
    for i, prep in enumerate(prepared):
        by_target.setdefault(prep.pair.target.name, []).append(i)
    for indexes in by_target.values():
        target = prepared[indexes[0]].pair.target
        records = []
        for i in indexes:
            prep = prepared[i]
            records.append(
                read_record(
                    str(prep.pair.spec),
                    (prep.work / "top" / "SPECS" / prep.spec_name).read_text(encoding="utf-8"),
                    target,
                    original=prep.pair.spec.read_text(encoding="utf-8"),
                    bconds=bconds,
                )
            )
        records += [
            record_from_spec(str(o), o.read_text(encoding="utf-8"), target, bconds=bconds)
            for o in others or []
        ]
        tg = target_graph(records, target)
        if tg.cycles:
            raise BuildError(
                f"{target.name}: build cycle: " + " | ".join(tg.cycle_text(c) for c in tg.cycles),
                hint="build one side without the other first (bootstrap), then the whole set",
            )
        built_waves = [[m for m in members if m < len(indexes)] for members in tg.waves]
        for w, members in enumerate([m for m in built_waves if m], start=1):
            for local in members:
                wave[indexes[local]] = w
        for local, i in enumerate(indexes):
            edges = [e for e in tg.graph.edges if e.spec == local]
            needs[i] = frozenset(indexes[e.needs] for e in edges if e.needs < len(indexes))
            if not facts_of(target).translates_names:
                continue  # no names were translated: rpm and dnf resolve Provides themselves
            names = renames(edges)
            names.update(requires_renames(tg.records, local))
            if not names:
                continue
            prep = prepared[i]
            path = prep.work / "top" / "SPECS" / prep.spec_name
            text, notes = point_at_set(path.read_text(encoding="utf-8"), names)
            path.write_text(text, encoding="utf-8")
            prep.changes.extend(f"set: {n}" for n in notes)
            prep.info = replace(
                prep.info,
                build_requires=tuple(
                    rename_requirement(b, names) for b in prep.info.build_requires
                ),
            )
    return SetPlan(tuple(needs), tuple(wave))


def suffix_releases(prepared: list[Prepared], suffix: str) -> None:
    """Rebuild without editing the specs: `.suffix` before the dist tag of each Release."""

    for prep in prepared:
        path = prep.work / "top" / "SPECS" / prep.spec_name
        path.write_text(add_release_suffix(path.read_text(encoding="utf-8"), suffix), "utf-8")
        prep.changes.append(f"rebuild: release suffix .{suffix}")
