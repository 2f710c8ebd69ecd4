"""Dependency names for deb targets: rules as data, one error for everything unresolved."""

from __future__ import annotations

import pytest

from specport.errors import DependencyError, SpecError
from specport.normalize.model import NormalizeOptions
from specport.normalize.passes import normalize
from specport.normalize.resolver import RuleResolver
from specport.targets import load_targets

TARGETS = load_targets()
DEB12 = TARGETS["debian-12"]
FOCAL = TARGETS["ubuntu-20.04"]
EL8 = TARGETS["el8-php7.4"]

HEAD = "Name: foo\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n"


def deps_of(text: str, target=DEB12, **opts: object) -> list[str]:  # type: ignore[no-untyped-def]
    out = normalize(HEAD + text, target, options=NormalizeOptions(**opts)).text  # type: ignore[arg-type]
    return [ln for ln in out.splitlines() if ":" in ln and not ln.startswith(("#", "%"))][5:]


@pytest.mark.parametrize(
    ("fedora", "debian"),
    [
        ("gcc-c++", "g++"),
        ("libyaml-devel", "libyaml-dev"),
        ("pkgconfig(yaml-0.1)", "libyaml-dev"),
        ("perl(File::Temp)", "libfile-temp-perl"),
        ("python3dist(requests)", "python3-requests"),
        ("/usr/bin/php", "php8.2-cli"),
        ("php-devel", "php8.2-dev"),
        ("php-pecl-apcu", "php-apcu"),
        ("libfoo-devel", "libfoo-dev"),
        ("bar-devel", "libbar-dev"),
    ],
)
def test_rules(fedora: str, debian: str) -> None:
    found = RuleResolver(DEB12).resolve(fedora)
    assert found is not None and found.name == debian


def test_unknown_pkgconfig_stays_unresolved() -> None:
    assert RuleResolver(DEB12).resolve("pkgconfig(no-such-module)") is None


def test_php_api_on_deb_and_rpm() -> None:
    spec = "Requires: php(zend-abi) = %{php_zend_api}\nRequires: php(api) = %{php_core_api}\n"
    assert deps_of(spec) == ["Requires: phpapi-20220829"]
    assert deps_of(spec, FOCAL) == ["Requires: phpapi-20190902"]
    el8 = normalize(HEAD + spec, EL8).text
    assert "Requires: php(zend-abi) = %{php_zend_api}" in el8  # exact on rpm targets


def test_operators_epoch_isa_and_commas() -> None:
    spec = "BuildRequires: gcc make >= 4.0, libyaml-devel%{?_isa} < 1:0.3\n"
    assert deps_of(spec) == ["BuildRequires: gcc, make >= 4.0, libyaml-dev < 1:0.3"]
    notes = [c.reason for c in normalize(HEAD + spec, DEB12).changes]
    assert any("debbuild writes libyaml-dev (<< 1:0.3)" in n for n in notes)


def test_own_subpackages_and_provides() -> None:
    spec = (
        "Provides: foo-bar = 1\nProvides: php-pecl(foo)%{?_isa}\n"
        "%description\nx\n%package devel\nSummary: d\n"
        "Requires: %{name}%{?_isa} = %{version}-%{release}\nRequires: foo-devel\n"
    )
    out = normalize(HEAD + spec, DEB12).text
    assert "Provides: foo-bar = 1" in out
    assert "# specport dropped: Provides: php-pecl(foo)%%{?_isa}" in out
    assert "Requires: %{name} = %{version}-%{release}" in out
    assert "Requires: foo-devel" in out  # its own subpackage, not a Fedora -devel name


def test_all_unresolved_names_in_one_error() -> None:
    spec = "BuildRequires: no-such-thing\nRequires: pkgconfig(nope)\nRequires: %{undefined_x}\n"
    with pytest.raises(DependencyError) as info:
        normalize(HEAD + spec, DEB12)
    message = str(info.value)
    assert "line 6: no-such-thing" in message
    assert "line 7: pkgconfig(nope)" in message
    assert "line 8: %{undefined_x}" in message


def test_names_all_under_a_switch_of_the_spec_say_how_to_turn_it_off() -> None:
    spec = (
        "%global with_python 1\n%bcond_without java\n"
        "%if %{with_python}\nBuildRequires: no-such-python\n%endif\n"
        "%if %{with java}\nBuildRequires: no-such-java\n%endif\n"
    )
    with pytest.raises(DependencyError) as info:
        normalize(HEAD + spec, DEB12)
    hint = info.value.hint or ""
    assert "turn it off (%global with_python 0 in the spec, --without java)" in hint
    # one name outside any switch: no such way out
    with pytest.raises(DependencyError) as info:
        normalize(HEAD + spec + "BuildRequires: no-such-thing\n", DEB12)
    assert "switch" not in (info.value.hint or "")


def test_keep_unresolved() -> None:
    spec = "BuildRequires: no-such-thing >= 2, gcc\n"
    assert deps_of(spec, keep_unresolved=True) == ["BuildRequires: no-such-thing >= 2, gcc"]


def test_unknown_obsoletes_are_dropped_not_fatal() -> None:
    out = normalize(HEAD + "Obsoletes: php-pecl-old < 2\n", DEB12).text
    assert "# specport dropped: Obsoletes" in out or "Obsoletes: php-old < 2" in out


def test_rich_or_with_one_debian_name_collapses() -> None:
    assert deps_of("BuildRequires: (pkgconfig or pkgconf-pkg-config)\n") == [
        "BuildRequires: pkg-config"
    ]


def test_rich_alternatives() -> None:
    # BuildRequires: a rich dependency rpm reads; apt gets `gcc | libclang-dev`
    assert deps_of("BuildRequires: (gcc or clang-devel)\n") == [
        "BuildRequires: (gcc or libclang-dev)"
    ]
    # run-time: debbuild writes one name per item, so the first alternative
    assert deps_of("Requires: (gcc or clang-devel)\n") == ["Requires: gcc"]
    # `and`/`with`: every name (dpkg's `a, b`; `with` as a version range of one name)
    assert deps_of("Requires: (gcc >= 10 with gcc < 14)\n") == ["Requires: gcc >= 10, gcc < 14"]
    assert deps_of("BuildRequires: (gcc and make)\n") == ["BuildRequires: gcc, make"]
    # conditional: no dpkg form; an error in Requires, dropped in weak tags
    with pytest.raises(SpecError, match="no conditional dependency") as info:
        normalize(HEAD + "Requires: (gcc if make)\n", DEB12)
    assert info.value.line == 6
    out = normalize(HEAD + "Recommends: (gcc if make)\n", DEB12)
    assert "# specport dropped: Recommends: (gcc if make)" in out.text
    assert any("no conditional dependency" in c.reason for c in out.changes)
    with pytest.raises(SpecError, match="plain names"):
        normalize(HEAD + "Requires: ((a or b) and c)\n", DEB12)


def test_rich_with_of_names_that_hold_parentheses() -> None:
    # Fedora's PHP libraries pin a Composer range: `(php-composer(x) >= 1 with php-composer(x) < 2)`
    got = deps_of("Requires: (perl(File::Temp) >= 0.2 with perl(File::Temp) < 1)\n")
    assert got == ["Requires: libfile-temp-perl >= 0.2, libfile-temp-perl < 1"]
    with pytest.raises(SpecError, match="no conditional dependency"):
        normalize(HEAD + "Requires: (perl(File::Temp) if perl(Carp))\n", DEB12)
    with pytest.raises(SpecError, match="plain names"):
        normalize(HEAD + "Requires: ((perl(Carp) or gcc) and make)\n", DEB12)


def test_reversed_operators_rpm_reads_as_the_usual_ones() -> None:
    # rpm's comparison table has `=>` and `=<` beside `>=` and `<=` (Fedora specs use them)
    assert deps_of("BuildRequires: gcc => 6.42\nConflicts: make =< 3.5\n") == [
        "BuildRequires: gcc >= 6.42",
        "Conflicts: make <= 3.5",
    ]


def test_every_spelling_of_an_arch_qualified_name_loses_the_arch() -> None:
    # foo%{?_isa} is (%{__isa}), which rpm expands to (x86-64): Debian names carry no arch
    assert deps_of(
        "BuildRequires: gcc-c++(%{__isa}), libyaml-devel(x86-64), perl-devel%{?_isa}\n"
    ) == ["BuildRequires: g++, libyaml-dev, perl"]
