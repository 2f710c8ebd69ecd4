"""Pass: dependency names for deb targets (target.name_rules == "debian").

Every dependency tag of every preamble is rewritten as one comma-separated list, because
debbuild splits dependency values on commas only (debbuild `splitreqs`): `BuildRequires: a b`
would reach dpkg as the single name "a b".

Version operators stay in rpm's spelling in the spec: rpm rejects `<<`, and debbuild's
`splitver` turns `<`/`>` into dpkg's `<<`/`>>` when it writes the control file. The change notes
show the dpkg relation. Epochs are kept. `%{?_isa}` is dropped (Debian has no arch-qualified
names in Depends). Provides in Fedora's capability namespaces (`php-pecl(x)`, `bundled(x)`) are
dropped: no Debian package asks for them. Obsoletes/Conflicts naming packages no rule knows are
dropped too (such packages do not exist on the target). Requirements no rule resolves are
collected and reported in one DependencyError, unless options.keep_unresolved.
"""

from __future__ import annotations

import re

from specport.errors import DependencyError, SpecError
from specport.spec.conditions import spec_view
from specport.spec.depsyntax import DEP_TAG_RE, Dep, DepSyntaxError, rich_alternatives, split_deps
from specport.spec.lines import (
    SECTION_RE,
    continued,
    expand,
    sections,
    simple_macros,
    split_lines,
)
from specport.spec.model import Change, Line, PassContext, PassResult
from specport.spec.resolver import (
    Resolver,
    RuleResolver,
    debian_name,
    stack_php_version,
    target_macros,
    uses_index,
)
from specport.targets.model import Target

NAME = "deps"
_ISA_RE = re.compile(r"%\{\?_isa\}|%\{_isa\}")
_DPKG_OP = {"<": "<<", ">": ">>", "==": "="}
_SOFT_TAGS = ("conflicts", "buildconflicts", "obsoletes")
_WRAPPED_RE = re.compile(r"^(%\{!?\?\w+:)\s*([^{}]*)\}\s*$")


class UnresolvedError(DependencyError):
    """Requirements nothing translates; `names` are the Fedora names (for --report)."""

    def __init__(self, message: str, names: list[str], hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.names = names


class PhpStackError(UnresolvedError):
    """A versioned EL PHP stack (php73-php-devel) of another PHP version than the target's."""


def _other_php(dep: Dep, macros: dict[str, str], target: Target) -> str | None:
    """Why `dep` cannot be had on the target when it names another PHP version's stack."""
    if dep.rich:
        return None
    name = expand(dep.name, macros) or dep.name
    version = stack_php_version(name)
    if version is None or version == target.php_version:
        return None
    return f"{name} is a PHP {version} stack, but {target.name} has PHP {target.php_version}"


class RichDepError(Exception):
    """A rich dependency debbuild cannot express; the pass adds the line number."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def own_packages(lines: list[Line], macros: dict[str, str]) -> set[str]:
    """Names of the packages this spec builds (main and %package subpackages), expanded."""
    main = expand(macros.get("name", ""), macros) or macros.get("name", "")
    names = {main, "%{name}"}
    for ln in lines:
        m = re.match(r"^%package\s+(-n\s+)?(\S+)", ln.text)
        if m:
            sub = m.group(2) if m.group(1) else f"{main}-{m.group(2)}"
            names.add(expand(sub, macros) or sub)
    return names


def translate_dependencies(
    lines: list[Line], ctx: PassContext, resolver: Resolver | None = None
) -> PassResult:
    if ctx.target.name_rules != "debian":
        chosen = resolver or ctx.resolver
        return (lines, []) if chosen is None else confirm_dependencies(lines, ctx, chosen)
    resolver = resolver or ctx.resolver or RuleResolver(ctx.target)
    # the target's directory/PEAR macros first, so %{_bindir}/phpunit and %{__pear} can be read;
    # the spec's own definitions win, as the target's reader sees them (conditions.py)
    view = spec_view(lines, ctx.target, ctx.options.bconds)
    macros = {**target_macros(ctx.target), **view.macros}
    own = own_packages(lines, macros)
    out: list[Line] = []
    changes: list[Change] = []
    unresolved: list[tuple[int, str]] = []
    other_php: list[tuple[int, str]] = []  # (line, why) of PHP stacks of another version
    seen: dict[tuple[int, str], set[str]] = {}  # (package block, tag) -> items already written
    block = 0
    # `live` covers `%{?with_x:BuildRequires: foo}` too: a wrapper the target never expands
    live = view.live
    for ln, sec, cont, alive in zip(lines, sections(lines), continued(lines), live, strict=True):
        if ln.text.startswith("%package"):
            block += 1
        # `%{?with_x:BuildRequires: foo}`: a tag line that only exists when a macro is defined
        wrap = _WRAPPED_RE.match(ln.text)
        opening, closing = (wrap.group(1), "}") if wrap else ("", "")
        m = DEP_TAG_RE.match(wrap.group(2) if wrap else ln.text)
        # lines in a branch the target never takes (%if 0%{?fedora}) stay as written
        if sec != "preamble" or cont or not m or SECTION_RE.match(ln.text) or not alive:
            out.append(ln)
            continue
        tag, sep, value = m.groups()
        try:
            deps = split_deps(_ISA_RE.sub("", value).strip())
        except DepSyntaxError as exc:
            raise SpecError(f"{tag}: {exc}", path=ctx.path, line=ln.no) from None
        new_items: list[str] = []
        for dep in deps:
            if tag.lower() not in _SOFT_TAGS and (why := _other_php(dep, macros, ctx.target)):
                other_php.append((ln.no, why))
                continue
            try:
                items, notes, missing, records = _translate(dep, tag.lower(), resolver, macros, own)
            except RichDepError as exc:
                raise SpecError(exc.message, path=ctx.path, line=ln.no, hint=exc.hint) from None
            new_items.extend(items)
            if len(notes) == len(records) == 1:  # the change note is the record's explanation
                changes.append(Change(NAME, ln.no, notes[0], records[0]))
            else:
                changes.extend(Change(NAME, ln.no, n) for n in notes)
                changes.extend(Change(NAME, ln.no, _record_note(tag, r), r) for r in records)
            unresolved.extend((ln.no, x) for x in missing)
            if missing and ctx.options.keep_unresolved:
                new_items.append(dep.render())
        key = (block, tag.lower())
        bucket = seen.setdefault(key, set())
        fresh = [i for i in dict.fromkeys(new_items) if i not in bucket]
        bucket.update(fresh)
        if not fresh:
            why = "already listed" if new_items else f"nothing left on {ctx.target.name}"
            changes.append(Change(NAME, ln.no, f"{tag}: {why}"))
            # %% keeps rpm from expanding macros in the comment
            out.append(Line(ln.no, f"# specport dropped: {ln.text}".replace("%", "%%")))
            continue
        new_items = fresh
        text = f"{opening}{tag}{sep}{', '.join(new_items)}{closing}"
        if "%{?_isa}" in value or "%{_isa}" in value:
            note = "dropped %{?_isa}: Debian names are not arch-qualified"
            changes.append(Change(NAME, ln.no, note))
        out.append(Line(ln.no, text))
    if other_php:
        # no rule, index or --keep-unresolved makes another PHP's stack installable here
        raise PhpStackError(
            f"{ctx.path or 'spec'}: " + "; ".join(f"line {no}: {why}" for no, why in other_php),
            [why.split()[0] for _, why in other_php],
            hint="require the unversioned name (php-devel, php-cli), or build for a target"
            " with that PHP version",
        )
    if unresolved and not ctx.options.keep_unresolved:
        listing = "; ".join(f"line {no}: {name}{resolver.missing(name)}" for no, name in unresolved)
        if uses_index(resolver):
            what = f"neither {ctx.target.name}'s package index nor the spec set has these names"
        else:
            what = f"no rule translates these names for {ctx.target.name}"
        raise UnresolvedError(
            f"{ctx.path or 'spec'}: {what}: {listing}",
            [name for _, name in unresolved],
            hint="add them to specport/spec/names/debian.toml, guard them with %if 0%{?fedora}"
            " || 0%{?rhel}, or pass --keep-unresolved",
        )
    for no, name in unresolved:
        changes.append(Change(NAME, no, f"kept unresolved name {name} (--keep-unresolved)"))
    return out, changes


# rpm's own directory macros (/usr/lib/rpm/macros, the same in rpm 4.14 to 4.18), to read
# path dependencies like %{_bindir}/phpunit on rpm targets; %{_libdir} differs per arch: unread
_RPM_DIR_MACROS = {
    "_prefix": "/usr", "_exec_prefix": "/usr", "_bindir": "/usr/bin", "_sbindir": "/usr/sbin",
    "_libexecdir": "/usr/libexec", "_datadir": "/usr/share", "_sysconfdir": "/etc",
}  # fmt: skip
_CONFIRMED_TAGS = ("buildrequires", "requires", "recommends")  # Requires(post) too


def confirm_dependencies(lines: list[Line], ctx: PassContext, resolver: Resolver) -> PassResult:
    """Targets that keep Fedora's names (rpm) with a package index: each name is confirmed
    against it, the text unchanged; names it lacks are one UnresolvedError, as on deb targets.
    Names with macros specport cannot read and rich dependencies beyond `or` are rpm's to read."""
    view = spec_view(lines, ctx.target, ctx.options.bconds)
    macros = {**_RPM_DIR_MACROS, **view.macros}
    own = own_packages(lines, macros)
    changes: list[Change] = []
    unresolved: list[tuple[int, str]] = []
    live = view.live
    for ln, sec, cont, alive in zip(lines, sections(lines), continued(lines), live, strict=True):
        wrap = _WRAPPED_RE.match(ln.text)
        m = DEP_TAG_RE.match(wrap.group(2) if wrap else ln.text)
        if sec != "preamble" or cont or not m or SECTION_RE.match(ln.text) or not alive:
            continue
        tag = m.group(1)
        if not tag.lower().startswith(_CONFIRMED_TAGS):
            continue
        try:
            deps = split_deps(_ISA_RE.sub("", m.group(3)).strip())
        except DepSyntaxError as exc:
            raise SpecError(f"{tag}: {exc}", path=ctx.path, line=ln.no) from None
        for dep in deps:
            alternatives = rich_alternatives(dep.name) if dep.rich else [dep]
            names = [expand(a.name, macros) for a in alternatives or []]
            if not names or None in names or any(n in own for n in names):
                continue
            found = [(n, r) for n in names if n and (r := resolver.resolve(n)) is not None]
            if found:
                name, res = found[0]
                changes.append(
                    Change(NAME, ln.no, f"{tag} {name}: {res.rule}", (name, name, res.rule))
                )
            else:
                unresolved.extend((ln.no, n) for n in names if n)
    if unresolved and not ctx.options.keep_unresolved:
        listing = "; ".join(f"line {no}: {name}{resolver.missing(name)}" for no, name in unresolved)
        raise UnresolvedError(
            f"{ctx.path or 'spec'}: neither {ctx.target.name}'s package index nor the spec set"
            f" has these names: {listing}",
            [name for _, name in unresolved],
            hint="check the names, guard them with %if, or pass --keep-unresolved",
        )
    return lines, changes


Record = tuple[str, str, str]  # (Fedora name, target name or "" when dropped, how)
Translated = tuple[list[str], list[str], list[str], list[Record]]


def _record_note(tag: str, record: Record) -> str:
    fedora, name, how = record
    return f"{tag}: {fedora} -> {name or 'nothing'} [{how}]"


def _translate(
    dep: Dep, tag: str, resolver: Resolver, macros: dict[str, str], own: set[str]
) -> Translated:
    """(rendered items, change notes, unresolved names, dependency records) for one dependency."""
    if dep.rich:
        return _translate_rich(dep, tag, resolver, macros, own)
    expanded = expand(dep.name, macros)
    if dep.name in own or (expanded is not None and expanded in own):
        return [dep.render()], [], [], [(expanded or dep.name, expanded or dep.name, "this spec")]
    if tag == "provides":
        if "(" in (expanded or dep.name):
            return [], [f"dropped Provides {dep.name}: a Fedora capability namespace"], [], []
        return [dep.render()], [], [], []
    if expanded is None and (raw := resolver.resolve(dep.name)) is not None and not raw.name:
        # a name with a %( ) no rule needs to read: perl(:MODULE_COMPAT_%(eval ...))
        return [], [f"dropped {dep.name}: {raw.rule} (not needed on the target)"], [], []
    if expanded is None:
        if tag in _SOFT_TAGS:
            note = f"dropped {tag} {dep.name}: name uses a macro specport cannot read"
            return [], [note], [], []
        return [], [], [f"{dep.name} (uses a macro specport cannot read)"], []
    found = resolver.resolve(expanded)
    if found is None:
        if tag in _SOFT_TAGS:
            return [], [f"dropped {tag} {expanded}: no such package on the target"], [], []
        return [], [], [expanded], []
    if not found.name:
        note = f"dropped {expanded}: {found.rule} (not needed on the target)"
        return [], [note], [], [(expanded, "", found.rule)]
    keep = found.keep_version and bool(dep.op)
    item = f"{found.name} {dep.op} {dep.version}" if keep else found.name
    notes = []
    if found.name != expanded or (dep.op and not keep):
        note = f"{dep.render()} -> {item}"
        if keep and dep.op in _DPKG_OP:
            note += f" (debbuild writes {found.name} ({_DPKG_OP[dep.op]} {dep.version}))"
        notes.append(f"{note} [{found.rule}{', a guess' if found.guess else ''}]")
    records = [] if tag in _SOFT_TAGS else [(expanded, found.name, found.rule)]
    return [item], notes, [], records


def _translate_rich(
    dep: Dep, tag: str, resolver: Resolver, macros: dict[str, str], own: set[str]
) -> Translated:
    alternatives = rich_alternatives(dep.name)
    if alternatives is None:
        raise RichDepError(
            f"rich dependency {dep.name}: debbuild reads only plain names",
            "guard it with %if 0%{?fedora} || 0%{?rhel} and give deb targets a plain name",
        )
    results = [_translate(alt, tag, resolver, macros, own) for alt in alternatives]
    names = {tuple(r[0]) for r in results}
    missing = [x for r in results for x in r[2]]
    records = [x for r in results for x in r[3]]
    if len(names) == 1 and not missing:
        (items,) = names
        return list(items), [f"{dep.name} -> {', '.join(items) or 'nothing'}"], [], records
    resolved = [r[0][0] for r in results if r[0]]
    if missing and not resolved:
        return [], [], missing, []
    raise RichDepError(
        f"rich dependency {dep.name}: debbuild cannot express alternatives"
        f" ({' | '.join(resolved)} on the target)",
        "pick one name for deb targets under %if 0%{?debian} || 0%{?ubuntu}",
    )


def provided_names(text: str) -> dict[str, str]:
    """Name -> package, for what a spec builds: its packages and their Provides (read as text)."""
    lines = split_lines(text)
    macros = simple_macros(lines)
    main = expand(macros.get("name", ""), macros) or macros.get("name", "")
    out: dict[str, str] = {}
    package = main
    for ln, sec, cont in zip(lines, sections(lines), continued(lines), strict=True):
        m = re.match(r"^%package\s+(-n\s+)?(\S+)", ln.text)
        if m:
            sub = m.group(2) if m.group(1) else f"{main}-{m.group(2)}"
            package = expand(sub, macros) or sub
            out.setdefault(package, package)
            continue
        if sec != "preamble" or cont:
            continue
        t = DEP_TAG_RE.match(ln.text)
        if not t or t.group(1).lower() != "provides":
            continue
        try:
            deps = split_deps(t.group(3).strip())
        except DepSyntaxError:
            continue
        for dep in deps:
            name = expand(dep.name, macros)
            if name and not dep.rich:
                out.setdefault(name, package)
    if main:
        out[main] = main
    return out


def dpkg_relation(op: str) -> str:
    """dpkg's spelling of an rpm version operator (what debbuild writes)."""
    return _DPKG_OP.get(op, op)


__all__ = [
    "NAME",
    "debian_name",
    "dpkg_relation",
    "own_packages",
    "provided_names",
    "translate_dependencies",
]
