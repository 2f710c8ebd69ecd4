"""`specport doctor` against a real engine: what it reports and when it fails."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

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
