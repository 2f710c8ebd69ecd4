"""Rules for the most frequent names a sample of Fedora specs left unresolved
(names/debian.counterparts.toml, names/debian.absent.toml), read from the rule data alone: the
fixture indexes have few of these packages (each rule was checked against the real bookworm and
focal indexes when it was written)."""

from __future__ import annotations

import pytest

from specport.normalize.resolver import RuleResolver
from specport.targets import load_targets

TARGETS = load_targets()

# (Fedora name, the rule's first name, its fallbacks, its further packages)
RULES = [
    ("ghc-compiler", "ghc", (), ()),
    ("xorg-x11-server-Xvfb", "xvfb", (), ()),
    ("procps-ng", "procps", (), ()),
    # a newer release's name first, focal's after it
    ("freeglut-devel", "libglut-dev", ("freeglut3-dev",), ()),
    ("polkit", "polkitd", ("policykit-1",), ("pkexec",)),
    # bookworm only: focal has no Qt 6
    ("qt6-qtbase-devel", "qt6-base-dev", (), ()),
    # Fedora's one package, Debian's several
    ("clang-tools-extra", "clang-tools", (), ("clang-tidy", "clang-format", "clangd")),
    ("json-devel", "nlohmann-json3-dev", (), ()),
    # what Fedora's Perl modules need to run their tests
    ("glibc-langpack-en", "locales-all", (), ()),
    ("hunspell-en", "hunspell-en-us", (), ()),
    ("mariadb-server-any", "default-mysql-server", (), ()),
    # a second batch of the sample's names
    ("gnome-desktop3", "libgnome-desktop-3-20", ("libgnome-desktop-3-19",), ()),
    ("libasan", "libasan8", ("libasan5",), ()),
    ("dbus-daemon", "dbus-daemon", ("dbus",), ()),
    ("gtk4", "libgtk-4-1", (), ("gir1.2-gtk-4.0",)),
    ("krb5-server", "krb5-kdc", (), ("krb5-admin-server",)),
    ("xcb-util-wm-devel", "libxcb-icccm4-dev", (), ("libxcb-ewmh-dev",)),
    ("NetworkManager-libnm-devel", "libnm-dev", (), ()),
    ("ghc-QuickCheck-devel", "libghc-quickcheck2-dev", (), ()),
    ("python3-ruamel-yaml", "python3-ruamel.yaml", (), ()),
    ("moby-engine", "docker.io", (), ()),
]


@pytest.mark.parametrize(("name", "first", "fallbacks", "also"), RULES)
def test_rule(name: str, first: str, fallbacks: tuple[str, ...], also: tuple[str, ...]) -> None:
    found = RuleResolver(TARGETS["debian-12"]).resolve(name)
    assert found is not None, name
    assert (found.name, found.fallbacks, found.also) == (first, fallbacks, also)
    assert f"exact rule {name}" in found.rule
    assert not found.guess


def test_an_abi_rule_drops_the_version() -> None:
    found = RuleResolver(TARGETS["debian-12"]).resolve("tcl(abi)")
    assert found is not None and found.name == "tcl" and not found.keep_version


def test_an_essential_layout_is_dropped() -> None:
    found = RuleResolver(TARGETS["debian-12"]).resolve("filesystem")
    assert found is not None and found.name == "" and "base-files" in found.rule


@pytest.mark.parametrize(
    "name",
    [
        "java-25-devel",
        "maven-local-openjdk25",
        "SDL3-devel",
        "flexiblas-devel",
        "gpgverify",
        "ghc-rpm-macros",
        "kf5-rpm-macros",
        "fontpackages-devel",
        "openssl11-devel",
        "ghc-crypton-devel",
    ],
)
@pytest.mark.parametrize("target", ["debian-12", "ubuntu-20.04"])
def test_absent(name: str, target: str) -> None:
    rules = RuleResolver(TARGETS[target])
    assert rules.refusal(name) == "absent"
    assert rules.missing(name).startswith(f" ({name}: ")
    found = rules.resolve(name)  # no rule: at most a pattern's guess (SDL3-devel: libsdl3-dev)
    assert found is None or found.guess


def test_langpacks_are_absent_by_pattern() -> None:
    patterns = RuleResolver(TARGETS["debian-12"]).rules["absent_patterns"]
    assert any(p["match"] == "langpacks-*" for p in patterns)


def test_a_directory_owner_is_dropped() -> None:
    found = RuleResolver(TARGETS["debian-12"]).resolve("hunspell-filesystem")
    assert found is not None and found.name == "" and "/usr/share/hunspell" in found.rule


def test_rst2man_is_docutils() -> None:
    found = RuleResolver(TARGETS["ubuntu-20.04"]).resolve("/usr/bin/rst2man")
    assert found is not None and found.name == "python3-docutils"


def test_a_name_with_a_rule_is_not_absent() -> None:
    rules = RuleResolver(TARGETS["debian-12"])
    assert rules.refusal("qt6-qtbase-devel") == "unknown"  # the rule answers, not [absent]


def test_fedora_php_names_with_no_counterpart_say_why() -> None:
    rules = RuleResolver(load_targets()["debian-12"])
    for name in ("php-rar", "valkey", "geolite2-city", "php-autoloader(pear/pear-core-minimal)"):
        assert rules.refusal(name) == "absent", name
    # composer-generators makes Fedora-namespace Provides only: dropped, with the reason
    found = rules.resolve("composer-generators")
    assert found is not None and found.name == "" and "generators" in found.rule
    found = rules.resolve("webserver")
    assert found is not None and found.name == "httpd"
