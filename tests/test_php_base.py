"""The php-base image for debian-12, built against a published repository, and an example app
that installs a PHP extension from that repository: the extension shows in `php -m`."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from test_repo_support import bridge_gateway, engine_or_skip, make_deb, serve, test_key

from specport.config import load_config
from specport.container.runs import Throwaway
from specport.gpg import open_key
from specport.images.php_base import php_base_image
from specport.images.phpapp import build_example_app, smoke_test
from specport.repo import PublishOptions, publish_files

pytestmark = pytest.mark.container

EXTENSION_PACKAGE = "php8.2-specport-bcmath"


def _extension_deb(engine, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """A PHP 8.2 extension .deb of our own: Debian's bcmath.so, packaged under another name."""
    with Throwaway(
        engine, "debian:bookworm", log_path=tmp_path / "ext.log", purpose="php-ext"
    ) as box:
        box.run("apt-get update -qq", timeout=300)
        box.run(
            "cd /tmp && apt-get download php8.2-bcmath && dpkg-deb -x php8.2-bcmath_*.deb x",
            timeout=300,
        )
        so = box.copy_out("/tmp/x/usr/lib/php/20220829/bcmath.so", tmp_path)
    ini = b"extension=bcmath.so\n"
    return make_deb(
        tmp_path,
        EXTENSION_PACKAGE,
        "1.0-1+deb12",
        arch="amd64",
        depends="phpapi-20220829, php8.2-common",
        files={
            "usr/lib/php/20220829/bcmath.so": so.read_bytes(),
            "etc/php/8.2/cli/conf.d/20-specport-bcmath.ini": ini,
            "etc/php/8.2/fpm/conf.d/20-specport-bcmath.ini": ini,
        },
    )


def test_php_base_debian_12_app_loads_an_extension_from_the_repository(tmp_path: Path) -> None:
    engine = engine_or_skip()
    config = load_config()
    target = config.targets["debian-12"]
    deb = _extension_deb(engine, tmp_path)
    with serve(tmp_path, bridge_gateway(engine)) as url:
        repo = tmp_path / "repo"
        with open_key(key_file=test_key().secret_path) as key:
            publish_files(repo, [deb], [target], key, PublishOptions(base_url=f"{url}/repo"))
        settings = dataclasses.replace(
            config.settings, repo_url=f"{url}/repo", repo_key=str(repo / "keys" / "specport.asc")
        )
        app = build_example_app(engine, target, settings, [EXTENSION_PACKAGE])
    assert smoke_test(engine, app, target, [EXTENSION_PACKAGE]) == ["bcmath"]
    with Throwaway(
        engine, php_base_image(target), log_path=tmp_path / "base.log", purpose="php-base-check"
    ) as box:
        assert "bcmath" not in box.run(["php", "-m"], timeout=60).output  # it came from the repo
        assert box.run(["id", "-u"], timeout=30).output.strip() == "1001"
        assert "php-fpm8.2" in box.run(["sh", "-c", "command -v php-fpm8.2"], timeout=30).output
        sources = box.run(["cat", "/etc/apt/sources.list.d/specport.sources"], timeout=30).output
        assert f"URIs: {url}/repo/apt" in sources and "Signed-By: /etc/apt/keyrings" in sources
        # only the public key went in
        found = box.run(
            "grep -rl 'PRIVATE KEY' /etc /opt /usr/share/keyrings || true", timeout=60, user="root"
        ).output
        assert found.strip() == ""
