"""GnuPG: the repository signing key, and every gpg command line specport runs.

A key comes from a GnuPG home (--gpg-home, --key-id) or an armored secret key file, imported
into a private GNUPGHOME that is deleted (and its agent stopped) when publishing ends. Only the
public key is ever exported; secret material stays in the GnuPG home.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from specport.errors import PublishError, ToolError, UsageError
from specport.run import run

GPG_TIMEOUT = 120.0  # rsa4096 generation on a slow CI machine takes a while
ALGORITHMS = ("rsa4096", "ed25519")  # rsa4096 by default: rpm 4.14 (EL8) verifies it for sure


@dataclass(frozen=True)
class SigningKey:
    home: Path  # GNUPGHOME that holds the secret key
    fingerprint: str
    passphrase: str | None = None  # None: the key is not protected

    def gpg(self, *args: str | Path, input_bytes: bytes | None = None) -> bytes:
        return gpg(self.home, *args, passphrase=self.passphrase, input_bytes=input_bytes)


def gpg(
    home: Path,
    *args: str | Path,
    passphrase: str | None = None,
    input_bytes: bytes | None = None,
) -> bytes:
    """Run gpg on `home` without a tty; a passphrase goes in on stdin, never on the command line."""
    argv: list[str | Path] = ["gpg", "--batch", "--no-tty", "--quiet", "--homedir", home]
    if passphrase is not None:
        if input_bytes is not None:
            raise ValueError("gpg: passphrase and input both want stdin")
        argv += ["--pinentry-mode", "loopback", "--passphrase-fd", "0"]
        input_bytes = passphrase.encode() + b"\n"
    env = {**os.environ, "GNUPGHOME": str(home)}
    return run([*argv, *args], timeout=GPG_TIMEOUT, env=env, input_bytes=input_bytes).stdout


@contextmanager
def private_home() -> Iterator[Path]:
    """A throwaway GNUPGHOME; short path so the agent socket fits, agent stopped on exit."""
    home = Path(tempfile.mkdtemp(prefix="specport-gpg-"))
    home.chmod(0o700)
    try:
        yield home
    finally:
        stop_agent(home)
        shutil.rmtree(home, ignore_errors=True)


def stop_agent(home: Path) -> None:
    with contextlib.suppress(ToolError):  # no agent was running: nothing to stop
        run(["gpgconf", "--homedir", home, "--kill", "all"], timeout=30)


def passphrase_from_env(name: str | None) -> str | None:
    if not name:
        return None
    value = os.environ.get(name)
    if value is None:
        raise UsageError(f"${name} is not set (it should hold the key's passphrase)")
    return value


@contextmanager
def open_key(
    *,
    key_file: Path | None = None,
    gpg_home: Path | None = None,
    key_id: str | None = None,
    passphrase: str | None = None,
) -> Iterator[SigningKey]:
    """The signing key from a secret key file, or from a GnuPG home (and key id)."""
    if key_file is not None:
        if not key_file.is_file():
            raise UsageError(f"key file {key_file} does not exist")
        with private_home() as home:
            gpg(home, "--import", key_file, passphrase=passphrase)
            yield SigningKey(home, _secret_fingerprint(home, key_id), passphrase)
        return
    if gpg_home is None:
        raise UsageError(
            "no signing key", hint="give --key-file FILE, or --gpg-home DIR with --key-id ID"
        )
    if not gpg_home.is_dir():
        raise UsageError(f"GnuPG home {gpg_home} does not exist")
    yield SigningKey(gpg_home, _secret_fingerprint(gpg_home, key_id), passphrase)


@dataclass(frozen=True)
class KeyChoice:
    """Which signing key to open, as the command line names it (--key-file, --gpg-home,
    --key-id, --passphrase-env); opened only when something is signed."""

    key_file: Path | None = None
    gpg_home: Path | None = None
    key_id: str | None = None
    passphrase_env: str | None = None

    def open(self) -> contextlib.AbstractContextManager[SigningKey]:
        passphrase = passphrase_from_env(self.passphrase_env)
        return open_key(
            key_file=self.key_file,
            gpg_home=self.gpg_home,
            key_id=self.key_id,
            passphrase=passphrase,
        )


def _secret_fingerprint(home: Path, key_id: str | None) -> str:
    listing = gpg(home, "--with-colons", "--list-secret-keys", *([key_id] if key_id else []))
    fingerprints = _primary_fingerprints(listing.decode())
    if not fingerprints:
        raise PublishError(f"no secret key {key_id or ''} in {home}".replace("  ", " "))
    if len(fingerprints) > 1 and key_id is None:
        raise UsageError(f"{home} holds {len(fingerprints)} secret keys; choose one with --key-id")
    return fingerprints[0]


def _primary_fingerprints(colons: str) -> list[str]:
    # the fpr record right after a sec record belongs to the primary key
    found: list[str] = []
    after_sec = False
    for line in colons.splitlines():
        fields = line.split(":")
        if fields[0] == "sec":
            after_sec = True
        elif fields[0] == "fpr" and after_sec:
            found.append(fields[9])
            after_sec = False
    return found


def export_public(key: SigningKey) -> bytes:
    return key.gpg("--armor", "--export-options", "export-minimal", "--export", key.fingerprint)


def sign_detached(key: SigningKey, src: Path, dest: Path) -> None:
    """An armored detached signature (repomd.xml.asc, Release.gpg)."""
    key.gpg(
        "--yes", "--armor", "--digest-algo", "SHA512", "--local-user", key.fingerprint,
        "--output", dest, "--detach-sign", src,
    )  # fmt: skip


def clearsign(key: SigningKey, src: Path, dest: Path) -> None:
    """A cleartext-signed copy (InRelease)."""
    key.gpg(
        "--yes", "--digest-algo", "SHA512", "--local-user", key.fingerprint,
        "--output", dest, "--clearsign", src,
    )  # fmt: skip


@dataclass(frozen=True)
class GeneratedKey:
    fingerprint: str
    public_path: Path
    secret_path: Path


def generate_key(
    out_dir: Path, *, name: str, email: str, algorithm: str, passphrase: str | None
) -> GeneratedKey:
    """A new signing-only repository key; writes NAME.public.asc and NAME.secret.asc (mode 600)."""
    if algorithm not in ALGORITHMS:
        raise UsageError(f"unknown key algorithm {algorithm!r} (choose {', '.join(ALGORITHMS)})")
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-").lower() or "repository"
    public_path, secret_path = out_dir / f"{slug}.public.asc", out_dir / f"{slug}.secret.asc"
    for path in (public_path, secret_path):
        if os.path.lexists(path):  # a dangling link too: it would be followed
            raise UsageError(f"{path} already exists; not overwriting a key")
    out_dir.mkdir(parents=True, exist_ok=True)
    with private_home() as home:
        user_id = f"{name} <{email}>"
        if passphrase is None:
            # an empty passphrase, given in batch mode, makes an unprotected key
            gpg(home, "--pinentry-mode", "loopback", "--passphrase", "",
                "--quick-generate-key", user_id, algorithm, "sign", "never")  # fmt: skip
        else:
            gpg(home, "--quick-generate-key", user_id, algorithm, "sign", "never",
                passphrase=passphrase)  # fmt: skip
        key = SigningKey(home, _secret_fingerprint(home, None), passphrase)
        public = export_public(key)
        secret = key.gpg("--armor", "--export-secret-keys", key.fingerprint)
    for path, data, mode in ((public_path, public, 0o644), (secret_path, secret, 0o600)):
        # O_EXCL|O_NOFOLLOW: a file or link that appeared meanwhile is an error, not a target
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    return GeneratedKey(key.fingerprint, public_path, secret_path)
