"""A set whose only links are a pkgconfig() and a cmake() name, ordered by `graph` and built by
`build` alike for debian-12 (real debbuild, real apt, real CMake), then installed and run
(tests/data/pcset/)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from specport.config import load_config

pytestmark = pytest.mark.container

DATA = Path(__file__).parent / "data" / "pcset"


def specport(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "specport", *args], capture_output=True, text=True, timeout=3600
    )


def test_a_pkgconfig_set_graphs_builds_installs_and_runs(
    engine: object, builder_images: Callable[[str], str], tmp_path: Path
) -> None:
    builder_images("debian-12")
    shutil.copytree(DATA, tmp_path / "specs")
    # the programs first on the command line: the order must come from the names
    names = ("greet-cli", "greet-cmake", "libgreet")
    specs = [str(tmp_path / "specs" / f"{n}.spec") for n in names]
    graph = specport("graph", "-t", "debian-12", *specs)
    assert graph.returncode == 0, graph.stderr
    assert "wave 1: libgreet\n  wave 2: greet-cli, greet-cmake\n" in graph.stdout
    assert "greet-cli -> libgreet (libgreet-devel)" in graph.stdout
    assert "greet-cmake -> libgreet (libgreet-devel)" in graph.stdout
    out = tmp_path / "out"
    proc = specport("build", "-t", "debian-12", "--no-cache", "-o", str(out), *specs)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "libgreet / debian-12: starting (wave 1/2)" in proc.stderr
    assert "greet-cli / debian-12: starting (wave 2/2)" in proc.stderr
    assert "greet-cmake / debian-12: starting (wave 2/2)" in proc.stderr
    log = (out / "debian-12" / "logs" / "greet-cli.log").read_text()
    # the set's package for pkgconfig(libgreet), and pkg-config itself, installed by apt
    assert re.search(r"\$ apt-get satisfy .*\blibgreet-devel\b.*\bpkg-config\b", log), log[:3000]
    assert "Unpacking libgreet-devel (1.0-1+deb12)" in log
    # cmake(Greet): the set's package that ships GreetConfig.cmake; the %conf section ran (as
    # the start of %build) before CMake built what it configured
    log = (out / "debian-12" / "logs" / "greet-cmake.log").read_text()
    satisfy = re.search(r"^\$ apt-get satisfy .*$", log, re.MULTILINE)
    assert satisfy and "libgreet-devel" in satisfy[0] and " cmake" in satisfy[0], log[:3000]
    assert "-- Build files have been written to" in log

    from specport.container.runs import Throwaway

    target = load_config().targets["debian-12"]
    debs = sorted((out / "debian-12").glob("*.deb"))
    assert {d.name.split("_")[0] for d in debs} == {
        "libgreet", "libgreet-devel", "greet-cli", "greet-cmake"
    }  # fmt: skip
    with Throwaway(engine, target.image, log_path=tmp_path / "i.log", purpose="test-names") as box:  # type: ignore[arg-type]
        for deb in debs:
            box.copy_in(deb, "/tmp/debs")
        box.run("apt-get update -q", timeout=600)
        box.run("apt-get install -y -q /tmp/debs/greet-c*.deb /tmp/debs/libgreet_*.deb",
                timeout=900)  # fmt: skip
        assert box.run("greet-cli", timeout=60).output.strip() == "greet-cli: hello from libgreet"
        assert box.run("greet-cmake", timeout=60).output.strip() == (
            "greet-cmake: hello from libgreet"
        )
