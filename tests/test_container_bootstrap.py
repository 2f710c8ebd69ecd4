"""Bootstrap planning without running mmdebstrap: host apt sources, mirrors, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from specport.config import Settings, load_config
from specport.errors import EngineError, UsageError
from specport.images.bootstrap import can_bootstrap, plan_bootstrap
from specport.index.aptsources import AptSource, debian_mirrors, host_apt_sources, mirror_lines

ONE_LINE = """\
# a comment
deb http://mirror.example/debian bookworm main contrib
deb [arch=amd64 signed-by=/k.gpg] http://mirror.example/debian bookworm-updates main
deb-src http://mirror.example/debian bookworm main
deb https://download.example/linux/debian bookworm stable
"""
DEB822 = """\
Types: deb
URIs: http://local.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://local.example/debian-security
Suites: bookworm-security
Components: main

Types: deb
Enabled: no
URIs: http://off.example/debian
Suites: bookworm
Components: main
"""


def _targets():  # type: ignore[no-untyped-def]
    return load_config(None).targets


def test_parses_both_source_formats(tmp_path: Path) -> None:
    (tmp_path / "sources.list").write_text(ONE_LINE)
    parts = tmp_path / "sources.list.d"
    parts.mkdir()
    (parts / "debian.sources").write_text(DEB822)
    (parts / "ignored.list.disabled").write_text("deb http://nope.example/debian sid main\n")
    sources = host_apt_sources((tmp_path / "sources.list", parts))
    assert AptSource("http://mirror.example/debian", "bookworm", ("main", "contrib")) in sources
    assert AptSource("http://mirror.example/debian", "bookworm-updates", ("main",)) in sources
    assert AptSource("http://local.example/debian-security", "bookworm-security", ("main",)) in (
        sources
    )
    assert not any("nope" in s.uri or "off" in s.uri for s in sources)
    assert len(sources) == 6  # no deb-src, no disabled stanza or file


def test_debian_mirrors_come_from_the_host() -> None:
    sources = [
        AptSource("https://download.example/linux/debian", "bookworm", ("stable",)),
        AptSource("http://local.example/debian", "bookworm", ("main",)),
        AptSource("http://local.example/debian-security", "bookworm-security", ("main",)),
    ]
    lines = mirror_lines(_targets()["debian-12"], sources)
    assert lines == [
        "deb http://local.example/debian bookworm main",
        "deb http://local.example/debian bookworm-updates main",
        "deb http://local.example/debian-security bookworm-security main",
    ]
    # debian-11 asks for no security pocket (target data: apt_pockets)
    assert [ln.split()[2] for ln in mirror_lines(_targets()["debian-11"], sources)] == [
        "bullseye",
        "bullseye-updates",
    ]
    assert mirror_lines(_targets()["ubuntu-20.04"], sources) == []  # mmdebstrap's own default
    # a host without Debian sources (an Ubuntu CI runner): mmdebstrap's default Debian mirror
    ubuntu_host = [AptSource("http://x.example/ubuntu", "noble", ("main",))]
    assert mirror_lines(_targets()["debian-12"], ubuntu_host) == []
    with pytest.raises(EngineError, match="Debian mirror"):
        debian_mirrors(ubuntu_host)


def test_an_ubuntu_host_bootstraps_with_its_keyrings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from specport.images import bootstrap
    from specport.index import aptsources

    debian_key, ubuntu_key = tmp_path / "debian.gpg", tmp_path / "ubuntu.gpg"
    debian_key.write_bytes(b"debian keys")
    ubuntu_key.write_bytes(b"ubuntu keys")
    monkeypatch.setattr(aptsources, "DEBIAN_KEYRING", debian_key)
    monkeypatch.setattr(aptsources, "HOST_UBUNTU_KEYRING", ubuntu_key)
    noble = [AptSource("http://archive.example/ubuntu", "noble", ("main", "universe"))]
    monkeypatch.setattr(bootstrap, "host_apt_sources", lambda: noble)
    settings = Settings(cache_dir=str(tmp_path / "cache"))
    targets = _targets()
    bookworm = plan_bootstrap(targets["debian-12"], settings, tmp_path / "log")
    assert f"--keyring={debian_key}" in bookworm.argv and bookworm.inputs["mirrors"] == []
    jammy = plan_bootstrap(targets["ubuntu-22.04"], settings, tmp_path / "log")
    assert f"--keyring={ubuntu_key}" in jammy.argv  # no download from a Debian mirror
    assert not (tmp_path / "cache" / "keyrings").exists()
    debian_key.unlink()
    with pytest.raises(EngineError, match="debian-archive-keyring"):
        plan_bootstrap(targets["debian-12"], settings, tmp_path / "log")


def test_el_targets_cannot_be_bootstrapped(tmp_path: Path) -> None:
    target = _targets()["el8-php7.4"]
    assert not can_bootstrap(target)
    with pytest.raises(UsageError, match=r"el8-php7\.4: its base image ubi8/ubi:8\.10 cannot"):
        plan_bootstrap(target, Settings(cache_dir=str(tmp_path)), tmp_path / "log")


def test_plan_is_keyed_by_its_inputs(tmp_path: Path) -> None:
    targets = _targets()
    settings = Settings(cache_dir=str(tmp_path))
    bookworm = plan_bootstrap(targets["debian-12"], settings, tmp_path / "log")
    bullseye = plan_bootstrap(targets["debian-11"], settings, tmp_path / "log")
    assert bookworm.hash != bullseye.hash
    assert bookworm.hash == plan_bootstrap(targets["debian-12"], settings, tmp_path / "l").hash
    assert bookworm.image == "debian:bookworm"
    assert "--include=apt,ca-certificates" in bookworm.argv
    assert bookworm.argv[-1] == "bookworm"


def test_keyring_is_handed_to_mmdebstrap_readable_by_apt(tmp_path: Path) -> None:
    from specport.images.bootstrap import _readable_keyring

    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    key = private / "ubuntu-archive-keyring.gpg"
    key.write_bytes(b"key material")
    key.chmod(0o600)
    where = tmp_path / "copy"
    where.mkdir(mode=0o700)
    argv = _readable_keyring(["mmdebstrap", f"--keyring={key}", "noble"], where)
    copy = Path(argv[1].removeprefix("--keyring="))
    assert argv[0] == "mmdebstrap" and argv[2] == "noble"
    assert copy.read_bytes() == b"key material"
    assert copy.stat().st_mode & 0o004 and where.stat().st_mode & 0o005 == 0o005
