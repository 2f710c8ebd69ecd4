"""`specport rebase`: a spec onto a new upstream version; with --check, old and new compared."""

from __future__ import annotations

from pathlib import Path

import click

from specport.app import App, pass_app
from specport.commands.options import source_search
from specport.errors import UsageError
from specport.forks import api
from specport.forks.api import RebaseCheck


def register(group: click.Group) -> None:
    group.add_command(rebase)


@click.command()
@click.argument("spec", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--version", "version", required=True, help="The new upstream version.")
@click.option(
    "--source",
    default="",
    help="The new upstream tarball, file or URL (default: Source0's file name with the new "
    "version, next to the spec).",
)
@click.option(
    "--patch",
    "replace",
    multiple=True,
    metavar="NAME=FILE",
    help="Use FILE as patch NAME refreshed for the new version (repeatable).",
)
@click.option(
    "--drop", multiple=True, metavar="NAME", help="Drop patch NAME from the spec (repeatable)."
)
@click.option("--dry-run", is_flag=True, help="Report what would happen; write nothing.")
@click.option(
    "--check",
    "check_targets",
    default=None,
    help="Then build old and new for these targets and compare the packages.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("rebase-check"),
    show_default=True,
    help="--check: builds go to OUTPUT/old and OUTPUT/new, the report to OUTPUT/report.{txt,json}.",
)
@click.option("--json", "as_json", is_flag=True, help="--check: print the report as JSON.")
@click.option(
    "--lookaside",
    default=None,
    help="--check: where the `sources` file's tarballs are (DIR or URL template).",
)
@click.option("--image", default=None, hidden=True, help="--check: build in this image.")
@pass_app
def rebase(
    app: App,
    spec: Path,
    version: str,
    source: str,
    replace: tuple[str, ...],
    drop: tuple[str, ...],
    dry_run: bool,
    check_targets: str | None,
    output: Path,
    as_json: bool,
    lookaside: str | None,
    image: str | None,
) -> None:
    """Rebase SPEC onto the upstream --version: Version, Release, %changelog, sources, patches.

    The spec is edited as text (rpm never parses it on this host). Patches upstream merged are
    dropped; a patch that no longer applies stops the rebase before anything is written."""
    if not spec.is_file():
        raise UsageError(f"spec file {spec} does not exist")
    targets = app.select(check_targets) if check_targets else []
    check = RebaseCheck(targets, output, as_json, image) if targets else None
    api.rebase(
        app.config,
        spec,
        version,
        source,
        source_search(app, lookaside),
        replace=replace,
        drop=drop,
        dry_run=dry_run,
        check=check,
        say=click.echo,
    )
