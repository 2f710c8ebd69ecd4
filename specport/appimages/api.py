"""What `specport images ...` (and `specport publish --rebuild-images`) call: one function per
command, each taking the loaded config and a request, returning what the command prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from specport.appimages import records
from specport.appimages.affected import Affected, find_affected
from specport.appimages.build import BuildOptions, Outcome, build_units, promote_record
from specport.appimages.hook import call_hook
from specport.appimages.imagetests import run_tests
from specport.appimages.model import ImageDef, Unit, load_images
from specport.appimages.order import select
from specport.appimages.registry import build_ref, releases
from specport.appimages.repoview import RepoView, open_repo, repo_dir
from specport.appimages.smoke import check_present, smoke_test
from specport.config import Config
from specport.container.engine import Engine, connect
from specport.errors import UsageError
from specport.repo.changes import parse_id
from specport.targets import select_targets


@dataclass(frozen=True)
class Where:
    """Which images, for which targets, from which repository (the commands' shared options)."""

    images_dir: Path | None = None  # --images (default: setting images_dir)
    repo: Path | None = None  # --repo (default: setting repo_dir)
    targets: str | None = None  # --target expression (default: each image's own)
    names: tuple[str, ...] = ()  # images named on the command line (default: all)


@dataclass
class Session:
    images: dict[str, ImageDef]
    units: list[Unit]
    all_units: list[Unit]


def _session(config: Config, where: Where) -> Session:
    root = where.images_dir or Path(config.settings.images_dir)
    images = load_images(root, config.targets)
    only = select_targets(config.targets, where.targets) if where.targets else None
    return Session(
        images,
        select(images, where.names, config.targets, only),
        select(images, (), config.targets, only),
    )


def _repo(config: Config, where: Where) -> RepoView:
    return open_repo(config.settings, repo_dir(config.settings, where.repo))


@dataclass(frozen=True)
class Row:
    image: str
    target: str
    smoke: str
    parent: str
    tags: list[str]
    digest: str
    built: str
    why: list[str]
    last: str  # the newest build's verdict when it was not promoted

    def to_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


def list_images(config: Config, where: Where) -> list[Row]:
    """The images of the tree per target, with their released build (no engine needed)."""
    rows = []
    session = _session(config, where)
    rel = releases(config.settings)
    for unit in session.units:
        current = records.read(config.settings, unit)
        last = records.read(config.settings, unit, records.LAST)
        failed = last is not None and (current is None or last.key != current.key)
        rows.append(
            Row(
                image=unit.image.name,
                target=unit.target.name,
                smoke=unit.image.smoke,
                parent=unit.image.parent or "(base image)",
                tags=rel.release_refs(unit),
                digest=current.digest if current else "",
                built=current.built if current else "",
                why=current.why if current else [],
                last=(last.tests or "not tested") if failed and last else "",
            )
        )
    return rows


def build(
    config: Config, where: Where, *, force: bool = False, promote: bool = True
) -> list[Outcome]:
    """Build (when the key changed), test and promote the named images, parents first."""
    session = _session(config, where)
    units = _with_parents(session, session.units)
    return _build(config, where, session, units, BuildOptions(force=force, promote=promote))


def _build(
    config: Config, where: Where, session: Session, units: list[Unit], options: BuildOptions
) -> list[Outcome]:
    engine: Engine = connect()
    repo = _repo(config, where)
    return build_units(
        engine, session.images, units, config.settings, repo, releases(config.settings), options
    )


def _with_parents(session: Session, units: list[Unit]) -> list[Unit]:
    """units plus the parents they need built first (a no-op when those are up to date)."""
    wanted = {u.label for u in units}
    for unit in reversed(session.all_units):
        if unit.label in wanted and unit.image.parent:
            wanted.add(f"{unit.image.parent}@{unit.target.name}")
    return [u for u in session.all_units if u.label in wanted]


@dataclass
class CheckReport:
    unit: Unit
    passed: list[str] = field(default_factory=list)
    failure: str = ""


def check(config: Config, where: Where) -> list[CheckReport]:
    """Smoke test and pytest files against each named image's newest build."""
    session = _session(config, where)
    repo = _repo(config, where)
    engine = connect()
    out = []
    for unit in session.units:
        last = records.read(config.settings, unit, records.LAST)
        ref = build_ref(unit)
        check_present(engine, ref)
        folder = records.unit_dir(config.settings, unit)
        manifest = last.manifest if last else []
        smoke = smoke_test(
            engine, unit, ref, manifest, repo.held(unit.target), folder / "smoke.log"
        )
        report = CheckReport(unit, smoke.passed, smoke.failure)
        if smoke.ok:
            tests = run_tests(unit, ref, folder / "tests.log")
            if tests.ran and tests.ok:
                report.passed.append(tests.summary)
            elif tests.ran:
                report.failure = tests.summary
        out.append(report)
    return out


def affected(config: Config, where: Where, since: str | None = None) -> list[Affected]:
    session = _session(config, where)
    directory = repo_dir(config.settings, where.repo)
    first = parse_id(since) if since else None
    found = find_affected(session.all_units, session.images, config.settings, directory, first)
    named = {u.label for u in session.units}
    return [a for a in found if a.unit.label in named]


@dataclass
class RebuildReport:
    affected: list[Affected]
    outcomes: list[Outcome]
    hook_ok: bool = True

    @property
    def ok(self) -> bool:
        return all(o.ok for o in self.outcomes)

    def failed_line(self) -> str:
        failed = [o.unit.label for o in self.outcomes if not o.ok]
        return f"{', '.join(failed)} not promoted (release tags not moved)"

    def lines(self) -> list[str]:
        """What a terminal shows: why each image is affected, then what became of it."""
        if not self.affected:
            return ["no image is affected: nothing to rebuild"]
        out = [f"{a.unit.label} affected: {'; '.join(a.reasons)}" for a in self.affected]
        out += [o.line() for o in self.outcomes]
        if not self.hook_ok:
            out.append("the images hook did not take the report (see the warning above)")
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "hook_ok": self.hook_ok,
            "affected": [a.to_json() for a in self.affected],
            "outcomes": [o.to_json() for o in self.outcomes],
        }


def rebuild(config: Config, where: Where, since: str | None = None) -> RebuildReport:
    """Rebuild the affected images in FROM order, test, promote; tell the hook."""
    found = affected(config, where, since)
    if not found:
        return RebuildReport([], [])
    session = _session(config, where)
    labels = {a.unit.label for a in found}
    units = [u for u in session.all_units if u.label in labels]
    why = {a.unit.label: [f"publish {', '.join(map(str, a.publishes))}"] for a in found}
    outcomes = _build(config, where, session, units, BuildOptions(why=why))
    report = RebuildReport(found, outcomes)
    report.hook_ok = call_hook(config.settings.images_hook, report.to_json())
    return report


def promote(config: Config, where: Where) -> list[Outcome]:
    """Promote each named image's newest build, when its tests passed."""
    session = _session(config, where)
    if not where.names:
        raise UsageError("name the images to promote")
    engine = connect()
    rel = releases(config.settings)
    out = []
    for unit in session.units:
        last = records.read(config.settings, unit, records.LAST)
        if last is None:
            raise UsageError(f"{unit.label} was never built")
        if not last.passed:
            out.append(Outcome(unit, "failed", f"not promoted: {last.tests or 'not tested'}", last))
            continue
        out.append(promote_record(engine, unit, config.settings, rel, last))
    return out
