"""The upstream source of a real PHP extension spec, from Debian's or Ubuntu's source packages.

Used by bench/build_corpus.py. For a spec (read as text, never by rpm on this host) it finds the
distro's source package of the same extension (`php-<ext>`, or `<ext>` when that source builds a
`php-<ext>` binary, as xdebug does), takes its orig tarball (apt checks it against the archive's
signed index) and repacks the newest upstream release in it into the layout of a PECL release
tarball (`package.xml` + `<ext>-<version>/`), the layout Fedora-style PECL specs unpack.

Debian keeps several upstream releases in one orig tarball for several PHP versions
(`php-apcu_5.1.22+4.0.11`: `apcu-5.1.22/`, `apcu-4.0.11/`, `package.xml` for the newest,
`package-5.xml` for the other); the first one of the version is the one the target's PHP builds.
When the target's own archive lacks the file (this machine's mirror is partial), the nearest suite
with the same PHP generation is tried (`FALLBACKS`); the report says which one served.
"""

from __future__ import annotations

import re
import shutil
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

import debian_sources  # tools/, not a package

from specport import safetar
from specport.config import Settings
from specport.forks.specedit import macros_of
from specport.normalize.lines import expand
from specport.targets.model import Target

# target -> Debian suites to try after the target's own archive, nearest PHP first: bullseye ships
# PHP 7.4 like focal; trixie's extensions still build for bookworm's PHP 8.2
FALLBACKS = {
    "debian-11": ("bullseye-backports", "bookworm"),
    "debian-12": ("trixie",),
    "ubuntu-20.04": ("bullseye",),
    "ubuntu-22.04": ("bookworm",),
    "ubuntu-24.04": ("trixie",),
}
_NAME = re.compile(r"^Name:\s*(\S+)", re.MULTILINE | re.IGNORECASE)
_VERSION = re.compile(r"^Version:\s*(\S+)", re.MULTILINE | re.IGNORECASE)
_DEFINE = re.compile(r"^%(?:global|define)\s+(\w+)\s+(\S+)\s*$", re.MULTILINE)
_FILE_TAG = re.compile(r"^(Source|Patch)(\d*)\s*:\s*(\S+)", re.MULTILINE | re.IGNORECASE)


class NoUpstream(Exception):
    """This spec's upstream cannot be had from the target's (or a fallback) archive."""


@dataclass(frozen=True)
class Upstream:
    source: str  # Debian source package
    suite: str  # where its orig came from: the target's name, or a fallback suite
    debian_version: str
    version: str  # upstream version the spec is moved to
    tree: Path  # the unpacked `<ext>-<version>/` directory
    xml: Path | None  # the package.xml that describes that release, when the orig has one
    ext: str

    def tarball(self, out: Path, topdir: str | None = None) -> Path:
        """The release as a tarball at `out`: a PECL release's layout (`package.xml` beside
        `<ext>-<version>/`), or, with `topdir`, a forge archive's (one `topdir/` holding the
        tree, package.xml at its top as in the project's repository)."""
        mode = "w:bz2" if out.name.endswith(".bz2") else "w:gz"
        with tarfile.open(out, mode) as tar:
            if topdir is None:
                if self.xml is not None:
                    tar.add(self.xml, arcname="package.xml")
                tar.add(self.tree, arcname=f"{self.ext}-{self.version}")
            else:
                tar.add(self.tree, arcname=topdir)
                if self.xml is not None and not (self.tree / "package.xml").exists():
                    tar.add(self.xml, arcname=f"{topdir}/package.xml")
        return out


def spec_ext(text: str, path: Path) -> str:
    """The extension name a PHP extension spec builds, from its text (`pecl_name` first)."""
    defines = dict(_DEFINE.findall(text))
    for key in ("pecl_name", "ext_name", "extname", "proj_name"):
        value = defines.get(key, "")
        if value and "%" not in value:
            return value.lower()
    m = _NAME.search(text)
    name = m.group(1) if m and "%" not in m.group(1) else path.stem
    name = re.sub(r"^(php\d*-pecl-|php\d*-)", "", name)
    return re.sub(r"\d+$", "", name).lower()  # php-pecl-redis6, -xdebug3: one extension


def file_tags(text: str) -> list[tuple[str, str, str]]:
    """(Source or Patch, its number as written, its value) of each SourceN:/PatchN: line, the
    spec's simple macros expanded; a value that needs rpm is left out."""
    macros = macros_of(text)
    found = []
    for m in _FILE_TAG.finditer(text):
        value = expand(m.group(3), macros)
        if value is not None:
            found.append((m.group(1).capitalize(), m.group(2), value))
    return found


def spec_version(text: str) -> str:
    m = _VERSION.search(text)
    return m.group(1) if m else ""


class Archives:
    """Source package look-ups for one target, with its fallback suites; opened on first use."""

    def __init__(self, target: Target, settings: Settings) -> None:
        self.target = target
        self.settings = settings
        self._open: dict[str, debian_sources.AptSources] = {}

    def _state(self, where: str) -> debian_sources.AptSources:
        if where not in self._open:
            if where == self.target.name:
                self._open[where] = debian_sources.for_target(self.target, self.settings)
            else:
                self._open[where] = debian_sources.for_suite(where, self.settings)
        return self._open[where]

    def close(self) -> None:
        for state in self._open.values():
            state.close()

    def find(self, ext: str, work: Path) -> Upstream:
        names = [f"php-{ext.replace('_', '-')}", f"php-{ext}", ext]
        tried = []
        for where in (self.target.name, *FALLBACKS.get(self.target.name, ())):
            state = self._state(where)
            for source in dict.fromkeys(names):
                version = state.version(source)
                if version is None or not _builds_php_binary(state, source):
                    continue
                try:
                    orig = state.orig(source)
                except SystemExit:
                    tried.append(f"{source} {version} ({where}: orig missing on the mirror)")
                    break
                return repack(ext, source, where, version, orig, work)
        if tried:
            raise NoUpstream("; ".join(tried))
        raise NoUpstream(f"no php-{ext} source package in {self.target.name}")


def _builds_php_binary(state: debian_sources.AptSources, source: str) -> bool:
    done = state._apt("apt-cache", "showsrc", "--only-source", source)
    binaries = " ".join(re.findall(r"^Binary: (.*)$", done.stdout, re.MULTILINE))
    return bool(re.search(r"(^|[ ,])php\d*(\.\d+)?-[a-z0-9]", binaries))


def _vkey(version: str) -> tuple[object, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"[.~+-]", version))


def repack(
    ext: str, source: str, where: str, debian_version: str, orig: Path, work: Path
) -> Upstream:
    """The newest `<ext>-<version>/` of the orig tarball, unpacked under `work`, and the
    package.xml that describes it (package.xml, or the package-*.xml whose release matches)."""
    tree = work / "orig"
    shutil.rmtree(tree, ignore_errors=True)
    with tarfile.open(orig) as tar:
        safetar.extract_all(tar, tree, label=orig.name)
    dirs = [
        d
        for d in list(tree.glob("*")) + list(tree.glob("*/*"))
        if d.is_dir() and re.fullmatch(rf"{re.escape(ext)}-\d[\w.~+-]*", d.name, re.IGNORECASE)
    ]
    if not dirs:
        raise NoUpstream(f"{orig.name} holds no {ext}-<version>/ directory")
    best = max(dirs, key=lambda d: _vkey(d.name.split("-", 1)[1]))
    version = best.name.split("-", 1)[1]
    # a git-describe version (1.0.3.1-4-g95d8a0f): rpm and dpkg versions have no "-" in them
    rpm_version = version.replace("-", "+")
    return Upstream(
        source, where, debian_version, rpm_version, best, _package_xml(best.parent, version), ext
    )


def _package_xml(parent: Path, version: str) -> Path | None:
    for xml in sorted(parent.glob("package*.xml")):
        if not xml.is_file():
            continue
        text = xml.read_text(encoding="utf-8", errors="replace")
        m = re.search(r"<version>\s*<release>\s*([^<\s]+)\s*</release>", text)
        if m and m.group(1) == version:
            return xml
    return None
