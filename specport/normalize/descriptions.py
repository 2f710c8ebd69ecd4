"""Pass: `%description -n python3-foo %_description`, Fedora's shared description, written out.

Fedora defines one text for several packages, `%global _description %{expand: ...}` over many
lines, and names it on each `%description` line; rpm expands the macro into the section and drops
the blank line it starts with. debbuild takes a %description line's words as options and the
multi-line value as it is: the text was lost (the package got its Summary alone) or its blank
first line ended the control stanza ("several package info entries found"). For debbuild the
text goes into each section as lines; the definition stays for any other use.
"""

from __future__ import annotations

import re

from specport.normalize.lines import continued
from specport.normalize.model import Change, Line, PassContext, PassResult

NAME = "descriptions"
_DEFINE_RE = re.compile(r"^%(?:global|define)\s+([A-Za-z_]\w*)\s+(.*)$")
_SECTION_RE = re.compile(
    r"^(%description(?:\s+-n\s+\S+|\s+[^%\s-]\S*)?)\s+%\{?\??([A-Za-z_]\w*)\}?\s*$"
)


def definitions(lines: list[Line]) -> dict[str, list[str]]:
    """Multi-line texts: `%global X %{expand: ...}` over lines, or `%global X \\` continued."""
    out: dict[str, list[str]] = {}
    i = 0
    while i < len(lines):
        m = _DEFINE_RE.match(lines[i].text)
        if not m:
            i += 1
            continue
        name, value = m.groups()
        body: list[str] = []
        if value.startswith("%{expand:"):
            text = value[len("%{expand:") :]
            depth = 1 + text.count("{") - text.count("}")
            body.append(text)
            j = i + 1
            while depth > 0 and j < len(lines):
                t = lines[j].text
                depth += t.count("{") - t.count("}")
                body.append(t)
                j += 1
            if depth == 0 and body and body[-1].endswith("}"):
                body[-1] = body[-1][:-1]
                out[name] = _trimmed(body)
            i = j
            continue
        if value.rstrip().endswith("\\"):
            body.append(value.rstrip()[:-1])
            j = i + 1
            while j < len(lines) and lines[j - 1].text.rstrip().endswith("\\"):
                t = lines[j].text.rstrip()
                body.append(t[:-1] if t.endswith("\\") else t)
                j += 1
            out[name] = _trimmed(body)
            i = j
            continue
        i += 1
    return out


def _trimmed(body: list[str]) -> list[str]:
    while body and not body[0].strip():
        body.pop(0)
    while body and not body[-1].strip():
        body.pop()
    return body


def inline_description_macros(lines: list[Line], ctx: PassContext) -> PassResult:
    if ctx.target.family != "deb" or not any(_SECTION_RE.match(ln.text) for ln in lines):
        return lines, []
    texts = definitions(lines)
    out: list[Line] = []
    changes: list[Change] = []
    for ln, cont in zip(lines, continued(lines), strict=True):
        m = None if cont else _SECTION_RE.match(ln.text)
        if m is None or m.group(2) not in texts or not texts[m.group(2)]:
            out.append(ln)
            continue
        out.append(Line(ln.no, m.group(1)))
        out.extend(Line(ln.no, t) for t in texts[m.group(2)])
        note = f"{m.group(1)} %{m.group(2)}: the text written into the section for debbuild"
        changes.append(Change(NAME, ln.no, note))
    return out, changes
