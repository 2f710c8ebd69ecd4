"""The bytes of specport's own files that shape a build's output, as one digest in the result
cache's key (cache/key.py: KeyInputs.engine): a fix to any of them is a miss, not an old result
served again."""

from __future__ import annotations

import functools
import hashlib
from importlib import resources

# specport's files (relative to the package) whose content shapes what a build puts out: the
# engines and what they run in the container or on its output. A change to any is a new key.
ENGINE_FILES = (
    "building/engines.py",
    "building/debbuild.py",
    "building/rpmbuild.py",
    "building/debfix.py",
    "building/debdeps.py",
    "building/debfix.sh",
    "building/debdocs.py",
    "building/reproducible.py",
    "building/localrepo.py",
    "building/downloads.py",
    "building/lintian.py",
    "building/lintian-suppress.toml",
    "building/lintverdict.py",
    "building/builders.py",
    "targets/families.py",
)


@functools.cache
def engine_digest() -> str:
    """sha256 over ENGINE_FILES' names and bytes, as installed (a wheel or the work tree)."""
    root = resources.files("specport")
    digest = hashlib.sha256()
    for rel in ENGINE_FILES:
        data = root.joinpath(*rel.split("/")).read_bytes()
        digest.update(f"{rel}\0{len(data)}\0".encode() + data)
    return digest.hexdigest()
