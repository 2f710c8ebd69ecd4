"""The dependency-name resolver of each target for one run of normalize, graph, build or rebuild:
the same layers for all four, so that a name one of them resolves, the others resolve alike."""

from __future__ import annotations

import difflib
from pathlib import Path

from specport.config import Settings
from specport.errors import UsageError
from specport.index.model import Index
from specport.namerules import NameRules
from specport.normalize.lines import split_lines
from specport.normalize.provided import provided_names
from specport.normalize.resolver import BuiltHere, Resolution, Resolver, UserRules, uses_index
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
    from specport.families import family_of

    lines = {spec: split_lines(text) for spec, text in texts.items()} if len(texts) > 1 else {}
    out: dict[str, Resolver] = {}
    for target in targets:
        built: dict[str, tuple[str, str]] = {}
        for spec, spec_lines in lines.items():
            for capability, package in provided_names(spec_lines, target).items():
                built.setdefault(capability, (package, str(spec)))
        inner = family_of(target).resolver(target, settings, mode)
        if inner is None:
            continue
        chosen: Resolver = BuiltHere(inner, built) if built else inner
        own = rules.for_target(target) if rules is not None else {}
        out[target.name] = UserRules(chosen, own) if own else chosen
    return out


def reads_index(resolver: Resolver | None) -> bool:
    """Does the resolver answer from a package index (not the rule data, not nothing)?"""
    return resolver is not None and uses_index(resolver)


class RpmIndexResolver:
    """rpm targets keep Fedora's names; with an rpm-md index each is confirmed, unchanged: a
    package, a Provides, a file (filelists), in a module stream the target enables."""

    def __init__(self, target: Target, index: Index) -> None:
        self.target = target
        self.index = index
        self._why_not: dict[str, str] = {}
        self._names: list[str] | None = None

    def resolve(self, name: str) -> Resolution | None:
        how = ""
        if name in self.index.packages:
            how = "package in the index"
        elif providers := self.index.owners("provides", name):
            how = f"provided by {', '.join(providers[:3])}" + (" ..." if providers[3:] else "")
        elif name.startswith("/") and (owners := self.index.owners("files", name)):
            how = f"{name} is in the filelists of {', '.join(owners[:3])}"
        if not how:
            return None
        streams = self.index.owners("modules", name)
        if streams:
            modules = {s.partition(":")[0] for s in streams}
            enabled = [s for s in self.target.module_streams if s.partition(":")[0] in modules]
            if enabled and not set(enabled) & set(streams):
                self._why_not[name] = (
                    f"only in module stream {', '.join(streams)};"
                    f" {self.target.name} enables {', '.join(enabled)}"
                )
                return None
            how += f", module stream {', '.join(enabled or streams)}"
        return Resolution(name, how)

    def missing(self, name: str) -> str:
        if name in self._why_not:
            return f" ({self._why_not[name]})"
        if self._names is None:
            self._names = sorted(set(self.index.packages) | set(self.index.provides))
        close = difflib.get_close_matches(name, self._names, n=2, cutoff=0.6)
        return f" (did you mean {' or '.join(close)}?)" if close else ""

    def refusal(self, name: str) -> str:
        return "absent" if name in self._why_not else "unknown"
