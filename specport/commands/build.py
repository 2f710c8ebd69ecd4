"""`specport build`: build specs for targets in throwaway containers (building/api.py).

Several specs are a set: they build in the order of their graph (`specport graph`), each pair
getting the packages the set built before it. `rebuild` shares the options and the run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from specport.app import App, pass_app
from specport.building import api
from specport.commands.options import key_options, print_report, run_options, run_request
from specport.gpg import KeyChoice
from specport.sandbox.jobs import check_environment


def register(group: click.Group) -> None:
    group.add_command(build)


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
    key = KeyChoice(key_file, gpg_home, key_id, passphrase_env)
    outcome = api.build(
        app.config, list(specs), targets, run_request(kw), publish_to=publish_repo, key=key
    )
    if outcome.published is not None:
        print_report(outcome.published)
    outcome.raise_failures()
