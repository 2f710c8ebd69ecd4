"""Dependency name translation for a target: rules kept as data (names/<rules>.toml).

`Resolver` is the seam the `deps` pass calls: `RuleResolver` answers from the data only;
`IndexResolver` answers from the target's package index (specport/index), using the rules as
hints it confirms; `BuiltHere` puts what the other specs of a set build in front of either.
"""

from __future__ import annotations

import difflib
import fnmatch
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Protocol

from specport.errors import ConfigError
from specport.targets.model import Target, version_tuple


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

    def missing(self, name: str) -> str:
        """Text after an unresolved name in the error: why, or the closest names; may be ""."""
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

    def missing(self, name: str) -> str:
        return ""

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


# --- the index-backed resolver -----------------------------------------------------------------

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


_COMPOSER_RE = re.compile(r"php-composer\(([^/()]+)/([^()]+)\)")
_PEAR_RE = re.compile(r"php-pear\((?:([^/()]+)/)?([^()]+)\)")
_CHANNEL_RE = re.compile(r"php-channel\(([^()]+)\)")
_PHP_EXT_RE = re.compile(r"php-([a-z0-9_]+)")
_DEVEL_RE = re.compile(r"(.+)-devel")
_VERSIONED_SOURCE_RE = re.compile(r"(.*[a-z+])(\d+(?:\.\d+)*)")


# a route's "stop here: no answer" (a rule the index cannot confirm overrides later routes)
_UNANSWERED = Resolution("", "no answer")


class IndexResolver:
    """Answers from the target's package index (specport/index), with the rule data as hints.

    Nothing is answered unless the index has the name: a rule or pattern whose result the index
    lacks is not an answer (BuiltHere adds what the other specs of a set build). Each
    Resolution's rule says how the name was found (`normalize --explain`, `--report`)."""

    def __init__(self, target: Target, index: Any, rules: RuleResolver | None = None) -> None:
        self.target = target
        self.index = index  # specport.index.model.Index (typed loosely: spec/ stays index-free)
        self.rules = rules or RuleResolver(target)
        self.php = self.rules.rules.get("php", {})
        self.composer = self.rules.rules.get("composer", {})
        self._why_not: dict[str, str] = {}
        self._names: list[str] | None = None
        self._by_unversioned: dict[str, list[str]] | None = None
        # a spec set repeats its unknown names (docbook-style-xsl in many specs); each search
        # scans the whole index
        self._suggested: dict[tuple[str, int], list[str]] = {}

    # the routes, in order; the first that answers wins
    def resolve(self, name: str) -> Resolution | None:
        for route in (
            self._stack, self._drop, self._php, self._path, self._pkgconfig, self._perl,
            self._python, self._rules, self._exact, self._virtual, self._devel, self._patterns,
        ):  # fmt: skip
            found = route(name)
            if found is _UNANSWERED:
                return None
            if found is not None:
                return found
        return None

    def missing(self, name: str) -> str:
        """Why `name` has no answer, with the closest index names: " (did you mean x?)"."""
        if name in self._why_not:
            return f" ({self._why_not[name]})"
        close = self.suggest(self._guess_name(name))
        return f" (did you mean {' or '.join(close)}?)" if close else ""

    def _provides(self, name: str) -> list[str]:
        return list(self.index.owners("provides", name))

    def _has(self, name: str) -> bool:
        return bool(self.index.has(name))

    def _confirmed(self, name: str, how: str, keep: bool = True) -> Resolution | None:
        return Resolution(name, how, keep) if self._has(name) else None

    def _stack(self, name: str) -> Resolution | None:
        for rx in _STACK_RES:
            m = rx.fullmatch(name)
            if m:
                version = f"{m.group(1)}.{m.group(2)}"
                if version != self.target.php_version:
                    have = f"{self.target.name} has PHP {self.target.php_version}"
                    self._why_not[name] = f"a PHP {version} stack; {have}"
                    return None
                rest = m.group(3)
                base = (
                    rest if rest.startswith(("php-", "php(")) else f"php-{rest}" if rest else "php"
                )
                found = self.resolve(base)
                if found is None:
                    return None
                how = f"PHP {version} stack name for {base}; {found.rule}"
                return Resolution(found.name, how, found.keep_version)
        return None

    def _drop(self, name: str) -> Resolution | None:
        """A rule that drops the name (an essential package has it): nothing to confirm."""
        found = self.rules.resolve(name)
        return found if found is not None and not found.name else None

    def _rules(self, name: str, *, guesses: bool = False) -> Resolution | None:
        found = self.rules.resolve(name)
        if found is None or found.guess != guesses:
            return None
        if not found.name:
            return found  # a rule that drops the name: nothing to confirm
        if self._has(found.name):
            kind = "pattern" if found.guess else "rule"
            return Resolution(found.name, f"{found.rule}, {kind} confirmed by the index",
                              found.keep_version)  # fmt: skip
        self._why_not.setdefault(name, f"the rules say {found.name}, which the index lacks")
        if name in self.rules.rules.get("exact", {}):
            # the rule data says what the name is: another route's answer would contradict it
            # (python-devel is Python 2's; the versioned-source route would say python3.11's)
            return _UNANSWERED
        return None

    def _patterns(self, name: str) -> Resolution | None:
        """The rule data's name patterns (php-pecl-* -> php-*), last: only what the index has."""
        return self._rules(name, guesses=True)

    def _php(self, name: str) -> Resolution | None:
        ver = self.target.php_version
        if m := _COMPOSER_RE.fullmatch(name):
            return self._composer(name, m.group(1).lower(), m.group(2).lower())
        if m := _PEAR_RE.fullmatch(name):
            channel = (m.group(1) or "pear.php.net").lower()
            owners = self.index.owners("pear", f"{channel}/{m.group(2).lower()}")
            return self._pick(owners, f"PEAR registry of {channel}/{m.group(2)} in the Contents")
        if m := _CHANNEL_RE.fullmatch(name):
            owners = self.index.owners("channels", m.group(1).lower())
            return self._pick(owners, f"PEAR channel {m.group(1)} registered in the Contents")
        m = _PHP_EXT_RE.fullmatch(name)
        if not m:
            return None
        ext = m.group(1)
        versioned = f"php{ver}-{ext}"
        if versioned in self.index.packages:
            return Resolution(versioned, f"{versioned}: the target's PHP {ver} package")
        since = self.php.get("since", {}).get(ext)
        builtin = ext in self.php.get("builtin", []) and (
            since is None or version_tuple(ver) >= version_tuple(since)
        )
        if builtin:
            common = f"php{ver}-common"
            how = f"PHP extension {ext} is built into Debian's PHP {ver}"
            return self._confirmed(common, how, keep=False)
        for provider in self._provides(name) + self._provides(versioned):
            if provider.startswith(f"php{ver}-"):
                return Resolution(provider, f"PHP extension {ext}: {provider} provides {name}")
        return None

    def _composer(self, name: str, vendor: str, project: str) -> Resolution | None:
        key = f"{vendor}/{project}"
        if key in self.composer:
            target = str(self.composer[key])
            if not target:
                return Resolution("", f"composer {key}: built into the target's PHP")
            return self._confirmed(target, f"composer {key}: Debian packages it as {target}")
        debname = composer_debian_name(vendor, project)
        found = self._confirmed(debname, f"composer {key}: pkg-php-tools' name {debname}")
        if found is None:
            self._why_not.setdefault(name, f"no {debname} in the index" + self._did_you(debname))
        return found

    def _did_you(self, name: str) -> str:
        close = self.suggest(name)
        return f"; did you mean {' or '.join(close)}?" if close else ""

    def _pick(self, owners: list[str], how: str) -> Resolution | None:
        if not owners:
            return None
        return Resolution(
            owners[0], how + (f" (also {', '.join(owners[1:])})" if owners[1:] else "")
        )

    def _exact(self, name: str) -> Resolution | None:
        if name in self.index.packages:
            return Resolution(name, "same package name in the index")
        return None

    def _virtual(self, name: str) -> Resolution | None:
        providers = self._provides(name)
        if len(providers) == 1:
            return Resolution(providers[0], f"{providers[0]} provides {name}", keep_version=False)
        if providers:
            return Resolution(name, f"virtual package provided by {', '.join(providers)}")
        return None

    def _path(self, name: str) -> Resolution | None:
        if not name.startswith("/"):
            return None
        aliases = [name]
        for short in ("/bin/", "/sbin/", "/lib/"):  # merged /usr: both spellings name one file
            if name.startswith(short):
                aliases.append("/usr" + name)
            elif name.startswith("/usr" + short):
                aliases.append(name[4:])
        for path in aliases:
            owners = self.index.owners("files", path)
            if owners:
                return self._pick(owners, f"{path} is in the Contents")
        return None

    def _pkgconfig(self, name: str) -> Resolution | None:
        m = _PKGCONFIG_RE.fullmatch(name)
        if not m:
            return None
        owners = self.index.owners("pkgconfig", m.group(1))
        return self._pick(owners, f"{m.group(1)}.pc is in the Contents")

    def _perl(self, name: str) -> Resolution | None:
        m = _PERL_RE.fullmatch(name)
        if not m:
            return None
        owners = self.index.owners("perl", m.group(1))
        if not owners:
            return None
        file = m.group(1).replace("::", "/") + ".pm"
        perl_source = self.index.source("perl")
        if any(self.index.source(o) == perl_source for o in owners):
            # the interpreter's own modules (perl, perl-base, perl-modules-X): depend on perl
            return Resolution("perl", f"perl core module: {file} is in perl's packages", False)
        return self._pick(owners, f"{file} is in the Contents")

    def _python(self, name: str) -> Resolution | None:
        m = _PY3DIST_RE.fullmatch(name)
        if not m:
            return None
        from specport.index.parse import normalize_python_name

        owners = self.index.owners("python", normalize_python_name(m.group(1)))
        return self._pick(owners, f"Python distribution {m.group(1)} (dist-info in the Contents)")

    def _devel(self, name: str) -> Resolution | None:
        """Fedora's <base>-devel: the -dev package of the Debian source named like <base> (or
        lib<base>, or <base> with a version: zeromq3), else of the one -dev package that ships
        <base>.pc (Fedora's oniguruma-devel ships oniguruma.pc; Debian's is libonig-dev)."""
        m = _DEVEL_RE.fullmatch(name)
        if not m:
            return None
        base = m.group(1)
        candidates = [base, base.lower()]
        candidates += [base[3:]] if base.startswith("lib") else [f"lib{base}"]
        for source in dict.fromkeys(candidates):
            found = self._dev_of_source(name, source, f"source {source}")
            if found is not None:
                return found
        versioned = self._versioned_sources().get(base.lower(), [])
        if len(versioned) == 1:
            found = self._dev_of_source(name, versioned[0], f"source {versioned[0]}")
            if found is not None:
                return found
        pc = self.index.owners("pkgconfig", base) or self.index.owners("pkgconfig", base.lower())
        if len(pc) == 1 and pc[0].endswith("-dev"):
            return Resolution(pc[0], f"{base}.pc is in the Contents of {pc[0]}")
        return None

    def _dev_of_source(self, name: str, source: str, label: str) -> Resolution | None:
        devs = [b for b in self.index.owners("binaries", source) if b.endswith("-dev")]
        if len(devs) == 1:
            return Resolution(devs[0], f"the -dev package of {label}")
        preferred = [d for d in devs if d in (f"lib{source}-dev", f"{source}-dev")]
        if preferred:
            return Resolution(preferred[0], f"the -dev package of {label} (of {', '.join(devs)})")
        if devs:
            self._why_not.setdefault(name, f"{label} has several -dev packages: {', '.join(devs)}")
        return None

    def _versioned_sources(self) -> dict[str, list[str]]:
        """Source packages whose name is another name plus a version (Debian renames a source
        for an ABI or major version: zeromq3, libpng1.6), by that name."""
        if self._by_unversioned is None:
            table: dict[str, list[str]] = {}
            for source in self.index.binaries:
                m = _VERSIONED_SOURCE_RE.fullmatch(source)
                if m:
                    table.setdefault(m.group(1), []).append(source)
            self._by_unversioned = table
        return self._by_unversioned

    def _guess_name(self, name: str) -> str:
        """The Debian-looking name to search near for a suggestion."""
        if m := _COMPOSER_RE.fullmatch(name):
            return composer_debian_name(m.group(1).lower(), m.group(2).lower())
        if m := _PEAR_RE.fullmatch(name):
            return debian_name(f"php-{m.group(2).replace('_', '-')}")
        found = self.rules.resolve(name)
        return found.name if found and found.name else debian_name(name)

    def suggest(self, name: str, n: int = 2) -> list[str]:
        """The closest index names (difflib), searched among names sharing its longest word."""
        if (name, n) in self._suggested:
            return list(self._suggested[name, n])
        if self._names is None:
            self._names = sorted(set(self.index.packages) | set(self.index.provides))
        words = sorted(re.split(r"[-_.()/:]+", name.lower()), key=len, reverse=True)
        word = next((w for w in words if w not in ("php", "lib", "dev", "perl", "python3")), "")
        pool = [x for x in self._names if word and word in x] or self._names
        found = difflib.get_close_matches(name, pool[:5000], n=n, cutoff=0.6)
        self._suggested[name, n] = found
        return list(found)


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
    return {k: str(v).replace("{multiarch}", multiarch) for k, v in table.items()}


class BuiltHere:
    """Names the other specs of a set build (their packages and Provides) before `inner`."""

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


def uses_index(resolver: Resolver) -> bool:
    inner = resolver.inner if isinstance(resolver, BuiltHere) else resolver
    return isinstance(inner, IndexResolver)
