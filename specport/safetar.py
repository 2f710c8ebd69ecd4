"""Unpacking archives that come from outside (upstream tarballs, build containers' output) without
letting one write outside its destination.

Members are extracted one at a time, each checked against what is already on disk: its
directory is resolved through the links earlier members made (a chain like `x -> .`,
`x/y -> ..`, `x/y/escape` leaves by two steps that each look harmless as text), and must stay
inside; a link's target must resolve inside too; a link already on disk where a file or
directory comes is removed, not written through. Resolution walks one component at a time
below the destination (no path is ever longer than the member's own), and any lookup error but
"no such file" refuses the member. After the last member every link is resolved once more: a
link that pointed at nothing when it was made can point out once later members exist, and is
refused then (nothing was written through it: each write checked its own path).

Python's "data" filter (3.11.4 and later: no absolute paths, no links out, no devices, no
setuid bits, no owners) is applied on top where the interpreter has it; Debian 12's python3
(3.11.2) does not, and the same mode and owner rules are applied here by hand there.
"""

from __future__ import annotations

import contextlib
import copy
import errno
import os
import stat
import tarfile
from pathlib import Path, PurePosixPath

from specport.errors import SourceError

_MAX_HOPS = 40  # links followed while resolving one path (the kernel's ELOOP limit)


def extract_all(
    tar: tarfile.TarFile,
    dest: Path,
    *,
    label: str,
    members: list[tarfile.TarInfo] | None = None,
) -> None:
    """Unpack the members of tar (default: all) into dest under the rules above; SourceError
    naming `label` and the member for anything that would leave dest or is not plain data."""
    dest.mkdir(parents=True, exist_ok=True)
    root = Path(os.path.realpath(dest))
    chosen = tar.getmembers() if members is None else members
    has_filter = hasattr(tarfile, "data_filter")
    links: list[tarfile.TarInfo] = []
    dirs: list[tarfile.TarInfo] = []
    for member in chosen:
        safe = _checked(member, label)
        _check_on_disk(safe, root, label)
        try:
            if has_filter:
                tar.extract(safe, root, set_attrs=not safe.isdir(), filter="data")
            else:
                tar.extract(safe, root, set_attrs=not safe.isdir(), numeric_owner=True)
        except tarfile.TarError as exc:  # the data filter's refusals among them
            raise SourceError(f"{label}: refused member {member.name!r}: {exc}") from None
        except OSError as exc:
            raise SourceError(f"{label}: cannot extract {member.name!r}: {exc.strerror}") from None
        if safe.issym():
            links.append(safe)
        elif safe.isdir():
            dirs.append(safe)
    for link in links:
        if _resolve(root, _parts(link.name), follow_last=True) is None:
            raise SourceError(
                f"{label}: refused member {link.name!r}: a link out of the destination"
            )
    # directory modes last, deepest first (a read-only directory would stop the files in it)
    for d in sorted(dirs, key=lambda m: m.name, reverse=True):
        path = root.joinpath(*_parts(d.name))
        with contextlib.suppress(OSError):  # gone, or too long a path: its mode stays 0o700
            if not stat.S_ISLNK(os.lstat(path).st_mode):
                os.chmod(path, _dir_mode(d.mode))


def _checked(member: tarfile.TarInfo, label: str) -> tarfile.TarInfo:
    """The member's own rules (no disk): a relative name without `..`, no device, no absolute
    link; a copy with safe mode bits and no owner."""
    name = member.name
    if name.startswith("/") or ".." in PurePosixPath(name).parts or "\0" in name:
        raise SourceError(f"{label}: refused member {name!r}: path leaves the destination")
    if member.ischr() or member.isblk() or member.isfifo() or member.isdev():
        raise SourceError(f"{label}: refused member {name!r}: a device or fifo")
    if (member.issym() or member.islnk()) and member.linkname.startswith("/"):
        raise SourceError(f"{label}: refused member {name!r}: a link out of the destination")
    # as the data filter does: no setuid/setgid/sticky bits, no group/other write
    mode = member.mode & ~(stat.S_ISUID | stat.S_ISGID | stat.S_ISVTX | 0o022)
    if member.isfile() or member.islnk():
        mode |= stat.S_IRUSR | stat.S_IWUSR
    safe = copy.copy(member)
    safe.mode, safe.uid, safe.gid, safe.uname, safe.gname = mode, 0, 0, "", ""
    return safe


def _check_on_disk(member: tarfile.TarInfo, root: Path, label: str) -> None:
    """Where the member would land, resolved through what is already extracted."""
    parts = _parts(member.name)
    if not parts:
        if member.isdir():
            return
        raise SourceError(f"{label}: refused member {member.name!r}: not a file name")
    parent = _resolve(root, parts[:-1], follow_last=True)
    if parent is None:
        raise SourceError(f"{label}: refused member {member.name!r}: path leaves the destination")
    here = root.joinpath(*parent, parts[-1])
    if member.issym():
        leaves = _resolve(root, [*parent, *member.linkname.split("/")], follow_last=True) is None
    else:
        leaves = (
            member.islnk() and _resolve(root, _parts(member.linkname), follow_last=True) is None
        )
    if leaves:
        raise SourceError(f"{label}: refused member {member.name!r}: a link out of the destination")
    try:
        if stat.S_ISLNK(os.lstat(here).st_mode):
            here.unlink()  # a file or directory over a link: replace the link, never follow it
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise SourceError(f"{label}: refused member {member.name!r}: {exc.strerror}") from None


def _parts(name: str) -> list[str]:
    return [p for p in name.split("/") if p not in ("", ".")]


def _resolve(root: Path, parts: list[str], *, follow_last: bool) -> list[str] | None:
    """The components below root that `parts` lead to, following the links on disk; None when
    the walk leaves root, meets an absolute link, loops, or a lookup fails other than with
    "no such file" (a name too long for the kernel must not pass unresolved)."""
    done: list[str] = []
    todo = list(reversed(parts))
    hops = 0
    while todo:
        part = todo.pop()
        if part in ("", "."):
            continue
        if part == "..":
            if not done:
                return None
            done.pop()
            continue
        if not todo and not follow_last:
            done.append(part)
            break
        try:
            st = os.lstat(root.joinpath(*done, part))
        except OSError as exc:
            if exc.errno not in (errno.ENOENT, errno.ENOTDIR):
                return None
            done.append(part)
            continue
        if stat.S_ISLNK(st.st_mode):
            hops += 1
            target = os.readlink(root.joinpath(*done, part))
            if hops > _MAX_HOPS or target.startswith("/"):
                return None
            todo.extend(reversed(target.split("/")))
            continue
        done.append(part)
    return done


def _dir_mode(mode: int) -> int:
    return (mode & ~(stat.S_ISUID | stat.S_ISGID | stat.S_ISVTX | 0o022)) | stat.S_IRWXU
