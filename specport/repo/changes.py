"""Publish records: what one publish changed in the repository, kept beside it.

`publish` reads every chosen target's packages before and after (contents.py) under the
repository lock and, when the newest version of any (name, arch) changed, writes a record:

    DIR/.specport-publishes/000007.json   {"id": 7, "time": ..., "targets": {TARGET: [change]}}

A change is {name, arch, source, old, new, old_stream, new_stream}; old "" is a package that
appeared, new "" one that is gone. Ids count up per repository; a record is written by rename
(atomic.write_atomically) and never rewritten. The signed metadata does not name these files,
so they change nothing a consumer verifies. specport.appimages reads them to find the images
a publish affects.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from specport.errors import UsageError
from specport.repo import atomic
from specport.repo.contents import Held, held, newest
from specport.targets import Target

RECORDS = ".specport-publishes"
_NAME = re.compile(r"(\d{6,})\.json")

Snapshot = dict[str, dict[tuple[str, str], Held]]  # target name -> (name, arch) -> newest


@dataclass(frozen=True)
class Change:
    name: str
    arch: str
    source: str
    old: str  # "" when the package appeared
    new: str  # "" when it is gone
    old_stream: str = ""
    new_stream: str = ""

    def describe(self) -> str:
        if not self.old:
            return f"{self.name} {self.new} (new)"
        if not self.new:
            return f"{self.name} {self.old} (removed)"
        if self.old == self.new:
            return f"{self.name} {self.new} (stream {self.old_stream} -> {self.new_stream})"
        return f"{self.name} {self.old} -> {self.new}"


@dataclass(frozen=True)
class PublishRecord:
    id: int
    time: str
    targets: dict[str, list[Change]] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "time": self.time,
            "targets": {t: [asdict(c) for c in cs] for t, cs in sorted(self.targets.items())},
        }


def snapshot(repo_dir: Path, targets: Sequence[Target]) -> Snapshot:
    return {t.name: newest(held(repo_dir, t), t.family) for t in targets}


def diff(
    before: Mapping[tuple[str, str], Held], after: Mapping[tuple[str, str], Held]
) -> list[Change]:
    out = []
    for ident in sorted(set(before) | set(after)):
        old, new = before.get(ident), after.get(ident)
        if (
            old is not None
            and new is not None
            and (old.version, old.stream)
            == (
                new.version,
                new.stream,
            )
        ):
            continue
        either = new or old
        assert either is not None
        out.append(
            Change(
                name=either.name,
                arch=either.arch,
                source=either.source,
                old=old.version if old else "",
                new=new.version if new else "",
                old_stream=old.stream if old else "",
                new_stream=new.stream if new else "",
            )
        )
    return out


def record(repo_dir: Path, before: Snapshot, after: Snapshot) -> PublishRecord | None:
    """Write the record of what changed between the snapshots; None (nothing written) when
    nothing did. Call it under the repository's publish lock."""
    targets = {}
    for name in sorted(after):
        changes = diff(before.get(name, {}), after[name])
        if changes:
            targets[name] = changes
    if not targets:
        return None
    ids = _ids(repo_dir)
    rec = PublishRecord(
        id=(ids[-1] + 1) if ids else 1,
        time=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        targets=targets,
    )
    text = json.dumps(rec.to_json(), indent=1, sort_keys=True) + "\n"
    atomic.write_atomically(repo_dir / RECORDS / f"{rec.id:06d}.json", text.encode())
    return rec


def records(repo_dir: Path, since: int = 0) -> list[PublishRecord]:
    """The publish records of repo_dir with id >= since, oldest first."""
    return [read_record(repo_dir, i) for i in _ids(repo_dir) if i >= since]


def latest_id(repo_dir: Path) -> int:
    """The id of the newest record (0 before the first)."""
    ids = _ids(repo_dir)
    return ids[-1] if ids else 0


def read_record(repo_dir: Path, ident: int) -> PublishRecord:
    path = repo_dir / RECORDS / f"{ident:06d}.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        targets = {
            str(t): [Change(**{k: str(v) for k, v in c.items()}) for c in cs]
            for t, cs in doc["targets"].items()
        }
        return PublishRecord(int(doc["id"]), str(doc["time"]), targets)
    except FileNotFoundError:
        raise UsageError(f"{repo_dir} has no publish {ident}") from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UsageError(f"{path}: not a publish record ({type(exc).__name__})") from None


def parse_id(text: str) -> int:
    """A publish id as the user gives it: 7, 000007."""
    if not text.isdigit() or int(text) < 1:
        raise UsageError(f"{text!r} is not a publish id (a number, as `specport publish` prints)")
    return int(text)


def _ids(repo_dir: Path) -> list[int]:
    folder = repo_dir / RECORDS
    if not folder.is_dir():
        return []
    return sorted(int(m.group(1)) for p in folder.iterdir() if (m := _NAME.fullmatch(p.name)))
