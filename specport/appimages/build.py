"""Build, test and promote the user's images, parents first.

For each unit (image, target): resolve the parent (the released build of the parent image
here, or the target's base image), fill the context and compute the key (inputs.py). A key
equal to the released build's is a no-op. Otherwise build into the local staging reference,
read the manifest (the image's own package database), stage it (push), write its SBOM, run the
smoke test and the image's pytest files, and promote the staged digest to the release tags
only when all passed. A unit whose parent failed (or was blocked) is blocked: it is not built,
and its release tags stay where they were.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from specport import log
from specport.appimages import records
from specport.appimages.imagetests import run_tests
from specport.appimages.inputs import Prepared, prepare
from specport.appimages.manifest import read_manifest, sbom
from specport.appimages.model import ImageDef, Unit
from specport.appimages.registry import Releases, build_ref, released_ref
from specport.appimages.repoview import RepoView
from specport.appimages.smoke import smoke_test
from specport.appimages.why import reasons
from specport.config import Settings
from specport.container.engine import Engine
from specport.container.imagestore import build_image
from specport.container.transfer import image_config
from specport.container.transfer import tag as tag_image
from specport.errors import SpecportError
from specport.images.bootstrap import base_image
from specport.images.kinds import ensure_base_image
from specport.repo.changes import latest_id

LABEL_IMAGE = "specport.appimage"
LABEL_TARGET = "specport.target"
LABEL_KEY = "specport.image-key"
LABEL_WHY = "specport.why"
LABEL_PUBLISH = "specport.publish"


@dataclass
class Outcome:
    unit: Unit
    state: str  # "up to date", "promoted", "built" (not promoted), "failed", "blocked"
    detail: str = ""
    record: records.BuildRecord | None = None
    promoted: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.state in ("up to date", "promoted", "built")

    def line(self) -> str:
        """image, target, state, detail, why, release references: tab-separated."""
        why = "; ".join(self.record.why) if self.record and self.state != "up to date" else ""
        parts = [self.unit.image.name, self.unit.target.name, self.state, self.detail, why]
        return "\t".join([*parts, " ".join(self.promoted)]).rstrip()

    def to_json(self) -> dict[str, object]:
        rec = self.record
        return {
            "image": self.unit.image.name,
            "target": self.unit.target.name,
            "state": self.state,
            "detail": self.detail,
            "digest": rec.digest if rec else "",
            "key": rec.key if rec else "",
            "why": rec.why if rec else [],
            "promoted": self.promoted,
            "manifest_size": len(rec.manifest) if rec else 0,
            "seconds": round(self.seconds, 1),
        }


@dataclass(frozen=True)
class BuildOptions:
    force: bool = False  # build even when the key is unchanged
    promote: bool = True  # move the release tags when the tests pass
    why: Mapping[str, list[str]] = field(default_factory=dict)  # unit label -> more reasons


def build_units(
    engine: Engine,
    images: Mapping[str, ImageDef],
    units: Sequence[Unit],
    settings: Settings,
    repo: RepoView,
    releases: Releases,
    options: BuildOptions,
) -> list[Outcome]:
    """Each unit in the given (FROM) order; failures stop their children, not the others."""
    done: dict[str, Outcome] = {}
    for unit in units:
        started = time.monotonic()
        parent = f"{unit.image.parent}@{unit.target.name}" if unit.image.parent else ""
        if parent in done and not done[parent].ok:
            outcome = Outcome(unit, "blocked", f"parent {parent} {done[parent].state}")
        else:
            try:
                outcome = _one(engine, images, unit, settings, repo, releases, options)
            except SpecportError as exc:
                outcome = Outcome(unit, "failed", str(exc))
        outcome.seconds = time.monotonic() - started
        done[unit.label] = outcome
        _say(outcome)
    return list(done.values())


def _say(outcome: Outcome) -> None:
    text = f"{outcome.unit.label}: {outcome.state}" + (
        f" ({outcome.detail})" if outcome.detail else ""
    )
    (log.info if outcome.ok else log.warn)(text)


def _parent(
    engine: Engine, images: Mapping[str, ImageDef], unit: Unit, settings: Settings
) -> tuple[str, str]:
    """(FROM reference, its image id)."""
    if unit.image.parent:
        parent = Unit(images[unit.image.parent], unit.target)
        ref = released_ref(parent)
        config = image_config(engine, ref)
        if config is None:
            raise SpecportError(f"parent {parent.label} has no released build in the engine")
        return ref, config.id
    ref = ensure_base_image(engine, unit.target, settings)
    config = image_config(engine, ref)
    if config is None:  # ensure_base_image made or found it
        raise SpecportError(f"base image {base_image(unit.target, settings)} vanished")
    return ref, config.id


def _one(
    engine: Engine,
    images: Mapping[str, ImageDef],
    unit: Unit,
    settings: Settings,
    repo: RepoView,
    releases: Releases,
    options: BuildOptions,
) -> Outcome:
    parent_ref, parent_id = _parent(engine, images, unit, settings)
    cursor = latest_id(repo.directory)
    with tempfile.TemporaryDirectory(prefix="specport-image-") as tmp:
        prepared = prepare(unit, repo, Path(tmp), parent_ref=parent_ref, parent_id=parent_id)
        current = records.read(settings, unit)
        if current is not None and current.key == prepared.key and not options.force:
            config = image_config(engine, released_ref(unit))
            if config is not None and config.id == current.image_id:
                if current.publish != cursor:  # seen these publishes: nothing to do for them
                    current.publish = cursor
                    records.write(settings, unit, current, current=True)
                return Outcome(unit, "up to date", current.digest[:19], current, current.promoted)
        why = reasons(current, prepared, force=options.force) + list(
            options.why.get(unit.label, [])
        )
        image_id = _built_or_reused(engine, unit, settings, prepared, why, cursor)
    record = records.BuildRecord(
        image=unit.image.name,
        target=unit.target.name,
        key=prepared.key,
        inputs=prepared.inputs,
        image_id=image_id,
        why=why,
        built=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        publish=cursor,
    )
    return check_and_promote(engine, unit, settings, repo, releases, record, options.promote)


def _built_or_reused(
    engine: Engine,
    unit: Unit,
    settings: Settings,
    prepared: Prepared,
    why: list[str],
    cursor: int,
) -> str:
    """The id of the image the key names: the last build when it is still there, else a build."""
    last = records.read(settings, unit, records.LAST)
    config = image_config(engine, build_ref(unit))
    if last is not None and last.key == prepared.key and config and config.id == last.image_id:
        log.info(f"{unit.label}: the last build has these inputs; testing it again")
        return config.id
    folder = records.unit_dir(settings, unit)
    folder.mkdir(parents=True, exist_ok=True)
    log_path = folder / "build.log"
    log_path.write_text("")
    log.step(f"{unit.label}: building ({'; '.join(why)}; log: {log_path})")
    labels = {
        LABEL_IMAGE: unit.image.name,
        LABEL_TARGET: unit.target.name,
        LABEL_KEY: prepared.key,
        LABEL_WHY: "; ".join(why)[:500],
        LABEL_PUBLISH: str(cursor),  # the newest publish whose metadata the packages came from
    }
    build_image(
        engine,
        prepared.context,
        build_ref(unit),
        labels,
        log_path,
        dockerfile=unit.image.containerfile,
        buildargs=prepared.args,
    )
    config = image_config(engine, build_ref(unit))
    if config is None:
        raise SpecportError(f"{unit.label}: the engine has no image after the build")
    return config.id


def check_and_promote(
    engine: Engine,
    unit: Unit,
    settings: Settings,
    repo: RepoView,
    releases: Releases,
    record: records.BuildRecord,
    promote: bool,
) -> Outcome:
    """Manifest, staging, SBOM, smoke test and pytest files of the built image; promotion
    when they pass (and promote is set). The record is saved either way."""
    folder = records.unit_dir(settings, unit)
    folder.mkdir(parents=True, exist_ok=True)
    ref = build_ref(unit)
    record.manifest = read_manifest(engine, ref, unit, folder / "manifest.log")
    record.staged = releases.staging_ref(unit)
    record.digest = releases.stage(engine, unit, record.image_id, folder / "push.log")
    text = sbom(unit, record.staged, record.digest, record.manifest)
    record.sbom = records.write_sbom(settings, unit, record.key, text)
    smoke = smoke_test(
        engine, unit, ref, record.manifest, repo.held(unit.target), folder / "smoke.log"
    )
    if not smoke.ok:
        record.tests = f"smoke test ({unit.image.smoke}): {smoke.failure}"
    else:
        tests = run_tests(unit, ref, folder / "tests.log")
        record.tests = "passed" if tests.ok else tests.summary
    if not record.passed:
        records.write(settings, unit, record, current=False)
        return Outcome(unit, "failed", f"{record.tests}; release tags not moved", record)
    if not promote:
        records.write(settings, unit, record, current=False)
        return Outcome(unit, "built", f"tests passed; staged as {record.staged}", record)
    return promote_record(engine, unit, settings, releases, record)


def promote_record(
    engine: Engine,
    unit: Unit,
    settings: Settings,
    releases: Releases,
    record: records.BuildRecord,
) -> Outcome:
    """Move the release tags to the record's staged digest (never a build)."""
    folder = records.unit_dir(settings, unit)
    record.promoted = releases.promote(engine, unit, record.digest, folder / "push.log")
    tag_image(engine, record.image_id, released_ref(unit))
    records.write(settings, unit, record, current=True)
    return Outcome(unit, "promoted", record.digest[:19], record, record.promoted)
