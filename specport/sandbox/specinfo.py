"""What the build needs to know from a normalized spec, read with rpmspec in the sandbox.

The spec is untrusted: rpmspec only reads it in the sandbox (`specport.sandbox.jobs`), and what
comes back is untrusted too: the name becomes a file name only after rpm's name rules pass.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from specport import log
from specport import pathnames as names
from specport.errors import SpecError
from specport.sandbox import rpmspec

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


_QUERIES = (
    ("-P",),
    ("-q", "--srpm", "--qf", "%{NAME}\\n%{VERSION}\\n%{RELEASE}\\n"),
    ("-q", "--buildrequires"),
)


def info_request(
    text: str,
    *,
    label: str,
    macro_files: Sequence[Path] = (),
    defines: Mapping[str, str] | None = None,
) -> rpmspec.Request:
    return rpmspec.Request(label, text, _QUERIES, tuple(macro_files), dict(defines or {}))


def read_spec_infos(
    requests: Sequence[rpmspec.Request],
    *,
    image: str | None = None,
    kept: Path | None = None,
    engine: str | None = None,
) -> list[SpecInfo | SpecError]:
    """Name, version, sources and BuildRequires of each (normalized) spec, all in one sandbox
    (a container from `image`, else bwrap): an info, or the error that spec ended in."""
    batch = rpmspec.run_many(requests, image=image, kept=kept, engine=engine)
    log.info(f"read {len(requests)} spec(s) with rpmspec {batch.rpm_version} in {batch.where}")
    out: list[SpecInfo | SpecError] = []
    for request, row in zip(requests, batch.answers, strict=True):
        results = [rpmspec.outcome(a.exit_code, a.out, a.err) for a in row]
        failed = [text for ok, text in results if not ok]
        if failed:
            out.append(SpecError(f"rpmspec: {failed[0]}", path=request.label))
            continue
        try:
            out.append(_info(results[0][1], results[1][1], results[2][1], request.label))
        except SpecError as exc:
            out.append(exc)
    return out


def read_spec_info(
    text: str,
    *,
    label: str,
    macro_files: Sequence[Path] = (),
    defines: dict[str, str] | None = None,
    image: str | None = None,
) -> SpecInfo:
    """One spec's info (see read_spec_infos); a failure raises."""
    request = info_request(text, label=label, macro_files=macro_files, defines=defines)
    result = read_spec_infos([request], image=image)[0]
    if isinstance(result, SpecError):
        raise result
    return result


def _info(parsed: str, nvr_text: str, brs: str, label: str) -> SpecInfo:
    nvr = nvr_text.split("\n")
    if len(nvr) < 3:
        raise SpecError("rpmspec printed no name, version and release", path=label)
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
    name = names.rpm_name(nvr[0], label)
    return SpecInfo(
        name=name,
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
