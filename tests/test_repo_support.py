"""Helpers for the repository tests: tiny real packages, a signing key, an HTTP server.

Not tests themselves; the test_repo*/test_publish* modules import them.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

from specport import gpg

SPEC = """\
Name:           {name}
Version:        {version}
Release:        {release}
Summary:        specport test package {name}
License:        MIT
BuildArch:      noarch

%description
A package that only carries a text file, for specport's repository tests.

%install
mkdir -p %{{buildroot}}/usr/share/{name}
echo '{name} {version}-{release}' > %{{buildroot}}/usr/share/{name}/VERSION

%files
/usr/share/{name}/VERSION
"""


def make_rpm(out: Path, name: str, version: str = "1.0", release: str = "1.el8") -> Path:
    """A noarch rpm built with the host's rpmbuild (Debian's rpm package)."""
    top = out / f".rpmbuild-{name}-{version}-{release}"
    (top / "SPECS").mkdir(parents=True, exist_ok=True)
    spec = top / "SPECS" / f"{name}.spec"
    spec.write_text(SPEC.format(name=name, version=version, release=release))
    subprocess.run(
        ["rpmbuild", "-bb", "--define", f"_topdir {top}", "--define", "_binary_payload w2.xzdio",
         "--nodeps", "--quiet", spec],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    built = next((top / "RPMS" / "noarch").glob("*.rpm"))
    dest = out / built.name
    built.rename(dest)
    return dest


def make_deb(
    out: Path,
    name: str,
    version: str = "1.0-1+deb12",
    arch: str = "all",
    depends: str = "",
    files: dict[str, bytes] | None = None,
) -> Path:
    """A .deb made with dpkg-deb from a control file and a few files."""
    root = out / f".deb-{name}-{version}"
    (root / "DEBIAN").mkdir(parents=True, exist_ok=True)
    control = [
        f"Package: {name}",
        f"Version: {version}",
        f"Architecture: {arch}",
        "Maintainer: specport tests <tests@localhost>",
        "Section: misc",
        "Priority: optional",
    ]
    if depends:
        control.append(f"Depends: {depends}")
    control.append(f"Description: specport test package {name}\n A package for repository tests.")
    (root / "DEBIAN" / "control").write_text("\n".join(control) + "\n")
    for rel, data in (
        files or {f"usr/share/{name}/VERSION": f"{name} {version}\n".encode()}
    ).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    dest = out / f"{name}_{version}_{arch}.deb"
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "-Zxz", "--build", root, dest],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return dest


@functools.cache
def _key_dir() -> Path:
    import atexit
    import shutil
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="specport-testkey-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)  # the test key dies with the run
    return path


def test_key(algorithm: str = "rsa4096") -> gpg.GeneratedKey:
    """One generated key per algorithm per test session (rsa4096 takes a second or two)."""
    return _generated(algorithm)


@functools.cache
def _generated(algorithm: str) -> gpg.GeneratedKey:
    return gpg.generate_key(
        _key_dir() / algorithm,
        name=f"specport test {algorithm}",
        email="tests@localhost",
        algorithm=algorithm,
        passphrase=None,
    )


test_key.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve(directory: Path, host: str) -> Iterator[str]:
    """Serve directory over HTTP on host (port chosen by the kernel); yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer((host, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# --- consistency checks: what a reader of the repository relies on ---------------------------


def keyring(public_key: Path, dest: Path) -> Path:
    """A binary keyring for gpgv from an armored public key."""
    subprocess.run(
        ["gpg", "--batch", "--yes", "--dearmor", "--output", dest, public_key],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    return dest


def gpgv(ring: Path, *files: Path) -> None:
    subprocess.run(["gpgv", "--keyring", ring, *files], check=True, capture_output=True, timeout=30)


def sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_apt_suite(apt_dir: Path, codename: str, ring: Path) -> list[str]:
    """Verify InRelease and Release.gpg, every index hash, every pool file; the package names."""
    from debian.deb822 import Packages, Release

    suite = apt_dir / "dists" / codename
    gpgv(ring, suite / "InRelease")
    gpgv(ring, suite / "Release.gpg", suite / "Release")
    release = Release((suite / "Release").read_text())
    names = []
    for item in release["SHA256"]:
        path = suite / item["name"]
        assert sha256(path) == item["sha256"], path
        assert path.stat().st_size == int(item["size"])
    index = suite / "main" / f"binary-{release['Architectures']}" / "Packages"
    for para in Packages.iter_paragraphs(index.read_text(), use_apt_pkg=False):
        pool_file = apt_dir / para["Filename"]
        assert sha256(pool_file) == para["SHA256"], pool_file
        names.append(f"{para['Package']}_{para['Version']}")
    return sorted(names)


def check_rpm_repo(repo: Path, ring: Path) -> list[str]:
    """Verify repomd.xml.asc, every data file's checksum, every package's; the file names."""
    import gzip
    import xml.etree.ElementTree as ET

    ns = {"r": "http://linux.duke.edu/metadata/repo", "c": "http://linux.duke.edu/metadata/common"}
    repomd = repo / "repodata" / "repomd.xml"
    gpgv(ring, repo / "repodata" / "repomd.xml.asc", repomd)
    primary = None
    for data in ET.parse(repomd).getroot().findall("r:data", ns):
        href = data.find("r:location", ns).get("href")  # type: ignore[union-attr]
        assert sha256(repo / href) == data.find("r:checksum", ns).text, href  # type: ignore[union-attr]
        if data.get("type") == "primary":
            primary = repo / href
    assert primary is not None
    names = []
    for pkg in ET.fromstring(gzip.decompress(primary.read_bytes())).findall("c:package", ns):
        href = pkg.find("c:location", ns).get("href")  # type: ignore[union-attr]
        assert sha256(repo / href) == pkg.find("c:checksum", ns).text, href  # type: ignore[union-attr]
        names.append(Path(href).name)
    return sorted(names)


def tree_snapshot(root: Path) -> dict[str, str]:
    """Every file's hash and every symlink's target below root (the lock file left out)."""
    snap = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if path.is_symlink():
            snap[rel] = "-> " + str(path.readlink())
        elif path.is_file() and path.name != ".specport-publish.lock":
            snap[rel] = sha256(path)
    return snap


# --- container helpers ------------------------------------------------------------------------


def engine_or_skip():  # type: ignore[no-untyped-def]
    """The engine; fails instead of skipping under SPECPORT_REQUIRE_ENGINE=1 (conftest)."""
    from conftest import engine_or_fail

    return engine_or_fail()


def bridge_gateway(engine) -> str:  # type: ignore[no-untyped-def]
    """The host's address on the engine's default bridge: containers reach the host there."""
    import ipaddress

    config = engine.client.networks.get("bridge").attrs["IPAM"]["Config"][0]
    if config.get("Gateway"):
        return str(config["Gateway"])
    # dockerd gives the bridge the subnet's first address when it does not report one
    return str(next(ipaddress.ip_network(config["Subnet"]).hosts()))


def ensure_test_image(engine, tag: str, containerfile: str) -> str:  # type: ignore[no-untyped-def]
    """A helper image the tests reuse between runs (built once, labelled specport=1)."""
    import io

    import docker.errors

    try:
        engine.client.images.get(tag)
        return tag
    except docker.errors.ImageNotFound:
        pass
    engine.client.images.build(
        fileobj=io.BytesIO(containerfile.encode()),
        tag=tag,
        labels={"specport": "1", "specport.kind": "test-helper"},
        rm=True,
        forcerm=True,
        pull=False,
        timeout=900,
    )
    return tag
