"""Pass: dependency names for targets whose family translates them (deb: Debian's names).

Every dependency tag of every preamble is rewritten as one comma-separated list, because
debbuild splits dependency values on commas only (debbuild `splitreqs`): `BuildRequires: a b`
would reach dpkg as the single name "a b". What each item becomes is deptranslate.py's.

Version operators stay in rpm's spelling in the spec: rpm rejects `<<`, and debbuild's
`splitver` turns `<`/`>` into dpkg's `<<`/`>>` when it writes the control file. The change notes
show the dpkg relation. Epochs are kept. `%{?_isa}` is dropped (Debian has no arch-qualified
names in Depends). Obsoletes/Conflicts naming packages no rule knows are dropped too (such
packages do not exist on the target). Names are read with the spec's macros of the branches the
target takes (an undefined `%{?x}` is nothing, as in rpm).

Scriptlet requirements: dpkg has no Requires(post). dpkg configures a package's Depends before
its postinst and keeps them while it is installed (prerm), so Requires(post), (preun), (postun)
and (posttrans) become Requires. A preinst runs before the Depends are even unpacked: only
Pre-Depends are there, so Requires(pre) and (pretrans) become Requires(pre), which debbuild
writes as Pre-Depends.

Requirements nothing resolves are collected and reported in one UnresolvedError, each with its
class (absent, unknown, macro, scl), unless options.keep_unresolved. A Software Collection
metapackage spec (%scl_package, scl-utils-build) is refused whole: SCL exists on EL only.
"""

from __future__ import annotations

import re

from specport.errors import SpecError, listing
from specport.normalize.depconfirm import confirm_dependencies
from specport.normalize.depsyntax import (
    DEP_TAG_RE,
    ISA_RE,
    Dep,
    DepSyntaxError,
    dpkg_relation,
    split_deps,
)
from specport.normalize.deptranslate import (
    SOFT_TAGS,
    Record,
    Refused,
    RichDepError,
    translate,
    unparen,
)
from specport.normalize.errors import PhpStackError, SclError, UnresolvedError
from specport.normalize.lines import SECTION_RE, chains, continued, expand, sections
from specport.normalize.model import Change, Line, PassContext, PassResult
from specport.normalize.packages import own_packages
from specport.normalize.provided import reading
from specport.normalize.resolver import (
    Resolver,
    RuleResolver,
    debian_name,
    stack_php_version,
    uses_index,
)
from specport.targets.families import facts_of
from specport.targets.model import Target

NAME = "deps"
_WRAPPED_RE = re.compile(r"^(%\{!?\?\w+:)\s*([^{}]*)\}\s*$")
_SCL_PACKAGE_RE = re.compile(r"^%\{?scl_package\b")
# Requires(x): what dpkg can give a maintainer script (see the module docstring)
_PRE_PHASES = {"pre", "pretrans"}
_HINT = (
    'map them in specport.toml ([names.{target}] "fedora-name" = "debian-name", or'
    " [names.deb] for every deb target), guard them with %if 0%{{?fedora}} || 0%{{?rhel}},"
    " or pass --keep-unresolved"
)


def _other_php(dep: Dep, macros: dict[str, str], target: Target) -> str | None:
    """Why `dep` cannot be had on the target when it names another PHP version's stack."""
    if dep.rich:
        return None
    name = expand(dep.name, macros) or dep.name
    version = stack_php_version(name)
    if version is None or version == target.php_version:
        return None
    return f"{name} is a PHP {version} stack, but {target.name} has PHP {target.php_version}"


def _scriptlet_tag(tag: str) -> tuple[str, str]:
    """(the tag to write, a note or "") for Requires(phase[,phase]) on a deb target."""
    m = re.fullmatch(r"(?i)requires\(([^)]*)\)", tag)
    if not m:
        return tag, ""
    phases = {p.strip().lower() for p in m.group(1).split(",")}
    if phases & _PRE_PHASES:
        if phases == {"pre"}:
            return tag, ""  # debbuild writes Pre-Depends
        return "Requires(pre)", f"{tag} -> Requires(pre): a preinst has only Pre-Depends"
    return "Requires", f"{tag} -> Requires: dpkg configures Depends before a postinst runs"


def _scl_metapackage(lines: list[Line], live: list[bool]) -> str:
    """Why the spec is a Software Collection metapackage, or ""."""
    for ln, alive in zip(lines, live, strict=True):
        if not alive:
            continue
        if _SCL_PACKAGE_RE.match(ln.text):
            return "%scl_package"
        m = DEP_TAG_RE.match(ln.text)
        if m and m.group(1).lower() == "buildrequires" and "scl-utils-build" in m.group(3):
            return "BuildRequires: scl-utils-build"
    return ""


def translate_dependencies(
    lines: list[Line], ctx: PassContext, resolver: Resolver | None = None
) -> PassResult:
    chosen = resolver or ctx.resolver
    if not facts_of(ctx.target).translates_names:
        return (lines, []) if chosen is None else confirm_dependencies(lines, ctx, chosen)
    res = chosen or RuleResolver(ctx.target)
    # the target's directory/PEAR macros first, so %{_bindir}/phpunit and %{__pear} can be read;
    # the spec's own definitions in the branches the target takes win
    macros, live = reading(lines, ctx.target, ctx.options.bconds)
    own = own_packages(lines, macros)
    scl = _scl_metapackage(lines, live)
    if scl:
        name = expand(macros.get("name", ""), macros) or macros.get("name", "spec")
        why = f"a Software Collection metapackage ({scl}): SCL exists on EL only"
        raise SclError(
            f"{ctx.path or 'spec'}: {why}; {ctx.target.name} has no counterpart",
            [name],
            hint="build the collection's packages for deb targets without SCL instead",
            refused=[(name, "scl", why)],
        )
    out: list[Line] = []
    changes: list[Change] = []
    refused: list[tuple[int, Refused]] = []
    other_php: list[tuple[int, str]] = []  # (line, why) of PHP stacks of another version
    seen: dict[tuple[int, str], set[str]] = {}  # (package block, tag) -> items already written
    block = 0
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
            deps = split_deps(ISA_RE.sub("", value).strip())
        except DepSyntaxError as exc:
            raise SpecError(f"{tag}: {exc}", path=ctx.path, line=ln.no) from None
        written_tag, tag_note = _scriptlet_tag(tag)
        kind = tag.lower().split("(", 1)[0]
        new_items: list[str] = []
        for dep in deps:
            if kind not in SOFT_TAGS and (stack := _other_php(dep, macros, ctx.target)):
                other_php.append((ln.no, stack))
                continue
            try:
                done = translate(dep, kind, res, macros, own)
            except RichDepError as exc:
                raise SpecError(exc.message, path=ctx.path, line=ln.no, hint=exc.hint) from None
            except DepSyntaxError as exc:  # inside a rich dependency, once macros are expanded
                raise SpecError(f"{tag}: {exc}", path=ctx.path, line=ln.no) from None
            new_items.extend(done.items)
            _note(changes, ln.no, tag, done.notes, done.records)
            refused.extend((ln.no, r) for r in done.refused)
            if done.refused and ctx.options.keep_unresolved:
                new_items.append(dep.render())
        key = (block, written_tag.lower())
        bucket = seen.setdefault(key, set())
        fresh = [i for i in dict.fromkeys(new_items) if i not in bucket]
        bucket.update(fresh)
        if not fresh:
            why = "already listed" if new_items else f"nothing left on {ctx.target.name}"
            changes.append(Change(NAME, ln.no, f"{tag}: {why}"))
            # %% keeps rpm from expanding macros in the comment
            out.append(Line(ln.no, f"# specport dropped: {ln.text}".replace("%", "%%")))
            continue
        if tag_note:
            changes.append(Change(NAME, ln.no, tag_note))
        out.append(Line(ln.no, f"{opening}{written_tag}{sep}{', '.join(fresh)}{closing}"))
        if ISA_RE.search(value):
            note = "dropped %{?_isa}: Debian names are not arch-qualified"
            changes.append(Change(NAME, ln.no, note))
    if other_php:
        # no rule, index or --keep-unresolved makes another PHP's stack installable here
        raise PhpStackError(
            f"{ctx.path or 'spec'}: " + listing(other_php, lambda w: f"line {w[0]}: {w[1]}"),
            [why.split()[0] for _, why in other_php],
            hint="require the unversioned name (php-devel, php-cli), or build for a target"
            " with that PHP version",
            refused=[(why.split()[0], "php-stack", why) for _, why in other_php],
        )
    if refused and not ctx.options.keep_unresolved:
        whys: dict[str, str] = {}

        def show(item: tuple[int, Refused]) -> str:
            no, r = item
            why = r.why or (unparen(res.missing(r.name)) if r.kind == "unknown" else "")
            whys[r.name] = why
            return f"line {no}: {r.name}" + (f" ({why})" if why else "")

        listed = listing(refused, show)
        if uses_index(res):
            what = f"neither {ctx.target.name}'s package index nor the spec set has these names"
        else:
            what = f"no rule translates these names for {ctx.target.name}"
        raise UnresolvedError(
            f"{ctx.path or 'spec'}: {what}: {listed}",
            [r.name for _, r in refused],
            hint=_switch_hint(lines, [no for no, _ in refused])
            + _HINT.format(target=ctx.target.name),
            refused=[(r.name, r.kind, whys.get(r.name, r.why)) for _, r in refused],
        )
    for no, r in refused:
        changes.append(Change(NAME, no, f"kept unresolved name {r.name} (--keep-unresolved)"))
    return out, changes


_SWITCH_RE = re.compile(r"%\{\??with([ _])(\w+)\}")  # a bcond's %{with x}, or %{with_x}


def _switch_hint(lines: list[Line], numbers: list[int]) -> str:
    """When every refused name sits under a feature switch of the spec (`%if %{with python}`,
    `%if %{with_python}`), the way out that keeps the rest of the package: turn it off."""
    table = chains(lines)
    at = {ln.no: i for i, ln in enumerate(lines)}
    switches: dict[str, str] = {}
    for no in numbers:
        found = (
            [m for text, _ in table[at[no]] for m in _SWITCH_RE.finditer(text)] if no in at else []
        )
        if not found:
            return ""
        for m in found:
            name = m.group(2)
            switches[name] = (
                f"--without {name}" if m.group(1) == " " else f"%global with_{name} 0 in the spec"
            )
    ways = ", ".join(sorted(set(switches.values())))
    return f"every one of them sits under a switch of the spec: turn it off ({ways}), or "


def _note(
    changes: list[Change], no: int, tag: str, notes: list[str], records: list[Record]
) -> None:
    if len(records) == 1 and notes and notes[0].startswith(f"{records[0][0]} "):
        # the first change note is the record's explanation
        changes.append(Change(NAME, no, notes[0], records[0]))
        changes.extend(Change(NAME, no, n) for n in notes[1:])
        return
    changes.extend(Change(NAME, no, n) for n in notes)
    for fedora, name, how in records:
        note = f"{tag}: {fedora} -> {name or 'nothing'} [{how}]"
        changes.append(Change(NAME, no, note, (fedora, name, how)))


__all__ = [
    "NAME",
    "PhpStackError",
    "SclError",
    "UnresolvedError",
    "debian_name",
    "dpkg_relation",
    "own_packages",
    "translate_dependencies",
]
