"""`specport rebuild`: rebuild what a change reaches, in order, across rpm and deb targets.

`--whatrequires NAME` (a capability such as `php(api)`, a Debian virtual such as
`phpapi-20220829`, a library or package name) or `--changed SPEC` picks, per target, the specs
of the set that depend on it (graph/select.py), and with `--with-packages DIR` also those whose
packages built before require it (their Depends/Requires). They build in one run, wave by wave,
each with the packages built before it. A target's PHP moving to a new API is such a change:
`--whatrequires php(api)` lists and rebuilds every PHP extension of the target, and
`--whatrequires phpapi-20220829 --with-packages dist/` exactly those built against the old API.

The rebuilt specs get a release bump and a %changelog entry in place, as rpmdev-bumpspec does
(commit them), unless --suffix is given: then the spec files stay as they are and the packages
build with `.<suffix>` before the dist tag of Release.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from specport import log
from specport.app import App, pass_app
from specport.building import reproducible
from specport.building.localrepo import requirements_of, seeded
from specport.building.plan import Pair
from specport.commands.bcondopts import bconds_of
from specport.commands.build import execute, make_options, raise_failures, run_options, set_specs
from specport.commands.graph import graphs_for, read_specs
from specport.errors import UsageError
from specport.graph.bump import bump_spec
from specport.graph.select import changed, what_requires
from specport.graph.sets import TargetGraph
from specport.sandbox.jobs import check_environment


def register(group: click.Group) -> None:
    group.add_command(rebuild)


@click.command()
@click.argument("specs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--target", "-t", "expression", required=True, help="Targets (names, globs, list).")
@click.option("--whatrequires", "name", default=None, help="Rebuild what depends on NAME.")
@click.option(
    "--changed",
    "changed_spec",
    type=click.Path(path_type=Path),
    default=None,
    help="SPEC changed: build it, then rebuild what depends on it.",
)
@click.option("--list", "list_only", is_flag=True, help="Print what would be rebuilt; build none.")
@click.option("--json", "as_json", is_flag=True, help="With --list: JSON instead of text.")
@click.option(
    "--suffix",
    default=None,
    help="Do not edit the specs: build with Release `N.<SUFFIX>%{?dist}` instead of a bump.",
)
@click.option("--reason", default=None, help="The %changelog line of the bump.")
@run_options
@pass_app
def rebuild(
    app: App,
    /,
    specs: tuple[Path, ...],
    expression: str,
    name: str | None,
    changed_spec: Path | None,
    list_only: bool,
    as_json: bool,
    suffix: str | None,
    reason: str | None,
    **kw: Any,
) -> None:
    """Rebuild the specs of the set SPECS that depend on --whatrequires NAME or --changed SPEC.

    They build in dependency order, for every --target in one run; each gets a release bump and
    a %changelog entry (in the spec file, as rpmdev-bumpspec) or, with --suffix, a suffixed
    release without touching the file.
    """
    if (name is None) == (changed_spec is None):
        raise UsageError("give exactly one of --whatrequires NAME and --changed SPEC")
    paths = [s.resolve() for s in specs]
    if changed_spec is not None and changed_spec.resolve() not in paths:
        paths.append(changed_spec.resolve())
    check_environment()  # the spec sandbox's settings, before any work
    targets = app.select(expression)
    texts = read_specs(paths)
    chosen: list[tuple[TargetGraph, list[int]]] = []
    seeds = tuple(Path(d) for d in kw["with_packages"])
    bconds = bconds_of(kw["bcond_with"], kw["bcond_without"])
    graphs = graphs_for(
        app, texts, targets, offline=kw["offline"], no_index=kw["no_index"], bconds=bconds
    )
    for target, tg in zip(targets, graphs, strict=True):
        if name is not None:
            # what was built before also counts: built against a PHP API the target left
            built = requirements_of(seeded(seeds, target)) if seeds else None
            picked = what_requires(tg, name, built)
        else:
            assert changed_spec is not None
            picked = changed(tg, paths.index(changed_spec.resolve()))
        chosen.append((tg, picked))
    what = name if name is not None else f"changed {changed_spec}"
    _print(chosen, what, as_json)
    if list_only:
        return
    pairs = [Pair(paths[i], tg.target) for tg, picked in chosen for i in picked]
    if not pairs:
        log.info(f"nothing in the set depends on {what}")
        return
    options = make_options(app, paths, kw, targets, paths)
    if suffix is None:
        keep = changed_spec.resolve() if changed_spec is not None else None
        _bump({p.spec for p in pairs} - {keep}, reason or f"Rebuilt for {what}", app)
    # the rest of the set still names the packages the rebuilt specs need (--with-packages)
    rebuilt = {p.spec for p in pairs}
    others = [p for p in paths if p not in rebuilt] + set_specs(kw, paths)
    results = execute(app, pairs, options, ordered=True, release_suffix=suffix or "", others=others)
    raise_failures(results)


def _bump(specs: set[Path], reason: str, app: App) -> None:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    now = reproducible.epoch_date(epoch) or datetime.now(UTC)
    for spec in sorted(specs):
        done = bump_spec(
            spec.read_text(encoding="utf-8"),
            reason,
            app.config.settings.maintainer,
            now.strftime("%a %b %d %Y"),
        )
        spec.write_text(done.text, encoding="utf-8")
        log.info(f"{spec.name}: {done.evr} ({'; '.join(done.notes) or 'no change'})")


def _print(chosen: list[tuple[TargetGraph, list[int]]], what: str, as_json: bool) -> None:
    if as_json:
        doc = {
            "whatrequires": what,
            "targets": [
                {
                    "target": tg.target.name,
                    "rebuild": [
                        {"name": tg.label(i), "spec": tg.records[i].spec, "wave": _wave(tg, i)}
                        for i in picked
                    ],
                }
                for tg, picked in chosen
            ],
        }
        click.echo(json.dumps(doc, indent=2))
        return
    for tg, picked in chosen:
        click.echo(f"{tg.target.name}: {len(picked)} specs depend on {what}")
        for i in picked:
            click.echo(f"  wave {_wave(tg, i)}: {tg.label(i)}")


def _wave(tg: TargetGraph, index: int) -> int:
    return next(w for w, members in enumerate(tg.waves, start=1) if index in members)
