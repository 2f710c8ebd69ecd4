"""`specport graph`: which spec of a set needs which, per target, in build waves."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from specport import log
from specport.app import App, pass_app
from specport.commands.options import bcond_options, bconds_of, index_options
from specport.graph import api, render
from specport.graph.sets import TargetGraph, graph_of_texts
from specport.index.resolvers import index_mode, make_resolvers
from specport.normalize.model import Bconds
from specport.targets import Target

F = TypeVar("F", bound=Callable[..., Any])


def register(group: click.Group) -> None:
    group.add_command(graph)


def graphs_for(
    app: App,
    texts: list[tuple[str, str]],
    targets: list[Target],
    *,
    offline: bool,
    no_index: bool,
    bconds: Bconds | None = None,
) -> list[TargetGraph]:
    """Per target, the graph with names resolved as normalize and build resolve them: the
    target's package index (as settings.index, --offline, --no-index say) and the set's names,
    with the branches the build's --with/--without take."""

    settings = app.config.settings
    mode = index_mode(settings, offline=offline, no_index=no_index)
    texts_by_path = {Path(p): t for p, t in texts}
    resolvers = make_resolvers(targets, texts_by_path, settings, mode, app.config.names)
    return [graph_of_texts(texts, t, resolvers.get(t.name), bconds) for t in targets]


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
