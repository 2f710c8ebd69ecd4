"""APT repositories: DIR/apt/ with a shared pool/ and one suite per deb target.

    pool/main/<initial>/<source>/<file>.deb
    dists/<codename>/{Release,InRelease,Release.gpg}
    dists/<codename>/main/binary-<arch>/{Packages,Packages.xz}

Suite = the target's codename, component `main`. Control data is read with python-debian,
indexes are written with its deb822 classes, Release is signed twice (InRelease, Release.gpg).
dists/<codename> is a symlink swapped atomically (see atomic.py).
"""

from __future__ import annotations

import email.utils
import hashlib
import lzma
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from debian.deb822 import Deb822, Packages, Release
from debian.debfile import DebFile

from specport import log
from specport import pathnames as names
from specport.digest import file_sha256
from specport.errors import PublishError
from specport.gpg import SigningKey, clearsign, sign_detached
from specport.repo import atomic
from specport.repo.model import TargetReport
from specport.repo.packages import Package, newest
from specport.targets import Target

COMPONENT = "main"


@dataclass(frozen=True)
class Entry:
    """One paragraph of a Packages index."""

    package: Package  # path is the pool file
    paragraph: Packages

    @property
    def pool_path(self) -> str:
        return str(self.paragraph["Filename"])


def apt_root(root: Path) -> Path:
    return root / "apt"


def suite_link(root: Path, target: Target) -> Path:
    return apt_root(root) / "dists" / target.codename


def publish_deb(
    root: Path, target: Target, incoming: list[Package], key: SigningKey, *, keep: int
) -> TargetReport:
    base = apt_root(root)
    link = suite_link(root, target)
    report = TargetReport(target=target.name, path=link)
    current = atomic.current_target(link)
    entries = {
        (e.package.name, e.package.version, e.package.arch): e
        for e in _read_suite(base, current, target)
    }
    for pkg in incoming:
        ident = (pkg.name, pkg.version, pkg.arch)
        old = entries.get(ident)
        if old is not None and old.package.identity == pkg.identity:
            report.unchanged.append(pkg.filename)
            continue
        if old is not None:
            raise PublishError(
                f"{target.name}: {pkg.name} {pkg.version} ({pkg.arch}) is already published with"
                " other contents",
                hint="bump the Version to publish a rebuild",
            )
        entries[ident] = _add_to_pool(base, pkg)
        report.added.append(pkg.filename)
    kept, dropped = newest([e.package for e in entries.values()], keep)
    by_package = {(e.package.name, e.package.version, e.package.arch): e for e in entries.values()}
    kept_entries = [by_package[(p.name, p.version, p.arch)] for p in kept]
    packages_text = _packages_index(kept_entries)
    index_dir = f"{COMPONENT}/binary-{target.deb_arch}"
    if current is not None and _unchanged(current / index_dir / "Packages", packages_text, key):
        log.debug(f"{target.name}: suite {target.codename} already up to date")
        return report
    generation = atomic.new_generation(link.parent.parent, target.codename)
    try:
        (generation / index_dir).mkdir(parents=True)
        (generation / index_dir / "Packages").write_bytes(packages_text)
        (generation / index_dir / "Packages.xz").write_bytes(
            lzma.compress(packages_text, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64)
        )
        (generation / "key-fingerprint").write_text(key.fingerprint + "\n")
        _write_release(generation, target, [f"{index_dir}/Packages", f"{index_dir}/Packages.xz"])
        clearsign(key, generation / "Release", generation / "InRelease")
        sign_detached(key, generation / "Release", generation / "Release.gpg")
    except BaseException:
        atomic.discard(generation)
        raise
    atomic.make_dirs(link.parent)
    atomic.swap_in(link, generation)
    report.changed = True
    report.removed = [p.filename for p in dropped]
    _collect_pool_garbage(base)  # only now: no published index names them any more
    return report


def _read_suite(base: Path, current: Path | None, target: Target) -> list[Entry]:
    if current is None:
        return []
    index = current / COMPONENT / f"binary-{target.deb_arch}" / "Packages"
    entries = []
    with open(index) as handle:
        for para in Packages.iter_paragraphs(handle, use_apt_pkg=False):
            pkg = Package(
                path=base / para["Filename"],
                kind="deb",
                name=para["Package"],
                version=para["Version"],
                arch=para["Architecture"],
                release=para["Version"],
                identity=para["SHA256"],
            )
            entries.append(Entry(pkg, para))
    return entries


def _add_to_pool(base: Path, pkg: Package) -> Entry:
    control = DebFile(str(pkg.path)).debcontrol()
    source = names.deb_field(
        "Source", str(control.get("Source", pkg.name)).split()[0], pkg.filename
    )
    initial = source[:4] if source.startswith("lib") else source[:1]
    rel = f"pool/{COMPONENT}/{initial}/{source}/{pkg.filename}"
    dest = base / rel
    if dest.exists() and file_sha256(dest) != pkg.identity:
        raise PublishError(
            f"{rel} already exists with other contents", hint="bump the Version of the rebuild"
        )
    if not dest.exists():
        atomic.make_dirs(dest.parent)
        atomic.set_owned(base, atomic.owned(base) | {rel})  # before the file: never unrecorded
        temp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
        shutil.copyfile(pkg.path, temp)
        atomic.readable(temp)
        os.replace(temp, dest)
    data = dest.read_bytes()
    para = Packages(control)
    para["Filename"] = rel
    para["Size"] = str(len(data))
    para["MD5sum"] = hashlib.md5(data).hexdigest()
    para["SHA256"] = hashlib.sha256(data).hexdigest()
    return Entry(
        Package(dest, "deb", pkg.name, pkg.version, pkg.arch, pkg.release, pkg.identity), para
    )


def _packages_index(entries: list[Entry]) -> bytes:
    order = sorted(entries, key=lambda e: (e.package.name, e.package.arch, e.pool_path))
    return "\n".join(str(e.paragraph).rstrip("\n") + "\n" for e in order).encode()


def _unchanged(index: Path, text: bytes, key: SigningKey) -> bool:
    try:
        same_key = (index.parents[2] / "key-fingerprint").read_text().strip() == key.fingerprint
        return same_key and index.read_bytes() == text
    except OSError:
        return False


def _write_release(generation: Path, target: Target, files: list[str]) -> None:
    release = Release()
    release["Origin"] = "specport"
    release["Label"] = "specport"
    release["Suite"] = target.codename
    release["Codename"] = target.codename
    release["Date"] = email.utils.formatdate(usegmt=True)
    release["Architectures"] = target.deb_arch
    release["Components"] = COMPONENT
    release["Description"] = f"packages for {target.name}, published by specport"
    md5, sha256 = [], []
    for name in files:
        data = (generation / name).read_bytes()
        md5.append({"md5sum": hashlib.md5(data).hexdigest(), "size": str(len(data)), "name": name})
        sha256.append(
            {"sha256": hashlib.sha256(data).hexdigest(), "size": str(len(data)), "name": name}
        )
    # multivalued fields take a list of dicts; python-debian's hints only say str
    release["MD5Sum"] = md5  # type: ignore[assignment]
    release["SHA256"] = sha256  # type: ignore[assignment]
    (generation / "Release").write_bytes(release.dump().encode())


def _collect_pool_garbage(base: Path) -> None:
    """Delete pool files no suite's index names: dropped versions, a killed publisher's adds."""
    used: set[Path] = set()
    dists = base / "dists"
    for link in dists.iterdir() if dists.is_dir() else []:
        current = atomic.current_target(link)
        if current is None:
            continue
        for index in current.glob(f"{COMPONENT}/binary-*/Packages"):
            with open(index) as handle:
                used.update(base / p["Filename"] for p in Deb822.iter_paragraphs(handle))
    mine = atomic.owned(base)
    gone = {rel for rel in mine if base / rel not in used}
    for rel in gone:  # only files publish recorded as its own; others are left alone
        (base / rel).unlink(missing_ok=True)
    if gone:
        atomic.set_owned(base, mine - gone)
