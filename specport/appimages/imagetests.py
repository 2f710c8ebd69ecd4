"""The pytest files of images/<name>/tests/, run against a built image.

pytest runs in a child process with specport's plugin (testplugin.py), whose `image` fixture is
a throwaway container of the image under test, its own command started; tests call
`image.run(...)` and `image.http_get(...)`. pytest is needed only when an image has tests.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from specport.appimages.model import Unit
from specport.run import run

TESTS_TIMEOUT = 1800.0
ENV_IMAGE = "SPECPORT_TEST_IMAGE"
ENV_TARGET = "SPECPORT_TEST_TARGET"
ENV_PORT = "SPECPORT_TEST_PORT"
ENV_LOG = "SPECPORT_TEST_LOG"


@dataclass(frozen=True)
class TestsResult:
    ran: bool  # False: the image has no test files
    ok: bool
    summary: str

    __test__ = False  # not a test class (pytest collects Test* names)


def test_files(unit: Unit) -> list[Path]:
    folder = unit.image.tests_dir
    return sorted(folder.glob("test_*.py")) if folder.is_dir() else []


test_files.__test__ = False  # type: ignore[attr-defined]


def run_tests(unit: Unit, ref: str, log_path: Path) -> TestsResult:
    files = test_files(unit)
    if not files:
        return TestsResult(False, True, "no tests/test_*.py")
    if importlib.util.find_spec("pytest") is None:
        return TestsResult(True, False, f"{unit.image.tests_dir} needs pytest (pip install pytest)")
    folder = unit.image.tests_dir
    env = {
        **os.environ,
        ENV_IMAGE: ref,
        ENV_TARGET: unit.target.name,
        ENV_PORT: str(unit.image.port),
        ENV_LOG: str(log_path.with_suffix(".containers.log")),
    }
    argv = [
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
        "-p", "specport.appimages.testplugin", "-c", os.devnull, "--rootdir", str(folder),
        *map(str, files),
    ]  # fmt: skip
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_path.write_text("")
    done = run(argv, timeout=TESTS_TIMEOUT, env=env, log_path=log_path, check=False, cwd=folder)
    lines = log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    summary = lines[-1].strip("= ") if lines else "no output"
    return TestsResult(True, done.ok, f"pytest {folder.name}/: {summary}")
