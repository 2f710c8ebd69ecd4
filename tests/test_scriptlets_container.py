"""What a Fedora spec says that debbuild does not do by itself, built with the real vendored
debbuild and installed with dpkg in a clean container of the target (tests/data/debbuild/):
bash build sections (pushd, brace expansion), rpm scriptlets with rpm's counts, a %triggerin
and a %triggerun on another package, %posttrans, %license after a `cd`, %ghost, %attr,
%config(missingok) and %verify, alternatives -> update-alternatives."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from specport.config import load_config

pytestmark = pytest.mark.container

DATA = Path(__file__).resolve().parent / "data" / "debbuild"
LOG = "/var/lib/sp-fedora/log"


def _build(target: str, out: Path, specs: tuple[str, ...] = ("sp-fedora", "sp-watched")) -> Path:
    proc = subprocess.run(
        [sys.executable, "-m", "specport", "build", "-t", target, "-o", str(out),
         *(str(DATA / f"{spec}.spec") for spec in specs)],
        capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out / target


@pytest.fixture(scope="module")
def debs(engine: object, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build("debian-12", tmp_path_factory.mktemp("scriptlets"))


@pytest.fixture
def box(engine: object, base_images: Callable[[str], str], tmp_path: Path) -> Iterator[object]:
    from specport.container.runs import Throwaway

    image = base_images("debian-12")  # bootstrapped when a fresh engine lacks it
    with Throwaway(engine, image, log_path=tmp_path / "install.log", purpose="test-install") as b:  # type: ignore[arg-type]
        yield b


def _deb(debs: Path, name: str) -> Path:
    (deb,) = debs.glob(f"{name}_*.deb")
    return deb


def test_the_package_carries_what_rpm_would_have_put_in_it(debs: Path) -> None:
    deb = _deb(debs, "sp-fedora")
    listing = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True).stdout
    # %license NTS/LICENSE after %install did `cd NTS`: taken from the build directory
    assert "./usr/share/doc/sp-fedora/LICENSE" in listing
    assert "./usr/share/doc/sp-fedora/README" in listing
    # %attr(0755,...) is in the archive, not a chmod in postinst; the other file keeps 0644
    assert any(
        line.startswith("-rwxr-xr-x") and "tool-one" in line for line in listing.splitlines()
    )
    assert any(
        line.startswith("-rw-r--r--") and "tool-two" in line for line in listing.splitlines()
    )
    # %verify(...) %config(noreplace,missingok): shipped as a conffile (debbuild skipped it)
    assert "./etc/sp-fedora.conf" in listing
    # %ghost: owned by rpm, never shipped
    assert "ghost.db" not in listing
    meta = subprocess.run(
        ["dpkg-deb", "-I", str(deb), "triggers", "conffiles", "postinst"],
        capture_output=True, text=True,
    ).stdout  # fmt: skip
    assert "interest-noawait /usr/share/doc/sp-watched" in meta
    assert "/etc/sp-fedora.conf" in meta
    assert meta.count("#!/bin/bash") == 1  # rpm's scriptlets are bash's on Fedora
    assert "chown" not in meta and "chmod" not in meta


def test_triggers_posttrans_counts_alternatives_and_ghost_in_dpkg(debs: Path, box) -> None:  # type: ignore[no-untyped-def]
    for name in ("sp-fedora", "sp-watched"):
        box.copy_in(_deb(debs, name), "/tmp/debs")
    box.run("dpkg -i /tmp/debs/sp-fedora_*.deb", timeout=300)
    # %post with `[ $1 -eq 1 ]` saw rpm's count; %posttrans ran after it; sp-watched is absent
    assert box.run(f"cat {LOG}", timeout=30).output.strip().splitlines()[:2] == [
        "post 1",
        "posttrans 1",
    ]
    alt = box.run("update-alternatives --query sp-fedora-tool", timeout=30).output
    assert "Value: /usr/libexec/sp-fedora/tool-one" in alt
    assert box.run("sp-fedora-tool", timeout=30).output.strip() == "sp-fedora-one"
    # installing the watched package fires %triggerin ($1 = 1 sp-fedora, $2 = 1 sp-watched)
    box.run("dpkg -i /tmp/debs/sp-watched_*.deb", timeout=300)
    assert box.run(f"tail -n 1 {LOG}", timeout=30).output.strip() == "triggerin 1 1"
    # removing it fires %triggerun with $2 = 0
    box.run("dpkg -r sp-watched", timeout=300)
    assert box.run(f"tail -n 1 {LOG}", timeout=30).output.strip() == "triggerun 1 0"
    # sp-watched back, then sp-fedora reinstalled: rpm runs %triggerin at the watcher's install
    box.run("dpkg -i /tmp/debs/sp-watched_*.deb", timeout=300)
    box.run("dpkg -i /tmp/debs/sp-fedora_*.deb", timeout=300)
    log = box.run(f"cat {LOG}", timeout=30).output.strip().splitlines()
    assert "preun 1" in log  # the old one's prerm upgrade: rpm's count 1
    assert log[-3:] == ["post 2", "triggerin 2 1", "posttrans 2"], log
    # the %ghost file %post made is not in dpkg's list, and goes on removal, as rpm's would
    assert box.run("test -f /var/lib/sp-fedora/ghost.db", timeout=30, check=False).exit_code == 0
    assert "ghost.db" not in box.run("dpkg -L sp-fedora", timeout=30).output
    box.run("dpkg -r sp-fedora", timeout=300)
    log = box.run(f"cat {LOG}", timeout=30).output.strip().splitlines()
    assert log[-2:] == ["preun 0", "triggerun 0 1"], log
    assert box.run("test -e /var/lib/sp-fedora/ghost.db", timeout=30, check=False).exit_code == 1
    gone = box.run("update-alternatives --query sp-fedora-tool", timeout=30, check=False)
    assert gone.exit_code != 0


def test_ubuntu_20_04_builds_with_bash_and_installs(engine: object, tmp_path: Path) -> None:
    """Ubuntu 20.04's /bin/sh is dash as well; its dpkg (1.19) reads the triggers file."""
    from specport.container.runs import Throwaway

    debs = _build("ubuntu-20.04", tmp_path / "out")
    image = load_config().targets["ubuntu-20.04"].image
    with Throwaway(engine, image, log_path=tmp_path / "install.log", purpose="test-install") as b:  # type: ignore[arg-type]
        for name in ("sp-fedora", "sp-watched"):
            b.copy_in(_deb(debs, name), "/tmp/debs")
        b.run("dpkg -i /tmp/debs/sp-fedora_*.deb", timeout=300)
        b.run("dpkg -i /tmp/debs/sp-watched_*.deb", timeout=300)
        log = b.run(f"cat {LOG}", timeout=30).output.strip().splitlines()
        assert log == ["post 1", "posttrans 1", "triggerin 1 1"], log
        # Ubuntu's image leaves out /usr/share/doc but for copyright files: still there
        assert b.run("test -f /usr/share/doc/sp-fedora/copyright", timeout=30).exit_code == 0


def test_php_extension_sees_fedora_php_config_defines(engine: object, tmp_path: Path) -> None:
    """sp-phpext's C source stops at `#if !HAVE_MBSTRING`: Debian's php_config.h leaves it
    undefined, the PHP shim's CPPFLAGS give it as Fedora's php_config.h does."""
    (deb,) = _build("debian-12", tmp_path / "out", ("sp-phpext",)).glob("sp-phpext_*.deb")
    listing = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True).stdout
    assert "/usr/lib/php/20220829/spext.so" in listing


def test_a_spec_that_builds_zts_always_builds_installs_and_loads(box, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """sp-phpzts builds NTS and ZTS copies with no switch (Fedora 17's layout): the ZTS steps
    are dropped for debian-12, which has no ZTS PHP; the NTS extension loads."""
    (deb,) = _build("debian-12", tmp_path / "out", ("sp-phpzts",)).glob("sp-phpzts_*.deb")
    listing = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True).stdout
    assert "/usr/lib/php/20220829/spzts.so" in listing
    assert "./etc/php/8.2/mods-available/spzts.ini" in listing
    assert "zts" not in listing.replace("sp-phpzts", "").replace("spzts", "")
    box.copy_in(deb, "/tmp/debs")
    box.run("apt-get update -q", timeout=600)
    box.run("apt-get install -y -q php8.2-cli /tmp/debs/sp-phpzts_*.deb", timeout=900)
    assert "spzts" in box.run("php -m", timeout=60).output.split()
