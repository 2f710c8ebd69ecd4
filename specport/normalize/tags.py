"""Pass: preamble tag values without trailing blanks, on deb targets.

debbuild reads `Name:`, `Version:`, `Release:` and their kind as everything after the colon up to
the end of the line, trailing tabs and spaces included (rpm strips them): `Name:\tphp-pecl-x\t`
made a build root `.../php-pecl-x\t-2.0.9-1+deb12.amd64`, and `install` then took the rest of the
path as options. The blanks are removed."""

from __future__ import annotations

import re

from specport.normalize.lines import TAG_RE, sections
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
