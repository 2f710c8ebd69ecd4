"""`specport images`: the user's images (images/<name>/), built from the published repository.

specport images list [NAME...]                the images per target, their released build
specport images build [NAME...] [--force]     build (when the key changed), test, promote
specport images test NAME...                  smoke test + tests/ against the newest build
specport images affected [--since ID]         images a publish changed a package of, and why
specport images rebuild [--since ID]          rebuild those parents first, test, promote
specport images promote NAME...               move the release tags to the tested build

(The images targets build in are `specport builders`.)
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from specport import log
from specport.app import App, pass_app
from specport.appimages import api
from specport.appimages.build import Outcome
from specport.errors import BuildError


def register(group: click.Group) -> None:
    group.add_command(images)


def where_options(func: click.decorators.FC) -> click.decorators.FC:
    options = [
        click.option(
            "--images",
            "images_dir",
            type=click.Path(file_okay=False, path_type=Path),
            default=None,
            help="The images tree (default: setting images_dir, ./images).",
        ),
        click.option(
            "--repo",
            type=click.Path(file_okay=False, path_type=Path),
            default=None,
            help="The published repository's directory (default: setting repo_dir).",
        ),
        click.option("--target", "-t", "expression", default=None, help="Only these targets."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _where(
    images_dir: Path | None, repo: Path | None, expression: str | None, names: tuple[str, ...]
) -> api.Where:
    return api.Where(images_dir=images_dir, repo=repo, targets=expression, names=names)


@click.group()
def images() -> None:
    """The user's images: built from the published repository, rebuilt when it changes."""


@images.command("list")
@click.argument("names", nargs=-1)
@where_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def list_command(
    app: App,
    names: tuple[str, ...],
    images_dir: Path | None,
    repo: Path | None,
    expression: str | None,
    as_json: bool,
) -> None:
    """List the images per target with their released build."""
    rows = api.list_images(app.config, _where(images_dir, repo, expression, names))
    if as_json:
        click.echo(json.dumps([r.to_json() for r in rows], indent=1))
        return
    for r in rows:
        state = r.digest[:19] if r.digest else "not built"
        extra = f"\tlast build: {r.last}" if r.last else ""
        click.echo(f"{r.image}\t{r.target}\t{r.smoke}\t{state}\t{', '.join(r.tags)}{extra}")


@images.command("build")
@click.argument("names", nargs=-1)
@where_options
@click.option("--force", is_flag=True, help="Build even when the key is unchanged.")
@click.option("--no-promote", is_flag=True, help="Build and test; leave the release tags.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def build_command(
    app: App,
    names: tuple[str, ...],
    images_dir: Path | None,
    repo: Path | None,
    expression: str | None,
    force: bool,
    no_promote: bool,
    as_json: bool,
) -> None:
    """Build the images (all, or NAMES and the parents they need), parents first.

    An image whose key (context, parent, packages from the repository) is unchanged is not
    built. A built image is smoke-tested and promoted by digest when its tests pass.
    """
    outcomes = api.build(
        app.config, _where(images_dir, repo, expression, names), force=force, promote=not no_promote
    )
    _print_outcomes(outcomes, as_json)


@images.command("test")
@click.argument("names", nargs=-1, required=True)
@where_options
@pass_app
def test_command(
    app: App,
    names: tuple[str, ...],
    images_dir: Path | None,
    repo: Path | None,
    expression: str | None,
) -> None:
    """Smoke-test each image's newest build and run its tests/ against it."""
    failed = 0
    for report in api.check(app.config, _where(images_dir, repo, expression, names)):
        for line in report.passed:
            click.echo(f"{report.unit.label}\tok\t{line}")
        if report.failure:
            failed += 1
            click.echo(f"{report.unit.label}\tFAILED\t{report.failure}")
    if failed:
        raise click.exceptions.Exit(1)


@images.command("affected")
@where_options
@click.option("--since", default=None, metavar="ID", help="From this publish on (default: new).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def affected_command(
    app: App,
    images_dir: Path | None,
    repo: Path | None,
    expression: str | None,
    since: str | None,
    as_json: bool,
) -> None:
    """Images whose released build holds a package a publish changed, and their children."""
    found = api.affected(app.config, _where(images_dir, repo, expression, ()), since)
    if as_json:
        click.echo(json.dumps([a.to_json() for a in found], indent=1))
        return
    if not found:
        log.info("no image is affected")
    for a in found:
        click.echo(f"{a.unit.image.name}\t{a.unit.target.name}\t{'; '.join(a.reasons)}")


@images.command("rebuild")
@where_options
@click.option("--since", default=None, metavar="ID", help="From this publish on (default: new).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def rebuild_command(
    app: App,
    images_dir: Path | None,
    repo: Path | None,
    expression: str | None,
    since: str | None,
    as_json: bool,
) -> None:
    """Rebuild the affected images parents first, test them, promote what passed."""
    print_rebuild(api.rebuild(app.config, _where(images_dir, repo, expression, ()), since), as_json)


def print_rebuild(report: api.RebuildReport, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=1))
    else:
        for line in report.lines():
            click.echo(line)
    if not report.ok:
        raise BuildError(report.failed_line())


def _print_outcomes(outcomes: list[Outcome], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps([o.to_json() for o in outcomes], indent=1))
    else:
        for o in outcomes:
            click.echo(o.line())
    failed = [o.unit.label for o in outcomes if not o.ok]
    if failed:
        raise BuildError(f"{', '.join(failed)} not promoted (release tags not moved)")


@images.command("promote")
@click.argument("names", nargs=-1, required=True)
@where_options
@pass_app
def promote_command(
    app: App,
    names: tuple[str, ...],
    images_dir: Path | None,
    repo: Path | None,
    expression: str | None,
) -> None:
    """Move the release tags of NAMES to their newest build's digest (tests must have passed)."""
    _print_outcomes(api.promote(app.config, _where(images_dir, repo, expression, names)), False)
