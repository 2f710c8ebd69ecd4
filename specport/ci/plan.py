"""The CI plan (the jobs file): which specs each job of each wave builds, for which target.

`specport ci workflow` computes it once from the set's graph (the same waves `specport graph`
shows) and writes it into the repository beside the workflow; each CI job reads it back and
builds only its own job (`specport ci job --wave N --index I`), so the workflow file stays a
few lines per wave however many pairs there are. The workflow carries the plan's digest, and a
job refuses a plan that is not the one its workflow was made from.

A job builds specs of one target (a `specport build` of several specs of different targets
would build every spec for every target); `per_job` puts up to that many specs of one target
and wave into one job, one by default.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from specport.errors import ConfigError, UsageError

JOBS_FILE = ".specport/ci-jobs.json"
VERSION = 1
Row = dict[str, str]


@dataclass(frozen=True)
class Job:
    target: str
    specs: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    specs: tuple[str, ...]  # the whole set, relative to the repository's top
    targets: tuple[str, ...]
    flags: tuple[str, ...]  # each job's build options: --nocheck, --with NAME, --without NAME
    waves: tuple[tuple[Job, ...], ...]

    def job(self, wave: int, index: int) -> Job:
        """Job `index` (from 0) of wave `wave` (from 1); UsageError when there is none."""
        if not 1 <= wave <= len(self.waves):
            raise UsageError(f"--wave {wave}: the plan has waves 1 to {len(self.waves)}")
        jobs = self.waves[wave - 1]
        if not 0 <= index < len(jobs):
            raise UsageError(f"--index {index}: wave {wave} has jobs 0 to {len(jobs) - 1}")
        return jobs[index]

    def to_json(self) -> str:
        doc = {
            "version": VERSION,
            "specs": list(self.specs),
            "targets": list(self.targets),
            "flags": list(self.flags),
            "waves": [
                [{"target": j.target, "specs": list(j.specs)} for j in w] for w in self.waves
            ],
        }
        return json.dumps(doc, indent=1) + "\n"

    def digest(self) -> str:
        return hashlib.sha256(self.to_json().encode("utf-8")).hexdigest()


def job_dir(wave: int, index: int | str) -> str:
    """The directory (under a job's --output) that holds one job's build output: the name its
    artifact is uploaded from, and one of the directories later waves' --with-packages read."""
    return f"wave-{wave}-{index}"


def make_plan(
    by_wave: Sequence[Sequence[tuple[str, str]]],
    specs: Sequence[str],
    targets: Sequence[str],
    flags: Sequence[str],
    per_job: int = 1,
) -> Plan:
    """A plan from (spec, target) pairs per wave: a wave's pairs grouped by target (in the
    order they come), up to `per_job` specs in one job."""
    if per_job < 1:
        raise UsageError("--per-job must be at least 1")
    for spec in specs:
        check_spec_path(spec)
    waves = []
    for pairs in by_wave:
        by_target: dict[str, list[str]] = {}
        for spec, target in pairs:
            by_target.setdefault(target, []).append(spec)
        jobs = [
            Job(target, tuple(names[i : i + per_job]))
            for target, names in by_target.items()
            for i in range(0, len(names), per_job)
        ]
        if jobs:
            waves.append(tuple(jobs))
    return Plan(tuple(specs), tuple(targets), tuple(flags), tuple(waves))


def check_spec_path(spec: str) -> str:
    """A spec path as the plan keeps it: relative to the repository's top, inside it, no blank
    (a job passes the set to `build --with-set`, which splits at blanks)."""
    path = PurePosixPath(spec)
    if path.is_absolute() or ".." in path.parts or not spec or any(c.isspace() for c in spec):
        raise UsageError(
            f"spec {spec!r}: the plan needs paths inside the repository, relative to its top, "
            "without blanks (run from the repository's top)"
        )
    return spec


def relative_spec(path: Path, top: Path) -> str:
    """`path` as the plan writes it: relative to `top` (the repository a CI job checks out)."""
    try:
        rel = path.resolve().relative_to(top.resolve())
    except ValueError:
        raise UsageError(f"spec {path} is outside {top}: run from the repository's top") from None
    return check_spec_path(rel.as_posix())


def from_json(text: str, label: str) -> Plan:
    """A plan read back; ConfigError names what is wrong with a file that is not one."""
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"{label}: not JSON ({exc})") from None
    if not isinstance(doc, dict) or doc.get("version") != VERSION:
        raise ConfigError(f"{label}: not a specport CI plan (version {VERSION})")
    try:
        specs = _strings(doc["specs"])
        waves = tuple(
            tuple(Job(_string(j["target"]), _strings(j["specs"])) for j in _list(wave))
            for wave in _list(doc["waves"])
        )
        plan = Plan(specs, _strings(doc["targets"]), _strings(doc["flags"]), waves)
    except (KeyError, TypeError, ValueError):
        raise ConfigError(
            f"{label}: not a specport CI plan (a field is missing or mistyped)"
        ) from None
    for spec in [*plan.specs, *(s for w in plan.waves for j in w for s in j.specs)]:
        try:
            check_spec_path(spec)
        except UsageError as exc:
            raise ConfigError(f"{label}: {exc.message}") from None
    return plan


def read_plan(path: Path, digest: str = "") -> Plan:
    """The plan in `path`; with `digest` (the workflow's), the plan must be that one."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            f"cannot read the CI plan {path}: {exc.strerror or exc}",
            "`specport ci workflow` writes it; commit it with the workflow",
        ) from None
    plan = from_json(text, str(path))
    if digest and plan.digest() != digest:
        raise UsageError(
            f"{path} is not the plan this workflow was made from (digest {plan.digest()[:12]}, "
            f"the workflow names {digest[:12]})",
            "run `specport ci workflow` again and commit both files",
        )
    return plan


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError(value)
    return value


def _string(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise TypeError(value)
    return value


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(_string(v) for v in _list(value))


# --- matrices split under a CI's job limit --------------------------------------------------


def chunks(rows: Sequence[Any], size: int) -> list[list[Any]]:
    return [list(rows[i : i + size]) for i in range(0, len(rows), size)] or [[]]


def wave_parts(waves: Sequence[Sequence[Any]], size: int) -> list[list[list[Any]]]:
    """Per wave, its parts of at most `size` items."""
    return [chunks(w, size) for w in waves if w]


def wave_json(waves: Sequence[Sequence[Row]], size: int) -> list[dict[str, Any]]:
    """`specport matrix --waves --format json`: each wave's parts with their rows."""
    return [
        {"wave": w, "part": p, "include": rows}
        for w, parts in enumerate(wave_parts(waves, size), start=1)
        for p, rows in enumerate(parts, start=1)
    ]
