"""--check in a given container image, for callers that pick the image themselves (tests, bench).

Both run through the one spec sandbox (specport.sandbox.jobs) like every other spec read:
rpm 4.14 in ubuntu:20.04 (installed in an image made once: the sandbox has no network), and
`debbuild --showpkgs` in a target's builder image.
"""

from __future__ import annotations

from pathlib import Path

from specport.errors import SandboxError
from specport.sandbox.check import OLD_RPM_IMAGE, CheckResult, debbuild_verdict
from specport.sandbox.rpmspec import Request, outcome, run_many


def check_in_container(
    jobs: list[tuple[str, str, str, list[Path]]], log_path: Path, image: str = OLD_RPM_IMAGE
) -> list[CheckResult]:
    """jobs: (target name, spec label, normalized text, macro files): rpmspec -P on each, in
    one container from `image` (its apt installs rpm first). Needs an engine."""
    requests = [Request(spec, text, (("-P",),), tuple(macros)) for _, spec, text, macros in jobs]
    batch = run_many(requests, image=image, install_rpm=True, log_path=log_path)
    results = []
    for (target, spec, _, _), row in zip(jobs, batch.answers, strict=True):
        ok, detail = outcome(row[0].exit_code, "", row[0].err)
        tool = f"rpmspec {batch.rpm_version} ({batch.where})"
        results.append(CheckResult(target, spec, tool, ok, "" if ok else detail))
    return results


def check_with_debbuild(
    target: str, image: str, jobs: list[tuple[str, str, list[Path]]], log_path: Path
) -> list[CheckResult]:
    """`debbuild --showpkgs` in the target's builder image, for jobs (spec label, text, macro
    files). The image's own macros.d gets this target's files, as a build would install them."""
    requests = [
        Request(spec, text, (), tuple(macros), debbuild_showpkgs=True)
        for spec, text, macros in jobs
    ]
    batch = run_many(requests, image=image, log_path=log_path)
    if batch.where.startswith("bwrap"):
        raise SandboxError(f"debbuild needs the container sandbox ({image} is not there)")
    results = []
    for (spec, _, _), row in zip(jobs, batch.answers, strict=True):
        ok, detail = debbuild_verdict(row[0])
        tool = f"debbuild --showpkgs ({batch.where})"
        results.append(CheckResult(target, spec, tool, ok, detail))
    return results
