"""Point BuildRequires (and Requires) at the packages the set builds.

On deb targets the normalizer turns a Fedora name into the target's (`libfoo-devel` ->
`libfoo-dev`), but a spec of the same set builds the package under its own name
(`libfoo-devel`). The graph knows both; this rewrites each BuildRequires item whose name the
graph resolved to a package of the set under another name, keeping its version bound.
"""

from __future__ import annotations

from collections.abc import Mapping

from specport.graph.model import Edge, SpecRecord, provider_map
from specport.normalize.depsyntax import DEP_TAG_RE, DepSyntaxError, split_deps
from specport.normalize.lines import continued, join_lines, sections, split_lines
from specport.normalize.model import Line


def renames(edges: list[Edge]) -> dict[str, str]:
    return {e.via: e.package for e in edges if e.via != e.package and "(" not in e.package}


def requires_renames(records: tuple[SpecRecord, ...], index: int) -> dict[str, str]:
    """Run-time Requires another spec of the set answers under another name: the built package
    must name the set's package (`php-spfoo` -> `php-pecl-spfoo`), or it will not install."""
    providers = provider_map(records)
    out: dict[str, str] = {}
    for name in records[index].requires:
        for j, pkg in providers.get(name, ()):
            if j != index and pkg != name and "(" not in pkg:
                out[name] = pkg
                break
    return out


def point_at_set(text: str, names: Mapping[str, str]) -> tuple[str, list[str]]:
    """(new spec text, change notes) with BuildRequires items renamed per `names`."""
    if not names:
        return text, []
    lines = split_lines(text)
    out: list[Line] = []
    notes: list[str] = []
    for ln, sec, cont in zip(lines, sections(lines), continued(lines), strict=True):
        m = DEP_TAG_RE.match(ln.text)
        tag = m.group(1).lower().split("(", 1)[0] if m else ""
        if sec != "preamble" or cont or not m or tag not in ("buildrequires", "requires"):
            out.append(ln)
            continue
        try:
            deps = split_deps(m.group(3).strip())
        except DepSyntaxError:
            out.append(ln)
            continue
        items = []
        for dep in deps:
            new = names.get(dep.name)
            if new:
                notes.append(f"{m.group(1)} {dep.name} -> {new}: built by this set")
            items.append(dep.render(new) if new else dep.render())
        out.append(Line(ln.no, f"{m.group(1)}{m.group(2)}{', '.join(items)}"))
    return join_lines(out), notes


def rename_requirement(dep: str, names: Mapping[str, str]) -> str:
    """One "name [op version]" string (SpecInfo.build_requires) renamed per `names`."""
    head, sep, rest = dep.strip().partition(" ")
    return f"{names.get(head, head)}{sep}{rest}"
