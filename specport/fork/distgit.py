"""A dist-git repository (Fedora's layout: a spec, a `sources` file, patches) at one branch.

git runs only through specport.run.git() (no global config, no hooks, no external helpers); the
clone goes to a temporary directory and only its regular files are read."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from specport.errors import SourceError, SpecportError
from specport.fork.record import Upstream
from specport.fork.tree import Tree, read_tree
from specport.run import git

CLONE_TIMEOUT = 600.0


@dataclass(frozen=True)
class Snapshot:
    upstream: Upstream
    files: Tree


def is_git_source(source: str) -> bool:
    if "://" in source or source.startswith("git@"):
        return not source.endswith(".src.rpm")
    path = Path(source)
    return path.is_dir() and (path / ".git").exists()


def clone_snapshot(source: str, branch: str = "") -> Snapshot:
    """The files of `source` (URL, file:// URL or local clone) at the tip of `branch` (default:
    the repository's default branch)."""
    url = source if "://" in source or source.startswith("git@") else str(Path(source).resolve())
    with tempfile.TemporaryDirectory(prefix="specport-distgit-") as tmp:
        dest = Path(tmp) / "repo"
        argv = ["clone", "--quiet", "--single-branch", "--no-recurse-submodules"]
        if branch:
            argv += ["--branch", branch]
        try:
            git(Path(tmp), *argv, "--", url, str(dest), timeout=CLONE_TIMEOUT)
        except SpecportError as exc:
            where = f" (branch {branch})" if branch else ""
            raise SourceError(f"cannot clone {source}{where}: {exc.message}") from None
        commit = git(dest, "rev-parse", "HEAD").text.strip()
        if not branch:
            branch = git(dest, "rev-parse", "--abbrev-ref", "HEAD").text.strip()
        files = read_tree(dest)
    return Snapshot(Upstream("git", source, branch, commit), files)
