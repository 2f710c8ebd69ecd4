"""Which packages go to which target.

The target of a package is a fact the build knew: a build output directory carries a manifest
(repo/manifest.py) naming the target of every package in it, and `build --publish` hands its
results over directly. A package file named on its own goes to the one selected target of its
family, or the user names it with --target; nothing is guessed from paths or release strings.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from specport import log
from specport.errors import UsageError
from specport.repo.manifest import MANIFEST, read_manifest
from specport.repo.packages import Package, read_package
from specport.targets import Target
from specport.targets.families import family_for_suffix


def assign_paths(paths: Sequence[Path], targets: Sequence[Target]) -> dict[str, list[Package]]:
    """Target name -> its binary packages, from build output directories and package files."""
    by_name = {t.name: t for t in targets}
    by_target: dict[str, list[Package]] = {}

    def add(target: Target, path: Path) -> None:
        pkg = read_package(path)
        if pkg.source:
            log.info(f"skipping source package {path.name}")  # the repositories are binary
            return
        if pkg.kind != target.family:
            raise UsageError(f"{path}: a {pkg.kind} package, but {target.name} is {target.family}")
        by_target.setdefault(target.name, []).append(pkg)

    for path in paths:
        if path.is_dir():
            manifests = sorted(path.rglob(MANIFEST))
            if not manifests:
                raise UsageError(
                    f"{path}: no specport build output in it (no {MANIFEST})",
                    hint="publish the --output directory of `specport build`, or package files",
                )
            for manifest in manifests:
                for target, pkg in _from_manifest(manifest, by_name):
                    add(target, pkg)
        elif path.is_file() and family_for_suffix(path.suffix):
            add(_single_target(path, targets), path)
        elif path.exists():
            raise UsageError(f"{path}: not an .rpm or .deb file, nor a directory")
        else:
            raise UsageError(f"{path} does not exist")
    return by_target


def _from_manifest(manifest: Path, by_name: dict[str, Target]) -> list[tuple[Target, Path]]:
    doc = read_manifest(manifest)
    if doc is None:
        raise UsageError(f"{manifest}: not a specport build manifest")
    name = doc["target"]
    if name not in by_name:
        log.info(f"skipping {manifest.parent}: built for {name}, which is not selected")
        return []
    out = []
    for filename in sorted(doc["packages"]):
        pkg = manifest.parent / filename
        if Path(filename).name != filename or not pkg.is_file():
            raise UsageError(f"{manifest}: lists {filename!r}, which is not a file beside it")
        if family_for_suffix(pkg.suffix):  # .sdeb and the like stay out of repositories
            out.append((by_name[name], pkg))
    return out


def _single_target(path: Path, targets: Sequence[Target]) -> Target:
    family = family_for_suffix(path.suffix)
    candidates = [t for t in targets if t.family == family]
    if len(candidates) == 1:
        return candidates[0]
    choices = ", ".join(t.name for t in candidates) or f"no {family} target selected"
    raise UsageError(
        f"{path.name}: which target is it for? ({choices})",
        hint="name one with --target, or publish the build output directory, which records it",
    )
