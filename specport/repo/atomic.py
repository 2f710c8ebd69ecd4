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
    make_dirs(repo_dir)
    fd = os.open(
        repo_dir / LOCK_NAME, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o644
    )
    os.fchmod(fd, FILE_MODE)
    with os.fdopen(fd, "a") as handle:
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
    meta = make_dirs(parent / META_DIR)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    generation = Path(tempfile.mkdtemp(prefix=f"{prefix}-{stamp}-", dir=meta))
    os.chmod(generation, DIR_MODE)  # mkdtemp makes it 0700
    return generation


def current_target(link: Path) -> Path | None:
    """The directory a published link points at, or None before the first publish."""
    if not link.is_symlink():
        return None
    return (link.parent / os.readlink(link)).resolve()


def swap_in(link: Path, generation: Path, inside: str = "") -> None:
    """Point `link` at `generation/inside` with one rename, then drop generations nobody needs."""
    readable(generation)  # before anyone can follow the link to it
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
    make_dirs(path.parent)
    safeio.write_file(path.parent, path.name, data)
    readable(path)


def check_links(repo_dir: Path) -> None:
    """Refuse a repository whose tree holds a link publish did not make: every link must stay
    inside repo_dir (publish's own point into .meta/), so no write or delete leaves it."""
    if not repo_dir.is_symlink() and not repo_dir.exists():
        make_dirs(repo_dir)
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
        text = (directory / OWNED).read_bytes().decode("utf-8")  # no newline translation
    except (OSError, UnicodeDecodeError):
        return set()
    return {ln for ln in text.split("\n") if _recordable(ln)}


def set_owned(directory: Path, paths: set[str]) -> None:
    bad = sorted(p for p in paths if not _recordable(p))
    if bad:  # one line per name: a name with a newline would record a file publish never wrote
        raise PublishError(f"refusing to record {bad[0]!r} as a published file")
    data = "".join(f"{p}\n" for p in sorted(paths)).encode()
    safeio.write_file(directory, OWNED, data)
    readable(directory / OWNED)


def _recordable(rel: str) -> bool:
    path = Path(rel)
    return (
        bool(rel)
        and not path.is_absolute()
        and ".." not in path.parts
        and not any(ord(c) < 32 or ord(c) == 127 for c in rel)
    )


# Modes: whatever the umask, what publish writes is world-readable (a web server serves it as
# another user): directories 0755, files 0644. Directories that were there before keep theirs.
DIR_MODE = 0o755
FILE_MODE = 0o644


def make_dirs(path: Path) -> Path:
    """path and its missing parents, each made DIR_MODE."""
    missing = []
    for p in [path, *path.parents]:
        if p.is_dir() or p.is_symlink():
            break
        missing.append(p)
    for p in reversed(missing):
        try:
            p.mkdir()
        except FileExistsError:
            continue
        os.chmod(p, DIR_MODE)
    return path


def readable(path: Path) -> None:
    """A file (or a whole tree) publish wrote: DIR_MODE and FILE_MODE, links left alone."""
    if path.is_symlink():
        return
    if path.is_dir():
        for dirpath, dirnames, filenames in os.walk(path):
            os.chmod(dirpath, DIR_MODE)
            for name in filenames:
                readable(Path(dirpath) / name)
            dirnames[:] = [d for d in dirnames if not (Path(dirpath) / d).is_symlink()]
        return
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
