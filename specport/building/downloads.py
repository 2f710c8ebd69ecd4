"""The shared download cache's way back: what a build container downloaded reaches the host's
cache only through specport's own hands.

The cache is mounted read-only (engines.PACKAGE_CACHE): the spec's code, which runs as root in
the same container, can read it but never write a file other builds would use. The engine's
own step after the install (before any of the spec's code runs) lays the new downloads out
under PACKAGE_OUT in the cache's own layout; specport copies that tree out (the runner's
filtered tar copy) and moves each file into the host directory under a temporary name, then
renames it, files named repomd.xml last (a reader never finds a repomd.xml whose files are
missing). Names are checked: plain components of the characters package and metadata file
names use, no leading dot, no links; anything else is left out.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from specport import log
from specport.building.engines import PACKAGE_CACHE, WORK
from specport.container.runs import Throwaway
from specport.errors import EngineError

PACKAGE_OUT = f"{WORK}/package-out"  # new downloads, in the shared cache's layout
_PART = re.compile(r"[A-Za-z0-9_+~^%:@=,-][A-Za-z0-9._+~^%:@=,-]{0,254}")
_DEPTH = 3  # <repoid>-<hash>/packages/<file>.rpm is the deepest the caches go


def shared_dir(box: Throwaway) -> Path | None:
    """The host directory mounted (read-only) at PACKAGE_CACHE, or None."""
    for host, inside in box.mounts.items():
        if inside == PACKAGE_CACHE:
            return Path(host)
    return None


def keep_downloads(box: Throwaway) -> int:
    """Copy PACKAGE_OUT out of `box` into its shared cache directory; the number of files."""
    dest = shared_dir(box)
    if dest is None:
        return 0
    dest.mkdir(parents=True, exist_ok=True)
    # beside the files it will replace: one file system, so each move is one rename
    tmp = Path(tempfile.mkdtemp(prefix=".incoming-", dir=dest))
    try:
        try:
            got = box.copy_out(PACKAGE_OUT, tmp)
        except EngineError as exc:
            log.warn(f"the new downloads stay out of the shared cache: {exc.message}")
            return 0
        return merge(got, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def merge(staged: Path, dest: Path) -> int:
    """Move every acceptable file of `staged` to the same place under `dest`; repomd.xml last."""
    files: list[tuple[str, ...]] = []
    for dirpath, dirnames, filenames in os.walk(staged):
        base = Path(dirpath).relative_to(staged).parts
        dirnames[:] = [d for d in dirnames if _ok(d) and not (Path(dirpath) / d).is_symlink()]
        for name in filenames:
            path = Path(dirpath) / name
            if _ok(name) and len(base) < _DEPTH and path.is_file() and not path.is_symlink():
                files.append((*base, name))
    files.sort(key=lambda parts: (parts[-1] == "repomd.xml", parts))
    for parts in files:
        target = dest.joinpath(*parts)
        if any(dest.joinpath(*parts[:k]).is_symlink() for k in range(1, len(parts) + 1)):
            continue  # never write through a link, nor replace one
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_dir():
            continue
        source = staged.joinpath(*parts)
        source.chmod(0o644)
        os.replace(source, target)
    return len(files)


def _ok(name: str) -> bool:
    return bool(_PART.fullmatch(name))
