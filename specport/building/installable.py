"""Before any container starts: can each pair's build dependencies be installed together?

The translated BuildRequires of every pair (versions included) go to libsolv with the target's
cached index (specport/index/solver.py); names the spec set builds itself are left out, since
they are not in any archive yet. Every pair that fails is named in one DependencyError.
"""

from __future__ import annotations

import re
from typing import Any

from specport import log
from specport.building import localrepo
from specport.building.plan import BuildOptions
from specport.building.prepare import Prepared
from specport.config import Settings
from specport.errors import DependencyError
from specport.index import solver, stores
from specport.index.resolvers import reads_index
from specport.normalize.resolver import BuiltHere, Resolver, UserRules, debian_name

_NAME_RE = re.compile(r"^\(?\s*([^\s()<>=]+)")


def check_installable(prepared: list[Prepared], options: BuildOptions, settings: Settings) -> None:
    """DependencyError naming each pair whose BuildRequires the target cannot install.

    Targets whose resolver reads no package index (--no-index, an rpm target without
    rpm_repos) are skipped with a log line. Packages of earlier waves (--with-packages) join
    the pool as the package files they are."""
    pools: dict[str, tuple[Any, list[str]] | None] = {}
    failures = []
    for p in prepared:
        target = p.pair.target
        resolver = options.resolvers.get(target.name)
        if target.name not in pools:
            pools[target.name] = None
            if not reads_index(resolver):
                log.info(f"{target.name}: installability of build dependencies not checked:"
                         " no package index (--no-index, or no rpm_repos)")  # fmt: skip
            else:
                # make_resolvers fetched or loaded the index already: the cache is there
                seeded = localrepo.seeded(options.with_packages, target)
                found = stores.solver_pool(target, settings, offline=True, packages=seeded)
                pools[target.name] = found
        found = pools[target.name]
        if found is None:
            continue
        pool, always = found
        built = built_names(resolver)
        wanted = [br for br in p.info.build_requires if not _is_built(br, built)]
        verdict = solver.check(pool, wanted, always)
        problems = [f"missing {m}" for m in verdict.missing] + list(verdict.conflicts)
        if problems:
            failures.append(f"{p.pair.label}: {'; '.join(problems)}")
        else:
            noun = "build dependency" if len(wanted) == 1 else "build dependencies"
            log.info(f"{p.pair.label}: {len(wanted)} {noun} installable together")
    if failures:
        raise DependencyError(
            "build dependencies cannot be installed: " + " | ".join(failures),
            hint="fix the BuildRequires, or run `specport index update` if the index is old",
        )


def built_names(resolver: Resolver | None) -> set[str]:
    """Names the spec set builds (packages, Provides, .pc files, paths), as specs and as Debian
    spell them."""
    while isinstance(resolver, UserRules):
        resolver = resolver.inner
    if not isinstance(resolver, BuiltHere):
        return set()
    names = set(resolver.built) | {package for package, _ in resolver.built.values()}
    return names | {debian_name(n) for n in names}


def _is_built(requirement: str, built: set[str]) -> bool:
    m = _NAME_RE.match(requirement)
    return m is not None and m.group(1) in built
