"""`specport normalize` end to end through the CLI (host only, no engine)."""

from __future__ import annotations

import atexit
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from specport.cli import cli

REPO = Path(__file__).resolve().parents[1]
_IN_REPO = REPO / "specs" / "php-pecl-yaml.spec"
# a copy outside git: inside the repo %autorelease would follow this repo's own history
_COPY_DIR = Path(tempfile.mkdtemp(prefix="specport-test-specs-"))
atexit.register(shutil.rmtree, _COPY_DIR, True)
YAML = Path(shutil.copy(_IN_REPO, _COPY_DIR / _IN_REPO.name))


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_output_dir_layout_and_input_untouched(tmp_path: Path) -> None:
    before = YAML.read_bytes()
    code, out = invoke(
        "normalize", str(YAML), "--target", "debian-12,el8-php7.4", "-o", str(tmp_path)
    )
    assert code == 0, out
    assert YAML.read_bytes() == before
    deb = tmp_path / "debian-12"
    assert (deb / "php-pecl-yaml.spec").is_file()
    assert sorted(p.name for p in (deb / "macros.d").iterdir()) == [
        "macros.specport-compat",
        "macros.specport-php",
        "macros.specport-platform",
        "macros.specport-python",
    ]
    assert (tmp_path / "el8-php7.4" / "macros.d" / "macros.specport-platform").is_file()


def test_diff_and_explain() -> None:
    code, out = invoke("normalize", str(YAML), "--target", "debian-12", "--diff", "--explain")
    assert code == 0, out
    assert "+++ b/debian-12/php-pecl-yaml.spec" in out
    assert "-BuildRequires:  pkgconfig(yaml-0.1)" in out
    assert "+BuildRequires:  libyaml-dev" in out
    assert "pkg-config module yaml-0.1" in out  # the explain table names the rule


def test_one_target_prints_the_spec() -> None:
    code, out = invoke("normalize", str(YAML), "--target", "el8-php7.4")
    assert code == 0
    assert out.startswith("# specport: normalized for target el8-php7.4")


def test_unresolved_names_fail_with_one_message(tmp_path: Path) -> None:
    spec = tmp_path / "x.spec"
    spec.write_text("Name: x\nBuildRequires: nope-a\nBuildRequires: nope-b\n")
    # the real entry point: one line on stderr, exit code of DependencyError, no traceback
    done = subprocess.run(
        [str(REPO / ".venv" / "bin" / "specport"), "normalize", str(spec), "--target", "debian-12"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "line 2: nope-a; line 3: nope-b" in done.stderr
    assert "Traceback" not in done.stderr
    code, out = invoke("normalize", str(spec), "--target", "debian-12", "--keep-unresolved")
    assert code == 0 and "BuildRequires: nope-a" in out


def test_release_suffix() -> None:
    code, out = invoke("normalize", str(YAML), "--target", "el8-php7.4", "--release-suffix", "42.1")
    assert code == 0
    assert "Release:        1.42.1%{?dist}" in out


def test_check_on_host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if shutil.which("rpmspec") is None:
        pytest.skip("no rpmspec on this host (apt-get install rpm)")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    code, out = invoke("normalize", str(YAML), "--target", "debian-12,el9-php8.2", "--check")
    assert code == 0, out
    assert out.count("rpmspec 4.18") == 2 and "FAILED" not in out
    assert not list(tmp_path.glob("specport-check-*"))  # a clean check leaves no log behind


def test_several_specs_one_broken(tmp_path: Path) -> None:
    broken = tmp_path / "broken.spec"
    broken.write_text(
        "Name: broken\nVersion: 1\nRelease: 1\nBuildRequires: pkgconfig(nowhere-xyz)\n"
    )
    code, out = invoke(
        "normalize", str(YAML), str(broken), "--target", "debian-12", "-o", str(tmp_path / "o")
    )
    assert code != 0
    assert "broken.spec" in out and "pkgconfig(nowhere-xyz)" in out
    assert (tmp_path / "o" / "debian-12" / "php-pecl-yaml.spec").is_file()
    assert not (tmp_path / "o" / "debian-12" / "broken.spec").exists()
