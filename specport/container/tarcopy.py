"""Files across the container boundary as tar streams: what goes in is owned by root, what comes
out is checked member by member (no absolute names, `..`, paths behind links, devices, control
characters; setuid and setgid bits dropped) before anything lands on the host."""

from __future__ import annotations

import os
import tarfile
from pathlib import Path, PurePosixPath

from specport import safetar
from specport.errors import EngineError, SourceError


def as_root(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    return info


def safe_extract(tar: tarfile.TarFile, dest: Path) -> None:
    links: set[PurePosixPath] = set()
    uid, gid = os.getuid(), os.getgid()
    members = []
    for member in tar.getmembers():
        path = PurePosixPath(member.name)
        if any(ord(c) < 32 or ord(c) == 127 for c in member.name + member.linkname):
            # a newline in a file name would split the lines of every list it lands in
            raise EngineError(f"refusing to copy out {member.name!r}: a control character in it")
        if path.is_absolute() or ".." in path.parts:
            raise EngineError(f"refusing to copy out {member.name!r}: outside the target folder")
        if any(parent in links for parent in path.parents):
            raise EngineError(f"refusing to copy out {member.name!r}: it lies behind a symlink")
        if member.issym() or member.islnk():
            target = PurePosixPath(member.linkname)
            if member.islnk() and (target.is_absolute() or ".." in target.parts):
                raise EngineError(f"refusing to copy out hard link {member.name!r}")
            links.add(path)
        elif not (member.isfile() or member.isdir()):
            continue  # devices and fifos have no business in build outputs
        member.mode &= 0o1777  # drop setuid/setgid
        member.uid, member.gid = uid, gid
        members.append(member)
    try:
        # the data filter's rules on top: they refuse what slipped past the checks above (links
        # out of dest, devices) and drop owners and special mode bits
        safetar.extract_all(tar, dest, label="the container's output", members=members)
    except (SourceError, OSError) as exc:
        raise EngineError(f"refusing to copy out from the container: {exc}") from exc
