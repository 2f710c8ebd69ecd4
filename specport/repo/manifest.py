"""The manifest a build leaves in OUTPUT/<target>/ (specport-build.json): the target each package
was built for, so `specport publish OUTPUT` never has to guess it from folder names or release
strings, and how it was built (`build_flags`: --nocheck, --with NAME, --without NAME, as
rpmbuild/debbuild got them; [] for a plain build). The build writes it, publishing reads it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from specport import safeio

MANIFEST = "specport-build.json"


def write_manifest(
    directory: Path, target: str, packages: dict[str, str], build_flags: Sequence[str] = ()
) -> Path:
    """Record that `packages` (file name -> spec file name) in directory were built for target
    with `build_flags`; entries already recorded there stay."""
    path = directory / MANIFEST
    doc = read_manifest(path) or {"target": target, "packages": {}}
    for name, spec in packages.items():
        doc["packages"][name] = {"spec": spec, "build_flags": list(build_flags)}
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
