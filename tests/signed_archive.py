"""A one-suite APT archive signed here, for index and solver tests (no network, real gpgv)."""

from __future__ import annotations

import gzip
import hashlib
import lzma
from pathlib import Path

from specport.gpg import SigningKey, _secret_fingerprint, clearsign, gpg, private_home

DATA = Path(__file__).parent / "data" / "index"


def fixture_parts(name: str) -> dict[str, str]:
    """The "#### Packages" / "#### Sources" / "#### Contents" parts of tests/data/index/NAME."""
    text = (DATA / name).read_text(encoding="utf-8")
    return dict(p.split("\n", 1) for p in text.split("#### ")[1:])


def make_archive(root: Path, parts: dict[str, str], release_extra: str = "") -> Path:
    """Write dists/bookworm of `parts` under root, signed by a new key; return its keyring.

    `release_extra` is added to the Release fields (Date:, Valid-Until: ...)."""
    dists = root / "dists" / "bookworm"
    files = {
        "main/binary-amd64/Packages.xz": lzma.compress(parts["Packages"].encode()),
        "main/source/Sources.xz": lzma.compress(parts.get("Sources", "").encode()),
        "main/Contents-amd64.gz": gzip.compress(parts.get("Contents", "").encode()),
    }
    lines = []
    for rel, data in files.items():
        (dists / rel).parent.mkdir(parents=True, exist_ok=True)
        (dists / rel).write_bytes(data)
        lines.append(f" {hashlib.sha256(data).hexdigest()} {len(data)} {rel}")
    release = f"Codename: bookworm\n{release_extra}Components: main\nSHA256:\n"
    (dists / "Release").write_text(release + "\n".join(lines) + "\n", encoding="utf-8")
    with private_home() as home:
        uid = "test <t@example.invalid>"
        gpg(home, "--pinentry-mode", "loopback", "--passphrase", "",
            "--quick-generate-key", uid, "ed25519", "sign", "never")  # fmt: skip
        key = SigningKey(home, _secret_fingerprint(home, None))
        clearsign(key, dists / "Release", dists / "InRelease")
        keyring = root / "keyring.gpg"
        keyring.write_bytes(key.gpg("--export", key.fingerprint))
    return keyring


def sign_detached(src: Path, dest: Path, keyring: Path) -> None:
    """An armored detached signature of src by a new key, whose public part goes to keyring."""
    from specport.gpg import sign_detached as sign

    with private_home() as home:
        uid = "test <t@example.invalid>"
        gpg(home, "--pinentry-mode", "loopback", "--passphrase", "",
            "--quick-generate-key", uid, "ed25519", "sign", "never")  # fmt: skip
        key = SigningKey(home, _secret_fingerprint(home, None))
        sign(key, src, dest)
        keyring.write_bytes(key.gpg("--armor", "--export", key.fingerprint))
