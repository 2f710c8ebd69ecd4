"""The host's apt sources, and the Debian/Ubuntu mirrors and archive keys they imply: where the
base image bootstrap (images/bootstrap.py) and the package index (index/debian.py) read from.

Debian mirrors come from the host's own apt sources (one-line .list files, deb822 .sources files
read with python-debian); Ubuntu's default mirror is mmdebstrap's own, and its archive key comes
from Debian's `ubuntu-keyring` package (downloaded with apt from the host's Debian mirror).
A host without Debian sources (an Ubuntu CI runner) bootstraps Debian targets from mmdebstrap's
own default mirror (with the suite's updates and security pockets) and trusts the keyrings it
has: Debian's from debian-archive-keyring, Ubuntu's own.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from debian.deb822 import Deb822

from specport import log
from specport.errors import EngineError, ToolError
from specport.run import run
from specport.targets import Target

APT_TIMEOUT = 300
COMPONENTS = {"debian": ("main",), "ubuntu": ("main", "universe")}
# the Debian suite whose ubuntu-keyring package is fetched for Ubuntu's archive key
KEYRING_SUITE = "trixie"
UBUNTU_KEYRING = "usr/share/keyrings/ubuntu-archive-keyring.gpg"
APT_SOURCE_FILES = (Path("/etc/apt/sources.list"), Path("/etc/apt/sources.list.d"))
DEBIAN_KEYRING = Path("/usr/share/keyrings/debian-archive-keyring.gpg")  # debian-archive-keyring
HOST_UBUNTU_KEYRING = Path("/" + UBUNTU_KEYRING)  # an Ubuntu host's (ubuntu-keyring)


@dataclass(frozen=True)
class AptSource:
    uri: str
    suite: str
    components: tuple[str, ...]


def host_apt_sources(paths: tuple[Path, ...] = APT_SOURCE_FILES) -> list[AptSource]:
    """The `deb` entries of the host's apt config (one-line .list and deb822 .sources files)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix in (".list", ".sources"))
        elif path.is_file():
            files.append(path)
    sources: list[AptSource] = []
    for file in files:
        text = file.read_text(encoding="utf-8", errors="replace")
        if file.suffix == ".sources":
            sources += parse_deb822_sources(text)
        else:
            sources += parse_one_line_sources(text)
    return sources


def parse_one_line_sources(text: str) -> list[AptSource]:
    out = []
    for raw in text.splitlines():
        words = raw.split("#", 1)[0].split()
        if not words or words[0] != "deb":  # a binary archive line, not deb-src
            continue
        words = words[1:]
        if words and words[0].startswith("["):  # options: [arch=amd64 signed-by=...]
            while words and not words[0].endswith("]"):
                words.pop(0)
            words = words[1:]
        if len(words) >= 2:
            out.append(AptSource(words[0], words[1], tuple(words[2:])))
    return out


def parse_deb822_sources(text: str) -> list[AptSource]:
    out = []
    for stanza in Deb822.iter_paragraphs(text.splitlines(), use_apt_pkg=False):
        if "deb" not in stanza.get("Types", "").split():
            continue
        if stanza.get("Enabled", "yes").lower() == "no":
            continue
        components = tuple(stanza.get("Components", "").split())
        for uri in stanza.get("URIs", "").split():
            for suite in stanza.get("Suites", "").split():
                out.append(AptSource(uri, suite, components))
    return out


def has_debian_archive(sources: list[AptSource]) -> bool:
    try:
        debian_mirrors(sources)
    except EngineError:
        return False
    return True


def debian_mirrors(sources: list[AptSource]) -> tuple[str, str | None]:
    """(archive URI, security URI or None) of the host's Debian sources."""
    archive = security = None
    for s in sources:
        if s.suite.endswith("-security") or s.suite.endswith("/updates"):
            security = security or s.uri
        elif "main" in s.components and (
            s.uri.rstrip("/").endswith("/debian") or _is_debian_suite(s.suite)
        ):
            archive = archive or s.uri
    if archive is None:
        raise EngineError(
            "cannot tell the Debian mirror: the host's apt sources list no Debian archive",
            "add one to /etc/apt/sources.list(.d), or bootstrap on a Debian host",
        )
    return archive, security


def _is_debian_suite(suite: str) -> bool:
    base = suite.split("-")[0]
    known = ("buster", "bullseye", "bookworm", "trixie", "forky", "sid", "stable", "testing")
    return base in known


def mirror_lines(target: Target, sources: list[AptSource]) -> list[str]:
    """sources.list lines for mmdebstrap; [] lets mmdebstrap pick its default (Ubuntu, and
    Debian on a host without Debian sources).

    One line per pocket the target asks for (target.apt_pockets).
    """
    if target.distro != "debian" or not has_debian_archive(sources):
        return []
    archive, security = debian_mirrors(sources)
    comps = " ".join(COMPONENTS["debian"])
    lines = []
    for pocket in target.apt_pockets:
        if pocket == "release":
            lines.append(f"deb {archive} {target.codename} {comps}")
        elif pocket == "security":
            if security:
                lines.append(f"deb {security} {target.codename}-security {comps}")
        else:
            lines.append(f"deb {archive} {target.codename}-{pocket} {comps}")
    return lines


# --- Ubuntu's archive key -----------------------------------------------------------------------


def bootstrap_keyring(
    target: Target, cache: Path, sources: list[AptSource], log_path: Path
) -> Path | None:
    """The keyring mmdebstrap is given for the target's archive; None: the host's apt trusts it
    (a Debian target on a Debian host)."""
    if target.distro == "ubuntu":
        return ubuntu_keyring(cache, sources, log_path)
    if has_debian_archive(sources):
        return None
    if not DEBIAN_KEYRING.is_file():
        raise EngineError(f"{DEBIAN_KEYRING} is missing", "apt-get install debian-archive-keyring")
    return DEBIAN_KEYRING


def ubuntu_keyring(cache: Path, sources: list[AptSource], log_path: Path) -> Path:
    """Ubuntu's archive keyring, from Debian's ubuntu-keyring .deb (cached); on a host without
    Debian sources, the host's own (an Ubuntu host has it)."""
    dest = cache / "keyrings" / "ubuntu-archive-keyring.gpg"
    if dest.is_file():
        return dest
    if not has_debian_archive(sources) and HOST_UBUNTU_KEYRING.is_file():
        return HOST_UBUNTU_KEYRING
    archive, _ = debian_mirrors(sources)
    log.step(f"fetching ubuntu-keyring from Debian {KEYRING_SUITE}")
    with tempfile.TemporaryDirectory(prefix="specport-keyring-") as tmp:
        work = Path(tmp)
        (work / "lists" / "partial").mkdir(parents=True)
        (work / "cache" / "archives" / "partial").mkdir(parents=True)
        keyring = "/usr/share/keyrings/debian-archive-keyring.gpg"
        (work / "sources.list").write_text(
            f"deb [signed-by={keyring}] {archive} {KEYRING_SUITE} main\n", encoding="utf-8"
        )
        apt = [
            "apt-get",
            "-q",
            f"-oDir::Etc::SourceList={work / 'sources.list'}",
            "-oDir::Etc::SourceParts=/nonexistent",
            f"-oDir::State::Lists={work / 'lists'}",
            f"-oDir::Cache={work / 'cache'}",
            "-oAPT::Sandbox::User=root",
        ]
        run([*apt, "update"], log_path=log_path, timeout=APT_TIMEOUT)
        run([*apt, "download", "ubuntu-keyring"], log_path=log_path, timeout=APT_TIMEOUT, cwd=work)
        debs = sorted(work.glob("ubuntu-keyring_*.deb"))
        if not debs:
            raise ToolError(f"apt-get download ubuntu-keyring left no .deb (log: {log_path})")
        run(["dpkg-deb", "-x", str(debs[0]), str(work / "x")], log_path=log_path, timeout=60)
        found = work / "x" / UBUNTU_KEYRING
        if not found.is_file():
            raise ToolError(f"{debs[0].name} has no {UBUNTU_KEYRING}")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(found, dest.with_suffix(".tmp"))
        os.replace(dest.with_suffix(".tmp"), dest)
    return dest
