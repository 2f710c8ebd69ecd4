"""The result cache in real builds: a rebuild of unchanged inputs is a hit that starts no
build container; a changed source, macro file, builder image or spec is a miss; --no-cache
builds; a result built with one cache directory is a hit with another through the registry.

A tiny noarch spec keeps each build short. Every run uses its own cache directory and a
custom target (deb12-cache, extends debian-12) in the debian-12 builder image (--image), so
that the macro file can change in the config without the target's name changing.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_cache_shared import registry  # noqa: F401  (the fixture)

pytestmark = pytest.mark.container

SPEC = """\
Name:           cachetest
Version:        1.0
Release:        1%{?dist}
Summary:        A tiny package for the result cache tests
License:        MIT
BuildArch:      noarch
Source0:        greeting.txt

%description
A tiny package that installs one text file.

%prep

%build

%install
install -D -m 0644 %{SOURCE0} %{buildroot}%{_datadir}/cachetest/greeting.txt

%files
%{_datadir}/cachetest/greeting.txt

%changelog
* Mon Nov 02 2026 Tester <tester@example.org> - 1.0-1
- First build.
"""


def _config(path: Path, marker: str, shared: str = "") -> Path:
    settings = ""
    if shared:
        from test_repo_support import test_key

        # the machines sign what they push and take only what that key signed
        key = test_key()
        settings = (
            f'[settings]\nshared_cache = "{shared}"\nshared_cache_key = "{key.public_path}"\n'
            f'shared_cache_signing_key = "{key.secret_path}"\n'
        )
    path.write_text(
        '[targets.deb12-cache]\nextends = "debian-12"\n'
        f'[targets.deb12-cache.macros]\ncachetest_marker = "{marker}"\n' + settings
    )
    return path


class Builds:
    def __init__(self, engine: object, tmp: Path, image: str) -> None:
        self.engine, self.tmp, self.image, self.runs = engine, tmp, image, 0
        self.specs = tmp / "specs"
        self.specs.mkdir()
        (self.specs / "cachetest.spec").write_text(SPEC)
        (self.specs / "greeting.txt").write_text("hello from the cache test\n")
        self.config = _config(tmp / "specport.toml", "1")

    def build(
        self, *extra: str, cache: str = "cache", image: str = "", config: Path | None = None
    ) -> tuple[str, Path, bool]:
        """One `specport build`: its stdout (the summary), output dir, and whether a build
        container of this run was created (engine events by the run's owner label)."""
        self.runs += 1
        out = self.tmp / f"out{self.runs}"
        # COLUMNS: a wide summary table, one line per pair
        env = {**os.environ, "SPECPORT_CACHE_DIR": str(self.tmp / cache), "COLUMNS": "300"}
        env.pop("SPECPORT_RESULT_CACHE", None)  # the store under this test's cache directory
        env.pop("SPECPORT_SHARED_CACHE", None)
        argv = [
            sys.executable, "-m", "specport", "--config", str(config or self.config), "build",
            "-t", "deb12-cache", "--image", image or self.image, "--no-index", "--no-lintian",
            "-o", str(out), *extra, str(self.specs / "cachetest.spec"),
        ]  # fmt: skip
        since = time.time() - 1
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        stdout, stderr = proc.communicate(timeout=1800)
        assert proc.returncode == 0, stderr.decode()[-3000:]
        owner = f"specport.owner={socket.gethostname()}:{proc.pid}"
        events = self.engine.client.events(  # type: ignore[attr-defined]
            since=int(since),
            until=int(time.time()) + 1,
            decode=True,
            filters={"type": "container", "event": "create", "label": [owner]},
        )
        purposes = [e["Actor"]["Attributes"].get("specport.purpose", "") for e in events]
        return stdout.decode(), out, any(p.startswith("build-") for p in purposes)


def _cache_state(summary: str) -> str:
    row = [line for line in summary.splitlines() if "cachetest.spec" in line]
    assert row, summary
    found = re.search(r"cache (hit|miss)", row[0])
    return found[1] if found else "none"


@pytest.fixture
def builds(engine: object, builder_images: object, tmp_path: Path) -> Builds:
    return Builds(engine, tmp_path, builder_images("debian-12"))  # type: ignore[operator]


def test_hit_miss_and_no_cache(builds: Builds, builder_images: object) -> None:
    summary, out1, built = builds.build()
    assert _cache_state(summary) == "miss" and built
    (deb,) = (out1 / "deb12-cache").glob("*.deb")

    summary, out2, built = builds.build()
    assert _cache_state(summary) == "hit" and not built
    assert (out2 / "deb12-cache" / deb.name).read_bytes() == deb.read_bytes()
    log = (out2 / "deb12-cache" / "logs" / "cachetest.log").read_text()
    assert "no build container was started" in log and "debbuild" in log

    summary, _, built = builds.build("--no-cache")
    assert _cache_state(summary) == "none" and built

    # a changed source
    (builds.specs / "greeting.txt").write_text("hello again\n")
    summary, _, built = builds.build()
    assert _cache_state(summary) == "miss" and built

    # a changed macro file (the target's macros, from the config)
    summary, _, built = builds.build(config=_config(builds.tmp / "other.toml", "2"))
    assert _cache_state(summary) == "miss" and built

    # another builder image
    other = builder_images("debian-11")  # type: ignore[operator]
    summary, _, built = builds.build(image=other)
    assert _cache_state(summary) == "miss" and built

    # a changed spec
    spec = builds.specs / "cachetest.spec"
    spec.write_text(spec.read_text().replace("one text file", "a single text file"))
    summary, _, built = builds.build()
    assert _cache_state(summary) == "miss" and built
    summary, _, built = builds.build()
    assert _cache_state(summary) == "hit" and not built


def test_two_cache_directories_share_through_the_registry(
    builds: Builds,
    registry: str,  # noqa: F811
) -> None:
    shared = _config(builds.tmp / "shared.toml", "1", registry)
    summary, out1, built = builds.build(cache="machine-1", config=shared)
    assert _cache_state(summary) == "miss" and built
    summary, out2, built = builds.build(cache="machine-2", config=shared)
    assert _cache_state(summary) == "hit" and not built
    (deb,) = (out1 / "deb12-cache").glob("*.deb")
    assert (out2 / "deb12-cache" / deb.name).read_bytes() == deb.read_bytes()
    assert registry in (out2 / "deb12-cache" / "logs" / "cachetest.log").read_text()


def test_downloaded_build_dependencies_are_shared(builds: Builds) -> None:
    # libyaml-dev: small, and in no builder image; the second build copies it from the cache
    spec = builds.specs / "cachetest.spec"
    spec.write_text(spec.read_text().replace("Source0:", "BuildRequires:  libyaml-devel\nSource0:"))
    _, out1, _ = builds.build("--no-cache")
    kept = list((builds.tmp / "cache" / "packages" / "deb12-cache").glob("libyaml-dev_*.deb"))
    assert len(kept) == 1
    log1 = (out1 / "deb12-cache" / "logs" / "cachetest.log").read_text()
    assert " libyaml-dev " in log1 and "Get:" in log1
    _, out2, _ = builds.build("--no-cache")
    log2 = (out2 / "deb12-cache" / "logs" / "cachetest.log").read_text()
    fetched = [
        line for line in log2.splitlines() if line.startswith("Get:") and " libyaml-dev " in line
    ]
    assert fetched == [] and "Setting up libyaml-dev" in log2
