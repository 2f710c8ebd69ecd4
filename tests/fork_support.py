"""Shared by the fork tests: fixture data, the made-up greet upstream, the CLI in-process."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

import pytest

from specport.cli import main

DATA = Path(__file__).parent / "data" / "fork"
_spec = importlib.util.spec_from_file_location("greet_upstream", DATA / "greet_upstream.py")
assert _spec and _spec.loader
upstream = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(upstream)

Run = Callable[..., tuple[int, str, str]]


def cli_runner(capsys: pytest.CaptureFixture[str]) -> Run:
    """specport's main() in this process: (exit code, stdout, stderr) of one call."""

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        with pytest.raises(SystemExit) as done:
            main(list(args))
        out, err = capsys.readouterr()
        return int(done.value.code or 0), out, err

    return run
