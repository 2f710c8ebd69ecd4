"""Reading a spec as lines: sections, macro definitions, textual macro expansion.

Deliberately textual: specport never asks rpm to expand a spec it has not sanitized, and passes
must see the spec as written (conditionals and all), not one evaluated branch of it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from specport.spec.model import Line

# Section headers (rpm's own list); %package starts a new preamble.
_SECTIONS = (
    "package|description|prep|conf|build|install|check|clean|files|changelog|pre|post|preun|"
    "postun|pretrans|posttrans|preuntrans|postuntrans|verifyscript|triggerprein|triggerin|"
    "triggerun|triggerpostun|filetriggerin|filetriggerun|filetriggerpostun|"
    "transfiletriggerin|transfiletriggerun|transfiletriggerpostun|generate_buildrequires|"
    "sourcelist|patchlist"
)
SECTION_RE = re.compile(rf"^%({_SECTIONS})(?=\s|$)")
DEFINE_RE = re.compile(r"^\s*%(global|define)\s+([A-Za-z_]\w*)(\([^)]*\))?\s+(.*)$")
TAG_RE = re.compile(r"^([A-Za-z][A-Za-z0-9]*(?:\([^)]*\))?)\s*:\s*(.*)$")


def split_lines(text: str) -> list[Line]:
    return [Line(i, t) for i, t in enumerate(text.splitlines(), start=1)]


def join_lines(lines: list[Line]) -> str:
    return "".join(f"{ln.text}\n" for ln in lines)


def sections(lines: list[Line]) -> list[str]:
    """The section each line belongs to: "preamble" for the main preamble and %package blocks,
    else the header's name ("prep", "files", "post", ...). Header lines belong to their section."""
    current = "preamble"
    out = []
    for ln in lines:
        m = SECTION_RE.match(ln.text)
        if m:
            current = "preamble" if m.group(1) == "package" else m.group(1)
        out.append(current)
    return out


def continued(lines: list[Line]) -> list[bool]:
    """True for lines that continue the previous line (after a trailing backslash)."""
    out = []
    prev = False
    for ln in lines:
        out.append(prev)
        prev = ln.text.endswith("\\")
    return out


def simple_macros(lines: list[Line]) -> dict[str, str]:
    """Single-line %global/%define values and the Name/Version/Release tags of the main package.

    Good enough to read names like php-pecl(%{pecl_name}); values that run a shell are skipped."""
    out: dict[str, str] = {}
    cont = continued(lines)
    secs = sections(lines)
    main_preamble = True
    for ln, is_cont, sec in zip(lines, cont, secs, strict=True):
        if SECTION_RE.match(ln.text):
            main_preamble = False
        if is_cont or ln.text.endswith("\\"):
            continue
        m = DEFINE_RE.match(ln.text)
        if m and not m.group(3) and "%(" not in m.group(4):
            out.setdefault(m.group(2), m.group(4).strip())
            continue
        if main_preamble and sec == "preamble":
            t = TAG_RE.match(ln.text)
            if t and t.group(1).lower() in ("name", "version", "release", "epoch"):
                out.setdefault(t.group(1).lower(), t.group(2).strip())
    return out


MAX_DEPTH = 10  # rpm's own limit is 64 levels; textual expansion needs far fewer
MAX_EXPANSION = 64 * 1024  # characters one expansion may grow to: `%define a %{a}%{a}` stops


class _TooBig(Exception):
    pass


# %{?name:alt} may hold one level of %{...} in alt (Fedora's %{?prever:~%{prever}})
_MACRO_RE = re.compile(r"%\{([?!]*)([A-Za-z_]\w*)(?::((?:[^{}]|%\{[^{}]*\})*))?\}|%([A-Za-z_]\w*)")


def expand(text: str, macros: Mapping[str, str], *, depth: int = 0) -> str | None:
    """Expand %{name}, %name, %{?name}, %{?name:x} and %{!?name:x} from `macros`.

    Returns None when a macro it cannot know is left (a plain %{unknown}), so callers can say
    "unresolved" instead of guessing. %{?unknown} expands to nothing, as in rpm."""
    if depth > MAX_DEPTH or len(text) > MAX_EXPANSION:
        return None
    unknown = False
    size = len(text)

    def repl(m: re.Match[str]) -> str:
        nonlocal unknown, size
        value = _value(m)
        size += len(value)
        if size > MAX_EXPANSION:
            raise _TooBig
        return value

    def _value(m: re.Match[str]) -> str:
        nonlocal unknown
        flags, name, alt, bare = m.group(1), m.group(2), m.group(3), m.group(4)
        if bare is not None:
            name, flags = bare, ""
        if name == "nil":
            return ""
        defined = name in macros
        if "?" in flags:
            if "!" in flags:
                return (alt or "") if not defined else ""
            if not defined:
                return ""
            return alt if alt is not None else macros[name]
        if not defined:
            unknown = True
            return m.group(0)
        return macros[name]

    try:
        out = _MACRO_RE.sub(repl, text)
    except _TooBig:
        return None  # "unresolved": callers keep the text as written
    if unknown:
        return None
    if "%" in out.replace("%%", "") and out != text:
        return expand(out, macros, depth=depth + 1)
    return None if "%" in out.replace("%%", "") else out.replace("%%", "%")
