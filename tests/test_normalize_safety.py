"""Untrusted specs: parsing on the host runs none of their shell code; arbitrary text never
crashes the normalizer (it succeeds or raises specport's own error with a line number)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specport.cli import cli
from specport.errors import DependencyError, SpecError
from specport.normalize.passes import normalize
from specport.sandbox.rpmspec import run_rpmspec
from specport.targets import load_targets

TARGETS = load_targets()


def evil_spec(marker: Path) -> str:
    return (
        f"%global evil %(touch {marker})\n"
        "Name: evil\nVersion: 1\nRelease: 1%{?dist}\nSummary: s\nLicense: MIT\n"
        f"Requires: %(touch {marker}-req)\n"
        f"%{{lua: os.execute('touch {marker}-lua')}}\n"
        "%description\n%{evil}\n%files\n"
    )


@pytest.mark.skipif(shutil.which("rpmspec") is None, reason="rpmspec not installed")
def test_host_check_runs_no_spec_shell(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = evil_spec(marker)
    ok, out = run_rpmspec(text, [], "-P")
    assert ok, out
    assert list(tmp_path.iterdir()) == []
    # the control: unsanitized, rpmspec really would have run it
    raw = tmp_path / "raw.spec"
    raw.write_text(text)
    import subprocess

    subprocess.run(["rpmspec", "-P", str(raw)], capture_output=True, timeout=60, check=False)
    assert marker.exists()


@pytest.mark.skipif(shutil.which("rpmspec") is None, reason="rpmspec not installed")
def test_normalize_check_cli_leaves_no_file(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    spec = tmp_path / "evil.spec"
    spec.write_text(evil_spec(marker).replace(f"Requires: %(touch {marker}-req)\n", ""))
    result = CliRunner().invoke(
        cli,
        ["normalize", str(spec), "--target", "el9-php8.2", "--check", "-o", str(tmp_path / "o")],
    )
    assert result.exit_code == 0, result.output
    assert not any(p.name.startswith("pwned") for p in tmp_path.iterdir())


LINES = st.sampled_from(
    [
        "Name: x",
        "Version: 1",
        "Release: %autorelease",
        "%bcond tests 1",
        "%bcond",
        "%if 0%{?rhel}",
        "%elif 1",
        "%elifarch x86_64",
        "%else",
        "%endif",
        "%patch 1 -p1",
        "%patch",
        "BuildRequires: gcc-c++ pkgconfig(yaml-0.1)",
        "Requires: (a or b)",
        "Requires: php(api) = %{php_core_api}",
        "Requires: ((a or b) and c)",
        "Requires: x >=",
        "Requires: (",
        "Provides: php-pecl(x)%{?_isa}",
        "%global ini_name 40-x.ini",
        "%global c %(c=%{commit}; echo ${c:0:7})",
        "%global commit abc",
        "%(echo",
        "%[1 + ]",
        "%{expr:2*3}",
        "%post",
        "%preun",
        "%files",
        "%changelog",
        "%autochangelog",
        "%package -n y",
        "%description",
        "%global with_zts 0%{?__ztsphp:1}",
        "\\",
        "",
        "%define a(b) x \\",
        "Obsoletes: nothing-here < 2",
        "BuildRequires: %{unknown}",
    ]
)
TEXT = st.lists(st.one_of(LINES, st.text(max_size=30)), max_size=25).map("\n".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT, target=st.sampled_from(["debian-12", "el8-php7.4", "el9-php8.2"]))
def test_arbitrary_text_never_crashes(text: str, target: str) -> None:
    try:
        result = normalize(text, TARGETS[target])
    except SpecError as exc:
        assert exc.line, str(exc)
        return
    except DependencyError as exc:
        assert "line " in str(exc)
        return
    assert isinstance(result.text, str)
