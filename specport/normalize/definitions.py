"""How spec lines define macros, read as text: `%{?x: ...}` wrappers, definitions written for
%{expand:}, and which names a spec owns (defines without asking first whether they exist).
Used by the %if walk (conditions.py)."""

from __future__ import annotations

import re

from specport.normalize.lines import DEFINE_RE
from specport.normalize.model import Line

IF_RE = re.compile(r"^\s*%if(?:\s+(.*))?$")
IFARCH_RE = re.compile(r"^\s*%if(n?)(arch|os)\b(.*)$")
ELIF_RE = re.compile(r"^\s*%elif(arch|os)?(?:\s+(.*))?$")
ENDIF_RE = re.compile(r"^\s*%endif\b")
_WRAP_RE = re.compile(r"^\s*%\{(!?\?!?)([A-Za-z_]\w*):")


def unexpand(text: str) -> str:
    """`%{expand: %%global x 1}` (a definition written to be expanded first) -> `%global x 1`."""
    m = _EXPAND_RE.match(text)
    return m.group(1).replace("%%", "%") if m else text


_EXPAND_RE = re.compile(r"^\s*%\{expand:\s*(%%(?:global|define)\s.*)\}\s*$")


def wrapper(text: str) -> tuple[bool, str, str] | None:
    """`%{?name:body}` / `%{!?name:body}` filling the whole line: (negated, name, body)."""
    m = _WRAP_RE.match(text)
    if not m:
        return None
    depth = 0
    start = text.index("{")
    for j in range(start, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                if text[j + 1 :].strip():
                    return None
                return "!" in m.group(1), m.group(2), text[m.end() : j].strip()
    return None


def owned_names(lines: list[Line]) -> frozenset[str]:
    """Names the spec defines without asking first whether they exist: a definition under
    `%{!?x: ...}` or inside an %if that names x gives a default for a macro the build may
    define; any other is the spec's own, and no build defines it."""
    owned: set[str] = set()
    guarded: set[str] = set()
    stack: list[set[str]] = []  # per open %if: the names its expressions mention
    for ln in lines:
        text = ln.text
        if text.startswith("#"):
            off = _COMMENTED_DEFINE.match(text)  # `#global gh_date ...`: a switch the spec owns
            if off:
                owned.add(off.group(1))
            continue
        if "%" not in text:
            continue
        m_if = IF_RE.match(text) or IFARCH_RE.match(text)
        if m_if:
            stack.append(set(_MENTIONED.findall(text)))
            continue
        if ELIF_RE.match(text) and stack:
            stack[-1].update(_MENTIONED.findall(text))
            continue
        if ENDIF_RE.match(text) and stack:
            stack.pop()
            continue
        wrap = wrapper(text)
        m = DEFINE_RE.match(unexpand(wrap[2] if wrap else text))
        if m:
            name = m.group(2)
            if (wrap and wrap[1] == name) or any(name in names for names in stack):
                guarded.add(name)
            else:
                owned.add(name)
    return frozenset(owned - guarded)


_COMMENTED_DEFINE = re.compile(r"^#\s*%?(?:global|define)\s+([A-Za-z_]\w*)\s")
_MENTIONED = re.compile(r"%\{?[!?]*(?:(?:defined|undefined|with|without)\s+)?([A-Za-z_]\w*)")
