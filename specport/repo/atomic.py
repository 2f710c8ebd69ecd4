"""Atomic publishing: a lock against a concurrent publisher, and metadata swapped in by rename.

Each metadata set (an rpm-md `repodata/`, an APT `dists/<codename>/`) is written into a fresh
generation directory under `.meta/`, then published by renaming a new symlink over the old one;
a reader follows either the old or the new link, never a half-written set. The generation the
old link named is kept until the next publish so a reader in the middle of a fetch finishes.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from specport import log

LOCK_NAME = ".specport-publish.lock"
META_DIR = ".meta"


@contextmanager
def publish_lock(repo_dir: Path) -> Iterator[None]:
    """Hold the repository's lock file; a second publisher waits here until the first is done."""
    repo_dir.mkdir(parents=True, exist_ok=True)
    with open(repo_dir / LOCK_NAME, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info(f"waiting for another publisher of {repo_dir}")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def new_generation(parent: Path, prefix: str) -> Path:
    """A fresh directory under parent/.meta for the next metadata set."""
    meta = parent / META_DIR
    meta.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"{prefix}-{time.strftime('%Y%m%dT%H%M%S')}-", dir=meta))


def current_target(link: Path) -> Path | None:
    """The directory a published link points at, or None before the first publish."""
    if not link.is_symlink():
        return None
    return (link.parent / os.readlink(link)).resolve()


def swap_in(link: Path, generation: Path, inside: str = "") -> None:
    """Point `link` at `generation/inside` with one rename, then drop generations nobody needs."""
    previous = current_target(link)
    if previous is not None and inside:
        previous = previous.parent
    temp = link.parent / f".{link.name}.new-{os.getpid()}"
    temp.unlink(missing_ok=True)
    temp.symlink_to(os.path.relpath(generation / inside, link.parent))
    os.replace(temp, link)
    _fsync_dir(link.parent)
    keep = {generation.resolve(), previous}
    prefix = generation.name.rsplit("-", 2)[0]  # name is PREFIX-STAMP-RANDOM
    for old in generation.parent.glob(f"{prefix}-*"):
        if old.resolve() not in keep:
            shutil.rmtree(old, ignore_errors=True)


def discard(generation: Path) -> None:
    shutil.rmtree(generation, ignore_errors=True)


def write_atomically(path: Path, data: bytes) -> None:
    """Replace one file by rename (consumer files, the exported key)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_file() and path.read_bytes() == data:
        return  # unchanged: keep its mtime, so a republish changes nothing
    temp = path.with_name(f".{path.name}.new-{os.getpid()}")
    temp.write_bytes(data)
    os.replace(temp, path)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
