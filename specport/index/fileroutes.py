"""IndexResolver's routes through files in Contents: a path (a program in a bin directory, a C
header under /usr/include) and Fedora's perl-Foo-Bar, the package of module Foo::Bar."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from specport.normalize.resolver import Resolution

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
