"""copyright (DEP-5) and changelog.Debian from the spec, and the lintian suppression data."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from debian.changelog import Changelog
from debian.deb822 import Deb822

from specport.building import debdocs, lintian
from specport.config import load_config

BUILT = datetime(2026, 1, 2, tzinfo=UTC)


def test_spdx_names_become_dep5_short_names() -> None:
    assert debdocs.dep5_license("GPL-3.0-or-later") == ("GPL-3+", ["GPL-3+"])
    assert debdocs.dep5_license("MIT OR Apache-2.0") == (
        "Expat or Apache-2.0",
        ["Expat", "Apache-2.0"],
    )
    got = debdocs.dep5_license("GPL-2.0-only WITH Classpath-exception-2.0 AND PHP-3.01")
    assert got == ("GPL-2 with Classpath-exception-2.0 and PHP-3.01", ["GPL-2", "PHP-3.01"])


def test_gpl_refers_to_common_licenses() -> None:
    text = debdocs.copyright_file("hello", "https://e.org", "GPL-3.0-or-later", [], "d")
    paras = list(Deb822.iter_paragraphs(text))
    assert paras[0]["Format"] == debdocs.DEP5_FORMAT and paras[0]["Source"] == "https://e.org"
    assert paras[1]["License"] == "GPL-3+"
    assert "/usr/share/common-licenses/GPL-3" in paras[2]["License"]


def test_other_licenses_carry_the_shipped_text() -> None:
    lic = debdocs.LicenseText("usr/share/doc/p/LICENSE", "Copyright 2019 X\n\n  Terms here.\n")
    text = debdocs.copyright_file("p", "", "BSD-3-Clause", [lic], "d")
    paras = list(Deb822.iter_paragraphs(text))
    assert paras[1]["Copyright"] == "2019 X"
    body = [line.strip() for line in paras[2]["License"].splitlines()[1:]]
    assert body == ["Copyright 2019 X", ".", "Terms here."]


def test_changelog_newest_entry_is_this_build_and_newer() -> None:
    rpm = (
        "* Tue Oct 08 2024 P <p@e.org> - 1.0-1\n- new\n\n"
        "* Mon Jan 01 2024 P <p@e.org> - 0.9-1\n- old\n"
    )
    old_build = datetime(2020, 1, 1, tzinfo=UTC)  # a clock behind the spec's newest entry
    text = debdocs.debian_changelog(
        "p", "1.0-1+deb12", "bookworm", "M <m@e.org>", "n", rpm, old_build
    )
    blocks = list(Changelog(text))
    assert [str(b.version) for b in blocks] == ["1.0-1+deb12", "1.0-1", "0.9-1"]
    dates = [parsedate_to_datetime(b.date or "") for b in blocks]
    assert dates[0] > dates[1] > dates[2]  # lintian: latest-changelog-entry-without-new-date


def test_changelog_not_in_rpm_format_is_kept_word_for_word() -> None:
    text = debdocs.debian_changelog(
        "p", "1-1+deb12", "bookworm", "M <m@e.org>", "n", "free text", BUILT
    )
    (block,) = list(Changelog(text))
    assert "free text" in str(block) and str(block.version) == "1-1+deb12"


def test_suppressions_have_reasons_and_are_applied_per_target() -> None:
    targets = load_config().targets
    assert all(s.reason and s.targets for s in lintian.suppressions())
    debian = lintian.lintian_command(targets["debian-12"])
    assert "--suppress-tags extra-license-file,recommended-field" in debian
    # lintian 2.62 (Ubuntu 20.04) stops at a tag it does not know: recommended-field is newer
    focal = lintian.suppressed_tags(targets["ubuntu-20.04"])
    assert "extra-license-file" in focal and "recommended-field" not in focal
