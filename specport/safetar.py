"""Unpacking archives that come from outside (upstream tarballs, build containers' output) without
letting one write outside its destination.

Python's own "data" filter (tarfile.data_filter: no absolute paths, no `..`, no links leading
out, no device files, no setuid bits) is used where the interpreter has it (3.11.4 and later);
Debian 12's python3 (3.11.2) does not, so the same rules are applied here by hand there.
"""

from __future__ import annotations

import copy
import os
import stat
import tarfile
from pathlib import Path, PurePosixPath

from specport.errors import SourceError


def extract_all(
    tar: tarfile.TarFile,
    dest: Path,
    *,
    label: str,
    members: list[tarfile.TarInfo] | None = None,
) -> None:
    """Unpack the members of tar (default: all) into dest under the data filter's rules;
    SourceError naming `label` and the member for anything that would leave dest or is not
    plain data."""
    dest.mkdir(parents=True, exist_ok=True)
    chosen = tar.getmembers() if members is None else members
    if hasattr(tarfile, "data_filter"):
        try:
            tar.extractall(dest, members=chosen, filter="data")
        except tarfile.FilterError as exc:
            raise SourceError(f"{label}: refused member: {exc}") from None
        return
    checked = [_checked(m, dest.resolve(), label) for m in chosen]
    tar.extractall(dest, members=checked, numeric_owner=True)


def _checked(member: tarfile.TarInfo, dest: Path, label: str) -> tarfile.TarInfo:
    name = member.name
    if name.startswith("/") or ".." in PurePosixPath(name).parts:
        raise SourceError(f"{label}: refused member {name!r}: path leaves the destination")
    if not _inside(dest, dest / name):
        raise SourceError(f"{label}: refused member {name!r}: path leaves the destination")
    if member.ischr() or member.isblk() or member.isfifo() or member.isdev():
        raise SourceError(f"{label}: refused member {name!r}: a device or fifo")
    if member.issym():
        target = member.linkname
        where = (dest / name).parent / target
        if target.startswith("/") or not _inside(dest, where):
            raise SourceError(f"{label}: refused member {name!r}: a link out of the destination")
    if member.islnk():
        target = member.linkname
        if target.startswith("/") or not _inside(dest, dest / target):
            raise SourceError(f"{label}: refused member {name!r}: a link out of the destination")
    # as the data filter does: no setuid/setgid/sticky bits, no group/other write
    mode = member.mode & ~(stat.S_ISUID | stat.S_ISGID | stat.S_ISVTX | 0o022)
    if member.isfile() or member.islnk():
        mode |= stat.S_IRUSR | stat.S_IWUSR
    safe = copy.copy(member)
    safe.mode, safe.uid, safe.gid, safe.uname, safe.gname = mode, 0, 0, "", ""
    return safe


def _inside(dest: Path, path: Path) -> bool:
    resolved = Path(os.path.normpath(path))
    return resolved == dest or dest in resolved.parents
