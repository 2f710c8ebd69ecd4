"""`specport builders`: build, bootstrap, list, check and prune the images targets build in (base,
builder and sandbox images; `specport images` is the user's PHP images, commands/appimages.py).

specport builders build --target debian-12     base (bootstrapped if missing) -> builder
specport builders bootstrap debian-12 ubuntu-20.04
specport builders stale                        what is missing or out of date (exit 1 if any)
specport builders list
specport builders prune [--containers [--all]] old specport images; leftover containers
specport builders run debian-12 -- CMD...      a command in a throwaway container (debugging)
specport builders push|pull --target debian-12 base and builder images to/from builders_registry
"""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Callable
from pathlib import Path

import click
from rich.table import Table

from specport import log
from specport.app import App, pass_app
from specport.config import Settings, cache_root
from specport.container import imagestore as local
from specport.container.engine import Engine, connect
from specport.container.imagestore import INPUTS_LABEL, KIND_LABEL, TARGET_LABEL
from specport.container.leftovers import remove_leftovers
from specport.container.runs import Throwaway
from specport.errors import EngineError, UsageError
from specport.images import bootstrap as boot
from specport.images import builder
from specport.images import kinds as img
from specport.images import registry as image_registry
from specport.targets import Target


def register(group: click.Group) -> None:
    group.add_command(builders)


@click.group()
def builders() -> None:
    """Build, bootstrap, list and prune the images targets build in."""


def _targets(app: App, expression: str | None) -> list[Target]:
    return app.select(expression) if expression else list(app.config.targets.values())


@builders.command("build")
@click.argument("kind", required=False)
@click.option(
    "--target", "-t", "expression", required=True, help="Targets (names, globs, comma list)."
)
@click.option("--force", is_flag=True, help="Rebuild even when up to date.")
@pass_app
def build(app: App, kind: str | None, expression: str, force: bool) -> None:
    """Build the images the targets need (or only KIND, e.g. builder), parents first.

    Images whose inputs did not change are skipped. (PHP base and application images are the
    user's: `specport images`.)
    """
    known = img.kinds()
    if kind is not None and kind not in known and kind != "base":
        raise UsageError(f"unknown image kind {kind!r} (known: base, {', '.join(known)})")
    engine = connect()
    settings = app.config.settings
    for target in app.select(expression):
        chain = img.image_chain(target) if kind is None else [kind]
        for name in chain:
            tag, built = img.ensure_image(engine, name, target, settings, force=force)
            if name != "base":
                click.echo(f"{target.name}\t{name}\t{tag}\t{'built' if built else 'up to date'}")


@builders.command("bootstrap")
@click.argument("names", nargs=-1, required=True)
@click.option("--force", is_flag=True, help="Import again even when up to date.")
@pass_app
def bootstrap(app: App, names: tuple[str, ...], force: bool) -> None:
    """Make base images of Debian/Ubuntu targets with mmdebstrap and import them."""
    targets = app.select(",".join(names))
    for target in targets:  # say no to EL targets before any slow work starts
        if not boot.can_bootstrap(target):
            boot.plan_bootstrap(target, app.config.settings, Path("/dev/null"))
    engine = connect()
    for target in targets:
        image, made = boot.bootstrap(engine, target, app.config.settings, force=force)
        click.echo(f"{target.name}\tbase\t{image}\t{'imported' if made else 'up to date'}")


@builders.command("stale")
@click.option(
    "--target", "-t", "expression", default=None, help="Only these targets (default all)."
)
@pass_app
def stale(app: App, expression: str | None) -> None:
    """List images that are missing or out of date; exit 1 when there are any."""
    engine = connect()
    found = 0
    for target in _targets(app, expression):
        for kind in img.image_chain(target):
            st = img.status(engine, kind, target, app.config.settings)
            if not st.up_to_date:
                found += 1
                click.echo(f"{st.target}\t{st.kind}\t{st.image}\t{st.note}")
    if found:
        raise click.exceptions.Exit(1)
    log.info("all images are up to date")


@builders.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_app
def list_images(app: App, as_json: bool) -> None:
    """List the images specport made."""
    rows = []
    for image in local.specport_images(connect()):
        labels = image.get("Labels") or {}
        tags = [t for t in image.get("RepoTags") or [] if t != "<none>:<none>"]
        rows.append(
            {
                "image": ", ".join(tags) or "<untagged>",
                "kind": labels.get(KIND_LABEL, "?"),
                "target": labels.get(TARGET_LABEL, "?"),
                "inputs": labels.get(INPUTS_LABEL, "")[:12],
                "created": datetime.datetime.fromtimestamp(
                    int(image.get("Created", 0)), tz=datetime.UTC
                ).strftime("%Y-%m-%d %H:%M"),
                "size_mb": round(int(image.get("Size", 0)) / 1e6),
            }
        )
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    columns = ("image", "kind", "target", "inputs", "created", "size_mb")
    table = Table(box=None, pad_edge=False)
    for col in columns:
        table.add_column(col)
    for row in rows:
        table.add_row(*(str(row[c]) for c in columns))
    log.out_console.print(table)


@builders.command("prune")
@click.option("--containers", is_flag=True, help="Also remove leftover specport containers.")
@click.option(
    "--all", "everything", is_flag=True, help="With --containers: also those of live processes."
)
@pass_app
def prune(app: App, containers: bool, everything: bool) -> None:
    """Remove untagged specport builders (replaced by newer builds) and leftover containers.

    A container is a leftover when the specport process that made it is gone (killed with
    SIGKILL, machine crash); --all removes running ones too.
    """
    engine = connect()
    if containers:
        for c in remove_leftovers(engine, everything=everything):
            click.echo(f"removed container {c.name} ({c.purpose}, {c.state})")
    for image_id, problem in local.prune_untagged(engine):
        if problem:
            log.warn(f"kept {image_id[:19]}: {problem}")
        else:
            click.echo(f"removed image {image_id[:19]}")


@builders.command("run", context_settings={"ignore_unknown_options": True})
@click.argument("what")
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
@click.option("--timeout", default=3600.0, show_default=True, help="Seconds before the step dies.")
@click.option("--no-network", is_flag=True, help="Run without network.")
@pass_app
def run(app: App, what: str, command: tuple[str, ...], timeout: float, no_network: bool) -> None:
    """Run COMMAND in a throwaway container of WHAT (a target's builder image, or an image).

    For debugging builds (and for the tests that interrupt specport): the container is labelled
    and removed like a build's, and the output is logged under <cache>/logs/.
    """
    targets = app.config.targets
    image = builder.builder_image(targets[what]) if what in targets else what
    if what not in targets and ":" not in what:
        raise UsageError(f"{what!r} is neither a target nor an image reference (NAME:TAG)")
    engine = connect()
    log_path = cache_root(app.config.settings) / "logs" / f"run-{int(time.time())}.log"
    with Throwaway(engine, image, log_path=log_path, purpose="run", network=not no_network) as box:
        log.info(f"container {box.name} (log: {log_path})")
        result = box.run(list(command), timeout=timeout, check=False)
    if log.VERBOSITY < 2:
        click.echo(result.output, nl=False)
    if result.exit_code != 0:
        raise EngineError(f"command exited with code {result.exit_code}")


def _registry(app: App, value: str | None) -> str:
    name = value or app.config.settings.builders_registry
    if not name:
        raise UsageError("no registry: give --registry or set builders_registry")
    return image_registry.registry_name(name)


@builders.command("push")
@click.option(
    "--target", "-t", "expression", required=True, help="Targets (names, globs, comma list)."
)
@click.option("--registry", default=None, help="HOST/NAMESPACE (default: builders_registry).")
@pass_app
def push(app: App, expression: str, registry: str | None) -> None:
    """Push the targets' base and builder images, named by their input keys.

    Credentials: $SPECPORT_REGISTRY_AUTH (user:token), else the engine's own login.
    """
    _transfer(app, expression, registry, image_registry.push, "pushed")


@builders.command("pull")
@click.option(
    "--target", "-t", "expression", required=True, help="Targets (names, globs, comma list)."
)
@click.option("--registry", default=None, help="HOST/NAMESPACE (default: builders_registry).")
@pass_app
def pull(app: App, expression: str, registry: str | None) -> None:
    """Pull the base and builder images this checkout's input keys name, checked and tagged
    with the names builds use."""
    _transfer(app, expression, registry, image_registry.pull, "pulled")


# images.registry.push / pull: (engine, target, settings, registry, auth) -> the references
Mover = Callable[[Engine, Target, Settings, str, str], list[str]]


def _transfer(app: App, expression: str, registry: str | None, move: Mover, done: str) -> None:
    """Push or pull every selected target's images; one line per image reference."""
    name = _registry(app, registry)
    engine = connect()
    for target in app.select(expression):
        for ref in move(engine, target, app.config.settings, name, image_registry.registry_auth()):
            click.echo(f"{target.name}\t{done}\t{ref}")
