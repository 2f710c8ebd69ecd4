"""Real apt and dnf read the published repositories over HTTP, with signature checking on.

The repository is served by a thread of the test on the engine's bridge address; the client
runs in a throwaway debian:bookworm container (dnf: Debian's dnf package in a helper image).
"""

from __future__ import annotations

import lzma
import re
from pathlib import Path

import pytest
from test_repo_support import (
    bridge_gateway,
    engine_or_skip,
    ensure_test_image,
    make_deb,
    make_rpm,
    serve,
    test_key,
)

from specport.config import load_config
from specport.container.runs import Throwaway
from specport.gpg import open_key
from specport.repo import PublishOptions, publish_files

pytestmark = pytest.mark.container

DNF_IMAGE = "specport-test/dnf-reader:bookworm"
DNF_CONTAINERFILE = """\
FROM debian:bookworm
ENV DEBIAN_FRONTEND=noninteractive
RUN timeout 600 apt-get update \\
 && timeout 900 apt-get install -y --no-install-recommends dnf gnupg \\
 && rm -rf /var/lib/apt/lists/*
"""


def _publish(tmp_path: Path, packages: list[Path], base_url: str) -> Path:
    t = load_config().targets
    with open_key(key_file=test_key().secret_path) as key:
        publish_files(
            tmp_path / "repo",
            packages,
            [t["el8-php7.4"], t["debian-12"]],
            key,
            PublishOptions(base_url=base_url),
        )
    return tmp_path / "repo"


def _flip_one_byte(path: Path, offset: int = 20) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_apt_installs_from_the_repository_and_refuses_a_changed_index(tmp_path: Path) -> None:
    engine = engine_or_skip()
    host = bridge_gateway(engine)
    with serve(tmp_path, host) as url:  # serves tmp_path; the repository is tmp_path/repo
        repo = _publish(tmp_path, [make_deb(tmp_path, "specport-hello")], f"{url}/repo")
        sources = repo / "consumers" / "debian-12" / "specport.sources"
        assert "trusted" not in sources.read_text()
        with Throwaway(
            engine, "debian:bookworm", log_path=tmp_path / "apt.log", purpose="apt-consumer"
        ) as box:
            box.copy_in(sources, "/etc/apt/sources.list.d")
            box.copy_in(repo / "keys" / "specport.asc", "/etc/apt/keyrings")
            # only the specport repository: quick, and nothing else can satisfy the install
            box.run(
                "rm -f /etc/apt/sources.list /etc/apt/sources.list.d/debian.sources", timeout=30
            )
            box.run("apt-get update", timeout=120)
            box.run("apt-get install -y specport-hello", timeout=120)
            shown = box.run("cat /usr/share/specport-hello/VERSION", timeout=30).output
            assert "specport-hello 1.0-1+deb12" in shown
            # one byte of the index changed (Packages and the Packages.xz apt fetches)
            index = repo / "apt" / "dists" / "bookworm" / "main" / "binary-amd64"
            _flip_one_byte(index / "Packages")
            (index / "Packages.xz").write_bytes(lzma.compress((index / "Packages").read_bytes()))
            box.run("rm -rf /var/lib/apt/lists/*", timeout=30)
            refused = box.run("apt-get update", timeout=120, check=False)
            assert refused.exit_code != 0, refused.output
            # the signed Release names each index's hash and size: apt reports whichever
            # differs first (a one-byte change can also change the size of Packages.xz)
            assert re.search(r"Hash Sum mismatch|unexpected size", refused.output, re.I), (
                refused.output
            )


def test_dnf_lists_the_rpm_repository_and_refuses_a_changed_repomd(tmp_path: Path) -> None:
    engine = engine_or_skip()
    host = bridge_gateway(engine)
    image = ensure_test_image(engine, DNF_IMAGE, DNF_CONTAINERFILE)
    rpms = [make_rpm(tmp_path, "specport-alpha"), make_rpm(tmp_path, "specport-beta", "2.0")]
    with serve(tmp_path, host) as url:
        repo = _publish(tmp_path, rpms, f"{url}/repo")
        repo_file = repo / "consumers" / "el8-php7.4" / "specport.repo"
        assert "repo_gpgcheck=1" in repo_file.read_text()
        dnf = (
            "dnf -y --releasever=8 --setopt=reposdir=/etc/yum.repos.d --repo specport"
            " --setopt=skip_if_unavailable=False"
        )
        with Throwaway(engine, image, log_path=tmp_path / "dnf.log", purpose="dnf-consumer") as box:
            box.run("mkdir -p /etc/yum.repos.d", timeout=30)
            box.copy_in(repo_file, "/etc/yum.repos.d")
            listed = box.run(f"{dnf} repoquery --available", timeout=300).output
            assert "specport-alpha-0:1.0-1.el8.noarch" in listed
            assert "specport-beta-0:2.0-1.el8.noarch" in listed
            # the metadata signature covers repomd.xml: one changed byte and dnf refuses it
            _flip_one_byte(repo / "rpm" / "el8-php7.4" / "x86_64" / "repodata" / "repomd.xml", 60)
            box.run("dnf clean all", timeout=60)
            refused = box.run(f"{dnf} repoquery --available", timeout=300, check=False)
            assert refused.exit_code != 0, refused.output
            assert "specport-alpha" not in refused.output
            assert "repomd.xml GPG signature verification error" in refused.output
