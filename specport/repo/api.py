"""What `specport publish` calls: package files and build outputs into signed repositories."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from specport.gpg import KeyChoice
from specport.repo.model import PublishOptions, PublishReport
from specport.repo.publish import publish_files
from specport.targets import Target


def publish(
    repo_dir: Path,
    paths: Sequence[Path],
    targets: Sequence[Target],
    key: KeyChoice,
    options: PublishOptions,
) -> PublishReport:
    """Open the signing key, then publish `paths` (package files, build output directories)."""
    with key.open() as signing:
        return publish_files(repo_dir, paths, targets, signing, options)
