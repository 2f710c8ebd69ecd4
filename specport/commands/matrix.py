"""`specport matrix`: the spec x target pairs as a CI matrix, for when one machine is not enough.

Each CI job then runs `specport build --target <target> <spec>` for its own pair.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from specport.app import App, pass_app
from specport.errors import UsageError


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
@pass_app
def matrix(app: App, specs: tuple[Path, ...], expression: str, fmt: str) -> None:
    """Print the build pairs of SPECS x --target as a CI job matrix."""
    for spec in specs:
        if not spec.is_file():
            raise UsageError(f"spec file {spec} does not exist")
    rows = [
        {
            "spec": str(spec),
            "name": spec.stem,
            "target": t.name,
            "family": t.family,
            "image": t.image,
            "builder": t.builder,
        }
        for spec in specs
        for t in app.select(expression)
    ]
    if fmt == "github":
        click.echo(json.dumps({"include": rows}))
    elif fmt == "json":
        click.echo(json.dumps(rows, indent=2))
    else:
        # GitLab's parallel:matrix takes lists per variable; one entry per pair keeps it exact
        click.echo("parallel:\n  matrix:")
        for row in rows:
            click.echo(f"    - SPEC: {json.dumps(row['spec'])}\n      TARGET: {row['target']}")
