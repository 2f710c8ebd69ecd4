"""`specport doctor` against a real engine: what it reports and when it fails."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.container


def _doctor(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "specport", "doctor", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_doctor_reports_a_ready_target(builder_images: Callable[[str], str]) -> None:
    builder_images("debian-12")
    done = _doctor("--target", "debian-12")
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert any(
        line.startswith("engine    Docker ") or "Podman" in line for line in out.splitlines()
    )
    assert "socket    unix://" in out
    assert "registry  " in out and out.split("registry  ", 1)[1].split("\n")[0].endswith("no")
    assert "debian-12      builder  specport/builder:debian-12" in out
    assert "all good" in out


def test_doctor_fails_with_the_fix_for_missing_images(engine: object) -> None:
    done = _doctor("--target", "el9-php8.2")
    assert done.returncode == 1
    assert "el9-php8.2: missing: pull or load it into the engine" in done.stdout
    assert "problem(s) found" in done.stderr


def test_doctor_reports_every_missing_or_broken_builder(
    builder_images: Callable[[str], str], tmp_path: Path
) -> None:
    builder_images("debian-12")  # its base image is there; the builders below are not
    config = tmp_path / "specport.toml"
    config.write_text('[targets.doctor-nobuilder]\nextends = "debian-12"\n')
    argv = [sys.executable, "-m", "specport", "--config", str(config), "doctor"]
    done = subprocess.run(
        [*argv, "--target", "doctor-nobuilder,debian-12"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    # a missing builder is reported with its fix, and the next target is still checked
    assert "doctor-nobuilder builder  specport/builder:doctor-nobuilder missing" in done.stdout
    assert "doctor-nobuilder: specport builders build --target doctor-nobuilder" in done.stdout
    assert "debian-12      builder  specport/builder:debian-12" in done.stdout
    # an input that cannot be read (here the debbuild archive) is one target's error, not a stop
    broken = subprocess.run(
        [sys.executable, "-m", "specport", "doctor", "--target", "debian-12,el9-php8.2"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SPECPORT_DEBBUILD_SOURCE": "/nonexistent.tar.gz"},
    )
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "debian-12      builder  error:" in broken.stdout
    assert "el9-php8.2: missing: pull or load it" in broken.stdout
    assert "internal error" not in broken.stderr
