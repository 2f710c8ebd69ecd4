"""Release tarballs installed into builder images: debbuild and debbuild-macros.

By default they are the archives vendored in specport (the repository's vendor/, package data
in a wheel), so a clone alone builds deb targets. A setting may name a local file, an http(s)
URL, or "upstream" (the project's release URL). The checksum is always verified: the setting's
sha256 when given, else the one pinned below for that file name. Downloads go through
specport.fetch's cache.
"""

from __future__ import annotations

import tarfile
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from specport import data, fetch
from specport.config import Settings, cache_root
from specport.digest import file_sha256
from specport.errors import SourceError

UPSTREAM = "upstream"  # setting value: download the project's release tarball


@dataclass(frozen=True)
class Vendored:
    """One kind of release tarball and where its settings live."""

    name: str  # top directory prefix inside the tarball: "<name>-<version>/"
    setting: str  # Settings field with the source
    checksum_setting: str  # Settings field with its sha256
    vendored: str  # file name in specport's vendor directory
    default_url: str
    # file name -> sha256, pinned per source: the same tag packed by different tools differs
    pinned: dict[str, str]


DEBBUILD = Vendored(
    name="debbuild",
    setting="debbuild_source",
    checksum_setting="debbuild_sha256",
    vendored="debbuild-24.12.0.tar.gz",
    default_url="https://github.com/debbuild/debbuild/archive/refs/tags/24.12.0.tar.gz",
    pinned={
        # git archive of tag 24.12.0 (commit 65c140bf902a), as vendored for offline machines
        "debbuild-24.12.0.tar.gz": (
            "b5d0d2b7e7bd481d421a07b001b3bf654d0998292b225af8605c4b553e99def1"
        ),
    },
)
DEBBUILD_MACROS = Vendored(
    name="debbuild-macros",
    setting="debbuild_macros_source",
    checksum_setting="debbuild_macros_sha256",
    vendored="debbuild-macros-0.0.7.tar.gz",
    default_url="https://github.com/debbuild/debbuild-macros/archive/refs/tags/0.0.7.tar.gz",
    pinned={
        # git archive of tag 0.0.7 (commit 628414cc4e09)
        "debbuild-macros-0.0.7.tar.gz": (
            "7bc2ca4be9491941c476766c1cdae4c18ec8faf42c54507a53651b06bf7623be"
        ),
    },
)


@dataclass(frozen=True)
class Tarball:
    path: Path  # a verified local file
    sha256: str
    version: str  # from the tarball's top directory, "<name>-<version>/"
    file: str  # the name it gets in a build context


def resolve(kind: Vendored, settings: Settings) -> Tarball:
    """The verified local tarball for kind (downloaded into the cache when given a URL)."""
    source = str(getattr(settings, kind.setting))
    if not source:
        return _vendored(kind)
    if source == UPSTREAM:
        source = kind.default_url
    wanted = str(getattr(settings, kind.checksum_setting)).lower()
    basename = Path(urllib.parse.urlparse(source).path).name
    wanted = wanted or kind.pinned.get(basename, "")
    if not wanted:
        raise SourceError(
            f"no checksum known for {kind.name} source {source}",
            f"set {kind.checksum_setting} (or $SPECPORT_{kind.checksum_setting.upper()}) "
            f"to its sha256, or unset {kind.setting} to use the vendored {kind.vendored}",
        )
    if source.startswith(("http://", "https://")):
        path = fetch.cached_download(source, cache_root(settings), basename, key=wanted)
    else:
        path = Path(source).expanduser()
        if not path.is_file():
            raise SourceError(f"{kind.name} source {path} does not exist (setting {kind.setting})")
    return _verified(kind, path, wanted)


def _vendored(kind: Vendored) -> Tarball:
    path = data.vendor_dir() / kind.vendored
    if not path.is_file():
        raise SourceError(f"specport's vendored {kind.vendored} is missing (a broken install)")
    return _verified(kind, path, kind.pinned[kind.vendored])


def _verified(kind: Vendored, path: Path, wanted: str) -> Tarball:
    got = file_sha256(path)
    if got != wanted:
        raise SourceError(
            f"{kind.name} source {path}: sha256 {got} does not match the expected {wanted}",
            f"check the file, or set {kind.checksum_setting} if you meant another release",
        )
    return Tarball(path, got, _version(path, kind.name), f"{kind.name}.tar.gz")


def _version(path: Path, name: str) -> str:
    try:
        with tarfile.open(path) as tar:
            first = tar.next()
    except (tarfile.TarError, OSError) as exc:
        raise SourceError(f"{path} is not a readable tarball: {exc}") from exc
    top = first.name.split("/", 1)[0] if first else ""
    if not top.startswith(name + "-"):
        raise SourceError(f"{path} does not unpack into {name}-<version>/ (found {top!r})")
    return top[len(name) + 1 :]
