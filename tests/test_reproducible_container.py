"""Two builds of the same input, each in fresh containers, give byte-identical packages.

deb: debbuild + the post-step for debian-12; rpm: rpmbuild in the debian-12 builder image as
the EL stand-in (as in test_build_container.py). Compared by sha256, file by file.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.container

ROOT = Path(__file__).resolve().parent.parent
STANDIN = (
    '[targets.el8-standin]\nextends = "el8-php7.4"\n'
    '[targets.el8-standin.macros]\nphp_extdir = "/usr/lib/php/20220829"\n'
    'php_incldir = "/usr/include/php/20220829"\n'
)


def _digests(directory: Path, pattern: str) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.glob(pattern))
    }


def _build(args: list[str], out: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "specport", *args, "--no-cache", "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]


def test_two_builds_give_identical_debs_and_rpms(
    engine: object, example_lookaside: Path, builder_images: object, tmp_path: Path
) -> None:
    image = builder_images("debian-12")  # type: ignore[operator]
    # a copy outside git: the same file (and mtime) for both builds
    spec_dir = Path(shutil.copytree(ROOT / "specs", tmp_path / "specs"))
    spec = spec_dir / "hello.spec"
    config = tmp_path / "specport.toml"
    config.write_text(STANDIN)
    common = ["--lookaside", str(example_lookaside), str(spec)]
    found = []
    for run in ("one", "two"):
        out = tmp_path / run
        _build(["build", "-t", "debian-12", *common], out)
        _build(["--config", str(config), "build", "-t", "el8-standin", "--image", image,
                *common], out)  # fmt: skip
        found.append(
            (_digests(out / "debian-12", "*.*deb"), _digests(out / "el8-standin", "*.rpm"))
        )
    (debs1, rpms1), (debs2, rpms2) = found
    assert any(n.endswith(".deb") for n in debs1) and any(n.endswith(".sdeb") for n in debs1)
    assert any(n.endswith(".src.rpm") for n in rpms1) and len(rpms1) >= 2
    assert debs1 == debs2
    assert rpms1 == rpms2
