"""rpm targets' package index from rpm-md: repositories made here with createrepo_c from rpms
that the host's rpmbuild builds of the fixture specs below (the real EL mirrors cannot be
reached here), repomd.xml signed here; resolver routes, tamper checks and the solver."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from signed_archive import sign_detached

from specport.cli import cli
from specport.config import Settings, load_config
from specport.errors import PackageIndexError
from specport.index import rpmstore, solver, stores
from specport.index.rpmresolver import RpmIndexResolver
from specport.normalize.deps import UnresolvedError
from specport.normalize.passes import normalize
from specport.targets.model import Target

EL8 = load_config(None).targets["el8-php7.4"]

# (name, version, extra preamble lines, files under the buildroot); all noarch
PACKAGES = [
    ("acme-lib", "1.0", "Provides: php-composer(acme/lib) = 1.0", ["/usr/share/php/Acme/Lib.php"]),
    ("acme-tool", "2.1", "Requires: acme-lib", ["/usr/bin/acme-tool"]),
    ("acme-gnutls", "1.0", "Provides: acme-tls\nConflicts: acme-openssl", []),
    ("acme-openssl", "1.0", "Provides: acme-tls", []),
    ("acme-broken", "1.0", "Requires: libgone >= 2", []),
    ("php-devel", "7.4.30", "", ["/usr/bin/phpize"]),
    ("php-devel", "8.0.30", "", ["/usr/bin/phpize"]),
]
SPEC = """Name: {name}
Version: {version}
Release: 1.el8
Summary: specport rpm-md fixture {name}
License: MIT
BuildArch: noarch
{extra}
%description
A package of specport's rpm-md index tests.
%install
{install}
%files
{files}
"""
MODULES = """---
document: modulemd
version: 2
data:
  name: php
  stream: "{stream}"
  version: 1
  context: fixture
  arch: x86_64
  summary: php {stream}
  description: php {stream}
  license:
    module: [MIT]
  artifacts:
    rpms:
      - php-devel-0:{version}-1.el8.noarch
      - php-devel-0:{version}-1.el8.src
...
"""


def _rpm(out: Path, name: str, version: str, extra: str, files: list[str]) -> None:
    top = out / f".top-{name}-{version}"
    (top / "SPECS").mkdir(parents=True)
    install = "\n".join(
        f"mkdir -p %{{buildroot}}{Path(f).parent} && echo x > %{{buildroot}}{f}" for f in files
    )
    spec = top / "SPECS" / f"{name}.spec"
    spec.write_text(
        SPEC.format(
            name=name, version=version, extra=extra, install=install, files="\n".join(files)
        )
    )
    # the host's rpmbuild on a fixture spec written above (trusted), as tests/test_repo_support
    subprocess.run(
        ["rpmbuild", "-bb", "--define", f"_topdir {top}", "--nodeps", "--quiet", str(spec)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    for rpm in (top / "RPMS" / "noarch").glob("*.rpm"):
        shutil.move(rpm, out / rpm.name)
    shutil.rmtree(top)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(repository root, keyring) of a signed rpm-md repository with a modules.yaml."""
    root = tmp_path_factory.mktemp("rpmmd")
    for name, version, extra, files in PACKAGES:
        _rpm(root, name, version, extra, files)
    subprocess.run(["createrepo_c", "--quiet", str(root)], check=True, timeout=120)
    modules = root / "modules.yaml"
    modules.write_text(
        MODULES.format(stream="7.4", version="7.4.30")
        + MODULES.format(stream="8.0", version="8.0.30")
    )
    subprocess.run(
        ["modifyrepo_c", "--mdtype", "modules", str(modules), str(root / "repodata")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    keyring = root.parent / f"{root.name}-key.asc"
    sign_detached(root / "repodata" / "repomd.xml", root / "repodata" / "repomd.xml.asc", keyring)
    return root, keyring


def _target(repo: tuple[Path, Path], **changes: object) -> Target:
    root, keyring = repo
    fields = {"rpm_repos": (f"file://{root}",), "rpm_repo_key": str(keyring), **changes}
    return dataclasses.replace(EL8, **fields)  # type: ignore[arg-type]


def _settings(tmp_path: Path) -> Settings:
    rpmstore._LOADED.clear()
    return Settings(cache_dir=str(tmp_path / "cache"))


def test_update_then_load(repo: tuple[Path, Path], tmp_path: Path) -> None:
    target, settings = _target(repo), _settings(tmp_path)
    rpmstore.update(target, settings)
    index = rpmstore.load(target, settings)
    assert index.packages["acme-tool"] == "2.1-1.el8"
    assert index.owners("provides", "php-composer(acme/lib)") == ["acme-lib"]
    assert index.owners("files", "/usr/bin/acme-tool") == ["acme-tool"]  # from primary
    assert index.owners("files", "/usr/share/php/Acme/Lib.php") == ["acme-lib"]  # filelists
    assert index.owners("modules", "php-devel") == ["php:7.4", "php:8.0"]


def test_resolver_routes_and_suggestions(repo: tuple[Path, Path], tmp_path: Path) -> None:
    target, settings = _target(repo), _settings(tmp_path)
    r = RpmIndexResolver(target, stores.obtain(target, settings, offline=False))

    def how(name: str) -> str:
        found = r.resolve(name)
        assert found is not None and found.name == name, name  # rpm targets keep the name
        return found.rule

    assert how("acme-tool") == "package in the index"
    assert how("php-composer(acme/lib)") == "provided by acme-lib"
    assert how("acme-tls") == "provided by acme-gnutls, acme-openssl"
    assert how("/usr/share/php/Acme/Lib.php") == (
        "/usr/share/php/Acme/Lib.php is in the filelists of acme-lib"
    )
    assert how("php-devel") == "package in the index, module stream php:7.4"
    assert r.resolve("acme-tol") is None
    assert r.missing("acme-tol").startswith(" (did you mean acme-tool")
    # a target that enables another stream of the module cannot have that module's packages
    other = RpmIndexResolver(_target(repo, module_streams=("php:8.2",)), r.index)
    assert other.resolve("php-devel") is None
    assert other.missing("php-devel") == (
        " (only in module stream php:7.4, php:8.0; el8-php7.4 enables php:8.2)"
    )


SPEC_IN = """Name: demo
Version: 1
Release: 1%{?dist}
Summary: demo
License: MIT
BuildRequires: php-devel, %{_bindir}/acme-tool
BuildRequires: (acme-nothere or acme-lib)
Requires: php-composer(acme/lib) >= 1.0, %{name}-data = %{version}-%{release}
Requires: acme-tol
%package data
Summary: data
%description
demo
%description data
data
"""


def test_normalize_confirms_names_on_rpm_targets(repo: tuple[Path, Path], tmp_path: Path) -> None:
    target, settings = _target(repo), _settings(tmp_path)
    r = RpmIndexResolver(target, stores.obtain(target, settings, offline=False))
    with pytest.raises(UnresolvedError) as caught:
        normalize(SPEC_IN, target, path="demo.spec", resolver=r)
    assert str(caught.value).startswith(
        "demo.spec: neither el8-php7.4's package index nor the spec set has these names:"
        " line 9: acme-tol (did you mean acme-tool"
    )
    result = normalize(SPEC_IN.replace("acme-tol\n", "acme-tool\n"), target, resolver=r)
    assert "BuildRequires: php-devel, %{_bindir}/acme-tool\n" in result.text  # names unchanged
    records = {c.dependency[0]: c.dependency[2] for c in result.changes if c.dependency}
    assert records["/usr/bin/acme-tool"] == "/usr/bin/acme-tool is in the filelists of acme-tool"
    assert records["acme-lib"] == "package in the index"
    assert "demo-data" not in records  # built by this spec


def test_tampered_cache_and_signature_are_refused(repo: tuple[Path, Path], tmp_path: Path) -> None:
    target, settings = _target(repo), _settings(tmp_path)
    rpmstore.update(target, settings)
    where = tmp_path / "cache" / "index" / target.name
    raw = next(p for p in (tmp_path / "cache" / "index" / "by-hash").iterdir())
    raw.write_bytes(raw.read_bytes() + b"x")
    with pytest.raises(PackageIndexError, match="was changed or removed since"):
        rpmstore.load(target, settings)
    rpmstore._LOADED.clear()
    repomd = where / "repomd.0.xml"
    repomd.write_bytes(repomd.read_bytes().replace(b"<revision>", b"<revision>1"))
    with pytest.raises(PackageIndexError, match="signature does not verify"):
        rpmstore.load(target, settings)


def test_a_repository_signed_by_another_key_is_refused(
    repo: tuple[Path, Path], tmp_path: Path
) -> None:
    other = tmp_path / "other.asc"
    sign_detached(repo[0] / "repodata" / "repomd.xml", tmp_path / "unused.asc", other)
    with pytest.raises(PackageIndexError, match="signature does not verify against"):
        rpmstore.update(_target(repo, rpm_repo_key=str(other)), _settings(tmp_path))


def test_solver_on_the_rpm_index(repo: tuple[Path, Path], tmp_path: Path) -> None:
    target, settings = _target(repo), _settings(tmp_path)
    found = stores.solver_pool(target, settings, offline=False)
    assert found is not None
    pool, _ = found
    assert solver.check(pool, ["acme-tool", "php-composer(acme/lib) >= 1.0", "acme-tls"]).ok
    assert solver.check(pool, ["/usr/share/php/Acme/Lib.php"]).ok  # a filelists path
    assert solver.check(pool, ["/usr/bin/nosuch"]).missing == (
        "/usr/bin/nosuch (nothing in the index provides it)",
    )
    verdict = solver.check(pool, ["acme-gnutls", "acme-openssl", "acme-lib >= 99", "acme-broken"])
    assert verdict.missing == ("acme-lib >= 99 (the index has acme-lib 1.0-1.el8)",)
    assert any("acme-gnutls" in c and "conflicts with acme-openssl" in c for c in verdict.conflicts)
    assert any("nothing provides libgone >= 2" in c for c in verdict.conflicts)


def test_the_solver_applies_the_target_module_stream(
    repo: tuple[Path, Path], tmp_path: Path
) -> None:
    """dnf's modular filtering: with php:7.4 enabled the pool has php-devel 7.4.30 only, with
    php:8.0 only 8.0.30; with no php stream enabled both stay (defaults are not known); package
    files built here are kept."""

    def pool_for(streams: tuple[str, ...], packages: tuple[Path, ...] = ()) -> object:
        target = _target(repo, module_streams=streams)
        settings = _settings(tmp_path)
        found = stores.solver_pool(target, settings, offline=False, packages=packages)
        assert found is not None
        return found[0]

    el74 = pool_for(("php:7.4",))
    assert solver.check(el74, ["php-devel = 7.4.30-1.el8", "acme-tool"]).ok
    assert solver.check(el74, ["php-devel >= 8"]).missing == (
        "php-devel >= 8 (the index has php-devel 7.4.30-1.el8)",
    )
    el80 = pool_for(("php:8.0",))
    assert solver.check(el80, ["php-devel >= 8"]).ok
    assert not solver.check(el80, ["php-devel < 8"]).ok
    # a package file built here (an earlier wave) is never filtered
    built = pool_for(("php:7.4",), (repo[0] / "php-devel-8.0.30-1.el8.noarch.rpm",))
    assert solver.check(built, ["php-devel >= 8"]).ok
    plain = pool_for(())
    assert solver.check(plain, ["php-devel >= 8"]).ok and solver.check(plain, ["php-devel < 8"]).ok


def test_module_nevras_compare_with_and_without_epoch() -> None:
    assert solver.nevra_key("php-devel-7.4.30-1.el8.noarch") == "php-devel-0:7.4.30-1.el8.noarch"
    assert solver.nevra_key("php-devel-0:7.4.30-1.el8.noarch") == "php-devel-0:7.4.30-1.el8.noarch"
    assert solver.nevra_key("php-1:8.0-2.x86_64") == "php-1:8.0-2.x86_64"


def test_rpm_targets_without_repositories_keep_names_and_skip(tmp_path: Path) -> None:
    assert stores.resolver(EL8, _settings(tmp_path), "auto") is None
    assert stores.solver_pool(EL8, _settings(tmp_path), offline=True) is None


def test_index_update_and_list_for_a_configured_rpm_target(
    repo: tuple[Path, Path], tmp_path: Path
) -> None:
    root, keyring = repo
    config = tmp_path / "specport.toml"
    config.write_text(
        f'[targets."el8-php7.4"]\nrpm_repos = ["file://{root}"]\nrpm_repo_key = "{keyring}"\n'
    )
    env = {"SPECPORT_CACHE_DIR": str(tmp_path / "cache"), "SPECPORT_CONFIG": str(config)}
    result = CliRunner().invoke(cli, ["index", "update", "--target", "el8-php7.4,el9-*"], env=env)
    assert result.exit_code == 0, result.output
    assert "el9-php8.1: skipped (no rpm-md repository configured" in result.output
    result = CliRunner().invoke(cli, ["index", "list"], env=env)
    line = next(ln for ln in result.output.splitlines() if ln.startswith("el8-php7.4"))
    assert line.split()[-1] == "6"  # package names (php-devel has two versions)


def test_modules_yaml_is_read_as_yaml() -> None:
    """modulemd documents as YAML writers lay them out (flow lists, quoting, other documents
    between them); a stream like 7.10 stays a string."""
    from specport.index.rpmmd_read import module_artifacts

    text = (
        "---\ndocument: modulemd-defaults\nversion: 1\ndata: {module: php, stream: '7.4'}\n"
        "---\ndocument: modulemd\nversion: 2\ndata:\n  name: php\n  stream: 7.10\n"
        "  artifacts: {rpms: [php-cli-0:7.10.1-1.module+el8.x86_64, php-0:7.10.1-1.src]}\n"
        '...\n---\ndocument: modulemd\nversion: 2\ndata:\n  name: nginx\n  stream: "1.20"\n'
        '  artifacts:\n    rpms:\n    - "nginx-1:1.20.1-1.module+el8.x86_64"\n'
    )
    assert list(module_artifacts(text)) == [
        ("php-cli-0:7.10.1-1.module+el8.x86_64", "php:7.10"),
        ("nginx-1:1.20.1-1.module+el8.x86_64", "nginx:1.20"),
    ]
