"""`specport index update|list`: the package indexes targets are resolved against (deb: the
bootstrap's mirror; rpm: the rpm-md repositories of rpm_repos)."""

from __future__ import annotations

import time

import click
from rich.table import Table

from specport import log
from specport.app import App, pass_app
from specport.index import store, stores


def register(group: click.Group) -> None:
    group.add_command(index_group)


@click.group("index")
def index_group() -> None:
    """Package indexes of targets (deb: Packages, Sources, Contents; rpm: rpm-md), verified and
    cached."""


@index_group.command("update")
@click.option(
    "--target", "-t", "expression", default="*", help="Targets: names, globs, comma list."
)
@pass_app
def update_command(app: App, expression: str) -> None:
    """Fetch and verify each target's index, and rebuild its derived cache."""

    for target in app.select(expression):
        if not stores.indexed(target):
            log.info(f"{target.name}: skipped (no rpm-md repository configured: rpm_repos)")
            continue
        stores.update(target, app.config.settings)


@index_group.command("list")
@pass_app
def list_command(app: App) -> None:
    """Each indexed target's cached index: age, size on disk, package count."""

    table = Table(box=None, pad_edge=False)
    for col in ("target", "age", "size", "packages"):
        table.add_column(col)
    now = time.time()
    for target in app.config.targets.values():
        if not stores.indexed(target):
            continue
        info = store.info(target, app.config.settings)
        if info.made is None:
            table.add_row(target.name, "not cached", "-", "-")
            continue
        table.add_row(
            target.name, _age(now - info.made), f"{info.size / 1e6:.0f} MB", str(info.packages)
        )
    log.out_console.print(table)


def _age(seconds: float) -> str:
    if seconds < 3600:
        return f"{int(seconds // 60)} min"
    if seconds < 2 * 86400:
        return f"{int(seconds // 3600)} h"
    return f"{int(seconds // 86400)} days"
