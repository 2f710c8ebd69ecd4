"""The inputs and the outcome of one publish."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # changes.py reads the publishers, which use this module
    from specport.repo.changes import PublishRecord


@dataclass(frozen=True)
class PublishOptions:
    keep: int = 0  # newest versions of each package to keep; 0 keeps all
    base_url: str = ""  # where consumers reach the repository; "" = file:// URL of repo_dir
    repo_name: str = "specport"  # id of the dnf repo / name of the .sources and key files
    embed_key: bool = False  # put the key into the .sources (apt >= 2.3.10) instead of a path
    modules: Mapping[str, str] = field(default_factory=dict)  # rpm target -> "name:stream"


@dataclass
class TargetReport:
    target: str
    path: Path  # the published repository of this target (rpm-md dir, or the apt suite)
    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: bool = False  # was new metadata swapped in?


@dataclass
class PublishReport:
    repo_dir: Path
    targets: list[TargetReport] = field(default_factory=list)
    consumer_files: list[Path] = field(default_factory=list)
    record: PublishRecord | None = None  # what changed (changes.py); None when nothing did

    @property
    def changed(self) -> bool:
        return any(t.changed for t in self.targets)

    def lines(self) -> list[str]:
        """One line per target: updated or unchanged, +added =unchanged -removed, where."""
        out = []
        for t in self.targets:
            state = "updated" if t.changed else "unchanged"
            parts = [f"+{len(t.added)}", f"={len(t.unchanged)}", f"-{len(t.removed)}"]
            out.append(f"{t.target}: {state} ({' '.join(parts)}) {t.path}")
        return out
