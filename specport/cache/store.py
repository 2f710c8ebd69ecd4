"""The local result store: one directory per key, written whole or not at all.

    <root>/<key[:2]>/<key>/entry.json   what was built, when, from what (Entry)
    <root>/<key[:2]>/<key>/files/...    the packages and the build log

An entry is written in a temporary directory beside it and renamed into place, so a reader
never sees half of one and two writers of one key leave one whole entry. A hit checks every
file against its recorded sha256 before it is used: a damaged entry is a miss, and removed.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from specport.digest import file_sha256

ENTRY = "entry.json"
FILES = "files"


def prune_files(directory: Path, older_than: float | None = None) -> int:
    """Remove the files under a cache directory (lintian verdicts, spec answers, downloaded
    build dependencies) written more than `older_than` seconds ago (all when None), and the
    directories that leaves empty; each is made again when next needed."""
    now, count = time.time(), 0
    if not directory.is_dir() or directory.is_symlink():
        return 0
    for path in sorted(directory.rglob("*"), reverse=True):  # files before their directories
        if path.is_symlink() or path.is_file():
            if older_than is None or now - path.lstat().st_mtime > older_than:
                path.unlink(missing_ok=True)
                count += 1
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return count


def results_dir(cache_dir: Path, setting: str = "") -> Path:
    """Where the local store lives: settings.result_cache, else under specport's cache dir."""
    return Path(setting) if setting else cache_dir / "results"


@dataclass(frozen=True)
class Entry:
    key: str
    spec: str  # file name of the spec
    target: str
    created: float  # seconds since the epoch
    packages: tuple[tuple[str, str], ...]  # (file name, sha256)
    log: str  # file name of the build log
    lint: tuple[str, ...] = ()
    lock: tuple[str, ...] = ()  # name=version installed for the build (lock.py)
    inputs: dict[str, Any] = field(default_factory=dict)  # a summary of the key's inputs

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, sort_keys=True) + "\n"

    @staticmethod
    def from_json(text: str) -> Entry:
        doc = json.loads(text)
        return Entry(
            key=str(doc["key"]),
            spec=str(doc["spec"]),
            target=str(doc["target"]),
            created=float(doc["created"]),
            packages=tuple((str(n), str(d)) for n, d in doc["packages"]),
            log=str(doc["log"]),
            lint=tuple(str(x) for x in doc.get("lint", ())),
            lock=tuple(str(x) for x in doc.get("lock", ())),
            inputs=dict(doc.get("inputs", {})),
        )


class LocalStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        return self.root / key[:2] / key

    def get(self, key: str) -> Entry | None:
        """The whole, intact entry of `key`, or None."""
        where = self.path(key)
        try:
            entry = Entry.from_json((where / ENTRY).read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        for name, digest in entry.packages:
            path = where / FILES / name
            if not path.is_file() or file_sha256(path) != digest:
                self.remove(key)
                return None
        return entry if entry.key == key else None

    def files(self, entry: Entry) -> Path:
        return self.path(entry.key) / FILES

    def put(self, entry: Entry, packages: list[Path], log_path: Path) -> Path:
        """Store `entry` with copies of its packages and log; an existing entry stays."""
        final = self.path(entry.key)
        if (final / ENTRY).is_file():
            return final
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{entry.key[:12]}.", dir=final.parent))
        try:
            (tmp / FILES).mkdir()
            for pkg in packages:
                shutil.copyfile(pkg, tmp / FILES / pkg.name)
            shutil.copyfile(log_path, tmp / FILES / entry.log)
            (tmp / ENTRY).write_text(entry.to_json(), encoding="utf-8")
            try:
                os.rename(tmp, final)
            except OSError:
                if not (final / ENTRY).is_file():  # not another writer's whole entry: a fault
                    raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return final

    def add_entry(self, entry: Entry, files: Path) -> Path:
        """Store an entry whose files (packages and log) are in `files` (a pulled one)."""
        return self.put(entry, [files / name for name, _ in entry.packages], files / entry.log)

    def entries(self) -> list[Entry]:
        out = []
        for path in sorted(self.root.glob(f"??/*/{ENTRY}")):
            try:
                out.append(Entry.from_json(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, KeyError, TypeError):
                continue
        return sorted(out, key=lambda e: e.created)

    def remove(self, key: str) -> None:
        where = self.path(key)
        if where.is_dir():
            # renamed away first: a reader never sees an entry with half its files
            doomed = Path(tempfile.mkdtemp(prefix=".gone.", dir=where.parent))
            os.rename(where, doomed / key)
            shutil.rmtree(doomed, ignore_errors=True)

    def prune(self, older_than: float | None = None) -> list[Entry]:
        """Remove entries created more than `older_than` seconds ago (all when None)."""
        now = time.time()
        gone = [e for e in self.entries() if older_than is None or now - e.created > older_than]
        for e in gone:
            self.remove(e.key)
        for stale in self.root.glob("??/.*"):  # temporaries of interrupted writers
            if now - stale.stat().st_mtime > 3600:
                shutil.rmtree(stale, ignore_errors=True)
        return gone
