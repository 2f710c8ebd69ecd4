"""Builder images in a real engine: labels, debbuild inside, and `images build` skipping them."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from specport.container.runner import Throwaway

pytestmark = pytest.mark.container

TRIVIAL_SPEC = """\
Name:           sp-probe
Version:        1.0
Release:        1%{?dist}
Summary:        specport probe
License:        MIT
BuildArch:      noarch

%description
A probe.

%package extra
Summary:        extra probe
%description extra
More probe.

%files
/usr/share/sp-probe
%files extra
/usr/share/sp-probe-extra
"""


@pytest.mark.parametrize("name", ["debian-12", "ubuntu-20.04"])
def test_builder_image_runs_debbuild(
    engine: object, builder_images: Callable[[str], str], name: str, tmp_path: Path
) -> None:
    tag = builder_images(name)
    assert tag == f"specport/builder:{name}"
    attrs = engine.client.api.inspect_image(tag)  # type: ignore[attr-defined]
    labels = attrs["Config"]["Labels"]
    assert labels["specport.kind"] == "builder"
    assert labels["specport.target"] == name
    assert len(labels["specport.inputs"]) == 64
    spec = tmp_path / "sp-probe.spec"
    spec.write_text(TRIVIAL_SPEC)
    with Throwaway(engine, tag, log_path=tmp_path / "log", purpose="test-debbuild") as box:  # type: ignore[arg-type]
        assert "debbuild, version 24.12.0" in box.run(["debbuild", "--version"], timeout=60).output
        box.copy_in(spec, "/work")
        shown = box.run(["debbuild", "-v", "--showpkgs", "/work/sp-probe.spec"], timeout=120)
        assert "sp-probe_1.0-1" in shown.output and "_all.deb" in shown.output
        assert "sp-probe-extra_1.0-1" in shown.output
        macros = box.run("ls /usr/lib/debbuild/macros.d", timeout=30).output.split()
        assert "macros.systemd" in macros and "macros.00platform" in macros


def test_second_build_is_up_to_date(engine: object, builder_images: Callable[[str], str]) -> None:
    tags = [builder_images(n) for n in ("debian-12", "ubuntu-20.04")]
    before = [engine.client.api.inspect_image(t)["Id"] for t in tags]  # type: ignore[attr-defined]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "specport",
            "builders",
            "build",
            "--target",
            "debian-12,ubuntu-20.04",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("up to date") == 2, done.stdout
    assert "building" not in done.stderr
    after = [engine.client.api.inspect_image(t)["Id"] for t in tags]  # type: ignore[attr-defined]
    assert after == before
    stale = subprocess.run(
        [sys.executable, "-m", "specport", "builders", "stale", "--target", "debian-12"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert stale.returncode == 0, stale.stdout + stale.stderr
