"""`specport graph`: which spec of a set needs which, per target, in build waves."""

from __future__ import annotations

from pathlib import Path

import click

from specport import log
from specport.app import App, pass_app
from specport.commands.options import bcond_options, bconds_of, index_options
from specport.graph import api, render


def register(group: click.Group) -> None:
    group.add_command(graph)


@click.command()
@click.argument("specs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--target", "-t", "expression", required=True, help="Targets (names, globs, list).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "dot", "json"]),
    default="text",
    show_default=True,
    help="text: waves and edges; dot: Graphviz; json: specs, edges, waves, cycles.",
)
@index_options
@bcond_options
@pass_app
def graph(
    app: App,
    specs: tuple[Path, ...],
    expression: str,
    fmt: str,
    offline: bool,
    no_index: bool,
    bcond_with: tuple[str, ...],
    bcond_without: tuple[str, ...],
) -> None:
    """Print the build order of SPECS per --target: who needs whose packages, in waves.

    An edge goes from a spec to each spec of the set whose packages provide one of its
    BuildRequires (as translated for the target). Cycles are listed with the edges that close
    them.
    """

    bconds = bconds_of(bcond_with, bcond_without)
    targets = app.select(expression)
    texts = api.read_specs(specs)
    graphs = api.graphs_for(
        app.config, texts, targets, offline=offline, no_index=no_index, bconds=bconds
    )
    text = {"text": render.as_text, "dot": render.as_dot, "json": render.as_json}[fmt](graphs)
    click.echo(text)
    for tg in graphs:
        for c in tg.cycles:
            log.warn(f"{tg.target.name}: build cycle {tg.cycle_text(c)}")
