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

from specport import log, safeio
from specport.errors import PublishError

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
    """Replace one file by rename (consumer files, the exported key), never through a link."""
    if not path.is_symlink() and path.is_file() and path.read_bytes() == data:
        return  # unchanged: keep its mtime, so a republish changes nothing
    safeio.write_file(path.parent, path.name, data)


def check_links(repo_dir: Path) -> None:
    """Refuse a repository whose tree holds a link publish did not make: every link must stay
    inside repo_dir (publish's own point into .meta/), so no write or delete leaves it."""
    safeio.check_root(repo_dir)
    root = repo_dir.resolve()
    for dirpath, dirnames, filenames in os.walk(repo_dir):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            if path.is_symlink():
                target = (path.parent / os.readlink(path)).resolve()
                if os.readlink(path).startswith("/") or not target.is_relative_to(root):
                    raise PublishError(
                        f"{path} is a link out of the repository: refusing to publish there"
                    )


OWNED = ".specport-owned"  # in a pool's directory: the files publish put there, one a line


def owned(directory: Path) -> set[str]:
    """Files (relative paths) publish recorded as its own in directory."""
    try:
        text = (directory / OWNED).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return set()
    return {ln for ln in text.splitlines() if ln and ".." not in Path(ln).parts}


def set_owned(directory: Path, paths: set[str]) -> None:
    data = "".join(f"{p}\n" for p in sorted(paths)).encode()
    safeio.write_file(directory, OWNED, data)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
