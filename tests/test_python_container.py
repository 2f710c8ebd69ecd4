"""A Python project as Fedora packages one today (%generate_buildrequires with
%pyproject_buildrequires, %pyproject_wheel/_install/_save_files, %pytest): its build and run-time
requirements read from the source's pyproject.toml and setup.cfg, built for debian-12 and
ubuntu-20.04 with the real debbuild, Depends from its metadata, installed with apt into a clean
container, its module imported and its console script run
(tests/data/debbuild/python-spgreet.spec; the project in tests/data/pysrc, written here)."""

from __future__ import annotations

import subprocess
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.container

DATA = Path(__file__).parent / "data"
SPEC = DATA / "debbuild" / "python-spgreet.spec"


@pytest.mark.parametrize("target", ["debian-12", "ubuntu-20.04"])
def test_a_pyproject_spec_builds_depends_on_its_requirements_and_runs(
    engine: object, base_images: Callable[[str], str], tmp_path: Path, target: str
) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    with tarfile.open(sources / "spgreet-1.0.tar.gz", "w:gz") as tar:
        tar.add(DATA / "pysrc" / "spgreet-1.0", arcname="spgreet-1.0")
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "specport", "build", "-t", target, "--no-cache",
         "--sources", str(sources), "-o", str(out), str(SPEC)],
        capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = (out / target / "logs" / "python-spgreet.log").read_text(encoding="utf-8")
    # setup.cfg's install_requires and the test extra, pyproject.toml's build system; tomli's
    # marker (python_version < "3.8") holds on neither target, so it is not asked for
    assert "BuildRequires from spgreet-1.0.tar.gz: python3-setuptools >= 40.8" in log
    assert "python3-six >= 1.10" in log and "python3-pytest" in log and "tomli" not in log
    assert "1 passed" in log  # %pytest ran upstream's test against the build root
    (deb,) = (out / target).glob("python3-spgreet_*.deb")
    depends = subprocess.run(
        ["dpkg-deb", "-f", str(deb), "Depends"], capture_output=True, text=True, check=True
    ).stdout
    assert {d.strip() for d in depends.split(",")} == {"python3", "python3-six"}
    listing = subprocess.run(
        ["dpkg-deb", "-c", str(deb)], capture_output=True, text=True, check=True
    ).stdout
    assert "./usr/lib/python3/dist-packages/spgreet/__init__.py" in listing  # Debian's layout
    assert "./usr/bin/spgreet" in listing

    from specport.container.runs import Throwaway

    image = base_images(target)
    with Throwaway(engine, image, log_path=tmp_path / "i.log", purpose="test-python") as box:  # type: ignore[arg-type]
        box.copy_in(deb, "/tmp/debs")
        env = "DEBIAN_FRONTEND=noninteractive"
        box.run(f"{env} apt-get update -q", timeout=600)
        box.run(f"{env} apt-get install -y -q /tmp/debs/python3-spgreet_*.deb", timeout=900)
        assert box.run("spgreet", timeout=60).output.strip() == "hello from spgreet"
        imported = box.run("python3 -c 'import spgreet, six; print(spgreet.__file__)'", timeout=60)
        assert imported.output.strip() == "/usr/lib/python3/dist-packages/spgreet/__init__.py"
