"""The whole pipeline through the CLI, as a packager runs it: the example PECL specs built with
the real debbuild, published into a signed APT repository, and installed from there into the
bundled php-base and php-app images (promoted as tags in the local engine, no registry), where
`php -m` must list the extensions and PHP must use them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from appimages_flow import images_tree, specport
from test_repo_support import bridge_gateway, engine_or_skip, serve

pytestmark = pytest.mark.container

ROOT = Path(__file__).resolve().parent.parent
SPECS = [ROOT / "specs" / "php-pecl-igbinary.spec", ROOT / "specs" / "php-pecl-yaml.spec"]


def test_build_publish_and_install_into_the_example_images(
    example_lookaside: Path, tmp_path: Path
) -> None:
    engine = engine_or_skip()
    keys = tmp_path / "keys"
    made, _ = specport("keys", "generate", "--out", keys, "--name", "e2e")
    assert made.returncode == 0, made.stderr
    secret = keys / "e2e.secret.asc"

    repo = tmp_path / "srv" / "repo"
    built, _ = specport(
        "build", "--target", "debian-12", "--lookaside", example_lookaside,
        "-o", tmp_path / "dist", "--publish", repo, "--key-file", secret, *SPECS,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-3000:]
    packages = repo / "apt" / "dists" / "bookworm" / "main" / "binary-amd64" / "Packages"
    assert "Package: php-pecl-yaml" in packages.read_text()
    # the secret key went nowhere near the repository
    assert not any(b"PRIVATE KEY" in p.read_bytes() for p in repo.rglob("*") if p.is_file())

    tree = images_tree(tmp_path / "images", "-e2e")
    with serve(tmp_path / "srv", bridge_gateway(engine)) as url:
        env = {
            "SPECPORT_REPO_URL": f"{url}/repo",
            "SPECPORT_REPO_DIR": str(repo),
            "SPECPORT_REPO_KEY": str(keys / "e2e.public.asc"),
            "SPECPORT_IMAGES_STATE": str(tmp_path / "state"),
            "SPECPORT_IMAGES_REGISTRY": "",
        }
        image, _ = specport(
            "images", "build", "--images", tree, "--target", "debian-12", "php-app-e2e", env=env
        )
    assert image.returncode == 0, image.stderr[-3000:]
    assert "php-base-e2e\tdebian-12\tpromoted" in image.stdout
    assert "php-app-e2e\tdebian-12\tpromoted" in image.stdout
    record = json.loads(
        (tmp_path / "state" / "php-app-e2e" / "debian-12" / "current.json").read_text()
    )
    assert record["tests"] == "passed"  # php -m listed yaml and igbinary, the page answered
    held = {p["name"] for p in record["manifest"]}
    assert {"php-pecl-yaml", "php-pecl-igbinary"} <= held

    run, _ = specport(
        "builders", "run", "specport-images/php-app:debian-12", "--no-network", "--",
        "php", "-r", 'echo yaml_parse("answer: 42")["answer"];',
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().endswith("42")
