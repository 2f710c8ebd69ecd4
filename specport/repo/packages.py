"""What the publishers need to know about one package file, read with rpm's and dpkg's own code."""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from debian.debfile import DebFile
from debian.debian_support import version_compare

from specport import pathnames as names
from specport.digest import file_sha256
from specport.errors import PublishError
from specport.rpmlib import read_header
from specport.rpmlib import rpm as rpm_bindings


@dataclass(frozen=True)
class Package:
    path: Path
    kind: str  # "rpm" or "deb"
    name: str
    version: str  # rpm: [E:]V-R; deb: the Version field
    arch: str
    release: str  # rpm Release / deb Version: where a dist tag (.el8, +deb12) shows
    identity: str  # digest of the content signing does not touch: same package <=> same identity
    source: bool = False  # a .src.rpm

    @property
    def filename(self) -> str:
        return self.path.name


# a package file's name as rpm and dpkg make them; a newline or a slash would reach the pool's
# path, the indexes and the ownership record (atomic.OWNED) as more than one name
_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+~^%:-]{0,250}\.(?:rpm|deb)")


def read_package(path: Path) -> Package:
    if not _FILE_NAME.fullmatch(path.name):
        raise PublishError(f"{path.name!r}: not a package file name (letters, digits, ._+~^%:-)")
    if not path.is_file():
        raise PublishError(f"{path}: not a file")
    if path.name.endswith(".rpm"):
        return read_rpm(path)
    if path.name.endswith(".deb"):
        return read_deb(path)
    raise PublishError(f"{path}: not an .rpm or .deb file")


def read_rpm(path: Path) -> Package:
    rpm = rpm_bindings()
    hdr = read_header(path, PublishError)
    epoch = hdr[rpm.RPMTAG_EPOCH]
    version = f"{hdr[rpm.RPMTAG_VERSION]}-{hdr[rpm.RPMTAG_RELEASE]}"
    # the immutable header digest covers the payload digest and survives rpmsign --addsign
    identity = hdr[rpm.RPMTAG_SHA256HEADER] or hdr[rpm.RPMTAG_SHA1HEADER] or file_sha256(path)
    return Package(
        path=path,
        kind="rpm",
        name=str(hdr[rpm.RPMTAG_NAME]),
        version=f"{epoch}:{version}" if epoch is not None else version,
        arch=str(hdr[rpm.RPMTAG_ARCH]),
        release=str(hdr[rpm.RPMTAG_RELEASE]),
        identity=str(identity),
        source=not hdr[rpm.RPMTAG_SOURCERPM],
    )


def read_deb(path: Path) -> Package:
    try:
        control = DebFile(str(path)).debcontrol()
        name = names.deb_field("Package", str(control["Package"]), str(path))
        source = str(control.get("Source", name)).split(" ", 1)[0]
        names.deb_field("Source", source, str(path))
        version, arch = str(control["Version"]), str(control["Architecture"])
    except PublishError:
        raise
    except Exception as exc:  # python-debian raises many kinds on a file that is no .deb
        raise PublishError(f"{path}: not a readable .deb ({type(exc).__name__})") from None
    if not re.fullmatch(r"[A-Za-z0-9.+~:-]+", version) or not re.fullmatch(r"[a-z0-9-]+", arch):
        raise PublishError(f"{path}: control Version or Architecture is not valid")
    return Package(
        path=path,
        kind="deb",
        name=name,
        version=version,
        arch=arch,
        release=version,
        identity=file_sha256(path),  # debs are not modified by publishing
    )


def compare_versions(kind: str, a: str, b: str) -> int:
    return _COMPARE[kind](a, b)


def _rpm_compare(a: str, b: str) -> int:
    return int(rpm_bindings().labelCompare(_evr(a), _evr(b)))


# how each family (a package's kind) orders versions
_COMPARE: dict[str, Callable[[str, str], int]] = {
    "rpm": _rpm_compare,
    "deb": lambda a, b: int(version_compare(a, b)),
}


def _compare_packages(a: Package, b: Package) -> int:
    return compare_versions(a.kind, a.version, b.version)


def _evr(text: str) -> tuple[str, str, str]:
    epoch, _, rest = text.rpartition(":")
    version, _, release = rest.partition("-")
    return (epoch or "0", version, release)


def newest(packages: list[Package], keep: int) -> tuple[list[Package], list[Package]]:
    """Split into (kept, dropped): the newest `keep` versions of each name and arch stay.

    keep <= 0 keeps everything.
    """
    if keep <= 0:
        return sorted(packages, key=lambda p: p.filename), []
    groups: dict[tuple[str, str], list[Package]] = defaultdict(list)
    for pkg in packages:
        groups[(pkg.name, pkg.arch)].append(pkg)
    kept: list[Package] = []
    dropped: list[Package] = []
    for group in groups.values():
        order = sorted(group, key=functools.cmp_to_key(_compare_packages), reverse=True)
        versions: list[str] = []
        for pkg in order:
            if pkg.version not in versions:
                versions.append(pkg.version)
            (kept if len(versions) <= keep else dropped).append(pkg)
    return sorted(kept, key=lambda p: p.filename), sorted(dropped, key=lambda p: p.filename)
