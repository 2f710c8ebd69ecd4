"""The package index of each family, chosen once by the target's family: whether the target has
one, how it is fetched and loaded, the resolver that reads it, the libsolv pool made from it.

deb targets: Packages, Sources and Contents of the bootstrap's mirror (index/store.py); rpm
targets: the rpm-md repositories of `rpm_repos` (index/rpmstore.py), when the user set any.
`obtain` is the one way to the cached index for both.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from specport import log
from specport.config import Settings
from specport.errors import PackageIndexError, SourceError
from specport.index import debian, rpmstore, solver, store
from specport.index.debresolver import IndexResolver
from specport.index.model import Index
from specport.index.rpmresolver import RpmIndexResolver
from specport.normalize.resolver import Resolver, RuleResolver
from specport.targets.model import Target

Pool = tuple[Any, list[str]]  # (libsolv pool, packages every system has)


@dataclass(frozen=True)
class Store:
    what: str  # for messages: "package index", "rpm-md metadata"
    without: str  # what --no-index leaves, for the hint when fetching fails
    indexed: Callable[[Target], bool]  # has the target an index to fetch?
    update: Callable[[Target, Settings], Any]
    load: Callable[[Target, Settings], Index]
    # rebuild the derived index from the verified raw files (None: fetch again instead)
    rederive: Callable[[Target, Settings], Any] | None
    # the resolver for index mode "auto"/"offline" (index) and "off" (None: names stay unread)
    resolver: Callable[[Target, Index], Resolver]
    unindexed: Callable[[Target], Resolver | None]
    pool: Callable[[Target, Settings, Index], Pool]


def _deb_pool(target: Target, settings: Settings, index: Index) -> Pool:
    lists = [(name, raw, raw.name) for raw, name in store.package_lists(target, settings)]
    return solver.deb_pool(lists, target.deb_arch, debian.solv_dir(settings)), list(index.essential)


def _rpm_pool(target: Target, settings: Settings, index: Index) -> Pool:
    with tempfile.TemporaryDirectory(prefix="specport-solv-") as tmp:
        repos = rpmstore.metadata_files(target, settings, Path(tmp))
        return solver.rpm_pool(repos, target.arch), []


def _rpm_streams(pool: Any, target: Target, settings: Settings) -> None:
    # last: libsolv's map of what it considers is as long as the pool when it is set
    solver.apply_module_streams(pool, rpmstore.module_artifacts(target, settings),
                                target.module_streams)  # fmt: skip


STORES: dict[str, Store] = {
    "rpm": Store(
        what="rpm-md metadata",
        without="keep Fedora's names unconfirmed",
        indexed=lambda target: bool(target.rpm_repos),  # EL mirrors are target data
        update=rpmstore.update,
        load=rpmstore.load,
        rederive=None,
        resolver=RpmIndexResolver,
        unindexed=lambda target: None,  # Fedora's names are the target's: nothing to translate
        pool=_rpm_pool,
    ),
    "deb": Store(
        what="package index",
        without="translate with the rule data only",
        indexed=lambda target: True,  # the bootstrap's mirror has Packages, Sources, Contents
        update=store.update,
        load=store.load,
        rederive=store.rederive,
        resolver=IndexResolver,
        unindexed=RuleResolver,
        pool=_deb_pool,
    ),
}

# after the package files are added: what each family does to the finished pool
_FINISH: dict[str, Callable[[Any, Target, Settings], None]] = {
    "rpm": _rpm_streams,
    "deb": lambda pool, target, settings: None,
}


def indexed(target: Target) -> bool:
    return STORES[target.family].indexed(target)


def update(target: Target, settings: Settings) -> None:
    """Fetch, verify and cache the target's package index."""
    STORES[target.family].update(target, settings)


def obtain(target: Target, settings: Settings, *, offline: bool) -> Index:
    """The verified cached index, fetched first when there is none or it is stale (never with
    offline)."""
    s = STORES[target.family]
    if store.cached(target, settings):
        try:
            return s.load(target, settings)
        except store.StaleIndexError:
            if s.rederive is None and offline:
                raise
            if s.rederive is not None:
                log.step(f"{target.name}: rebuilding the cached index for this specport version")
                try:
                    s.rederive(target, settings)
                except PackageIndexError:
                    if offline:
                        raise
                else:
                    return s.load(target, settings)
    elif offline:
        raise PackageIndexError(
            f"--offline: no package index of {target.name} is cached"
            f" in {store.target_dir(target, settings)}",
            f"run `specport index update --target {target.name}` while online",
        )
    log.step(f"{target.name}: fetching its {s.what}")
    try:
        s.update(target, settings)
    except SourceError as exc:
        raise PackageIndexError(
            f"{target.name}: cannot fetch the {s.what}: {exc.message}",
            f"check the network, or pass --no-index to {s.without}",
        ) from None
    return s.load(target, settings)


def resolver(target: Target, settings: Settings, mode: str) -> Resolver | None:
    """The dependency-name resolver of the target for index mode "auto"/"offline"/"off";
    None: names stay as written, unconfirmed."""
    s = STORES[target.family]
    if mode == "off" or not s.indexed(target):
        return s.unindexed(target)
    return s.resolver(target, obtain(target, settings, offline=mode == "offline"))


def solver_pool(
    target: Target, settings: Settings, *, offline: bool, packages: Sequence[Path] = ()
) -> Pool | None:
    """(libsolv pool of the target's cached index and the package files `packages`, packages
    every system has), or None when the target has no package index configured."""
    s = STORES[target.family]
    if not s.indexed(target):
        return None
    index = obtain(target, settings, offline=offline)  # verified, as the resolver's
    pool, always = s.pool(target, settings, index)
    solver.add_package_files(pool, packages)
    _FINISH[target.family](pool, target, settings)
    return pool, always
