"""Dependency name translation for a target: rules kept as data (names/<rules>.toml).

`Resolver` is the seam the `deps` pass calls: `RuleResolver` answers from the data only;
`IndexResolver` (indexresolver.py) answers from the target's package index (specport/index), using
the rules as hints it confirms; `BuiltHere` puts what the other specs of a set build in front of
either, and `UserRules` the user's own rules (specport.toml [names.*]) in front of everything.

A name no resolver answers is refused with a class (`refusal`): "absent" when the target is known
to have no counterpart (the rule data says what it would be, or what it ships, and the target's
index has none of it), "unknown" when nothing says what it is.
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
    also: tuple[str, ...] = ()  # further packages the name stands for (a user rule's list)
    # a rule's names for releases without `name` (older or newer), in order: with a package
    # index, the first of name, *fallbacks the index has is the answer
    fallbacks: tuple[str, ...] = ()


class Resolver(Protocol):
    def resolve(self, name: str) -> Resolution | None:
        """The target's name for Fedora dependency `name`, or None when no rule knows it."""
        ...

    def missing(self, name: str) -> str:
        """Text after an unresolved name in the error: why, or the closest names; may be ""."""
        ...

    def refusal(self, name: str) -> str:
        """The class of an unresolved name: "absent" (no counterpart on the target) or
        "unknown" (nothing says what it is)."""
        ...


@cache
def load_rules(rule_set: str) -> dict[str, Any]:
    """names/<rule_set>.toml and its companions names/<rule_set>.<part>.toml, table by table."""
    base = resources.files("specport.normalize") / "names"
    out: dict[str, Any] = {}
    files = sorted(e.name for e in base.iterdir() if e.name.startswith(f"{rule_set}."))
    for file in files:
        if not file.endswith(".toml"):
            continue
        ref = base / file
        try:
            doc = tomllib.loads(ref.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"name rules {rule_set!r}: cannot read {ref}: {exc}") from None
        for table, value in doc.items():
            if isinstance(value, dict):
                out.setdefault(table, {}).update(value)
            elif isinstance(value, list):
                out.setdefault(table, []).extend(value)
    if not out:
        raise ConfigError(f"name rules {rule_set!r}: no names/{rule_set}.toml")
    return out


_PERL_RE = re.compile(r"perl\(([A-Za-z0-9_:]+)\)")
# rpm's perl pseudo-modules: perl(:VERSION) is the interpreter's version, perl(:MODULE_COMPAT_x)
# the ABI of Fedora's perl (its value comes from a %( ) Debian's dh_perl would answer with
# perlapi-*; debbuild does not, and a pure-Perl module needs nothing)
_PERL_PSEUDO_RE = re.compile(r"perl\(:(VERSION|MODULE_COMPAT_.*)\)", re.DOTALL)
# the same ABI name written by a shell as a whole: %(eval `perl -V:version`; echo "perl(:...)")
_PERL_COMPAT_SHELL_RE = re.compile(r"%\(.*perl\(:MODULE_COMPAT_\$\{?version\}?\).*\)", re.DOTALL)
_PY3DIST_RE = re.compile(r"python3dist\(([A-Za-z0-9_.-]+)\)")
_PKGCONFIG_RE = re.compile(r"pkgconfig\(([^()]+)\)")
_CMAKE_RE = re.compile(r"cmake\(([^()]+)\)")  # rpm's generator: FooConfig.cmake -> cmake(Foo)


def debian_name(text: str) -> str:
    """Debian package names are lower case, and '_' is not allowed (debbuild does the same)."""
    return text.lower().replace("_", "-")


class RuleResolver:
    """Answers from the rule data of target.name_rules, filled with the target's PHP facts."""

    def __init__(self, target: Target, *, with_index: bool = False) -> None:
        self.target = target
        self.rules = load_rules(target.name_rules)
        # patterns marked index_only guess too widely to be used unconfirmed
        self.with_index = with_index

    def missing(self, name: str) -> str:
        why = absent_reason(self.rules, name, self.target)
        return f" ({why})" if why else ""

    def refusal(self, name: str) -> str:
        return "absent" if absent_reason(self.rules, name, self.target) else "unknown"

    def note(self, name: str) -> str:
        """What an [exact] or [paths] rule says the name is ({ why = "..." }), or ""."""
        for table in ("exact", "paths"):
            value = self.rules.get(table, {}).get(name)
            if isinstance(value, dict) and "why" in value:
                return str(value["why"])
        return ""

    def fill(self, value: str) -> str:
        """A rule's value with the target's PHP facts filled in."""
        return value.format(php_version=self.target.php_version, php_api=self.target.php_api)

    def _from_table(self, table: str, key: str, rule: str) -> Resolution | None:
        value = self.rules.get(table, {}).get(key)
        if value is None:
            return None
        if isinstance(value, dict):
            if "why" in value:
                rule += f" ({value['why']})"
            fallbacks = tuple(self.fill(str(v)) for v in value.get("or", []))
            keep = bool(value.get("version", True))
            also = tuple(self.fill(str(v)) for v in value.get("also", []))
            return Resolution(self.fill(value["name"]), rule, keep, fallbacks=fallbacks, also=also)
        return Resolution(self.fill(str(value)), rule)

    def resolve(self, name: str) -> Resolution | None:
        found = self._from_table("exact", name, f"exact rule {name}")
        if found:
            return found
        m = _PKGCONFIG_RE.fullmatch(name)
        if m:
            return self._from_table("pkgconfig", m.group(1), f"pkg-config module {m.group(1)}")
        m = _PERL_PSEUDO_RE.fullmatch(name)
        if m or _PERL_COMPAT_SHELL_RE.fullmatch(name):
            if m and m.group(1) == "VERSION":
                return Resolution("perl", "perl(:VERSION) is the interpreter", keep_version=False)
            return Resolution("", "Fedora's perl ABI pseudo-module")
        m = _PERL_RE.fullmatch(name)
        if m:
            core = self.rules.get("perl_core", {}).get(m.group(1))
            if core is not None:
                # the module's version is not the interpreter's: drop it
                rule = f"perl core module {m.group(1)}"
                return Resolution(self.fill(str(core)), rule, keep_version=False)
            # Debian's perl policy: Foo::Bar lives in libfoo-bar-perl
            return Resolution(debian_name(f"lib{m.group(1).replace('::', '-')}-perl"), "perl()")
        m = _PY3DIST_RE.fullmatch(name)
        if m:
            return Resolution(debian_name(f"python3-{m.group(1)}"), "python3dist()")
        if name.startswith("/"):
            return self._from_table("paths", name, f"path {name}")
        for pattern in self.rules.get("patterns", []):
            if ("(" in name or "/" in name) and "(" not in pattern["match"]:
                continue  # a capability or a path is no package name a glob may rewrite
            if pattern.get("index_only") and not self.with_index:
                continue
            unless = pattern.get("unless", [])
            if any(fnmatch.fnmatchcase(name, u) for u in unless):
                continue
            if fnmatch.fnmatchcase(name, pattern["match"]):
                star = _star(name, pattern["match"])
                new = self.fill(pattern["replace"]).replace("*", star)
                return Resolution(debian_name(new), f"pattern {pattern['match']}", guess=True)
        return None


def _star(name: str, pattern: str) -> str:
    """The text a single '*' of `pattern` matched in `name`."""
    head, _, tail = pattern.partition("*")
    return name[len(head) : len(name) - len(tail) if tail else len(name)]


# --- names shared by the resolvers --------------------------------------------------------------

_STACK_RES = (
    # SCL (rh-php73-php-devel), Remi's SCL (php74-php-devel), IUS (php74-devel, php74)
    # and their capabilities: php74-php(api), php74-php(zend-abi) are the stack's php(api)
    re.compile(r"rh-php(\d)(\d+)-(php[-(].+)"),
    re.compile(r"rh-php(\d)(\d+)()"),
    re.compile(r"php(\d)(\d+)-(php[-(].+)"),
    re.compile(r"php(\d)(\d+)-(?!php[-(])(.+)"),
    re.compile(r"php(\d)(\d+)()"),
)


def stack_php_version(name: str) -> str | None:
    """The PHP version of a versioned EL PHP stack name ("php73-php-devel" -> "7.3")."""
    for rx in _STACK_RES:
        if m := rx.fullmatch(name):
            return f"{m.group(1)}.{m.group(2)}"
    return None


def composer_debian_name(vendor: str, project: str) -> str:
    """pkg-php-tools' Debian name of composer package vendor/project (pkg-php-tools 1.44,
    base/dependency.php debName(): php-<vendor>-<project>, the project's first word dropped
    when it repeats the vendor's last, and no vendor part when the project starts with it)."""
    if project.startswith(vendor):
        parts = [project]
    else:
        vendor_parts, project_parts = vendor.split("-"), project.split("-")
        if vendor_parts[-1] == project_parts[0]:
            project_parts = project_parts[1:]
        parts = vendor_parts + project_parts
    return re.sub(r"[^a-z0-9.-]", "-", "-".join(["php", *parts]))


def target_macros(target: Target) -> dict[str, str]:
    """Directory and PEAR macros of the target's rule data, to read names like %{_bindir}/x."""
    multiarch = f"{target.arch}-linux-gnu"
    table = load_rules(target.name_rules).get("macros", {})
    return {
        k: str(v).replace("{multiarch}", multiarch).replace("{php_version}", target.php_version)
        for k, v in table.items()
    }


def absent_reason(rules: dict[str, Any], name: str, target: Target) -> str:
    """Why the rule data says `name` has no counterpart on deb targets ([absent]), or ""."""
    why = rules.get("absent", {}).get(name)
    return f"{name}: {why}; {target.name} has no counterpart" if why else ""


class BuiltHere:
    """Names the specs of a set build (their packages, Provides, the pkgconfig() of the .pc
    files and the paths their %files ship: normalize/provided.py) before `inner`."""

    def __init__(self, inner: Resolver, built: dict[str, tuple[str, str]]) -> None:
        self.inner = inner
        self.built = built  # name -> (package that has it, spec that builds it)

    def resolve(self, name: str) -> Resolution | None:
        if name in self.built:
            package, spec = self.built[name]
            return Resolution(package, f"built here by {spec}")
        return self.inner.resolve(name)

    def missing(self, name: str) -> str:
        return self.inner.missing(name)

    def refusal(self, name: str) -> str:
        return self.inner.refusal(name)


class UserRules:
    """The user's rules (specport.toml [names.deb], [names.<target>]) before `inner`: a name
    they map is theirs to answer, confirmed by nothing (their own repository may have it)."""

    def __init__(self, inner: Resolver, rules: dict[str, tuple[list[str], str]]) -> None:
        self.inner = inner
        self.rules = rules  # Fedora name -> (target names, where the rule is written)

    def resolve(self, name: str) -> Resolution | None:
        if name not in self.rules:
            return self.inner.resolve(name)
        names, where = self.rules[name]
        if not names:
            return Resolution("", f"your rule in {where}")
        return Resolution(names[0], f"your rule in {where}", also=tuple(names[1:]))

    def missing(self, name: str) -> str:
        return self.inner.missing(name)

    def refusal(self, name: str) -> str:
        return self.inner.refusal(name)


def innermost(resolver: Resolver) -> Resolver:
    """The resolver under the BuiltHere and UserRules layers."""
    while isinstance(resolver, BuiltHere | UserRules):
        resolver = resolver.inner
    return resolver


def uses_index(resolver: Resolver) -> bool:
    """Does the resolver answer from a package index (not the rule data alone)?"""
    return getattr(innermost(resolver), "index", None) is not None
