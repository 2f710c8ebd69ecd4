"""What the commands call to build: one build run (`build`), and its parts `rebuild` reuses.

A run's options come in as a RunRequest (commands/options.py fills it from the command line);
make_options checks them and turns them into BuildOptions, execute prepares, orders, builds and
records, build() adds `--publish`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from specport import safeio
from specport.building.installable import check_installable
from specport.building.plan import DEFAULT_BUILD_TIMEOUT, BuildOptions, Pair, PairResult, make_pairs
from specport.building.results import record as record_results
from specport.building.scheduler import BuildRun, prepare_all
from specport.building.setplan import set_plan, suffix_releases
from specport.building.sources import SourceSearch
from specport.building.summary import print_summary
from specport.cache.store import results_dir
from specport.config import Config, cache_root
from specport.container.engine import connect
from specport.errors import BuildError, UsageError
from specport.gpg import KeyChoice
from specport.index.resolvers import index_mode, make_resolvers
from specport.normalize.model import Bconds
from specport.repo import PublishOptions, PublishReport, publish
from specport.repo.packages import Package, read_package
from specport.targets import Target
from specport.targets.families import family_for_suffix


@dataclass(frozen=True)
class RunRequest:
    """The options of a build run, as given (checked by make_options)."""

    output: Path = Path("dist")
    jobs: int = 1
    keep_going: bool = False
    engine: str | None = None  # "docker", "podman"; None: $DOCKER_HOST's
    source_dirs: tuple[Path, ...] = ()
    lookaside: str | None = None
    download: bool = False
    cpus: float | None = None
    memory: str | None = None
    timeout: float = DEFAULT_BUILD_TIMEOUT
    lintian: bool = True
    cache: bool = True
    with_packages: tuple[Path, ...] = ()
    with_set: tuple[str, ...] = ()  # other specs of the set: paths, blank-separated
    image: str | None = None
    offline: bool = False
    no_index: bool = False
    nocheck: bool = False
    bconds: Bconds = field(default_factory=Bconds)


@dataclass(frozen=True)
class BuildOutcome:
    results: list[PairResult]
    published: PublishReport | None = None

    def raise_failures(self) -> None:
        raise_failures(self.results)


def build(
    config: Config,
    specs: list[Path],
    targets: list[Target],
    run: RunRequest,
    *,
    publish_to: Path | None = None,
    key: KeyChoice | None = None,
) -> BuildOutcome:
    """Build every spec for every target (several specs: in the order of their graph), then
    publish what succeeded into `publish_to` (signed with `key`) when given."""
    building = [s.resolve() for s in specs]
    others = set_specs(run, building)
    options = make_options(config, specs, run, targets, [*building, *others])
    pairs = make_pairs(building, targets)
    results = execute(config, pairs, options, ordered=len(specs) > 1, others=others)
    built = built_packages(results)
    report = None
    if publish_to is not None and built:
        # only what succeeded: a failed pair publishes nothing, the others still do
        with (key or KeyChoice()).open() as signing:
            report = publish(publish_to, built, targets, signing, PublishOptions())
    return BuildOutcome(results, report)


def make_options(
    config: Config, specs: list[Path], run: RunRequest, targets: list[Target], the_set: list[Path]
) -> BuildOptions:
    """BuildOptions from a run's request; checks the paths and numbers first. Names the specs of
    `the_set` build are "built here" for each other (index.resolvers)."""
    for spec in specs:
        if not spec.is_file():
            raise UsageError(f"spec file {spec} does not exist")
    for d in run.source_dirs:
        if not d.is_dir():
            raise UsageError(f"--sources {d}: not a directory")
    if run.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    settings = config.settings
    lookaside = run.lookaside
    cache_dir = cache_root(settings)
    return BuildOptions(
        output=safeio.refuse_link(run.output).resolve(),
        search=SourceSearch(
            dirs=tuple(d.resolve() for d in run.source_dirs),
            lookaside=lookaside if lookaside is not None else settings.lookaside,
            download=run.download,
            cache_dir=cache_dir,
        ),
        jobs=run.jobs,
        keep_going=run.keep_going,
        cpus=run.cpus,
        memory=_memory(run.memory or settings.build_memory),
        pids=_pids(settings.build_pids),
        timeout=run.timeout,
        maintainer=settings.maintainer,
        lintian=run.lintian,
        image=run.image,
        resolvers=make_resolvers(
            targets,
            {s: s.read_text(encoding="utf-8", errors="replace") for s in the_set},
            settings,
            index_mode(settings, offline=run.offline, no_index=run.no_index),
            config.names,
        ),
        with_packages=tuple(d.resolve() for d in run.with_packages),
        result_cache=results_dir(cache_dir, settings.result_cache) if run.cache else None,
        shared_cache=settings.shared_cache if run.cache else "",
        shared_cache_key=_key_file("shared_cache_key", settings.shared_cache_key),
        shared_cache_signing_key=_key_file(
            "shared_cache_signing_key", settings.shared_cache_signing_key
        ),
        lint_cache=cache_dir / "lintian",
        package_cache=cache_dir / "packages",
        spec_answers=cache_dir / "spec-answers",
        nocheck=run.nocheck,
        bconds=run.bconds,
        engine=run.engine,
    )


def _key_file(setting: str, value: str) -> Path | None:
    if not value:
        return None
    path = Path(value).expanduser()
    if not path.is_file():
        raise UsageError(f"settings.{setting}: {path} is not a file")
    return path.resolve()


def _memory(value: str) -> str:
    if not re.fullmatch(r"[1-9][0-9]*[bkmg]?", value.strip().lower()):
        raise UsageError(f"memory limit {value!r}: use a number with b, k, m or g (8g)")
    return value.strip().lower()


def _pids(value: str) -> int:
    if not value.isdigit() or int(value) < 64:
        raise UsageError(f"settings.build_pids {value!r}: a number of processes, at least 64")
    return int(value)


def set_specs(run: RunRequest, building: list[Path]) -> list[Path]:
    """--with-set's specs that are not built in this run."""
    paths = [Path(p).resolve() for value in run.with_set for p in value.split()]
    for p in paths:
        if not p.is_file():
            raise UsageError(f"--with-set: spec file {p} does not exist")
    return [p for p in dict.fromkeys(paths) if p not in building]


def execute(
    config: Config,
    pairs: list[Pair],
    options: BuildOptions,
    *,
    ordered: bool,
    release_suffix: str = "",
    others: list[Path] | None = None,
) -> list[PairResult]:
    """Prepare, order (a set), build, print the summary; the results, failed or not."""
    prepared = prepare_all(pairs, options)  # host only: no container starts before this passes
    try:
        if release_suffix:
            suffix_releases(prepared, release_suffix)
        check_installable(prepared, options, config.settings)  # still no container
        # a set builds in the order of its graph; one spec per target needs none
        plan = set_plan(prepared, others or [], options.bconds) if ordered or others else None
        conn = connect(engine=options.engine)
    except BaseException:
        for p in prepared:
            p.cleanup()
        raise
    results = BuildRun(conn, config.settings, options, plan).run(prepared)
    flags = options.build_flags()
    record_results(results, flags)
    print_summary(results, flags)
    return results


def raise_failures(results: list[PairResult]) -> None:
    failed = [r for r in results if not r.ok and not r.skipped and not r.blocked]
    if failed:
        first = failed[0]
        more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
        blocked = sum(1 for r in results if r.blocked)
        more += f"; {blocked} blocked by it" if blocked else ""
        where = f"log: {first.log_path}"
        raise BuildError(
            f"{first.pair.label}: {first.message}{more}",
            hint=f"{first.advice}; {where}" if first.advice else where,
        )


def built_packages(results: list[PairResult]) -> dict[str, list[Package]]:
    """Target name -> the binary packages its successful pairs made (the target travels with
    the result; .sdeb, debbuild's source package, has no place in a repository)."""
    out: dict[str, list[Package]] = {}
    for r in results:
        for path in r.packages if r.ok else []:
            if family_for_suffix(path.suffix):
                pkg = read_package(path)
                if not pkg.source:
                    out.setdefault(r.pair.target.name, []).append(pkg)
    return out
