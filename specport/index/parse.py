"""Packages, Sources and Contents files -> the compact Index (only what the resolver needs).

Contents files are large (hundreds of MB uncompressed): each line is tested with cheap byte
checks first, and only lines under the directories that answer a dependency are kept: bin and
sbin dirs, pkg-config files, CMake package configs, Perl modules, Python dist/egg-info, the PEAR
registry and channels, C headers (two levels under the include dirs) and shared libraries (their
development link `libfoo.so` and their SONAME-style `libfoo.so.N` files), which tell what a Fedora
-devel or library package corresponds to.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from debian.debian_support import version_compare

from specport.index.model import Index

_BIN_DIRS = (b"bin/", b"sbin/", b"usr/bin/", b"usr/sbin/", b"usr/games/")
_PERL_RE = re.compile(
    rb"^usr/(?:share/perl5|share/perl/[\d.]+|lib/[^/]+/perl5/[\d.]+|lib/[^/]+/perl/[\d.]+"
    rb"|lib/[^/]+/perl-base|lib/[^/]+/perl5)/(.+)\.pm$"
)
# pkg-config's own search path: /usr/lib/pkgconfig, /usr/share/pkgconfig, the multiarch dir
# (cross and MinGW toolchains keep .pc files elsewhere: they are not the target's)
_PC_RE = re.compile(
    rb"^usr/(?:lib(?:/[a-z0-9_]+-linux-gnu[a-z0-9_]*)?|share)/pkgconfig/([^/]+)\.pc$"
)
_PY_RE = re.compile(rb"^usr/lib/python3/dist-packages/([^/]+?)-[^/-]*\.(?:dist|egg)-info(?:/|\s|$)")
_PEAR_RE = re.compile(rb"^usr/share/php/\.registry/(?:\.channel\.([^/]+)/)?([^/]+)\.reg$")
_CHANNEL_RE = re.compile(rb"^usr/share/php/\.channels/([^/]+)\.reg$")
# /usr/include/pcre.h, /usr/include/alsa/asoundlib.h and the multiarch include dir
# (/usr/include/x86_64-linux-gnu/sys/sdt.h), as a compiler's `#include <...>` names them; deeper
# paths are left out (a library's main header is at most one directory down)
_HEADER_RE = re.compile(
    rb"^usr/include/(?:[a-z0-9_]+-linux-gnu[a-z0-9_]*/)?([^/\s]+(?:/[^/\s]+)?\.(?:h|hpp))$"
)
# libraries in the linker's directories: libfoo.so (the -dev link) and libfoo.so.N[.M] (runtime)
_LIB_RE = re.compile(
    rb"^(?:usr/)?lib/(?:[a-z0-9_]+-linux-gnu[a-z0-9_]*/)?(lib[^/\s]+?)\.so(\.\d+(?:\.\d+)?)?$"
)
# CMake package configs (find_package(Foo) reads FooConfig.cmake or foo-config.cmake): rpm's
# generator makes cmake(Foo) of the file's name, anywhere under the prefix's lib and share dirs
_CMAKE_RE = re.compile(rb"^usr/(?:lib|lib64|share)/\S*?([^/\s]+?)(?:Config|-config)\.cmake$")
_TABLES = (
    "files", "pkgconfig", "perl", "python", "pear", "channels", "headers", "devlibs", "sonames",
    "cmake",
)  # fmt: skip
_PEAR_DEFAULT_CHANNEL = "pear.php.net"  # PEAR's own channel: its registry has no .channel. dir


def stanzas(text: str) -> Iterator[dict[str, str]]:
    """deb822 paragraphs; continuation lines are joined with a space.

    Not python-debian's Deb822.iter_paragraphs, which the rest of specport uses: on bookworm's
    main Packages file (63,440 paragraphs) it takes 10.7 s (5.3 s with python3-apt's apt_pkg)
    where this split takes 2.0 s, on every `index update` of every suite."""
    current: dict[str, str] = {}
    key = ""
    for line in text.splitlines():
        if not line:
            if current:
                yield current
            current, key = {}, ""
        elif line[0] in " \t":
            if key:
                current[key] += " " + line.strip()
        else:
            key, _, value = line.partition(":")
            current[key] = value.strip()
    if current:
        yield current


def names(relation: str) -> list[str]:
    """Package names of a Provides/Binary field: "a (= 1), b:any" -> ["a", "b"]."""
    out = []
    for part in relation.split(","):
        word = part.strip().split(" ", 1)[0].split("(", 1)[0].split(":", 1)[0]
        if word:
            out.append(word)
    return out


def normalize_python_name(name: str) -> str:
    """PEP 503: python3dist() names and dist-info directories compare this way."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass
class Builder:
    """Collects the parsed files of every pocket and component of one target."""

    packages: dict[str, str] = field(default_factory=dict)
    provides: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    source_of: dict[str, str] = field(default_factory=dict)
    binaries: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    essential: set[str] = field(default_factory=set)
    breaks: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    tables: dict[str, defaultdict[str, set[str]]] = field(
        default_factory=lambda: {k: defaultdict(set) for k in _TABLES}
    )

    def add_packages(self, text: str) -> None:
        for st in stanzas(text):
            name, version = st.get("Package"), st.get("Version", "")
            if not name:
                continue
            old = self.packages.get(name)
            if old is None or compare_versions(version, old) > 0:
                self.packages[name] = version
            for virtual in names(st.get("Provides", "")):
                self.provides[virtual].add(name)
            for broken in names(st.get("Breaks", "")):
                self.breaks[broken].add(name)
            source = st.get("Source", "").split(" ", 1)[0]
            if source and source != name:
                self.source_of[name] = source
            if st.get("Essential") == "yes":
                self.essential.add(name)

    def add_sources(self, text: str) -> None:
        for st in stanzas(text):
            source = st.get("Package")
            if source:
                self.binaries[source].update(names(st.get("Binary", "")))

    def add_contents(self, lines: Iterable[bytes], components: tuple[str, ...], own: str) -> None:
        """Contents lines "path  [component/]section/pkg,..."; `own` is the file's component."""
        files, pkgconfig = self.tables["files"], self.tables["pkgconfig"]
        perl, python = self.tables["perl"], self.tables["python"]
        pear, channels = self.tables["pear"], self.tables["channels"]
        headers, devlibs, sonames = (self.tables[k] for k in ("headers", "devlibs", "sonames"))
        cmake = self.tables["cmake"]
        for raw in lines:
            line = raw.rstrip()
            table: defaultdict[str, set[str]] | None = None
            key = ""
            if line.startswith(_BIN_DIRS):
                path = line.rsplit(None, 1)[0]
                if path.count(b"/") - path.startswith(b"usr/") == 1:
                    table, key = files, "/" + path.decode(errors="replace")
            elif b".pc " in line or b".pc\t" in line:
                m = _PC_RE.match(line.split(None, 1)[0])
                if m:
                    table, key = pkgconfig, m.group(1).decode(errors="replace")
            elif b".pm " in line or b".pm\t" in line:
                m = _PERL_RE.match(line.split(None, 1)[0])
                if m:
                    table, key = perl, m.group(1).decode(errors="replace").replace("/", "::")
            elif line.startswith(b"usr/lib/python3/dist-packages/") and b"-info" in line:
                m = _PY_RE.match(line)
                if m:
                    table, key = python, normalize_python_name(m.group(1).decode(errors="replace"))
            elif line.startswith(b"usr/include/"):
                m = _HEADER_RE.match(line.split(None, 1)[0])
                if m:
                    table, key = headers, m.group(1).decode(errors="replace")
            elif b".so" in line and line.startswith((b"lib/", b"usr/lib/")):
                m = _LIB_RE.match(line.split(None, 1)[0])
                if m:
                    table = sonames if m.group(2) else devlibs
                    key = m.group(1).decode(errors="replace")
            elif b"onfig.cmake" in line:
                m = _CMAKE_RE.match(line.split(None, 1)[0])
                if m:  # find_package() matches the name case-insensitively
                    table, key = cmake, m.group(1).decode(errors="replace").lower()
            elif line.startswith(b"usr/share/php/."):
                path = line.split(None, 1)[0]
                if m := _PEAR_RE.match(path):
                    channel = (m.group(1) or _PEAR_DEFAULT_CHANNEL.encode()).decode()
                    table, key = pear, f"{channel}/{m.group(2).decode()}".lower()
                elif m := _CHANNEL_RE.match(path):
                    # a channel with a path is stored with "_" for "/": nikic.github.com_pear
                    table, key = channels, m.group(1).decode().replace("_", "/").lower()
            if table is None:
                continue
            where = line.rsplit(None, 1)[1]
            for location in where.decode(errors="replace").split(","):
                parts = location.split("/")
                component = parts[0] if len(parts) >= 3 else own
                if component in components:
                    table[key].add(parts[-1])

    def build(self, target: str) -> Index:
        binaries = {
            src: ",".join(sorted(b for b in bins if b in self.packages))
            for src, bins in self.binaries.items()
        }
        return Index(
            target=target,
            packages=dict(sorted(self.packages.items())),
            provides=_lists(self.provides),
            source_of=dict(sorted(self.source_of.items())),
            binaries={k: v for k, v in sorted(binaries.items()) if v},
            essential=sorted(self.essential),
            breaks=_lists(self.breaks),
            **{name: _lists(table) for name, table in self.tables.items()},
        )


def _lists(table: dict[str, set[str]]) -> dict[str, str]:
    return {k: ",".join(sorted(v)) for k, v in sorted(table.items())}


def compare_versions(a: str, b: str) -> int:
    """<0, 0, >0 as dpkg --compare-versions orders Debian versions a and b (python-debian)."""
    return int(version_compare(a, b))
