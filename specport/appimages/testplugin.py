"""pytest plugin for the tests of the user's images (images/<name>/tests/test_*.py).

Its `image` fixture (one per test session) is a throwaway container of the image under test,
without network, with the image's own command started as `docker run` would start it:

    def test_serves_the_page(image):
        answer = image.http_get("/")
        assert answer.status == 200 and "Hello" in answer.body

    def test_has_yaml(image):
        assert "yaml" in image.run(["php", "-m"]).output
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from specport.appimages import imagetests, probes
from specport.appimages.smoke import STEP_TIMEOUT, http_get, start_service
from specport.container.engine import connect
from specport.container.runs import RunResult, Throwaway


class ImageUnderTest:
    def __init__(self, box: Throwaway, ref: str, target: str, port: int) -> None:
        self.box = box
        self.ref = ref
        self.target = target
        self.port = port

    def run(
        self, cmd: list[str] | str, *, user: str | None = None, timeout: float = STEP_TIMEOUT
    ) -> RunResult:
        """A command in the container (a string runs under bash -c); never raises on exit."""
        return self.box.run(cmd, timeout=timeout, user=user, check=False)

    def http_get(self, path: str = "/", port: int | None = None) -> probes.HttpAnswer:
        """GET path (asked again while a gateway answers 502-504: still starting)."""
        return http_get(self.box, port or self.port, path)


@pytest.fixture(scope="session")
def image() -> Iterator[ImageUnderTest]:
    ref = os.environ.get(imagetests.ENV_IMAGE)
    if not ref:
        pytest.fail(
            f"${imagetests.ENV_IMAGE} is not set: run these tests by `specport images test`"
        )
    engine = connect()
    log_path = Path(os.environ.get(imagetests.ENV_LOG) or "/dev/null")
    with Throwaway(engine, ref, log_path=log_path, purpose="image-tests", network=False) as box:
        start_service(engine, box, ref)
        yield ImageUnderTest(
            box,
            ref,
            os.environ.get(imagetests.ENV_TARGET, ""),
            int(os.environ.get(imagetests.ENV_PORT) or 0),
        )
