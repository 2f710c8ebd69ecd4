"""What specport keeps of each image it built, per image and target, under the state directory
(setting images_state, default <cache_dir>/images):

    <state>/<image>/<target>/current.json   the build whose image the release tags name
    <state>/<image>/<target>/last.json      the newest build, promoted or not (tests failed)
    <state>/<image>/<target>/sbom-<key>.cdx.json   its CycloneDX SBOM

A record holds the build key and its inputs, the image's id and staged digest, its manifest
(the packages its own dpkg/rpm database lists), why it was built, its test verdict and the
release references it was promoted to. The same facts travel as labels on the image.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from specport import log, safeio
from specport.appimages.model import Unit
from specport.config import Settings, cache_root

CURRENT = "current.json"
LAST = "last.json"


@dataclass(frozen=True)
class Installed:
    """One package in an image, as its package database says."""

    name: str
    version: str
    arch: str
    source: str


@dataclass
class BuildRecord:
    image: str
    target: str
    key: str
    inputs: dict[str, Any]  # what the key is the hash of (inputs.py)
    image_id: str = ""  # the engine's id of the built image
    staged: str = ""  # the staging reference it was pushed (or tagged) to
    digest: str = ""  # the staged manifest digest (local engine: the image id)
    manifest: list[Installed] = field(default_factory=list)
    sbom: str = ""  # file name beside the record
    why: list[str] = field(default_factory=list)
    built: str = ""  # UTC time
    tests: str = ""  # "passed", or what failed
    promoted: list[str] = field(default_factory=list)  # release references
    publish: int = 0  # newest publish record when its packages were taken

    @property
    def passed(self) -> bool:
        return self.tests == "passed"

    def holds(self, name: str) -> Installed | None:
        return next((p for p in self.manifest if p.name == name), None)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> BuildRecord:
        doc = dict(doc)
        doc["manifest"] = [Installed(**p) for p in doc.get("manifest", [])]
        return cls(**doc)


def state_root(settings: Settings) -> Path:
    if settings.images_state:
        return Path(settings.images_state).expanduser()
    return cache_root(settings) / "images"


def unit_dir(settings: Settings, unit: Unit) -> Path:
    return state_root(settings) / unit.image.name / unit.target.name


def read(settings: Settings, unit: Unit, which: str = CURRENT) -> BuildRecord | None:
    path = unit_dir(settings, unit) / which
    try:
        return BuildRecord.from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError) as exc:  # a broken record is no record: rebuild
        log.warn(f"ignoring {path}: {type(exc).__name__}")
        return None


def write(settings: Settings, unit: Unit, record: BuildRecord, *, current: bool) -> None:
    """Save as last.json, and as current.json when its image is the released one."""
    folder = unit_dir(settings, unit)
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps(record.to_json(), indent=1, sort_keys=True) + "\n"
    safeio.replace_text(folder / LAST, text)
    if current:
        safeio.replace_text(folder / CURRENT, text)


def write_sbom(settings: Settings, unit: Unit, key: str, text: str) -> str:
    folder = unit_dir(settings, unit)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"sbom-{key[:16]}.cdx.json"
    safeio.replace_text(folder / name, text)
    return name
