"""What the fork commands call: `rebase` (a spec onto a new upstream version; with a check,
old and new built and compared). import, fork status and fork update call forks.importer,
forks.status and forks.merge directly: one function each."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from specport import log
from specport.building.plan import BuildOptions
from specport.building.sources import SourceSearch
from specport.config import Config
from specport.container.engine import Engine, connect
from specport.errors import BuildError, ConflictError, UsageError
from specport.forks.check import build_and_compare, render_report
from specport.forks.rebase import (
    RebaseRequest,
    new_workdir,
    plan_rebase,
    render_plan,
    snapshot_old,
    write_rebase,
)
from specport.targets import Target


@dataclass(frozen=True)
class RebaseCheck:
    """--check: build old and new for `targets`, compare, report into `output`."""

    targets: list[Target]
    output: Path
    as_json: bool = False
    image: str | None = None


def rebase(
    config: Config,
    spec: Path,
    version: str,
    source: str,
    search: SourceSearch,
    *,
    replace: tuple[str, ...] = (),
    drop: tuple[str, ...] = (),
    dry_run: bool = False,
    check: RebaseCheck | None = None,
    say: Callable[[str], None] = print,
) -> None:
    """Rebase `spec` onto upstream `version`; `say` prints the plan and the outcome. A patch
    that no longer applies stops it before anything is written (ConflictError)."""
    if not spec.is_file():
        raise UsageError(f"spec file {spec} does not exist")
    engine = None
    if check is not None and check.targets and not dry_run:
        engine = connect()  # before anything is written: no engine, no rebase half checked
    pairs = []
    for item in replace:
        name, sep, file = item.partition("=")
        if not sep or not name or not Path(file).is_file():
            raise UsageError(f"--patch {item}: expected NAME=FILE with an existing FILE")
        pairs.append((name, Path(file).resolve()))
    request = RebaseRequest(
        spec.resolve(),
        version,
        source,
        config.settings.maintainer,
        search,
        replace=tuple(pairs),
        drop=drop,
    )
    work = new_workdir()
    try:
        plan = plan_rebase(request, work)
        say(render_plan(plan))
        if plan.conflicts:
            first = plan.conflicts[0]
            where = "; ".join(
                f"{f.file} hunk #{f.hunk} at line {f.line}" if f.hunk else f"{f.file}: missing"
                for f in first.failures
            )
            names = ", ".join(c.patch.name for c in plan.conflicts)
            raise ConflictError(
                f"{names} no longer appl{'ies' if len(plan.conflicts) == 1 else 'y'} to "
                f"{version}"
                + (f" ({first.patch.name}: {where})" if where else "")
                + "; nothing was written",
                hint="refresh it for the new version and pass --patch NAME=FILE, or --drop NAME",
            )
        if dry_run:
            return
        old_spec = snapshot_old(request.spec, work / "old") if engine is not None else None
        write_rebase(plan)
        dropped = ", ".join(c.patch.name for c in plan.dropped)
        say(f"rebased {spec.name} to {version}" + (f"; dropped {dropped}" if dropped else ""))
        if engine is not None and old_spec is not None and check is not None:
            versions = (plan.old_version, version)
            _check(config, engine, old_spec, request.spec, versions, check, search, say)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _check(
    config: Config,
    engine: Engine,
    old_spec: Path,
    new_spec: Path,
    versions: tuple[str, str],
    check: RebaseCheck,
    search: SourceSearch,
    say: Callable[[str], None],
) -> None:
    settings = config.settings
    output = check.output
    options = BuildOptions(
        output=output.resolve(), search=search, maintainer=settings.maintainer, image=check.image
    )
    report = build_and_compare(
        engine, old_spec, new_spec, versions, check.targets, options, settings
    )
    output.mkdir(parents=True, exist_ok=True)
    text = render_report(report)
    data = json.dumps(report.as_dict(), indent=2)
    (output / "report.txt").write_text(text + "\n", encoding="utf-8")
    (output / "report.json").write_text(data + "\n", encoding="utf-8")
    say(data if check.as_json else text)
    log.info(f"report: {output / 'report.txt'}, {output / 'report.json'}")
    if report.failed:
        raise BuildError(
            f"rebase check: {', '.join(report.failed)} failed", hint=f"logs in {output}"
        )
