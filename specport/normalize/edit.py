"""The one spec editor: Version, Release and %changelog edited as text, as packagers and
rpmdev-bumpspec do (rpm never reads the spec here).

- rebuild (bump_spec): Release's first number goes up by one (`1%{?dist}` -> `2%{?dist}`);
  `%autorelease` is left alone (it counts the commits of the spec, so committing the bumped spec
  bumps it); %changelog gets a new entry on top (`* <date> <packager> - <version>-<release>`
  and the reason); `%autochangelog` is left alone (the commit message is its entry).
- a rebuild suffix (add_release_suffix, suffix_release): `1%{?dist}` builds as
  `1.<suffix>%{?dist}`; the normalizer's release pass and `rebuild --suffix` both use it.
- rebase (set_version, reset_release, add_changelog): Version set (or the %global it names),
  Release back to 1, a new %changelog entry.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from specport.errors import SpecError
from specport.normalize.lines import (
    DEFINE_RE,
    SECTION_RE,
    TAG_RE,
    expand,
    sections,
    simple_macros,
    split_lines,
)

_DIST = ("%{?dist}", "%{dist}", "%dist")
_MACRO_ONLY = re.compile(r"^%\{?([A-Za-z_]\w*)\}?$")
ValueEdit = Callable[[str], str | None]  # old value -> new value (None: not editable as text)


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
            t = suffix_release(t, suffix)
        out.append(t)
    return "".join(f"{t}\n" for t in out)


def suffix_release(release_line: str, suffix: str) -> str:
    """`.suffix` before %{?dist} when there is one, so the dist tag stays last."""
    for dist in _DIST:
        if dist in release_line:
            return release_line.replace(dist, f".{suffix}{dist}", 1)
    return f"{release_line.rstrip()}.{suffix}"


def preamble_end(lines: list[str]) -> int:
    for i, line in enumerate(lines):
        if SECTION_RE.match(line):
            return i
    return len(lines)


def _set_tag(text: str, tag: str, change: ValueEdit, *, every: bool = False) -> str:
    """Change the main preamble's `tag:` value, or the %global it names (`every`: each of its
    definitions, for a value that does not depend on the old one)."""
    lines = text.splitlines(keepends=True)
    rx = re.compile(rf"^(?P<head>{tag}\s*:\s*)(?P<value>.*?)\s*$", re.IGNORECASE)
    for i in range(preamble_end(lines)):
        m = rx.match(lines[i])
        if not m:
            continue
        new = change(m["value"])
        if new is not None:
            lines[i] = f"{m['head']}{new}\n"
            return "".join(lines)
        macro = _MACRO_ONLY.match(m["value"])
        if macro:  # Version: %{upstream_version}: edit that %global
            return _set_define(lines, macro.group(1), change, tag, i + 1, every=every)
        raise SpecError(f"cannot edit {tag}: {m['value']!r} as text", line=i + 1)
    raise SpecError(f"no {tag}: line in the main preamble")


def _set_define(
    lines: list[str], name: str, change: ValueEdit, tag: str, tag_line: int, *, every: bool = False
) -> str:
    """The one definition of %name changed; with `every`, each of them (a Version defined per
    distro release, `%if 0%{?fedora} >= 19` ... `%global extver 1.1.2`: the new version is the
    version on every one)."""
    hits = [i for i, ln in enumerate(lines) if (m := DEFINE_RE.match(ln)) and m.group(2) == name]
    if not hits or (len(hits) > 1 and not every):
        raise SpecError(f"cannot edit {tag}: %{name} is defined {len(hits)} times", line=tag_line)
    for i in hits:
        m = DEFINE_RE.match(lines[i])
        assert m is not None
        new = change(m.group(4).strip())
        if new is None:
            raise SpecError(f"cannot edit %{name} {m.group(4).strip()!r} as text", line=i + 1)
        lines[i] = f"%{m.group(1)} {name} {new}\n"
    return "".join(lines)


# Fedora's pre-release idiom: Version: %{upstream_version}%{?upstream_prever:~%{upstream_prever}}
_COMPOSED = re.compile(
    r"^%\{(?P<base>[A-Za-z_]\w*)\}(?P<rest>(?:%\{\?\w+(?::[^{}]*(?:%\{\w+\}[^{}]*)*)?\})+)$"
)
_OPTIONAL = re.compile(r"%\{\?(\w+)")


def set_version(text: str, version: str) -> str:
    """Version set to `version`. A Version made of a base macro and optional pre-release parts
    (`%{upstream_version}%{?upstream_prever:~...}`) gets the whole new version in the base macro
    and its optional macros commented out (`#global`), as a packager moving to a final release
    does; a Version rpm would have to compute otherwise is a SpecError."""
    if not re.fullmatch(r"[A-Za-z0-9._+~^]+", version):
        raise SpecError(f"{version!r} is not an rpm version (letters, digits, . _ + ~ ^)")
    lines = text.splitlines(keepends=True)
    for i in range(preamble_end(lines)):
        m = re.match(r"^Version\s*:\s*(.*?)\s*$", lines[i], re.IGNORECASE)
        composed = _COMPOSED.match(m.group(1)) if m else None
        if composed:
            base = composed["base"]
            optional = set(_OPTIONAL.findall(composed["rest"]))
            edited = _set_define(lines, base, lambda _old: version, "Version", i + 1, every=True)
            # the same marker under another name elsewhere (`%global tag %{upver}%{?rcver}`
            # beside `Version: %{upver}%{?rclower:~%{rclower}}`)
            after_base = re.findall(r"%\{" + re.escape(base) + r"\}%\{\??(\w+)\}", edited)
            gone = optional | set(after_base) | _suffixes(edited)
            return _drop_from_release(_comment_defines(edited, gone), gone)
        if m:
            break
    edited = _set_tag(text, "Version", lambda old: None if "%" in old else version, every=True)
    gone = _suffixes(edited)
    return _drop_from_release(_comment_defines(edited, gone), gone)


def _drop_from_release(text: str, names: set[str]) -> str:
    """Release: 0.3.%{prever}%{?dist}: the commented-out marker leaves the release too."""
    if not names:
        return text
    marker = re.compile(r"\.?%\{\??(?:" + "|".join(map(re.escape, sorted(names))) + r")\}")
    return _set_tag(text, "Release", lambda old: marker.sub("", old))


# `%{version}%{?prever}` in a Source or %setup line: a pre-release marker the old version had
_SUFFIX_RE = re.compile(r"%\{version\}%\{\??([A-Za-z_]\w*)\}")


def _suffixes(text: str) -> set[str]:
    """The macros written right after %{version} in Source/%setup lines (Fedora's
    `%{pecl_name}-%{version}%{?prever}.tgz`): the old release's pre-release marker, which the new
    version replaces (the new version carries its own, 2.0.6RC1)."""
    out: set[str] = set()
    for line in text.splitlines():
        if re.match(r"^(Source\d*\s*:|%setup|%autosetup)", line, re.IGNORECASE):
            out.update(n for n in _SUFFIX_RE.findall(line) if n not in ("release", "dist"))
    return out


def _comment_defines(text: str, names: set[str]) -> str:
    """The definitions of `names` commented out, and their plain uses made optional: once
    undefined, `%{prever}` would stay as text where `%{?prever}` expands to nothing."""
    if not names:
        return text
    plain = re.compile(r"%\{(" + "|".join(map(re.escape, sorted(names))) + r")\}")
    out = []
    for line in text.splitlines(keepends=True):
        m = DEFINE_RE.match(line)
        out.append(
            "#" + line.lstrip()[1:] if m and m.group(2) in names else plain.sub(r"%{?\1}", line)
        )
    return "".join(out)


def reset_release(text: str) -> str:
    """Release back to 1, keeping what follows the number (%{?dist}); %autorelease resets itself."""

    def change(old: str) -> str | None:
        if "%autorelease" in old or "%{autorelease" in old:
            return old
        # Fedora's pre-release numbering (0.3.rc1): the final release is 1
        m = re.match(r"^0\.\d+(.*)$", old) or re.match(r"^\d+(.*)$", old)
        return f"1{m.group(1)}" if m else None

    return _set_tag(text, "Release", change)


def uses_autochangelog(text: str) -> bool:
    """%autochangelog as the %changelog section's body (rpmautospec's own test, as text)."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("%changelog"):
            return any(ln.strip() in ("%autochangelog", "%{autochangelog}") for ln in lines[i:])
    return False


def add_changelog(text: str, header: str, entries: list[str]) -> str:
    """A new first %changelog entry, as rpmdev-bumpspec writes it; nothing for %autochangelog
    (which makes its entries from git history)."""
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith("%changelog"):
            if uses_autochangelog(text):
                return text
            block = [f"* {header}\n", *(f"- {e}\n" for e in entries)]
            if i + 1 < len(lines) and lines[i + 1].strip():
                block.append("\n")
            return "".join(lines[: i + 1] + block + lines[i + 1 :])
    return text + "\n%changelog\n" + f"* {header}\n" + "".join(f"- {e}\n" for e in entries)
