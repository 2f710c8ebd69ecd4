"""Option stacks several commands share (not a command): a build run's options (build, rebuild),
the signing key's (publish, build --publish), the package index's (graph, matrix), the
lookaside's (import, fork update, rebase), and --with/--without NAME, the spec's build
conditionals (%bcond) as rpmbuild and debbuild take them: one decorator and one check, so
normalize, graph, matrix, build and rebuild read the same branches for the same options."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click

from specport import log
from specport.app import App
from specport.building.api import RunRequest
from specport.building.plan import DEFAULT_BUILD_TIMEOUT
from specport.building.sources import SourceSearch
from specport.config import cache_root
from specport.errors import UsageError
from specport.normalize.model import Bconds
from specport.repo import PublishReport

F = TypeVar("F", bound=Callable[..., Any])
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def bcond_options(func: F) -> F:
    func = click.option(
        "--without",
        "bcond_without",
        multiple=True,
        metavar="NAME",
        help="Turn the spec's bcond NAME off, as rpmbuild --without (repeatable).",
    )(func)
    return click.option(
        "--with",
        "bcond_with",
        multiple=True,
        metavar="NAME",
        help="Turn the spec's bcond NAME on, as rpmbuild --with (repeatable).",
    )(func)


def bconds_of(with_: Iterable[str], without: Iterable[str]) -> Bconds:
    """The options checked: names rpm accepts for a macro, none both on and off."""
    on, off = tuple(dict.fromkeys(with_)), tuple(dict.fromkeys(without))
    for name in (*on, *off):
        if not _NAME.fullmatch(name):
            raise UsageError(f"--with/--without {name!r}: a bcond name is letters, digits and _")
    both = sorted(set(on) & set(off))
    if both:
        raise UsageError(f"--with and --without both name {', '.join(both)}")
    return Bconds(on, off)


def bconds_from(kw: dict[str, Any]) -> Bconds:
    """From the keyword arguments of a command decorated with bcond_options (removed)."""
    return bconds_of(kw.pop("bcond_with", ()), kw.pop("bcond_without", ()))


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


def run_request(kw: dict[str, Any]) -> RunRequest:
    """The values of run_options, as building.api takes them."""
    return RunRequest(
        jobs=kw["jobs"],
        output=Path(kw["output"]),
        keep_going=kw["keep_going"],
        engine=kw["engine"],
        source_dirs=tuple(kw["source_dirs"]),
        lookaside=kw["lookaside"],
        download=kw["download"],
        cpus=kw["cpus"],
        memory=kw["memory"],
        timeout=kw["timeout"],
        lintian=not kw["no_lintian"],
        cache=not kw["no_cache"],
        with_packages=tuple(Path(d) for d in kw["with_packages"]),
        with_set=tuple(str(v) for v in kw["with_set"]),
        image=kw["image"],
        offline=kw["offline"],
        no_index=kw["no_index"],
        nocheck=kw["nocheck"],
        bconds=bconds_of(kw["bcond_with"], kw["bcond_without"]),
    )


def key_options(func: click.decorators.FC) -> click.decorators.FC:
    """--key-file / --gpg-home / --key-id / --passphrase-env, shared with `build --publish`."""
    options = [
        click.option(
            "--key-file",
            type=click.Path(dir_okay=False, path_type=Path),
            envvar="SPECPORT_KEY_FILE",
            help="Armored secret key to sign with (imported into a temporary GnuPG home).",
        ),
        click.option(
            "--gpg-home",
            type=click.Path(file_okay=False, path_type=Path),
            envvar="GNUPGHOME",
            help="GnuPG home holding the signing key (default: $GNUPGHOME).",
        ),
        click.option("--key-id", default=None, help="Which secret key of --gpg-home to use."),
        click.option(
            "--passphrase-env",
            metavar="NAME",
            default=None,
            help="Environment variable that holds the key's passphrase.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def index_options(func: F) -> F:
    func = click.option(
        "--no-index", is_flag=True, help="Translate names with the rule data only."
    )(func)
    return click.option(
        "--offline", is_flag=True, help="Use only the cached package indexes (no network)."
    )(func)


lookaside_option = click.option(
    "--lookaside",
    default=None,
    help="Where the `sources` file's tarballs are: DIR or URL template with "
    "{name} {filename} {hashtype} {hash} (default: settings.lookaside).",
)


def source_search(app: App, lookaside: str | None) -> SourceSearch:
    """Where import, fork update and rebase look for a `sources` file's tarballs."""
    settings = app.config.settings
    return SourceSearch(
        lookaside=lookaside if lookaside is not None else settings.lookaside,
        cache_dir=cache_root(settings),
    )


def print_report(report: PublishReport) -> None:
    for line in report.lines():
        log.out_console.print(line, markup=False, highlight=False)
    for path in report.consumer_files:
        log.info(f"consumer file: {path}")
    if report.record is not None:
        log.out_console.print(f"publish {report.record.id} recorded", markup=False)
