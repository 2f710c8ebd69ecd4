"""%( ) with bash syntax on a deb target runs under bash where debbuild reads the spec (the build
container, the check sandbox), never on the host; dash would have expanded it to nothing."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.container

SPEC = Path(__file__).resolve().parent / "data" / "shell" / "specport-bashism.spec"


def specport(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "specport", *args], capture_output=True, text=True, timeout=3600
    )


def test_bash_syntax_in_a_shell_expansion_builds_on_debian(
    builder_images: Callable[[str], str], tmp_path: Path
) -> None:
    builder_images("debian-12")
    spec = tmp_path / SPEC.name
    shutil.copyfile(SPEC, spec)
    checked = specport("normalize", "--target", "debian-12", "--check", "--explain", str(spec))
    assert checked.returncode == 0, checked.stderr
    assert "run by bash" in checked.stdout + checked.stderr
    out = tmp_path / "out"
    done = specport("build", "-t", "debian-12", "-o", str(out), str(spec))
    assert done.returncode == 0, done.stderr[-3000:]
    (deb,) = (out / "debian-12").glob("specport-bashism_*.deb")
    data = subprocess.run(
        ["dpkg-deb", "--fsys-tarfile", str(deb)], capture_output=True, check=True, timeout=60
    ).stdout
    magic = subprocess.run(
        ["tar", "-xO", "./usr/share/specport-bashism/magic"],
        input=data, capture_output=True, check=True, timeout=60,
    ).stdout.decode().strip()  # fmt: skip
    assert magic == "AZC"
