"""Dependency name translation for a target: rules kept as data (names/<rules>.toml).

`Resolver` is the seam: the default `RuleResolver` answers from data only; a later resolver can
wrap it and check each answer against the target's package index (Packages/Contents) before the
build, without the passes changing.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Protocol

from specport.errors import ConfigError
from specport.targets.model import Target


@dataclass(frozen=True)
class Resolution:
    """What a Fedora name becomes on the target. `name` "" means: drop the dependency."""

    name: str
    rule: str  # for change notes: which rule said so
    keep_version: bool = True
    guess: bool = False  # from a pattern: a package index should confirm it


class Resolver(Protocol):
    def resolve(self, name: str) -> Resolution | None:
        """The target's name for Fedora dependency `name`, or None when no rule knows it."""
        ...


@cache
def load_rules(rule_set: str) -> dict[str, Any]:
    ref = resources.files("specport.spec") / "names" / f"{rule_set}.toml"
    try:
        return tomllib.loads(ref.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"name rules {rule_set!r}: cannot read {ref}: {exc}") from None


_PERL_RE = re.compile(r"perl\(([A-Za-z0-9_:]+)\)")
# rpm's perl pseudo-modules: perl(:VERSION) is the interpreter's version, perl(:MODULE_COMPAT_x)
# the ABI of Fedora's perl (its value comes from a %( ) Debian's dh_perl would answer with
# perlapi-*; debbuild does not, and a pure-Perl module needs nothing)
_PERL_PSEUDO_RE = re.compile(r"perl\(:(VERSION|MODULE_COMPAT_.*)\)", re.DOTALL)
_PY3DIST_RE = re.compile(r"python3dist\(([A-Za-z0-9_.-]+)\)")
_PKGCONFIG_RE = re.compile(r"pkgconfig\(([^()]+)\)")


def debian_name(text: str) -> str:
    """Debian package names are lower case, and '_' is not allowed (debbuild does the same)."""
    return text.lower().replace("_", "-")


class RuleResolver:
    """Answers from the rule data of target.name_rules, filled with the target's PHP facts."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.rules = load_rules(target.name_rules)

    def _fill(self, value: str) -> str:
        return value.format(php_version=self.target.php_version, php_api=self.target.php_api)

    def _from_table(self, table: str, key: str, rule: str) -> Resolution | None:
        value = self.rules.get(table, {}).get(key)
        if value is None:
            return None
        if isinstance(value, dict):
            return Resolution(self._fill(value["name"]), rule, bool(value.get("version", True)))
        return Resolution(self._fill(str(value)), rule)

    def resolve(self, name: str) -> Resolution | None:
        found = self._from_table("exact", name, f"exact rule {name}")
        if found:
            return found
        m = _PKGCONFIG_RE.fullmatch(name)
        if m:
            return self._from_table("pkgconfig", m.group(1), f"pkg-config module {m.group(1)}")
        m = _PERL_PSEUDO_RE.fullmatch(name)
        if m:
            if m.group(1) == "VERSION":
                return Resolution("perl", "perl(:VERSION) is the interpreter", keep_version=False)
            return Resolution("", "Fedora's perl ABI pseudo-module")
        m = _PERL_RE.fullmatch(name)
        if m:
            core = self.rules.get("perl_core", {}).get(m.group(1))
            if core is not None:
                # the module's version is not the interpreter's: drop it
                rule = f"perl core module {m.group(1)}"
                return Resolution(self._fill(str(core)), rule, keep_version=False)
            # Debian's perl policy: Foo::Bar lives in libfoo-bar-perl
            return Resolution(debian_name(f"lib{m.group(1).replace('::', '-')}-perl"), "perl()")
        m = _PY3DIST_RE.fullmatch(name)
        if m:
            return Resolution(debian_name(f"python3-{m.group(1)}"), "python3dist()")
        if name.startswith("/"):
            return self._from_table("paths", name, f"path {name}")
        for pattern in self.rules.get("patterns", []):
            if fnmatch.fnmatchcase(name, pattern["match"]):
                star = _star(name, pattern["match"])
                new = self._fill(pattern["replace"]).replace("*", star)
                return Resolution(debian_name(new), f"pattern {pattern['match']}", guess=True)
        return None


def _star(name: str, pattern: str) -> str:
    """The text a single '*' of `pattern` matched in `name`."""
    head, _, tail = pattern.partition("*")
    return name[len(head) : len(name) - len(tail) if tail else len(name)]
