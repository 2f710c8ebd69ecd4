"""IndexResolver's routes through files in Contents: a path (a program in a bin directory, a C
header under /usr/include), the capabilities rpm generates from files (`pkgconfig(x)`: x.pc,
`cmake(X)`: XConfig.cmake, `perl(A::B)`: A/B.pm, `python3dist(x)`: its dist-info) and Fedora's
perl-Foo-Bar, the package of module Foo::Bar."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from specport.index.parse import normalize_python_name
from specport.normalize.resolver import (
    _CMAKE_RE,
    _PERL_RE,
    _PKGCONFIG_RE,
    _PY3DIST_RE,
    Resolution,
)

if TYPE_CHECKING:
    from specport.index.debresolver import IndexResolver

_PERL_PACKAGE_RE = re.compile(r"perl-([A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*)")


def path_route(r: IndexResolver, name: str) -> Resolution | None:
    """The package that ships the file (bin and sbin directories, headers)."""
    if not name.startswith("/"):
        return None
    aliases = [name]
    for short in ("/bin/", "/sbin/", "/lib/"):  # merged /usr: both spellings name one file
        if name.startswith(short):
            aliases.append("/usr" + name)
        elif name.startswith("/usr" + short):
            aliases.append(name[4:])
    for path in aliases:
        owners = r.index.owners("files", path)
        if owners:
            return r._pick(owners, f"{path} is in the Contents")
    if name.startswith("/usr/include/"):  # the headers table: one directory down at most
        return _header(r, name)
    return None


def _header(r: IndexResolver, name: str) -> Resolution | None:
    header = name.removeprefix("/usr/include/")
    owners = r.index.owners("headers", header)
    devs = [o for o in owners if o.endswith("-dev")] or owners
    how = f"{name} is in the Contents"
    # of several (curl.h: libcurl4-openssl-dev, -gnutls-dev, -nss-dev), the one the rule data
    # answers with for Fedora's own -devel (libcurl-devel: libcurl4-openssl-dev)
    chosen = [o for o in devs if o in ruled_names(r)]
    if len(chosen) == 1 and len(devs) > 1:
        others = ", ".join(o for o in devs if o != chosen[0])
        return Resolution(chosen[0], f"{how} (also {others}; the rule data's choice)")
    return r._pick(devs, how, header)


def ruled_names(r: IndexResolver) -> set[str]:
    """The packages the rule data's [exact] and [pkgconfig] rules answer with."""
    if r.ruled_names is None:
        values = [*r.rules.rules.get("exact", {}).values()]
        values += r.rules.rules.get("pkgconfig", {}).values()
        names = (v.get("name", "") if isinstance(v, dict) else v for v in values)
        r.ruled_names = {r.rules.fill(str(n)) for n in names if n}
    return r.ruled_names


def perl_package_route(r: IndexResolver, name: str) -> Resolution | None:
    """Fedora's perl-Foo-Bar packages module Foo::Bar (Fedora's Perl guidelines): when no
    lib*-perl answered, the package that ships Foo/Bar.pm (perl's own modules: perl)."""
    m = _PERL_PACKAGE_RE.fullmatch(name)
    if not m or name.endswith(("-devel", "-tests")):
        return None
    module = m.group(1).replace("-", "::")
    found = r._perl(f"perl({module})")
    if found is None:
        return None
    return Resolution(found.name, f"{name} packages {module}; {found.rule}", found.keep_version)


def pkgconfig_route(r: IndexResolver, name: str) -> Resolution | None:
    m = _PKGCONFIG_RE.fullmatch(name)
    if not m:
        return None
    owners = r.index.owners("pkgconfig", m.group(1))
    how = f"{m.group(1)}.pc is in the Contents"
    rule = r.rules.resolve(name)  # [pkgconfig]: which package a build wants
    if rule is not None and not rule.guess and rule.name and r._has(rule.name):
        if rule.name in owners:
            return r._pick([rule.name, *(o for o in owners if o != rule.name)], how)
        if owners:  # one that needs the .pc's owner (ImageMagick.pc: libmagickwand-dev)
            return Resolution(rule.name, f"{how} ({', '.join(owners)}); {rule.rule}")
    return r._pick(owners, how, m.group(1))


def cmake_route(r: IndexResolver, name: str) -> Resolution | None:
    m = _CMAKE_RE.fullmatch(name)
    if not m:
        return None
    owners = r.index.owners("cmake", m.group(1).lower())
    return r._pick(owners, f"{m.group(1)}Config.cmake is in the Contents", m.group(1))


def perl_route(r: IndexResolver, name: str) -> Resolution | None:
    m = _PERL_RE.fullmatch(name)
    if not m:
        return None
    owners = r.index.owners("perl", m.group(1))
    if not owners:
        return None
    file = m.group(1).replace("::", "/") + ".pm"
    perl_source = r.index.source("perl")
    if any(r.index.source(o) == perl_source for o in owners):
        # the interpreter's own modules (perl, perl-base, perl-modules-X): depend on perl
        return Resolution("perl", f"perl core module: {file} is in perl's packages", False)
    return r._pick(owners, f"{file} is in the Contents")


def python_route(r: IndexResolver, name: str) -> Resolution | None:
    m = _PY3DIST_RE.fullmatch(name)
    if not m:
        return None
    owners = r.index.owners("python", normalize_python_name(m.group(1)))
    return r._pick(owners, f"Python distribution {m.group(1)} (dist-info in the Contents)")
