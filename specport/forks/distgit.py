"""A dist-git repository (Fedora's layout: a spec, a `sources` file, patches) at one branch.

A local repository (a path or a file:// URL) is read in place by specport.gitread, which runs no
program and reads none of the repository's config. A remote one is cloned bare (git through
specport.run.git(): no global config, no hooks, no external helpers) into a temporary directory,
and that clone, whose config git wrote itself, is read the same way. Only regular files are
taken: a symbolic link is refused, a submodule left out."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from specport.errors import SourceError, SpecportError
from specport.forks.record import Upstream
from specport.forks.specedit import tag_value
from specport.forks.tree import SKIP_TOP, Tree, find_spec, safe_relpath
from specport.gitread import GitReadError, GitRepo
from specport.run import git

CLONE_TIMEOUT = 600.0
HISTORY_LIMIT = 5000  # spec revisions read when looking for a release


@dataclass(frozen=True)
class Snapshot:
    upstream: Upstream
    files: Tree


def _local_path(source: str) -> Path | None:
    if source.startswith("file://"):
        return Path(unquote(urlsplit(source).path))
    if "://" in source or source.startswith("git@"):
        return None
    return Path(source)


def is_git_source(source: str) -> bool:
    path = _local_path(source)
    if path is None:
        return not source.endswith(".src.rpm")
    return path.is_dir() and (
        (path / ".git").exists() or ((path / "objects").is_dir() and (path / "HEAD").is_file())
    )


def clone_snapshot(source: str, branch: str = "", version: str = "") -> Snapshot:
    """The files of `source` (URL, file:// URL or local clone) at the tip of `branch` (default:
    the branch the repository's HEAD names), or, with `version`, at the newest commit of that
    branch whose spec has that Version: the spec its packager wrote for that release."""
    local = _local_path(source)
    if local is not None:
        return _read(local.resolve(), source, branch, version)
    with tempfile.TemporaryDirectory(prefix="specport-distgit-") as tmp:
        dest = Path(tmp) / "repo.git"
        argv = ["clone", "--quiet", "--bare", "--single-branch", "--no-recurse-submodules"]
        if branch:
            argv += ["--branch", branch]
        try:
            git(Path(tmp), *argv, "--", source, str(dest), timeout=CLONE_TIMEOUT, standalone=True)
        except SpecportError as exc:
            where = f" (branch {branch})" if branch else ""
            raise SourceError(f"cannot clone {source}{where}: {exc.message}") from None
        return _read(dest, source, branch, version)


def releases(repo: GitRepo, spec_path: str, start: bytes | None = None) -> list[tuple[str, str]]:
    """(commit, Version) of each revision of the spec at `spec_path` in the history of `start`
    (default HEAD), newest first. The spec is read as text (its simple macros expanded, rpm
    never runs); a revision whose Version needs rpm to be read is left out."""
    found = []
    for entry in repo.file_log(spec_path, HISTORY_LIMIT, start):
        if entry.content is None:
            continue
        try:
            value = tag_value(entry.content.decode("utf-8", errors="replace"), "Version")
        except SpecportError:
            continue
        found.append((entry.commit, value))
    return found


def _release(repo: GitRepo, start: bytes, version: str, where: str) -> bytes:
    spec = find_spec(repo.files(start), where)
    found = releases(repo, spec, start)
    for commit, value in found:
        if value == version:
            return commit.encode()
    seen = list(dict.fromkeys(v for _, v in found))
    listed = ", ".join(seen[:12]) + (", ..." if len(seen) > 12 else "")
    raise SourceError(
        f"{where}: no revision of {spec} has Version {version}",
        hint=f"the versions in its history: {listed or 'none readable'}",
    )


def _read(path: Path, source: str, branch: str, version: str = "") -> Snapshot:
    where = f"{source} (branch {branch})" if branch else source
    try:
        repo = GitRepo.open(path)
        commit = repo.branch(branch) if branch else repo.head()
        if commit is not None:
            branch = branch or repo.head_branch()
            if version:
                commit = _release(repo, commit, version, where)
            files = repo.files(commit)
    except GitReadError as exc:
        raise SourceError(f"cannot read {where}: {exc.message}") from None
    except SpecportError:
        raise
    except Exception as exc:  # a damaged repository: whatever the reader trips on, one line
        raise SourceError(f"cannot read {where}: {type(exc).__name__}: {exc}") from None
    if commit is None:
        raise SourceError(f"cannot read {where}: no such branch, or no commit")
    for name in files:
        if not safe_relpath(name) or "\0" in name:
            raise SourceError(f"{source}: refusing the path {name!r} in the repository")
    files = {k: v for k, v in files.items() if k.split("/", 1)[0] not in SKIP_TOP}
    return Snapshot(Upstream("git", source, branch, commit.decode()), files)
