"""`specport matrix`: the spec x target pairs as a CI matrix, for when one machine is not enough.

Each CI job then runs `specport build --target <target> <spec>` for its own pair. With --waves
the pairs come in the build order of the set (`specport graph`), as JSON parts under GitHub's
matrix limit; the workflow that runs a set in waves is `specport ci workflow` (specport/ci/).
--nocheck and --with/--without NAME go into each job's build command (and, without --waves,
into each row as `build_flags`); the waves are ordered with the branches they select.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import click

from specport import log
from specport.app import App, pass_app
from specport.ci.plan import wave_json
from specport.ci.workflow import GITHUB_MAX
from specport.commands.options import bcond_options, bconds_of, index_options
from specport.errors import UsageError
from specport.graph import api
from specport.normalize.model import Bconds
from specport.targets import Target


def register(group: click.Group) -> None:
    group.add_command(matrix)


@click.command()
@click.argument("specs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--target", "-t", "expression", required=True, help="Targets (names, globs, list).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["github", "gitlab", "json"]),
    default="github",
    show_default=True,
    help="github: {include: [...]} for strategy.matrix; gitlab: parallel:matrix YAML; "
    "json: a plain array.",
)
@click.option(
    "--waves",
    is_flag=True,
    help="With --format json: the pairs in the set's build order, each wave in parts under "
    "GitHub's matrix limit (the workflow that runs them: `specport ci workflow`).",
)
@index_options
@click.option("--nocheck", is_flag=True, help="Jobs build without running %check.")
@bcond_options
@pass_app
def matrix(
    app: App,
    specs: tuple[Path, ...],
    expression: str,
    fmt: str,
    waves: bool,
    offline: bool,
    no_index: bool,
    nocheck: bool,
    bcond_with: tuple[str, ...],
    bcond_without: tuple[str, ...],
) -> None:
    """Print the build pairs of SPECS x --target as a CI job matrix."""
    bconds = bconds_of(bcond_with, bcond_without)
    flags = [*(["--nocheck"] if nocheck else []), *bconds.args()]
    for spec in specs:
        if not spec.is_file():
            raise UsageError(f"spec file {spec} does not exist")
    targets = app.select(expression)
    if waves:
        if fmt != "json":
            raise UsageError(
                "matrix --waves prints the waves as JSON (--format json)",
                f"the workflow that builds a set in waves: specport ci workflow --format {fmt}",
            )
        _waves(app, specs, targets, bconds, offline=offline, no_index=no_index)
        return
    rows = [_row(spec, t, flags) for spec in specs for t in targets]
    if fmt == "github":
        click.echo(json.dumps({"include": rows}))
    elif fmt == "json":
        click.echo(json.dumps(rows, indent=2))
    else:
        # GitLab's parallel:matrix takes lists per variable; one entry per pair keeps it exact
        click.echo("parallel:\n  matrix:")
        for row in rows:
            click.echo(f"    - SPEC: {json.dumps(row['spec'])}\n      TARGET: {row['target']}")


def _row(spec: Path | str, t: Target, flags: list[str] | None = None) -> dict[str, str]:
    row = {
        "spec": str(spec),
        "name": Path(spec).stem,
        "target": t.name,
        "family": t.family,
        "image": t.image,
        "builder": t.builder,
    }
    if flags:
        row["build_flags"] = shlex.join(flags)
    return row


def _waves(
    app: App,
    specs: tuple[Path, ...],
    targets: list[Target],
    bconds: Bconds,
    *,
    offline: bool,
    no_index: bool,
) -> None:
    texts = api.read_specs(specs)
    by_wave: list[list[dict[str, str]]] = []
    graphs = api.graphs_for(
        app.config, texts, targets, offline=offline, no_index=no_index, bconds=bconds
    )
    for t, tg in zip(targets, graphs, strict=True):
        for c in tg.cycles:
            log.warn(f"{t.name}: build cycle {tg.cycle_text(c)}")
        for w, members in enumerate(tg.waves):
            while len(by_wave) <= w:
                by_wave.append([])
            by_wave[w].extend(_row(texts[i][0], t) for i in members)
    click.echo(json.dumps(wave_json(by_wave, GITHUB_MAX), indent=2))
