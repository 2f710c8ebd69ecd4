"""`specport fork update`: bring a newer upstream into the fork, file by file, three-way.

For each file, with base = the recorded upstream copy, ours = the fork, theirs = the new upstream:
only one side changed -> that side wins; both changed text -> `git merge-file` (conflicts stay in
the file as markers); both changed and no merge is possible (binary, or changed on one side and
removed on the other) -> the fork's file stays and upstream's goes next to it as FILE.upstream.
Every such case is a conflict: reported, recorded, and the command exits non-zero."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from specport import safeio
from specport.building.sources import SourceSearch
from specport.errors import ToolError
from specport.forks.importer import base_files, snapshot_of
from specport.forks.lookaside import fetch_sources
from specport.forks.record import Fork, Upstream, write_record
from specport.forks.status import current_tree
from specport.forks.tree import read_tree, replace_tree
from specport.run import git

UPSTREAM_SUFFIX = ".upstream"


@dataclass(frozen=True)
class FileOutcome:
    path: str
    action: str  # what happened, in words: "merged", "taken from upstream", ...
    conflict: bool = False


@dataclass
class UpdateResult:
    old: Upstream
    new: Upstream
    outcomes: list[FileOutcome] = field(default_factory=list)

    @property
    def conflicts(self) -> list[str]:
        return [o.path for o in self.outcomes if o.conflict]

    @property
    def up_to_date(self) -> bool:
        return self.old.commit == self.new.commit


def merge_text(
    ours: bytes, base: bytes, theirs: bytes, labels: tuple[str, str, str]
) -> tuple[bytes, int]:
    """git merge-file on the three versions: (merged bytes, number of conflicts)."""
    with tempfile.TemporaryDirectory(prefix="specport-merge-") as tmp:
        paths = []
        for name, data in (("ours", ours), ("base", base), ("theirs", theirs)):
            path = Path(tmp) / name
            path.write_bytes(data)
            paths.append(str(path))
        done = git(
            Path(tmp),
            "merge-file", "-p",
            "-L", labels[0], "-L", labels[1], "-L", labels[2],
            *paths,
            check=False,
            standalone=True,
        )  # fmt: skip
    if done.returncode < 0 or done.returncode > 127:
        raise ToolError(f"git merge-file failed: {done.error_text.strip() or done.returncode}")
    return done.stdout, done.returncode


def _binary(*datas: bytes | None) -> bool:
    return any(d is not None and b"\0" in d for d in datas)


def update_fork(fork: Fork, search: SourceSearch, source: str = "") -> UpdateResult:
    """Every file's outcome is decided (and every merge made) before the first write: a failure
    while reading the new upstream or merging leaves the fork as it was."""
    up = fork.upstream
    new_source = source or up.repository
    snap = snapshot_of(new_source, up.branch if up.kind == "git" and not source else "")
    result = UpdateResult(up, snap.upstream)
    if result.up_to_date:
        return result
    base = read_tree(fork.base_dir)
    ours = current_tree(fork)
    theirs = base_files(snap.files)
    labels = ("fork", f"base {up.commit[:19]}", f"upstream {snap.upstream.commit[:19]}")
    writes: dict[str, bytes | None] = {}  # path in the fork -> new content, None: removed
    for path in sorted(set(base) | set(ours) | set(theirs)):
        outcome = _merge_one(path, base.get(path), ours.get(path), theirs.get(path), labels, writes)
        if outcome is not None:
            result.outcomes.append(outcome)
    # a tarball upstream added through `sources` comes through the lookaside
    for name in set(snap.files) - set(theirs):
        if not (fork.dir / name).exists():
            writes[name] = snap.files[name]
    for path, data in sorted(writes.items()):
        dest = fork.dir / path
        if data is None:
            dest.unlink(missing_ok=True)
        else:
            dest.parent.mkdir(parents=True, exist_ok=True)
            safeio.replace_bytes(dest, data)
    replace_tree(fork.base_dir, theirs)
    new_fork = Fork(fork.dir, snap.upstream, fork.spec, tuple(result.conflicts))
    write_record(new_fork)
    fetch_sources(fork.dir, fork.dir / fork.spec, search)
    return result


def _merge_one(
    path: str,
    b: bytes | None,
    o: bytes | None,
    t: bytes | None,
    labels: tuple[str, str, str],
    writes: dict[str, bytes | None],
) -> FileOutcome | None:
    """The outcome for one file; what to write goes into `writes` (nothing is written here)."""
    if o == t:
        return None
    if o == b:  # only upstream changed it
        writes[path] = t
        if t is None:
            return FileOutcome(path, "removed (upstream removed it)")
        return FileOutcome(path, "added from upstream" if b is None else "taken from upstream")
    if t == b:  # only the fork changed it
        return FileOutcome(path, "kept (changed only in the fork)")
    if o is not None and t is not None and not _binary(b, o, t):
        merged, conflicts = merge_text(o, b or b"", t, labels)
        writes[path] = merged
        if conflicts:
            return FileOutcome(path, f"{conflicts} conflict(s), markers written", conflict=True)
        return FileOutcome(path, "merged")
    # no merge possible: the fork's version stays, upstream's goes beside it
    side = f"{path}{UPSTREAM_SUFFIX}"
    if t is not None:
        writes[side] = t
    side_name = side.rsplit("/", 1)[-1]
    if o is None:
        why = f"removed in the fork, changed upstream: upstream's is {side_name}"
    elif t is None:
        why = "changed in the fork, removed upstream: the fork's is kept"
    else:
        why = f"binary, changed on both sides: upstream's is {side_name}"
    return FileOutcome(path, why, conflict=True)
