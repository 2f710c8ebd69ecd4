"""Which specs of a set a change reaches: `--whatrequires NAME` and `--changed SPEC`.

A spec requires NAME when one of its BuildRequires or Requires is NAME (or, for a library name,
NAME-devel, NAME-dev or pkgconfig(NAME)); when NAME is a package (or Provides) of a spec of the
set, the specs that need that spec require it. Records also list the PHP ABI a PHP extension is
built against (`php(api)`, `php(zend-abi)`, `phpapi-<API>`), so a target's PHP change reaches
every extension built for the old one. The result is everything that requires NAME plus
everything that needs those, through the graph.
"""

from __future__ import annotations

from specport.graph.model import SpecRecord
from specport.graph.sets import TargetGraph


def requires_name(record: SpecRecord, name: str) -> bool:
    wanted = {name, f"{name}-devel", f"{name}-dev", f"pkgconfig({name})"}
    return any(r in wanted for r in (*record.build_requires, *record.requires))


def provides_name(record: SpecRecord, name: str) -> bool:
    return name in record.packages or any(p.split("=", 1)[0] == name for p in record.provides)


def what_requires(
    tg: TargetGraph, name: str, built: dict[str, set[str]] | None = None
) -> list[int]:
    """The specs to rebuild for a change of NAME, in build order (wave by wave).

    `built`: package name -> what the package built earlier requires (its metadata); a spec
    whose packages required NAME is picked even when the target has moved on (a new PHP API)."""
    records = tg.records
    providers = {i for i, r in enumerate(records) if provides_name(r, name)}
    direct = {i for i, r in enumerate(records) if requires_name(r, name)}
    if built:
        direct |= {
            i for i, r in enumerate(records) if any(name in built.get(p, ()) for p in r.packages)
        }
    direct -= providers
    chosen = direct | tg.graph.dependents(direct | providers)
    return _ordered(tg, chosen - providers)


def changed(tg: TargetGraph, index: int) -> list[int]:
    """The changed spec first, then everything that needs it, in build order."""
    return _ordered(tg, {index} | tg.graph.dependents({index}))


def _ordered(tg: TargetGraph, chosen: set[int]) -> list[int]:
    return [i for wave in tg.waves for i in wave if i in chosen]
