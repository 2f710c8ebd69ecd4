"""What the jobs of a generated workflow run (`specport ci builders|job|publish|setup`).

    builders   the set-up job: each target's base and builder images into the registry, unless
               it has them under the keys this checkout gives (images/registry.py)
    job        one job of one wave: host packages, the images from the registry, then
               `specport build` of its specs with the earlier waves' packages
    publish    the last job: every wave's output into signed repositories

A job builds through `specport build` in a child process, exactly as a user would type it (the
command line is in the job's log), with the settings the CI environment gives
($SPECPORT_SHARED_CACHE, ...) and the cache signing key from the job's secret.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from specport import log
from specport.ci import hostsetup
from specport.ci.plan import Job, Plan, job_dir, read_plan
from specport.ci.secrets import key_file
from specport.ci.workflow import CACHE_SIGNING_ENV, PLAN_ENV, REPO_KEY_ENV
from specport.config import Config, Settings, cache_root
from specport.container.engine import connect
from specport.errors import BuildError, UsageError
from specport.gpg import open_key
from specport.images import registry as images
from specport.repo import PublishOptions, PublishReport
from specport.repo.publish import publish_files
from specport.run import run
from specport.targets import Target

JOB_TIMEOUT = 6 * 3600  # GitHub's own limit of one job


@dataclass(frozen=True)
class JobRequest:
    wave: int
    index: int
    jobs_file: Path
    output: Path
    with_packages: tuple[Path, ...] = ()
    setup: bool = True


@dataclass(frozen=True)
class JobReport:
    job: Job
    output: Path
    installed: list[str]
    image: str  # the builder image pulled from the registry ("" without one)


def the_plan(jobs_file: Path) -> Plan:
    """The jobs file, checked against the digest of the workflow running it ($SPECPORT_CI_PLAN)."""
    return read_plan(jobs_file, os.environ.get(PLAN_ENV, ""))


def set_up(settings: Settings) -> list[str]:
    """The host packages specport needs, installed when missing; the names installed."""
    return hostsetup.install_missing(cache_root(settings) / "logs" / "ci-setup.log")


def run_job(config: Config, request: JobRequest) -> JobReport:
    plan = the_plan(request.jobs_file)
    job = plan.job(request.wave, request.index)
    target = _targets(config, [job.target])[0]
    for d in request.with_packages:
        if not d.is_dir():
            raise UsageError(f"--with-packages {d}: not a directory")
    installed = set_up(config.settings) if request.setup else []
    image = _pull_builder(config.settings, target)
    out = request.output / job_dir(request.wave, request.index)
    argv = [
        sys.executable, "-m", "specport", *_verbosity(), "build",
        "--target", job.target, "--output", str(out),
        *(["--image", image] if image else []),
        "--with-set", " ".join(plan.specs),
        *(a for d in request.with_packages for a in ("--with-packages", str(d))),
        *plan.flags, *job.specs,
    ]  # fmt: skip
    with key_file(CACHE_SIGNING_ENV) as signing:
        env = dict(os.environ)
        if signing is not None:
            env["SPECPORT_SHARED_CACHE_SIGNING_KEY"] = str(signing)
        log.step(f"wave {request.wave} job {request.index}: {' '.join(argv[1:])}")
        done = run(argv, timeout=JOB_TIMEOUT, env=env, check=False, stream=True)
    if not done.ok:
        raise BuildError(
            f"wave {request.wave} job {request.index} ({job.target}: {', '.join(job.specs)}): "
            f"the build failed (exit {done.returncode})",
            f"its logs: {out}/logs/",
        )
    return JobReport(job, out, installed, image)


def _verbosity() -> list[str]:
    return {0: ["-q"], 2: ["-v"]}.get(log.VERBOSITY, [])


def _targets(config: Config, names: list[str] | tuple[str, ...]) -> list[Target]:
    unknown = [n for n in names if n not in config.targets]
    if unknown:
        raise UsageError(f"the plan names target {unknown[0]}, which this checkout does not know")
    return [config.targets[n] for n in names]


def _pull_builder(settings: Settings, target: Target) -> str:
    """The builder image the job builds in, pulled by its key; "" without a registry (the
    build then makes the target's images itself)."""
    if not settings.builders_registry:
        log.warn("no builders registry ($SPECPORT_BUILDERS_REGISTRY): this job makes its images")
        return ""
    name = images.registry_name(settings.builders_registry)
    return images.pull_builder(connect(), target, settings, name, images.registry_auth())


@dataclass(frozen=True)
class BuildersReport:
    images: list[str]
    pushed: list[str]
    installed: list[str]


def run_builders(config: Config, jobs_file: Path, setup: bool = True) -> BuildersReport:
    """The set-up job: every target's images into the registry, made only when it lacks them."""
    plan = the_plan(jobs_file)
    targets = _targets(config, plan.targets)
    settings = config.settings
    if not settings.builders_registry:
        raise UsageError(
            "no builders registry to put the images into",
            "set $SPECPORT_BUILDERS_REGISTRY (or [settings] builders_registry)",
        )
    installed = set_up(settings) if setup else []
    name = images.registry_name(settings.builders_registry)
    engine = connect()
    refs, pushed = [], []
    for target in targets:
        got, made = images.ensure_and_push(engine, target, settings, name, images.registry_auth())
        refs += got
        pushed += got if made else []
    return BuildersReport(refs, pushed, installed)


@dataclass(frozen=True)
class PublishRequest:
    jobs_file: Path
    packages: Path
    repo: Path
    base_url: str = ""
    repo_id: str = "specport"
    key_file: Path | None = None
    setup: bool = True


def run_publish(config: Config, request: PublishRequest) -> PublishReport:
    """Every wave's output (the jobs' artifacts under `packages`) into `repo`, signed with the
    key of $SPECPORT_CI_REPO_KEY (or --key-file)."""
    plan = the_plan(request.jobs_file)
    targets = _targets(config, plan.targets)
    if not request.packages.is_dir():
        raise UsageError(f"--packages {request.packages}: not a directory")
    if request.setup:
        set_up(config.settings)
    options = PublishOptions(base_url=request.base_url, repo_name=request.repo_id)
    with key_file(REPO_KEY_ENV) as from_env:
        key = request.key_file or from_env
        if key is None:
            raise UsageError(f"no signing key: set ${REPO_KEY_ENV} (a CI secret) or --key-file")
        with open_key(key_file=key, passphrase=os.environ.get("SPECPORT_REPO_PASSPHRASE")) as k:
            return publish_files(request.repo, [request.packages], targets, k, options)
