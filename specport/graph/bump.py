"""A rebuild's release bump, done to the spec text in Python as rpmdev-bumpspec does it.

- Release: the first number goes up by one (`1%{?dist}` -> `2%{?dist}`); `%autorelease` is left
  alone (it counts the commits of the spec, so committing the bumped spec bumps it).
- %changelog: a new entry on top (`* <date> <packager> - <version>-<release>` and the reason);
  `%autochangelog` is left alone (the commit message is its entry).
- A rebuild suffix instead leaves the spec untouched: `1%{?dist}` builds as `1.<suffix>%{?dist}`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from specport.normalize.lines import TAG_RE, expand, sections, simple_macros, split_lines

_DIST = ("%{?dist}", "%{dist}", "%dist")


@dataclass(frozen=True)
class Bumped:
    text: str
    evr: str  # the new version-release, without the dist tag
    notes: tuple[str, ...]


def bump_spec(text: str, reason: str, packager: str, date: str) -> Bumped:
    """`date` as %changelog writes it: "Mon Nov 30 2026"."""
    lines = split_lines(text)
    macros = simple_macros(lines)
    out: list[str] = []
    notes: list[str] = []
    release = macros.get("release", "1")
    done_release = False
    main = True
    for ln, sec in zip(lines, sections(lines), strict=True):
        t = ln.text
        if sec != "preamble":
            main = False
        m = TAG_RE.match(t)
        if main and not done_release and m and m.group(1).lower() == "release":
            done_release = True
            value = m.group(2)
            if "autorelease" not in value:
                new = re.sub(r"\d+", lambda d: str(int(d.group(0)) + 1), value, count=1)
                t = t[: t.index(value)] + new
                release = new
                notes.append(f"Release: {value} -> {new}")
        out.append(t)
    version = expand(macros.get("version", "0"), macros) or macros.get("version", "0")
    rel = release
    for d in _DIST:
        rel = rel.replace(d, "")
    evr = f"{version}-{expand(rel, macros) or rel}"
    if "epoch" in macros:
        evr = f"{macros['epoch']}:{evr}"
    for i, t in enumerate(out):
        if t.strip() != "%changelog":
            continue
        following = next((x.strip() for x in out[i + 1 :] if x.strip()), "")
        if following in ("%autochangelog", "%{autochangelog}"):
            break
        entry = [f"* {date} {packager} - {evr}", f"- {reason}", ""]
        out[i + 1 : i + 1] = entry
        notes.append(f"%changelog: {entry[0]}")
        break
    return Bumped("".join(f"{t}\n" for t in out), evr, tuple(notes))


def add_release_suffix(text: str, suffix: str) -> str:
    """The main Release with `.suffix` before the dist tag (the spec file itself is unchanged)."""
    lines = split_lines(text)
    out = []
    done = False
    for ln, sec in zip(lines, sections(lines), strict=True):
        t = ln.text
        m = TAG_RE.match(t)
        if not done and sec == "preamble" and m and m.group(1).lower() == "release":
            done = True
            for d in _DIST:
                if d in t:
                    t = t.replace(d, f".{suffix}{d}", 1)
                    break
            else:
                t = f"{t.rstrip()}.{suffix}"
        out.append(t)
    return "".join(f"{t}\n" for t in out)
