"""`specport import`: a dist-git repository or a .src.rpm becomes a fork directory."""

from __future__ import annotations

from pathlib import Path

from specport.build.sources import SourceSearch
from specport.errors import UsageError
from specport.fork.distgit import Snapshot, clone_snapshot, is_git_source
from specport.fork.lookaside import fetch_sources
from specport.fork.record import Fork, write_record
from specport.fork.srpm import srpm_snapshot
from specport.fork.tree import Tree, find_spec, lookaside_names, replace_tree, write_tree


def snapshot_of(source: str, branch: str = "") -> Snapshot:
    if source.endswith(".src.rpm"):
        if branch:
            raise UsageError("--branch applies to a git repository, not to a .src.rpm")
        return srpm_snapshot(source)
    if is_git_source(source):
        return clone_snapshot(source, branch)
    raise UsageError(f"{source}: neither a git repository (URL or local clone) nor a .src.rpm")


def base_files(files: Tree) -> Tree:
    """What the fork records of upstream: its files less the lookaside's tarballs."""
    skip = lookaside_names(files)
    return {k: v for k, v in files.items() if k not in skip}


def import_fork(source: str, into: Path, search: SourceSearch, branch: str = "") -> Fork:
    if into.exists() and (not into.is_dir() or any(into.iterdir())):
        raise UsageError(f"--into {into}: exists and is not an empty directory")
    snap = snapshot_of(source, branch)
    spec = find_spec(snap.files, source)
    into.mkdir(parents=True, exist_ok=True)
    write_tree(into, snap.files)
    fork = Fork(into, snap.upstream, spec)
    replace_tree(fork.base_dir, base_files(snap.files))
    write_record(fork)
    fetch_sources(into, into / spec, search)
    return fork
