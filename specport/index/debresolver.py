"""IndexResolver: dependency names answered from the target's package index (specport/index).

Each route asks the index one kind of question; the first answer wins, and its `rule` says how it
was found (`normalize --explain`, `--report`). The rule data (names/debian*.toml) gives hints the
index must confirm: nothing is answered that the index does not have.
"""

from __future__ import annotations

import difflib
import fnmatch
import re
from dataclasses import replace
from typing import Any

from specport.index import fileroutes, phproutes, shipped
from specport.normalize.resolver import (
    _CMAKE_RE,
    _PERL_RE,
    _PKGCONFIG_RE,
    _PY3DIST_RE,
    Resolution,
    RuleResolver,
    absent_reason,
    composer_debian_name,
    debian_name,
)
from specport.targets.model import Target

_COMPOSER_RE, _PEAR_RE, _CHANNEL_RE = phproutes.COMPOSER_RE, phproutes.PEAR_RE, phproutes.CHANNEL_RE
_DEVEL_RE = re.compile(r"(.+)-devel")
_LAST_RE = re.compile(r"(.+)-last(-devel|-libs)?")  # Remi's newest-release packages
_VERSIONED_SOURCE_RE = re.compile(r"(.*[a-z+])(\d+(?:\.\d+)*)")
_VERSIONED_SONAME_RE = re.compile(r"(.*[a-z])(?:-?\d+(?:\.\d+)+|-\d+)")


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
        self.rules = rules or RuleResolver(target, with_index=True)
        self.php = self.rules.rules.get("php", {})
        self.composer = self.rules.rules.get("composer", {})
        self._why_not: dict[str, str] = {}
        self._absent: set[str] = set()  # names the target is known to have no counterpart of
        self._names: list[str] | None = None
        self.ruled_names: set[str] | None = None  # fileroutes.ruled_names
        self._by_unversioned: dict[str, list[str]] | None = None
        self._by_unversioned_soname: dict[str, list[str]] | None = None
        # a spec set repeats its unknown names (docbook-style-xsl in many specs); each search
        # scans the whole index
        self._suggested: dict[tuple[str, int], list[str]] = {}
        self._pc_shippers: set[str] | None = None  # packages that ship a .pc file

    # the routes, in order; the first that answers wins
    def resolve(self, name: str) -> Resolution | None:
        for route in (
            self._stack, self._absent_rule, self._drop, self._php, self._path, self._pkgconfig,
            self._cmake, self._perl, self._python, self._rules, self._exact, self._virtual,
            self._shipped_data, self._devel, self._shipped_generic, self._library, self._last,
            self._patterns, self._perl_package, self._absent_pattern, self._capability,
        ):  # fmt: skip
            found = route(name)
            if found is _UNANSWERED:
                return None
            if found is not None:
                return self._with_pkg_config(name, found)
        return None

    def _with_pkg_config(self, name: str, found: Resolution) -> Resolution:
        """Fedora's -devel packages that ship a .pc require pkgconfig (rpm's generator adds
        it); Debian's -dev packages do not depend on pkg-config, and configure scripts that
        read the .pc stop ("Please reinstall the pkg-config distribution")."""
        if not name.endswith("-devel") or not found.name or "pkg-config" in found.also:
            return found
        if self._pc_shippers is None:
            self._pc_shippers = {o for v in self.index.pkgconfig.values() for o in v.split(",")}
        if found.name not in self._pc_shippers or not self._has("pkg-config"):
            return found
        return replace(found, also=(*found.also, "pkg-config"))

    def missing(self, name: str) -> str:
        """Why `name` has no answer, with the closest index names: " (did you mean x?)"."""
        if name in self._why_not:
            return f" ({self._why_not[name]})"
        close = self.suggest(self._guess_name(name))
        return f" (did you mean {' or '.join(close)}?)" if close else ""

    def refusal(self, name: str) -> str:
        return "absent" if name in self._absent else "unknown"

    def _refuse(self, name: str, why: str) -> Resolution:
        """No counterpart on the target, for a known reason: stop, and say so."""
        self._why_not[name] = why
        self._absent.add(name)
        return _UNANSWERED

    def _provides(self, name: str) -> list[str]:
        return list(self.index.owners("provides", name))

    def _has(self, name: str) -> bool:
        return bool(self.index.has(name))

    def _confirmed(self, name: str, how: str, keep: bool = True) -> Resolution | None:
        return Resolution(name, how, keep) if self._has(name) else None

    def _stack(self, name: str) -> Resolution | None:
        return phproutes.stack_route(self, name)

    def _absent_rule(self, name: str) -> Resolution | None:
        """[absent] of the rule data: no counterpart on deb targets, unless the index has the
        very name (a release that still packages it)."""
        why = absent_reason(self.rules.rules, name, self.target)
        if not why or name in self.index.packages:
            return None
        return self._refuse(name, why)

    def _absent_pattern(self, name: str) -> Resolution | None:
        """[[absent_patterns]]: a kind of name the target lacks when nothing answered it."""
        for pattern in self.rules.rules.get("absent_patterns", []):
            if fnmatch.fnmatchcase(name, pattern["match"]):
                return self._refuse(name, f"{name}: {pattern['why']}; the index has no {name}")
        return None

    def _capability(self, name: str) -> Resolution | None:
        """A capability the index answers completely (the Contents list every .pc, .pm, dist-info,
        PEAR registry file; pkg-php-tools names composer packages): nothing there, nothing on the
        target."""
        if m := _PKGCONFIG_RE.fullmatch(name):
            return self._refuse(name, f"no {self.target.name} package ships {m.group(1)}.pc")
        if m := _PERL_RE.fullmatch(name):
            file = m.group(1).replace("::", "/") + ".pm"
            return self._refuse(name, f"no {self.target.name} package ships {file}")
        if m := _CMAKE_RE.fullmatch(name):
            file = f"{m.group(1)}Config.cmake"
            return self._refuse(name, f"no {self.target.name} package ships {file}")
        if m := _PY3DIST_RE.fullmatch(name):
            return self._refuse(name, f"no {self.target.name} package has {m.group(1)}'s dist-info")
        if _PEAR_RE.fullmatch(name) or _CHANNEL_RE.fullmatch(name):
            why = f"no {self.target.name} package registers it with PEAR"
            return self._refuse(name, f"{self._why_not.get(name, why)}")
        if _COMPOSER_RE.fullmatch(name):
            return self._refuse(name, self._why_not.get(name, "no such package in the index"))
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
        kind = "pattern" if found.guess else "rule"
        for each in (found.name, *found.fallbacks):  # { name = "a", or = ["b"] }: a, else b
            if self._has(each):
                how = f"{found.rule}, {kind} confirmed by the index"
                how += f" (it has no {found.name})" if each != found.name else ""
                also = tuple(a for a in found.also if self._has(a))
                return Resolution(each, how, found.keep_version, also=also)
        names = " or ".join((found.name, *found.fallbacks))
        if name in self.rules.rules.get("exact", {}) or name in self.rules.rules.get("paths", {}):
            # the rule data says what the name is: another route's answer would contradict it
            # (python-devel is Python 2's; the versioned-source route would say python3.11's)
            note = self.rules.note(name)
            said = f"{name} is {note}, Debian's {names}" if note else f"the rules say {names}"
            return self._refuse(name, f"{said}, which the index lacks")
        if found.rule != "pattern *":  # the catch-all guess (lib*-java) says nothing of a name
            self._why_not.setdefault(name, f"the rules say {found.name}, which the index lacks")
        return None

    def _patterns(self, name: str) -> Resolution | None:
        """The rule data's name patterns (php-pecl-* -> php-*), last: only what the index has."""
        return self._rules(name, guesses=True)

    def _php(self, name: str) -> Resolution | None:
        return phproutes.php_route(self, name)

    def _did_you(self, name: str) -> str:
        close = self.suggest(name)
        return f"; did you mean {' or '.join(close)}?" if close else ""

    def _pick(self, owners: list[str], how: str, key: str = "") -> Resolution | None:
        if not owners:
            return None
        ordered = shipped.preferred(owners, key, self.index.source)
        also = f" (also {', '.join(ordered[1:])})" if ordered[1:] else ""
        return Resolution(ordered[0], how + also)

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
        return fileroutes.path_route(self, name)

    def _pkgconfig(self, name: str) -> Resolution | None:
        return fileroutes.pkgconfig_route(self, name)

    def _cmake(self, name: str) -> Resolution | None:
        return fileroutes.cmake_route(self, name)

    def _perl(self, name: str) -> Resolution | None:
        return fileroutes.perl_route(self, name)

    def _perl_package(self, name: str) -> Resolution | None:
        return fileroutes.perl_package_route(self, name)

    def _python(self, name: str) -> Resolution | None:
        return fileroutes.python_route(self, name)

    def _shipped_data(self, name: str) -> Resolution | None:
        """A -devel the rule data says what it ships of ([devel]): the -dev package that has it;
        none has any of it: the target has no counterpart."""
        candidates = shipped.devel_data(name, self.rules.rules)
        if not candidates:
            return None
        source = f"what Fedora's {name} ships"
        if shipped.wants_all(name, self.rules.rules):
            every = shipped.pick_all(self.index, candidates, source)
            if every:
                how = "; ".join(f.how for f in every)
                return Resolution(every[0].package, how, also=tuple(f.package for f in every[1:]))
        found, why = shipped.pick(self.index, candidates, source)
        if found is not None:
            return Resolution(found.package, found.how)
        if not why:
            # absent unless a later route (the -dev package of a source of that name) answers
            why = (
                f"Fedora's {name} ships {shipped.listing(candidates)}:"
                f" no {self.target.name} package has any of them"
            )
            self._absent.add(name)
        self._why_not.setdefault(name, why)
        return None

    def _shipped_generic(self, name: str) -> Resolution | None:
        """foo-devel -> the -dev package with foo.pc, libfoo.pc, libfoo.so, foo.h or foo/foo.h."""
        candidates = shipped.devel_generic(name)
        found, why = shipped.pick(self.index, candidates, "as a foo-devel ships them")
        if why:
            self._why_not.setdefault(name, why)
        return Resolution(found.package, found.how) if found is not None else None

    def _library(self, name: str) -> Resolution | None:
        """A runtime library package (libcurl, zlib, foo-libs): the binary package of the
        Debian source that ships its SONAME file (libcurl.so.4: libcurl4)."""
        candidates = []
        for c in shipped.library_candidates(name, self.rules.rules):
            candidates.append(c)
            # Debian's SONAME may carry the version in the name: libevent-2.1.so.7, liblua5.4
            versioned = self._versioned_sonames().get(c.key, [])
            if len(versioned) == 1:
                key = versioned[0]
                candidates.append(shipped.Candidate("sonames", key, f"{key}.so.N"))
        found, why = shipped.pick(self.index, candidates, f"{name}'s library", runtime=True)
        if why:
            self._why_not.setdefault(name, why)
        return Resolution(found.package, found.how, False) if found is not None else None

    def _last(self, name: str) -> Resolution | None:
        """Remi's foo-last (-devel, -libs) is foo's newest release: answered as foo."""
        m = _LAST_RE.fullmatch(name)
        if not m:
            return None
        base = m.group(1) + (m.group(2) or "")
        found = self.resolve(base)
        if found is None:
            self._why_not.setdefault(name, self.missing(base).strip(" ()"))
            return None
        return Resolution(found.name, f"{name} is Remi's newest {base}; {found.rule}",
                          found.keep_version)  # fmt: skip

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

    def _versioned_sonames(self) -> dict[str, list[str]]:
        """SONAME stems with a version in the name (libevent-2.1, libldap-2.5), by the stem
        without it."""
        if self._by_unversioned_soname is None:
            table: dict[str, list[str]] = {}
            for stem in self.index.sonames:
                m = _VERSIONED_SONAME_RE.fullmatch(stem)
                if m:
                    table.setdefault(m.group(1), []).append(stem)
            self._by_unversioned_soname = table
        return self._by_unversioned_soname

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
