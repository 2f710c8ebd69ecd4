"""Builder image definitions without an engine: templates, vendored tarballs, input hashes."""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
from pathlib import Path

import pytest

from specport.config import Settings, load_config
from specport.errors import SourceError
from specport.images import builder, vendor
from specport.images import kinds as images

VENDOR = Path(__file__).resolve().parents[1] / "vendor"


def _settings(tmp_path: Path) -> Settings:
    # no debbuild_source: the vendored archives are the default
    return Settings(cache_dir=str(tmp_path / "cache"))


def test_deb_builder_context(tmp_path: Path) -> None:
    target = load_config(None).targets["ubuntu-20.04"]
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    context = builder.prepare_builder(target, _settings(tmp_path), "ubuntu:20.04", ctx)
    text = context.containerfile
    assert text.splitlines()[4] == "FROM ubuntu:20.04"
    assert text.count("apt-get install") == 1
    assert "php7.4-dev" in text and "build-essential" in text and "liblocale-gettext-perl" in text
    assert "VERSION=24.12.0" in text and "debbuild-macros-0.0.7" in text
    assert (ctx / "vendor" / "debbuild.tar.gz").is_file()
    assert context.inputs["vendor"]["debbuild"].startswith("b5d0d2b7")


def test_rpm_builder_enables_streams_first(tmp_path: Path) -> None:
    target = load_config(None).targets["el8-php7.4"]
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    text = builder.prepare_builder(target, Settings(), "ubi8/ubi:8.10", ctx).containerfile
    enable = text.index("dnf -y -q module enable php:7.4")
    install = text.index("dnf -y -q install rpm-build dnf-plugins-core")
    assert enable < install
    assert "php-devel" in text and "FROM ubi8/ubi:8.10" in text


def test_inputs_change_with_any_input(tmp_path: Path) -> None:
    targets = load_config(None).targets
    settings = _settings(tmp_path)

    def digest(target, settings):  # type: ignore[no-untyped-def]
        ctx = Path(tmp_path / f"c{len(list(tmp_path.iterdir()))}")
        ctx.mkdir()
        return builder.prepare_builder(target, settings, "base:x", ctx).inputs

    base = digest(targets["debian-12"], settings)
    assert base == digest(targets["debian-12"], settings)
    more = dataclasses.replace(targets["debian-12"], php_packages=("php8.2-dev", "php8.2-xml"))
    assert digest(more, settings) != base
    other = tmp_path / "debbuild-24.12.0.tar.gz"
    shutil.copyfile(VENDOR / "debbuild-24.12.0.tar.gz", other)
    with other.open("ab") as f:
        f.write(b"\0" * 1024)  # same name, other bytes: the pinned checksum must catch it
    with pytest.raises(SourceError, match="does not match"):
        digest(targets["debian-12"], dataclasses.replace(settings, debbuild_source=str(other)))
    sha = hashlib.sha256(other.read_bytes()).hexdigest()
    changed = dataclasses.replace(settings, debbuild_source=str(other), debbuild_sha256=sha)
    assert digest(targets["debian-12"], changed)["vendor"]["debbuild"] == sha


def test_unknown_url_needs_a_checksum(tmp_path: Path) -> None:
    settings = Settings(debbuild_source="https://example.invalid/debbuild-99.tar.gz")
    with pytest.raises(SourceError, match="no checksum known") as exc:
        vendor.resolve(vendor.DEBBUILD, settings)
    assert "debbuild_sha256" in str(exc.value)


def test_image_chain_parents_first() -> None:
    target = load_config(None).targets["debian-12"]
    chain = images.image_chain(target)
    assert chain[:2] == ["base", "builder"]
    assert builder.builder_image(target) == "specport/builder:debian-12"
