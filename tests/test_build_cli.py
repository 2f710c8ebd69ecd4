"""`specport build` failures that happen before any container: one message, non-zero, no output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SPEC = """\
Name: tiny
Version: 1.0
Release: 1%{?dist}
Summary: tiny
License: MIT
Source0: https://example.invalid/tiny-1.0.tar.gz
Source1: tiny.conf
%description
tiny
%prep
%build
%install
%files
"""


def specport(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "specport", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    spec = tmp_path / "tiny.spec"
    spec.write_text(SPEC)
    return spec


def test_missing_sources_are_listed_in_one_error(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = specport("build", "-t", "debian-12,el8-php7.4", "-o", str(out), str(tiny))
    assert proc.returncode != 0
    errors = [line for line in proc.stderr.splitlines() if line.startswith("specport: error:")]
    assert len(errors) == 1
    assert "tiny-1.0.tar.gz (Source0, https://example.invalid/tiny-1.0.tar.gz)" in errors[0]
    assert "tiny.conf (Source1)" in errors[0]
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_unknown_target(tiny: Path, tmp_path: Path) -> None:
    proc = specport("build", "-t", "debain-12", "-o", str(tmp_path / "out"), str(tiny))
    assert proc.returncode == 2
    assert "unknown target 'debain-12'; did you mean debian-12" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_stopped_engine(tiny: Path, tmp_path: Path) -> None:
    (tmp_path / "tiny-1.0.tar.gz").write_bytes(b"")
    (tmp_path / "tiny.conf").write_text("")
    env = {"PATH": "/usr/bin:/bin", "DOCKER_HOST": f"unix://{tmp_path}/no-engine.sock"}
    proc = specport("build", "-t", "debian-12", "-o", str(tmp_path / "out"), str(tiny), env=env)
    assert proc.returncode != 0
    assert proc.stderr.count("specport: error:") == 1
    assert "no container engine answers" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_each_command_is_loaded_from_the_module_that_defines_it() -> None:
    """cli.COMMANDS names the module of every command; a running command loads only its own."""
    import click

    from specport.cli import COMMANDS, cli

    ctx = click.Context(cli)
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None and command.name == name
        assert command.callback is not None
    assert set(cli.commands) == set(COMMANDS)  # no module registers a command not listed
    probe = (
        "import sys, click; from specport.cli import cli;"
        "cli.get_command(click.Context(cli), 'targets');"
        "print(sorted(m for m in sys.modules if m.startswith('specport.commands.')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True
    ).stdout
    assert "specport.commands.targets" in loaded
    assert "specport.commands.publish" not in loaded and "specport.commands.build" not in loaded


def test_builders_holds_the_internal_images_and_images_is_free(tmp_path: Path) -> None:
    """`specport builders` manages base, builder and sandbox images; `specport images` is the
    user's PHP images (no alias between them)."""
    listed = specport("builders", "--help")
    assert listed.returncode == 0, listed.stderr
    for sub in ("bootstrap", "build", "list", "stale", "prune", "run"):
        assert sub in listed.stdout
    # `specport images` is the user's images (issue 23), never an alias of the internal ones
    user = specport("images", "--help")
    assert user.returncode == 0, user.stderr
    for sub in ("affected", "rebuild", "promote"):
        assert sub in user.stdout
    assert "bootstrap" not in user.stdout and "stale" not in user.stdout
