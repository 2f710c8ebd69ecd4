"""Issue 23's flow on a real engine, real debbuild packages and a real registry (Debian's
docker-registry on 127.0.0.1): publish packages, build php-base and the images FROM it and
beside it, promote; publish a new release of a package php-base holds: exactly php-base and its
child are affected, rebuilt parent first, tested, and their release tags move to the new
digests; an unchanged publish rebuilds nothing; a release that breaks loading fails the smoke
test and leaves the release tags where they were."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from appimages_flow import (
    SPECS,
    broken_release,
    build_and_publish,
    images_tree,
    next_release,
    registry_digest,
    specport,
)
from test_cache_shared import _serve
from test_repo_support import bridge_gateway, engine_or_skip, serve, test_key

from specport.appimages import api
from specport.config import load_config

pytestmark = pytest.mark.container

SUFFIX = "-t23"
BASE, APP, STACK = (f"php-base{SUFFIX}", f"php-app{SUFFIX}", f"php-stack{SUFFIX}")


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    for url in _serve(tmp_path_factory.mktemp("images-registry")):
        yield url.removeprefix("oci+http://").rsplit("/", 1)[0]  # 127.0.0.1:PORT/specport


def _records(state: Path, image: str, which: str = "current.json") -> dict:  # type: ignore[type-arg]
    return json.loads((state / image / "debian-12" / which).read_text())  # type: ignore[no-any-return]


def test_publish_affects_rebuilds_and_promotes_images(
    example_lookaside: Path, registry: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = engine_or_skip()
    key = test_key().secret_path
    repo, state, hook_out = tmp_path / "srv" / "repo", tmp_path / "state", tmp_path / "hook.jsonl"
    tree = images_tree(tmp_path / "images", SUFFIX)
    igbinary, yaml = SPECS / "php-pecl-igbinary.spec", SPECS / "php-pecl-yaml.spec"
    build_and_publish([igbinary, yaml], example_lookaside, tmp_path / "d1", repo, key, {})
    with serve(tmp_path / "srv", bridge_gateway(engine)) as url:
        env = {
            "SPECPORT_REPO_URL": f"{url}/repo",
            "SPECPORT_REPO_DIR": str(repo),
            "SPECPORT_IMAGES_DIR": str(tree),
            "SPECPORT_IMAGES_STATE": str(state),
            "SPECPORT_IMAGES_REGISTRY": registry,
            "SPECPORT_IMAGES_HOOK": f"sh -c 'cat >> {hook_out}'",
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)

        # first builds: all three promoted, the release tags name the tested digests
        built, first_seconds = specport("images", "build", "--target", "debian-12", "--json")
        assert built.returncode == 0, built.stderr[-3000:]
        states = {o["image"]: o["state"] for o in json.loads(built.stdout)}
        assert states == {BASE: "promoted", APP: "promoted", STACK: "promoted"}
        base1, app1 = _records(state, BASE), _records(state, APP)
        assert registry_digest(f"{registry}/php-base:latest") == base1["digest"]
        assert registry_digest(f"{registry}/php-app:debian-12") == app1["digest"]
        assert base1["why"] == ["first build"] and base1["tests"] == "passed"
        sbom = json.loads((state / BASE / "debian-12" / base1["sbom"]).read_text())
        assert any(c["name"] == "php-pecl-igbinary" for c in sbom["components"])

        # an unchanged key is a no-op, measured without the interpreter's start
        started = time.monotonic()
        again = api.build(load_config(), api.Where(targets="debian-12"))
        noop_seconds = time.monotonic() - started
        assert [o.state for o in again] == ["up to date"] * 3
        assert noop_seconds < 2.0, noop_seconds

        # a new release of igbinary, which php-base holds (and so php-app, FROM it)
        spec2 = next_release(igbinary, tmp_path / "specs2", "Rebuild for the images test")
        out = build_and_publish([spec2], example_lookaside, tmp_path / "d2", repo, key, {})
        assert "publish 2 recorded" in out
        listed, _ = specport("images", "affected", "--target", "debian-12", "--json")
        assert listed.returncode == 0, listed.stderr
        found = {a["image"]: a for a in json.loads(listed.stdout)}
        assert set(found) == {BASE, APP}  # not php-stack, which holds no igbinary
        assert found[BASE]["publishes"] == [2]
        assert "php-pecl-igbinary 3.2.16-1+deb12 -> 3.2.16-2+deb12" in found[BASE]["reasons"][0]
        assert any("built FROM" in r for r in found[APP]["reasons"])

        rebuilt, rebuild_seconds = specport("images", "rebuild", "--target", "debian-12")
        assert rebuilt.returncode == 0, rebuilt.stderr[-3000:]
        order = [ln.split("\t")[0] for ln in rebuilt.stdout.splitlines() if "\tpromoted\t" in ln]
        assert order == [BASE, APP]  # parent first
        base2, app2 = _records(state, BASE), _records(state, APP)
        assert base2["digest"] != base1["digest"] and app2["digest"] != app1["digest"]
        assert registry_digest(f"{registry}/php-base:latest") == base2["digest"]
        assert registry_digest(f"{registry}/php-base:8.2") == base2["digest"]
        assert registry_digest(f"{registry}/php-app:debian-12") == app2["digest"]
        held = {p["name"]: p["version"] for p in app2["manifest"]}
        assert held["php-pecl-igbinary"] == "3.2.16-2+deb12"
        assert any("3.2.16-1+deb12 -> 3.2.16-2+deb12" in w for w in base2["why"])
        assert any("parent changed" in w for w in app2["why"])
        assert _records(state, STACK)["digest"] != ""  # untouched
        hooked = json.loads(hook_out.read_text())  # the hook read the rebuild's JSON
        assert {o["image"] for o in hooked["outcomes"]} == {BASE, APP}

        # the same packages again: nothing recorded, nothing rebuilt
        same, same_seconds = specport(
            "publish", "--repo", repo, "--target", "debian-12", "--key-file", key,
            "--rebuild-images", tmp_path / "d2" / "debian-12",
        )  # fmt: skip
        assert same.returncode == 0, same.stderr
        assert "recorded" not in same.stdout and "no image is affected" in same.stdout

        # a release that breaks loading: php-base's smoke test fails, php-app is not built,
        # the release tags stay on the tested digests
        good = next((tmp_path / "d2" / "debian-12").glob("php-pecl-igbinary_*.deb"))
        bad = broken_release(good, tmp_path / "bad", "3.2.16-3+deb12")
        broke, _ = specport(
            "publish", "--repo", repo, "--target", "debian-12", "--key-file", key,
            "--rebuild-images", bad,
        )  # fmt: skip
        assert broke.returncode == 1, broke.stdout + broke.stderr
        lines = {ln.split("\t")[0]: ln for ln in broke.stdout.splitlines() if "\t" in ln}
        assert "\tfailed\t" in lines[BASE] and "release tags not moved" in lines[BASE]
        assert "php -m" in lines[BASE]
        assert "\tblocked\t" in lines[APP]
        assert registry_digest(f"{registry}/php-base:latest") == base2["digest"]
        assert registry_digest(f"{registry}/php-app:debian-12") == app2["digest"]
        assert _records(state, BASE)["digest"] == base2["digest"]  # the released build stays
        assert "3.2.16-3+deb12" in json.dumps(_records(state, BASE, "last.json")["manifest"])
    print(
        f"\nimages flow: first build of 3 images {first_seconds:.0f} s, no-op {noop_seconds:.2f} s,"
        f" publish->promoted rebuild of 2 images {rebuild_seconds:.0f} s,"
        f" unchanged publish --rebuild-images {same_seconds:.1f} s"
    )
