"""Fetch and verify the package index files of a deb target.

The mirror is the bootstrap's (specport/images/bootstrap.py): the host's apt sources for a
distro the host uses, else mmdebstrap's own default, read from mmdebstrap's dry run so the two can
never disagree. InRelease is checked with gpgv against the archive keyring the bootstrap uses;
every other file against its SHA256 in that signed InRelease, fetched by hash when the archive
offers it (no race with a mirror update between InRelease and the file).
"""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import lzma
import re
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from specport import fetch, log
from specport.config import Settings, cache_root
from specport.digest import file_sha256
from specport.errors import PackageIndexError, SourceError, ToolError
from specport.index.aptsources import (
    COMPONENTS,
    has_debian_archive,
    host_apt_sources,
    mirror_lines,
    ubuntu_keyring,
)
from specport.run import require, run
from specport.targets.model import Target

GPGV_TIMEOUT = 60
MMDEBSTRAP_TIMEOUT = 300
HOST_KEYRING = Path("/usr/share/keyrings/debian-archive-keyring.gpg")  # debian-archive-keyring
# Ubuntu's -updates/-security pockets carry Contents of every upload ever (300+ MB gzipped for
# focal): Contents files above this size are left out, and file routes use the release pocket's
CONTENTS_LIMIT = 100 * 1024 * 1024
DATE_SLACK = 600  # seconds a Release's Date may lie ahead of the clock (apt allows clock skew too)
_DEB_LINE_RE = re.compile(r"^D: \d+ \d+\s+deb\s+(?:\[[^]]*\]\s+)?(\S+)\s+(\S+)\s+(.*)$")


@dataclass(frozen=True)
class Suite:
    uri: str  # archive root
    suite: str  # "bookworm-updates"
    pocket: str  # "release", "updates", "security"


@dataclass(frozen=True)
class IndexFile:
    kind: str  # "Packages", "Sources", "Contents"
    path: str  # relative to dists/<suite>/: "main/binary-amd64/Packages.xz"
    sha256: str
    size: int
    component: str  # the file's own component ("" for Ubuntu's suite-wide Contents)


def components(target: Target) -> tuple[str, ...]:
    return COMPONENTS[target.distro]


def index_suites(target: Target, settings: Settings) -> list[Suite]:
    """The suites of target.apt_pockets on the bootstrap's mirror."""
    lines = mirror_lines(target, host_apt_sources())
    if not lines:
        lines = mmdebstrap_default_lines(target, archive_keyring(target, settings, fetch=True))
    wanted = {
        target.codename if p == "release" else f"{target.codename}-{p}": p
        for p in target.apt_pockets
    }
    out = []
    for line in lines:
        words = line.split()
        if len(words) >= 3 and words[2] in wanted:
            out.append(Suite(words[1].rstrip("/"), words[2], wanted[words[2]]))
    if not out:
        raise PackageIndexError(f"{target.name}: no mirror found for {', '.join(wanted)}")
    return out


def mmdebstrap_default_lines(target: Target, keyring: Path) -> list[str]:
    """The sources.list mmdebstrap writes for the target when given no mirror (its dry run)."""
    require("mmdebstrap")
    with tempfile.TemporaryDirectory(prefix="specport-mirror-") as tmp:
        argv = [
            "mmdebstrap", "--variant=custom", "--dry-run", "--debug",
            f"--architectures={target.deb_arch}",
            f"--components={','.join(components(target))}",
            f"--keyring={keyring}", target.codename, str(Path(tmp) / "none.tar"),
        ]  # fmt: skip
        done = run(argv, timeout=MMDEBSTRAP_TIMEOUT, check=False)
    lines = []
    for text in (done.stderr + done.stdout).decode(errors="replace").splitlines():
        m = _DEB_LINE_RE.match(text)
        if m:
            lines.append(f"deb {m.group(1)} {m.group(2)} {m.group(3)}")
    if not lines:
        raise ToolError(f"{target.name}: mmdebstrap's dry run named no mirror for it")
    return lines


def archive_keyring(target: Target, settings: Settings, *, fetch: bool) -> Path:
    """The keyring the bootstrap trusts for the target's archive.

    Debian's: the host's debian-archive-keyring. Ubuntu's: the one the bootstrap fetches (from
    Debian's ubuntu-keyring package, cached beside it), or an Ubuntu host's own."""
    sources = host_apt_sources()
    if target.distro == "debian":  # the host's own mirror, or mmdebstrap's default
        if not HOST_KEYRING.is_file():
            hint = "apt-get install debian-archive-keyring"
            raise PackageIndexError(f"{HOST_KEYRING} is missing", hint)
        return HOST_KEYRING
    cache = cache_root(settings)
    cached = cache / "keyrings" / "ubuntu-archive-keyring.gpg"
    if not fetch and not cached.is_file() and has_debian_archive(sources):
        raise PackageIndexError(f"{target.name}: the archive keyring {cached} is not cached")
    log_path = cache / "logs" / "index-keyring.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    return ubuntu_keyring(cache, sources, log_path)


# --- InRelease ---------------------------------------------------------------------------------


def verify_inrelease(path: Path, keyring: Path) -> str:
    """The signed text of an InRelease file; PackageIndexError when gpgv does not accept it."""
    require("gpgv")
    with tempfile.TemporaryDirectory(prefix="specport-gpgv-") as tmp:
        out = Path(tmp) / "Release"
        done = run(
            ["gpgv", "--keyring", str(keyring), "--output", str(out), str(path)],
            timeout=GPGV_TIMEOUT,
            check=False,
        )
        if not done.ok or not out.is_file():
            reason = done.stderr.decode(errors="replace").strip().splitlines()
            raise PackageIndexError(
                f"{path}: the signature does not verify against {keyring}"
                f" ({reason[-1] if reason else 'gpgv failed'})",
                "the file was changed or is not the archive's: run `specport index update`",
            )
        return out.read_text(encoding="utf-8", errors="replace")


def check_dates(fields: dict[str, str], label: str, target: str, now: float | None = None) -> None:
    """Refuse a Release past its Valid-Until, or dated in the future, as apt does (apt's
    Acquire::Check-Valid-Until and Check-Date): an old signed index is the replay an attacker
    would serve, and it is no less old when read from the cache with --offline."""
    now = time.time() if now is None else now
    hint = f"run `specport index update --target {target}`"
    until = _release_date(fields, "Valid-Until", label)
    if until is not None and until < now:
        raise PackageIndexError(
            f"{label}: the signed index expired on {fields['Valid-Until']} (its Valid-Until)",
            hint,
        )
    date = _release_date(fields, "Date", label)
    if date is not None and date > now + DATE_SLACK:
        raise PackageIndexError(
            f"{label}: the signed index is dated {fields['Date']}, in the future: check the clock",
            hint,
        )


def _release_date(fields: dict[str, str], key: str, label: str) -> float | None:
    if not fields.get(key):
        return None
    try:
        return email.utils.parsedate_to_datetime(fields[key]).timestamp()
    except (TypeError, ValueError):
        raise PackageIndexError(f"{label}: unreadable {key}: {fields[key]!r}") from None


def release_fields(text: str) -> tuple[dict[str, str], dict[str, tuple[str, int]]]:
    """(top fields, path -> (sha256, size)) of a Release text."""
    fields: dict[str, str] = {}
    hashes: dict[str, tuple[str, int]] = {}
    section = ""
    for line in text.splitlines():
        if line.startswith(" "):
            if section == "SHA256":
                parts = line.split()
                if len(parts) == 3:
                    hashes[parts[2]] = (parts[0], int(parts[1]))
            continue
        key, _, value = line.partition(":")
        section = key
        fields[key] = value.strip()
    return fields, hashes


def pick_files(
    hashes: dict[str, tuple[str, int]], comps: tuple[str, ...], arch: str
) -> list[IndexFile]:
    """Packages, Sources and Contents of each component, best compression first."""

    def first(kind: str, stem: str, component: str) -> IndexFile | None:
        for ext in (".xz", ".gz", ""):
            if stem + ext in hashes:
                sha, size = hashes[stem + ext]
                return IndexFile(kind, stem + ext, sha, size, component)
        return None

    out: list[IndexFile] = []
    for comp in comps:
        for kind, stem in (
            ("Packages", f"{comp}/binary-{arch}/Packages"),
            ("Sources", f"{comp}/source/Sources"),
            ("Contents", f"{comp}/Contents-{arch}"),
            ("Contents", f"{comp}/Contents-all"),
        ):
            if (found := first(kind, stem, comp)) is not None:
                out.append(found)
    if not any(f.kind == "Contents" for f in out):  # Ubuntu: one Contents for all components
        for stem in (f"Contents-{arch}", "Contents-all"):
            if (found := first("Contents", stem, "")) is not None:
                out.append(found)
    return out


# --- files -------------------------------------------------------------------------------------


def raw_dir(settings: Settings) -> Path:
    return cache_root(settings) / "index" / "by-hash"


def solv_dir(settings: Settings) -> Path:
    """libsolv's form of the raw files, by the same hash (solver.deb_pool)."""
    return cache_root(settings) / "index" / "solv"


def fetch_file(suite: Suite, file: IndexFile, by_hash: bool, settings: Settings) -> Path:
    """The file from the cache (checked again) or the mirror (checked before it is kept)."""
    dest = raw_dir(settings) / file.sha256
    if dest.is_file():
        log.info(f"{suite.suite}: {file.path} ({file.size / 1e6:.1f} MB, cached)")
        check_file(dest, file.sha256, f"{suite.suite}/{file.path}")
        return dest
    directory = file.path.rpartition("/")[0]
    where = file.path
    if by_hash:
        where = f"{directory}/by-hash/SHA256/{file.sha256}".lstrip("/")
    url = f"{suite.uri}/dists/{suite.suite}/{where}"
    log.info(f"{suite.suite}: {file.path} ({file.size / 1e6:.1f} MB)")

    def verify(path: Path) -> None:
        check_file(path, file.sha256, url, fresh=True)

    try:
        return fetch.download(url, dest, verify=verify)
    except fetch.NotFound:
        if not by_hash:
            raise
        return fetch.download(f"{suite.uri}/dists/{suite.suite}/{file.path}", dest, verify=verify)


def check_file(path: Path, sha256: str, label: str, *, fresh: bool = False) -> None:
    if file_sha256(path) != sha256:
        if fresh:
            raise SourceError(f"{label}: the download does not match its SHA256 in InRelease")
        raise PackageIndexError(
            f"cached index file {path} ({label}) does not match its SHA256 in the signed"
            " InRelease: the cache was changed",
            f"remove {path} and run `specport index update`",
        )


def read_text(path: Path, name: str) -> str:
    return b"".join(read_lines(path, name)).decode("utf-8", errors="replace")


def read_lines(path: Path, name: str) -> Iterator[bytes]:
    """Lines of a (compressed) index file, decompressed as its name says."""
    if name.endswith(".xz"):
        with lzma.open(path, "rb") as f:
            yield from f
    elif name.endswith(".gz"):
        with gzip.open(path, "rb") as f:
            yield from f
    else:
        with path.open("rb") as f:
            yield from f


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
