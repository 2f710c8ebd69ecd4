"""A Perl module's run-time dependencies from its `use` lines, as rpm's perl.req gives them on
Fedora: built for debian-12 (real debbuild), installed with apt into a clean container, loaded
(tests/data/debbuild/perl-Sp-Greeting.spec)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.container

SPEC = Path(__file__).parent / "data" / "debbuild" / "perl-Sp-Greeting.spec"


def test_a_perl_module_depends_on_what_it_uses_and_loads(
    engine: object, base_images: Callable[[str], str], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "specport", "build", "-t", "debian-12", "--no-cache",
         "-o", str(out), str(SPEC)],
        capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    (deb,) = (out / "debian-12").glob("perl-sp-greeting_*.deb")
    depends = subprocess.run(
        ["dpkg-deb", "-f", str(deb), "Depends"], capture_output=True, text=True, check=True
    ).stdout
    # Try::Tiny is libtry-tiny-perl's (dpkg -S in the build environment); strict, warnings: perl
    assert {d.strip() for d in depends.split(",")} == {"libtry-tiny-perl", "perl"}

    from specport.container.runs import Throwaway

    image = base_images("debian-12")
    with Throwaway(engine, image, log_path=tmp_path / "i.log", purpose="test-perl") as box:  # type: ignore[arg-type]
        box.copy_in(deb, "/tmp/debs")
        box.run("apt-get update -q", timeout=600)
        box.run("apt-get install -y -q /tmp/debs/perl-sp-greeting_*.deb", timeout=900)
        said = box.run("perl -MSp::Greeting -e 'print Sp::Greeting::hello()'", timeout=60)
        assert said.output.strip() == "hello from Sp::Greeting"
