"""What the commands call for a set of specs: their texts, and per target the graph with names
resolved as normalize and build resolve them (the same resolvers: index/resolvers.py)."""

from __future__ import annotations

from pathlib import Path

from specport.config import Config
from specport.errors import SpecError, UsageError
from specport.graph.sets import TargetGraph, graph_of_texts
from specport.index.resolvers import index_mode, make_resolvers
from specport.normalize.model import Bconds
from specport.targets import Target


def read_specs(specs: tuple[Path, ...] | list[Path]) -> list[tuple[str, str]]:
    out = []
    for spec in specs:
        if not spec.is_file():
            raise UsageError(f"spec file {spec} does not exist")
        try:
            out.append((str(spec), spec.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            raise SpecError(f"cannot read the spec: {exc}", path=str(spec)) from None
    return out


def graphs_for(
    config: Config,
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
    settings = config.settings
    mode = index_mode(settings, offline=offline, no_index=no_index)
    texts_by_path = {Path(p): t for p, t in texts}
    resolvers = make_resolvers(targets, texts_by_path, settings, mode, config.names)
    return [graph_of_texts(texts, t, resolvers.get(t.name), bconds) for t in targets]
