"""What a build leaves in OUTPUT/<target>/ besides packages and logs: a manifest naming the
target each package was built for, so `specport publish OUTPUT` never has to guess it from
folder names or release strings."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from specport import safeio
from specport.build.plan import PairResult

MANIFEST = "specport-build.json"


def record(results: Sequence[PairResult]) -> list[Path]:
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
        )
        for directory, done in by_dir.items()
    ]


def write_manifest(directory: Path, target: str, packages: dict[str, str]) -> Path:
    """Record that `packages` (file name -> spec file name) in directory were built for target;
    entries already recorded there stay."""
    path = directory / MANIFEST
    doc = read_manifest(path) or {"target": target, "packages": {}}
    for name, spec in packages.items():
        doc["packages"][name] = {"spec": spec}
    _write_json(path, doc)
    return path


def read_manifest(path: Path) -> dict[str, Any] | None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("target"), str):
        return None
    if not isinstance(doc.get("packages"), dict):
        return None
    return doc


def _write_json(path: Path, doc: dict[str, Any]) -> None:
    safeio.replace_text(path, json.dumps(doc, indent=1, sort_keys=True) + "\n")
