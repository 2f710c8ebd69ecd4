"""`specport rebase --check`: build the spec before and after the rebase for each target, through
the same code path as `specport build`, and compare what came out (compare.py)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from specport.building.plan import BuildOptions, PairResult, make_pairs
from specport.building.scheduler import BuildRun, prepare_all
from specport.config import Settings
from specport.container.engine import Engine
from specport.forks.compare import TargetDiff, compare, render_target
from specport.targets import Target


@dataclass(frozen=True)
class CheckReport:
    old_version: str
    new_version: str
    builds: dict[str, dict[str, PairResult]]  # target -> "old"/"new" -> result
    diffs: list[TargetDiff]

    def as_dict(self) -> dict[str, object]:
        return {
            "old_version": self.old_version,
            "new_version": self.new_version,
            "builds": {
                target: {
                    side: {
                        "ok": r.ok,
                        "message": r.message,
                        "log": str(r.log_path) if r.log_path else None,
                        "packages": [p.name for p in r.packages],
                    }
                    for side, r in sides.items()
                }
                for target, sides in self.builds.items()
            },
            "targets": [d.as_dict() for d in self.diffs],
        }

    @property
    def failed(self) -> list[str]:
        return [
            f"{side} build for {t}"
            for t, sides in self.builds.items()
            for side, r in sides.items()
            if not r.ok
        ]


def build_and_compare(
    engine: Engine,
    old_spec: Path,
    new_spec: Path,
    versions: tuple[str, str],
    targets: list[Target],
    options: BuildOptions,
    settings: Settings,
) -> CheckReport:
    builds: dict[str, dict[str, PairResult]] = {t.name: {} for t in targets}
    for side, spec in (("old", old_spec), ("new", new_spec)):
        side_options = _with_output(options, options.output / side)
        prepared = prepare_all(make_pairs([spec], targets), side_options)
        for result in BuildRun(engine, settings, side_options).run(prepared):
            builds[result.pair.target.name][side] = result
    diffs = [
        compare(name, sides["old"].packages, sides["new"].packages)
        for name, sides in builds.items()
        if sides["old"].ok and sides["new"].ok
    ]
    return CheckReport(versions[0], versions[1], builds, diffs)


def _with_output(options: BuildOptions, output: Path) -> BuildOptions:
    return replace(options, output=output, keep_going=True)


def render_report(report: CheckReport) -> str:
    out = [f"rebase check: {report.old_version} -> {report.new_version}"]
    for target, sides in report.builds.items():
        for side in ("old", "new"):
            r = sides[side]
            out.append(f"  {target} {side}: {'ok' if r.ok else 'FAILED: ' + r.message}")
    for diff in report.diffs:
        out.extend(render_target(diff))
    return "\n".join(out)
