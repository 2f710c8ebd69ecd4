"""One dependency item of a deb target's spec, translated: the `deps` pass calls `translate`.

What each kind of item becomes (and why), for `normalize --explain`:
- a name the resolver answers: its target name; a user rule's list gives several items;
- `pkgconfig(x)` in BuildRequires: x's -dev package and pkg-config itself (configure runs it);
- Provides of a Fedora capability namespace (`php-pecl(x)`, `bundled(x)`): dropped;
- a versioned Provides of a name the target's index Breaks (Debian's php-common
  `Breaks: php-amqp (<< 1.11.0-4~)`): unversioned, since an unversioned Provides meets no
  versioned Breaks, while `php-amqp = 1.11.0` would and the package would not install;
- a macro value with several names (`%global reqs a b c`): each name;
- a kept version gets the epoch of the target's package (`ImageMagick >= 7` -> `imagemagick >=
  8:7`: Debian's 8:6.9 would meet `>= 7`);
- rich dependencies (rpm 4.13+): `(a or b)` stays a rich dependency in BuildRequires, which rpm
  reads and apt gets as `a | b` (building/engines.py); in run-time tags debbuild writes one name per
  item (its splitver keeps only the last name of `a | b`), so the first alternative the target has
  is kept. `(a and b)` and `(a with b)` are both names (dpkg's `a, b`: `with` is a version range
  of one name, `foo >= 1, foo << 2`). `(a if b)`, `(a unless b)`, `else` have no dpkg form: in
  weak tags they are dropped, in Requires/BuildRequires they are an error naming the item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from specport.normalize.depsyntax import (
    DPKG_OPERATORS,
    Dep,
    DepSyntaxError,
    rich_alternatives,
    rich_terms,
    split_deps,
)
from specport.normalize.lines import expand
from specport.normalize.resolver import BuiltHere, Resolver, UserRules, innermost

SOFT_TAGS = ("conflicts", "buildconflicts", "obsoletes")
_WEAK_TAGS = ("recommends", "suggests", "supplements", "enhances")
_PKGCONFIG_RE = re.compile(r"pkgconfig\([^()]+\)")
_SCL_MACRO_RE = re.compile(r"%\{[!?]*_?scl")
_RICH_CONDITIONS = {"if", "unless", "else", "without"}

Record = tuple[str, str, str]  # (Fedora name, target name or "" when dropped, how)


@dataclass(frozen=True)
class Refused:
    name: str  # the Fedora name, as far as it could be read
    kind: str  # "absent", "unknown", "macro", "scl"
    why: str  # "" when nothing more is known


def unparen(why: str) -> str:
    why = why.strip()
    return why[1:-1] if why.startswith("(") and why.endswith(")") else why


@dataclass
class Translated:
    items: list[str] = field(default_factory=list)  # rendered dependency items
    notes: list[str] = field(default_factory=list)  # change notes
    refused: list[Refused] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)

    def add(self, other: Translated) -> None:
        self.items += other.items
        self.notes += other.notes
        self.refused += other.refused
        self.records += other.records


class RichDepError(Exception):
    """A rich dependency debbuild cannot express; the pass adds the line number."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def translate(
    dep: Dep, tag: str, resolver: Resolver, macros: dict[str, str], own: set[str]
) -> Translated:
    """The items, notes, refused names and records of one dependency of tag `tag` (lower case)."""
    if dep.rich:
        return _rich(dep, tag, resolver, macros, own)
    if dep.name == "python(abi)" and dep.version:
        # the interpreter's ABI, `python(abi) = 2.7` or `= 3.11`: Python 2 or 3 (rpm's generator
        # writes it; Debian's python3 is the target's one minor version, so no version is kept)
        dep = Dep("python2" if dep.version.startswith("2") else "python3")
    out = Translated()
    expanded = expand(dep.name, macros)
    if dep.name in own or (expanded is not None and expanded in own):
        name = expanded or dep.name
        out.items.append(dep.render())
        out.records.append((name, name, "this spec"))
        return out
    if expanded is not None and re.search(r"[\s,]", expanded.strip()):
        return _several(dep, expanded.strip(), tag, resolver, macros, own)
    if expanded is not None and not expanded.strip():
        out.notes.append(f"dropped {tag} {dep.name}: it expands to nothing on the target")
        return out
    if tag == "provides":
        return _provides(dep, expanded, resolver)
    if expanded is None and (raw := resolver.resolve(dep.name)) is not None and not raw.name:
        # a name with a %( ) no rule needs to read: perl(:MODULE_COMPAT_%(eval ...))
        out.notes.append(f"dropped {dep.name}: {raw.rule} (not needed on the target)")
        return out
    if expanded is None:
        if tag in SOFT_TAGS:
            out.notes.append(f"dropped {tag} {dep.name}: name uses a macro specport cannot read")
        else:
            why = "uses a macro specport cannot read"
            out.refused.append(Refused(dep.name, "macro", why))
        return out
    if expanded.startswith("-") and _SCL_MACRO_RE.search(dep.name):
        # %{?scl_name}-runtime: the name of a Software Collection, undefined outside one
        why = "a Software Collection name (SCL macros are undefined outside a collection)"
        if tag in SOFT_TAGS:
            out.notes.append(f"dropped {tag} {dep.name}: {why}")
        else:
            out.refused.append(Refused(dep.name, "scl", why))
        return out
    found = resolver.resolve(expanded)
    if found is None:
        if tag in SOFT_TAGS:
            out.notes.append(f"dropped {tag} {expanded}: no such package on the target")
        else:
            kind = resolver.refusal(expanded)
            # an unknown name's suggestions cost an index search: made later, only for the
            # names a message shows (10,000 unknown BuildRequires took minutes)
            why = "" if kind == "unknown" else unparen(resolver.missing(expanded))
            out.refused.append(Refused(expanded, kind, why))
        return out
    if not found.name:
        out.notes.append(f"dropped {expanded}: {found.rule} (not needed on the target)")
        out.records.append((expanded, "", found.rule))
        return out
    keep = found.keep_version and bool(dep.op)
    epoch = _epoch(resolver, expanded, found.name) if keep and ":" not in dep.version else ""
    version = f"{epoch}:{dep.version}" if epoch else dep.version
    item = f"{found.name} {dep.op} {version}" if keep else found.name
    out.items += [item, *found.also]
    if found.name != expanded or (dep.op and not keep) or found.also or epoch:
        note = f"{dep.render()} -> {', '.join([item, *found.also])}"
        if keep and dep.op in DPKG_OPERATORS:
            note += f" (debbuild writes {found.name} ({DPKG_OPERATORS[dep.op]} {version}))"
        if epoch:  # imagemagick 8:6.9 would meet `>= 7` with no epoch
            note += f" (the target's {found.name} has epoch {epoch})"
        out.notes.append(f"{note} [{found.rule}{', a guess' if found.guess else ''}]")
    if tag not in SOFT_TAGS:
        out.records.append((expanded, found.name, found.rule))
    if tag == "buildrequires" and _PKGCONFIG_RE.fullmatch(expanded):
        tool = resolver.resolve("pkgconfig")
        if tool is not None and tool.name:
            out.items.append(tool.name)
            out.notes.append(f"{expanded} also brings {tool.name}: configure runs it to read .pc")
    return out


def _epoch(resolver: Resolver, fedora: str, name: str) -> str:
    """The epoch of the target's `name` ("8" for imagemagick 8:6.9.11), or "": an upstream
    version compared without it would be older than any version of the package. Only for an
    answer of the index: a package the set builds (or the user's rule names) has its own."""
    layer = resolver
    while isinstance(layer, BuiltHere | UserRules):
        if fedora in (layer.built if isinstance(layer, BuiltHere) else layer.rules):
            return ""
        layer = layer.inner
    index = getattr(layer, "index", None)
    version = index.packages.get(name, "") if index is not None else ""
    m = re.match(r"(\d+):", version)
    return m.group(1) if m and m.group(1) != "0" else ""


def _several(
    dep: Dep, expanded: str, tag: str, resolver: Resolver, macros: dict[str, str], own: set[str]
) -> Translated:
    """A macro whose value is several names (`%global reqs a b >= 1`): each one."""
    out = Translated()
    try:
        parts = split_deps(expanded)
    except DepSyntaxError:
        parts = []
    if not parts or (dep.op and len(parts) > 1):
        out.refused.append(Refused(dep.name, "macro", f"expands to {expanded!r}"))
        return out
    out.notes.append(f"{dep.name} is {len(parts)} names: {expanded}")
    for part in parts:
        out.add(translate(part, tag, resolver, {}, own))
    return out


def _provides(dep: Dep, expanded: str | None, resolver: Resolver) -> Translated:
    out = Translated()
    name = expanded or dep.name
    if "(" in name:
        out.notes.append(f"dropped Provides {dep.name}: a Fedora capability namespace")
        return out
    index = getattr(innermost(resolver), "index", None)
    breakers = list(index.owners("breaks", name)) if index is not None and dep.op else []
    if breakers:
        out.items.append(dep.name)
        out.notes.append(
            f"Provides {dep.render(name)} -> {name}: {', '.join(breakers[:3])} Breaks {name}"
            " (versioned); a versioned Provides would meet that Breaks, an unversioned one"
            " meets none"
        )
        return out
    out.items.append(dep.render())
    return out


def _rich(
    dep: Dep, tag: str, resolver: Resolver, macros: dict[str, str], own: set[str]
) -> Translated:
    words, terms = rich_terms(dep.name) or (set(), [])  # no terms: a nested one (refused below)
    if words & _RICH_CONDITIONS:
        why = "dpkg has no conditional dependency"
        if tag in _WEAK_TAGS or tag in SOFT_TAGS:
            return Translated(notes=[f"dropped {tag} {dep.name}: {why}"])
        raise RichDepError(
            f"rich dependency {dep.name}: {why}",
            "give deb targets a plain name under %if 0%{?debian} || 0%{?ubuntu}",
        )
    if words and words <= {"and", "with"}:
        out = Translated()
        for part in terms:
            for sub in split_deps(part):
                out.add(translate(sub, tag, resolver, macros, own))
        out.notes.append(f"{dep.name} -> {', '.join(out.items) or 'nothing'} (all of them)")
        return out
    alternatives = rich_alternatives(dep.name)
    if alternatives is None:
        raise RichDepError(
            f"rich dependency {dep.name}: debbuild reads only plain names and `or` lists",
            "give deb targets a plain name under %if 0%{?debian} || 0%{?ubuntu}",
        )
    results = [translate(alt, tag, resolver, macros, own) for alt in alternatives]
    have = [r for r in results if r.items]
    out = Translated(records=[x for r in results for x in r.records])
    if not have:
        if tag in SOFT_TAGS:
            out.notes.append(f"dropped {tag} {dep.name}: none of them on the target")
        else:
            out.refused = [x for r in results for x in r.refused]
        return out
    if len({r.items[0] for r in have}) == 1 or tag != "buildrequires":
        out.items = list(have[0].items)
        why = (
            "debbuild writes one name per run-time dependency"
            if len({r.items[0] for r in have}) > 1
            else "one name on the target"
        )
        out.notes.append(f"{dep.name} -> {', '.join(out.items)} ({why})")
        return out
    firsts = list(dict.fromkeys(r.items[0] for r in have))
    out.items = [f"({' or '.join(firsts)})"]
    out.notes.append(f"{dep.name} -> {out.items[0]} (apt installs it as {' | '.join(firsts)})")
    return out
