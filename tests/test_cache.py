"""The result cache without containers: what the key covers, the local store, the CLI."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from specport.building.plan import Pair
from specport.building.prepare import Prepared
from specport.building.resultcache import ResultCache, key_inputs
from specport.cache.key import KeyInputs
from specport.cache.store import Entry, LocalStore
from specport.cli import cli
from specport.commands.cache import parse_age
from specport.config import load_config
from specport.errors import UsageError
from specport.sandbox.specinfo import SpecInfo

SPEC = "Name: x\nVersion: 1\nRelease: 1%{?dist}\n"


def _prepared(tmp_path: Path, spec: str = SPEC) -> Prepared:
    work = tmp_path / "work"
    (work / "top" / "SPECS").mkdir(parents=True, exist_ok=True)
    (work / "top" / "SOURCES").mkdir(exist_ok=True)
    (work / "macros").mkdir(exist_ok=True)
    (work / "top" / "SPECS" / "x.spec").write_text(spec)
    (work / "top" / "SOURCES" / "x.tar.gz").write_bytes(b"source one")
    (work / "macros" / "macros.specport").write_text("%php_version 8.2\n")
    info = SpecInfo("x", "1", "1", "", (), ("gcc", "make"))
    target = load_config().targets["debian-12"]
    return Prepared(Pair(tmp_path / "x.spec", target), work, info, "x.spec", ["macros.specport"])


def _key(prep: Prepared, image: str = "sha256:aaa", lintian: bool = True) -> str:
    return key_inputs(prep, image, [], lintian=lintian).key()


def test_the_same_inputs_give_the_same_key(tmp_path: Path) -> None:
    prep = _prepared(tmp_path)
    assert _key(prep) == _key(prep)
    assert len(_key(prep)) == 64


@pytest.mark.parametrize("change", ["source", "macro", "spec", "image", "lintian", "deps"])
def test_each_input_changes_the_key(tmp_path: Path, change: str) -> None:
    prep = _prepared(tmp_path)
    before = _key(prep)
    image, lintian = "sha256:aaa", True
    if change == "source":
        (prep.work / "top" / "SOURCES" / "x.tar.gz").write_bytes(b"source two")
    elif change == "macro":
        (prep.work / "macros" / "macros.specport").write_text("%php_version 8.3\n")
    elif change == "spec":
        (prep.work / "top" / "SPECS" / "x.spec").write_text(SPEC + "License: MIT\n")
    elif change == "image":
        image = "sha256:bbb"
    elif change == "lintian":
        lintian = False
    else:
        prep.info = SpecInfo("x", "1", "1", "", (), ("gcc", "make", "gettext"))
    assert _key(prep, image, lintian) != before


def test_set_packages_are_part_of_the_key(tmp_path: Path) -> None:
    prep = _prepared(tmp_path)
    dep = tmp_path / "libfoo_1.0-1+deb12_amd64.deb"
    dep.write_bytes(b"one")
    first = key_inputs(prep, "sha256:aaa", [dep], lintian=True).key()
    dep.write_bytes(b"two")
    assert key_inputs(prep, "sha256:aaa", [dep], lintian=True).key() != first


def _stored(tmp_path: Path, cache: ResultCache, prep: Prepared) -> tuple[KeyInputs, Path]:
    inputs = key_inputs(prep, "sha256:aaa", [], lintian=True)
    pkg = tmp_path / "out" / "x_1-1+deb12_amd64.deb"
    pkg.parent.mkdir(exist_ok=True)
    pkg.write_bytes(b"a package")
    log = tmp_path / "out" / "x.log"
    log.write_text("# the build's log\n")
    cache.store(inputs.key(), inputs, [pkg], log, ["E: x: one"], ["gcc=4:12.2.0-3"])
    return inputs, pkg


def test_a_stored_result_is_restored_with_its_log(tmp_path: Path) -> None:
    prep = _prepared(tmp_path)
    cache = ResultCache(tmp_path / "cache")
    inputs, pkg = _stored(tmp_path, cache, prep)
    log = tmp_path / "stage" / "x.log"
    log.parent.mkdir()
    log.write_text("# specport build x.spec for debian-12\n")
    entry = cache.restore(inputs, tmp_path / "stage" / "result", log)
    assert entry is not None
    assert entry.lint == ("E: x: one",) and entry.lock == ("gcc=4:12.2.0-3",)
    assert (tmp_path / "stage" / "result" / pkg.name).read_bytes() == b"a package"
    text = log.read_text()
    assert "no build container was started" in text and "# the build's log" in text
    # another key (another image) is a miss
    other = key_inputs(prep, "sha256:bbb", [], lintian=True)
    assert cache.restore(other, tmp_path / "stage" / "r2", log) is None


def test_a_damaged_entry_is_a_miss_and_removed(tmp_path: Path) -> None:
    prep = _prepared(tmp_path)
    cache = ResultCache(tmp_path / "cache")
    inputs, pkg = _stored(tmp_path, cache, prep)
    stored = cache.local.path(inputs.key()) / "files" / pkg.name
    stored.write_bytes(b"changed on disk")
    assert cache.local.get(inputs.key()) is None
    assert not cache.local.path(inputs.key()).exists()


def test_an_existing_entry_stays(tmp_path: Path) -> None:
    prep = _prepared(tmp_path)
    cache = ResultCache(tmp_path / "cache")
    inputs, _ = _stored(tmp_path, cache, prep)
    first = cache.local.get(inputs.key())
    _stored(tmp_path, cache, prep)
    assert cache.local.get(inputs.key()) == first
    assert [e.key for e in cache.local.entries()] == [inputs.key()]


def test_prune_by_age(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    for n, age in (("a", 10 * 86400), ("b", 60)):
        pkg = tmp_path / f"{n}.deb"
        pkg.write_bytes(n.encode())
        log = tmp_path / f"{n}.log"
        log.write_text(n)
        key, digest = n * 64, "0" * 64
        store.put(
            Entry(key, f"{n}.spec", "debian-12", time.time() - age, (("a.deb", digest),), log.name),
            [],
            log,
        )
    # the entries' package digests are never checked here: entries() and prune() read
    # entry.json only
    assert [e.spec for e in store.prune(parse_age("7d"))] == ["a.spec"]
    assert [e.spec for e in store.entries()] == ["b.spec"]
    assert [e.spec for e in store.prune(None)] == ["b.spec"]


def test_parse_age() -> None:
    assert parse_age("30") == 30 * 86400
    assert parse_age("12h") == 12 * 3600
    assert parse_age("2w") == 14 * 86400
    with pytest.raises(UsageError):
        parse_age("soon")


def test_cache_list_and_prune_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "specport.toml"
    config.write_text("")
    monkeypatch.setenv("SPECPORT_CACHE_DIR", str(tmp_path / "c"))  # as CI sets it
    monkeypatch.delenv("SPECPORT_RESULT_CACHE", raising=False)
    prep = _prepared(tmp_path)
    cache = ResultCache(tmp_path / "c" / "results")
    _stored(tmp_path, cache, prep)
    runner = CliRunner()
    listed = runner.invoke(cli, ["--config", str(config), "cache", "list"])
    assert listed.exit_code == 0, listed.output
    assert "x.spec" in listed.output and "debian-12" in listed.output
    bad = runner.invoke(cli, ["--config", str(config), "cache", "prune", "--older-than", "x"])
    assert isinstance(bad.exception, UsageError) and "--older-than" in str(bad.exception)
    verdict = tmp_path / "c" / "lintian" / "k.json"  # lintverdict's and the sandbox's caches
    answer = tmp_path / "c" / "spec-answers" / "k.json"
    package = tmp_path / "c" / "packages" / "el8-php7.4" / "repo-0123" / "packages" / "a.rpm"
    for path in (verdict, answer, package):
        path.parent.mkdir(parents=True)
        path.write_text("[]")
    kept = runner.invoke(cli, ["--config", str(config), "cache", "prune", "--older-than", "1d"])
    assert kept.exit_code == 0 and cache.local.entries()
    assert verdict.exists() and answer.exists()
    gone = runner.invoke(cli, ["--config", str(config), "cache", "prune"])
    assert gone.exit_code == 0 and not cache.local.entries()
    assert not verdict.exists() and not answer.exists()
    assert not (tmp_path / "c" / "packages" / "el8-php7.4").exists()  # emptied dirs go too
    assert "1 lintian verdicts removed" in gone.output and "1 spec answers removed" in gone.output


def test_lintian_verdict_key_follows_the_files_the_image_and_the_command() -> None:
    from specport.building.lintverdict import verdict_key

    a, b = "a" * 64, "b" * 64
    hashes = f"dpkg-deb: building package 'x'\n{a}  x_1_amd64.deb\n{b}  x-dev_1_amd64.deb\n"
    key = verdict_key("sha256:1", hashes, "lintian x")
    assert key is not None and key == verdict_key("sha256:1", hashes, "lintian x")
    assert verdict_key("sha256:1", hashes.replace("aaa", "aab"), "lintian x") != key  # bytes
    assert verdict_key("sha256:2", hashes, "lintian x") != key  # another image: its lintian
    assert verdict_key("sha256:1", hashes, "lintian --suppress-tags y x") != key  # suppressions
    assert verdict_key("sha256:1", "dpkg-deb: building\n", "lintian x") is None  # no .deb
    assert verdict_key("", hashes, "lintian x") is None  # no image id: no verdict


def test_the_maintainer_is_part_of_the_key(tmp_path: Path) -> None:
    prep = _prepared(tmp_path)
    one = key_inputs(prep, "sha256:aaa", [], lintian=True, maintainer="A <a@x.invalid>")
    two = key_inputs(prep, "sha256:aaa", [], lintian=True, maintainer="B <b@x.invalid>")
    assert one.key() != two.key()


def test_a_change_to_an_engine_file_is_a_new_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from specport.building import enginefiles as key_module

    prep = _prepared(tmp_path)
    before = key_inputs(prep, "sha256:aaa", [], lintian=True).key()
    copy = tmp_path / "specport"
    shutil.copytree(Path(key_module.__file__).parents[1], copy)
    monkeypatch.setattr(key_module.resources, "files", lambda _package: copy)
    for rel in ("building/debfix.sh", "building/debfix.py", "building/rpmbuild.py"):
        key_module.engine_digest.cache_clear()
        with (copy / rel).open("a") as f:
            f.write("\n# a fix\n")
        after = key_inputs(prep, "sha256:aaa", [], lintian=True).key()
        assert after != before, rel
        before = after
    key_module.engine_digest.cache_clear()


def test_the_same_spec_from_two_directories_normalizes_alike() -> None:
    from specport.normalize.passes import normalize

    text = SPEC + "Summary: s\nLicense: MIT\n%description\nd\n%changelog\n%autochangelog\n"
    target = load_config().targets["debian-12"]
    one = normalize(text, target, path="/home/ci/job-1/specs/x.spec").text
    two = normalize(text, target, path="/srv/checkout/x.spec").text
    assert one == two and "Built from x.spec" in one and "/home" not in one
