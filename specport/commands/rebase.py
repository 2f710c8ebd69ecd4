"""`specport rebase`: a spec onto a new upstream version; with --check, old and new compared."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import click

from specport import log
from specport.app import App, pass_app
from specport.building.sources import SourceSearch
from specport.errors import BuildError, ConflictError, UsageError
from specport.targets import Target

if TYPE_CHECKING:  # the engine module imports the docker SDK: only when a check runs
    from specport.container.engine import Engine


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
    from specport.commands.fork import source_search
    from specport.forks.rebase import (
        RebaseRequest,
        new_workdir,
        plan_rebase,
        render_plan,
        snapshot_old,
        write_rebase,
    )

    if not spec.is_file():
        raise UsageError(f"spec file {spec} does not exist")
    targets = app.select(check_targets) if check_targets else []
    engine = None
    if targets and not dry_run:
        from specport.container.engine import connect

        engine = connect()  # before anything is written: no engine, no rebase half checked
    search = source_search(app, lookaside)
    pairs = []
    for item in replace:
        name, sep, file = item.partition("=")
        if not sep or not name or not Path(file).is_file():
            raise UsageError(f"--patch {item}: expected NAME=FILE with an existing FILE")
        pairs.append((name, Path(file).resolve()))
    request = RebaseRequest(
        spec.resolve(),
        version,
        source,
        app.config.settings.maintainer,
        search,
        replace=tuple(pairs),
        drop=drop,
    )
    work = new_workdir()
    try:
        plan = plan_rebase(request, work)
        click.echo(render_plan(plan))
        if plan.conflicts:
            first = plan.conflicts[0]
            where = "; ".join(
                f"{f.file} hunk #{f.hunk} at line {f.line}" if f.hunk else f"{f.file}: missing"
                for f in first.failures
            )
            names = ", ".join(c.patch.name for c in plan.conflicts)
            raise ConflictError(
                f"{names} no longer appl{'ies' if len(plan.conflicts) == 1 else 'y'} to "
                f"{version}"
                + (f" ({first.patch.name}: {where})" if where else "")
                + "; nothing was written",
                hint="refresh it for the new version and pass --patch NAME=FILE, or --drop NAME",
            )
        if dry_run:
            return
        old_spec = snapshot_old(request.spec, work / "old") if engine is not None else None
        write_rebase(plan)
        dropped = ", ".join(c.patch.name for c in plan.dropped)
        click.echo(
            f"rebased {spec.name} to {version}" + (f"; dropped {dropped}" if dropped else "")
        )
        if engine is not None and old_spec is not None:
            _check(app, engine, old_spec, request.spec, (plan.old_version, version), targets,
                   output, as_json, search, image)  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _check(
    app: App,
    engine: Engine,
    old_spec: Path,
    new_spec: Path,
    versions: tuple[str, str],
    targets: list[Target],
    output: Path,
    as_json: bool,
    search: SourceSearch,
    image: str | None,
) -> None:
    from specport.building.plan import BuildOptions
    from specport.forks.check import build_and_compare, render_report

    settings = app.config.settings
    options = BuildOptions(
        output=output.resolve(), search=search, maintainer=settings.maintainer, image=image
    )
    report = build_and_compare(engine, old_spec, new_spec, versions, targets, options, settings)
    output.mkdir(parents=True, exist_ok=True)
    text = render_report(report)
    data = json.dumps(report.as_dict(), indent=2)
    (output / "report.txt").write_text(text + "\n", encoding="utf-8")
    (output / "report.json").write_text(data + "\n", encoding="utf-8")
    click.echo(data if as_json else text)
    log.info(f"report: {output / 'report.txt'}, {output / 'report.json'}")
    if report.failed:
        raise BuildError(
            f"rebase check: {', '.join(report.failed)} failed", hint=f"logs in {output}"
        )
