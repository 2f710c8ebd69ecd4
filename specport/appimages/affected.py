"""Which images a publish affects: those whose recorded manifest holds a changed package, and
every image built FROM one of them. Several publishes coalesce: an image is listed once, with
every reason."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from specport.appimages import records
from specport.appimages.model import ImageDef, Unit
from specport.config import Settings
from specport.repo.changes import Change, PublishRecord
from specport.repo.changes import records as publish_records


@dataclass
class Affected:
    unit: Unit
    reasons: list[str] = field(default_factory=list)
    publishes: list[int] = field(default_factory=list)  # the publishes that changed what it holds
    changes: list[Change] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {
            "image": self.unit.image.name,
            "target": self.unit.target.name,
            "reasons": self.reasons,
            "publishes": self.publishes,
        }


def find_affected(
    units: Sequence[Unit],
    images: Mapping[str, ImageDef],
    settings: Settings,
    repo_dir: Path,
    since: int | None,
) -> list[Affected]:
    """units in FROM order; since = the first publish to consider (None: for each image, the
    publishes after the newest one its released build had seen)."""
    first = since if since is not None else 1
    published = publish_records(repo_dir, first)
    found: dict[str, Affected] = {}
    for unit in units:
        current = records.read(settings, unit)
        entry = Affected(unit)
        if current is not None:
            start = since if since is not None else current.publish + 1
            for rec in published:
                if rec.id >= start:
                    _direct(entry, current, rec)
        parent = unit.image.parent
        if parent and f"{parent}@{unit.target.name}" in found:
            entry.reasons.append(f"built FROM {parent}, which is affected")
            entry.publishes = sorted(
                {*entry.publishes, *found[f"{parent}@{unit.target.name}"].publishes}
            )
        if entry.reasons:
            found[unit.label] = entry
    return list(found.values())


def _direct(entry: Affected, current: records.BuildRecord, rec: PublishRecord) -> None:
    for change in rec.targets.get(entry.unit.target.name, []):
        held = current.holds(change.name)
        if held is None:
            continue
        entry.reasons.append(
            f"holds {held.name} {held.version}; publish {rec.id}: {change.describe()}"
        )
        entry.changes.append(change)
        if rec.id not in entry.publishes:
            entry.publishes.append(rec.id)
