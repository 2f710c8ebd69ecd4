"""specport rebuild: what --whatrequires / --changed pick, and the bump done to the spec text."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from specport.normalize.edit import add_release_suffix, bump_spec

DATA = Path(__file__).parent / "data" / "graph"
SPECS = [str(p) for p in sorted(DATA.glob("*.spec"))]


def specport(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "specport", *args], capture_output=True, text=True, timeout=120
    )


def picked(*args: str, targets: str = "debian-12,el8-php7.4") -> dict[str, list[str]]:
    proc = specport("rebuild", *SPECS, "-t", targets, "--list", "--json", *args)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    return {t["target"]: [r["name"] for r in t["rebuild"]] for t in doc["targets"]}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # every PHP extension, and what needs it: a target's PHP API change
        ("php(api)", ["php-pecl-spfoo", "php-spbar"]),
        # the library: its users, and theirs, in build order; never the library itself
        ("libspfoo", ["php-pecl-spfoo", "spfoo-tool", "php-spbar"]),
        ("pkgconfig(spfoo)", ["php-pecl-spfoo", "spfoo-tool", "php-spbar"]),
        ("php-pecl-spfoo", ["php-spbar"]),
        ("php-spbar", []),
        ("gettext", []),
    ],
)
def test_whatrequires_picks_exactly_the_dependents(name: str, expected: list[str]) -> None:
    assert picked("--whatrequires", name) == {"debian-12": expected, "el8-php7.4": expected}


def test_phpapi_name_reaches_only_the_targets_with_that_api() -> None:
    # Debian 12 has PHP 8.2 (API 20220829), EL8 7.4 (20190902), Ubuntu 24.04 8.3 (20230831)
    got = picked("--whatrequires", "phpapi-20220829", targets="debian-12,el8-php7.4,ubuntu-24.04")
    assert got == {
        "debian-12": ["php-pecl-spfoo", "php-spbar"],
        "el8-php7.4": [],
        "ubuntu-24.04": [],
    }


def test_changed_spec_comes_first_then_its_dependents() -> None:
    got = picked("--changed", str(DATA / "libspfoo.spec"), targets="debian-12")
    assert got == {"debian-12": ["libspfoo", "php-pecl-spfoo", "spfoo-tool", "php-spbar"]}
    got = picked("--changed", str(DATA / "spfoo-tool.spec"), targets="debian-12")
    assert got == {"debian-12": ["spfoo-tool"]}


def test_text_listing_shows_waves() -> None:
    proc = specport("rebuild", *SPECS, "-t", "debian-12", "--whatrequires", "libspfoo", "--list")
    assert proc.stdout.splitlines() == [
        "debian-12: 3 specs depend on libspfoo",
        "  wave 2: php-pecl-spfoo",
        "  wave 2: spfoo-tool",
        "  wave 3: php-spbar",
    ]


def test_rebuild_needs_exactly_one_selector() -> None:
    proc = specport("rebuild", *SPECS, "-t", "debian-12")
    assert proc.returncode == 2
    assert "exactly one of --whatrequires NAME and --changed SPEC" in proc.stderr


def test_list_changes_no_file(tmp_path: Path) -> None:
    copy = tmp_path / "set"
    shutil.copytree(DATA, copy)
    before = {p.name: p.read_text() for p in copy.glob("*.spec")}
    specs = [str(p) for p in sorted(copy.glob("*.spec"))]
    specport("rebuild", *specs, "-t", "debian-12", "--whatrequires", "libspfoo", "--list")
    assert {p.name: p.read_text() for p in copy.glob("*.spec")} == before


BUMPED = """Name: x
Version: 2.1
Release: 3%{?dist}
Summary: x
%description
x
%changelog
* Tue Nov 24 2026 A <a@example.org> - 2.1-3
- old
"""


def test_bump_as_rpmdev_bumpspec() -> None:
    done = bump_spec(BUMPED, "Rebuilt for php(api)", "B <b@example.org>", "Mon Nov 30 2026")
    assert "Release: 4%{?dist}\n" in done.text
    assert done.evr == "2.1-4"
    assert done.text.endswith(
        "%changelog\n* Mon Nov 30 2026 B <b@example.org> - 2.1-4\n- Rebuilt for php(api)\n\n"
        "* Tue Nov 24 2026 A <a@example.org> - 2.1-3\n- old\n"
    )


def test_bump_leaves_autorelease_and_autochangelog() -> None:
    text = BUMPED.replace("3%{?dist}", "%autorelease").split("%changelog")[0]
    text += "%changelog\n%autochangelog\n"
    done = bump_spec(text, "r", "B <b@example.org>", "Mon Nov 30 2026")
    assert done.text == text
    assert done.notes == ()


def test_bump_keeps_epoch_and_only_the_main_release() -> None:
    text = BUMPED.replace("Version: 2.1", "Epoch: 1\nVersion: 2.1") + "%package sub\nRelease: 9\n"
    done = bump_spec(text, "r", "B <b@example.org>", "Mon Nov 30 2026")
    assert done.evr == "1:2.1-4"
    assert "Release: 9\n" in done.text


def test_release_suffix_before_the_dist_tag() -> None:
    assert "Release: 3.rb1%{?dist}\n" in add_release_suffix(BUMPED, "rb1")
    assert "Release: 3.rb1\n" in add_release_suffix(BUMPED.replace("%{?dist}", ""), "rb1")


def fake_deb(dest: Path, package: str, depends: str) -> Path:
    """A .deb with only a control file: what a package built earlier says it requires."""
    root = dest / package
    (root / "DEBIAN").mkdir(parents=True)
    (root / "DEBIAN" / "control").write_text(
        f"Package: {package}\nVersion: 1.0-1+deb12\nArchitecture: amd64\n"
        f"Maintainer: T <t@example.org>\nDepends: {depends}\nDescription: test\n test\n"
    )
    deb = dest / "debian-12" / f"{package}_1.0-1+deb12_amd64.deb"
    deb.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["dpkg-deb", "-b", str(root), str(deb)], check=True, capture_output=True)
    return deb


def test_target_moved_to_a_new_php_lists_what_was_built_for_the_old(tmp_path: Path) -> None:
    # debian-12 as if it had moved from PHP 8.2 (API 20220829) to 8.3 (20230831)
    config = tmp_path / "specport.toml"
    config.write_text('[targets.debian-12]\nphp_version = "8.3"\nphp_api = "20230831"\n')
    dist = tmp_path / "dist"
    fake_deb(dist, "php-pecl-spfoo", "phpapi-20220829, libspfoo (>= 1.0), libc6 (>= 2.34)")
    fake_deb(dist, "spfoo-tool", "libspfoo (>= 1.0) | libspfoo-alt, libc6 (>= 2.34)")

    def run(*extra: str) -> list[str]:
        proc = specport(
            "--config", str(config), "rebuild", *SPECS, "-t", "debian-12", "--list", "--json",
            "--whatrequires", "phpapi-20220829", *extra,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        (target,) = json.loads(proc.stdout)["targets"]
        return [r["name"] for r in target["rebuild"]]

    assert run() == []  # the specs alone now say phpapi-20230831
    assert run("--with-packages", str(dist)) == ["php-pecl-spfoo", "php-spbar"]


def test_requirements_of_built_packages(tmp_path: Path) -> None:
    from specport.building.localrepo import requirements_of

    deb = fake_deb(tmp_path, "x", "a (>= 1), b:any | c, libc6")
    assert requirements_of([deb]) == {"x": {"a", "b", "c", "libc6"}}
