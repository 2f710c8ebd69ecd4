"""The dnf stand-in for EL and its module-stream repository, for the tests of rpmbuild.py's dnf
path (tests/test_dnf_container.py). Not tests themselves.

EL images cannot be had here. The stand-in is the debian-12 builder image (rpm 4.18, rpmbuild)
with Debian's dnf 4.14 and dnf-plugins-core (`dnf builddep`), configured the way an EL8 image is.
Its rpm database starts empty: only what dnf installs from the test's repository is in it, so
the fixture specs build-require nothing else. The repository: fixture packages of the specs
below, built with rpmbuild in the stand-in itself, with a modules.yaml (php:7.3, php:7.4,
php:8.0, one php-devel each) and one plain package, served over HTTP from the engine's bridge
address (dnf keeps only downloaded packages: a file:// repository's are never cached).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.server
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from test_index_rpmmd import MODULES
from test_repo_support import ensure_test_image

STANDIN = "specport-test/dnf-standin"
STANDIN_CONTAINERFILE = """\
FROM {builder}
ENV DEBIAN_FRONTEND=noninteractive
RUN timeout 600 apt-get update \\
 && timeout 900 apt-get install -y --no-install-recommends dnf dnf-plugins-core \\
 && rm -rf /var/lib/apt/lists/*
# what an EL8 image has and Debian's dnf lacks: $releasever (no system-release package in the
# rpm database says it), the platform module (os-release says debian) and /etc/yum.repos.d;
# and Debian's dnf-plugins-core enables its `local` plugin, whose repository under /var/lib/dnf
# does not exist and fails every metadata load with an error
RUN mkdir -p /etc/yum.repos.d \\
 && echo 8 > /etc/dnf/vars/releasever \\
 && echo module_platform_id=platform:el8 >> /etc/dnf/dnf.conf \\
 && printf '[main]\\nenabled=0\\n' > /etc/dnf/plugins/local.conf
"""
# the repository's packages: (name, version, release); php-devel once per module stream
STREAMS = {"7.3": "7.3.33", "7.4": "7.4.33", "8.0": "8.0.30"}
PACKAGES = [("php-devel", v, "1.el8") for v in STREAMS.values()] + [
    ("specport-fake-tool", "1.0", "1.el8")
]
PHP_DEVEL_SPEC = """\
Name: php-devel
Version: {version}
Release: {release}
Summary: php-devel of one module stream, for specport's dnf tests
License: MIT
BuildArch: noarch
%description
Stands in for a module stream's php-devel: it only says its version.
%install
mkdir -p %{{buildroot}}/usr/share/specport-fake-php
echo {version} > %{{buildroot}}/usr/share/specport-fake-php/VERSION
%files
/usr/share/specport-fake-php/VERSION
"""
# no automatic Requires: the script's /bin/sh is not in the stand-in's (empty) rpm database
TOOL_SPEC = """\
Name: specport-fake-tool
Version: {version}
Release: {release}
Summary: a build tool from a plain repository, for specport's dnf tests
License: MIT
BuildArch: noarch
AutoReqProv: no
%description
A build tool outside any module stream.
%install
mkdir -p %{{buildroot}}/usr/bin
printf '#!/bin/sh\\necho specport-fake-tool ran\\n' > %{{buildroot}}/usr/bin/specport-fake-tool
chmod 755 %{{buildroot}}/usr/bin/specport-fake-tool
%files
/usr/bin/specport-fake-tool
"""
REPO_ID = "specport-fixture"


def standin_image(engine, builder: str) -> str:  # type: ignore[no-untyped-def]
    """The stand-in, tagged by its Containerfile and the builder image's id: built once, again
    only when either changes."""
    text = STANDIN_CONTAINERFILE.format(builder=builder)
    inputs = text + engine.client.images.get(builder).id
    return ensure_test_image(engine, f"{STANDIN}:{_digest(inputs)}", text)


def with_repository(engine, standin: str, url: str) -> str:  # type: ignore[no-untyped-def]
    """A derived image whose dnf knows the repository at `url` (its port is this run's)."""
    repo = f"[{REPO_ID}]\\nname=specport dnf test repository\\nbaseurl={url}/\\ngpgcheck=0\\n"
    text = f"FROM {standin}\nRUN printf '{repo}' > /etc/yum.repos.d/{REPO_ID}.repo\n"
    return ensure_test_image(engine, f"{STANDIN}-repo:{_digest(text)}", text)


def build_repository(engine, standin: str, root: Path) -> Path:  # type: ignore[no-untyped-def]
    """The rpm-md repository (with modules.yaml) of PACKAGES under root/repo."""
    from specport.container.runs import Throwaway

    specs = root / "fixture-specs"
    specs.mkdir(parents=True)
    for name, version, release in PACKAGES:
        template = PHP_DEVEL_SPEC if name == "php-devel" else TOOL_SPEC
        text = template.format(version=version, release=release)
        (specs / f"{name}-{version}.spec").write_text(text, encoding="utf-8")
    with Throwaway(
        engine, standin, log_path=root / "fixture-rpms.log", purpose="dnf-fixture-rpms"
    ) as box:
        box.copy_in(specs, "/tmp")
        box.run(
            "cd /tmp/fixture-specs && for s in *.spec; do"
            " rpmbuild -bb --quiet --define '_topdir /tmp/top' \"$s\" || exit 1; done",
            timeout=300,
        )
        built = box.copy_out("/tmp/top/RPMS/noarch", root)
    repo = built.rename(root / "repo")
    subprocess.run(["createrepo_c", "--quiet", str(repo)], check=True, timeout=120)
    modules = root / "modules.yaml"
    modules.write_text(
        "".join(MODULES.format(stream=s, version=v) for s, v in STREAMS.items()), encoding="utf-8"
    )
    subprocess.run(
        ["modifyrepo_c", "--mdtype", "modules", str(modules), str(repo / "repodata")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return repo


@dataclass
class AccessLog:
    """The paths a served repository was asked for, in order."""

    paths: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def since(self, mark: int) -> list[str]:
        with self.lock:
            return self.paths[mark:]

    def mark(self) -> int:
        with self.lock:
            return len(self.paths)


class _LoggingHandler(http.server.SimpleHTTPRequestHandler):
    access: AccessLog

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        with self.access.lock:
            self.access.paths.append(self.path)
        super().do_GET()


@contextlib.contextmanager
def serve_logged(directory: Path, host: str) -> Iterator[tuple[str, AccessLog]]:
    """Serve directory over HTTP on host; yields the base URL and the access log."""
    access = AccessLog()
    handler_class = type("Handler", (_LoggingHandler,), {"access": access})
    handler = functools.partial(handler_class, directory=str(directory))
    server = http.server.ThreadingHTTPServer((host, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}", access
    finally:
        server.shutdown()
        server.server_close()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]
