"""Dependency names on targets that keep Fedora's names (rpm), with a package index: each name
is confirmed against it, the text unchanged; names it lacks are one UnresolvedError, as on deb
targets. Names with macros specport cannot read and rich dependencies beyond `or` are rpm's to
read."""

from __future__ import annotations

import re

from specport.errors import SpecError, listing
from specport.normalize.depsyntax import (
    DEP_TAG_RE,
    ISA_RE,
    DepSyntaxError,
    rich_alternatives,
    split_deps,
)
from specport.normalize.errors import UnresolvedError
from specport.normalize.lines import SECTION_RE, continued, expand, sections
from specport.normalize.model import Change, Line, PassContext, PassResult
from specport.normalize.packages import own_packages
from specport.normalize.provided import reading
from specport.normalize.resolver import Resolver

NAME = "deps"
_WRAPPED_RE = re.compile(r"^(%\{!?\?\w+:)\s*([^{}]*)\}\s*$")
_CONFIRMED_TAGS = ("buildrequires", "requires", "recommends")  # Requires(post) too


def confirm_dependencies(lines: list[Line], ctx: PassContext, resolver: Resolver) -> PassResult:
    macros, live = reading(lines, ctx.target, ctx.options.bconds)
    own = own_packages(lines, macros)
    changes: list[Change] = []
    unresolved: list[tuple[int, str]] = []
    for ln, sec, cont, alive in zip(lines, sections(lines), continued(lines), live, strict=True):
        wrap = _WRAPPED_RE.match(ln.text)
        m = DEP_TAG_RE.match(wrap.group(2) if wrap else ln.text)
        if sec != "preamble" or cont or not m or SECTION_RE.match(ln.text) or not alive:
            continue
        tag = m.group(1)
        if not tag.lower().startswith(_CONFIRMED_TAGS):
            continue
        try:
            deps = split_deps(ISA_RE.sub("", m.group(3)).strip())
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
        # suggestions only for the names the message shows (each costs an index search)
        listed = listing(unresolved, lambda u: f"line {u[0]}: {u[1]}{resolver.missing(u[1])}")
        raise UnresolvedError(
            f"{ctx.path or 'spec'}: neither {ctx.target.name}'s package index nor the spec set"
            f" has these names: {listed}",
            [name for _, name in unresolved],
            hint="check the names, guard them with %if, or pass --keep-unresolved",
            refused=[(name, resolver.refusal(name), "") for _, name in unresolved],
        )
    return lines, changes
