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
from pathlib import Path
from typing import Any

import click

from specport.app import App, pass_app
from specport.building import rebuild as rebuild_api
from specport.commands.options import run_options, run_request
from specport.errors import UsageError
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
    check_environment()  # the spec sandbox's settings, before any work
    targets = app.select(expression)
    run = run_request(kw)
    choice = rebuild_api.choose(
        app.config, list(specs), targets, run, name=name, changed_spec=changed_spec
    )
    _print(choice.chosen, choice.what, as_json)
    if list_only:
        return
    rebuild_api.rebuild(app.config, choice, targets, run, suffix=suffix, reason=reason)


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
