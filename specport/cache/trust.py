"""Who the shared result cache trusts: an entry from the registry is used only when it carries
a detached OpenPGP signature, over its entry.json exactly as stored, by a key the user named.

The entry names every package and the log with its sha256, and every blob is checked against
its digest when downloaded, so one signature over entry.json covers everything a hit copies.

    shared_cache_key          a public key file (armored): pulled entries must verify with it
    shared_cache_signing_key  an armored secret key file: pushed entries are signed with it
                              (its passphrase, if any, in $SPECPORT_SHARED_CACHE_PASSPHRASE)

Without shared_cache_key nothing is pulled (a warning says so): the registry is written by
other machines, and an unverified entry would put their bytes into this build's output.
Without a signing key nothing is pushed: readers would refuse it anyway.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from specport.errors import SpecportError, ToolError
from specport.gpg import gpg, open_key, private_home, sign_detached

PASSPHRASE_ENV = "SPECPORT_SHARED_CACHE_PASSPHRASE"


@dataclass(frozen=True)
class Trust:
    verify_key: Path | None = None
    signing_key: Path | None = None

    def sign(self, data: bytes) -> bytes:
        """An armored detached signature of data with the signing key."""
        if self.signing_key is None:
            raise ValueError("no signing key")
        passphrase = os.environ.get(PASSPHRASE_ENV)
        with (
            open_key(key_file=self.signing_key, passphrase=passphrase) as key,
            tempfile.TemporaryDirectory(prefix="specport-sign-") as tmp,
        ):
            src, dest = Path(tmp) / "entry.json", Path(tmp) / "entry.json.asc"
            src.write_bytes(data)
            sign_detached(key, src, dest)
            return dest.read_bytes()

    def verify(self, data: bytes, signature: bytes) -> bool:
        """Does `signature` verify `data` with a key of verify_key's file (and no other)?"""
        if self.verify_key is None or not signature:
            return False
        with private_home() as home:
            try:
                gpg(home, "--import", self.verify_key)
            except SpecportError:
                return False
            (home / "data").write_bytes(data)
            (home / "data.asc").write_bytes(signature)
            try:
                status = gpg(
                    home, "--status-fd", "1", "--verify", home / "data.asc", home / "data"
                ).decode("utf-8", "replace")
            except ToolError:
                return False
        return any(line.startswith("[GNUPG:] VALIDSIG ") for line in status.splitlines())
