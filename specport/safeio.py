"""Writing outputs safely: never through a symbolic link, atomically, never over an input.

The directory a user names (`-o DIR`, `--repo DIR`) is trusted as a place but must not itself be
a link; every directory below it is opened with O_NOFOLLOW relative to its parent (openat
style), and a file appears by renaming a temporary file (made with O_EXCL|O_NOFOLLOW) over its
name, so a link planted there is replaced, not followed, and readers see the old or the new
content, never half of it.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Collection, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from specport.errors import SourceError, UsageError

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def refuse_link(path: Path) -> Path:
    """path itself, refused when it is a link (dangling or not) or a file; not made here."""
    if path.is_symlink():
        raise UsageError(f"{path} is a symbolic link: specport does not write through links")
    if path.exists() and not path.is_dir():
        raise UsageError(f"{path} exists and is not a directory")
    return path


def check_root(root: Path) -> Path:
    """root made if missing; refused when it (or a dangling name there) is a link or a file."""
    try:
        if root.is_symlink():
            raise UsageError(f"{root} is a symbolic link: specport does not write through links")
        root.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise UsageError(f"{root} exists and is not a directory") from None
    except OSError as exc:
        raise UsageError(f"cannot make directory {root}: {exc.strerror}") from None
    return root


@contextmanager
def open_dir(root: Path, parts: tuple[str, ...] = ()) -> Iterator[int]:
    """A descriptor of root/parts..., each part made if missing and never followed as a link."""
    check_root(root)
    fd = os.open(root, _DIR_FLAGS)
    try:
        for part in parts:
            if part in ("", ".", "..") or "/" in part:
                raise UsageError(f"refusing path component {part!r} under {root}")
            with suppress(FileExistsError):
                os.mkdir(part, 0o755, dir_fd=fd)
            try:
                nxt = os.open(part, _DIR_FLAGS, dir_fd=fd)
            except OSError as exc:
                raise UsageError(
                    f"{root.joinpath(*parts)}: {part} is a link or not a directory "
                    f"({exc.strerror}): specport does not write through links"
                ) from None
            os.close(fd)
            fd = nxt
        yield fd
    finally:
        os.close(fd)


def write_at(
    dir_fd: int, name: str, data: bytes, *, where: str, protect: Collection[Path] = ()
) -> None:
    """Write name in the directory dir_fd atomically; `protect` are inputs it must not replace."""
    if name in ("", ".", "..") or "/" in name:
        raise UsageError(f"refusing file name {name!r} in {where}")
    try:
        old = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        old = None
    if old is not None:
        for p in protect:
            try:
                st = p.stat()
            except OSError:
                continue
            if (st.st_dev, st.st_ino) == (old.st_dev, old.st_ino):
                raise UsageError(f"{where}/{name} is an input file: refusing to write over it")
    temp = f".{name}.{os.getpid()}.tmp"
    fd = os.open(
        temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644,
        dir_fd=dir_fd,
    )  # fmt: skip
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.rename(temp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        with suppress(OSError):
            os.unlink(temp, dir_fd=dir_fd)
        raise


def write_file(root: Path, rel: str | Path, data: bytes, *, protect: Collection[Path] = ()) -> Path:
    """root/rel written safely (see the module docstring); returns the path."""
    parts = Path(rel).parts
    if not parts or Path(rel).is_absolute():
        raise UsageError(f"refusing output path {rel!s} under {root}")
    *dirs, name = parts
    with open_dir(root, tuple(dirs)) as fd:
        write_at(fd, name, data, where=str(root.joinpath(*dirs)), protect=protect)
    return root.joinpath(*parts)


def write_text(path: Path, text: str, *, protect: Collection[Path] = ()) -> Path:
    """path written safely, its directory as the trusted root."""
    return write_file(path.parent, path.name, text.encode("utf-8"), protect=protect)


def replace_text(path: Path, text: str) -> None:
    """path's whole new content at once, for specport's own files in a directory it already
    trusts (caches, a build's manifest): a temporary file beside it (mkstemp: unique across
    threads and processes), renamed over it, which replaces a link there rather than follow it;
    the directory is made when missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def replace_file(path: Path, source: Path) -> None:
    """path becomes a copy of source, by the same temporary-and-rename as replace_text (a link
    at path is replaced, not written through); for files in a directory specport works in."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out, source.open("rb") as src:
            shutil.copyfileobj(src, out, 1 << 20)
        os.chmod(tmp, _mode_of(path))
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def replace_bytes(path: Path, data: bytes) -> None:
    """replace_text for bytes."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(tmp, _mode_of(path))
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _mode_of(path: Path) -> int:
    """The permission bits a replaced regular file had (an executable stays one), else 0o644."""
    try:
        st = path.lstat()
    except OSError:
        return 0o644
    return st.st_mode & 0o777 if stat.S_ISREG(st.st_mode) else 0o644


def regular_file(path: Path, base: Path) -> Path | None:
    """path when it is a regular file inside base, None when nothing is there; a SourceError
    for a symbolic link, a fifo or device, or a path that leads out of base."""
    if "\0" in str(path):
        raise SourceError(f"{str(path)!r} is not a file name (a NUL byte)")
    try:
        mode = path.lstat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise SourceError(f"{path}: {exc.strerror}") from None
    if stat.S_ISLNK(mode):
        raise SourceError(f"{path} is a symbolic link: sources must be regular files")
    if stat.S_ISDIR(mode):
        return None
    if not stat.S_ISREG(mode):
        raise SourceError(f"{path} is not a regular file")
    if not Path(os.path.realpath(path)).is_relative_to(os.path.realpath(base)):
        raise SourceError(f"{path} leads out of {base}: sources must be inside it")
    return path
