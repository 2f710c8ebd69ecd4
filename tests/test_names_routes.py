"""Dependency names found through what packages ship, names with no counterpart and the user's
name rules (what a spec set answers for: test_set_names.py).

The indexes are the fixtures cut from the real bookworm and focal archives (tests/data/index,
tests/data/index/cut.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_index_routes import TARGETS, fixture_index, resolver

from specport.cli import cli
from specport.errors import ConfigError, SpecError
from specport.index.debresolver import IndexResolver
from specport.namerules import parse_name_rules
from specport.normalize.deps import SclError
from specport.normalize.passes import normalize
from specport.normalize.resolver import UserRules

BOTH = ["debian-12", "ubuntu-20.04"]

# (Fedora name, the answer on both releases, a word of the explanation)
SHIPPED = [
    # a -devel through the files the rule data says it ships, found in Contents
    ("pcre-devel", "libpcre3-dev", "libpcre.pc (what Fedora's pcre-devel ships)"),
    ("alsa-lib-devel", "libasound2-dev", "alsa.pc"),
    ("systemtap-sdt-devel", "systemtap-sdt-dev", "/usr/include/sys/sdt.h"),  # multiarch dir
    ("libevent-devel", "libevent-dev", "libevent.pc"),
    # the generic derivations: libfoo.so of foo-devel
    ("gdbm-devel", "libgdbm-dev", "libgdbm.so (as a foo-devel ships them)"),
    ("libaio-devel", "libaio-dev", "libaio.so"),
    # runtime library packages: the binary with the SONAME file
    ("libcurl", "libcurl4", "libcurl.so.N"),
    ("zlib", "zlib1g", "libz.so.N"),
    ("libssh2", "libssh2-1", "libssh2.so.N"),
    ("libsodium", "libsodium23", "libsodium.so.N"),
    ("libselinux", "libselinux1", "libselinux.so.N"),
    ("libevent", "libevent-2.1-7", "libevent-2.1.so.N"),  # the version in the SONAME's name
    ("gd-last", "libgd3", "Remi's newest gd"),
    # rules
    ("mod_php", "libapache2-mod-php", "rule"),
    ("smtpdaemon", "mail-transport-agent", "virtual name of an MTA"),
    ("chkconfig", "init-system-helpers", "update-rc.d"),
    ("/etc/cron.d", "cron", "rule confirmed"),
    ("perl-DBI", "libdbi-perl", "pattern perl-*"),
    ("jcip-annotations", "libjcip-annotations-java", "pattern *"),
]


@pytest.mark.parametrize("target", BOTH)
@pytest.mark.parametrize(("name", "expected", "how"), SHIPPED)
def test_shipped_routes(target: str, name: str, expected: str, how: str) -> None:
    found = resolver(target).resolve(name)
    assert found is not None, name
    assert found.name == expected
    assert how in found.rule


def test_a_runtime_library_has_no_version_of_its_own() -> None:
    found = resolver("debian-12").resolve("libcurl")
    assert found is not None and not found.keep_version  # libcurl >= 7.x is not libcurl4's


def test_absent_names_are_refused_with_their_reason() -> None:
    deb12, focal = resolver("debian-12"), resolver("ubuntu-20.04")
    # Enchant 1: focal has it, bookworm only Enchant 2
    assert deb12.resolve("enchant-devel") is None
    assert deb12.refusal("enchant-devel") == "absent"
    assert "ships enchant.pc, /usr/include/enchant/enchant.h: no debian-12 package" in (
        deb12.missing("enchant-devel")
    )
    found = focal.resolve("enchant-devel")
    assert found is not None and found.name == "libenchant-dev"
    # Python 2: the rule data says what it is; bookworm has none, focal has python2
    assert deb12.resolve("python") is None
    assert deb12.refusal("python") == "absent"
    assert "Python 2" in deb12.missing("python")
    assert (found := focal.resolve("python")) is not None and found.name == "python2"
    # [absent], unless the release still has the very name
    assert deb12.resolve("mongodb-server") is None
    assert "MongoDB" in deb12.missing("mongodb-server")
    assert (found := focal.resolve("mongodb-server")) is not None
    # a capability the index answers completely
    assert deb12.resolve("pkgconfig(nope)") is None
    assert deb12.missing("pkgconfig(nope)") == " (no debian-12 package ships nope.pc)"
    assert deb12.refusal("pkgconfig(nope)") == "absent"
    # nothing says what it is
    assert deb12.resolve("nosuchthing") is None
    assert deb12.refusal("nosuchthing") == "unknown"


def test_a_dropped_path_says_why() -> None:
    found = resolver("debian-12").resolve("/usr/sbin/alternatives")
    assert found is not None and found.name == ""
    assert "update-alternatives, in dpkg (essential)" in found.rule


def test_the_index_tables_of_headers_libraries_and_breaks() -> None:
    index = fixture_index("debian-12")
    assert index.owners("headers", "pcre.h") == ["libpcre3-dev"]
    assert index.owners("headers", "sys/sdt.h") == ["systemtap-sdt-dev"]
    assert index.owners("devlibs", "libpcre") == ["libpcre3-dev"]
    assert index.owners("sonames", "libpcre") == ["libpcre3"]
    assert "php-common" in index.owners("breaks", "php-amqp")


HEAD = "Name: demo\nVersion: 1.0\nRelease: 1\nSummary: d\nLicense: MIT\n"


def _normalize(body: str, target: str = "debian-12", chosen: object = None) -> str:
    r = chosen if chosen is not None else resolver(target)
    return normalize(HEAD + body + "%description\nd\n", TARGETS[target], resolver=r).text  # type: ignore[arg-type]


def test_pkgconfig_brings_pkg_config_itself() -> None:
    text = _normalize("BuildRequires: pkgconfig(libpcre)\n")
    assert "BuildRequires: libpcre3-dev, pkg-config\n" in text


def test_a_versioned_provides_debian_breaks_loses_its_version() -> None:
    result = normalize(
        HEAD + "Provides: php-amqp = 1.11.0\nProvides: demo-extra = 2\n%description\nd\n",
        TARGETS["debian-12"],
        resolver=resolver("debian-12"),
    )
    assert "Provides: php-amqp\n" in result.text
    assert "Provides: demo-extra = 2\n" in result.text
    assert any("php-common" in c.reason and "Breaks php-amqp" in c.reason for c in result.changes)


def test_scriptlet_requires_on_deb() -> None:
    text = _normalize(
        "Requires(post): cron\nRequires(preun): cron\nRequires(pre): cron\n"
        "Requires(posttrans): pkgconf\nRequires(pretrans): dash\n"
        "Requires(post): /usr/sbin/alternatives\n"
    )
    assert "\nRequires(post)" not in text and "\nRequires(preun)" not in text
    assert "Requires: cron\n" in text
    assert "Requires(pre): cron\n" in text  # debbuild writes Pre-Depends
    assert "Requires: pkgconf\n" in text
    assert "Requires(pre): dash\n" in text
    assert "# specport dropped: Requires(post): /usr/sbin/alternatives" in text


def test_macros_of_dead_branches_do_not_hide_names() -> None:
    # %{?sub_prefix} is defined only under %if 0%{?scl:1}: outside SCL it is nothing, as in rpm
    body = (
        "%if 0%{?scl:1}\n%global sub_prefix %{scl_prefix}\n%endif\n"
        "%{!?phpname: %{expand: %%global phpname php}}\n"
        "BuildRequires: %{?sub_prefix}libevent-devel, %{phpname}-devel\n"
        "%global reqs cron dash\nRequires: %{reqs}\n"
    )
    text = _normalize(body)
    # (libevent-dev ships libevent.pc: pkg-config comes with it, as Fedora's -devel requires it)
    assert "BuildRequires: libevent-dev, pkg-config, php8.2-dev, libxml2-dev, zlib1g-dev\n" in text
    assert "Requires: cron, dash\n" in text


def test_a_devel_that_ships_a_pc_file_brings_pkg_config() -> None:
    text = _normalize("BuildRequires: libevent-devel\nBuildRequires: php-devel\n")
    assert "BuildRequires: libevent-dev, pkg-config\n" in text
    # php8.2-dev ships no .pc in the fixture; Fedora's php-devel requires libxml2-devel and
    # zlib-devel (extensions' config.m4 test for them), krb5-devel and gcc-c++, which the
    # fixture index lacks: what the index has comes along
    assert "BuildRequires: php8.2-dev, libxml2-dev, zlib1g-dev\n" in text


SCL = """%global scl php56
%scl_package %scl
Name: %scl_name
Version: 1
Release: 1
Summary: s
License: GPL
BuildRequires: scl-utils-build
Requires: %{?scl_name}-runtime
%description
s
"""


def test_an_scl_metapackage_is_refused_as_scl() -> None:
    with pytest.raises(SclError) as caught:
        normalize(SCL, TARGETS["debian-12"], path="php56.spec", resolver=resolver("debian-12"))
    assert "a Software Collection metapackage (%scl_package): SCL exists on EL only" in str(
        caught.value
    )
    assert caught.value.refused[0][1] == "scl"


def test_the_report_gives_each_refusal_a_class(tmp_path: Path) -> None:
    spec = tmp_path / "x.spec"
    spec.write_text(HEAD + "BuildRequires: pkgconfig(nope), nosuchthing, %{undefined_x}\n"
                    "%description\nd\n")  # fmt: skip
    report = tmp_path / "r.json"
    args = ["normalize", str(spec), "--target", "debian-12", "--no-index", "--report", str(report)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    refused = json.loads(report.read_text())["specs"][0]["refused"]
    classes = {r["name"]: r["class"] for r in refused}
    assert classes == {"pkgconfig(nope)": "unknown", "nosuchthing": "unknown",
                       "%{undefined_x}": "macro"}  # fmt: skip
    assert "specport.toml" in str(result.exception.hint)  # type: ignore[union-attr]


# --- the user's rules --------------------------------------------------------------------------


def test_user_rules_shape_and_precedence() -> None:
    rules = parse_name_rules(
        "p.toml",
        {
            "deb": {"fastlz-devel": "libfastlz-dev", "mod_php": ["libapache2-mod-php", "php"]},
            "debian-12": {"fastlz-devel": "libfastlz3-dev", "fedora-tool": ""},
        },
        TARGETS,
    )
    own = rules.for_target(TARGETS["debian-12"])
    assert own["fastlz-devel"] == (["libfastlz3-dev"], "p.toml [names.debian-12]")
    assert rules.for_target(TARGETS["ubuntu-20.04"])["fastlz-devel"][0] == ["libfastlz-dev"]
    assert rules.for_target(TARGETS["el9-php8.2"]) == {}
    chosen = UserRules(resolver("debian-12"), own)
    text = _normalize("BuildRequires: fastlz-devel, mod_php\nRequires: fedora-tool\n",
                      chosen=chosen)  # fmt: skip
    assert "BuildRequires: libfastlz3-dev, libapache2-mod-php, php\n" in text
    assert "# specport dropped: Requires: fedora-tool" in text


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"debain-12": {}}, "p.toml: names.debain-12: no target named 'debain-12', and not 'deb'"
         " (did you mean 'debian-12'?)"),
        ({"el9-php8.2": {}}, "p.toml: names.el9-php8.2: el9-php8.2 is an rpm target"),
        ({"deb": {"a": "Lib_Bad"}}, "p.toml: names.deb.a: 'Lib_Bad' is not a Debian package name"),
        ({"deb": {"a b": 3}}, 'p.toml: names.deb."a b": expected a package name, a list of'),
        ({"deb": "x"}, "p.toml: names.deb: must be a table"),
    ],
)  # fmt: skip
def test_user_rules_are_checked(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_name_rules("p.toml", raw, TARGETS)
    assert str(caught.value).startswith(message)


def test_user_rules_from_specport_toml(tmp_path: Path) -> None:
    (tmp_path / "specport.toml").write_text('[names.deb]\n"nosuchthing" = "gzip"\n')
    spec = tmp_path / "x.spec"
    spec.write_text(HEAD + "Requires: nosuchthing\n%description\nd\n")
    args = ["--config", str(tmp_path / "specport.toml"), "normalize", str(spec),
            "--target", "debian-12", "--no-index", "--explain"]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert f"nosuchthing -> gzip [your rule in {tmp_path / 'specport.toml'} [names.deb]]" in (
        result.output
    )
    (tmp_path / "specport.toml").write_text('[names.deb]\n"x" = "Bad_Name"\n')
    result = CliRunner().invoke(cli, args)
    assert isinstance(result.exception, ConfigError)
    assert result.exception.exit_code == 2
    assert "specport.toml: names.deb.x: 'Bad_Name' is not a Debian package name" in str(
        result.exception
    )


# --- one resolver: a set's .pc files, paths and Provides are built here everywhere -------------


def test_rich_dependencies_reach_apt_as_alternatives() -> None:
    from specport.building.engines import rpm_dep_to_deb

    assert rpm_dep_to_deb("(gcc or libclang-dev >= 14)") == "gcc | libclang-dev (>= 14)"
    assert rpm_dep_to_deb("gcc >= 12") == "gcc (>= 12)"


def test_a_conditional_rich_dependency_is_an_error_naming_it() -> None:
    with pytest.raises(SpecError, match="no conditional dependency"):
        _normalize("Requires: (cron unless gzip)\n")


def test_owners_ranked_compat_last_and_source_name_first() -> None:
    from specport.index import shipped

    sources = {"libmagickcore-6.q16-dev": "imagemagick"}
    owners = ["graphicsmagick-libmagick-dev-compat", "libmagickcore-6.q16-dev"]
    assert shipped.preferred(owners, "ImageMagick", lambda b: sources.get(b, b))[0] == (
        "libmagickcore-6.q16-dev"
    )
    # a true tie stays a tie: the -devel route then refuses to guess
    assert shipped._unique_best(["liba-dev", "libb-dev"], "x.h", lambda b: b) is None
    assert shipped._unique_best(owners, "ImageMagick.pc", lambda b: sources.get(b, b)) == (
        "libmagickcore-6.q16-dev"
    )


def test_a_pkgconfig_rule_picks_the_package_a_build_wants() -> None:
    """ImageMagick.pc is in GraphicsMagick's compat package and in libmagickcore-*-dev; PHP's
    imagick configure needs MagickWand-config, which libmagickwand-dev brings (the rule)."""
    from specport.index.parse import Builder

    builder = Builder()
    builder.add_packages(
        "Package: libmagickwand-dev\nVersion: 8:6.9\nSource: imagemagick\n\n"
        "Package: libmagickcore-6.q16-dev\nVersion: 8:6.9\nSource: imagemagick\n\n"
        "Package: graphicsmagick-libmagick-dev-compat\nVersion: 1.4\nSource: graphicsmagick\n\n"
    )
    contents = [
        b"usr/lib/x86_64-linux-gnu/pkgconfig/ImageMagick.pc"
        b" libdevel/graphicsmagick-libmagick-dev-compat,libdevel/libmagickcore-6.q16-dev",
        b"usr/lib/x86_64-linux-gnu/pkgconfig/MagickCore.pc libdevel/libmagickcore-6.q16-dev",
    ]
    builder.add_contents(contents, ("main",), "main")
    r = IndexResolver(TARGETS["debian-12"], builder.build("debian-12"))
    found = r.resolve("pkgconfig(ImageMagick)")
    assert found is not None and found.name == "libmagickwand-dev"
    assert "ImageMagick.pc is in the Contents" in found.rule
    # without a rule: the owner named after the module's source, never the compat package
    found = r.resolve("pkgconfig(MagickCore)")
    assert found is not None and found.name == "libmagickcore-6.q16-dev"
