"""`specport doctor`: is everything there to build the selected targets? Says how to fix it."""

from __future__ import annotations

import click

from specport.app import App, pass_app
from specport.container.engine import connect
from specport.errors import SpecportError
from specport.images import kinds as img
from specport.images.health import registry_reachable, tool_versions


class DoctorFailed(SpecportError):
    """Something the selected targets need is missing; the report above says what."""


def register(group: click.Group) -> None:
    group.add_command(doctor)


@click.command()
@click.option(
    "--target", "-t", "expression", default=None, help="Only these targets (default all)."
)
@pass_app
def doctor(app: App, expression: str | None) -> None:
    """Check the engine, the images each target needs, host tools and registry access."""
    targets = app.select(expression) if expression else list(app.config.targets.values())
    settings = app.config.settings
    engine = connect()  # fails fast, with its own fix, when no engine answers
    click.echo(f"engine    {engine.kind} {engine.version} (API {engine.api_version})")
    click.echo(f"socket    {engine.socket}")
    for tool, version in tool_versions().items():
        click.echo(f"tool      {tool}: {version or 'missing'}")
    reachable, where = registry_reachable(engine, settings)
    click.echo(f"registry  {where}: {'yes' if reachable else 'no'}")

    fixes: list[str] = []
    for target in targets:
        base_missing = False
        for kind in img.image_chain(target):
            try:
                st = img.status(engine, kind, target, settings)
            except SpecportError as exc:  # one image's problem must not hide the others
                click.echo(f"image     {target.name:<14} {kind:<8} error: {exc}")
                fixes.append(f"{target.name}: {kind} image: {exc}")
                continue
            state = "ok" if st.up_to_date else ("stale" if st.present else "missing")
            click.echo(f"image     {target.name:<14} {kind:<8} {st.image:<32} {state}")
            if st.up_to_date:
                continue
            if kind == "base":
                base_missing = True
                fixes.append(f"{target.name}: {st.note}")
            elif not base_missing:  # the base's fix comes first; building would fail anyway
                fixes.append(f"{target.name}: specport builders build --target {target.name}")
    if fixes:
        click.echo("\nto fix:")
        for fix in dict.fromkeys(fixes):
            click.echo(f"  {fix}")
        raise DoctorFailed(f"{len(fixes)} problem(s) found; see the fixes above")
    click.echo("\nall good")
