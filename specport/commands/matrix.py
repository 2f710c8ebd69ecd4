"""`specport matrix`: the spec x target pairs as a CI matrix, for when one machine is not enough.

Each CI job then runs `specport build --target <target> <spec>` for its own pair. With --waves
the pairs come in the build order of the set (`specport graph`): GitHub Actions gets a workflow
with one job per wave, GitLab CI a pipeline with one stage per wave (graph/ci.py).
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
from specport.commands.options import bcond_options, bconds_of, index_options
from specport.errors import UsageError
from specport.graph import api, ci
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
    "json: a plain array. With --waves: a whole GitHub workflow / GitLab pipeline, or the "
    "waves' parts as JSON.",
)
@click.option(
    "--waves",
    is_flag=True,
    help="Order the pairs in waves: one CI job (or stage) per wave, each needing the one "
    "before, its packages passed on as artifacts; matrices split under the CI's job limit.",
)
@click.option(
    "--setup",
    default=None,
    help="With --waves: the command that installs specport in each job.",
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
    setup: str | None,
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
        _waves(app, specs, targets, fmt, setup, flags, bconds, offline=offline, no_index=no_index)
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
    fmt: str,
    setup: str | None,
    flags: list[str],
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
    names = [label for label, _ in texts]
    how = setup or ci.DEFAULT_SETUP
    if fmt == "github":
        click.echo(ci.to_yaml(ci.github_workflow(by_wave, names, how, flags)), nl=False)
    elif fmt == "gitlab":
        click.echo(ci.to_yaml(ci.gitlab_pipeline(by_wave, names, how, flags)), nl=False)
    else:
        click.echo(json.dumps(ci.wave_json(by_wave, ci.GITHUB_MAX), indent=2))
