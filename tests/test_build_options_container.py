"""--nocheck and --with/--without in real builds: debbuild on debian-12, and rpmbuild in the
debian-12 builder image standing in for an EL target (EL images cannot be had here).

The fixture's %check fails as an upstream test suite does when the tarball lacks a file it
reads: the build fails with a hint at --nocheck, and builds with it. Its bcond "extra" changes
what the package holds. Its Release goes on after the dist tag (`1%{?dist}.1`). Each run has its
own cache directory: the result cache must tell the option sets apart (a hit only for the same
ones), and the manifest and the summary say which were used.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from specport.config import load_config

pytestmark = pytest.mark.container

SPEC = Path(__file__).resolve().parent / "data" / "options" / "specport-opts.spec"
_PACKAGE = re.compile(r"specport-opts[-_]1\.0.*\.(deb|noarch\.rpm)$")  # not the .sdeb/.src.rpm
STANDIN = '[targets.el8-standin]\nextends = "el8-php7.4"\n'


class Runs:
    def __init__(self, tmp: Path, target: str, extra: list[str]) -> None:
        self.tmp, self.target, self.extra, self.count = tmp, target, extra, 0
        self.spec = tmp / "specs" / SPEC.name  # outside git: no history to follow
        self.spec.parent.mkdir()
        self.spec.write_text(SPEC.read_text())

    def build(self, *flags: str) -> tuple[subprocess.CompletedProcess[str], Path]:
        self.count += 1
        out = self.tmp / f"out{self.count}"
        env = {**os.environ, "SPECPORT_CACHE_DIR": str(self.tmp / "cache"), "COLUMNS": "300"}
        env.pop("SPECPORT_RESULT_CACHE", None)
        env.pop("SPECPORT_SHARED_CACHE", None)
        argv = [sys.executable, "-m", "specport", *self.extra, "build", "-t", self.target,
                "--no-index", "--no-lintian", "-o", str(out), *flags, str(self.spec)]  # fmt: skip
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=1800)
        return done, out / self.target

    def content(self, out: Path) -> dict[str, str]:
        """Path -> text of the files under /usr/share/specport-opts of the one built package."""
        (pkg,) = [p for p in out.iterdir() if _PACKAGE.match(p.name)]
        root = self.tmp / f"unpacked{self.count}"
        root.mkdir()
        if pkg.suffix == ".deb":
            subprocess.run(["dpkg-deb", "-x", str(pkg), str(root)], check=True, timeout=60)
        else:  # rpm's own converter, to an uncompressed tar beside the copy
            copy = self.tmp / f"copy{self.count}.rpm"
            shutil.copyfile(pkg, copy)
            subprocess.run(["rpm2archive", "-n", str(copy)], check=True, timeout=60)
            with tarfile.open(f"{copy}.tar") as tar:
                for member in tar.getmembers():
                    name = member.name.lstrip("./")
                    if member.isfile() and name.startswith("usr/share/specport-opts/"):
                        data = tar.extractfile(member)
                        assert data is not None
                        (root / name).parent.mkdir(parents=True, exist_ok=True)
                        (root / name).write_bytes(data.read())
        where = root / "usr" / "share" / "specport-opts"
        return {p.name: p.read_text().strip() for p in sorted(where.iterdir())}


def _flags(out: Path) -> list[list[str]]:
    doc = json.loads((out / "specport-build.json").read_text())
    return [entry["build_flags"] for entry in doc["packages"].values()]


@pytest.mark.parametrize("target", ["debian-12", "el8-standin"])
def test_nocheck_and_bconds_in_real_builds(
    engine: object, builder_images: Callable[[str], str], tmp_path: Path, target: str
) -> None:
    # by id: other work on the same engine may move the tag meanwhile, and the image id is part
    # of the result cache's key (a moved tag is rightly a miss)
    image = engine.client.images.get(builder_images("debian-12")).id  # type: ignore[attr-defined]
    extra: list[str] = []
    if target == "el8-standin":
        config = tmp_path / "specport.toml"
        config.write_text(STANDIN)
        extra = ["--config", str(config)]
    runs = Runs(tmp_path, target, extra)
    image_args = ["--image", image]

    # the failing %check fails the build, and says what to do about it
    failed, out = runs.build(*image_args)
    assert failed.returncode == 1, failed.stderr[-2000:]
    assert "failed in %check" in failed.stderr
    assert "--nocheck builds without running them" in failed.stderr
    assert sorted(p.name for p in out.rglob("*") if p.is_file()) == ["specport-opts.log"]

    plain, out = runs.build(*image_args, "--nocheck")
    assert plain.returncode == 0, plain.stderr[-3000:]
    assert "specport build --nocheck" in plain.stdout and "cache miss" in plain.stdout
    assert runs.content(out) == {"mode": "off"}
    assert set(map(tuple, _flags(out))) == {("--nocheck",)}
    # Release: 1%{?dist}.1 is accepted: the dist tag is in the release, more after it
    dist = load_config(None).targets["debian-12" if target == "debian-12" else "el8-php7.4"].dist
    built = [p.name for p in out.iterdir()]
    assert any(f"-1{dist}.1" in name for name in built), built

    with_extra, out = runs.build(*image_args, "--nocheck", "--with", "extra")
    assert with_extra.returncode == 0, with_extra.stderr[-3000:]
    assert "cache miss" in with_extra.stdout  # another option set: another key
    assert runs.content(out) == {"extra": "extra", "mode": "on"}
    assert set(map(tuple, _flags(out))) == {("--nocheck", "--with", "extra")}

    again, out = runs.build(*image_args, "--nocheck", "--without", "extra")
    assert again.returncode == 0, again.stderr[-3000:]
    assert "cache miss" in again.stdout  # --without extra is spelled into the key too
    assert runs.content(out) == {"mode": "off"}

    same, out = runs.build(*image_args, "--nocheck")
    assert same.returncode == 0, same.stderr[-3000:]
    assert "cache hit" in same.stdout  # the same options: the stored result
    assert runs.content(out) == {"mode": "off"}
