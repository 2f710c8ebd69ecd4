"""Textual spec edits for a rebase: Version, Release, %changelog, dropped patches.

Text, not rpm: specfile (and rpm under it) would parse the spec on the host, and a spec's
macros can run shell and Lua. Each function takes and returns the spec's text; a construct it
cannot edit safely as text is a SpecError naming the line, never a guess."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from specport.errors import SpecError
from specport.normalize.forge import forge_macros
from specport.normalize.lines import DEFINE_RE, SECTION_RE, expand, simple_macros, split_lines

Change = Callable[[str], str | None]  # old value -> new value, None: not editable as text

_MACRO_ONLY = re.compile(r"^%\{?([A-Za-z_]\w*)\}?$")
_PATCH_TAG = re.compile(r"^Patch(?P<n>\d*)\s*:\s*(?P<value>\S+)", re.IGNORECASE)
_SOURCE_TAG = re.compile(r"^Source(?P<n>\d*)\s*:\s*(?P<value>\S+)", re.IGNORECASE)
_PATCH_LINE = re.compile(r"^%patch(?P<n>\d*)(?P<args>(?:\s.*)?)$")
_P_OPTION = re.compile(r"(?:^|\s)-P\s*(\d+)")
_STRIP = re.compile(r"(?:^|\s)-p\s*(\d+)")


@dataclass(frozen=True)
class PatchRef:
    number: int
    name: str  # the file name (last path component, macros expanded)
    strip: int  # -pN of its %patch line (or of %autosetup), as %prep applies it
    line: int  # 1-based line of the PatchN: tag


def _preamble_end(lines: list[str]) -> int:
    for i, line in enumerate(lines):
        if SECTION_RE.match(line):
            return i
    return len(lines)


def _set_tag(text: str, tag: str, change: Change) -> str:
    """Change the main preamble's `tag:` value, or the one %global it names."""
    lines = text.splitlines(keepends=True)
    rx = re.compile(rf"^(?P<head>{tag}\s*:\s*)(?P<value>.*?)\s*$", re.IGNORECASE)
    for i in range(_preamble_end(lines)):
        m = rx.match(lines[i])
        if not m:
            continue
        new = change(m["value"])
        if new is not None:
            lines[i] = f"{m['head']}{new}\n"
            return "".join(lines)
        macro = _MACRO_ONLY.match(m["value"])
        if macro:  # Version: %{upstream_version}: edit that %global
            return _set_define(lines, macro.group(1), change, tag, i + 1)
        raise SpecError(f"cannot edit {tag}: {m['value']!r} as text", line=i + 1)
    raise SpecError(f"no {tag}: line in the main preamble")


def _set_define(lines: list[str], name: str, change: Change, tag: str, tag_line: int) -> str:
    hits = [i for i, ln in enumerate(lines) if (m := DEFINE_RE.match(ln)) and m.group(2) == name]
    if len(hits) != 1:
        raise SpecError(f"cannot edit {tag}: %{name} is defined {len(hits)} times", line=tag_line)
    i = hits[0]
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
    for i in range(_preamble_end(lines)):
        m = re.match(r"^Version\s*:\s*(.*?)\s*$", lines[i], re.IGNORECASE)
        composed = _COMPOSED.match(m.group(1)) if m else None
        if composed:
            optional = set(_OPTIONAL.findall(composed["rest"]))
            edited = _set_define(lines, composed["base"], lambda _old: version, "Version", i + 1)
            return _comment_defines(edited, optional)
        if m:
            break
    return _set_tag(text, "Version", lambda old: None if "%" in old else version)


def _comment_defines(text: str, names: set[str]) -> str:
    out = []
    for line in text.splitlines(keepends=True):
        m = DEFINE_RE.match(line)
        out.append("#" + line.lstrip()[1:] if m and m.group(2) in names else line)
    return "".join(out)


def reset_release(text: str) -> str:
    """Release back to 1, keeping what follows the number (%{?dist}); %autorelease resets itself."""

    def change(old: str) -> str | None:
        if "%autorelease" in old or "%{autorelease" in old:
            return old
        m = re.match(r"^(\d+)(.*)$", old)
        return f"1{m.group(2)}" if m else None

    return _set_tag(text, "Release", change)


def macros_of(text: str) -> dict[str, str]:
    """Simple %globals and Name/Version/Release, plus URL (Source0 is often %{url}/...) and what
    %forgemeta defines (Source0: %{forgesource})."""
    spec_lines = split_lines(text)
    macros = simple_macros(spec_lines)
    for name, value in forge_macros(spec_lines).items():  # Source0: %{forgesource}
        macros.setdefault(name, value)
    lines = text.splitlines()
    for i in range(_preamble_end(lines)):
        if m := re.match(r"^URL\s*:\s*(\S+)\s*$", lines[i], re.IGNORECASE):
            macros.setdefault("url", m.group(1))
            break
    return macros


def tag_value(text: str, tag: str) -> str:
    """A main-preamble tag's value, simple macros expanded; SpecError when that needs rpm."""
    macros = macros_of(text)
    raw = macros.get(tag.lower())
    value = expand(raw, macros) if raw is not None else None
    if value is None:
        raise SpecError(f"{tag}: cannot be read without rpm ({raw!r})")
    return value


def source0(text: str) -> str:
    """Source0's value (URL or file name), simple macros expanded."""
    macros = macros_of(text)
    lines = text.splitlines()
    for i in range(_preamble_end(lines)):
        m = _SOURCE_TAG.match(lines[i])
        if m and (m["n"] or "0") == "0":
            value = expand(m["value"], macros)
            if value is None:
                raise SpecError(f"Source0: {m['value']!r} cannot be read without rpm", line=i + 1)
            return value
    raise SpecError("no Source0: in the main preamble")


def patches(text: str) -> list[PatchRef]:
    """The PatchN: files in order, with the -p level %prep applies each with."""
    macros = macros_of(text)
    lines = text.splitlines()
    default = 1
    strips: dict[int, int] = {}
    for line in lines:
        if line.startswith("%autosetup") or line.startswith("%autopatch"):
            if m := _STRIP.search(line):
                default = int(m.group(1))
        elif pm := _PATCH_LINE.match(line):
            number = _patch_line_number(pm)
            if number is not None and (m := _STRIP.search(pm["args"])):
                strips[number] = int(m.group(1))
    out: list[PatchRef] = []
    next_number = 0
    for i in range(_preamble_end(lines)):
        m = _PATCH_TAG.match(lines[i])
        if not m:
            continue
        number = int(m["n"]) if m["n"] else next_number
        next_number = number + 1
        value = expand(m["value"], macros)
        if value is None:
            raise SpecError(f"Patch{m['n']}: {m['value']!r} cannot be read without rpm", line=i + 1)
        name = value.rsplit("/", 1)[-1]
        out.append(PatchRef(number, name, strips.get(number, default), i + 1))
    return out


def _patch_line_number(m: re.Match[str]) -> int | None:
    if m["n"]:  # %patch3 (old syntax)
        return int(m["n"])
    args = m["args"] or ""
    if p := _P_OPTION.search(args):
        return int(p.group(1))
    plain = [a for a in args.split() if a.isdigit()]  # %patch 3 (rpm >= 4.18)
    return int(plain[0]) if plain else 0  # bare %patch: Patch0


def drop_patches(text: str, refs: list[PatchRef]) -> str:
    """Remove each PatchN: line, the comment lines right above it (Fedora's place for what a
    patch is for), and the %patch line that applies it (%autosetup needs nothing). All in one
    pass: the refs' line numbers are those of `text`."""
    lines = text.splitlines(keepends=True)
    gone: set[int] = set()
    numbers = {ref.number for ref in refs}
    for ref in refs:
        gone.add(ref.line)
        above = ref.line - 1
        while above >= 1 and lines[above - 1].startswith("#"):
            gone.add(above)
            above -= 1
    keep = []
    for i, line in enumerate(lines, 1):
        if i in gone:
            continue
        pm = _PATCH_LINE.match(line.rstrip("\n"))
        if pm and _patch_line_number(pm) in numbers:
            continue
        keep.append(line)
    return "".join(keep)


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
