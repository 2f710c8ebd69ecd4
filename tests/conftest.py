"""Shared fixtures: the container engine, and ready base/builder images per target.

Container tests use the engine at $DOCKER_HOST (default socket); point it at Podman's service to
run them against Podman. Without an engine they skip, unless SPECPORT_REQUIRE_ENGINE=1 (CI),
where a missing engine fails instead. Images are made through specport's own functions (bootstrap
with mmdebstrap, then `builders build`), each at most once per session and only when a test asks.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# the fast suite translates names with the rule data; tests of the package index set their own
# cache and mode (tests/test_index*.py), so no test fetches an index unless it means to
os.environ.setdefault("SPECPORT_INDEX", "off")
# a result cache of this test run's own: CI's cache directory persists between runs, and a hit
# from an earlier run would skip the very builds the container tests are about
if "SPECPORT_RESULT_CACHE" not in os.environ:
    _RESULTS = tempfile.mkdtemp(prefix="specport-test-results-")
    os.environ["SPECPORT_RESULT_CACHE"] = _RESULTS
    atexit.register(shutil.rmtree, _RESULTS, True)  # a test run leaves no directory behind


@pytest.fixture(autouse=True)
def _fast_sandbox(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast suite reads specs in bwrap (no container starts); container tests choose."""
    if request.node.get_closest_marker("container") is None:
        monkeypatch.setenv("SPECPORT_SANDBOX", "bwrap")


def engine_or_fail() -> object:
    """A connected Engine for helpers outside fixtures: skips without one, or fails under
    SPECPORT_REQUIRE_ENGINE=1 (CI), like the `engine` fixture."""
    from specport.container.engine import connect
    from specport.errors import EngineError

    try:
        return connect()
    except EngineError as exc:
        if os.environ.get("SPECPORT_REQUIRE_ENGINE") == "1":
            pytest.fail(f"no container engine, and SPECPORT_REQUIRE_ENGINE=1: {exc}")
        pytest.skip(f"no container engine: {exc}")


@pytest.fixture(scope="session")
def engine() -> Iterator[object]:
    """The connected Engine; skips (or fails with SPECPORT_REQUIRE_ENGINE=1) without one."""
    from specport.container.engine import connect
    from specport.errors import EngineError

    try:
        eng = connect()
    except EngineError as exc:
        if os.environ.get("SPECPORT_REQUIRE_ENGINE") == "1":
            pytest.fail(f"no container engine, and SPECPORT_REQUIRE_ENGINE=1: {exc}")
        pytest.skip(f"no container engine: {exc}")
    yield eng
    eng.close()


@pytest.fixture(scope="session")
def base_images(engine: object) -> Callable[[str], str]:
    """base_images("debian-12") -> the target's base image, bootstrapped when missing."""
    from specport.config import load_config
    from specport.images.kinds import ensure_base_image

    config = load_config(None)
    made: dict[str, str] = {}

    def get(name: str) -> str:
        if name not in made:
            made[name] = ensure_base_image(engine, config.targets[name], config.settings)  # type: ignore[arg-type]
        return made[name]

    return get


@pytest.fixture(scope="session")
def builder_images(engine: object) -> Callable[[str], str]:
    """builder_images("debian-12") -> "specport/builder:debian-12", built when missing/stale."""
    from specport.config import load_config
    from specport.images.kinds import ensure_builder_image

    config = load_config(None)
    made: dict[str, str] = {}

    def get(name: str) -> str:
        if name not in made:
            made[name] = ensure_builder_image(engine, config.targets[name], config.settings)  # type: ignore[arg-type]
        return made[name]

    return get


# the upstream sources of every example spec, from Debian's source packages
EXAMPLE_SOURCES = ("hello", "php-igbinary@trixie", "php-psr-log", "php-yaml@trixie")


@pytest.fixture(scope="session")
def example_lookaside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A flat lookaside with the example specs' sources, fetched once per session."""
    out = tmp_path_factory.mktemp("lookaside")
    subprocess.run(
        [sys.executable, str(REPO / "tools" / "debian_sources.py"), "--out", str(out),
         *EXAMPLE_SOURCES],
        check=True, capture_output=True, timeout=900,
    )  # fmt: skip
    return out


@pytest.fixture(scope="session")
def dnf_standin(engine: object, builder_images: Callable[[str], str]) -> str:
    """The EL stand-in with dnf: the debian-12 builder image plus Debian's dnf (dnf_support)."""
    from dnf_support import standin_image

    return standin_image(engine, builder_images("debian-12"))  # type: ignore[no-any-return]
