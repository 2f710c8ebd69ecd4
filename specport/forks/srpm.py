"""A .src.rpm's files: rpm2cpio turns the package into its cpio payload (it reads the package
header only, never the spec), and the newc archive is unpacked here, in Python, so no path in it
can land outside the fork."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from specport import fetch
from specport.errors import SourceError
from specport.forks.distgit import Snapshot
from specport.forks.record import Upstream
from specport.forks.tree import Tree, safe_relpath
from specport.run import run

RPM2CPIO_TIMEOUT = 300.0
_NEWC_MAGIC = (b"070701", b"070702")
_S_IFMT, _S_IFREG, _S_IFDIR = 0o170000, 0o100000, 0o040000


def srpm_snapshot(source: str) -> Snapshot:
    with tempfile.TemporaryDirectory(prefix="specport-srpm-") as tmp:
        if "://" in source:
            path = fetch.download(source, Path(tmp) / Path(source).name)
        else:
            path = Path(source)
            if not path.is_file():
                raise SourceError(f"{source}: no such .src.rpm")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        files = read_newc(payload(path), source)
    return Snapshot(Upstream("srpm", source, "", f"sha256:{digest}"), files)


@dataclass(frozen=True)
class Entry:
    name: str  # as in the archive, "./" removed
    mode: int
    data: bytes  # a symlink's target for links


def iter_newc(data: bytes, label: str) -> Iterator[Entry]:
    """The members of a cpio "newc" archive (rpm's payload format)."""
    pos = 0
    while True:
        header = data[pos : pos + 110]
        if len(header) < 110 or header[:6] not in _NEWC_MAGIC:
            raise SourceError(f"{label}: not a cpio (newc) payload at byte {pos}")
        try:
            fields = [int(header[6 + 8 * i : 14 + 8 * i], 16) for i in range(13)]
        except ValueError:
            raise SourceError(f"{label}: not a cpio (newc) header at byte {pos}") from None
        mode, filesize, namesize = fields[1], fields[6], fields[11]
        name_start = pos + 110
        name = data[name_start : name_start + namesize - 1].decode("utf-8", errors="replace")
        pos = _align4(name_start + namesize)
        body = data[pos : pos + filesize]
        pos = _align4(pos + filesize)
        if name == "TRAILER!!!":
            return
        if len(body) != filesize:
            raise SourceError(f"{label}: truncated at {name}")
        yield Entry(name.removeprefix("./"), mode, body)


def read_newc(data: bytes, label: str) -> Tree:
    """Regular files of a source package's payload; anything else (links, devices, absolute or
    escaping paths) is refused, not skipped, so a damaged package is never half imported."""
    out: Tree = {}
    for entry in iter_newc(data, label):
        if not safe_relpath(entry.name) or not entry.name.isprintable():
            raise SourceError(f"{label}: refusing the path {entry.name!r} in the package")
        kind = entry.mode & _S_IFMT
        if kind == _S_IFDIR:
            continue
        if kind != _S_IFREG:
            raise SourceError(f"{label}: {entry.name} is not a regular file")
        out[entry.name] = entry.data
    return out


def is_regular(entry: Entry) -> bool:
    return entry.mode & _S_IFMT == _S_IFREG


def payload(package: Path) -> bytes:
    """The cpio payload of any rpm (source or binary), through rpm2cpio."""
    return run(["rpm2cpio", package], timeout=RPM2CPIO_TIMEOUT).stdout


def _align4(n: int) -> int:
    return (n + 3) & ~3
