"""Names of the remirepo forest that had no route: rules with a fallback for the release that
lacks the first name, headers and perl-Foo-Bar found through Contents, PEAR package names, the
newest SONAME of one source, name patterns, and names the rule data says have no counterpart.

The indexes are the fixtures cut from the real bookworm and focal archives (tests/data/index,
tests/data/index/cut.py)."""

from __future__ import annotations

import pytest
from test_index_routes import TARGETS, resolver

from specport.normalize.resolver import RuleResolver

BOTH = ["debian-12", "ubuntu-20.04"]

# (Fedora name, debian-12 answer, ubuntu-20.04 answer, a word of the explanation)
FOUND = [
    # { name = "a", or = ["b"] }: bookworm has a, focal only b
    ("lua-devel", "liblua5.4-dev", "liblua5.3-dev", "exact rule lua-devel"),
    ("/etc/mime.types", "media-types", "mime-support", "path /etc/mime.types"),
    # a header under /usr/include: the headers table (multiarch dir), the rule data's choice
    # of several owners (libcurl-devel is libcurl4-openssl-dev)
    ("/usr/include/curl/curl.h", "libcurl4-openssl-dev", "libcurl4-openssl-dev", "rule data's"),
    ("/usr/include/uuid/uuid.h", "uuid-dev", "uuid-dev", "/usr/include/uuid/uuid.h is in"),
    # perl-Foo-Bar with no libfoo-bar-perl: the package of Foo/Bar.pm (perl's own: perl)
    ("perl-ExtUtils-MakeMaker", "perl", "perl", "packages ExtUtils::MakeMaker; perl core"),
    # Fedora's php-pear-Foo-Bar is PEAR's Foo_Bar (pear.php.net's registry in Contents)
    ("php-pear-MDB2", "php-mdb2", "php-mdb2", "pear.php.net/MDB2"),
    # of one source's owners of libodbc.so.N, the newest SONAME's package (bookworm's libodbc1
    # is transitional); focal has one
    ("unixODBC", "libodbc2", "libodbc1", "libodbc.so.N"),
    # name patterns the index confirms
    ("libreoffice-langpack-fr", "libreoffice-l10n-fr", "libreoffice-l10n-fr", "langpack-*"),
    ("npm(clean-css)", "node-clean-css", "node-clean-css", "pattern npm(*)"),
    ("rubygem(sass)", "ruby-sass", "ruby-sass", "pattern rubygem(*)"),
    ("perl-Glib-devel", "libglib-perl", "libglib-perl", "pattern perl-*-devel"),
    # what the rule data says a Fedora -devel ships
    ("gtkmm24-devel", "libgtkmm-2.4-dev", "libgtkmm-2.4-dev", "gtkmm-2.4.pc"),
]


@pytest.mark.parametrize(("name", "deb12", "focal", "how"), FOUND)
def test_found(name: str, deb12: str, focal: str, how: str) -> None:
    for target, expected in zip(BOTH, (deb12, focal), strict=True):
        found = resolver(target).resolve(name)
        assert found is not None, (target, name)
        assert found.name == expected, target
        assert how in found.rule, (target, found.rule)


def test_a_fallback_says_which_name_the_index_lacks() -> None:
    found = resolver("ubuntu-20.04").resolve("lua-devel")
    assert found is not None and "(it has no liblua5.4-dev)" in found.rule
    found = resolver("debian-12").resolve("lua-devel")
    assert found is not None and "it has no" not in found.rule


def test_without_an_index_a_rule_answers_its_first_name() -> None:
    found = RuleResolver(TARGETS["ubuntu-20.04"]).resolve("/etc/mime.types")
    assert found is not None
    assert (found.name, found.fallbacks) == ("media-types", ("mime-support",))


def test_a_rule_none_of_whose_names_the_index_has_is_refused() -> None:
    r = resolver("debian-12")  # EL's Python 2 pyodbc: bookworm has no Python 2
    assert r.resolve("pyodbc") is None
    assert r.refusal("pyodbc") == "absent"
    assert "pyodbc is EL's pyodbc, a Python 2 module, Debian's python-pyodbc" in r.missing("pyodbc")


def test_a_header_no_package_ships_is_unknown() -> None:
    r = resolver("debian-12")
    assert r.resolve("/usr/include/no-such-header.h") is None
    assert r.refusal("/usr/include/no-such-header.h") == "unknown"


def test_a_perl_package_whose_module_is_nowhere_stays_unknown() -> None:
    r = resolver("debian-12")
    assert r.resolve("perl-No-Such-Module") is None
    assert r.refusal("perl-No-Such-Module") == "unknown"


@pytest.mark.parametrize("target", BOTH)
@pytest.mark.parametrize(
    ("name", "why"),
    [
        # [devel] data: what Fedora's libcmml-devel ships, which no package has
        ("libcmml-devel", "ships cmml.pc, /usr/include/cmml.h: no"),
        # [absent]
        ("kernel", "does not depend on a kernel image"),
        ("qt-mysql", "Qt 4's MySQL driver"),
        ("php-pear-Net-Curl", "PEAR's Net_Curl"),
    ],
)
def test_names_with_no_counterpart_are_refused_as_absent(target: str, name: str, why: str) -> None:
    r = resolver(target)
    assert r.resolve(name) is None
    assert r.refusal(name) == "absent"
    assert why in r.missing(name)


@pytest.mark.parametrize("target", BOTH)
def test_rules_that_drop_a_name(target: str) -> None:
    r = resolver(target)
    for name in ("which", "/usr/share/aclocal"):  # debianutils (essential); a directory
        found = r.resolve(name)
        assert found is not None and found.name == "", name
