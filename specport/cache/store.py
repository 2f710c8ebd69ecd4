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
import re
import shutil
import stat
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
    directories that leaves empty; each is made again when next needed.

    Walked by directory descriptors (os.fwalk), each name removed relative to its directory's
    descriptor, never through a link: a writer that swaps a directory for a link to elsewhere
    while this runs makes it remove the link, not what it points to."""
    now, count = time.time(), 0
    if not directory.is_dir() or directory.is_symlink():
        return 0
    for _path, dirnames, filenames, dir_fd in os.fwalk(directory, topdown=False):
        for name in filenames:  # files and links (to files or to anything)
            try:
                st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
                if older_than is None or now - st.st_mtime > older_than:
                    os.unlink(name, dir_fd=dir_fd)
                    count += 1
            except (FileNotFoundError, IsADirectoryError):  # gone, or a writer made a directory
                continue
        for name in dirnames:  # fwalk lists links to directories here too, never follows them
            try:
                if stat.S_ISLNK(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode):
                    os.unlink(name, dir_fd=dir_fd)
                    count += 1
                else:
                    os.rmdir(name, dir_fd=dir_fd)  # only when empty
            except OSError:
                continue
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
    lock: tuple[str, ...] = ()  # name=version installed for the build (building/buildinfo.py)
    inputs: dict[str, Any] = field(default_factory=dict)  # a summary of the key's inputs

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, sort_keys=True) + "\n"

    @staticmethod
    def from_json(text: str) -> Entry:
        """An entry, checked: every name a plain file name (a package's, the log's), every
        digest and the key a sha256; BadEntry (a ValueError) names what is wrong. Entries
        come from other machines (the shared cache): their names become paths here."""
        try:
            doc = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise BadEntry(f"not JSON ({type(exc).__name__})") from None
        if not isinstance(doc, dict):
            raise BadEntry("not a JSON object")
        packages = doc.get("packages")
        if not isinstance(packages, list) or not packages:
            raise BadEntry("no packages")
        pairs = []
        for item in packages:
            if not (isinstance(item, list) and len(item) == 2):
                raise BadEntry("a package is not [name, sha256]")
            pairs.append((_name(item[0], PACKAGE_FILE), _sha256(item[1])))
        if len({n for n, _ in pairs}) != len(pairs):
            raise BadEntry("a package name twice")
        log = _name(doc.get("log"), LOG_FILE)
        if log in {n for n, _ in pairs}:
            raise BadEntry("the log has a package's name")
        created = doc.get("created")
        if not isinstance(created, (int, float)) or isinstance(created, bool):
            raise BadEntry("created is not a number")
        inputs = doc.get("inputs", {})
        if not isinstance(inputs, dict):
            raise BadEntry("inputs is not an object")
        return Entry(
            key=_sha256(doc.get("key")),
            spec=_text(doc.get("spec")),
            target=_text(doc.get("target")),
            created=float(created),
            packages=tuple(pairs),
            log=log,
            lint=_texts(doc.get("lint", [])),
            lock=_texts(doc.get("lock", [])),
            inputs=inputs,
        )


class BadEntry(ValueError):
    """A cache entry that is not one specport wrote: a miss, never a path."""


# the names an entry may give its files: what a build leaves (building/results.py) and a log
PACKAGE_FILE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+~^%:-]{0,250}\.(?:rpm|deb|sdeb)")
LOG_FILE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+~^%:-]{0,250}\.log")
_SHA256 = re.compile(r"[0-9a-f]{64}")


def _name(value: object, rule: re.Pattern[str]) -> str:
    if not isinstance(value, str) or not rule.fullmatch(value):
        raise BadEntry(f"file name {str(value)[:80]!r} is not a plain package or log name")
    return value


def _sha256(value: object) -> str:
    if not isinstance(value, str) or not _SHA256.fullmatch(value):
        raise BadEntry(f"{str(value)[:80]!r} is not a sha256")
    return value


def _text(value: object) -> str:
    if not isinstance(value, str) or len(value) > 4096:
        raise BadEntry("a field is not a short string")
    return value


def _texts(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise BadEntry("a list of strings is not one")
    return tuple(value)


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
        except (OSError, ValueError):
            return None
        if entry.key != key:
            return None
        for name, digest in entry.packages:
            path = where / FILES / name
            if not path.is_file() or file_sha256(path) != digest:
                self.remove(key)
                return None
        return entry

    def files(self, entry: Entry) -> Path:
        return self.path(entry.key) / FILES

    def put(self, entry: Entry, packages: list[Path], log_path: Path) -> Path:
        """Store `entry` with copies of its packages and log; an existing entry stays."""
        Entry.from_json(entry.to_json())  # BadEntry: names no reader would take
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
            except (OSError, ValueError):
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
