"""Find a Fedora package's Debian counterpart through what it ships, confirmed by Contents.

A Fedora `foo-devel` and the Debian `-dev` package that corresponds to it ship the same headers,
pkg-config files and `libfoo.so` link, whatever their sources are called (Fedora's pcre-devel ships
pcre.h; Debian's libpcre3-dev has it). What a Fedora -devel ships comes from the rule data
([devel] in names/debian.shipped.toml, with where it was read) or, failing that, from the generic
derivations `foo-devel` -> foo.pc, libfoo.pc, libfoo.so, foo.h, foo/foo.h. A runtime library
package (`libcurl`, `zlib`, `foo-libs`) is the Debian binary that ships the library's SONAME file
(libcurl.so.4 in libcurl4). Only what the index has answers: a candidate is a question to it.

The index is typed loosely (spec/ stays free of specport.index): `owners(table, key)` is all that
is asked of it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_DEVEL_RE = re.compile(r"(.+)-devel")
_LIBS_RE = re.compile(r"(.+)-libs")
# a name that can be a library package: no capability (), no path, no -devel/-dev
_PLAIN_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]*")


@dataclass(frozen=True)
class Candidate:
    table: str  # the index table: "pkgconfig", "devlibs", "headers", "sonames"
    key: str
    label: str  # how it reads in an explanation: "libpcre.pc", "pcre.h", "libcurl.so.N"


@dataclass(frozen=True)
class Found:
    package: str
    how: str


def _label(table: str, key: str) -> str:
    return {
        "pkgconfig": f"{key}.pc",
        "devlibs": f"{key}.so",
        "sonames": f"{key}.so.N",
        "headers": f"/usr/include/{key}",
    }[table]


def _candidates(entry: dict[str, Any]) -> list[Candidate]:
    out = []
    for table, field in (("pkgconfig", "pc"), ("devlibs", "lib"), ("headers", "headers")):
        for key in entry.get(field, []):
            out.append(Candidate(table, str(key), _label(table, str(key))))
    return out


def devel_data(name: str, rules: dict[str, Any]) -> list[Candidate]:
    """What the rule data says Fedora's `name` (a -devel) ships; [] when it says nothing."""
    entry = rules.get("devel", {}).get(name)
    return _candidates(entry) if isinstance(entry, dict) else []


def devel_generic(name: str) -> list[Candidate]:
    """The files a `foo-devel` usually ships: foo.pc, libfoo.pc, libfoo.so, foo.h, foo/foo.h."""
    m = _DEVEL_RE.fullmatch(name)
    if not m or "(" in name or "/" in name:
        return []
    base = m.group(1)
    bare = base[3:] if base.startswith("lib") and len(base) > 3 else base
    lib = base if base.startswith("lib") else f"lib{base}"
    entry = {
        "pc": list(dict.fromkeys([base, lib, bare])),
        "lib": [lib],
        "headers": list(dict.fromkeys([f"{base}.h", f"{bare}.h", f"{bare}/{bare}.h"])),
    }
    return _candidates(entry)


def library_candidates(name: str, rules: dict[str, Any]) -> list[Candidate]:
    """The library stems a runtime library package `name` ships (zlib -> libz.so.N)."""
    if not _PLAIN_RE.fullmatch(name) or name.endswith(("-devel", "-dev", "-static")):
        return []
    listed = rules.get("libraries", {}).get(name)
    if listed is not None:
        stems = [str(s) for s in listed]
    else:
        base = m.group(1) if (m := _LIBS_RE.fullmatch(name)) else name
        if base.startswith("lib"):
            stems = [base]
        elif base.endswith("lib") and len(base) > 3:
            stems = [f"lib{base[:-3]}", f"lib{base}"]  # zlib ships libz
        else:
            stems = [f"lib{base}"]
    return [Candidate("sonames", s, _label("sonames", s)) for s in dict.fromkeys(stems)]


def pick(
    index: Any, candidates: list[Candidate], source: str, runtime: bool = False
) -> tuple[Found | None, str]:
    """The package the first candidate the index has points at, or (None, why not).

    A development file belongs to a -dev package: those are preferred among its owners. Several
    runtime owners of one SONAME stem are narrowed to the source of its -dev link."""
    why = ""
    for c in candidates:
        owners = list(index.owners(c.table, c.key))
        if not owners:
            continue
        if runtime and len(owners) > 1:
            devs = index.owners("devlibs", c.key)
            sources = {index.source(d) for d in devs}
            owners = [o for o in owners if index.source(o) in sources] or owners
        elif not runtime:
            owners = [o for o in owners if o.endswith("-dev")] or owners
        best = _unique_best(owners, c.key, index.source)
        if best is None and runtime:
            best = _newest_soname(owners, index.source)
        if best is not None:
            return Found(best, f"{c.label} ({source}) is in {best}"), ""
        why = why or f"several packages ship {c.label}: {', '.join(owners)}"
    return None, why


def wants_all(name: str, rules: dict[str, Any]) -> bool:
    """Does the rule data say every -dev package with one of its files is the answer?"""
    entry = rules.get("devel", {}).get(name)
    return isinstance(entry, dict) and bool(entry.get("all"))


def pick_all(index: Any, candidates: list[Candidate], source: str) -> list[Found]:
    """One Found per distinct package the candidates' files are in (each file's one -dev)."""
    out: dict[str, Found] = {}
    for c in candidates:
        found, _ = pick(index, [c], source)
        if found is not None:
            out.setdefault(found.package, found)
    return list(out.values())


def listing(candidates: list[Candidate]) -> str:
    return ", ".join(c.label for c in candidates)


def preferred(owners: list[str], key: str, source: Callable[[str], str]) -> list[str]:
    """The packages that ship what was asked for, in the order to choose from: compatibility or
    transitional packages last (ImageMagick.pc is in GraphicsMagick's -libmagick-dev-compat
    too, which configure then rejects), and first those whose own or source name holds `key`
    (the .pc's stem: imagemagick -> source imagemagick); the index's order otherwise."""
    return sorted(owners, key=lambda o: _rank(o, _squash(key), source))


def _unique_best(owners: list[str], key: str, source: Callable[[str], str]) -> str | None:
    """The one owner ranked before all others (see preferred), or None when two tie."""
    if len(owners) == 1:
        return owners[0]
    stem = key.rsplit("/", 1)[-1].split(".", 1)[0]
    ranked = sorted((_rank(o, _squash(stem), source), o) for o in owners)
    return ranked[0][1] if ranked[0][0] < ranked[1][0] else None


_SONAME_PACKAGE_RE = re.compile(r"(.*\D)(\d+)")


def _newest_soname(owners: list[str], source: Callable[[str], str]) -> str | None:
    """Of one source's packages that ship libfoo.so.N, the one for the newest SONAME: Debian
    names a library package after its SONAME (policy 8.1: libodbc2 ships libodbc.so.2), and an
    older one kept beside it is a compatibility package (bookworm's transitional libodbc1)."""
    if len({source(o) for o in owners}) != 1:
        return None
    numbered = [m for o in owners if (m := _SONAME_PACKAGE_RE.fullmatch(o))]
    if len(numbered) != len(owners) or len({m.group(1) for m in numbered}) != 1:
        return None
    return max(numbered, key=lambda m: int(m.group(2))).group(0)


def _rank(owner: str, want: str, source: Callable[[str], str]) -> tuple[bool, bool]:
    compat = "compat" in owner or "transitional" in owner
    named = bool(want) and (want in _squash(owner) or want in _squash(source(owner)))
    return compat, not named


def _squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())
