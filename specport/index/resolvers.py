"""The dependency-name resolver of each deb target for one run of normalize or build."""

from __future__ import annotations

from pathlib import Path

from specport.config import Settings
from specport.errors import UsageError
from specport.spec.deps import provided_names
from specport.spec.resolver import BuiltHere, IndexResolver, Resolver, RuleResolver
from specport.targets.model import Target

MODES = ("auto", "offline", "off")


def index_mode(settings: Settings, *, offline: bool, no_index: bool) -> str:
    """--no-index and --offline win over settings.index ($SPECPORT_INDEX)."""
    mode = "off" if no_index else "offline" if offline else settings.index
    if mode not in MODES:
        raise UsageError(f"settings.index: {mode!r} is not one of {', '.join(MODES)}")
    return mode


def make_resolvers(
    targets: list[Target], texts: dict[Path, str], settings: Settings, mode: str
) -> dict[str, Resolver]:
    """Per deb target: its package index (unless mode is "off") plus what the spec set builds.

    With more than one spec, the packages each spec builds and their Provides (read as text)
    are "built here" for the others."""
    from specport.index import store

    built: dict[str, tuple[str, str]] = {}
    if len(texts) > 1:
        for spec, text in texts.items():
            for capability, package in provided_names(text).items():
                built.setdefault(capability, (package, str(spec)))
    out: dict[str, Resolver] = {}
    for target in targets:
        if target.name_rules != "debian":
            continue
        inner: Resolver = RuleResolver(target)
        if mode != "off":
            index = store.obtain(target, settings, offline=mode == "offline")
            inner = IndexResolver(target, index)
        out[target.name] = BuiltHere(inner, built) if built else inner
    return out
