"""IndexResolver's routes against small fixtures cut from the real bookworm and focal indexes
(tests/data/index/*.txt, made by tests/data/index/cut.py from the archives' own files)."""

from __future__ import annotations

from pathlib import Path

import pytest

from specport.config import load_config
from specport.index.debresolver import IndexResolver
from specport.index.model import Index
from specport.index.parse import Builder, compare_versions

DATA = Path(__file__).parent / "data" / "index"
TARGETS = load_config(None).targets
RELEASES = {"debian-12": "bookworm", "ubuntu-20.04": "focal"}


def fixture_index(target: str) -> Index:
    text = (DATA / f"{RELEASES[target]}.txt").read_text(encoding="utf-8")
    parts = dict(p.split("\n", 1) for p in text.split("#### ")[1:])
    builder = Builder()
    builder.add_packages(parts["Packages"])
    builder.add_sources(parts["Sources"])
    lines = [line.encode() for line in parts["Contents"].splitlines()]
    builder.add_contents(lines, ("main", "universe"), "main")
    return builder.build(target)


def resolver(target: str) -> IndexResolver:
    return IndexResolver(TARGETS[target], fixture_index(target))


# (Fedora name, debian-12 answer, ubuntu-20.04 answer, a word of the explanation)
ROUTES = [
    ("gperf", "gperf", "gperf", "rule confirmed"),
    ("php-pear", "php-pear", "php-pear", "confirmed"),
    ("apache2-dev", "apache2-dev", "apache2-dev", "same package name"),
    ("httpd", "apache2", "apache2", "rule"),
    ("httpd-mmn", "apache2-api-20120211", "apache2-api-20120211", "rule"),
    ("systemd-units", "systemd", "systemd", "rule"),
    ("/usr/bin/xsltproc", "xsltproc", "xsltproc", "Contents"),
    ("/usr/bin/phpunit", "phpunit", "phpunit", "Contents"),
    ("/usr/bin/sh", "", "", "path /usr/bin/sh"),  # essential: dropped by the rule data
    ("pkgconfig(libxml-2.0)", "libxml2-dev", "libxml2-dev", "libxml-2.0.pc"),
    ("pkgconfig(yaml-0.1)", "libyaml-dev", "libyaml-dev", "yaml-0.1.pc"),
    ("perl(XML::Parser)", "libxml-parser-perl", "libxml-parser-perl", "XML/Parser.pm"),
    ("perl(File::Temp)", "perl", "perl", "perl core module"),
    ("python3dist(pyyaml)", "python3-yaml", "python3-yaml", "dist-info"),
    ("libpcre2-devel", "libpcre2-dev", "libpcre2-dev", "-dev package of source pcre2"),
    ("yaml-devel", "libyaml-dev", "libyaml-dev", "-dev package of source libyaml"),
    ("php-pecl-apcu", "php-apcu", "php-apcu", "pattern php-pecl-*"),
    ("php-pcre", "php8.2-common", "php7.4-common", "built into"),
    ("php-date", "php8.2-common", "php7.4-common", "built into"),
    ("php-reflection", "php8.2-common", "php7.4-common", "built into"),
    ("php-spl", "php8.2-common", "php7.4-common", "built into"),
    ("php-ctype", "php8.2-common", "php7.4-common", "provides php-ctype"),
    ("php-mbstring", "php8.2-mbstring", "php7.4-mbstring", "the target's PHP"),
    ("php-json", "php8.2-common", "php7.4-json", "json"),
    ("php-composer(symfony/console)", "php-symfony-console", "php-symfony-console", "pkg-php"),
    ("php-composer(phpunit/phpunit)", "phpunit", "phpunit", "Debian packages it as phpunit"),
    ("php-pear(PEAR)", "php-pear", "php-pear", "PEAR registry"),
    ("php-channel(pear.horde.org)", "pear-channels", "pear-channels", "PEAR channel"),
    ("php-devel", "php8.2-dev", "php7.4-dev", "rule"),
    ("docbook-style-xsl", "docbook-xsl", "docbook-xsl", "rule confirmed by the index"),
    ("zeromq-devel", "libzmq3-dev", "libzmq3-dev", "-dev package of source zeromq3"),
    ("libpng-devel", "libpng-dev", "libpng-dev", "-dev package of source libpng1.6"),
    ("oniguruma-devel", "libonig-dev", "libonig-dev", "oniguruma.pc is in the Contents"),
    (
        "php-composer(egulias/email-validator)",
        "php-email-validator",
        "php-email-validator",
        "Debian packages it as php-email-validator",
    ),
]


@pytest.mark.parametrize("target", ["debian-12", "ubuntu-20.04"])
@pytest.mark.parametrize(("name", "deb12", "focal", "how"), ROUTES)
def test_route(target: str, name: str, deb12: str, focal: str, how: str) -> None:
    found = resolver(target).resolve(name)
    assert found is not None, name
    assert found.name == (deb12 if target == "debian-12" else focal)
    assert how in found.rule


def test_pear_package_of_a_channel_only_where_the_index_has_it() -> None:
    name = "php-pear(pear.horde.org/Horde_Exception)"
    found = resolver("debian-12").resolve(name)
    assert found is not None and found.name == "php-horde-exception"
    assert resolver("ubuntu-20.04").resolve(name) is None  # focal has no php-horde-exception


@pytest.mark.parametrize(
    ("name", "target", "expected"),
    [
        ("php82-cli", "debian-12", "php8.2-cli"),
        ("php82-devel", "debian-12", "php8.2-dev"),
        ("rh-php74-php-devel", "ubuntu-20.04", "php7.4-dev"),
        ("php74-php-devel", "ubuntu-20.04", "php7.4-dev"),
        ("php74-pecl-apcu-devel", "ubuntu-20.04", "php-apcu"),
        ("pear1", "ubuntu-20.04", "php-pear"),
    ],
)
def test_versioned_php_stacks(name: str, target: str, expected: str) -> None:
    found = resolver(target).resolve(name)
    assert found is not None and found.name == expected


def test_a_stack_names_its_capabilities_too() -> None:
    # php74-php(api) is the stack's php(api): the target's phpapi-<API>, unversioned
    for name in ("php74-php(api)", "php74-php(zend-abi)"):
        found = resolver("ubuntu-20.04").resolve(name)
        assert found is not None and found.name == "phpapi-20190902", name
        assert not found.keep_version and "PHP 7.4 stack name for php(" in found.rule
    r = resolver("debian-12")
    assert r.resolve("php74-php(api)") is None
    assert r.missing("php74-php(api)") == " (a PHP 7.4 stack; debian-12 has PHP 8.2)"


def test_devel_of_a_source_only_one_release_has() -> None:
    # focal has the mpdecimal source (libmpdec-dev); bookworm has none: no answer, and no guess
    found = resolver("ubuntu-20.04").resolve("mpdecimal-devel")
    assert found is not None and found.name == "libmpdec-dev"
    assert "-dev package of source mpdecimal" in found.rule
    r = resolver("debian-12")
    assert "libmpdec-dev" not in fixture_index("debian-12").packages
    assert r.resolve("mpdecimal-devel") is None
    assert "index lacks" in r.missing("mpdecimal-devel")


def test_a_rule_the_index_cannot_confirm_is_not_overridden_by_a_guess() -> None:
    # python-devel is Python 2's (the rule data); bookworm has only python3.11, which the
    # versioned-source route would otherwise give
    assert fixture_index("debian-12").owners("binaries", "python3.11")
    r = resolver("debian-12")
    assert r.resolve("python-devel") is None
    assert r.missing("python-devel") == (
        " (python-devel is Python 2's development files, Debian's python2-dev,"
        " which the index lacks)"
    )
    assert r.refusal("python-devel") == "absent"
    found = resolver("ubuntu-20.04").resolve("python-devel")
    assert found is not None and found.name == "python2-dev"


def test_devel_through_its_pc_file_when_no_source_is_named_so() -> None:
    # Debian's source of oniguruma is libonig: only oniguruma.pc ties the two names
    index = fixture_index("debian-12")
    assert index.owners("pkgconfig", "oniguruma") == ["libonig-dev"]
    assert "oniguruma" not in index.binaries and "liboniguruma" not in index.binaries
    found = resolver("debian-12").resolve("oniguruma-devel")
    assert found is not None and found.name == "libonig-dev"


def test_a_stack_of_another_php_version_names_both() -> None:
    r = resolver("debian-12")
    assert r.resolve("rh-php73-php-devel") is None
    assert r.missing("rh-php73-php-devel") == " (a PHP 7.3 stack; debian-12 has PHP 8.2)"


def test_unknown_name_gets_a_suggestion() -> None:
    r = resolver("debian-12")
    assert r.resolve("php-composer(symfony/consol)") is None
    assert "did you mean php-symfony-console" in r.missing("php-composer(symfony/consol)")


def test_a_guess_the_index_lacks_is_no_answer() -> None:
    # the rule data's pattern would say libnosuchthing-dev: not in the index, so no answer
    r = resolver("debian-12")
    assert r.resolve("nosuchthing-devel") is None
    assert "index lacks" in r.missing("nosuchthing-devel")


def test_built_here_and_the_pear_date_library_are_told_apart() -> None:
    # Debian's php-date is PEAR's Date library; Fedora's php-date is the extension
    assert "php-date" in fixture_index("debian-12").packages
    found = resolver("debian-12").resolve("php-date")
    assert found is not None and found.name == "php8.2-common"


def test_debian_version_order() -> None:
    assert compare_versions("8.2.29-1~deb12u1", "8.2.7-1~deb12u1") > 0
    assert compare_versions("1:1.0", "2.0") > 0
    assert compare_versions("1.0~rc1", "1.0") < 0
    assert compare_versions("1.0-1", "1.0-1") == 0


SPEC = """Name: php-acme-demo
Version: 1.0
Release: 1%{?dist}
Summary: demo
License: MIT
BuildRequires: %{_bindir}/phpunit
Requires(post): %{__pear}
Requires: php-pcre, php-composer(symfony/console) >= 5.0
%description
demo
"""


def test_normalize_through_the_index_explains_each_answer() -> None:
    from specport.normalize.passes import normalize

    result = normalize(SPEC, TARGETS["debian-12"], resolver=resolver("debian-12"))
    assert "BuildRequires: phpunit\n" in result.text
    assert "Requires: php-pear\n" in result.text  # Requires(post): dpkg configures Depends first
    assert "Requires: php8.2-common, php-symfony-console >= 5.0\n" in result.text
    records = {c.dependency[0]: c.dependency for c in result.changes if c.dependency}
    assert records["/usr/bin/phpunit"] == (
        "/usr/bin/phpunit", "phpunit", "/usr/bin/phpunit is in the Contents",
    )  # fmt: skip
    assert records["php-pcre"][2] == "PHP extension pcre is built into Debian's PHP 8.2"


def test_unknown_name_is_one_error_with_a_suggestion() -> None:
    from specport.normalize.deps import UnresolvedError
    from specport.normalize.passes import normalize

    text = SPEC.replace("php-pcre", "php-symfony-consle")
    with pytest.raises(UnresolvedError) as caught:
        normalize(text, TARGETS["debian-12"], path="x.spec", resolver=resolver("debian-12"))
    assert caught.value.names == ["php-symfony-consle"]
    assert str(caught.value).startswith(
        "x.spec: neither debian-12's package index nor the spec set has these names:"
        " line 8: php-symfony-consle (did you mean php-symfony-console"
    )


STACK_SPEC = """Name: php-acme-ext
Version: 1.0
Release: 1%{?dist}
Summary: demo
License: MIT
BuildRequires: php82-php-devel
BuildRequires: php73-php-devel, rh-php74-php-cli
Conflicts: php73-php-pecl-apcu
%description
demo
"""


@pytest.mark.parametrize("with_index", [True, False])
def test_a_stack_of_another_php_version_is_an_error_naming_both(with_index: bool) -> None:
    from specport.normalize.deps import PhpStackError
    from specport.normalize.passes import normalize

    target = TARGETS["debian-12"]
    # the rule data alone would guess libphp73-php-dev for it: the stack check comes first
    chosen = resolver("debian-12") if with_index else None
    with pytest.raises(PhpStackError) as caught:
        normalize(STACK_SPEC, target, path="x.spec", resolver=chosen)
    assert str(caught.value).startswith(
        "x.spec: line 7: php73-php-devel is a PHP 7.3 stack, but debian-12 has PHP 8.2;"
        " line 7: rh-php74-php-cli is a PHP 7.4 stack, but debian-12 has PHP 8.2"
    )
    assert caught.value.names == ["php73-php-devel", "rh-php74-php-cli"]
    assert "require the unversioned name" in str(caught.value)
    # the target's own stack and a Conflicts naming another stack are no error
    ok = STACK_SPEC.replace("BuildRequires: php73-php-devel, rh-php74-php-cli\n", "")
    if with_index:
        result = normalize(ok, target, resolver=chosen)
        assert "BuildRequires: php8.2-dev\n" in result.text
        assert "\nConflicts: php73" not in result.text  # dropped: no such package there


def test_the_stack_error_through_normalize_and_its_report(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from specport.cli import cli

    spec = tmp_path / "x.spec"
    spec.write_text(STACK_SPEC)
    report = tmp_path / "r.json"
    result = CliRunner().invoke(
        cli,
        ["normalize", str(spec), "--target", "debian-12", "--no-index", "--report", str(report)],
    )
    assert result.exit_code == 1
    assert "php73-php-devel is a PHP 7.3 stack, but debian-12 has PHP 8.2" in str(result.exception)
    entry = json.loads(report.read_text())["specs"][0]
    assert entry["status"] == "failed"
    assert entry["unresolved"] == ["php73-php-devel", "rh-php74-php-cli"]


@pytest.fixture(scope="module")
def live() -> dict[str, IndexResolver]:
    """The real indexes (the configured cache; fetched from the bootstrap's mirror when absent)."""
    from specport.index import stores

    settings = load_config(None).settings
    return {
        name: IndexResolver(TARGETS[name], stores.obtain(TARGETS[name], settings, offline=False))
        for name in RELEASES
    }


@pytest.mark.container  # fetches the archives' files (hundreds of MB) when they are not cached
@pytest.mark.parametrize("target", ["debian-12", "ubuntu-20.04"])
def test_every_route_against_the_live_index(live: dict[str, IndexResolver], target: str) -> None:
    wrong = []
    for name, deb12, focal, how in ROUTES:
        found = live[target].resolve(name)
        expected = deb12 if target == "debian-12" else focal
        if found is None or found.name != expected or how not in found.rule:
            wrong.append((name, expected, found))
    assert wrong == []
