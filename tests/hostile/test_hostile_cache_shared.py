"""Hostile entries in the shared result cache, served by a real registry (Debian's
docker-registry on 127.0.0.1, as tests/test_cache_shared.py runs it): each is a warning and a
miss, nothing of it is kept, nothing is written outside the cache and the output, and the
registry stays in use for the next key. Entries are used only when signed by the key the
user names (shared_cache_key)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hostile_support import Contained
from test_cache import _prepared, _stored
from test_cache_shared import _serve, trust
from test_repo_support import test_key

from specport.building.resultcache import ResultCache, key_inputs
from specport.cache.oci import CONFIG_TYPE, FILE_TYPE, MANIFEST_TYPE, OciStore
from specport.cache.store import Entry
from specport.cache.trust import Trust


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _serve(tmp_path_factory.mktemp("hostile-registry"))


def _push_raw(
    url: str,
    key: str,
    config: bytes,
    files: dict[str, bytes],
    sign: Callable[[bytes], bytes] | None = None,
) -> None:
    """A manifest as a hostile machine would write it: any entry, any titles."""
    store = OciStore(url)
    layers = [store._layer(FILE_TYPE, title, data) for title, data in files.items()]
    if sign is not None:
        layers.append(store._layer("application/pgp-signature", "entry.json.asc", sign(config)))
    manifest: dict[str, Any] = {
        "schemaVersion": 2,
        "mediaType": MANIFEST_TYPE,
        "config": {"mediaType": CONFIG_TYPE, "digest": store._upload(config), "size": len(config)},
        "layers": layers,
    }
    reply = store._request(
        "PUT",
        store.registry.url(f"manifests/{key}"),
        data=json.dumps(manifest).encode(),
        headers={"Content-Type": MANIFEST_TYPE},
    )
    assert reply.status == 201, reply.body[:300]


def _entry(key: str, **changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "key": key,
        "spec": "x.spec",
        "target": "debian-12",
        "created": 1.0,
        "packages": [["x_1-1+deb12_amd64.deb", file_sha256_bytes(b"a package")]],
        "log": "x.log",
        "lint": [],
        "lock": [],
        "inputs": {},
    }
    doc.update(changes)
    return doc


def file_sha256_bytes(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _restore(cache: ResultCache, inputs: Any, tmp_path: Path) -> Entry | None:
    log = tmp_path / "stage" / "x.log"
    log.parent.mkdir(exist_ok=True)
    log.write_text("# header\n")
    return cache.restore(inputs, tmp_path / "stage" / "result", log)


PACKAGE = b"a package"


@pytest.mark.parametrize(
    "case",
    [
        "dotdot-package",
        "dotdot-title",
        "not-json",
        "other-key",
        "bad-bytes",
        "missing-file",
        "unsigned",
        "signed-by-another-key",
        "signature-of-other-bytes",
    ],
)
def test_a_hostile_shared_entry_is_a_warned_miss(
    case: str, registry: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    box = Contained(tmp_path)
    prep = _prepared(tmp_path)
    inputs = key_inputs(prep, f"sha256:{case}", [], lintian=True)
    key = inputs.key()
    good = trust()
    doc = _entry(key)
    files = {"x_1-1+deb12_amd64.deb": PACKAGE, "x.log": b"# log\n"}
    sign: Callable[[bytes], bytes] | None = good.sign
    if case == "dotdot-package":
        # signed by the trusted key, even: names that would be paths are never taken
        doc["packages"] = [["../../../../escape.deb", file_sha256_bytes(PACKAGE)]]
        files = {"../../../../escape.deb": PACKAGE, "x.log": b"# log\n"}
    elif case == "dotdot-title":
        files["../../../escape.deb"] = PACKAGE
        files.pop("x_1-1+deb12_amd64.deb")
    elif case == "other-key":
        doc["key"] = "f" * 64
    elif case == "bad-bytes":
        files["x_1-1+deb12_amd64.deb"] = b"another package"
    elif case == "missing-file":
        files.pop("x.log")
    elif case == "unsigned":
        sign = None
    elif case == "signed-by-another-key":
        other = test_key("ed25519")
        sign = Trust(signing_key=other.secret_path).sign
    elif case == "signature-of-other-bytes":
        sign = lambda data: good.sign(data + b" ")  # noqa: E731
    config = b"{not json" if case == "not-json" else json.dumps(doc).encode()
    _push_raw(registry, key, config, files, sign)
    box.settle()
    cache = ResultCache(tmp_path / "cache", registry, good)
    assert _restore(cache, inputs, tmp_path) is None
    err = capsys.readouterr().err
    assert "a miss" in err and "Traceback" not in err, err
    assert not cache._shared_down  # the registry itself is still used
    assert cache.local.entries() == []
    result = tmp_path / "stage" / "result"
    assert not result.exists() or not any(result.iterdir())
    box.check([err], allowed=[tmp_path / "cache", tmp_path / "stage"])
    assert not list(tmp_path.rglob("escape.deb"))


def test_without_a_verification_key_nothing_is_pulled(
    registry: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prep = _prepared(tmp_path)
    signer = ResultCache(tmp_path / "machine-1", registry, trust())
    inputs, _ = _stored(tmp_path, signer, prep)
    reader = ResultCache(tmp_path / "machine-2", registry, Trust())
    assert _restore(reader, inputs, tmp_path) is None
    assert _restore(reader, inputs, tmp_path) is None
    warnings = [ln for ln in capsys.readouterr().err.splitlines() if "shared_cache_key" in ln]
    assert len(warnings) == 1  # once a run
    # the same entry, with the key: a hit
    trusting = ResultCache(tmp_path / "machine-3", registry, trust())
    assert _restore(trusting, inputs, tmp_path) is not None


def test_without_a_signing_key_nothing_is_pushed(registry: str, tmp_path: Path) -> None:
    prep = _prepared(tmp_path)
    key = test_key()
    unsigned = ResultCache(tmp_path / "machine-1", registry, Trust(verify_key=key.public_path))
    inputs, _ = _stored(tmp_path, unsigned, prep)
    assert unsigned.local.get(inputs.key()) is not None  # kept locally all the same
    reply = OciStore(registry)._request(
        "GET", OciStore(registry).registry.url(f"manifests/{inputs.key()}")
    )
    assert reply.status == 404
