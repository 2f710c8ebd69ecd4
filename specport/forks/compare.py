"""What changed between the packages of two builds: names, Provides/Requires, files, and the
exported symbols of shared objects. Built packages are data: dpkg-deb and rpm read their headers,
the payload is unpacked in a temporary directory and `nm -D` reads the ELF files there."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from specport.forks.srpm import is_regular, iter_newc, payload
from specport.run import run
from specport.targets.families import family_for_suffix

TOOL_TIMEOUT = 120.0
_SO = re.compile(r"^(?P<stem>[^/]+\.so)(?:\.[\d.]+)?$")
# packages that only carry debug data or sources: their changes are noise in a rebase report
_SKIP = re.compile(r"(-debuginfo|-debugsource|-dbgsym)$")
# rpm's build-id links change with every build of anything: noise too
_BUILD_ID = "/usr/lib/.build-id/"


@dataclass(frozen=True)
class PackageFacts:
    name: str
    version: str
    provides: tuple[str, ...]
    requires: tuple[str, ...]
    files: tuple[str, ...]
    symbols: dict[str, tuple[str, ...]] = field(default_factory=dict)  # libfoo.so -> names


def binary_packages(paths: list[Path]) -> list[Path]:
    return [p for p in paths if family_for_suffix(p.suffix) and not p.name.endswith(".src.rpm")]


def facts(package: Path) -> PackageFacts:
    return _FACTS[family_for_suffix(package.suffix) or "rpm"](package)


def _lines(text: str) -> tuple[str, ...]:
    return tuple(sorted({ln.strip() for ln in text.splitlines() if ln.strip()}))


def _split_deps(value: str) -> tuple[str, ...]:
    return tuple(sorted({d.strip() for d in value.split(",") if d.strip()}))


def deb_facts(deb: Path) -> PackageFacts:
    def field_of(name: str) -> str:
        return run(["dpkg-deb", "-f", deb, name], timeout=TOOL_TIMEOUT).text.strip()

    listing = run(["dpkg-deb", "-c", deb], timeout=TOOL_TIMEOUT).text
    files = tuple(
        sorted(
            line.split(None, 5)[5].split(" -> ")[0].removeprefix(".")
            for line in listing.splitlines()
            if line and not line.startswith("d") and len(line.split(None, 5)) == 6
        )
    )
    requires = _split_deps(field_of("Pre-Depends")) + _split_deps(field_of("Depends"))
    with tempfile.TemporaryDirectory(prefix="specport-deb-") as tmp:
        run(["dpkg-deb", "-x", deb, tmp], timeout=TOOL_TIMEOUT)
        symbols = {}
        for f in files:
            path = Path(tmp) / f.lstrip("/")
            m = _SO.match(path.name)
            if m and path.is_file() and not path.is_symlink():
                symbols[m["stem"]] = exported_symbols(path)
    return PackageFacts(
        field_of("Package"),
        field_of("Version"),
        _split_deps(field_of("Provides")),
        tuple(sorted(requires)),
        files,
        symbols,
    )


def rpm_facts(rpm: Path) -> PackageFacts:
    def query(*args: str) -> str:
        return run(["rpm", "-qp", "--nosignature", *args, rpm], timeout=TOOL_TIMEOUT).text

    name, version = query("--qf", "%{NAME}\\n%{VERSION}-%{RELEASE}\\n").splitlines()[:2]
    files = tuple(
        f
        for f in _lines(query("--list"))
        if f != "(contains no files)" and not f.startswith(_BUILD_ID) and f != _BUILD_ID[:-1]
    )
    symbols = {}
    with tempfile.TemporaryDirectory(prefix="specport-rpm-") as tmp:
        for entry in iter_newc(payload(rpm), rpm.name):
            m = _SO.match(Path(entry.name).name)
            if m and is_regular(entry) and entry.data[:4] == b"\x7fELF":
                path = Path(tmp) / "lib.so"
                path.write_bytes(entry.data)
                symbols[m["stem"]] = exported_symbols(path)
    return PackageFacts(
        name,
        version,
        _lines(query("--provides")),
        _lines(query("--requires")),
        files,
        symbols,
    )


def exported_symbols(path: Path) -> tuple[str, ...]:
    if path.read_bytes()[:4] != b"\x7fELF":
        return ()
    out = run(["nm", "-D", "--defined-only", "-P", path], timeout=TOOL_TIMEOUT, check=False)
    return tuple(sorted({ln.split()[0] for ln in out.text.splitlines() if ln.strip()}))


@dataclass(frozen=True)
class Delta:
    added: tuple[str, ...]
    removed: tuple[str, ...]

    def as_dict(self) -> dict[str, list[str]]:
        return {"added": list(self.added), "removed": list(self.removed)}

    def __bool__(self) -> bool:
        return bool(self.added or self.removed)


def delta(old: tuple[str, ...], new: tuple[str, ...]) -> Delta:
    return Delta(tuple(sorted(set(new) - set(old))), tuple(sorted(set(old) - set(new))))


@dataclass(frozen=True)
class PackageDiff:
    name: str
    old_version: str
    new_version: str
    provides: Delta
    requires: Delta
    files: Delta
    symbols: dict[str, Delta]  # library -> its exported symbols' change

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "old_version": self.old_version,
            "new_version": self.new_version,
            "provides": self.provides.as_dict(),
            "requires": self.requires.as_dict(),
            "files": self.files.as_dict(),
            "symbols": {lib: d.as_dict() for lib, d in self.symbols.items()},
        }


@dataclass(frozen=True)
class TargetDiff:
    target: str
    added: tuple[str, ...]  # package names only the new build has
    removed: tuple[str, ...]
    packages: tuple[PackageDiff, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "target": self.target,
            "packages_added": list(self.added),
            "packages_removed": list(self.removed),
            "packages": [p.as_dict() for p in self.packages],
        }


def compare(target: str, old: list[Path], new: list[Path]) -> TargetDiff:
    old_facts = {f.name: f for f in map(facts, binary_packages(old)) if not _SKIP.search(f.name)}
    new_facts = {f.name: f for f in map(facts, binary_packages(new)) if not _SKIP.search(f.name)}
    diffs = []
    for name in sorted(set(old_facts) & set(new_facts)):
        o, n = old_facts[name], new_facts[name]
        libs = sorted(set(o.symbols) | set(n.symbols))
        diffs.append(
            PackageDiff(
                name,
                o.version,
                n.version,
                delta(o.provides, n.provides),
                delta(o.requires, n.requires),
                delta(o.files, n.files),
                {lib: delta(o.symbols.get(lib, ()), n.symbols.get(lib, ())) for lib in libs},
            )
        )
    return TargetDiff(
        target,
        tuple(sorted(set(new_facts) - set(old_facts))),
        tuple(sorted(set(old_facts) - set(new_facts))),
        tuple(diffs),
    )


def render_target(diff: TargetDiff) -> list[str]:
    out = [f"{diff.target}:"]
    for name in diff.added:
        out.append(f"  + package {name}")
    for name in diff.removed:
        out.append(f"  - package {name}")
    for p in diff.packages:
        out.append(f"  {p.name} {p.old_version} -> {p.new_version}")
        for label, d in (("provides", p.provides), ("requires", p.requires), ("files", p.files)):
            out.extend(_delta_lines(label, d))
        for lib, d in p.symbols.items():
            out.extend(_delta_lines(f"symbols of {lib}", d))
            if not d:
                out.append(f"    symbols of {lib}: unchanged")
    return out


def _delta_lines(label: str, d: Delta) -> list[str]:
    if not d:
        return []
    return (
        [f"    {label}:"] + [f"      + {x}" for x in d.added] + [f"      - {x}" for x in d.removed]
    )


_FACTS = {"deb": deb_facts, "rpm": rpm_facts}  # a package file's facts, by its family
