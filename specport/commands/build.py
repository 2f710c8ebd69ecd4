"""`specport build`: build specs for targets in throwaway containers.

Several specs are a set: they build in the order of their graph (`specport graph`), each pair
getting the packages the set built before it. `rebuild` shares the options and the run.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from specport import safeio
from specport.app import App, pass_app
from specport.building.plan import DEFAULT_BUILD_TIMEOUT, BuildOptions, Pair, PairResult, make_pairs
from specport.building.results import record as record_results
from specport.building.sources import SourceSearch
from specport.cache.store import results_dir
from specport.commands.bcondopts import bcond_options, bconds_of
from specport.commands.publish import key_options, print_report
from specport.config import cache_root
from specport.errors import BuildError, UsageError
from specport.gpg import open_key, passphrase_from_env
from specport.index.resolvers import index_mode, make_resolvers
from specport.repo import PublishOptions, publish
from specport.repo.packages import Package, read_package
from specport.sandbox.jobs import check_environment
from specport.targets import Target
from specport.targets.families import family_for_suffix

F = TypeVar("F", bound=Callable[..., Any])


def register(group: click.Group) -> None:
    group.add_command(build)


def run_options(func: F) -> F:
    """The options of a build run, shared by `build` and `rebuild`."""
    options = [
        click.option("--jobs", "-j", default=1, show_default=True, help="Pairs built at once."),
        click.option(
            "--output",
            "-o",
            type=click.Path(path_type=Path),
            default=Path("dist"),
            show_default=True,
            help="Packages go to OUTPUT/<target>/, logs to .../logs/.",
        ),
        click.option(
            "--keep-going", "-k", is_flag=True, help="Build the other pairs after a failure."
        ),
        click.option(
            "--engine",
            type=click.Choice(["docker", "podman"]),
            default=None,
            help="Container engine (both through the Docker API; default: $DOCKER_HOST).",
        ),
        click.option(
            "--sources",
            "source_dirs",
            multiple=True,
            type=click.Path(path_type=Path),
            help="Directory with source files (repeatable).",
        ),
        click.option(
            "--lookaside",
            default=None,
            help="Lookaside for dist-git `sources` files: DIR or URL template with "
            "{name} {filename} {hashtype} {hash}.",
        ),
        click.option("--download", is_flag=True, help="Download Source: URLs that are not found."),
        click.option("--cpus", type=float, default=None, help="CPU limit of each container."),
        click.option(
            "--memory",
            default=None,
            help="Memory limit of each container (2g; default: settings.build_memory).",
        ),
        click.option(
            "--timeout",
            type=float,
            default=DEFAULT_BUILD_TIMEOUT,
            show_default=True,
            help="Seconds the build step (rpmbuild/debbuild) may take.",
        ),
        click.option("--no-lintian", is_flag=True, help="Do not run lintian on .debs."),
        click.option(
            "--no-cache",
            is_flag=True,
            help="Build every pair, even one whose inputs the result cache has a build of.",
        ),
        click.option(
            "--with-packages",
            "with_packages",
            multiple=True,
            type=click.Path(file_okay=False, path_type=Path),
            help="Packages built before (earlier waves' OUTPUT): every <target>/ directory under "
            "DIR is part of that target's local repository in each build.",
        ),
        click.option(
            "--with-set",
            "with_set",
            multiple=True,
            help="Other specs of the set (paths, blank-separated): read for the order and the "
            "names of the set's packages, not built.",
        ),
        click.option(
            "--image",
            default=None,
            hidden=True,
            help="Build in this image instead of the target's builder (stand-ins, bench).",
        ),
        click.option("--offline", is_flag=True, help="Use only the cached package indexes."),
        click.option("--no-index", is_flag=True, help="Translate names with the rule data only."),
        click.option(
            "--nocheck", is_flag=True, help="Do not run the spec's %check (rpmbuild --nocheck)."
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return bcond_options(func)


def make_options(
    app: App, specs: list[Path], kw: dict[str, Any], targets: list[Target], the_set: list[Path]
) -> BuildOptions:
    """BuildOptions from run_options' values; checks the paths and numbers first. Names the
    specs of `the_set` build are "built here" for each other (index.resolvers)."""
    for spec in specs:
        if not spec.is_file():
            raise UsageError(f"spec file {spec} does not exist")
    source_dirs: tuple[Path, ...] = kw["source_dirs"]
    for d in source_dirs:
        if not d.is_dir():
            raise UsageError(f"--sources {d}: not a directory")
    if kw["jobs"] < 1:
        raise UsageError("--jobs must be at least 1")
    settings = app.config.settings
    lookaside = kw["lookaside"]
    if kw["engine"] == "podman" and not os.environ.get("DOCKER_HOST"):
        # Podman's Docker-compatible socket, where `podman system service` puts it
        run_dir = os.environ.get("XDG_RUNTIME_DIR", "/run")
        os.environ["DOCKER_HOST"] = f"unix://{run_dir}/podman/podman.sock"
    cache_dir = cache_root(settings)
    return BuildOptions(
        output=safeio.refuse_link(Path(kw["output"])).resolve(),
        search=SourceSearch(
            dirs=tuple(d.resolve() for d in source_dirs),
            lookaside=lookaside if lookaside is not None else settings.lookaside,
            download=kw["download"],
            cache_dir=cache_dir,
        ),
        jobs=kw["jobs"],
        keep_going=kw["keep_going"],
        cpus=kw["cpus"],
        memory=_memory(kw["memory"] or settings.build_memory),
        pids=_pids(settings.build_pids),
        timeout=kw["timeout"],
        maintainer=settings.maintainer,
        lintian=not kw["no_lintian"],
        image=kw["image"],
        resolvers=make_resolvers(
            targets,
            {s: s.read_text(encoding="utf-8", errors="replace") for s in the_set},
            settings,
            index_mode(settings, offline=kw["offline"], no_index=kw["no_index"]),
            app.config.names,
        ),
        with_packages=tuple(Path(d).resolve() for d in kw["with_packages"]),
        result_cache=None if kw["no_cache"] else results_dir(cache_dir, settings.result_cache),
        shared_cache="" if kw["no_cache"] else settings.shared_cache,
        shared_cache_key=_key_file("shared_cache_key", settings.shared_cache_key),
        shared_cache_signing_key=_key_file(
            "shared_cache_signing_key", settings.shared_cache_signing_key
        ),
        lint_cache=cache_dir / "lintian",
        package_cache=cache_dir / "packages",
        spec_answers=cache_dir / "spec-answers",
        nocheck=kw["nocheck"],
        bconds=bconds_of(kw["bcond_with"], kw["bcond_without"]),
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


def set_specs(kw: dict[str, Any], building: list[Path]) -> list[Path]:
    """--with-set's specs that are not built in this run."""
    paths = [Path(p).resolve() for value in kw["with_set"] for p in str(value).split()]
    for p in paths:
        if not p.is_file():
            raise UsageError(f"--with-set: spec file {p} does not exist")
    return [p for p in dict.fromkeys(paths) if p not in building]


def execute(
    app: App,
    pairs: list[Pair],
    options: BuildOptions,
    *,
    ordered: bool,
    release_suffix: str = "",
    others: list[Path] | None = None,
) -> list[PairResult]:
    """Prepare, order (a set), build, print the summary; the results, failed or not."""
    from specport.building.installable import check_installable
    from specport.building.scheduler import BuildRun, prepare_all
    from specport.building.setplan import set_plan, suffix_releases
    from specport.building.summary import print_summary

    prepared = prepare_all(pairs, options)  # host only: no container starts before this passes
    from specport.container.engine import connect

    try:
        if release_suffix:
            suffix_releases(prepared, release_suffix)
        check_installable(prepared, options, app.config.settings)  # still no container
        # a set builds in the order of its graph; one spec per target needs none
        plan = set_plan(prepared, others or [], options.bconds) if ordered or others else None
        conn = connect()
    except BaseException:
        for p in prepared:
            p.cleanup()
        raise
    results = BuildRun(conn, app.config.settings, options, plan).run(prepared)
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


@click.command()
@click.argument("specs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--target", "-t", "expression", required=True, help="Targets (names, globs, list).")
@run_options
@click.option(
    "--publish",
    "publish_repo",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="After the build, publish what succeeded into this repository (see `publish`).",
)
@key_options
@pass_app
def build(
    app: App,
    /,
    specs: tuple[Path, ...],
    expression: str,
    publish_repo: Path | None,
    key_file: Path | None,
    gpg_home: Path | None,
    key_id: str | None,
    passphrase_env: str | None,
    **kw: Any,
) -> None:
    """Build SPEC files for every --target, each in a throwaway container.

    Several SPECS build in the order of their graph: a spec whose BuildRequires another spec of
    the set provides builds after it, with its packages installable (see `specport graph`).
    """
    check_environment()  # the spec sandbox's settings, before any work
    targets = app.select(expression)
    building = [s.resolve() for s in specs]
    others = set_specs(kw, building)
    options = make_options(app, list(specs), kw, targets, [*building, *others])
    pairs = make_pairs(building, targets)
    results = execute(app, pairs, options, ordered=len(specs) > 1, others=others)
    built = built_packages(results)
    if publish_repo is not None and built:
        # only what succeeded: a failed pair publishes nothing, the others still do
        with open_key(
            key_file=key_file,
            gpg_home=gpg_home,
            key_id=key_id,
            passphrase=passphrase_from_env(passphrase_env),
        ) as key:
            report = publish(publish_repo, built, targets, key, PublishOptions())
        print_report(report)
    raise_failures(results)


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
