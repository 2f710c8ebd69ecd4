"""One publish: packages in, signed repositories and consumer files out, under the repo lock.

Layout of a repository directory (documented in docs/publishing.md):

    rpm/<target>/<arch>/Packages/*.rpm, repodata/ (-> .meta/...)   rpm-md, one per rpm target
    apt/pool/..., apt/dists/<codename>/ (-> ../.meta/...)          one APT repo, a suite per target
    apt/<repo-id>.asc, keys/<repo-id>.asc                          the public key
    consumers/<target>/<repo-id>.repo | .sources                   what consumers install
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from specport import log
from specport.errors import UsageError
from specport.repo import atomic
from specport.repo.apt import publish_deb
from specport.repo.consumer import consumer_file_name, render_consumer_file
from specport.repo.gpg import SigningKey, export_public
from specport.repo.inputs import assign, collect_files
from specport.repo.model import PublishOptions, PublishReport
from specport.repo.rpmmd import publish_rpm
from specport.targets import Target


def publish(
    repo_dir: Path,
    packages: list[Path],
    targets: Sequence[Target],
    key: SigningKey,
    options: PublishOptions,
) -> PublishReport:
    """Publish package files (or build output directories) into repo_dir for these targets."""
    repo_dir = repo_dir.resolve()
    by_target = assign(collect_files(packages), targets)
    if not by_target:
        raise UsageError("no .rpm or .deb packages to publish")
    chosen = [t for t in targets if t.name in by_target]
    _check_suites(chosen)
    for name in options.modules:
        if name not in {t.name for t in chosen if t.family == "rpm"}:
            raise UsageError(f"--module for {name}: not an rpm target being published")
    report = PublishReport(repo_dir=repo_dir)
    with atomic.publish_lock(repo_dir):
        public_key = export_public(key)
        atomic.write_atomically(repo_dir / "keys" / f"{options.repo_name}.asc", public_key)
        for target in chosen:
            log.step(f"publishing {len(by_target[target.name])} package(s) for {target.name}")
            if target.family == "rpm":
                result = publish_rpm(
                    repo_dir,
                    target,
                    by_target[target.name],
                    key,
                    keep=options.keep,
                    module=options.modules.get(target.name),
                )
            else:
                atomic.write_atomically(repo_dir / "apt" / f"{options.repo_name}.asc", public_key)
                result = publish_deb(
                    repo_dir, target, by_target[target.name], key, keep=options.keep
                )
            report.targets.append(result)
            report.consumer_files.append(
                _write_consumer_file(repo_dir, target, options, public_key.decode())
            )
    return report


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
        if t.family != "deb":
            continue
        if t.codename in seen:
            raise UsageError(f"{t.name} and {seen[t.codename]} would share suite {t.codename}")
        seen[t.codename] = t.name
