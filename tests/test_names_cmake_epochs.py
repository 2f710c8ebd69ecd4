"""cmake(X) names found through the CMake package configs in Contents, %{py3_dist X} through
the dist-info directories, and a kept version's epoch from the target's package. The indexes
are the fixtures cut from the real bookworm and focal archives (tests/data/index, cut.py)."""

from __future__ import annotations

import pytest
from test_index_routes import TARGETS, resolver
from test_names_routes import BOTH, HEAD, _normalize

from specport.normalize.passes import normalize
from specport.normalize.resolver import BuiltHere


@pytest.mark.parametrize("target", BOTH)
def test_cmake_names_are_found_through_their_package_configs(target: str) -> None:
    found = resolver(target).resolve("cmake(KF5CoreAddons)")
    assert found is not None and found.name == "libkf5coreaddons-dev"
    assert "KF5CoreAddonsConfig.cmake is in the Contents" in found.rule
    lower = resolver(target).resolve("cmake(kf5coreaddons)")  # find_package() ignores case
    assert lower is not None and lower.name == "libkf5coreaddons-dev"


def test_a_cmake_name_no_package_ships_is_refused_as_absent() -> None:
    found = resolver("debian-12").resolve("cmake(Qt6Core)")
    assert found is not None and found.name == "qt6-base-dev"
    focal = resolver("ubuntu-20.04")  # focal has Qt 5 only
    assert focal.resolve("cmake(Qt6Core)") is None
    assert focal.refusal("cmake(Qt6Core)") == "absent"
    assert focal.missing("cmake(Qt6Core)") == " (no ubuntu-20.04 package ships Qt6CoreConfig.cmake)"


def test_a_kept_version_gets_the_epoch_of_the_targets_package() -> None:
    # bookworm's libpcre3-dev is 2:8.39: `>= 8.20` with no epoch would mean 0:8.20, which any
    # version with an epoch meets (and `< 9` none)
    result = normalize(
        HEAD + "BuildRequires: pcre-devel >= 8.20\nRequires: libcurl-devel >= 7\n%description\nd\n",
        TARGETS["debian-12"],
        resolver=resolver("debian-12"),
    )
    assert "BuildRequires: libpcre3-dev >= 2:8.20, pkg-config\n" in result.text
    assert any("has epoch 2" in c.reason for c in result.changes)
    assert "Requires: libcurl4-openssl-dev >= 7\n" in result.text  # no epoch: as written
    # a package the set builds has its own version: the index's epoch is not its
    built = BuiltHere(resolver("debian-12"), {"pcre-devel": ("libpcre3-dev", "pcre.spec")})
    text = _normalize("BuildRequires: pcre-devel >= 8.20\n", chosen=built)
    assert "BuildRequires: libpcre3-dev >= 8.20\n" in text


def test_py3_dist_macro_takes_the_python3dist_route() -> None:
    # python-rpm-macros' %{py3_dist X}: the dist-info of PyYAML in Contents names python3-yaml
    text = _normalize("BuildRequires: %{py3_dist PyYAML} >= 5\n")
    assert "BuildRequires: python3-yaml >= 5\n" in text
    text = _normalize("%global mod pyyaml\nRequires: %{py3_dist %{mod}}\n")
    assert "Requires: python3-yaml\n" in text
