"""`specport targets`: list targets, show one with where each value came from."""

from __future__ import annotations

import json

import click
from rich.table import Table
from rich.text import Text

from specport import log
from specport.app import App, pass_app
from specport.errors import UsageError
from specport.targets import select_targets
from specport.targets.model import FIELDS, Target


def register(group: click.Group) -> None:
    group.add_command(targets)


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of targets.")
@click.option(
    "--target", "-t", "expression", default=None, help="Only these (names, globs, comma list)."
)
@click.pass_context
def targets(ctx: click.Context, as_json: bool, expression: str | None) -> None:
    """List the build targets (built-in and from specport.toml)."""
    if ctx.invoked_subcommand is not None:
        return
    config = ctx.ensure_object(App).config
    chosen = (
        select_targets(config.targets, expression) if expression else list(config.targets.values())
    )
    if as_json:
        click.echo(json.dumps([t.as_dict() for t in chosen], indent=2))
        return
    table = Table(box=None, pad_edge=False)
    for col in ("name", "family", "image", "builder", "dist", "php", "streams"):
        table.add_column(col)
    for t in chosen:
        # Text cells: values from a user's specport.toml are shown, never parsed as markup
        cells = (t.name, t.family, t.image, t.builder, t.dist, t.php_version)
        table.add_row(*map(Text, cells), Text(",".join(t.module_streams) or "-"))
    log.out_console.print(table)


@targets.command("show")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print the resolved target as JSON.")
@pass_app
def show(app: App, name: str, as_json: bool) -> None:
    """Print every resolved field of target NAME and where it came from."""
    config = app.config
    if name not in config.targets:
        select_targets(config.targets, name)  # raises with suggestions
        raise UsageError(f"unknown target {name!r}")
    target = config.targets[name]
    if as_json:
        data = target.as_dict()
        data["origin"] = dict(target.origin)
        click.echo(json.dumps(data, indent=2))
        return
    _print_target(target)


def _print_target(target: Target) -> None:
    table = Table(box=None, pad_edge=False, show_header=True)
    table.add_column("field")
    table.add_column("value")
    table.add_column("from", style="dim")
    for key in FIELDS:
        value = getattr(target, key)
        if key == "macros":
            if not value:
                table.add_row(key, "-", Text(target.origin.get(key, "default")))
            for macro, text in sorted(value.items()):
                origin = target.origin.get(f"macros.{macro}", "?")
                table.add_row(Text(f"macros.{macro}"), Text(text), Text(origin))
            continue
        if isinstance(value, tuple):
            shown = ", ".join(value) or "-"
        elif isinstance(value, bool):
            shown = "yes" if value else "no"
        else:
            shown = str(value) or "-"
        table.add_row(key, Text(shown), Text(target.origin.get(key, "default")))
    log.out_console.print(table)
