"""`specport keys generate`: make a repository signing key."""

from __future__ import annotations

from pathlib import Path

import click

from specport import log
from specport.gpg import ALGORITHMS, generate_key, passphrase_from_env


def register(group: click.Group) -> None:
    group.add_command(keys)


@click.group()
def keys() -> None:
    """Repository signing keys."""


@keys.command("generate")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for NAME.public.asc and NAME.secret.asc.",
)
@click.option("--name", default="specport repository", show_default=True, help="Key user name.")
@click.option("--email", default="repo@localhost", show_default=True, help="Key e-mail address.")
@click.option(
    "--algorithm",
    type=click.Choice(ALGORITHMS),
    default=ALGORITHMS[0],
    show_default=True,
    help="rsa4096 for EL8-era rpm; ed25519 for newer consumers only.",
)
@click.option(
    "--passphrase-env",
    metavar="NAME",
    default=None,
    help="Protect the key with the passphrase in this environment variable (default: none).",
)
def generate(
    out_dir: Path, name: str, email: str, algorithm: str, passphrase_env: str | None
) -> None:
    """Make a signing-only key; the secret key file is mode 600 and never enters a repository."""
    made = generate_key(
        out_dir,
        name=name,
        email=email,
        algorithm=algorithm,
        passphrase=passphrase_from_env(passphrase_env),
    )
    log.out_console.print(made.fingerprint, markup=False)
    log.info(f"public key: {made.public_path}")
    log.info(f"secret key: {made.secret_path} (keep it out of images and repositories)")
    log.info(f"sign with: specport publish --key-file {made.secret_path} ...")
