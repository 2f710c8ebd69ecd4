"""The shared result cache: two cache directories exchange a result through an OCI registry.

The registry is Debian's `docker-registry` (the CNCF distribution registry), run on 127.0.0.1
with a temporary config for this test module; it is skipped where that package is not
installed (`apt-get install docker-registry`).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_cache import _prepared, _stored

from specport.building.resultcache import ResultCache, key_inputs
from specport.cache.oci import AUTH_ENV, OciStore, parse_url
from specport.cache.trust import Trust
from specport.errors import ConfigError
from specport.fetch import request


def trust() -> Trust:
    """The machines of these tests sign what they push and verify what they pull with one key."""
    from test_repo_support import test_key

    key = test_key()
    return Trust(verify_key=key.public_path, signing_key=key.secret_path)


REGISTRY = shutil.which("docker-registry")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# a fixed test login: bcrypt of "secret" (htpasswd -B), for the registry that wants one
LOGIN = ("ci", "secret", "$2b$12$1CoQOvabmqkLHbE49uqLrOvnUpvUdW09G85YDTpw.emT6Hjpq44XS")


def _serve(root: Path, extra: str = "") -> Iterator[str]:
    if REGISTRY is None:
        pytest.skip("no docker-registry here (Debian package docker-registry)")
    port = _free_port()
    config = root / "config.yml"
    config.write_text(
        "version: 0.1\nlog:\n  level: warn\n"
        f"storage:\n  filesystem:\n    rootdirectory: {root / 'data'}\n"
        f"http:\n  addr: 127.0.0.1:{port}\n{extra}"
    )
    with (root / "registry.log").open("wb") as out:
        proc = subprocess.Popen([REGISTRY, "serve", str(config)], stdout=out, stderr=out)
    try:
        for _ in range(100):
            try:
                if request("GET", f"http://127.0.0.1:{port}/v2/", timeout=2).status in (200, 401):
                    break
            except Exception:  # not listening yet
                pass
            time.sleep(0.1)
        else:
            pytest.fail(f"docker-registry did not start: {(root / 'registry.log').read_text()}")
        yield f"oci+http://127.0.0.1:{port}/specport/results"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _serve(tmp_path_factory.mktemp("registry"))


@pytest.fixture(scope="module")
def registry_with_login(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("registry-login")
    (root / "htpasswd").write_text(f"{LOGIN[0]}:{LOGIN[2]}\n")
    auth = f"auth:\n  htpasswd:\n    realm: specport-test\n    path: {root / 'htpasswd'}\n"
    yield from _serve(root, auth)


def test_two_cache_directories_exchange_a_result(registry: str, tmp_path: Path) -> None:
    prep = _prepared(tmp_path)
    first = ResultCache(tmp_path / "machine-1", registry, trust())
    inputs, pkg = _stored(tmp_path, first, prep)  # a build on one machine: stored, pushed
    second = ResultCache(tmp_path / "machine-2", registry, trust())
    log = tmp_path / "stage" / "x.log"
    log.parent.mkdir()
    log.write_text("# specport build x.spec for debian-12\n")
    entry = second.restore(inputs, tmp_path / "stage" / "result", log)
    assert entry is not None and entry.lock == ("gcc=4:12.2.0-3",)
    assert (tmp_path / "stage" / "result" / pkg.name).read_bytes() == pkg.read_bytes()
    assert registry in log.read_text() and "# the build's log" in log.read_text()
    # kept locally: the next lookup on machine 2 needs no registry
    assert second.local.get(inputs.key()) == entry


def test_a_key_the_registry_lacks_is_a_miss(registry: str, tmp_path: Path) -> None:
    prep = _prepared(tmp_path)
    cache = ResultCache(tmp_path / "c", registry, trust())
    inputs = key_inputs(prep, "sha256:not-built", [], lintian=True)
    log = tmp_path / "x.log"
    log.write_text("")
    assert cache.restore(inputs, tmp_path / "out", log) is None


def test_an_unreachable_registry_is_a_warned_miss(tmp_path: Path) -> None:
    prep = _prepared(tmp_path)
    cache = ResultCache(tmp_path / "c", f"oci+http://127.0.0.1:{_free_port()}/specport/r", trust())
    inputs = key_inputs(prep, "sha256:aaa", [], lintian=True)
    log = tmp_path / "x.log"
    log.write_text("")
    assert cache.restore(inputs, tmp_path / "out", log) is None
    assert cache._shared_down


@pytest.mark.parametrize("url", ["s3://bucket/x", "oci://host", "registry:5000/x", "oci:///r"])
def test_bad_shared_cache_urls(url: str) -> None:
    with pytest.raises(ConfigError, match="oci://HOST"):
        OciStore(url)


def test_url_forms() -> None:
    assert parse_url("oci://reg.example.org/Team/Results").base == "https://reg.example.org"
    assert parse_url("oci://reg.example.org/Team/Results").repository == "team/results"
    assert parse_url("oci+http://127.0.0.1:5000/r").base == "http://127.0.0.1:5000"


def test_a_registry_that_wants_a_login(
    registry_with_login: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prep = _prepared(tmp_path)
    monkeypatch.delenv(AUTH_ENV, raising=False)
    without = ResultCache(tmp_path / "anon", registry_with_login, trust())
    inputs, _ = _stored(tmp_path, without, prep)  # the push fails: a warning, not an error
    assert without._shared_down
    monkeypatch.setenv(AUTH_ENV, f"{LOGIN[0]}:{LOGIN[1]}")
    first = ResultCache(tmp_path / "machine-1", registry_with_login, trust())
    _stored(tmp_path, first, prep)
    assert not first._shared_down
    second = ResultCache(tmp_path / "machine-2", registry_with_login, trust())
    log = tmp_path / "x.log"
    log.write_text("")
    assert second.restore(inputs, tmp_path / "out", log) is not None
    monkeypatch.setenv(AUTH_ENV, f"{LOGIN[0]}:wrong")
    third = ResultCache(tmp_path / "machine-3", registry_with_login, trust())
    assert third.restore(inputs, tmp_path / "out3", log) is None and third._shared_down
