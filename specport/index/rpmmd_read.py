"""Fetch, verify and read the rpm-md metadata of an rpm target's repositories.

repodata/repomd.xml lists each metadata file with its SHA256; a configured keyring must have
signed repomd.xml (repomd.xml.asc, checked with gpgv). Only three files are read: primary
(packages, versions, Provides, the files primary carries), filelists (every file) and
modules.yaml (which packages belong to which module stream).
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import re
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

import yaml

from specport import fetch
from specport.config import Settings
from specport.digest import file_sha256
from specport.errors import PackageIndexError, SourceError
from specport.index.debian import GPGV_TIMEOUT, check_file, raw_dir
from specport.run import require, run

_REPO = "{http://linux.duke.edu/metadata/repo}"
_COMMON = "{http://linux.duke.edu/metadata/common}"
_RPM = "{http://linux.duke.edu/metadata/rpm}"
_FL = "{http://linux.duke.edu/metadata/filelists}"
KINDS = ("primary", "filelists", "modules")
# files the resolver answers path dependencies with: programs and what primary itself keeps
# (createrepo_c puts /etc/* and *bin/* of each package in primary; filelists adds the rest)
_FILE_RE = re.compile(r"^/(?:usr/)?s?bin/|^/usr/libexec/|^/etc/|^/usr/share/php/")
_NEVRA_RE = re.compile(r"^(.+)-(?:\d+:)?[^-]+-[^-]+\.[^.]+$")


@dataclass(frozen=True)
class RepoFile:
    kind: str  # "primary", "filelists", "modules"
    href: str  # relative to the repository root: "repodata/<sha>-primary.xml.gz"
    sha256: str
    size: int


@dataclass
class Package:
    name: str
    evr: str  # "[epoch:]version-release"
    arch: str
    source: str  # source rpm name ("" when unknown)
    provides: list[str]


def repomd_files(text: bytes, label: str) -> list[RepoFile]:
    """primary, filelists and modules of a repomd.xml; SHA256 checksums only."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise PackageIndexError(f"{label}: unreadable repomd.xml ({exc})") from None
    out = []
    for data in root.iter(f"{_REPO}data"):
        kind = data.get("type", "")
        if kind not in KINDS:
            continue
        checksum = data.find(f"{_REPO}checksum")
        location = data.find(f"{_REPO}location")
        size = data.find(f"{_REPO}size")
        if checksum is None or location is None or checksum.get("type") != "sha256":
            raise PackageIndexError(f"{label}: {kind} has no SHA256 checksum in repomd.xml")
        out.append(
            RepoFile(
                kind,
                location.get("href", ""),
                (checksum.text or "").strip(),
                int(size.text or 0) if size is not None else 0,
            )
        )
    if not any(f.kind == "primary" for f in out):
        raise PackageIndexError(f"{label}: repomd.xml lists no primary metadata")
    return out


def verify_signature(repomd: Path, signature: Path, keyring: Path, label: str) -> None:
    """gpgv on repomd.xml.asc; PackageIndexError when the keyring did not sign repomd.xml."""
    require("gpgv")
    with tempfile.TemporaryDirectory(prefix="specport-gpgv-") as tmp:
        ring = _binary_keyring(keyring, Path(tmp))
        done = run(
            ["gpgv", "--keyring", str(ring), str(signature), str(repomd)],
            timeout=GPGV_TIMEOUT,
            check=False,
        )
    if not done.ok:
        reason = done.stderr.decode(errors="replace").strip().splitlines()
        raise PackageIndexError(
            f"{label}: repomd.xml's signature does not verify against {keyring}"
            f" ({reason[-1] if reason else 'gpgv failed'})",
            "the repository or the cache was changed: run `specport index update`",
        )


def _binary_keyring(keyring: Path, tmp: Path) -> Path:
    """gpgv reads binary keyrings only: an armored key file is dearmored first."""
    data = keyring.read_bytes()
    if not data.lstrip().startswith(b"-----BEGIN PGP"):
        return keyring
    require("gpg")
    out = tmp / "keyring.gpg"
    run(["gpg", "--batch", "--yes", "--dearmor", "--output", str(out), str(keyring)],
        timeout=GPGV_TIMEOUT)  # fmt: skip
    return out


def fetch_file(base: str, file: RepoFile, settings: Settings) -> Path:
    """A metadata file from the cache (checked again) or the repository (checked before kept)."""
    dest = raw_dir(settings) / file.sha256
    label = f"{base}/{file.href}"
    if dest.is_file():
        check_file(dest, file.sha256, label)
        return dest

    def verify(path: Path) -> None:
        if file_sha256(path) != file.sha256:
            raise SourceError(f"{label}: the download does not match its SHA256 in repomd.xml")

    return fetch.download(label, dest, verify=verify)


def open_metadata(path: Path, href: str) -> IO[bytes]:
    """A metadata file, decompressed as its name in repomd.xml says."""
    if href.endswith(".gz"):
        return cast(IO[bytes], gzip.open(path, "rb"))
    if href.endswith(".xz"):
        return cast(IO[bytes], lzma.open(path, "rb"))
    if href.endswith(".bz2"):
        return cast(IO[bytes], bz2.open(path, "rb"))
    if href.endswith(".zst"):
        raise PackageIndexError(f"{href}: zstd-compressed metadata is not supported")
    return path.open("rb")


def primary_packages(stream: IO[bytes]) -> Iterator[tuple[Package, list[str]]]:
    """(package, the files primary lists for it) of each binary package of primary.xml."""
    for _, elem in ET.iterparse(stream, events=("end",)):
        if elem.tag != f"{_COMMON}package":
            continue
        arch = elem.findtext(f"{_COMMON}arch", "")
        if arch in ("src", "nosrc"):
            elem.clear()
            continue
        version = elem.find(f"{_COMMON}version")
        evr = ""
        if version is not None:
            epoch = version.get("epoch", "0")
            evr = f"{version.get('ver')}-{version.get('rel')}"
            evr = evr if epoch in ("0", "") else f"{epoch}:{evr}"
        fmt = elem.find(f"{_COMMON}format")
        provides: list[str] = []
        files: list[str] = []
        source = ""
        if fmt is not None:
            provides = [e.get("name", "") for e in fmt.iterfind(f"{_RPM}provides/{_RPM}entry")]
            files = [f.text or "" for f in fmt.iterfind(f"{_COMMON}file")]
            srpm = fmt.findtext(f"{_RPM}sourcerpm", "")
            m = _NEVRA_RE.match(srpm.removesuffix(".rpm"))
            source = m.group(1) if m else ""
        name = elem.findtext(f"{_COMMON}name", "")
        yield Package(name, evr, arch, source, provides), files
        elem.clear()


def filelists_files(stream: IO[bytes]) -> Iterator[tuple[str, str]]:
    """(package, path) of the filelists.xml paths the resolver answers with."""
    for _, elem in ET.iterparse(stream, events=("end",)):
        if elem.tag != f"{_FL}package":
            continue
        name = elem.get("name", "")
        if elem.get("arch") not in ("src", "nosrc"):
            for f in elem.iterfind(f"{_FL}file"):
                if f.text and _FILE_RE.match(f.text):
                    yield name, f.text
        elem.clear()


def module_packages(text: str) -> Iterator[tuple[str, str]]:
    """(package name, "module:stream") of each rpm artifact of a modules.yaml's modulemd
    documents."""
    for nevra, stream in module_artifacts(text):
        m = _NEVRA_RE.match(nevra)
        if m:
            yield m.group(1), stream


# no object construction, and strings only; libyaml's C loader where PyYAML was built with it
_LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


def module_artifacts(text: str) -> Iterator[tuple[str, str]]:
    """(NEVRA "name-epoch:version-release.arch", "module:stream") of each binary rpm artifact
    of a modules.yaml's modulemd documents (read with PyYAML's BaseLoader: every scalar a
    string, so stream 7.10 stays "7.10"; other documents, modulemd-defaults and the like, are
    skipped)."""
    try:
        documents: list[Any] = list(yaml.load_all(text, Loader=_LOADER))
    except yaml.YAMLError as exc:
        raise PackageIndexError(f"modules.yaml is not YAML: {str(exc).splitlines()[0]}") from None
    for doc in documents:
        if not isinstance(doc, dict) or doc.get("document") != "modulemd":
            continue
        data = doc.get("data")
        if not isinstance(data, dict):
            continue
        name, stream = data.get("name"), data.get("stream")
        artifacts = data.get("artifacts")
        rpms = artifacts.get("rpms") if isinstance(artifacts, dict) else None
        if name is None or stream is None or not isinstance(rpms, list):
            continue
        for item in rpms:
            nevra = str(item).strip()
            if _NEVRA_RE.match(nevra) and not nevra.endswith((".src", ".nosrc")):
                yield nevra, f"{name}:{stream}"
