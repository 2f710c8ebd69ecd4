"""--check: does the target's spec reader parse a normalized spec? Always in the sandbox.

Which sandbox image reads which target (one sandbox per image, however many specs):
- deb targets: the target's builder image (its rpm, and debbuild itself: `--showpkgs`);
- rpm targets whose rpm is older than 4.15 (EL8's 4.14): ubuntu:20.04, whose rpm 4.14.2.1 shares
  EL8's parser (rpm is installed in an image made once, images/sandbox_image.py: the sandbox
  container never has a network);
- other rpm targets: the debian-12 builder image (rpm 4.18, the host era).
Without an engine or that image: bubblewrap on the host (the host's rpm, labelled so), else a
refusal. The result table names the sandbox of every row.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from specport import log
from specport.config import Settings
from specport.sandbox.jobs import Answer, Batch
from specport.sandbox.rpmspec import Request, first_error, outcome, run_many
from specport.targets.families import facts_of
from specport.targets.model import Target, version_tuple

OLD_RPM_IMAGE = "ubuntu:20.04"  # its rpm is 4.14.2.1, the parser EL8's rpm 4.14.3 shares
OLD_RPM_VERSION = "4.14"
HOST_ERA_TARGET = "debian-12"  # whose builder image reads specs for host-era rpm targets
# dash prints these when a %( ) in the spec uses bash syntax; debbuild still exits 0
_SHELL_NOISE = ("Bad substitution", "Syntax error", "not found")


@dataclass(frozen=True)
class CheckResult:
    target: str
    spec: str
    tool: str  # what parsed it, and where: "rpmspec 4.18.0 (bwrap)"
    ok: bool
    detail: str  # first error line, or ""


@dataclass(frozen=True)
class CheckJob:
    target: Target
    spec: str  # label
    text: str
    macros: tuple[Path, ...]


def needs_old_rpm(target: Target) -> bool:
    """Targets whose rpm reads less than the host's: their checks belong to an older rpm."""
    if facts_of(target).reads_specs_in_builder:
        return False
    return target.rpm_version_tuple < version_tuple("4.15")


def sandbox_image(
    target: Target, settings: Settings, targets: Mapping[str, Target]
) -> tuple[str | None, bool]:
    """(image, whether rpm must be installed in it first) for checking target's specs."""
    if needs_old_rpm(target):
        return OLD_RPM_IMAGE, True
    try:
        from specport.images import kinds as images
    except ImportError:  # no docker SDK: bwrap only
        return None, False
    if facts_of(target).reads_specs_in_builder:
        return images.image_ref("builder", target, settings), False
    host_era = targets.get(HOST_ERA_TARGET)
    return (images.image_ref("builder", host_era, settings) if host_era else None), False


def check_specs(
    jobs: Sequence[CheckJob], settings: Settings, targets: Mapping[str, Target]
) -> list[CheckResult]:
    """Every job, one sandbox per image (so a forest of specs costs one container per image)."""
    groups: dict[tuple[str | None, bool], list[int]] = {}
    for k, job in enumerate(jobs):
        groups.setdefault(sandbox_image(job.target, settings, targets), []).append(k)
    by_job: dict[int, list[CheckResult]] = {}
    for (image, install_rpm), members in groups.items():
        rows = check_group([jobs[k] for k in members], image, install_rpm)
        by_job.update(zip(members, rows, strict=True))
    return [r for k in range(len(jobs)) for r in by_job[k]]  # in the jobs' order


def check_group(
    jobs: Sequence[CheckJob], image: str | None, install_rpm: bool
) -> list[list[CheckResult]]:
    """Jobs that share one sandbox image (None: bwrap): each job's results."""
    requests = [
        Request(
            j.spec,
            j.text,
            (("-P",),),
            j.macros,
            debbuild_showpkgs=facts_of(j.target).checks_with_debbuild,
        )
        for j in jobs
    ]
    # the log outlives a failed run (error hints point at it); a clean one leaves nothing in /tmp
    fd, log_name = tempfile.mkstemp(prefix="specport-check-", suffix=".log")
    os.close(fd)
    if image is not None:
        log.step(f"checking {len(jobs)} spec(s) in a sandbox from {image}")
    batch = run_many(requests, image=image, install_rpm=install_rpm, log_path=Path(log_name))
    results = [_results(job, batch, row) for job, row in zip(jobs, batch.answers, strict=True)]
    if all(r.ok for rows in results for r in rows):
        Path(log_name).unlink(missing_ok=True)
    return results


def _results(job: CheckJob, batch: Batch, row: list[Answer]) -> list[CheckResult]:
    rpm, *rest = row
    ok, detail = outcome(rpm.exit_code, "", rpm.err)
    tool = f"rpmspec {batch.rpm_version} ({batch.where})"
    if needs_old_rpm(job.target) and not batch.rpm_version.startswith(OLD_RPM_VERSION):
        tool += f", not rpm {OLD_RPM_VERSION}"
    out = [CheckResult(job.target.name, job.spec, tool, ok, "" if ok else detail)]
    if rest and not batch.where.startswith("bwrap"):
        deb_ok, deb_detail = debbuild_verdict(rest[0])
        where = f"debbuild --showpkgs ({batch.where})"
        out.append(CheckResult(job.target.name, job.spec, where, deb_ok, deb_detail))
    return out


def debbuild_verdict(deb: Answer) -> tuple[bool, str]:
    """(parsed cleanly, first problem) of one `debbuild --showpkgs`: a shell error on its output
    fails it too (dash's "Bad substitution" does not change debbuild's exit code)."""
    text = deb.out + deb.err
    noise = [ln for ln in text.splitlines() if any(n in ln for n in _SHELL_NOISE)]
    ok = deb.exit_code == 0 and not noise
    return ok, "" if ok else (noise[0] if noise else _last_line(text, deb.exit_code))


def _last_line(output: str, exit_code: int) -> str:
    if exit_code in (137, -9):
        return "debbuild was stopped: it ran past the sandbox's time limit"
    found = first_error(output)
    return found or f"debbuild exited {exit_code}"
