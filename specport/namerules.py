"""The user's dependency-name rules: [names.*] tables of specport.toml.

    [names.deb]                 # every deb target
    "fastlz-devel" = "libfastlz-dev"
    "mod_php" = ["libapache2-mod-php", "php-cli"]   # several packages
    "fedora-only-tool" = ""                         # nothing on the target

    [names.debian-12]           # one target; wins over [names.deb]
    "fastlz-devel" = "libfastlz3-dev"

Like OBS's `Substitute:` in a project config: a Fedora dependency name is replaced by the listed
target names, before any other rule, the package index or the names the spec set builds. A rule
is the user's word: nothing confirms it (their own repository may have the package). rpm
targets keep Fedora's names, so rules name deb targets only.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from specport.errors import ConfigError
from specport.targets.families import facts_of
from specport.targets.model import Target

# Debian policy 5.6.7: lower case letters, digits, + - . ; at least two, starting alphanumeric
_DEB_NAME_RE = re.compile(r"[a-z0-9][a-z0-9+.-]+")
ALL_DEB = "deb"


@dataclass(frozen=True)
class NameRules:
    # scope ("deb" or a target name) -> Fedora name -> target names
    tables: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    label: str = "specport.toml"  # the file they were read from

    def for_target(self, target: Target) -> dict[str, tuple[list[str], str]]:
        """Fedora name -> (target names, where the rule is written) for one target."""
        if not facts_of(target).translates_names:
            return {}
        out: dict[str, tuple[list[str], str]] = {}
        for scope in (ALL_DEB, target.name):
            for fedora, names in self.tables.get(scope, {}).items():
                out[fedora] = (list(names), f"{self.label} [names.{scope}]")
        return out


def parse_name_rules(label: str, raw: Any, targets: Mapping[str, Target]) -> NameRules:
    """[names] of the user's file, checked: every error names the file and the key."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{label}: names: must be a table of [names.deb] / [names.TARGET]")
    tables: dict[str, dict[str, tuple[str, ...]]] = {}
    for scope, rules in raw.items():
        where = f"{label}: names.{scope}"
        if scope != ALL_DEB:
            if scope not in targets:
                close = difflib.get_close_matches(scope, [ALL_DEB, *targets], n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise ConfigError(f"{where}: no target named {scope!r}, and not 'deb'{hint}")
            if not facts_of(targets[scope]).translates_names:
                raise ConfigError(
                    f"{where}: {scope} is an rpm target; rpm targets keep Fedora's names"
                    " (name rules are for deb targets)"
                )
        if not isinstance(rules, dict):
            raise ConfigError(f'{where}: must be a table of "fedora-name" = "target-name"')
        tables[scope] = {
            str(fedora): _names(f"{where}.{_key(fedora)}", value) for fedora, value in rules.items()
        }
    return NameRules(tables, label)


def _key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else f'"{name}"'


def _names(where: str, value: Any) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ConfigError(f'{where}: expected a package name, a list of them, or ""')
    out = []
    for item in items:
        if item == "":
            continue  # "" (or [""]): nothing on the target
        if not _DEB_NAME_RE.fullmatch(item):
            raise ConfigError(
                f"{where}: {item!r} is not a Debian package name"
                " (lower case letters, digits, '+', '-', '.')"
            )
        out.append(item)
    return tuple(out)
