"""`specport import`: a dist-git repository or a .src.rpm becomes a fork directory."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from specport import safeio
from specport.building.sources import SourceSearch
from specport.errors import SourceError, UsageError
from specport.forks.distgit import Snapshot, clone_snapshot, is_git_source
from specport.forks.lookaside import LOOKASIDE_HINT, fetch_sources
from specport.forks.record import BASE, Fork, write_record
from specport.forks.srpm import srpm_snapshot
from specport.forks.tree import Tree, find_spec, lookaside_names, replace_tree, write_tree


def snapshot_of(source: str, branch: str = "", version: str = "") -> Snapshot:
    if source.endswith(".src.rpm"):
        if branch or version:
            raise UsageError("--branch and --version apply to a git repository, not to a .src.rpm")
        return srpm_snapshot(source)
    if is_git_source(source):
        return clone_snapshot(source, branch, version)
    raise UsageError(f"{source}: neither a git repository (URL or local clone) nor a .src.rpm")


def base_files(files: Tree) -> Tree:
    """What the fork records of upstream: its files less the lookaside's tarballs."""
    skip = lookaside_names(files)
    return {k: v for k, v in files.items() if k not in skip}


def import_fork(
    source: str, into: Path, search: SourceSearch, branch: str = "", version: str = ""
) -> Fork:
    """`version`: the newest commit whose spec has that Version, not the branch's tip.
    The fork is made in a temporary directory beside `into` and renamed into place: a
    failure leaves nothing behind (a file the lookaside lacks is the one exception: the fork
    is kept and the error names what to fetch)."""
    safeio.refuse_link(into)
    if into.exists() and any(into.iterdir()):
        raise UsageError(f"--into {into}: exists and is not an empty directory")
    snap = snapshot_of(source, branch, version)
    spec = find_spec(snap.files, source)
    into.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{into.name}.", dir=into.parent))
    try:
        write_tree(stage, snap.files)
        replace_tree(stage / BASE, base_files(snap.files))
        write_record(Fork(stage, snap.upstream, spec))
        missing: SourceError | None = None
        try:
            fetch_sources(stage, stage / spec, search)
        except SourceError as exc:
            if exc.hint != LOOKASIDE_HINT:
                raise
            missing = exc
        if into.exists():
            into.rmdir()  # empty, checked above
        stage.rename(into)
    finally:
        if stage.exists():
            shutil.rmtree(stage)
    if missing is not None:
        raise missing
    return Fork(into, snap.upstream, spec)
