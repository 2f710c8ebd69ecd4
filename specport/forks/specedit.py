"""What a rebase reads of a spec and the patches it drops, as text (Version, Release and
%changelog edits are normalize/edit.py's, the one spec editor).

Text, not rpm: specfile (and rpm under it) would parse the spec on the host, and a spec's
macros can run shell and Lua. Each function takes and returns the spec's text; a construct it
cannot edit safely as text is a SpecError naming the line, never a guess."""

from __future__ import annotations

import re
from dataclasses import dataclass

from specport.errors import SpecError
from specport.normalize.edit import preamble_end
from specport.normalize.expr import RPM_DIALECT, evaluate
from specport.normalize.forge import forge_macros
from specport.normalize.lines import Chain, chains, expand, simple_macros, split_lines
from specport.normalize.pyproject import pypi_source_file

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


def macros_of(text: str) -> dict[str, str]:
    """Simple %globals and Name/Version/Release, plus URL (Source0 is often %{url}/...) and what
    %forgemeta defines (Source0: %{forgesource})."""
    spec_lines = split_lines(text)
    macros = simple_macros(spec_lines)
    for name, value in forge_macros(spec_lines).items():  # Source0: %{forgesource}
        macros.setdefault(name, value)
    lines = text.splitlines()
    for i in range(preamble_end(lines)):
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
    """Source0's value (URL or file name), simple macros expanded. Where the preamble has more
    than one (`%if 0%{?svnver}` a snapshot, `%else` the release), the one in a branch the
    spec's own macros do not rule out."""
    macros = macros_of(text)
    lines = text.splitlines()
    table = chains(split_lines(text))
    found = [
        (i, m)
        for i in range(preamble_end(lines))
        if (m := _SOURCE_TAG.match(lines[i])) and (m["n"] or "0") == "0"
    ]
    if not found:
        raise SpecError("no Source0: in the main preamble")
    i, m = next((f for f in found if _not_ruled_out(table[f[0]], text, macros)), found[0])
    # %{pypi_source NAME ...} holds blanks: the rest of the line, as the file name it ends in
    raw = pypi_source_file(lines[i].split(":", 1)[1].strip()) or m["value"]
    value = expand(raw, macros)
    if value is None:
        raise SpecError(f"Source0: {m['value']!r} cannot be read without rpm", line=i + 1)
    return value


_MACRO_NAME = re.compile(r"%\{?[!?]*(\w+)")


def _not_ruled_out(chain: Chain, text: str, macros: dict[str, str]) -> bool:
    """False when a condition of `chain` is decided against the line by macros the spec itself
    defines, or keeps commented out (`#global svnver 320130`); conditions on anything else (the
    distro's macros) depend on the target and decide nothing here."""
    for condition, in_else in chain:
        if not condition.startswith("%if "):
            continue
        expression = condition[4:]
        names = set(_MACRO_NAME.findall(expression))
        if not names or not all(
            n in macros or re.search(rf"(?m)^#\s*(?:global|define)\s+{n}\s", text) for n in names
        ):
            continue
        expanded = expand(expression, macros)
        truth = evaluate(expanded, RPM_DIALECT) if expanded is not None else None
        if truth is not None and truth == in_else:
            return False
    return True


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
    for i in range(preamble_end(lines)):
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
