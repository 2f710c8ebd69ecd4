"""The result cache trusts no entry: a local entry or one from the shared registry (written by
other machines) whose names would be paths, or whose JSON is broken, is a miss; nothing is
written outside the cache and the build's output; `cache prune` never deletes through a link,
even one that appears while it runs."""

from __future__ import annotations

import contextlib
import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specport.building.resultcache import ResultCache
from specport.cache.oci import TITLE, UntrustedEntry, _parse_manifest
from specport.cache.store import ENTRY, FILES, BadEntry, Entry, LocalStore, prune_files

KEY = "a" * 64
DIGEST = "0" * 64


def _doc(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "key": KEY,
        "spec": "x.spec",
        "target": "debian-12",
        "created": 1.0,
        "packages": [["x_1-1+deb12_all.deb", DIGEST]],
        "log": "x.log",
        "lint": [],
        "lock": [],
        "inputs": {},
    }
    doc.update(changes)
    return doc


@pytest.mark.parametrize(
    "changes",
    [
        {"packages": [["../../escape.deb", DIGEST]]},
        {"packages": [["..", DIGEST]]},
        {"packages": [["/etc/passwd.deb", DIGEST]]},
        {"packages": [["sub/x.deb", DIGEST]]},
        {"packages": [["x\nforeign.deb", DIGEST]]},
        {"packages": [["x.deb", "../x"]]},
        {"packages": []},
        {"packages": [["x.deb", DIGEST], ["x.deb", DIGEST]]},
        {"log": "../../escape.log"},
        {"log": "x_1-1+deb12_all.deb"},
        {"key": "../" * 20},
        {"created": "yesterday"},
        {"inputs": []},
        {"lint": "E: x"},
    ],
)
def test_an_entry_whose_names_would_be_paths_is_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(BadEntry):
        Entry.from_json(json.dumps(_doc(**changes)))


def test_a_local_entry_with_a_dotdot_name_is_a_miss_and_writes_nothing(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "cache")
    where = cache.local.path(KEY)
    (where / FILES).mkdir(parents=True)
    (where / FILES / "x.log").write_text("log\n")
    secret = tmp_path / "secret.deb"
    secret.write_text("a host file\n")
    doc = _doc(packages=[["../../../../secret.deb", DIGEST]])
    (where / ENTRY).write_text(json.dumps(doc))
    assert cache.local.get(KEY) is None
    assert cache.local.entries() == []
    out = tmp_path / "out" / "result"
    assert not out.exists()
    assert secret.read_text() == "a host file\n"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
        max_leaves=20,
    ),
    st.sampled_from(["packages", "log", "key", "created", "inputs", "lint", "lock", "spec"]),
)
def test_fuzz_entry_manifests_are_entries_or_bad_entries(value: object, field: str) -> None:
    text = json.dumps(_doc(**{field: value}))
    try:
        entry = Entry.from_json(text)
    except BadEntry:
        return
    # what passes is usable as it is: plain names, sha256 digests, the right types
    for name, digest in entry.packages:
        assert "/" not in name and name not in (".", "..") and len(digest) == 64
    assert "/" not in entry.log and isinstance(entry.created, float)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_fuzz_entry_bytes(data: bytes) -> None:
    with contextlib.suppress(BadEntry):
        Entry.from_json(data.decode("utf-8", errors="replace"))


def test_prune_never_deletes_through_a_link(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.deb").write_text("keep me\n")
    cache = tmp_path / "packages"
    (cache / "debian-12").mkdir(parents=True)
    (cache / "debian-12" / "a.deb").write_text("old\n")
    (cache / "el9").symlink_to(outside)
    (cache / "link.deb").symlink_to(outside / "precious.deb")
    assert prune_files(cache) == 3  # a.deb and the two links themselves
    assert (outside / "precious.deb").read_text() == "keep me\n"
    assert not cache.exists() or not any(cache.iterdir())


def test_prune_racing_a_writer_that_swaps_in_links(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    for k in range(5):
        (outside / f"p{k}.rpm").write_text("keep")
    cache = tmp_path / "packages"
    cache.mkdir()
    stop = threading.Event()

    def writer() -> None:
        # a directory of files, then the same name as a link to `outside`, over and over: a
        # pruner that lists the directory and then unlinks by path would delete through it
        n = 0
        while not stop.is_set():
            d = cache / f"repo-{n % 3}"
            try:
                if d.is_symlink():
                    d.unlink()
                d.mkdir(exist_ok=True)
                for k in range(5):
                    (d / f"p{k}.rpm").write_text("x")
                os.rename(d, cache / f".gone-{n}")
                d.symlink_to(outside)
            except OSError:
                pass
            n += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        for _ in range(300):
            prune_files(cache)
    finally:
        stop.set()
        thread.join()
    assert sorted(p.name for p in outside.iterdir()) == [f"p{k}.rpm" for k in range(5)]


def test_a_restore_copies_nothing_outside_its_output(tmp_path: Path) -> None:
    # an entry that passed from_json cannot name a path, so a hit writes into `out` only
    store = LocalStore(tmp_path / "cache")
    pkg = tmp_path / "x_1-1+deb12_all.deb"
    pkg.write_bytes(b"pkg")
    log = tmp_path / "x.log"
    log.write_text("log\n")
    from specport.digest import file_sha256

    entry = Entry(KEY, "x.spec", "debian-12", 1.0, ((pkg.name, file_sha256(pkg)),), log.name)
    store.put(entry, [pkg], log)
    with pytest.raises(BadEntry):
        store.put(
            Entry("b" * 64, "x.spec", "debian-12", 1.0, (("../x.deb", DIGEST),), log.name),
            [pkg],
            log,
        )
    assert store.get(KEY) == entry


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=25,
)
_DESCRIPTOR = st.fixed_dictionaries(
    {"digest": st.sampled_from(["sha256:" + "1" * 64, "sha256:../../x", "", "sha256:" + "z" * 64])},
    optional={"annotations": st.dictionaries(st.just(TITLE), _JSON | st.text(max_size=20))},
)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        _JSON,
        st.fixed_dictionaries(
            {"config": _DESCRIPTOR | _JSON, "layers": st.lists(_DESCRIPTOR | _JSON, max_size=4)}
        ),
    )
)
def test_fuzz_oci_manifests_parse_or_are_untrusted(doc: object) -> None:
    try:
        config, layers = _parse_manifest(json.dumps(doc).encode(), KEY)
    except UntrustedEntry:
        return
    # what passes names blobs by sha256 only (they become registry URLs) and titles as text
    for descriptor in [config, *(d for _, d in layers)]:
        assert descriptor["digest"] == "sha256:" + "1" * 64
    assert all(isinstance(title, str) for title, _ in layers)
