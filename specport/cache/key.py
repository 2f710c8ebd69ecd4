"""What a build result depends on, hashed into the key it is cached under.

The key covers every input that can change the packages: the normalized spec (after the
normalizer, the set's renames and any release suffix: exactly what the container builds), the
target's macro files, every Source/Patch file, the builder image id, the build dependencies, the
packages of the set the pair gets (local repository), whether lintian runs (its verdict is part
of the result), the maintainer the post-step writes into .debs without a Packager:, and the
bytes of specport's own files that shape a build's output (building/enginefiles.py: the engine
modules, debfix.sh and debfix.py, the lintian suppressions): a fix to any of them is a miss, not an
old result served again (specport's version string changes far less often than they do).

Build dependencies: the key has the BuildRequires as the spec resolves them for the target (the
names apt/dnf install), not the versions apt/dnf will pick: those are known only after the
install, inside a container, which a hit must not start. The versions come with the builder
image (its id is in the key: rebuilding the image, as `specport builders build` does when the
archive moved on, is a miss); the exact set installed is recorded in the entry as a
lock (building/buildinfo.py), like mock's buildroot lock or Debian's .buildinfo, for audit and
comparison.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from specport import __version__
from specport.digest import file_sha256


@dataclass(frozen=True)
class KeyInputs:
    target: str
    spec: str  # the normalized spec text
    macros: tuple[tuple[str, str], ...]  # (file name, sha256)
    sources: tuple[tuple[str, str], ...]  # (file name, sha256)
    image_id: str
    build_requires: tuple[str, ...]
    set_packages: tuple[tuple[str, str], ...]  # (file name, sha256) of the local repository
    lintian: bool
    maintainer: str = ""
    engine: str = ""  # building/enginefiles.py: specport's own files that shape the output
    # the build's --nocheck/--with/--without: the same inputs built without %check, or with
    # another bcond, are another result
    build_flags: tuple[str, ...] = ()
    specport: str = __version__

    def key(self) -> str:
        doc = json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(doc.encode("utf-8")).hexdigest()


def digests(paths: Iterable[Path]) -> tuple[tuple[str, str], ...]:
    """(name, sha256) of every file, sorted by name; directories are walked."""
    out = []
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        base = path if path.is_dir() else path.parent
        out += [(str(f.relative_to(base)), file_sha256(f)) for f in files]
    return tuple(sorted(out))
