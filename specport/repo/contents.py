"""What a published repository holds now, per target, read from its own metadata.

The publish records (changes.py) compare two of these; the user's images (specport.appimages)
take the exact package set they install from them. A target's packages are read from the
metadata its consumers see: the APT suite's Packages index, or rpm-md's primary (and the module
stream publish put them in, from the generation's manifest). Each family has its reader.
"""

from __future__ import annotations

import bz2
import functools
import gzip
import json
import lzma
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from debian.deb822 import Packages, PkgRelation

from specport.errors import PublishError
from specport.repo import atomic
from specport.repo.apt import COMPONENT, suite_link
from specport.repo.packages import compare_versions
from specport.repo.rpmmd import MANIFEST, repo_path
from specport.targets import Target

_REPO = "{http://linux.duke.edu/metadata/repo}"
_COMMON = "{http://linux.duke.edu/metadata/common}"
_RPM = "{http://linux.duke.edu/metadata/rpm}"
_COMPRESSED: dict[str, Any] = {".gz": gzip, ".xz": lzma, ".bz2": bz2}  # module.open


@dataclass(frozen=True)
class Held:
    """One package a published repository offers."""

    name: str
    version: str  # deb: the Version field; rpm: [E:]V-R
    arch: str
    source: str  # source package name
    stream: str = ""  # rpm: "module:stream" publish put it in ("" = not modular)
    depends: tuple[str, ...] = ()  # names it needs (every alternative)
    provides: tuple[str, ...] = ()  # names it provides besides its own


def held(repo_dir: Path, target: Target) -> list[Held]:
    """Every package the repository offers for target now ([] before its first publish)."""
    return READERS[target.family](repo_dir, target)


def newest(packages: list[Held], family: str) -> dict[tuple[str, str], Held]:
    """The newest version of each (name, arch): what apt or dnf installs from the repository."""
    out: dict[tuple[str, str], Held] = {}
    for pkg in packages:
        old = out.get((pkg.name, pkg.arch))
        if old is None or compare_versions(family, pkg.version, old.version) > 0:
            out[(pkg.name, pkg.arch)] = pkg
    return out


def _apt(repo_dir: Path, target: Target) -> list[Held]:
    current = atomic.current_target(suite_link(repo_dir, target))
    if current is None:
        return []
    index = current / COMPONENT / f"binary-{target.deb_arch}" / "Packages"
    out = []
    with index.open(encoding="utf-8") as handle:
        for para in Packages.iter_paragraphs(handle, use_apt_pkg=False):
            name = str(para["Package"])
            needs = ", ".join(str(para[f]) for f in ("Pre-Depends", "Depends") if para.get(f))
            out.append(
                Held(
                    name=name,
                    version=str(para["Version"]),
                    arch=str(para["Architecture"]),
                    source=str(para.get("Source", name)).split(" ", 1)[0],
                    depends=_relation_names(needs),
                    provides=_relation_names(str(para.get("Provides", ""))),
                )
            )
    return out


def _relation_names(text: str) -> tuple[str, ...]:
    if not text.strip():
        return ()
    names = {alt["name"] for group in PkgRelation.parse_relations(text) for alt in group}
    return tuple(sorted(n for n in names if n))


def _rpmmd(repo_dir: Path, target: Target) -> list[Held]:
    repo = repo_path(repo_dir, target)
    current = atomic.current_target(repo / "repodata")
    if current is None:
        return []
    try:
        manifest = json.loads((current.parent / MANIFEST).read_text(encoding="utf-8"))
        stream = str(manifest.get("module") or "")
    except (OSError, ValueError, AttributeError):
        stream = ""
    href = _primary_href(current / "repomd.xml")
    with _open(repo / href) as stream_in:
        return [
            Held(name, version, arch, source, stream, needs, gives)
            for name, version, arch, source, needs, gives in _primary(stream_in)
            if arch != "src"
        ]


def _open(path: Path) -> IO[bytes]:
    if path.suffix == ".xml":
        return path.open("rb")
    module = _COMPRESSED.get(path.suffix)
    if module is None:
        raise PublishError(f"cannot read {path} (compressed with an unknown method)")
    return cast(IO[bytes], module.open(path, "rb"))


def _primary_href(repomd: Path) -> str:
    root = ET.parse(repomd).getroot()
    for data in root.iter(f"{_REPO}data"):
        if data.get("type") == "primary":
            location = data.find(f"{_REPO}location")
            if location is not None and location.get("href"):
                return str(location.get("href"))
    raise PublishError(f"{repomd}: names no primary metadata")


def _primary(
    stream: IO[bytes],
) -> list[tuple[str, str, str, str, tuple[str, ...], tuple[str, ...]]]:
    out = []
    for _, elem in ET.iterparse(stream):
        if elem.tag != f"{_COMMON}package":
            continue
        name = elem.findtext(f"{_COMMON}name") or ""
        arch = elem.findtext(f"{_COMMON}arch") or ""
        ver = elem.find(f"{_COMMON}version")
        evr = ""
        if ver is not None:
            epoch = ver.get("epoch") or "0"
            evr = f"{ver.get('ver')}-{ver.get('rel')}"
            evr = evr if epoch == "0" else f"{epoch}:{evr}"
        fmt = elem.find(f"{_COMMON}format")
        source = _source_name((fmt.findtext(f"{_RPM}sourcerpm") if fmt is not None else "") or "")
        needs = _entries(fmt, "requires")
        gives = tuple(n for n in _entries(fmt, "provides") if n != name)
        out.append((name, evr, arch, source or name, needs, gives))
        elem.clear()
    return out


def _entries(fmt: ET.Element | None, kind: str) -> tuple[str, ...]:
    if fmt is None:
        return ()
    group = fmt.find(f"{_RPM}{kind}")
    if group is None:
        return ()
    return tuple(sorted({e.get("name", "") for e in group.iter(f"{_RPM}entry")} - {""}))


@functools.cache
def _source_name(srpm: str) -> str:
    """php-pecl-yaml-2.2.3-1.el8.src.rpm -> php-pecl-yaml"""
    stem = srpm.removesuffix(".rpm").rsplit(".", 1)[0]  # drop .src
    parts = stem.rsplit("-", 2)
    return parts[0] if len(parts) == 3 else ""


READERS: dict[str, Callable[[Path, Target], list[Held]]] = {"deb": _apt, "rpm": _rpmmd}
