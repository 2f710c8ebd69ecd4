"""The packages a set has built so far, offered to the later pairs' builds of the same target.

Each pair that needs another pair of the set gets, in its own throwaway container, a private
repository of the packages of the pairs of its target that finished before it:
- deb: a flat APT repository (`dpkg-scanpackages` in the builder image writes Packages) as a
  `file:` source with `[trusted=yes]`. The trust is acceptable only because the source is this
  build's own directory inside its own container, never a network source, and it is gone with the
  container.
- rpm: an rpm-md repository (createrepo_c on the host, over packages specport just built) and a
  dnf `.repo` file with gpgcheck off for the same reason. An image without dnf (the Debian-based
  EL stand-in) installs the needed packages with `rpm -U --nodeps` instead: the same files land
  where a dnf install puts them, and `rpm -q` shows them.
The host copy is a snapshot per pair (hard links), so pairs finishing meanwhile do not change a
repository while a build reads it.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import tempfile
import threading
from pathlib import Path

from debian.debfile import DebError, DebFile

from specport.building.engines import WORK
from specport.building.plan import INSTALL_TIMEOUT, SHORT_TIMEOUT
from specport.container.runs import Throwaway
from specport.errors import BuildError
from specport.rpmlib import read_header
from specport.rpmlib import rpm as rpm_bindings
from specport.run import run
from specport.targets import Target
from specport.targets.families import family_for_suffix

REPO_DIR = f"{WORK}/localrepo"
APT_LIST = "/etc/apt/sources.list.d/specport-localrepo.list"
DNF_REPO = "/etc/yum.repos.d/specport-localrepo.repo"
# binary packages only: debbuild's .sdeb and rpm's .src.rpm are not installable
_SKIP_SUFFIXES = (".sdeb", ".src.rpm")


def binary_packages(paths: list[Path]) -> list[Path]:
    return [
        p for p in paths if p.suffix in (".deb", ".rpm") and not p.name.endswith(_SKIP_SUFFIXES)
    ]


class LocalRepos:
    """Per target, the binary packages of the pairs that succeeded so far."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._packages: dict[str, list[Path]] = {}

    def add(self, target: Target, packages: list[Path]) -> None:
        with self._lock:
            self._packages.setdefault(target.name, []).extend(binary_packages(packages))

    def snapshot(self, target: Target) -> list[Path]:
        with self._lock:
            return list(self._packages.get(target.name, []))


def family_of_files(packages: list[Path]) -> str:
    """The family of one target's package files: the kind of repository follows the files."""
    found = {family_for_suffix(p.suffix) for p in packages}
    return "deb" if "deb" in found else "rpm"


def attach(box: Throwaway, packages: list[Path], install: list[str]) -> list[Path]:
    """Make `packages` (one target's, so one kind) the container's private repository;
    `install` names what an image without dnf gets with rpm -U (the needed specs' packages).
    Returns the packages the container is offered to install from: apt takes what it needs from
    all of them, an image without dnf only `install`."""
    if not packages:
        return []
    with tempfile.TemporaryDirectory(prefix="specport-localrepo-") as tmp:
        repo = Path(tmp) / "localrepo"
        repo.mkdir()
        for pkg in packages:
            _link_or_copy(pkg, repo / pkg.name)
        return _ATTACH[family_of_files(packages)](box, repo, packages, install)


def _apt(box: Throwaway, repo: Path, packages: list[Path], install: list[str]) -> list[Path]:
    box.copy_in(repo, WORK)
    box.run(
        f"cd {REPO_DIR} && dpkg-scanpackages --multiversion . /dev/null > Packages"
        f" && echo 'deb [trusted=yes] file:{REPO_DIR} ./' > {APT_LIST}"
        f" && cat {APT_LIST} && grep '^Package:' Packages",
        timeout=SHORT_TIMEOUT,
    )
    return packages


def _dnf(box: Throwaway, repo: Path, packages: list[Path], install: list[str]) -> list[Path]:
    run(["createrepo_c", "--quiet", str(repo)], timeout=SHORT_TIMEOUT)
    box.copy_in(repo, WORK)
    install = [p.name for p in packages if p.name in install]
    config = (
        "[specport-localrepo]\n"
        "name=packages built earlier in this specport build\n"
        f"baseurl=file://{REPO_DIR}\n"
        "enabled=1\ngpgcheck=0\n"
    )
    box.run(
        f"mkdir -p /etc/yum.repos.d && printf %s {shlex.quote(config)} > {DNF_REPO}",
        timeout=SHORT_TIMEOUT,
    )
    has_dnf = box.run("command -v dnf", timeout=SHORT_TIMEOUT, check=False).exit_code == 0
    if not has_dnf and install:
        files = " ".join(shlex.quote(f"{REPO_DIR}/{n}") for n in install)
        box.run(f"rpm -Uvh --nodeps --replacepkgs {files}", timeout=INSTALL_TIMEOUT)
    return [p for p in packages if p.name in install]


_ATTACH = {"deb": _apt, "rpm": _dnf}


def _link_or_copy(src: Path, dest: Path) -> None:
    try:
        os.link(src, dest)
    except OSError:
        shutil.copy2(src, dest)


def seeded(dirs: tuple[Path, ...], target: Target) -> list[Path]:
    """Binary packages under any `<target.name>/` directory below `dirs` (CI artifacts)."""
    found: list[Path] = []
    for d in dirs:
        for sub in sorted(d.rglob(target.name)):
            if sub.is_dir():
                found += binary_packages(sorted(sub.glob("*.*")))
    return found


def query_command(packages: list[Path]) -> str:
    """A command that lists which of `packages` the container has installed (for the log)."""
    family = family_of_files(packages)
    return _QUERY[family]([p for p in packages if family_for_suffix(p.suffix) == family])


def _dpkg_query(debs: list[Path]) -> str:
    # dpkg-deb -b names files name_version_arch.deb
    names = sorted({p.name.split("_", 1)[0] for p in debs})
    return "dpkg-query -W -f '${Package} ${Version} ${db:Status-Status}\\n' " + " ".join(names)


def _rpm_query(rpms: list[Path]) -> str:
    nevras = sorted(p.name.removesuffix(".rpm") for p in rpms)
    return "rpm -q " + " ".join(shlex.quote(n) for n in nevras) + " || true"


_QUERY = {"deb": _dpkg_query, "rpm": _rpm_query}


def requirements_of(packages: list[Path]) -> dict[str, set[str]]:
    """Package name -> the names its metadata requires (deb Depends/Pre-Depends, rpm
    Requires): what a package was built against, after the target has moved on."""
    out: dict[str, set[str]] = {}
    for path in packages:
        family = family_for_suffix(path.suffix)
        if family is None:
            continue
        name, names = _REQUIREMENTS[family](path)
        out.setdefault(name, set()).update(names)
    return out


def _deb_requirements(path: Path) -> tuple[str, set[str]]:
    try:
        control = DebFile(str(path)).debcontrol()
    except (DebError, OSError, KeyError) as exc:
        raise BuildError(f"{path}: not a readable .deb ({exc})") from exc
    text = ", ".join(control.get(f, "") for f in ("Depends", "Pre-Depends"))
    names = {
        re.split(r"[\s(:]", alt.strip(), maxsplit=1)[0]
        for item in text.split(",")
        for alt in item.split("|")
        if alt.strip()
    }
    return str(control["Package"]), names


def _rpm_requirements(path: Path) -> tuple[str, set[str]]:
    rpm = rpm_bindings()
    hdr = read_header(path, BuildError)
    return str(hdr[rpm.RPMTAG_NAME]), {str(n) for n in hdr[rpm.RPMTAG_REQUIRENAME]}


_REQUIREMENTS = {"deb": _deb_requirements, "rpm": _rpm_requirements}
