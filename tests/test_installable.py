"""The installability check `specport build` makes before any container: libsolv on the
target's cached index (a signed archive made here from tests/data/index/solver.txt)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from signed_archive import fixture_parts, make_archive

from specport.building.installable import check_installable
from specport.building.plan import BuildOptions, Pair
from specport.building.prepare import Prepared
from specport.building.sources import SourceSearch
from specport.cli import cli
from specport.config import Settings, load_config
from specport.errors import DependencyError
from specport.index import debian, solver, store
from specport.index.debian import Suite
from specport.normalize.resolver import BuiltHere
from specport.sandbox.specinfo import SpecInfo

TARGET = load_config(None).targets["debian-12"]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("solver-archive")
    return root, make_archive(root, fixture_parts("solver.txt"))


@pytest.fixture
def cache(archive: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A verified cache of the fixture archive; its keyring is the one the target trusts."""
    root, keyring = archive
    monkeypatch.setattr(debian, "archive_keyring", lambda *a, **k: keyring)
    settings = Settings(cache_dir=str(tmp_path / "cache"))
    suite = Suite(f"file://{root}", "bookworm", "release")
    store.update(TARGET, settings, suites=[suite], keyring=keyring, comps=("main",))
    store._LOADED.clear()
    return settings


def _pool(settings: Settings) -> tuple[object, list[str]]:
    from specport.index import stores

    found = stores.solver_pool(TARGET, settings, offline=True)
    assert found is not None
    return found


def test_installable_set_passes(cache: Settings) -> None:
    pool, always = _pool(cache)
    assert always == ["base-files"]  # Essential: yes
    verdict = solver.check(pool, ["libfoo-dev >= 1.2", "libcurl-dev", "perl"], always)
    assert verdict.ok, verdict


def test_pool_is_kept_in_libsolv_form_and_a_bad_copy_is_replaced(cache: Settings) -> None:
    solv_dir = debian.solv_dir(cache)
    assert not solv_dir.exists()
    _pool(cache)  # parses Packages, writes libsolv's form by the file's hash
    kept = sorted(solv_dir.glob("*.solv"))
    assert [p.stem for p in kept] == [raw.name for raw, _ in store.package_lists(TARGET, cache)]
    first = kept[0].read_bytes()
    pool, always = _pool(cache)  # from the .solv files: the same answers
    assert solver.check(pool, ["libfoo-dev >= 1.2", "perl"], always).ok
    assert not solver.check(pool, ["libfoo-dev >= 99"], always).ok
    kept[0].write_bytes(b"not a solv file")  # another libsolv's, or damaged: parsed again
    pool, always = _pool(cache)
    assert solver.check(pool, ["libfoo-dev >= 1.2"], always).ok
    assert kept[0].read_bytes() == first


def test_conflicts_and_breaks_are_named(cache: Settings) -> None:
    pool, always = _pool(cache)
    verdict = solver.check(pool, ["libcurl4-gnutls-dev", "libcurl4-openssl-dev"], always)
    assert verdict.missing == ()
    assert len(verdict.conflicts) == 1
    assert "libcurl4-gnutls-dev" in verdict.conflicts[0]
    assert "conflicts with libcurl4-openssl-dev" in verdict.conflicts[0]
    verdict = solver.check(pool, ["php8.2-dev", "php-legacy-dev"], always)
    assert any("php-legacy-dev" in c and "php8.2-dev" in c for c in verdict.conflicts)


def test_missing_version_and_name_and_dependency(cache: Settings) -> None:
    pool, always = _pool(cache)
    verdict = solver.check(pool, ["libfoo-dev >= 99", "nosuch-dev", "libbroken-dev"], always)
    assert verdict.missing == (
        "libfoo-dev >= 99 (the index has libfoo-dev 1.2-3)",
        "nosuch-dev (nothing in the index provides it)",
    )
    assert any("nothing provides libgone1" in c for c in verdict.conflicts)


def test_dpkg_operators(cache: Settings) -> None:
    pool, always = _pool(cache)
    assert solver.check(pool, ["libfoo-dev << 2", "libc6 >> 2.35"], always).ok
    assert solver.check(pool, ["libfoo-dev >> 2"], always).missing == (
        "libfoo-dev >> 2 (the index has libfoo-dev 1.2-3)",
    )


def test_rich_or_dependency(cache: Settings) -> None:
    pool, always = _pool(cache)
    assert solver.check(pool, ["(nosuch-dev or libfoo-dev)"], always).ok
    assert not solver.check(pool, ["(nosuch-dev or other-dev)"], always).ok


def _prepared(spec: str, brs: tuple[str, ...], tmp: Path) -> Prepared:
    info = SpecInfo(spec, "1", "1", "", (), brs)
    return Prepared(Pair(tmp / f"{spec}.spec", TARGET), tmp, info, f"{spec}.spec", [])


def _options(
    settings: Settings,
    mode: str = "offline",
    built: dict[str, tuple[str, str]] | None = None,
    with_packages: tuple[Path, ...] = (),
) -> BuildOptions:
    """BuildOptions whose resolvers are the ones `specport build` makes for the index mode."""
    from specport.index import stores

    resolver = stores.resolver(TARGET, settings, mode)
    assert resolver is not None
    resolvers = {TARGET.name: BuiltHere(resolver, built) if built else resolver}
    return BuildOptions(
        Path("out"), SourceSearch(), resolvers=resolvers, with_packages=with_packages
    )


def test_check_names_every_failing_pair(cache: Settings, tmp_path: Path) -> None:
    prepared = [
        _prepared("good", ("libfoo-dev >= 1.0",), tmp_path),
        _prepared("old", ("libfoo-dev >= 99", "perl"), tmp_path),
        _prepared("both", ("libcurl4-gnutls-dev", "libcurl4-openssl-dev"), tmp_path),
    ]
    with pytest.raises(DependencyError) as err:
        check_installable(prepared, _options(cache), cache)
    message = str(err.value)
    assert "old / debian-12: missing libfoo-dev >= 99 (the index has libfoo-dev 1.2-3)" in message
    assert "both / debian-12: package libcurl4-gnutls-dev" in message
    assert "good /" not in message


def test_names_built_here_are_left_out(cache: Settings, tmp_path: Path) -> None:
    built = {"libmine-devel": ("libmine-dev", "mine.spec"), "libmine-dev": ("libmine-dev", "")}
    prepared = [_prepared("user", ("libmine-dev >= 2", "libfoo-dev"), tmp_path)]
    check_installable(prepared, _options(cache, built=built), cache)  # no error
    with pytest.raises(DependencyError, match="missing libmine-dev >= 2"):
        check_installable(prepared, _options(cache), cache)


def test_packages_of_earlier_waves_join_the_pool(cache: Settings, tmp_path: Path) -> None:
    from test_repo_support import make_deb

    wave = tmp_path / "wave1" / "debian-12"
    wave.mkdir(parents=True)
    make_deb(wave, "libmine-dev", "2.0-1+deb12", depends="libfoo-dev (>= 1.0)")
    prepared = [_prepared("user", ("libmine-dev >= 2",), tmp_path)]
    check_installable(prepared, _options(cache, with_packages=(tmp_path / "wave1",)), cache)
    make_deb(wave, "libmine-dev", "3.0-1+deb12", depends="libfoo-dev (>= 5)")
    (wave / "libmine-dev_2.0-1+deb12_all.deb").unlink()
    with pytest.raises(DependencyError, match="nothing provides libfoo-dev >= 5"):
        check_installable(prepared, _options(cache, with_packages=(tmp_path / "wave1",)), cache)


def test_index_off_skips_with_a_log_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prepared = [_prepared("x", ("nosuch-dev",), tmp_path)]
    settings = Settings(cache_dir=str(tmp_path))
    check_installable(prepared, _options(settings, "off"), settings)  # nothing read
    assert "debian-12: installability of build dependencies not checked" in capsys.readouterr().err


def test_build_refuses_before_any_container(cache: Settings, tmp_path: Path) -> None:
    spec = tmp_path / "pair.spec"
    spec.write_text(
        "Name: pair\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n"
        "BuildRequires: libcurl4-gnutls-dev\nBuildRequires: libcurl4-openssl-dev\n"
        "BuildRequires: libfoo-dev >= 99\n"
        "%description\nd\n%files\n"
    )
    env = {
        "SPECPORT_CACHE_DIR": cache.cache_dir,
        "SPECPORT_INDEX": "offline",
        "DOCKER_HOST": "unix:///nonexistent/specport-test.sock",  # reached only after the check
    }
    result = CliRunner().invoke(
        cli, ["build", str(spec), "--target", "debian-12", "-o", str(tmp_path / "out")], env=env
    )
    assert isinstance(result.exception, DependencyError), result.output
    message = str(result.exception)
    assert "pair / debian-12: missing libfoo-dev >= 99" in message
    assert "conflicts with libcurl4-openssl-dev" in message


@pytest.mark.container
def test_live_bookworm_index(tmp_path: Path) -> None:
    """The real bookworm index, fetched from the host's mirror: real conflicts and versions."""
    from specport.index import stores

    settings = Settings(cache_dir=str(tmp_path / "cache"))
    store.update(TARGET, settings)
    found = stores.solver_pool(TARGET, settings, offline=True)
    assert found is not None
    pool, always = found
    assert "dpkg" in always and "base-files" in always
    ok = ["php8.2-dev", "gcc", "make", "libxml2-dev >= 2.9", "pkg-config", "libcurl-dev"]
    assert solver.check(pool, ok, always).ok
    verdict = solver.check(
        pool, ["libcurl4-gnutls-dev", "libcurl4-openssl-dev", "libxml2-dev >= 99"], always
    )
    assert verdict.missing[0].startswith("libxml2-dev >= 99 (the index has libxml2-dev 2.9.14")
    assert any("conflicts with libcurl4-openssl-dev" in c for c in verdict.conflicts)
