"""`specport fork status`: what the fork changed against the upstream it records."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from specport.forks.record import Fork
from specport.forks.tree import Tree, lookaside_names, package_files, read_tree

_PATCH_TAG = re.compile(r"^Patch\d*\s*:\s*(\S+)", re.IGNORECASE | re.MULTILINE)
CONFLICT_MARKER = re.compile(rb"^(<<<<<<<|>>>>>>>) ", re.MULTILINE)


@dataclass(frozen=True)
class FileChange:
    path: str
    state: str  # "added", "removed", "changed"
    kind: str  # "spec", "patch", "file"
    hunks: tuple[str, ...] = ()  # unified-diff hunks, for text files that changed


@dataclass(frozen=True)
class Status:
    fork: Fork
    changes: list[FileChange] = field(default_factory=list)
    conflicted: list[str] = field(default_factory=list)  # files that still hold markers

    def as_dict(self) -> dict[str, object]:
        up = self.fork.upstream
        return {
            "upstream": {
                "kind": up.kind,
                "repository": up.repository,
                "branch": up.branch,
                "commit": up.commit,
            },
            "spec": self.fork.spec,
            "changes": [
                {"path": c.path, "state": c.state, "kind": c.kind, "hunks": list(c.hunks)}
                for c in self.changes
            ],
            "conflicted": self.conflicted,
        }


def patch_names(spec_text: str) -> set[str]:
    return {m.group(1).rsplit("/", 1)[-1] for m in _PATCH_TAG.finditer(spec_text)}


def fork_status(fork: Fork) -> Status:
    base = read_tree(fork.base_dir)
    ours = current_tree(fork)
    patches = patch_names(_text(base.get(fork.spec, b""))) | patch_names(
        _text(ours.get(fork.spec, b""))
    )
    changes = []
    for path in sorted(set(base) | set(ours)):
        old, new = base.get(path), ours.get(path)
        if old == new:
            continue
        state = "added" if old is None else "removed" if new is None else "changed"
        kind = (
            "spec"
            if path == fork.spec
            else "patch"
            if path in patches or path.endswith((".patch", ".diff"))
            else "file"
        )
        hunks = diff_hunks(path, old, new) if state == "changed" else ()
        changes.append(FileChange(path, state, kind, hunks))
    conflicted = sorted(p for p, data in ours.items() if CONFLICT_MARKER.search(data))
    return Status(fork, changes, conflicted)


def diff_hunks(path: str, old: bytes | None, new: bytes | None) -> tuple[str, ...]:
    if old is None or new is None or b"\0" in old or b"\0" in new:
        return ()
    lines = difflib.unified_diff(
        _text(old).splitlines(keepends=True),
        _text(new).splitlines(keepends=True),
        f"upstream/{path}",
        f"fork/{path}",
    )
    hunks: list[list[str]] = []
    for line in lines:
        if line.startswith(("--- ", "+++ ")) and not hunks:
            continue
        if line.startswith("@@"):
            hunks.append([])
        if hunks:
            hunks[-1].append(line if line.endswith("\n") else line + "\n")
    return tuple("".join(h) for h in hunks)


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def render_status(status: Status) -> str:
    up = status.fork.upstream
    where = f"{up.repository}" + (f" branch {up.branch}" if up.branch else "")
    out = [f"upstream: {where} at {up.commit}"]
    if not status.changes:
        out.append("no local changes")
    for c in status.changes:
        label = {"spec": "spec", "patch": "patch", "file": "file"}[c.kind]
        out.append(f"{c.state} {label}: {c.path}")
        if c.kind == "spec":
            for hunk in c.hunks:
                out.extend("    " + ln for ln in hunk.rstrip("\n").split("\n"))
    if status.conflicted:
        out.append("unresolved conflict markers in: " + ", ".join(status.conflicted))
    return "\n".join(out)


def current_tree(fork: Fork) -> Tree:
    """The fork's files less the tarballs its own or its upstream's `sources` file lists (a
    rebase leaves the old tarball beside the new one, as in any dist-git checkout)."""
    tree = package_files(fork.dir)
    base_sources = fork.base_dir / "sources"
    if base_sources.is_file():
        for name in lookaside_names({"sources": base_sources.read_bytes()}):
            tree.pop(name, None)
    return tree
