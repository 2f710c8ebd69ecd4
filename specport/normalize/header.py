"""Pass: the target's own macros, written as %global lines at the top of the spec.

Chosen over a macros.d file so the normalized spec says, on its own, what it was made for:
`--diff` and golden files show it, and rpmspec/rpmbuild/debbuild all read it the same way.
%dist is defined here too: debbuild's own default ("debian12") has no separator and would give
release "1debian12"; rpmbuild's (".el8") is the same value the target data gives.

The build's --with/--without NAME are written here as the macros rpmbuild and debbuild define for
them (`%global _with_NAME --with-NAME`), so the spec normalized for them (its branches, its
translated names) builds the same way when rpmbuild or debbuild is run on it by hand. Each bcond
the spec declares gets a change note with its state.
"""

from __future__ import annotations

from specport.normalize.conditions import spec_view
from specport.normalize.model import Change, Line, PassContext, PassResult

NAME = "target-macros"
MARK = "# specport:"


def add_target_macros(lines: list[Line], ctx: PassContext) -> PassResult:
    t = ctx.target
    block = [
        f"{MARK} normalized for target {t.name}; regenerate with `specport normalize`",
        f"%global dist {t.dist}",
    ]
    changes = [Change(NAME, 0, f"%dist is {t.dist} on {t.name}")]
    for name, value in sorted(t.macros.items()):
        block.append(f"%global {name} {value}")
        changes.append(Change(NAME, 0, f"target macro %{name} {value}"))
    bconds = ctx.options.bconds
    for name, value in bconds.defines().items():
        block.append(f"%global {name} {value}")
    changes.extend(bcond_notes(lines, ctx))
    block.append("")
    return [*(Line(0, b) for b in block), *lines], changes


def bcond_notes(lines: list[Line], ctx: PassContext) -> list[Change]:
    """One note per bcond the spec declares: on or off, and the option that changes it."""
    bconds = ctx.options.bconds
    out: list[Change] = []
    if not bconds and not any("%bcond" in ln.text for ln in lines):
        return out  # most specs: no bconds, no walk
    declared = spec_view(lines, ctx.target, bconds).bconds
    for name, on in declared:
        given = "--with" if name in bconds.with_ else "--without" if name in bconds.without else ""
        state = "unknown" if on is None else "on" if on else "off"
        flip = "--without" if on else "--with"
        how = f"({given} {name})" if given else f"(default; {flip} {name} changes it)"
        out.append(Change(NAME, 0, f"bcond {name}: {state} {how}"))
    for name in [*bconds.with_, *bconds.without]:
        if name not in dict(declared):
            out.append(Change(NAME, 0, f"bcond {name}: the spec declares no such bcond"))
    return out
