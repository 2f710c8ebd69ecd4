"""The whole pipeline through the CLI, as a packager runs it: the main job's spec built with the
real debbuild, published into a signed APT repository, and installed from there into the PHP
base image's example app, where `php -m` must list the extension and PHP must use it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_repo_support import bridge_gateway, engine_or_skip, serve

pytestmark = pytest.mark.container

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "specs" / "php-pecl-yaml.spec"


def specport(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "specport", *args],
        capture_output=True,
        text=True,
        timeout=3600,
        env={**os.environ, **(env or {})},
    )


def test_build_publish_and_install_into_php_base(example_lookaside: Path, tmp_path: Path) -> None:
    engine = engine_or_skip()
    lookaside = example_lookaside
    keys = tmp_path / "keys"
    made = specport("keys", "generate", "--out", str(keys), "--name", "e2e")
    assert made.returncode == 0, made.stderr
    secret = keys / "e2e.secret.asc"

    repo = tmp_path / "srv" / "repo"
    built = specport(
        "build", "--target", "debian-12", "--lookaside", str(lookaside),
        "-o", str(tmp_path / "dist"), "--publish", str(repo), "--key-file", str(secret),
        str(SPEC),
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-3000:]
    packages = repo / "apt" / "dists" / "bookworm" / "main" / "binary-amd64" / "Packages"
    assert "Package: php-pecl-yaml" in packages.read_text()
    # the secret key went nowhere near the repository
    assert not any(b"PRIVATE KEY" in p.read_bytes() for p in repo.rglob("*") if p.is_file())

    with serve(tmp_path / "srv", bridge_gateway(engine)) as url:
        env = {
            "SPECPORT_REPO_URL": f"{url}/repo",
            "SPECPORT_REPO_KEY": str(keys / "e2e.public.asc"),
        }
        image = specport(
            "builders", "build", "php-base", "--target", "debian-12", "--install", "php-pecl-yaml",
            env=env,
        )  # fmt: skip
    assert image.returncode == 0, image.stderr[-3000:]
    assert "php -m lists yaml" in image.stdout

    run = specport(
        "builders", "run", "specport/php-example-app:debian-12", "--no-network", "--",
        "php", "-r", 'echo yaml_parse("answer: 42")["answer"];',
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().endswith("42")
