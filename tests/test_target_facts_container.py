"""The build takes the %if branch normalize took: BuildRequires chosen by %{?ubuntu},
%{?debian} and %{?rhel} are the ones installed, on ubuntu-20.04 and debian-12 (real debbuild)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.container

SPEC = Path(__file__).resolve().parent / "data" / "facts" / "specport-condbr.spec"


def _file_in_deb(deb: Path, member: str) -> str:
    data = subprocess.run(
        ["dpkg-deb", "--fsys-tarfile", str(deb)], capture_output=True, check=True, timeout=60
    ).stdout
    listing = subprocess.run(
        ["tar", "-xO", f"./{member}"], input=data, capture_output=True, check=True, timeout=60
    )
    return listing.stdout.decode().strip()


@pytest.mark.parametrize(
    ("target", "branch", "installed", "not_installed"),
    [
        ("ubuntu-20.04", "ubuntu-2004", "libyaml-dev", "zlib1g-dev"),
        ("debian-12", "debian-12", "zlib1g-dev", "libyaml-dev"),
    ],
)
def test_build_takes_the_branch_normalize_took(
    builder_images: Callable[[str], str],
    tmp_path: Path,
    target: str,
    branch: str,
    installed: str,
    not_installed: str,
) -> None:
    builder_images(target)
    spec = tmp_path / SPEC.name  # outside git: no %autorelease history to follow
    shutil.copyfile(SPEC, spec)
    normalized = subprocess.run(
        [sys.executable, "-m", "specport", "normalize", "--target", target, str(spec)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert normalized.returncode == 0, normalized.stderr
    # normalize kept this target's branch live (translated) and left the others as written
    assert f"BuildRequires:  {installed}" in normalized.stdout
    assert "an-el-only-name-no-debian-rule-knows" in normalized.stdout

    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "specport", "build", "-t", target, "-o", str(out), str(spec)],
        capture_output=True, text=True, timeout=3600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    (deb,) = (out / target).glob("specport-condbr_*.deb")
    assert _file_in_deb(deb, "usr/share/specport-condbr/branch") == branch
    log = (out / target / "logs" / "specport-condbr.log").read_text()
    assert f"Setting up {installed}" in log or f"Unpacking {installed}" in log
    assert f"Unpacking {not_installed}" not in log
