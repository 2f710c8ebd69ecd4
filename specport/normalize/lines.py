"""Reading a spec as lines: sections, macro definitions, textual macro expansion.

Deliberately textual: specport never asks rpm to expand a spec it has not sanitized, and passes
must see the spec as written (conditionals and all), not one evaluated branch of it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from specport.normalize.model import Line

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


# python-rpm-macros' %{py3_dist a b}: "python3dist(a) python3dist(b)", lower case as rpm's Lua
# writes them; the one parametric macro dependency lines use often (Ansible, Python specs)
_PY3_DIST_RE = re.compile(r"%\{py3_dist\s+([^{}%]+)\}")


def _py3_dist(m: re.Match[str]) -> str:
    return " ".join(f"python3dist({arg.lower()})" for arg in m.group(1).split())


def expand(text: str, macros: Mapping[str, str], *, depth: int = 0) -> str | None:
    """Expand %{name}, %name, %{?name}, %{?name:x}, %{!?name:x} from `macros`, and %{py3_dist x}.

    Returns None when a macro it cannot know is left (a plain %{unknown}), so callers can say
    "unresolved" instead of guessing. %{?unknown} expands to nothing, as in rpm."""
    if depth > MAX_DEPTH or len(text) > MAX_EXPANSION:
        return None
    if "py3_dist" in text:
        text = _PY3_DIST_RE.sub(_py3_dist, text)
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


# rpm's conditionals; %elif is gone by the time the scriptlet and %files passes run (syntax pass)
_IF_RE = re.compile(r"^\s*%(if|ifarch|ifnarch|ifos|ifnos)(?=\s|$)")
_ELSE_RE = re.compile(r"^\s*%else(?=\s|$)")
_ENDIF_RE = re.compile(r"^\s*%endif(?=\s|$)")

# the %if lines a line sits under: (the %if line's text, in its %else branch)
Chain = tuple[tuple[str, bool], ...]


def conditional_kind(text: str) -> str | None:
    """ "if", "else", "endif" for a conditional line, else None."""
    if _IF_RE.match(text):
        return "if"
    if _ELSE_RE.match(text):
        return "else"
    if _ENDIF_RE.match(text):
        return "endif"
    return None


class ChainTable:
    """The chain of every line, kept as a tree of open conditionals (each node names its
    parent): building it costs the same per line at any depth, and a line's chain is made only
    when asked for. (A tuple per line cost O(depth) each: 20,000 nested %if took 20 s.)"""

    def __init__(self, lines: list[Line]) -> None:
        self._nodes: list[tuple[str, bool, int]] = []  # (%if text, in %else, parent; -1 = none)
        self._at: list[int] = []
        top = -1
        for ln in lines:
            kind = conditional_kind(ln.text)
            if kind == "else" and top >= 0:
                text, _, parent = self._nodes[top]
                self._nodes.append((text, True, parent))
                top = len(self._nodes) - 1
            self._at.append(top)
            if kind == "if":
                self._nodes.append((ln.text.strip(), False, top))
                top = len(self._nodes) - 1
            elif kind == "endif" and top >= 0:
                top = self._nodes[top][2]

    def __len__(self) -> int:
        return len(self._at)

    def __getitem__(self, i: int) -> Chain:
        out: list[tuple[str, bool]] = []
        node = self._at[i]
        while node >= 0:
            text, in_else, node = self._nodes[node]
            out.append((text, in_else))
        return tuple(reversed(out))


def chains(lines: list[Line]) -> ChainTable:
    """For each line, the conditionals open before it (a conditional line itself included in the
    chain it opens or closes: an %endif line still sits in its block, an %if line does not)."""
    return ChainTable(lines)


def wrap_in_chain(body: list[str], chain: Chain) -> list[str]:
    """`body` under the conditionals of `chain` (their %else branch where it lies there)."""
    head: list[str] = []
    for text, in_else in chain:
        head.append(text)
        if in_else:
            head.append("%else")
    return [*head, *body, *(["%endif"] * len(chain))]


def strip_prefix(chain: Chain, prefix: Chain) -> Chain:
    """`chain` without the conditionals it shares (from the outside in) with `prefix`."""
    n = 0
    while n < min(len(chain), len(prefix)) and chain[n] == prefix[n]:
        n += 1
    return chain[n:]


def section_end(lines: list[Line], header: int) -> int:
    """Index past the last line of the section whose header is at `header`."""
    end = header + 1
    while end < len(lines) and not SECTION_RE.match(lines[end].text):
        end += 1
    return end


def append_point(lines: list[Line], header: int) -> int:
    """Where to add lines at the end of a section so they run under the section header's own
    conditionals: after its last non-blank line at the header's %if depth, before an %if that
    opens for the next section (`%if %{with tests}` just above `%check`) and trailing blanks."""
    end = section_end(lines, header)
    depth = base = 0
    best = header + 1
    for i in range(header + 1, end):
        kind = conditional_kind(lines[i].text)
        if kind == "if":
            depth += 1
        elif kind == "endif":
            depth -= 1
        if depth == base and lines[i].text.strip():
            best = i + 1
        if depth < base:  # an %endif closing a block the section started in: stop before it
            return best
    return best
