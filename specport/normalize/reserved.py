"""Pass: spec macros named like debbuild's built-ins, on deb targets.

debbuild answers `%{sources}`, `%{patches}`, `%{source}`, `%{sourceN}`/`%{patchN}`, `%{optflags}`,
`%{getconfdir}` and `%{dump}` itself, before it looks at the spec's own definitions (rpm lets a
spec's %global win). Fedora's PECL specs define `%global sources %{pecl_name}-%{version}` and use
it in Source0: debbuild then expands %{sources} to the list of sources, which names Source0,
which holds %{sources}... ("Deep recursion on subroutine expd_simple", the build killed). Such a
macro is renamed (`specport_sources`) in its definition and every use."""

from __future__ import annotations

import re

from specport.normalize.lines import DEFINE_RE
from specport.normalize.model import Change, Line, PassContext, PassResult

NAME = "reserved"
# debbuild 24.12's expandmacros answers these names before the spec's definitions
_BUILTIN = re.compile(r"sources|patches|source|optflags|getconfdir|dump|(?:source|patch)\d+")


def rename_builtin_clashes(lines: list[Line], ctx: PassContext) -> PassResult:
    defined = {
        m.group(2)
        for ln in lines
        if (m := DEFINE_RE.match(ln.text)) and _BUILTIN.fullmatch(m.group(2))
    }
    if not defined:
        return lines, []
    names = "|".join(sorted(map(re.escape, defined)))
    use = re.compile(rf"%(\{{[?!]*)?({names})(?=[}}:\s]|$)|(%(?:global|define)\s+)({names})\b")
    out: list[Line] = []
    changes: list[Change] = []
    for ln in lines:
        text = use.sub(_renamed, ln.text)
        if text != ln.text and DEFINE_RE.match(ln.text):
            name = DEFINE_RE.match(ln.text).group(2)  # type: ignore[union-attr]
            changes.append(
                Change(NAME, ln.no, f"%{name} renamed specport_{name}: debbuild answers"
                       f" %{{{name}}} itself, before the spec's definition")
            )  # fmt: skip
        out.append(Line(ln.no, text))
    return out, changes


def _renamed(m: re.Match[str]) -> str:
    if m.group(3):  # the definition
        return f"{m.group(3)}specport_{m.group(4)}"
    return f"%{m.group(1) or ''}specport_{m.group(2)}"
