"""A package's files as data: relative path -> bytes, read and written without following links."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from specport.building.sources import read_sources_file
from specport.errors import SourceError

Tree = dict[str, bytes]

# never part of a package's files: VCS data and the fork's own bookkeeping
SKIP_TOP = {".git", ".specport-fork", "specport-fork.toml"}


def read_tree(directory: Path, *, skip: set[str] | None = None) -> Tree:
    """Regular files under directory; symlinks are refused (a repository could point one at any
    file of the host), `skip` names top-level entries to leave out."""
    out: Tree = {}
    leave = SKIP_TOP | (skip or set())
    for path in sorted(directory.rglob("*")):
        rel = path.relative_to(directory)
        if rel.parts[0] in leave:
            continue
        if path.is_symlink():
            raise SourceError(f"{path}: a symbolic link; a package's files must be regular files")
        if path.is_file():
            out[rel.as_posix()] = path.read_bytes()
    return out


def lookaside_names(tree: Tree) -> set[str]:
    """The files the `sources` file lists: they come from the lookaside, not from the repo."""
    if "sources" not in tree:
        return set()
    # read_sources_file (the build's parser, one for both) reads a file
    with tempfile.TemporaryDirectory(prefix="specport-sources-") as tmp:
        (Path(tmp) / "sources").write_bytes(tree["sources"])
        return set(read_sources_file(Path(tmp) / "sources"))


def package_files(directory: Path) -> Tree:
    """The fork's own files: what read_tree sees, less the tarballs the lookaside provides."""
    tree = read_tree(directory)
    for name in lookaside_names(tree):
        tree.pop(name, None)
    return tree


def write_tree(directory: Path, tree: Tree) -> None:
    for rel, data in tree.items():
        dest = directory / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)


def replace_tree(directory: Path, tree: Tree) -> None:
    """directory holds exactly `tree` afterwards."""
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    write_tree(directory, tree)


def safe_relpath(name: str) -> bool:
    parts = Path(name).parts
    return bool(parts) and not Path(name).is_absolute() and ".." not in parts


def find_spec(tree: Tree, where: str) -> str:
    specs = sorted(p for p in tree if p.endswith(".spec") and "/" not in p)
    if len(specs) != 1:
        found = ", ".join(specs) or "none"
        raise SourceError(f"{where}: expected one .spec file at the top, found {found}")
    return specs[0]
