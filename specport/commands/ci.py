"""`specport ci`: a CI system (GitHub Actions, GitLab CI) as the engine of a large set.

specport ci workflow SPECS -t TARGETS --format github > .github/workflows/specport.yml
                                      writes the plan (.specport/ci-jobs.json), prints the YAML
specport ci builders                  the set-up job: base and builder images into the registry
specport ci job --wave N --index I    one job: host packages, images, its builds
specport ci publish --packages DIR --repo DIR
                                      the last job: every wave's packages into repositories
specport ci setup                     only the host packages (for hand-written jobs)
"""

from __future__ import annotations

from pathlib import Path

import click

from specport import log
from specport.app import App, pass_app
from specport.ci import api, jobs
from specport.ci.plan import JOBS_FILE
from specport.ci.workflow import Setup
from specport.commands.options import bcond_options, bconds_of


def register(group: click.Group) -> None:
    group.add_command(ci)


@click.group()
def ci() -> None:
    """Run a set of specs as CI jobs: generate the workflow, run its jobs."""


def _jobs_file(func: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--jobs-file",
        type=click.Path(dir_okay=False, path_type=Path),
        envvar="SPECPORT_CI_JOBS_FILE",
        default=Path(JOBS_FILE),
        show_default=True,
        help="The plan `ci workflow` wrote.",
    )(func)


def _no_setup(func: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--no-setup", is_flag=True, help="Do not install missing host packages (apt-get)."
    )(func)


@ci.command("workflow")
@click.argument("specs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--target", "-t", "expression", required=True, help="Targets (names, globs, list).")
@click.option(
    "--format", "fmt", type=click.Choice(["github", "gitlab"]), default="github", show_default=True
)
@click.option(
    "--jobs-file", default=JOBS_FILE, show_default=True, help="Where to write the plan (commit it)."
)
@click.option(
    "--install",
    default=".",
    show_default=True,
    help="What each job installs with pipx: . (this repository), a wheel file, NAME==VERSION.",
)
@click.option(
    "--cache-key",
    default=Setup.cache_key,
    show_default=True,
    help="The public key (in the repository) cache entries must be signed with.",
)
@click.option("--runner", default="", help="GitHub: runs-on (ubuntu-24.04); GitLab: a runner tag.")
@click.option("--image", default=Setup.image, show_default=True, help="GitLab: the jobs' image.")
@click.option("--per-job", default=1, show_default=True, help="Specs of one target per job.")
@click.option("--offline", is_flag=True, help="Use only the cached package indexes.")
@click.option("--no-index", is_flag=True, help="Translate names with the rule data only.")
@click.option("--nocheck", is_flag=True, help="Jobs build without running %check.")
@bcond_options
@pass_app
def workflow(
    app: App,
    specs: tuple[Path, ...],
    expression: str,
    fmt: str,
    jobs_file: str,
    install: str,
    cache_key: str,
    runner: str,
    image: str,
    per_job: int,
    offline: bool,
    no_index: bool,
    nocheck: bool,
    bcond_with: tuple[str, ...],
    bcond_without: tuple[str, ...],
) -> None:
    """Write the plan of SPECS x --target and print the workflow that runs it.

    Run it from the repository's top; commit the plan and the workflow together.
    """
    bconds = bconds_of(bcond_with, bcond_without)
    request = api.WorkflowRequest(
        specs=specs,
        targets=tuple(app.select(expression)),
        fmt=fmt,
        setup=Setup(install, jobs_file, cache_key, runner, image),
        flags=(*(["--nocheck"] if nocheck else []), *bconds.args()),
        bconds=bconds,
        per_job=per_job,
        offline=offline,
        no_index=no_index,
    )
    made = api.write_workflow(app.config, request)
    click.echo(made.text, nl=False)
    jobs_count = sum(len(w) for w in made.plan.waves)
    log.info(f"wrote {made.jobs_file}: waves {len(made.plan.waves)}, jobs {jobs_count}")


@ci.command("job")
@click.option("--wave", type=click.IntRange(min=1), required=True, help="The wave (from 1).")
@click.option("--index", type=click.IntRange(min=0), required=True, help="The job (from 0).")
@_jobs_file
@click.option(
    "--output",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("waves"),
    show_default=True,
    help="The job's output goes to OUTPUT/wave-N-I/.",
)
@click.option(
    "--with-packages",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The earlier waves' outputs (the downloaded artifacts).",
)
@_no_setup
@pass_app
def job(
    app: App,
    wave: int,
    index: int,
    jobs_file: Path,
    output: Path,
    with_packages: tuple[Path, ...],
    no_setup: bool,
) -> None:
    """Build job --index of wave --wave of the plan."""
    request = jobs.JobRequest(wave, index, jobs_file, output, with_packages, not no_setup)
    report = jobs.run_job(app.config, request)
    click.echo(f"{report.job.target}\t{' '.join(report.job.specs)}\t{report.output}")


@ci.command("builders")
@_jobs_file
@_no_setup
@pass_app
def builders(app: App, jobs_file: Path, no_setup: bool) -> None:
    """Put every target's base and builder images into the registry, made only when missing."""
    report = jobs.run_builders(app.config, jobs_file, setup=not no_setup)
    for ref in report.images:
        click.echo(f"{ref}\t{'pushed' if ref in report.pushed else 'in the registry'}")


@ci.command("publish")
@_jobs_file
@click.option(
    "--packages",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Every wave's output (the downloaded artifacts).",
)
@click.option(
    "--repo", required=True, type=click.Path(file_okay=False, path_type=Path), help="Repository."
)
@click.option("--base-url", default="", help="URL consumers use (default: file:// of --repo).")
@click.option("--repo-id", default="specport", show_default=True, help="dnf repo id / file names.")
@click.option(
    "--key-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Armored secret key (default: $SPECPORT_CI_REPO_KEY, its text or a file).",
)
@_no_setup
@pass_app
def publish(
    app: App,
    jobs_file: Path,
    packages: Path,
    repo: Path,
    base_url: str,
    repo_id: str,
    key_file: Path | None,
    no_setup: bool,
) -> None:
    """Publish every wave's packages into signed repositories."""
    request = jobs.PublishRequest(
        jobs_file, packages, repo, base_url, repo_id, key_file, setup=not no_setup
    )
    report = jobs.run_publish(app.config, request)
    for t in report.targets:
        parts = f"+{len(t.added)} ={len(t.unchanged)} -{len(t.removed)}"
        click.echo(f"{t.target}: {'updated' if t.changed else 'unchanged'} ({parts}) {t.path}")


@ci.command("setup")
@pass_app
def setup(app: App) -> None:
    """Install the Debian/Ubuntu packages specport needs that are missing (apt-get, sudo)."""
    for name in jobs.set_up(app.config.settings):
        click.echo(f"installed {name}")
