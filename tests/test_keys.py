"""`specport keys generate` and signing with a passphrase-protected key."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest
from test_repo_support import make_rpm

from specport.errors import ToolError, UsageError
from specport.gpg import generate_key, open_key, sign_detached, stop_agent
from specport.repo.rpmmd import sign_rpms


def test_generate_writes_a_public_key_and_a_private_secret_key(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "specport", "keys", "generate", "--out", tmp_path,
         "--name", "Acme Repo", "--algorithm", "ed25519"],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    fingerprint = proc.stdout.strip()
    public, secret = tmp_path / "acme-repo.public.asc", tmp_path / "acme-repo.secret.asc"
    assert public.read_text().startswith("-----BEGIN PGP PUBLIC KEY BLOCK-----")
    assert "PRIVATE" not in public.read_text()
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    shown = subprocess.run(
        ["gpg", "--batch", "--with-colons", "--show-keys", public],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert f"fpr:::::::::{fingerprint}:" in shown
    assert ":22:" in shown.splitlines()[0] or ":ed25519:" in shown  # EdDSA (algo 22)
    assert "Acme Repo <repo@localhost>" in shown
    again = subprocess.run(
        [sys.executable, "-m", "specport", "keys", "generate", "--out", tmp_path,
         "--name", "Acme Repo"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert again.returncode == 2 and "already exists" in again.stderr


def test_a_passphrase_protected_key_signs_files_and_rpms(tmp_path: Path) -> None:
    made = generate_key(
        tmp_path, name="locked", email="l@localhost", algorithm="ed25519", passphrase="s3cret"
    )
    data = tmp_path / "data"
    data.write_text("payload\n")
    rpm_file = make_rpm(tmp_path, "locked")
    with open_key(key_file=made.secret_path, passphrase="s3cret") as key:
        sign_detached(key, data, tmp_path / "data.asc")
        sign_rpms([rpm_file], key)
        home = key.home
    assert not home.exists()  # the temporary GnuPG home is gone with its agent
    try:
        _check_signatures(tmp_path, made.public_path, data)
    finally:
        stop_agent(tmp_path)
    info = subprocess.run(["rpm", "-qpi", rpm_file], capture_output=True, text=True).stdout
    assert f"Key ID {made.fingerprint[-16:].lower()}" in info
    with (
        pytest.raises(ToolError, match=r"gpg failed"),
        open_key(key_file=made.secret_path, passphrase="wrong") as key,
    ):
        sign_detached(key, data, tmp_path / "data2.asc")


def test_open_key_needs_a_source() -> None:
    with pytest.raises(UsageError, match="no signing key"), open_key():
        pass


def _check_signatures(home: Path, public: Path, data: Path) -> None:
    verify = subprocess.run(
        ["gpg", "--batch", "--homedir", home, "--import", public],
        capture_output=True,
    )  # fmt: skip
    assert verify.returncode == 0
    ok = subprocess.run(
        ["gpg", "--batch", "--homedir", home, "--verify", data.with_name("data.asc"), data],
        capture_output=True,
    )  # fmt: skip
    assert ok.returncode == 0
