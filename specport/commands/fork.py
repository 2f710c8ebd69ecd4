"""`specport import`, `specport fork status|update`, `specport rebase`: forks of distribution
specs. The work is in specport.forks; specs are edited as text, never parsed by rpm here."""

from __future__ import annotations

import json
from pathlib import Path

import click

from specport import log
from specport.app import App, pass_app
from specport.commands.options import lookaside_option, source_search
from specport.errors import ConflictError
from specport.forks.importer import import_fork
from specport.forks.merge import update_fork
from specport.forks.record import read_record
from specport.forks.status import fork_status, render_status


def register(group: click.Group) -> None:
    group.add_command(import_cmd)
    group.add_command(fork)


@click.command("import")
@click.argument("source")
@click.option(
    "--branch", "-b", default="", help="Branch of the git repository (default: its HEAD)."
)
@click.option(
    "--version",
    "version",
    default="",
    help="The newest commit whose spec has this Version (the spec written for that release; "
    "an older distro's version), not the branch's tip.",
)
@click.option(
    "--into", required=True, type=click.Path(path_type=Path), help="The new fork's directory."
)
@lookaside_option
@pass_app
def import_cmd(
    app: App, source: str, branch: str, version: str, into: Path, lookaside: str | None
) -> None:
    """Import SOURCE (dist-git URL, local clone or .src.rpm) as a fork into --into."""

    done = import_fork(source, into, source_search(app, lookaside), branch, version)
    up = done.upstream
    at = f" branch {up.branch}" if up.branch else ""
    click.echo(f"imported {up.repository}{at} at {up.commit} into {into} (spec {done.spec})")


@click.group()
def fork() -> None:
    """A fork's local changes against its recorded upstream."""


@fork.command("status")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
def status_cmd(directory: Path, as_json: bool) -> None:
    """What the fork in DIRECTORY changed: spec hunks, patches added and removed, other files."""

    status = fork_status(read_record(directory))
    if as_json:
        click.echo(json.dumps(status.as_dict(), indent=2))
    else:
        click.echo(render_status(status))


@fork.command("update")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--from",
    "source",
    default="",
    help="Take the new upstream from here (a newer .src.rpm, another clone) instead of the "
    "recorded repository.",
)
@lookaside_option
@pass_app
def update_cmd(app: App, directory: Path, source: str, lookaside: str | None) -> None:
    """Merge the newer upstream into the fork in DIRECTORY (three-way, file by file)."""

    current = read_record(directory)
    if current.conflicts:
        raise ConflictError(
            f"{directory}: an earlier update left conflicts in {', '.join(current.conflicts)}",
            hint=f"resolve them, then empty `conflicts` in {directory}/specport-fork.toml",
        )
    result = update_fork(current, source_search(app, lookaside), source)
    if result.up_to_date:
        click.echo(f"up to date with {result.new.repository} at {result.new.commit}")
        return
    click.echo(f"upstream {result.old.commit} -> {result.new.commit}")
    for o in result.outcomes:
        click.echo(f"  {'CONFLICT ' if o.conflict else ''}{o.path}: {o.action}")
    if result.conflicts:
        raise ConflictError(
            f"update stopped with conflicts in {', '.join(result.conflicts)}",
            hint="edit the <<<<<<< ======= >>>>>>> blocks (or the .upstream files), then remove "
            f"the names from `conflicts` in {directory}/specport-fork.toml",
        )
    log.info("merged without conflicts")
