"""Reading a spec's scriptlet sections: which package, which options, which lines, which %if.

rpm's scriptlets (%pre, %post, ..., %posttrans, %triggerin -- pkg, %filetriggerin -- /path)
are read here as Scriptlet records; the scriptlets pass (scriptlets.py) turns them into the four
dpkg maintainer scripts debbuild writes. A section's body is split into segments at conditional
lines that belong to the outside (an %endif closing an %if opened before the header, an %if left
open for the next section): those stay where they are, so the spec's %if/%endif still pair up
once the section is gone, and each segment remembers the %if chain it ran under.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from specport.normalize.lines import SECTION_RE, Chain, chains, conditional_kind, section_end
from specport.normalize.model import Line

SCRIPT_KINDS = (
    "pre", "post", "preun", "postun", "pretrans", "posttrans", "preuntrans", "postuntrans",
    "verifyscript", "triggerprein", "triggerin", "triggerun", "triggerpostun",
    "filetriggerin", "filetriggerun", "filetriggerpostun",
    "transfiletriggerin", "transfiletriggerun", "transfiletriggerpostun",
)  # fmt: skip
_OPTIONS_WITH_VALUE = {"-n", "-p", "-f", "-P"}


@dataclass(frozen=True)
class Segment:
    chain: Chain  # the %if lines it sits under
    lines: list[Line]


@dataclass(frozen=True)
class Scriptlet:
    kind: str  # "post", "triggerin", ...
    header: Line
    package: str  # "" (main), "foo" (%post foo), "-n foo"
    prog: str  # the -p interpreter ("" for shell)
    condition: str  # a trigger's text after "--"
    segments: list[Segment] = field(default_factory=list)
    file: str = ""  # -f FILE (the body is read from a file)

    @property
    def body(self) -> list[Line]:
        return [ln for s in self.segments for ln in s.lines]

    @property
    def has_body(self) -> bool:
        return any(ln.text.strip() and not ln.text.lstrip().startswith("#") for ln in self.body)


def parse_header(text: str) -> tuple[str, str, str, str, str] | None:
    """(kind, package, prog, condition, file) of a scriptlet header line, None otherwise."""
    m = SECTION_RE.match(text)
    if not m or m.group(1) not in SCRIPT_KINDS:
        return None
    kind = m.group(1)
    rest = text[m.end() :]
    head, sep, cond = rest.partition("--")
    # `--MySQL-server` (no space): rpm reads it as the condition too
    words = head.split()
    package = prog = file = ""
    i = 0
    while i < len(words):
        w = words[i]
        if w in _OPTIONS_WITH_VALUE and i + 1 < len(words):
            value = words[i + 1]
            if w == "-n":
                package = f"-n {value}"
            elif w == "-p":
                prog = value
            elif w == "-f":
                file = value
            i += 2
            continue
        if not w.startswith("-"):
            package = w
        i += 1
    return kind, package, prog, cond.strip() if sep else "", file


def find_scriptlets(lines: list[Line]) -> tuple[list[Scriptlet], set[int]]:
    """Every scriptlet section, and the indexes of the lines they take (header and body; the
    outside's conditional lines in them are not taken)."""
    found: list[Scriptlet] = []
    taken: set[int] = set()
    at = chains(lines)
    i = 0
    while i < len(lines):
        parsed = parse_header(lines[i].text)
        if parsed is None:
            i += 1
            continue
        end = section_end(lines, i)
        outside = _outside_conditionals(lines, i + 1, end)
        segments: list[Segment] = []
        current: list[Line] = []
        start = i + 1
        for k in range(i + 1, end):
            if k in outside:
                if current:
                    segments.append(Segment(at[start], current))
                current, start = [], k + 1
                continue
            current.append(lines[k])
            taken.add(k)
        if current:
            segments.append(Segment(at[start], current))
        taken.add(i)
        kind, package, prog, cond, file = parsed
        found.append(Scriptlet(kind, lines[i], package, prog, cond, _trim(segments), file))
        i = end
    return found, taken


def _outside_conditionals(lines: list[Line], start: int, end: int) -> set[int]:
    """Conditional lines in [start, end) that do not pair up within that range."""
    stack: list[list[int]] = []  # each open %if: its line and its %else lines
    outside: set[int] = set()
    for k in range(start, end):
        kind = conditional_kind(lines[k].text)
        if kind == "if":
            stack.append([k])
        elif kind == "else":
            if stack:
                stack[-1].append(k)
            else:
                outside.add(k)
        elif kind == "endif":
            if stack:
                stack.pop()
            else:
                outside.add(k)
    for block in stack:
        outside.update(block)
    return outside


def _trim(segments: list[Segment]) -> list[Segment]:
    """Segments without their trailing blank lines (the blank line between sections)."""
    out = []
    for seg in segments:
        body = list(seg.lines)
        while body and not body[-1].text.strip():
            body.pop()
        if body:
            out.append(Segment(seg.chain, body))
    return out


_VERSIONED = re.compile(r"[<>=]")


def trigger_names(condition: str) -> tuple[list[str], bool]:
    """The package names of a trigger condition (`php-pear`, `a, b`) and whether any is
    versioned (`httpd < 2.2.21-5`)."""
    parts = [p.strip() for p in condition.split(",") if p.strip()]
    versioned = any(_VERSIONED.search(p) for p in parts)
    return [p.split()[0] for p in parts], versioned


def trigger_paths(condition: str) -> list[str]:
    """The paths of a file trigger condition (`/usr/lib, /lib` or space-separated), without
    trailing slashes (dpkg's trigger names are paths without one)."""
    return [p.rstrip("/") or "/" for p in re.split(r"[\s,]+", condition) if p]
