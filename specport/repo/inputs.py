"""Which packages go to which target: files given one by one, or a build output OUT/<target>/."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from specport import log
from specport.errors import UsageError
from specport.repo.packages import Package, read_package
from specport.targets import Target

FAMILY_OF_SUFFIX = {".rpm": "rpm", ".deb": "deb"}


def collect_files(paths: Sequence[Path]) -> list[Path]:
    """Package files named directly, and every .rpm/.deb below the directories named."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix in FAMILY_OF_SUFFIX)
        elif path.is_file() and path.suffix in FAMILY_OF_SUFFIX:
            found.append(path)
        elif path.exists():
            raise UsageError(f"{path}: not an .rpm or .deb file, nor a directory")
        else:
            raise UsageError(f"{path} does not exist")
    return found


def assign(files: Sequence[Path], targets: Sequence[Target]) -> dict[str, list[Package]]:
    """Target name -> its packages. Source rpms are left out: the repositories are binary."""
    by_target: dict[str, list[Package]] = {}
    for path in files:
        pkg = read_package(path)
        if pkg.source:
            log.info(f"skipping source package {path.name}")
            continue
        target = _target_for(pkg, targets)
        by_target.setdefault(target.name, []).append(pkg)
    return by_target


def _target_for(pkg: Package, targets: Sequence[Target]) -> Target:
    family = [t for t in targets if t.family == pkg.kind]
    if not family:
        raise UsageError(f"{pkg.path}: no {pkg.kind} target selected for it")
    # a build output directory names the target: OUT/<target>/...
    names = {t.name: t for t in family}
    for parent in pkg.path.resolve().parents:
        if parent.name in names:
            return names[parent.name]
    if len(family) == 1:
        return family[0]
    # else the dist tag in the release (.el8, +deb12) may single one out
    matching = [t for t in family if re.search(re.escape(t.dist) + r"(?![0-9])", pkg.release)]
    if len(matching) == 1:
        return matching[0]
    choices = ", ".join(t.name for t in (matching or family))
    raise UsageError(
        f"{pkg.path.name}: cannot tell which target it is for ({choices})",
        hint="choose one with --target, or publish a build output directory OUT/<target>/",
    )
