"""Before any container starts: can each pair's build dependencies be installed together?

The translated BuildRequires of every pair (versions included) go to libsolv with the target's
cached index (specport/index/solver.py); names the spec set builds itself are left out, since
they are not in any archive yet. Every pair that fails is named in one DependencyError.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from specport import log
from specport.build.prepare import Prepared
from specport.config import Settings
from specport.errors import DependencyError
from specport.families import family_of
from specport.index import solver
from specport.spec.resolver import BuiltHere, Resolver, debian_name

_NAME_RE = re.compile(r"^\(?\s*([^\s()<>=]+)")


def check_installable(
    prepared: list[Prepared], resolvers: Mapping[str, Resolver], settings: Settings, mode: str
) -> None:
    """DependencyError naming each pair whose BuildRequires the target cannot install."""
    if mode == "off":
        log.info("installability of build dependencies not checked: the package index is off")
        return
    pools: dict[str, tuple[Any, list[str]] | None] = {}
    failures = []
    for p in prepared:
        target = p.pair.target
        if target.name not in pools:
            pools[target.name] = family_of(target).solver_pool(
                target, settings, offline=mode == "offline"
            )
            if pools[target.name] is None:
                log.info(f"{target.name}: no package index configured; installability not checked")
        found = pools[target.name]
        if found is None:
            continue
        pool, always = found
        built = built_names(resolvers.get(target.name))
        wanted = [br for br in p.info.build_requires if not _is_built(br, built)]
        verdict = solver.check(pool, wanted, always)
        problems = [f"missing {m}" for m in verdict.missing] + list(verdict.conflicts)
        if problems:
            failures.append(f"{p.pair.label}: {'; '.join(problems)}")
        else:
            log.info(f"{p.pair.label}: {len(wanted)} build dependencies installable together")
    if failures:
        raise DependencyError(
            "build dependencies cannot be installed: " + " | ".join(failures),
            hint="fix the BuildRequires, or run `specport index update` if the index is old",
        )


def built_names(resolver: Resolver | None) -> set[str]:
    """Names the spec set builds (packages and Provides), as specs and as Debian spell them."""
    if not isinstance(resolver, BuiltHere):
        return set()
    names = set(resolver.built) | {package for package, _ in resolver.built.values()}
    return names | {debian_name(n) for n in names}


def _is_built(requirement: str, built: set[str]) -> bool:
    m = _NAME_RE.match(requirement)
    return m is not None and m.group(1) in built
