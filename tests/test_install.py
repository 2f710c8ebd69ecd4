"""specport installs anywhere: a wheel in a venv without system site packages (no rpm bindings,
no git tree beside it) gives a working CLI with its macro files and templates."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def run(argv: list[str | Path], cwd: Path, timeout: float = 600) -> str:
    done = subprocess.run(
        [str(a) for a in argv], cwd=cwd, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_wheel_in_a_plain_venv(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", wheels, REPO], tmp_path)
    (wheel,) = wheels.glob("specport-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True, system_site_packages=False)
    py = env_dir / "bin" / "python"
    run([py, "-m", "pip", "install", "-q", wheel], tmp_path)
    # nothing of the git tree may leak in: run from an empty directory, not from the repo
    work = tmp_path / "elsewhere"
    work.mkdir()
    cli = env_dir / "bin" / "specport"
    probe = "import importlib.util as u; print(u.find_spec('rpm') is None)"
    assert run([py, "-c", probe], work).strip() == "True"  # really without rpm's bindings

    assert "normalize" in run([cli, "--help"], work)
    targets = json.loads(run([cli, "targets", "--json"], work))
    assert {"debian-12", "el8-php7.4", "ubuntu-20.04"} <= {t["name"] for t in targets}

    spec = REPO / "specs" / "php-psr-log.spec"
    out = work / "out"
    run([cli, "normalize", "--target", "debian-12,el8-php7.4", "-o", out, spec], work)
    assert (out / "debian-12" / "php-psr-log.spec").is_file()
    deb_macros = sorted(p.name for p in (out / "debian-12" / "macros.d").iterdir())
    assert "macros.specport-php" in deb_macros and "macros.specport-platform" in deb_macros
    platform = (out / "debian-12" / "macros.d" / "macros.specport-platform").read_text()
    assert "%debian" in platform and "bookworm" in platform
    assert (out / "el8-php7.4" / "macros.d" / "macros.specport-php").is_file()

    matrix = json.loads(
        run([cli, "matrix", "--target", "debian-12,el8-php7.4", "--format", "json", spec], work)
    )
    assert sorted(row["target"] for row in matrix) == ["debian-12", "el8-php7.4"]

    # the vendored debbuild archives travel in the wheel: a deb builder context can be made
    context = run(
        [py, "-c", "from specport.images import vendor; from specport.config import Settings;"
         " print(vendor.resolve(vendor.DEBBUILD, Settings()).version)"],
        work,
    )  # fmt: skip
    assert context.strip() == "24.12.0"

    # a command that needs rpm's bindings says so in one line, no traceback
    fake = work / "x.rpm"
    fake.write_bytes(b"not an rpm")
    run([cli, "keys", "generate", "--out", work / "key", "--name", "t"], work)
    (secret,) = (work / "key").glob("*.secret.asc")
    done = subprocess.run(
        [
            str(cli),
            "publish",
            "--repo",
            str(work / "repo"),
            "--key-file",
            str(secret),
            "--target",
            "el8-php7.4",
            str(fake),
        ],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "python3-rpm" in done.stderr and "Traceback" not in done.stderr
