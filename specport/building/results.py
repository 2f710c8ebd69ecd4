"""What a build leaves in OUTPUT/<target>/: package files checked by name and kind, and the
manifest (repo/manifest.py) that names the target of each, for `specport publish OUTPUT`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from specport.building.plan import PairResult
from specport.errors import BuildError
from specport.repo.manifest import write_manifest

# what a package file's name may be: rpm's name-version-release.arch.rpm and dpkg's
# name_version_arch.deb characters (an epoch as %3a or :), nothing a line or a path could hide in
PACKAGE_FILE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+~^%:-]{0,250}\.(?:rpm|deb|sdeb)")


def check_output(directory: Path) -> list[Path]:
    """The files a build left in its result directory, each a regular file with a package
    file's name; anything else (a link, a directory, a name with a newline) fails the pair:
    the spec's code wrote it, as root, and `publish` would take it in."""
    found = []
    for path in sorted(directory.iterdir()) if directory.is_dir() else []:
        if not PACKAGE_FILE.fullmatch(path.name):
            raise BuildError(f"the build left {path.name!r} in its output: not a package name")
        if path.is_symlink() or not path.is_file():
            raise BuildError(f"the build left {path.name!r} in its output: not a regular file")
        found.append(path)
    return found


def record(results: Sequence[PairResult], build_flags: Sequence[str] = ()) -> list[Path]:
    """Add each successful pair's packages to the manifest of its target directory."""
    by_dir: dict[Path, list[PairResult]] = {}
    for r in results:
        if r.ok and r.packages:
            by_dir.setdefault(r.packages[0].parent, []).append(r)
    return [
        write_manifest(
            directory,
            done[0].pair.target.name,
            {pkg.name: r.pair.spec.name for r in done for pkg in r.packages},
            build_flags,
        )
        for directory, done in by_dir.items()
    ]
