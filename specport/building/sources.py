"""Find every Source/Patch file of a spec on the host before any container starts.

Where a file can come from, first hit wins:
  1. next to the spec, then each --sources DIR;
  2. the lookaside, for files listed in a Fedora dist-git `sources` file next to the spec
     (`SHA512 (name) = hex`): a directory, flat (`DIR/name`) or dist-git shaped
     (`DIR/<pkg>/<name>/sha512/<hash>/<name>`), or a URL template with {name} {filename}
     {hashtype} {hash};
  3. the Source: URL itself, only with --download.
Downloads land in the cache. A file listed in `sources` is checked against its hash wherever
it was found. Missing files are reported all at once, by the caller, in one error.

A source is a regular file inside the directory it was looked for in: a symbolic link (beside
the spec, in --sources, in the lookaside) is refused, not followed, since a spec's repository
could point one at any host file and the build would pack it. The `sources` file likewise.
"""

from __future__ import annotations

import hashlib
import re
import string
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from specport import fetch
from specport.errors import SourceError, UsageError
from specport.safeio import regular_file
from specport.sandbox.specinfo import SourceRef

_SOURCES_LINE = re.compile(r"^(?P<type>[A-Z0-9]+) \((?P<file>[^)]+)\) = (?P<hash>[0-9a-f]+)$")
_OLD_SOURCES_LINE = re.compile(r"^(?P<hash>[0-9a-f]{32})  (?P<file>\S+)$")  # md5, old dist-git


@dataclass(frozen=True)
class Checksum:
    hashtype: str  # "sha512" (hashlib name)
    value: str


@dataclass(frozen=True)
class SourceSearch:
    """Where to look; the same for every spec of one run."""

    dirs: tuple[Path, ...] = ()  # --sources
    lookaside: str = ""  # directory or URL template
    download: bool = False
    cache_dir: Path | None = None  # where downloads go

    def __post_init__(self) -> None:
        if "{" in self.lookaside or "}" in self.lookaside:
            check_template(self.lookaside)


TEMPLATE_FIELDS = ("name", "filename", "hashtype", "hash")


def check_template(template: str) -> None:
    """A lookaside URL template names only TEMPLATE_FIELDS, plainly ({name}, not {name.x} or
    {0}); UsageError otherwise, before anything is looked up."""
    try:
        fields = [(f, spec, conv) for _, f, spec, conv in string.Formatter().parse(template)]
    except ValueError as exc:
        raise UsageError(f"lookaside template {template!r}: {exc}") from None
    for field_name, spec, conv in fields:
        if field_name is None:
            continue
        if field_name not in TEMPLATE_FIELDS or spec or conv:
            raise UsageError(
                f"lookaside template {template!r}: {{{field_name}}} is not one of its fields",
                hint="use " + " ".join(f"{{{f}}}" for f in TEMPLATE_FIELDS),
            )


@dataclass(frozen=True)
class Resolved:
    found: dict[str, Path]  # file name -> host path
    missing: list[str]  # "name (Source0, URL)" for the one error message


def read_sources_file(path: Path) -> dict[str, Checksum]:
    """The dist-git `sources` file: file name -> checksum. Absent file: empty."""
    if regular_file(path, path.parent) is None:
        return {}
    out: dict[str, Checksum] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"{path}: cannot read the sources file: {exc}") from None
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        if m := _SOURCES_LINE.match(line):
            if m["type"].lower() not in hashlib.algorithms_guaranteed:
                raise SourceError(f"{path}:{number}: unknown hash type {m['type']!r}")
            if "/" in m["file"] or m["file"] in (".", ".."):
                raise SourceError(f"{path}:{number}: {m['file']!r} is not a plain file name")
            out[m["file"]] = Checksum(m["type"].lower(), m["hash"])
        elif m := _OLD_SOURCES_LINE.match(line):
            out[m["file"]] = Checksum("md5", m["hash"])
        else:
            shown = line if len(line) <= 80 else f"{line[:80]}..."
            raise SourceError(f"{path}:{number}: not a dist-git sources line: {shown!r}")
    return out


def resolve_sources(
    spec_path: Path, package: str, refs: Sequence[SourceRef], search: SourceSearch
) -> Resolved:
    for ref in refs:  # each name becomes SOURCES/<name> and a lookaside/cache path
        if ref.filename in ("", ".", "..") or "/" in ref.filename or "\0" in ref.filename:
            raise SourceError(f"{spec_path}: {ref.tag} names no plain file: {ref.value!r}")
    checksums = read_sources_file(spec_path.parent / "sources")
    found: dict[str, Path] = {}
    missing: list[str] = []
    for ref in refs:
        name = ref.filename
        if name in found:
            continue
        path = _find(spec_path, package, name, checksums.get(name), ref, search)
        if path is None:
            where = f"{ref.tag}" + (f", {ref.url}" if ref.url else "")
            missing.append(f"{name} ({where})")
            continue
        if name in checksums:
            verify(path, checksums[name])
        found[name] = path
    return Resolved(found, missing)


def _find(
    spec_path: Path,
    package: str,
    name: str,
    checksum: Checksum | None,
    ref: SourceRef,
    search: SourceSearch,
) -> Path | None:
    for d in (spec_path.parent, *search.dirs):
        if regular_file(d / name, d) is not None:
            return d / name
    if checksum is not None and search.lookaside:
        hit = _from_lookaside(search, package, name, checksum)
        if hit is not None:
            return hit
    if ref.url and search.download:
        return _download(ref.url, name, search, checksum)
    return None


def _from_lookaside(
    search: SourceSearch, package: str, name: str, checksum: Checksum
) -> Path | None:
    where = search.lookaside
    if "{" in where:  # URL template: a download, so it lives in the cache like one
        url = where.format(
            name=package, filename=name, hashtype=checksum.hashtype, hash=checksum.value
        )
        return _download(url, name, search, checksum, quiet_404=True)
    base = Path(where)
    for path in (
        base / name,
        base / package / name / checksum.hashtype / checksum.value / name,
    ):
        if regular_file(path, base) is not None:
            return path
    return None


def _download(
    url: str,
    name: str,
    search: SourceSearch,
    checksum: Checksum | None,
    *,
    quiet_404: bool = False,
) -> Path | None:
    cache = search.cache_dir or Path(tempfile.gettempdir()) / "specport"
    try:
        return fetch.cached_download(
            url,
            cache,
            name,
            key=checksum.value if checksum else None,
            verify=(lambda p: verify(p, checksum, label=name)) if checksum else None,
        )
    except fetch.NotFound:
        if quiet_404:
            return None
        raise


def verify(path: Path, checksum: Checksum, *, label: str | None = None) -> None:
    digest = hashlib.new(checksum.hashtype)
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != checksum.value:
        raise SourceError(
            f"{label or path}: {checksum.hashtype} checksum does not match the sources file",
            hint="a corrupt or different upstream file; fetch it again",
        )
