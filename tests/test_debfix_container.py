"""A real debbuild build of specs/hello.spec for debian-12: lintian finds no error in the .deb."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.container

ROOT = Path(__file__).resolve().parent.parent


def test_hello_for_debian_12_is_lintian_clean(
    engine: object, example_lookaside: Path, tmp_path: Path
) -> None:
    lookaside = example_lookaside
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "specport", "build", "-t", "debian-12", "--lookaside",
         str(lookaside), "-o", str(out), str(ROOT / "specs" / "hello.spec")],
        capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = (out / "debian-12" / "logs" / "hello.log").read_text()
    assert "lintian --suppress-tags extra-license-file" in log  # the data file was applied
    assert "# lintian errors" not in log, log[log.find("# lintian errors") :]
    assert "E: hello" not in log
    (deb,) = (out / "debian-12").glob("hello_*.deb")
    listing = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True).stdout
    assert "./usr/share/doc/hello/copyright" in listing
    assert "./usr/share/doc/hello/changelog.Debian.gz" in listing
