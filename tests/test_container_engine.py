"""The engine door without an engine: fast, one-line failures; Docker vs Podman detection."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from specport.container.engine import connect, engine_kind
from specport.errors import EngineError


def test_dead_socket_fails_fast(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/dead.sock")
    started = time.monotonic()
    with pytest.raises(EngineError, match="no container engine answers at unix://") as exc:
        connect()
    assert time.monotonic() - started < 3
    assert exc.value.hint and "DOCKER_HOST" in exc.value.hint


@pytest.mark.parametrize(
    "argv",
    [["doctor"], ["builders", "build", "--target", "debian-12"], ["builders", "stale"]],
    ids=["doctor", "images-build", "images-stale"],
)
def test_commands_fail_fast_without_engine(tmp_path: Path, argv: list[str]) -> None:
    env = {**os.environ, "DOCKER_HOST": f"unix://{tmp_path}/dead.sock"}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "specport", *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        cwd=tmp_path,
    )
    assert time.monotonic() - started < 10
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("specport: error: no container engine answers at unix://")
    assert "Traceback" not in done.stderr


def test_engine_kind() -> None:
    docker_info = {"Components": [{"Name": "Engine", "Version": "20.10.24"}], "Version": "20.10"}
    podman_info = {
        "Platform": {"Name": "linux/amd64/debian-12"},
        "Components": [{"Name": "Podman Engine", "Version": "4.3.1"}],
    }
    assert engine_kind(docker_info) == "Docker"
    assert engine_kind(podman_info) == "Podman"
