"""Release forms real specs use after %{?dist}: accepted by specport's dist check as rpm and
debbuild accept them, with the dist tag still telling targets apart."""

from __future__ import annotations

import pytest

from specport.building import debfix
from specport.errors import BuildError
from specport.normalize import release
from specport.normalize.edit import add_release_suffix
from specport.normalize.lines import join_lines, split_lines
from specport.normalize.model import NormalizeOptions, PassContext
from specport.targets import load_targets

DEB = debfix.FixContext(maintainer="m", dist="+deb12")


@pytest.mark.parametrize(
    ("form", "version"),
    [
        ("1%{?dist}", "2.0-1+deb12"),
        ("1%{?dist}%{?phptag}", "2.0-1+deb12.8.2"),  # a PHP version tag after the dist tag
        ("1%{?dist}.1", "2.0-1+deb12.1"),  # a rebuild counter after it
        ("0.1.20240101git1234567%{?dist}", "2.0-0.1.20240101git1234567+deb12"),
        ("1%{?dist}~bpo1", "2.0-1+deb12~bpo1"),
        ("1%{?dist}", "3:2.0-1+deb12"),  # an epoch
        ("1%{?dist}_1", "2.0-1+deb12_1"),
    ],
)
def test_release_forms_that_carry_the_dist_tag(form: str, version: str) -> None:
    assert release.carries_dist(version, "+deb12"), form
    debfix.check_version(version, DEB)


@pytest.mark.parametrize(
    ("why", "version"),
    [
        ("no dist tag at all", "2.0-1"),
        ("debbuild's own default %dist (no separator)", "2.0-1debian12"),
        ("another target's tag that starts the same", "2.0-1+deb120"),
        ("the tag in the upstream version, not the release", "2.0+deb12-1"),
        ("glued to more letters", "2.0-1+deb12u1"),
        ("a native version (no release)", "2.0+deb12"),
    ],
)
def test_versions_without_the_dist_tag_are_refused(why: str, version: str) -> None:
    assert not release.carries_dist(version, "+deb12"), why
    with pytest.raises(BuildError, match="does not carry the dist tag"):
        debfix.check_version(version, DEB)


def test_rpm_dist_tags_follow_the_same_rule() -> None:
    assert release.carries_dist("2.0-1.el8", ".el8")
    assert release.carries_dist("2.0-1.el8.1", ".el8")
    assert not release.carries_dist("2.0-1.el80", ".el8")


@pytest.mark.parametrize(
    ("form", "suffixed"),
    [
        ("1%{?dist}%{?phptag}", "1.7%{?dist}%{?phptag}"),
        ("1%{?dist}.1", "1.7%{?dist}.1"),
        ("1", "1.7"),
    ],
)
def test_build_counters_go_before_the_dist_tag(form: str, suffixed: str) -> None:
    spec = f"Name: x\nVersion: 1\nRelease: {form}\n"
    target = load_targets()["debian-12"]
    ctx = PassContext(target=target, options=NormalizeOptions(release_suffix="7"))
    lines, _ = release.normalize_release(split_lines(spec), ctx)
    assert f"Release: {suffixed}\n" in join_lines(lines)
    assert f"Release: {suffixed}\n" in add_release_suffix(spec, "7")
