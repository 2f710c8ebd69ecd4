"""Pass: the target's own macros, written as %global lines at the top of the spec.

Chosen over a macros.d file so the normalized spec says, on its own, what it was made for:
`--diff` and golden files show it, and rpmspec/rpmbuild/debbuild all read it the same way.
%dist is defined here too: debbuild's own default ("debian12") has no separator and would give
release "1debian12"; rpmbuild's (".el8") is the same value the target data gives.
"""

from __future__ import annotations

from specport.spec.model import Change, Line, PassContext, PassResult

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
    block.append("")
    return [*(Line(0, b) for b in block), *lines], changes
