"""What a spec builds, by every name another spec of its set may ask for it: one answer for
`normalize`, `graph`, `build` and `rebuild` (index/resolvers.py's BuiltHere and graph/records.py
both read it).

The names: each package the spec builds, its Provides, `pkgconfig(x)` for each x.pc its %files
ship, `cmake(X)` for each CMake package config, `python3dist(x)` for a Python package (what
rpm's generator makes of its dist-info: a `.dist-info`/`.egg-info` its %files list, or, for
`%files -n python3-x -f %{pyproject_files}`, the package's name after Fedora's naming rule),
and each path its %files list (`/usr/bin/greet`, as `BuildRequires: /usr/bin/greet` names it).
Read as text (the spec is untrusted), with the target's directory macros and only the lines of
branches the target takes; globs and names with macros specport cannot read are left out.
"""

from __future__ import annotations

import re

from packaging.utils import canonicalize_name

from specport.normalize.conditions import spec_view
from specport.normalize.depsyntax import DEP_TAG_RE, ISA_RE, DepSyntaxError, split_deps
from specport.normalize.lines import SECTION_RE, continued, expand, sections, simple_macros
from specport.normalize.model import Bconds, Line
from specport.normalize.resolver import target_macros
from specport.targets.families import facts_of
from specport.targets.model import Target

_PACKAGE_RE = re.compile(r"^%(package|files)(?:\s+(-n\s+)?([^\s-][^\s]*))?")
_PC_RE = re.compile(r"/pkgconfig/([A-Za-z0-9_.+-]+)\.pc$")
# rpm's generator names cmake(Foo) (and cmake(foo)) after FooConfig.cmake / foo-config.cmake;
# %files usually lists the config's directory, %{_libdir}/cmake/Foo/
_CMAKE_RE = re.compile(r"/cmake/(?:[^/]+/)?([A-Za-z0-9_.+-]+?)(?:Config|-config)\.cmake$")
_CMAKE_DIR_RE = re.compile(r"/(?:lib(?:64)?|lib/[^/]+-linux-gnu[^/]*|share)/cmake/([\w.+-]+)/?$")
# %files directives before a path: %doc, %config(noreplace), %attr(0644,root,root), %dir ...
_DIRECTIVE_RE = re.compile(r"^%(?:[a-z]+)(?:\([^)]*\))?\s+")
_DIST_INFO_RE = re.compile(r"/(?:site|dist)-packages/([A-Za-z0-9_.]+?)-[^/]*\.(?:dist|egg)-info/?$")
_GLOB = set("*?[]{}")
# `%{!?phpname: %{expand: %%global phpname php}}` (or `%{!?x: %global x v}`): a default value
_DEFAULT_RE = re.compile(
    r"^%\{!\?(\w+):\s*(?:%\{expand:\s*)?%%?(?:global|define)\s+(\w+)\s+([^%{}\s][^{}]*?)\s*\}?\}\s*$"
)
# rpm's own directory macros (the same in rpm 4.14 to 4.18), for rpm targets
RPM_DIR_MACROS = {
    "_prefix": "/usr", "_exec_prefix": "/usr", "_bindir": "/usr/bin", "_sbindir": "/usr/sbin",
    "_libexecdir": "/usr/libexec", "_datadir": "/usr/share", "_sysconfdir": "/etc",
    "_includedir": "/usr/include", "_mandir": "/usr/share/man",
}  # fmt: skip


def reading(
    lines: list[Line], target: Target | None, bconds: Bconds | None = None
) -> tuple[dict[str, str], list[bool]]:
    """(the macros names are read with, which lines the target takes): the target's directories,
    then the spec's own definitions as the target's reader sees them (conditions.py: a %global
    under %if 0%{?scl:1} is not one)."""
    if target is None:
        return simple_macros(lines), [True] * len(lines)
    view = spec_view(lines, target, bconds)
    base = target_macros(target) if facts_of(target).translates_names else dict(RPM_DIR_MACROS)
    own = dict(view.macros)
    for ln, alive in zip(lines, view.live, strict=True):
        m = _DEFAULT_RE.match(ln.text) if alive else None
        if m and m.group(1) == m.group(2):
            own.setdefault(m.group(1), m.group(3))
    return {**base, **own}, list(view.live)


def spec_macros(
    lines: list[Line], target: Target | None, bconds: Bconds | None = None
) -> dict[str, str]:
    return reading(lines, target, bconds)[0]


def provided_names(
    lines: list[Line], target: Target | None = None, bconds: Bconds | None = None
) -> dict[str, str]:
    """Name -> the package of the spec that has it (the first package wins a shared name)."""
    macros, live = reading(lines, target, bconds)
    main = expand(macros.get("name", ""), macros) or macros.get("name", "")
    out: dict[str, str] = {main: main} if main else {}
    package = main
    for ln, sec, cont, alive in zip(lines, sections(lines), continued(lines), live, strict=True):
        if cont or not alive:
            continue
        head = _PACKAGE_RE.match(ln.text) if SECTION_RE.match(ln.text) else None
        if head:
            sub = head.group(3)
            full = (sub if head.group(2) else f"{main}-{sub}") if sub else main
            package = expand(full, macros) or full
            if head.group(1) == "package":
                out.setdefault(package, package)
            elif "pyproject_files" in ln.text and package.startswith("python3-"):
                out.setdefault(python3dist(package.removeprefix("python3-")), package)
            continue
        if sec == "files":
            for name in _file_names(ln.text, macros):
                out.setdefault(name, package)
            continue
        t = DEP_TAG_RE.match(ln.text) if sec == "preamble" else None
        if not t or t.group(1).lower() != "provides":
            continue
        try:
            deps = split_deps(ISA_RE.sub("", t.group(3)).strip())
        except DepSyntaxError:
            continue  # normalize reports bad syntax
        for dep in deps:
            provided = expand(dep.name, macros)
            if provided and not dep.rich:
                out.setdefault(provided, package)
    return out


def _file_names(text: str, macros: dict[str, str]) -> list[str]:
    """The names one %files line answers to: its path, pkgconfig(x) for an x.pc, cmake(X) for
    X's CMake package config."""
    line = text.strip()
    if not line or line.startswith("#") or line.startswith(("%exclude", "%files")):
        return []
    while (m := _DIRECTIVE_RE.match(line)) is not None:
        line = line[m.end() :]
    if line.startswith("%") and not line.startswith(("%{", "%_")):
        return []  # a directive without a path (%defattr(...))
    raw = line.split()[0] if line.split() else ""
    path = expand(raw, macros)
    out = []
    pc = _PC_RE.search(path or raw)
    if pc:
        out.append(f"pkgconfig({pc.group(1)})")
    dist = dist_info_name(path or raw)
    if dist:
        out.append(dist)
    cm = _CMAKE_RE.search(path or raw) or _CMAKE_DIR_RE.search(path or raw)
    if cm:
        out += list(dict.fromkeys((f"cmake({cm.group(1)})", f"cmake({cm.group(1).lower()})")))
    if path and path.startswith("/") and not _GLOB & set(path):
        out.append(path.rstrip("/") or "/")
    return out


def python3dist(dist: str) -> str:
    """rpm's name for a Python distribution: PEP 503's normal form (`Foo_Bar` is foo-bar)."""
    return f"python3dist({canonicalize_name(dist)})"


def dist_info_name(path: str) -> str | None:
    """python3dist(x) for a path that is x's .dist-info or .egg-info under site-/dist-packages."""
    m = _DIST_INFO_RE.search(path)
    return python3dist(m.group(1)) if m else None
