"""What the build needs to know from a normalized spec, read on the host with rpmspec.

The spec is untrusted: rpm only ever sees a sanitized copy (`specport.spec.rpmspec`), so
reading it never runs anything on the host. What they would have produced is
the build's business, inside the container.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from specport.spec import rpmspec

_SOURCE_LINE = re.compile(r"^(Source|Patch)(\d*)\s*:\s*(\S+)\s*$", re.IGNORECASE)
_PACKAGER_LINE = re.compile(r"^Packager\s*:\s*(.+?)\s*$", re.IGNORECASE)
# the main package's License: and URL: (the first in the preamble), for the .debs' copyright
_MAIN_TAG_LINE = re.compile(r"^(License|URL)\s*:\s*(.+?)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class SourceRef:
    tag: str  # "Source0", "Patch1"
    value: str  # file name or URL, macros expanded

    @property
    def filename(self) -> str:
        # rpm uses the last path component of a URL; "#/name" renames a download
        value = self.value.split("#/", 1)[1] if "#/" in self.value else self.value
        return value.rstrip("/").rsplit("/", 1)[-1]

    @property
    def url(self) -> str | None:
        return self.value if re.match(r"^(https?|ftp)://", self.value) else None


@dataclass(frozen=True)
class SpecInfo:
    name: str
    version: str
    release: str
    packager: str  # "" when the spec has no Packager:
    sources: tuple[SourceRef, ...]
    build_requires: tuple[str, ...]  # one dependency each, "name" or "name >= 1.2"
    license: str = ""  # the main package's License:
    url: str = ""  # the main package's URL:


def read_spec_info(
    text: str,
    *,
    label: str,
    macro_files: Sequence[Path] = (),
    defines: dict[str, str] | None = None,
) -> SpecInfo:
    """Name, version, sources and BuildRequires of a (normalized) spec for one target."""
    macros = list(macro_files)
    parsed = rpmspec.query(text, macros, "-P", label=label, defines=defines)
    nvr = rpmspec.query(
        text, macros, "-q", "--srpm", "--qf", "%{NAME}\\n%{VERSION}\\n%{RELEASE}\\n",
        label=label, defines=defines,
    ).split("\n")  # fmt: skip
    brs = rpmspec.query(text, macros, "-q", "--buildrequires", label=label, defines=defines)
    sources: list[SourceRef] = []
    packager = ""
    tags: dict[str, str] = {}
    for line in _preamble_lines(parsed):
        if m := _SOURCE_LINE.match(line):
            number = m.group(2) or "0"
            sources.append(SourceRef(f"{m.group(1).capitalize()}{number}", m.group(3)))
        elif m := _PACKAGER_LINE.match(line):
            packager = m.group(1)
        elif m := _MAIN_TAG_LINE.match(line):
            tags.setdefault(m.group(1).lower(), m.group(2))
    return SpecInfo(
        name=nvr[0],
        version=nvr[1],
        release=nvr[2],
        packager=packager,
        sources=tuple(sources),
        build_requires=tuple(b.strip() for b in brs.splitlines() if b.strip()),
        license=tags.get("license", ""),
        url=tags.get("url", ""),
    )


def _preamble_lines(parsed: str) -> list[str]:
    # tags only count in the preamble and %package sections, not in scripts or %description
    lines, in_preamble = [], True
    for line in parsed.splitlines():
        if line.startswith("%"):
            in_preamble = line.split()[0] == "%package"
            continue
        if in_preamble:
            lines.append(line)
    return lines
