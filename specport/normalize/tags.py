"""Pass: preamble tag values without trailing blanks, on deb targets.

debbuild reads `Name:`, `Version:`, `Release:` and their kind as everything after the colon up to
the end of the line, trailing tabs and spaces included (rpm strips them): `Name:\tphp-pecl-x\t`
made a build root `.../php-pecl-x\t-2.0.9-1+deb12.amd64`, and `install` then took the rest of the
path as options. The blanks are removed.

And on every target: a Version made of a macro the spec defines only under conditions the target
does not meet (`%if 0%{?fedora} >= 19 || 0%{?rhel} >= 5` / `%global extver 1.1.2`) is refused
with the lines, instead of a build that looks for `gearman-%{extver}.tgz`."""

from __future__ import annotations

import re

from specport.errors import SpecError
from specport.normalize.conditions import spec_view
from specport.normalize.lines import DEFINE_RE, TAG_RE, chains, sections
from specport.normalize.model import Change, Line, PassContext, PassResult

NAME = "tags"
_TRAILING = re.compile(r"[ \t]+$")


def trim_tag_values(lines: list[Line], ctx: PassContext) -> PassResult:
    out: list[Line] = []
    changes: list[Change] = []
    for ln, sec in zip(lines, sections(lines), strict=True):
        tag = TAG_RE.match(ln.text) if sec == "preamble" else None
        if tag and _TRAILING.search(ln.text):
            out.append(Line(ln.no, _TRAILING.sub("", ln.text)))
            changes.append(
                Change(
                    NAME, ln.no, f"{tag.group(1)}: trailing blanks removed (debbuild keeps them)"
                )
            )
        else:
            out.append(ln)
    return out, changes


_MACRO_REF = re.compile(r"%\{(\w+)\}|%(\w+)")


def check_version_defined(lines: list[Line], ctx: PassContext) -> PassResult:
    version = next(
        (ln for ln, sec in zip(lines, sections(lines), strict=True)
         if sec == "preamble" and re.match(r"^Version\s*:", ln.text, re.IGNORECASE)),
        None,
    )  # fmt: skip
    if version is None or "%" not in version.text:
        return lines, []
    names = {m.group(1) or m.group(2) for m in _MACRO_REF.finditer(version.text)}
    defined: dict[str, list[int]] = {}  # index of each definition of those names
    for i, ln in enumerate(lines):
        if (m := DEFINE_RE.match(ln.text)) and m.group(2) in names:
            defined.setdefault(m.group(2), []).append(i)
    if not defined:
        return lines, []
    table = chains(lines)  # a name defined outside any %if (once will do) is defined everywhere
    suspects = sorted(n for n, at in defined.items() if all(table[i] for i in at))
    if not suspects:
        return lines, []
    view = spec_view(lines, ctx.target, ctx.options.bconds)
    for name in suspects:
        if name not in view.macros:
            where = ", ".join(str(lines[i].no) for i in defined[name])
            raise SpecError(
                f"Version uses %{{{name}}}, which the spec defines only under conditions "
                f"{ctx.target.name} does not meet (line {where})",
                path=ctx.path,
                line=version.no,
                hint=f"define %{name} for every target, e.g. in an %else branch",
            )
    return lines, []
