"""One publish: packages in, signed repositories and consumer files out, under the repo lock.

Layout of a repository directory (documented in docs/publishing.md):

    rpm/<target>/<arch>/Packages/*.rpm, repodata/ (-> .meta/...)   rpm-md, one per rpm target
    apt/pool/..., apt/dists/<codename>/ (-> ../.meta/...)          one APT repo, a suite per target
    apt/<repo-id>.asc, keys/<repo-id>.asc                          the public key
    consumers/<target>/<repo-id>.repo | .sources                   what consumers install
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from specport import log
from specport.errors import UsageError
from specport.gpg import SigningKey, export_public
from specport.repo import atomic, changes
from specport.repo.apt import publish_deb
from specport.repo.consumer import consumer_file_name, render_consumer_file
from specport.repo.inputs import assign_paths
from specport.repo.model import PublishOptions, PublishReport, TargetReport
from specport.repo.packages import Package
from specport.repo.rpmmd import publish_rpm
from specport.targets import Target
from specport.targets.families import facts_of


def publish(
    repo_dir: Path,
    by_target: Mapping[str, Sequence[Package]],
    targets: Sequence[Target],
    key: SigningKey,
    options: PublishOptions,
) -> PublishReport:
    """Publish each target's packages (target name -> packages) into repo_dir."""
    atomic.check_links(repo_dir)
    repo_dir = repo_dir.resolve()
    for t in targets:
        repository_slot(t)  # a target that has no place in a repository fails here
    if not any(by_target.values()):
        raise UsageError("no .rpm or .deb packages to publish")
    chosen = [t for t in targets if t.name in by_target]
    _check_suites(chosen)
    for name in options.modules:
        if name not in {t.name for t in chosen if facts_of(t).supports_modules}:
            raise UsageError(f"--module for {name}: not an rpm target being published")
    report = PublishReport(repo_dir=repo_dir)
    with atomic.publish_lock(repo_dir):
        public_key = export_public(key)
        atomic.write_atomically(repo_dir / "keys" / f"{options.repo_name}.asc", public_key)
        before = changes.snapshot(repo_dir, chosen)
        try:
            _publish_targets(repo_dir, chosen, by_target, key, options, public_key, report)
        finally:  # a target that failed half-way still records what the others changed
            report.record = changes.record(repo_dir, before, changes.snapshot(repo_dir, chosen))
    return report


def _publish_targets(
    repo_dir: Path,
    chosen: Sequence[Target],
    by_target: Mapping[str, Sequence[Package]],
    key: SigningKey,
    options: PublishOptions,
    public_key: bytes,
    report: PublishReport,
) -> None:
    for target in chosen:
        log.step(f"publishing {len(by_target[target.name])} package(s) for {target.name}")
        result = PUBLISHERS[target.family](
            repo_dir,
            target,
            by_target[target.name],
            key,
            keep=options.keep,
            module=options.modules.get(target.name),
            repo_name=options.repo_name,
            public_key=public_key,
        )
        report.targets.append(result)
        report.consumer_files.append(
            _write_consumer_file(repo_dir, target, options, public_key.decode())
        )


def publish_files(
    repo_dir: Path,
    paths: Sequence[Path],
    targets: Sequence[Target],
    key: SigningKey,
    options: PublishOptions,
) -> PublishReport:
    """Publish package files and build output directories (their manifests name the targets)."""
    return publish(repo_dir, assign_paths(paths, targets), targets, key, options)


def _write_consumer_file(
    repo_dir: Path, target: Target, options: PublishOptions, public_key: str
) -> Path:
    text = render_consumer_file(
        target,
        base_url=options.base_url or repo_dir.as_uri(),
        repo_id=options.repo_name,
        public_key=public_key,
        embed_key=options.embed_key,
        module=options.modules.get(target.name),
    )
    path = repo_dir / "consumers" / target.name / consumer_file_name(target, options.repo_name)
    atomic.write_atomically(path, text.encode())
    return path


def _check_suites(targets: Sequence[Target]) -> None:
    seen: dict[str, str] = {}
    for t in targets:
        slot = repository_slot(t)
        if slot in seen:
            raise UsageError(f"{t.name} and {seen[slot]} would share {slot}")
        seen[slot] = t.name


def repository_slot(target: Target) -> str:
    """Where the target's packages go in a repository; two targets may not share one.
    UsageError when the target has no place in one."""
    return SLOTS[target.family](target)


def _rpm_slot(target: Target) -> str:
    return f"rpm-md repository rpm/{target.name}"


def _apt_slot(target: Target) -> str:
    if not target.codename:
        raise UsageError(f"{target.name}: a deb target needs a codename to publish")
    return f"APT suite {target.codename}"  # one APT repository, a suite per target


def _publish_rpm(
    repo_dir: Path,
    target: Target,
    packages: Sequence[Package],
    key: SigningKey,
    *,
    keep: int,
    module: str | None,
    repo_name: str,
    public_key: bytes,
) -> TargetReport:
    return publish_rpm(repo_dir, target, list(packages), key, keep=keep, module=module)


def _publish_apt(
    repo_dir: Path,
    target: Target,
    packages: Sequence[Package],
    key: SigningKey,
    *,
    keep: int,
    module: str | None,
    repo_name: str,
    public_key: bytes,
) -> TargetReport:
    atomic.write_atomically(repo_dir / "apt" / f"{repo_name}.asc", public_key)
    return publish_deb(repo_dir, target, list(packages), key, keep=keep)


SLOTS: dict[str, Callable[[Target], str]] = {"rpm": _rpm_slot, "deb": _apt_slot}
PUBLISHERS: dict[str, Callable[..., TargetReport]] = {"rpm": _publish_rpm, "deb": _publish_apt}
