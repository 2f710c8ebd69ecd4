"""The index cache end to end on a small archive signed here: fetch (file://), verify, derive,
load; a changed cached file is refused with one message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from signed_archive import fixture_parts, make_archive

from specport.cli import cli
from specport.config import Settings, load_config
from specport.errors import PackageIndexError, SourceError
from specport.index import debian, store, stores
from specport.index.debian import Suite

TARGET = load_config(None).targets["debian-12"]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(archive root, keyring) of a one-suite archive cut from the bookworm fixture."""
    root = tmp_path_factory.mktemp("archive")
    return root, make_archive(root, fixture_parts("bookworm.txt"))


def _update(archive: tuple[Path, Path], settings: Settings) -> None:
    root, keyring = archive
    suite = Suite(f"file://{root}", "bookworm", "release")
    store.update(TARGET, settings, suites=[suite], keyring=keyring, comps=("main",))
    store._LOADED.clear()


def test_update_then_load(archive: tuple[Path, Path], tmp_path: Path) -> None:
    settings = Settings(cache_dir=str(tmp_path))
    _update(archive, settings)
    index = store.load(TARGET, settings, keyring=archive[1])
    assert index.owners("files", "/usr/bin/xsltproc") == ["xsltproc"]
    assert "php8.2-common" in index.packages
    assert store.info(TARGET, settings).packages == len(index.packages)


def test_changed_derived_cache_is_refused(archive: tuple[Path, Path], tmp_path: Path) -> None:
    settings = Settings(cache_dir=str(tmp_path))
    _update(archive, settings)
    derived = store.target_dir(TARGET, settings) / "index.json"
    derived.write_bytes(derived.read_bytes().replace(b'"xsltproc"', b'"evilproc"'))
    with pytest.raises(PackageIndexError, match=r"does not match the SHA256 in manifest\.json"):
        store.load(TARGET, settings, keyring=archive[1])


def test_changed_inrelease_is_refused(archive: tuple[Path, Path], tmp_path: Path) -> None:
    settings = Settings(cache_dir=str(tmp_path))
    _update(archive, settings)
    inrelease = store.target_dir(TARGET, settings) / "InRelease.bookworm"
    inrelease.write_bytes(inrelease.read_bytes().replace(b"Components: main", b"Components: evil"))
    with pytest.raises(PackageIndexError, match="signature does not verify"):
        store.load(TARGET, settings, keyring=archive[1])


def test_changed_raw_file_is_refused(archive: tuple[Path, Path], tmp_path: Path) -> None:
    settings = Settings(cache_dir=str(tmp_path))
    _update(archive, settings)
    raw = next((tmp_path / "index" / "by-hash").iterdir())
    raw.write_bytes(raw.read_bytes() + b"x")
    with pytest.raises(PackageIndexError, match="was changed or removed since"):
        store.load(TARGET, settings, keyring=archive[1])
    with pytest.raises(PackageIndexError, match="does not match its SHA256 in the signed"):
        _update(archive, settings)


def test_offline_without_a_cache_is_one_clear_error(tmp_path: Path) -> None:
    spec = tmp_path / "x.spec"
    spec.write_text("Name: x\nVersion: 1\nRelease: 1\nBuildRequires: gcc\n")
    env = {"SPECPORT_CACHE_DIR": str(tmp_path / "cache"), "SPECPORT_INDEX": "auto"}
    result = CliRunner().invoke(
        cli, ["normalize", str(spec), "--target", "debian-12", "--offline"], env=env
    )
    assert result.exit_code == 1
    assert isinstance(result.exception, PackageIndexError)
    assert "--offline: no package index of debian-12 is cached" in str(result.exception)


def test_index_list_says_what_is_cached(archive: tuple[Path, Path], tmp_path: Path) -> None:
    env = {"SPECPORT_CACHE_DIR": str(tmp_path)}
    result = CliRunner().invoke(cli, ["index", "list"], env=env)
    assert result.exit_code == 0
    assert ["ubuntu-20.04", "not", "cached", "-", "-"] in [
        ln.split() for ln in result.output.splitlines()
    ]
    _update(archive, Settings(cache_dir=str(tmp_path)))
    result = CliRunner().invoke(cli, ["index", "list"], env=env)
    line = next(ln for ln in result.output.splitlines() if ln.startswith("debian-12"))
    index = store.load(TARGET, Settings(cache_dir=str(tmp_path)), keyring=archive[1])
    assert "min" in line and line.split()[-1] == str(len(index.packages))


def test_an_older_layout_is_rebuilt_from_the_cached_files(
    archive: tuple[Path, Path], tmp_path: Path
) -> None:
    settings = Settings(cache_dir=str(tmp_path))
    _update(archive, settings)
    manifest = store.target_dir(TARGET, settings) / "manifest.json"
    doc = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**doc, "format": 0}))
    with pytest.raises(store.StaleIndexError):
        store.load(TARGET, settings, keyring=archive[1])
    # no network: the raw files are in the cache, each verified again
    store.rederive(TARGET, settings, keyring=archive[1])
    store._LOADED.clear()
    assert "xsltproc" in store.load(TARGET, settings, keyring=archive[1]).packages


def _dated_archive(root: Path, release_extra: str) -> tuple[Path, Path]:
    return root, make_archive(root, fixture_parts("bookworm.txt"), release_extra)


def test_an_expired_cached_index_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = _dated_archive(
        tmp_path / "archive",
        "Date: Sat, 01 Jan 2022 00:00:00 UTC\nValid-Until: Sat, 08 Jan 2022 00:00:00 UTC\n",
    )
    settings = Settings(cache_dir=str(tmp_path / "cache"))
    # the update happened while the signed index was valid (the clock says 2022-01-02)
    monkeypatch.setattr(debian.time, "time", lambda: 1641081600.0)
    _update(archive, settings)
    assert "xsltproc" in store.load(TARGET, settings, keyring=archive[1]).packages
    store._LOADED.clear()
    monkeypatch.undo()
    with pytest.raises(PackageIndexError) as err:
        store.load(TARGET, settings, keyring=archive[1])
    assert "expired on Sat, 08 Jan 2022 00:00:00 UTC (its Valid-Until)" in str(err.value)
    assert "run `specport index update --target debian-12`" in str(err.value)
    # --offline too: expired metadata is the point, wherever it is read from
    monkeypatch.setattr(debian, "archive_keyring", lambda *a, **k: archive[1])
    with pytest.raises(PackageIndexError, match="expired on"):
        stores.obtain(TARGET, settings, offline=True)
    # and a fresh download that is already expired is not cached as good
    with pytest.raises(PackageIndexError, match="expired on"):
        _update(archive, settings)


def test_an_index_dated_in_the_future_is_refused(tmp_path: Path) -> None:
    archive = _dated_archive(tmp_path / "archive", "Date: Fri, 01 Jan 2100 00:00:00 UTC\n")
    with pytest.raises(PackageIndexError, match="in the future: check the clock"):
        _update(archive, Settings(cache_dir=str(tmp_path / "cache")))


def test_a_valid_until_ahead_is_accepted(tmp_path: Path) -> None:
    archive = _dated_archive(
        tmp_path / "archive",
        "Date: Sat, 01 Jan 2022 00:00:00 UTC\nValid-Until: Fri, 01 Jan 2100 00:00:00 UTC\n",
    )
    settings = Settings(cache_dir=str(tmp_path / "cache"))
    _update(archive, settings)
    assert "xsltproc" in store.load(TARGET, settings, keyring=archive[1]).packages


def test_a_contents_file_out_of_step_with_its_inrelease_is_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ubuntu rewrites an active pocket's Contents apart from its Release: that file is left
    out with a warning (never used unverified); any other file that does not match fails."""
    root = tmp_path / "archive"
    keyring = make_archive(root, fixture_parts("bookworm.txt"))
    contents = root / "dists" / "bookworm" / "main" / "Contents-amd64.gz"
    contents.write_bytes(contents.read_bytes() + b"\0")
    settings = Settings(cache_dir=str(tmp_path / "cache"))
    _update((root, keyring), settings)
    assert "main/Contents-amd64.gz left out of the index" in capsys.readouterr().err
    index = store.load(TARGET, settings, keyring=keyring)
    assert "php8.2-common" in index.packages  # Packages and Sources are in
    assert index.owners("files", "/usr/bin/xsltproc") == []  # no unverified Contents
    packages = root / "dists" / "bookworm" / "main" / "binary-amd64" / "Packages.xz"
    packages.write_bytes(packages.read_bytes() + b"\0")
    with pytest.raises(SourceError, match="does not match its SHA256 in InRelease"):
        _update((root, keyring), Settings(cache_dir=str(tmp_path / "cache2")))


def test_an_update_removes_the_files_no_index_names(
    archive: tuple[Path, Path], tmp_path: Path
) -> None:
    """Each update leaves the previous raw files behind; the next one removes those that no
    target's manifest names (and their libsolv form), but not one fetched in the last hour."""
    import os
    import time

    settings = Settings(cache_dir=str(tmp_path))
    _update(archive, settings)
    raw, solv = debian.raw_dir(settings), debian.solv_dir(settings)
    named = sorted(p.name for p in raw.iterdir())
    solv.mkdir(parents=True, exist_ok=True)
    old = time.time() - 2 * store.GARBAGE_GRACE
    stale = [raw / ("0" * 64), solv / f"{'0' * 64}.solv", raw / ".partial.part"]
    for path in stale:
        path.write_bytes(b"left behind")
        os.utime(path, (old, old))
    kept_solv = solv / f"{named[0]}.solv"  # the libsolv form of a named file stays
    kept_solv.write_bytes(b"x")
    os.utime(kept_solv, (old, old))
    young = raw / ("1" * 64)  # another process may be fetching it for its own manifest
    young.write_bytes(b"new")
    _update(archive, settings)
    assert not any(p.exists() for p in stale)
    assert young.exists() and kept_solv.exists()
    assert sorted(p.name for p in raw.iterdir() if p != young) == named
    assert store.load(TARGET, settings, keyring=archive[1]).packages
