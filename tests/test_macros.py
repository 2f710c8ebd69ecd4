"""The macro files: rendered per target, read by the host's real rpm."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from specport.normalize.macrofiles import render_macro_files, write_macro_files
from specport.targets import load_targets

TARGETS = load_targets()
pytestmark = pytest.mark.skipif(shutil.which("rpm") is None, reason="rpm is not installed")


def evaluate(files: list[Path], expr: str) -> str:
    argv = ["rpm"]
    for f in files:
        argv += ["--load", str(f)]
    done = subprocess.run(
        [*argv, "--eval", expr], capture_output=True, text=True, timeout=60, check=True
    )
    assert "error" not in done.stderr
    return done.stdout.strip()


def test_debian_shims(tmp_path: Path) -> None:
    files = write_macro_files(TARGETS["debian-12"], tmp_path)
    assert [f.name for f in files] == [
        "macros.specport-compat",
        "macros.specport-php",
        "macros.specport-platform",
        "macros.specport-python",
    ]
    assert evaluate(files, "%{php_extdir}|%{php_inidir}|%{php_incldir}|%{__php}") == (
        "/usr/lib/php/20220829|/etc/php/8.2/mods-available|/usr/include/php/20220829|"
        "/usr/bin/php8.2"
    )
    assert evaluate(files, "%{__phpize} %{__phpconfig} %{php_zend_api}") == (
        "/usr/bin/phpize8.2 /usr/bin/php-config8.2 20220829"
    )
    assert evaluate(files, "x%{?_isa}x %{debian} %{debian_version}") == "xx 12 1200"
    assert evaluate(files, "%{pecl_install} %{pecl_uninstall}") == ": :"
    # the parametric no-op ldconfig scriptlets expand to nothing
    assert evaluate(files, "[%{ldconfig_scriptlets}]") == "[]"
    # rpm's defaults debbuild lacks (tests/data/debbuild/sp-fedora.spec runs them in a build)
    assert evaluate(files, "%{_fixperms}") == "/bin/chmod -Rf a+rX,u+w,g-w,o-w"
    assert re.fullmatch(r"-j[1-9]\d*", evaluate(files, "%{_smp_mflags}"))
    # Python: Debian's one module directory and the target's own python3 (the build is in
    # tests/test_python_container.py); %pyproject_files is read relative to the build directory
    assert evaluate(files, "%{python3_sitelib} %{python3_version} %{pyproject_files}") == (
        "/usr/lib/python3/dist-packages 3.11 specport-pyproject-files"
    )
    assert "%{__python3} -m pytest" in evaluate(files, "%{pytest}")  # debbuild-macros has it


def test_ubuntu_platform_facts_match_debbuild() -> None:
    text = render_macro_files(TARGETS["ubuntu-20.04"])["macros.specport-platform"]
    defined = dict(ln[1:].split(None, 1) for ln in text.splitlines() if ln.startswith("%"))
    # debbuild: "20.04" -> %ubuntu 2004, %ubuntu_version 2004 (lsb_detection)
    assert defined["ubuntu"] == "2004" and defined["ubuntu_version"] == "2004"
    assert defined["debdist"] == "focal" and defined["dist"] == "+ubuntu20.04"


def test_el8_platform_facts(tmp_path: Path) -> None:
    files = write_macro_files(TARGETS["el8-php7.4"], tmp_path)
    assert evaluate(files, "%{dist} %{rhel} %{el8} %{php_core_api} %{php_zend_api}") == (
        ".el8.php_7.4 8 1 20190902-64 20190902-64"
    )
    assert evaluate(files, "%{php_inidir}") == "/etc/php.d"


def test_every_target_renders(tmp_path: Path) -> None:
    for name, target in TARGETS.items():
        files = write_macro_files(target, tmp_path / name)
        assert evaluate(files, "%{php_version}") == target.php_version
