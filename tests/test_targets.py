"""Targets as data: built-ins, user overrides, validation errors, selection, CLI output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from specport.config import load_config
from specport.errors import ConfigError, UsageError
from specport.targets import select_targets

BUILTIN = [
    "el8-php7.2",
    "el8-php7.3",
    "el8-php7.4",
    "el9-php8.1",
    "el9-php8.2",
    "debian-11",
    "debian-12",
    "ubuntu-20.04",
    "ubuntu-22.04",
    "ubuntu-24.04",
]


def specport(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "specport", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def no_user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SPECPORT_CONFIG", raising=False)
    return tmp_path


def test_builtin_targets_are_the_documented_ten(no_user_config: Path) -> None:
    targets = load_config().targets
    assert sorted(targets) == sorted(BUILTIN)
    assert "el8" in targets.abstract and "el8" not in targets


@pytest.mark.parametrize(
    ("name", "family", "dist", "php", "api", "stream"),
    [
        ("el8-php7.4", "rpm", ".el8.php_7.4", "7.4", "20190902", "php:7.4"),
        ("el9-php8.2", "rpm", ".el9.php_8.2", "8.2", "20220829", "php:8.2"),
        ("debian-12", "deb", "+deb12", "8.2", "20220829", None),
        ("ubuntu-20.04", "deb", "+ubuntu20.04", "7.4", "20190902", None),
        ("ubuntu-24.04", "deb", "+ubuntu24.04", "8.3", "20230831", None),
    ],
)
def test_builtin_facts(
    no_user_config: Path, name: str, family: str, dist: str, php: str, api: str, stream: str | None
) -> None:
    t = load_config().targets[name]
    assert (t.family, t.dist, t.php_version, t.php_api) == (family, dist, php, api)
    assert t.module_streams == ((stream,) if stream else ())
    assert t.builder == ("rpmbuild" if family == "rpm" else "debbuild")


def test_inherited_fields_come_from_the_base(no_user_config: Path) -> None:
    t = load_config().targets["el8-php7.4"]
    assert t.rpm_version == "4.14.3"
    assert "[el8]" in t.origin["rpm_version"]
    assert "[el8-php7.4]" in t.origin["php_api"]


def test_user_target_extends_builtin_and_changes_one_macro(no_user_config: Path) -> None:
    (no_user_config / "specport.toml").write_text(
        '[targets.debian-12]\nmacros = { _without_tests = "1" }\n'
        '[targets.mydeb]\nextends = "debian-12"\nmacros = { vendor_tag = "acme" }\n'
    )
    targets = load_config().targets
    assert targets["debian-12"].macros == {"_without_tests": "1"}
    mine = targets["mydeb"]
    assert mine.macros == {"_without_tests": "1", "vendor_tag": "acme"}
    assert mine.php_api == "20220829"
    assert mine.origin["macros.vendor_tag"].startswith(str(no_user_config / "specport.toml"))


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ('[targets.x]\nextends = "debian-12"\nphp_verison = "8.2"\n', "targets.x.php_verison"),
        ('[targets.x]\nextends = "debian-12"\nfamily = "pkg"\n', "targets.x.family"),
        ('[targets.x]\nfamily = "deb"\n', "missing required key"),
        ('[targets.x]\nextends = "nope"\n', "targets.x.extends"),
        ('[targets.a]\nextends = "b"\n[targets.b]\nextends = "a"\n', "cycle"),
        ('[targets.x]\nextends = "debian-12"\nphp_api = "2022"\n', "targets.x.php_api"),
        ("[targets.x\n", "not valid TOML"),
        ('[settings]\nmaintaner = "x"\n', "settings.maintaner"),
    ],
)
def test_broken_user_config_names_file_and_key(
    no_user_config: Path, toml: str, expected: str
) -> None:
    (no_user_config / "specport.toml").write_text(toml)
    with pytest.raises(ConfigError) as err:
        load_config()
    assert "specport.toml" in str(err.value)
    assert expected in str(err.value)


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ('[targets.x]\nextends = "debian-12"\nbuilder = "rpmbuild"\n', "targets.x.builder"),
        ('[targets.x]\nextends = "el9-php8.2"\nbuilder = "debbuild"\n', "targets.x.builder"),
        ('[targets.x]\nextends = "debian-12"\nname_rules = "fedora"\n', "targets.x.name_rules"),
        ('[targets.x]\nextends = "el8-php7.4"\nfamily = "deb"\n', "targets.x.builder"),
    ],
)
def test_a_field_of_the_other_family_is_refused(
    no_user_config: Path, toml: str, expected: str
) -> None:
    """builder and name_rules follow the family: a deb target built by rpmbuild would get
    %el12 and %_vendor redhat; it fails to load instead, naming the file and the field."""
    (no_user_config / "specport.toml").write_text(toml)
    with pytest.raises(ConfigError) as err:
        load_config()
    assert "specport.toml" in str(err.value) and expected in str(err.value)
    assert "family" in str(err.value)
    done = specport("targets", cwd=no_user_config)
    assert done.returncode == 2, done.stderr
    assert expected in done.stderr and "Traceback" not in done.stderr


def test_select_globs_and_lists(no_user_config: Path) -> None:
    targets = load_config().targets
    names = [t.name for t in select_targets(targets, "el8-*,ubuntu-20.04,el8-php7.4")]
    assert sorted(names) == ["el8-php7.2", "el8-php7.3", "el8-php7.4", "ubuntu-20.04"]


def test_select_unknown_suggests(no_user_config: Path) -> None:
    with pytest.raises(UsageError) as err:
        select_targets(load_config().targets, "el9-php9")
    assert "el9-php8" in str(err.value)
    with pytest.raises(UsageError):
        select_targets(load_config().targets, "fedora-*")


def test_cli_targets_json_lists_all_fields(no_user_config: Path) -> None:
    res = specport("targets", "--json", cwd=no_user_config)
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert sorted(d["name"] for d in data) == sorted(BUILTIN)
    for d in data:
        for key in (
            "family",
            "distro",
            "release",
            "image",
            "builder",
            "rpm_version",
            "dist",
            "module_streams",
            "php_version",
            "php_api",
            "php_zend_api",
            "macros",
            "name_rules",
        ):
            assert key in d


def test_cli_show_and_errors(no_user_config: Path) -> None:
    res = specport("targets", "show", "el8-php7.4", cwd=no_user_config)
    assert res.returncode == 0
    assert "php:7.4" in res.stdout and ".el8" in res.stdout
    res = specport("targets", "show", "el9-php9", cwd=no_user_config)
    assert res.returncode == 2
    assert "el9-php9" in res.stderr and "el9-php8.1" in res.stderr
    assert "Traceback" not in res.stderr
    (no_user_config / "specport.toml").write_text('[targets.x]\nextends = "debian-12"\nbad = 1\n')
    res = specport("targets", cwd=no_user_config)
    assert res.returncode == 2
    assert "specport.toml" in res.stderr and "targets.x.bad" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_cli_user_target_listed(no_user_config: Path) -> None:
    (no_user_config / "specport.toml").write_text(
        '[targets.acme-12]\nextends = "debian-12"\nmacros = { _without_tests = "1" }\n'
    )
    res = specport("targets", cwd=no_user_config)
    assert "acme-12" in res.stdout
    res = specport("targets", "show", "acme-12", "--json", cwd=no_user_config)
    assert json.loads(res.stdout)["macros"] == {"_without_tests": "1"}


def test_cli_matrix_lists_every_pair(no_user_config: Path) -> None:
    spec = no_user_config / "a.spec"
    spec.write_text("Name: a\n")
    res = specport("matrix", "--target", "el8-*,debian-12", str(spec), cwd=no_user_config)
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)["include"]
    assert sorted(r["target"] for r in rows) == [
        "debian-12",
        "el8-php7.2",
        "el8-php7.3",
        "el8-php7.4",
    ]
    assert {r["spec"] for r in rows} == {str(spec)}
    res = specport(
        "matrix", "--target", "el8-*", "--format", "gitlab", str(spec), cwd=no_user_config
    )
    assert res.stdout.count("TARGET: el8-php") == 3
    res = specport("matrix", "--target", "nope", str(spec), cwd=no_user_config)
    assert res.returncode == 2 and "nope" in res.stderr
