"""The pieces of a CI job that need no engine: which host packages are missing (dpkg, for
real), keys from CI secrets, registry names and image references."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from specport.ci import hostsetup
from specport.ci.secrets import key_file
from specport.container.transfer import split_ref
from specport.errors import ConfigError, UsageError
from specport.images.registry import registry_name, remote_ref
from specport.targets.loader import load_targets

ROOT = Path(__file__).parent.parent
KEY = "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nxyz\n-----END PGP PRIVATE KEY BLOCK-----\n"


def test_setup_sh_installs_the_same_list() -> None:
    script = 'source tools/setup.sh; printf "%s\\n" "${APT_PACKAGES[@]}"'
    done = subprocess.run(
        ["bash", "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    listed = done.stdout.split()
    wanted = hostsetup.host_packages()
    assert {"python3-rpm", "python3-solv", "mmdebstrap", "createrepo-c", "gnupg"} <= set(wanted)
    assert listed[: len(wanted)] == wanted


def test_missing_asks_dpkg() -> None:
    assert hostsetup.missing(["dpkg", "specport-no-such-package"]) == ["specport-no-such-package"]
    assert hostsetup.missing(["dpkg", "coreutils"]) == []


def test_a_key_from_a_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SP_KEY", raising=False)
    with key_file("SP_KEY") as none:
        assert none is None
    monkeypatch.setenv("SP_KEY", KEY)
    with key_file("SP_KEY") as path:
        assert path is not None and path.read_text() == KEY
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        kept = path
    assert not kept.exists()  # the text's file goes with the job
    given = tmp_path / "key.asc"
    given.write_text(KEY)
    monkeypatch.setenv("SP_KEY", str(given))  # GitLab's File variables: a path
    with key_file("SP_KEY") as path:
        assert path == given.resolve()
    assert given.exists()
    for bad in (str(tmp_path / "nope.asc"), "not a key\nat all"):
        monkeypatch.setenv("SP_KEY", bad)
        with pytest.raises(UsageError), key_file("SP_KEY"):
            pass


def test_registry_names_and_references() -> None:
    assert registry_name("reg.example/Owner/Repo/specport/") == "reg.example/owner/repo/specport"
    assert registry_name("127.0.0.1:5000/specport") == "127.0.0.1:5000/specport"
    for bad in (
        "https://reg.example/x",
        "reg.example",
        "reg.example/x:tag",
        "reg.example/x@sha256:00",
        "",
    ):
        with pytest.raises(ConfigError):
            registry_name(bad)
    target = load_targets().get("debian-12")
    assert target is not None
    ref = remote_ref("127.0.0.1:5000/sp", "builder", target, "ab" * 32)
    assert ref == f"127.0.0.1:5000/sp/builder:debian-12-{'ab' * 32}"
    assert split_ref(ref) == ("127.0.0.1:5000/sp/builder", f"debian-12-{'ab' * 32}")
    assert split_ref("127.0.0.1:5000/sp/builder") == ("127.0.0.1:5000/sp/builder", "latest")
    assert split_ref("debian:bookworm") == ("debian", "bookworm")
