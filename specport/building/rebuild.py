"""`rebuild`: what a change reaches, in order, across rpm and deb targets (commands/rebuild.py).

choose() picks, per target, the specs of the set that depend on a capability (--whatrequires)
or on a changed spec (--changed) (graph/select.py), with the packages built before counted
(their Depends/Requires); run() bumps their Release and %changelog in place (rpmdev-bumpspec's
edit) or builds them with a release suffix, and builds them wave by wave in one run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from specport import log
from specport.building import reproducible
from specport.building.api import RunRequest, execute, make_options, raise_failures, set_specs
from specport.building.localrepo import requirements_of, seeded
from specport.building.plan import Pair
from specport.config import Config
from specport.errors import UsageError
from specport.graph import api as graphs
from specport.graph.select import changed, what_requires
from specport.graph.sets import TargetGraph
from specport.normalize.edit import bump_spec
from specport.targets import Target


@dataclass(frozen=True)
class Choice:
    paths: list[Path]  # the set's specs, the changed one included
    what: str  # for messages: the capability, or "changed SPEC"
    chosen: list[tuple[TargetGraph, list[int]]]  # per target, the specs to rebuild
    changed_spec: Path | None

    @property
    def pairs(self) -> list[Pair]:
        return [Pair(self.paths[i], tg.target) for tg, picked in self.chosen for i in picked]


def choose(
    config: Config,
    specs: list[Path],
    targets: list[Target],
    run: RunRequest,
    *,
    name: str | None,
    changed_spec: Path | None,
) -> Choice:
    """Per target, the specs of the set that depend on `name` or on `changed_spec`."""
    if (name is None) == (changed_spec is None):
        raise UsageError("give exactly one of --whatrequires NAME and --changed SPEC")
    paths = [s.resolve() for s in specs]
    if changed_spec is not None and changed_spec.resolve() not in paths:
        paths.append(changed_spec.resolve())
    texts = graphs.read_specs(paths)
    chosen: list[tuple[TargetGraph, list[int]]] = []
    seeds = run.with_packages
    found = graphs.graphs_for(
        config, texts, targets, offline=run.offline, no_index=run.no_index, bconds=run.bconds
    )
    for target, tg in zip(targets, found, strict=True):
        if name is not None:
            # what was built before also counts: built against a PHP API the target left
            built = requirements_of(seeded(seeds, target)) if seeds else None
            picked = what_requires(tg, name, built)
        else:
            assert changed_spec is not None
            picked = changed(tg, paths.index(changed_spec.resolve()))
        chosen.append((tg, picked))
    what = name if name is not None else f"changed {changed_spec}"
    return Choice(paths, what, chosen, changed_spec)


def rebuild(
    config: Config,
    choice: Choice,
    targets: list[Target],
    run: RunRequest,
    *,
    suffix: str | None,
    reason: str | None,
) -> None:
    """Bump (or suffix) and build the chosen specs in one run; BuildError on a failure."""
    pairs = choice.pairs
    if not pairs:
        log.info(f"nothing in the set depends on {choice.what}")
        return
    paths = choice.paths
    options = make_options(config, paths, run, targets, paths)
    if suffix is None:
        keep = choice.changed_spec.resolve() if choice.changed_spec is not None else None
        _bump({p.spec for p in pairs} - {keep}, reason or f"Rebuilt for {choice.what}", config)
    # the rest of the set still names the packages the rebuilt specs need (--with-packages)
    rebuilt = {p.spec for p in pairs}
    others = [p for p in paths if p not in rebuilt] + set_specs(run, paths)
    results = execute(
        config, pairs, options, ordered=True, release_suffix=suffix or "", others=others
    )
    raise_failures(results)


def _bump(specs: set[Path], reason: str, config: Config) -> None:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    now = reproducible.epoch_date(epoch) or datetime.now(UTC)
    for spec in sorted(specs):
        done = bump_spec(
            spec.read_text(encoding="utf-8"),
            reason,
            config.settings.maintainer,
            now.strftime("%a %b %d %Y"),
        )
        spec.write_text(done.text, encoding="utf-8")
        log.info(f"{spec.name}: {done.evr} ({'; '.join(done.notes) or 'no change'})")
