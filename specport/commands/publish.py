"""`specport publish`: put built packages into signed rpm-md and APT repositories."""

from __future__ import annotations

from pathlib import Path

import click

from specport import pathnames as names
from specport.app import App, pass_app
from specport.appimages import api as images_api
from specport.commands.options import key_options, print_report
from specport.errors import BuildError, UsageError
from specport.gpg import KeyChoice
from specport.repo import PublishOptions, api


def register(group: click.Group) -> None:
    group.add_command(publish_command)


@click.command("publish")
@click.option(
    "--repo",
    "repo_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Repository directory (made on first use).",
)
@click.option(
    "--target", "-t", "expression", default=None, help="Targets (names, globs, comma list)."
)
@key_options
@click.option(
    "--keep",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Keep the newest N versions of each package (0: all).",
)
@click.option("--base-url", default="", help="URL consumers use (default: file:// of --repo).")
@click.option("--repo-id", default="specport", show_default=True, help="dnf repo id / file names.")
@click.option("--embed-key", is_flag=True, help="Put the key into the .sources files.")
@click.option(
    "--module",
    "modules",
    multiple=True,
    metavar="TARGET=NAME:STREAM",
    help="Publish an rpm target's packages as a module stream (modules.yaml).",
)
@click.option(
    "--rebuild-images",
    is_flag=True,
    help="Then rebuild, test and promote the images (setting images_dir) this publish affects.",
)
@click.argument("packages", nargs=-1, required=True, type=click.Path(path_type=Path))
@pass_app
def publish_command(
    app: App,
    repo_dir: Path,
    expression: str | None,
    key_file: Path | None,
    gpg_home: Path | None,
    key_id: str | None,
    passphrase_env: str | None,
    keep: int,
    base_url: str,
    repo_id: str,
    embed_key: bool,
    modules: tuple[str, ...],
    rebuild_images: bool,
    packages: tuple[Path, ...],
) -> None:
    """Publish PACKAGES (.rpm/.deb files or a build output OUT/<target>/) into --repo."""
    names.repo_id(repo_id)
    targets = app.select(expression) if expression else list(app.config.targets.values())
    options = PublishOptions(
        keep=keep,
        base_url=base_url,
        repo_name=repo_id,
        embed_key=embed_key,
        modules=_parse_modules(modules),
    )
    key = KeyChoice(key_file, gpg_home, key_id, passphrase_env)
    report = api.publish(repo_dir, list(packages), targets, key, options)
    print_report(report)
    if rebuild_images:
        rebuilt = images_api.rebuild(app.config, images_api.Where(repo=repo_dir))
        for line in rebuilt.lines():
            click.echo(line)
        if not rebuilt.ok:
            raise BuildError(rebuilt.failed_line())


def _parse_modules(values: tuple[str, ...]) -> dict[str, str]:
    modules: dict[str, str] = {}
    for value in values:
        target, sep, stream = value.partition("=")
        if not sep or ":" not in stream:
            raise UsageError(f"--module {value!r}: expected TARGET=NAME:STREAM")
        names.module_stream(stream)  # before any work: it goes into the signed modules.yaml
        modules[target] = stream
    return modules
