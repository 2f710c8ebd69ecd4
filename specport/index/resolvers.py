"""The dependency-name resolver of each target for one run of normalize, graph, build or rebuild:
the same layers for all four, so that a name one of them resolves, the others resolve alike."""

from __future__ import annotations

from pathlib import Path

from specport.config import Settings
from specport.errors import UsageError
from specport.index import stores
from specport.namerules import NameRules
from specport.normalize.lines import split_lines
from specport.normalize.provided import provided_names
from specport.normalize.resolver import BuiltHere, Resolver, UserRules, uses_index
from specport.targets.model import Target

MODES = ("auto", "offline", "off")


def index_mode(settings: Settings, *, offline: bool, no_index: bool) -> str:
    """--no-index and --offline win over settings.index ($SPECPORT_INDEX)."""
    mode = "off" if no_index else "offline" if offline else settings.index
    if mode not in MODES:
        raise UsageError(f"settings.index: {mode!r} is not one of {', '.join(MODES)}")
    return mode


def make_resolvers(
    targets: list[Target],
    texts: dict[Path, str],
    settings: Settings,
    mode: str,
    rules: NameRules | None = None,
) -> dict[str, Resolver]:
    """Per target, its family's resolver (deb: the package index unless mode is "off", else the
    rule data; rpm: the rpm-md index when configured), with in front of it what the spec set
    builds (normalize/provided.py: packages, Provides, .pc files and paths of %files; with more than
    one spec) and, on deb targets, the user's name rules (specport.toml [names.*])."""
    lines = {spec: split_lines(text) for spec, text in texts.items()} if len(texts) > 1 else {}
    out: dict[str, Resolver] = {}
    for target in targets:
        built: dict[str, tuple[str, str]] = {}
        for spec, spec_lines in lines.items():
            for capability, package in provided_names(spec_lines, target).items():
                built.setdefault(capability, (package, str(spec)))
        inner = stores.resolver(target, settings, mode)
        if inner is None:
            continue
        chosen: Resolver = BuiltHere(inner, built) if built else inner
        own = rules.for_target(target) if rules is not None else {}
        out[target.name] = UserRules(chosen, own) if own else chosen
    return out


def reads_index(resolver: Resolver | None) -> bool:
    """Does the resolver answer from a package index (not the rule data, not nothing)?"""
    return resolver is not None and uses_index(resolver)
