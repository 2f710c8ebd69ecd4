"""Facts derived from a target's data, each computed here once and read everywhere else.

The macros a target's spec reader defines by itself (distro and version macros, %dist, %_vendor)
are needed by the normalizer (which %if branches are live), by the host-side spec query of a
build, by the macro files baked into builder images and by the deb post-step. They used to be
derived in each of those places and disagreed (ubuntu-20.04 was %ubuntu 2004 in one and 20 in
another); now they all call `spec_macros`.
"""

from __future__ import annotations

from functools import cache

from specport.targets.model import Target


def release_number(target: Target) -> str:
    """The release as one integer string, the way debbuild and rpm spell it: "20.04" -> "2004"."""
    return target.release.replace(".", "")


def _debbuild_platform(target: Target) -> dict[str, str]:
    # debbuild's lsb_detection(), from /etc/os-release: %<ID> is VERSION_ID without its dot,
    # %<ID>_version is that number, or VERSION_ID * 100 when it has no dot ("12" -> 1200)
    release = release_number(target)
    version = release if "." in target.release else str(int(target.release) * 100)
    return {
        target.distro: release,
        f"{target.distro}_version": version,
        "debdist": target.codename,
        "debver": release,
        "_vendor": "debbuild",
    }


def _rpm_platform(target: Target) -> dict[str, str]:
    # redhat-rpm-config's macros.dist: %rhel 8, %el8 1
    return {target.distro: target.release, f"el{target.release}": "1", "_vendor": "redhat"}


# what each family's spec reader defines by itself on the target's distro
_PLATFORM = {"rpm": _rpm_platform, "deb": _debbuild_platform}


@cache
def _platform(target: Target) -> tuple[tuple[str, str], ...]:
    facts = _PLATFORM[target.family](target)
    facts["dist"] = target.dist
    return tuple(facts.items())


def platform_macros(target: Target) -> dict[str, str]:
    """Macros the target's own rpm or debbuild defines on that distro, with their values."""
    return dict(_platform(target))


def spec_macros(target: Target) -> dict[str, str]:
    """Everything a spec sees defined for the target besides rpm's and the shims' defaults:
    the platform macros, then the target's own `macros` table (which wins, as OBS's Macros:)."""
    return {**platform_macros(target), **target.macros}


# macros that say which distro a spec is parsed on; one that the target does not define is
# undefined there, so `0%{?name}` is 0 (used by the normalizer's %if evaluation)
DISTRO_MACROS = frozenset(
    {
        "fedora",
        "rhel",
        "centos",
        "el6",
        "el7",
        "el8",
        "el9",
        "el10",
        "amzn",
        "suse_version",
        "sle_version",
        "mageia",
        "mdkversion",
        "openEuler",
        "debian",
        "ubuntu",
        "scl",
    }
)


def distro_macros(target: Target) -> dict[str, str]:
    """The distro macros (DISTRO_MACROS) the target defines, with their values."""
    return {k: v for k, v in spec_macros(target).items() if k in DISTRO_MACROS}
