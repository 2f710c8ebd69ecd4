"""The forge pass: %forgemeta / %forgesetup as the literal values Fedora's Lua would compute."""

from __future__ import annotations

import pytest

from specport.config import load_config
from specport.normalize.passes import normalize


def _norm(text: str, target: str = "debian-12") -> tuple[str, list[str]]:
    result = normalize(text, load_config(None).targets[target])
    return result.text, [c.reason for c in result.changes if c.pass_name == "forge"]


def _spec(head: str, prep: str = "%forgesetup") -> str:
    return (
        f"{head}\nName: demo\nVersion: 1.4.2\nRelease: 1%{{?dist}}\nSummary: s\nLicense: MIT\n"
        "%forgemeta\nURL: %{forgeurl}\nSource0: %{forgesource}\n\n%description\nd\n\n"
        f"%prep\n{prep}\n\n%build\n\n%files\n\n%changelog\n"
    )


def test_github_release_fetches_v_tag_and_names_archive_without_v() -> None:
    text, notes = _norm(_spec("%global forgeurl https://github.com/acme/widget"))
    assert (
        "%global forgesource https://github.com/acme/widget/archive/v1.4.2/widget-1.4.2.tar.gz"
        in text
    )
    assert "%setup -q -n widget-1.4.2\n" in text
    assert "%forgemeta" not in text and "%forgesetup" not in text
    assert any("widget-1.4.2.tar.gz" in n for n in notes)


def test_github_tag_from_macros_and_commit_snapshot() -> None:
    tagged = _spec("%global forgeurl https://github.com/acme/widget/\n%global tag v%{version}")
    text, _ = _norm(tagged)
    assert "archive/v1.4.2/widget-1.4.2.tar.gz" in text
    commit = "0123456789abcdef0123456789abcdef01234567"
    text, _ = _norm(
        _spec(f"%global forgeurl https://github.com/acme/widget\n%global commit {commit}")
    )
    assert f"archive/{commit}/widget-{commit}.tar.gz" in text
    assert "%global shortcommit 0123456" in text
    assert f"%setup -q -n widget-{commit}" in text


def test_gitlab_and_autosetup_keep_their_arguments() -> None:
    head = "%global forgeurl https://gitlab.com/group/sub/tool\n%global tag 1.4.2"
    text, _ = _norm(_spec(head, prep="%forgeautosetup -p1 -v"))
    assert "https://gitlab.com/group/sub/tool/-/archive/1.4.2/tool-1.4.2.tar.bz2" in text
    assert "%autosetup -n tool-1.4.2 -p1\n" in text


def test_second_source_gets_its_own_setup() -> None:
    head = (
        "%global forgeurl0 https://github.com/acme/widget\n%global tag0 1.4.2\n"
        "%global forgeurl1 https://github.com/acme/assets\n%global tag1 2.0"
    )
    text, _ = _norm(
        _spec(head, prep="%forgesetup -z 0\n%forgesetup -z 1").replace(
            "%forgemeta", "%forgemeta -a"
        )
    )
    assert (
        "%global forgesource1 https://github.com/acme/assets/archive/2.0/assets-2.0.tar.gz" in text
    )
    assert "%setup -q -T -D -b 1 -n assets-2.0" in text


@pytest.mark.parametrize(
    ("head", "why"),
    [
        ("%global forgeurl https://github.com/%{owner_elsewhere}/b", "not given as text"),
        ("%global forgeurl https://example.org/a/b", "not a forge"),
    ],
)
def test_unknown_values_leave_forgemeta_with_a_reason(head: str, why: str) -> None:
    text, notes = _norm(_spec(head))
    assert "%forgemeta" in text
    assert any(why in n for n in notes), notes


def test_rpm_targets_keep_the_macros_el_ships() -> None:
    text, notes = _norm(_spec("%global forgeurl https://github.com/acme/widget"), "el9-php8.2")
    assert "%forgemeta" in text and "%forgesetup" in text and not notes


def test_a_source_whose_file_name_hides_in_a_macro_is_written_out() -> None:
    text, notes = _norm(_spec("%global forgeurl https://github.com/acme/widget"))
    assert "Source0: https://github.com/acme/widget/archive/v1.4.2/widget-1.4.2.tar.gz\n" in text
    assert any("debbuild names the file before it expands macros" in n for n in notes)
    # a value whose last path component is already literal text stays as written
    plain = _spec("%global forgeurl https://github.com/acme/widget").replace(
        "Source0: %{forgesource}", "Source0: https://example.org/%{name}-%{version}.tar.gz"
    )
    text, _ = _norm(plain)
    assert "Source0: https://example.org/%{name}-%{version}.tar.gz\n" in text


def test_trailing_blanks_after_tag_values_go_on_deb_targets() -> None:
    spec = (
        "Name:\t\tdemo\t\nVersion: 1.0  \nRelease: 1\nSummary: s\nLicense: MIT\n%description\nd\n"
    )
    result = normalize(spec, load_config(None).targets["debian-12"])
    assert "Name:\t\tdemo\nVersion: 1.0\n" in result.text
    assert any("trailing blanks removed" in c.reason for c in result.changes)
    assert "Name:\t\tdemo\t\n" in normalize(spec, load_config(None).targets["el9-php8.2"]).text


def test_dependency_filters_and_lang_go_on_deb_targets() -> None:
    spec = (
        "Name: demo\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n"
        "%filter_from_provides /perl(Foo)$/d; \\\n  /perl(Bar)$/d\n%filter_setup\n"
        "%global __provides_exclude ^perl\\\\(Baz\\\\)$\n"
        "%description\nd\n%files\n%lang(cs) /usr/share/demo/czech\n"
    )
    result = normalize(spec, load_config(None).targets["debian-12"])
    assert "# specport dropped: %%filter_from_provides /perl(Foo)$/d; \\\n" in result.text
    assert "# specport dropped:   /perl(Bar)$/d\n" in result.text
    assert "# specport dropped: %%filter_setup\n" in result.text
    assert "%global __provides_exclude" in result.text
    assert "\n/usr/share/demo/czech\n" in result.text and "%lang" not in result.text
    reasons = " ".join(c.reason for c in result.changes)
    assert "dpkg-shlibdeps" in reasons and "%lang" in reasons
    el = normalize(spec, load_config(None).targets["el9-php8.2"]).text
    assert "\n%filter_setup\n" in el and "%lang(cs)" in el


def test_a_spec_macro_named_like_a_debbuild_builtin_is_renamed() -> None:
    spec = (
        "%global pecl_name rrd\n%global sources %{pecl_name}-%{version}\n"
        "Name: php-pecl-rrd\nVersion: 2.0.1\nRelease: 1\nSummary: s\nLicense: BSD\n"
        "Source0: https://pecl.php.net/get/%{sources}.tgz\n%description\nd\n"
        "%build\ncd %sources\nls %{?sources:yes}\n%files\n"
    )
    result = normalize(spec, load_config(None).targets["debian-12"])
    assert "%global specport_sources %{pecl_name}-%{version}\n" in result.text
    assert "Source0: https://pecl.php.net/get/%{specport_sources}.tgz\n" in result.text
    assert "cd %specport_sources\nls %{?specport_sources:yes}\n" in result.text
    assert "%{sources}" not in result.text
    assert any("debbuild answers %{sources} itself" in c.reason for c in result.changes)
    el = normalize(spec, load_config(None).targets["el9-php8.2"]).text
    assert "%global sources " in el
