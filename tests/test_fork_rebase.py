"""`specport rebase` on the fixture spec (tests/data/fork/greet.spec) between two releases of the
made-up greet upstream: a patch that applies, one upstream merged, one that conflicts; the textual
spec edits; and the package comparison of --check on real .debs."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from fork_support import DATA, Run, cli_runner, upstream

from specport.errors import SpecError
from specport.forks import specedit
from specport.forks.compare import compare
from specport.normalize import edit

PATCHES = ("greet-cflags.patch", "greet-flush.patch", "greet-readme.patch")


@pytest.fixture
def specport(capsys: pytest.CaptureFixture[str]) -> Run:
    return cli_runner(capsys)


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """The fork's directory: spec, patches, sources, the 1.0 tarball; 1.1 waits in new/."""
    d = tmp_path / "greet"
    d.mkdir()
    for name in ("greet.spec", *PATCHES):
        shutil.copy(DATA / name, d / name)
    old = upstream.make_tarball(d, "1.0")
    digest = hashlib.sha512(old.read_bytes()).hexdigest()
    (d / "sources").write_text(f"SHA512 (greet-1.0.tar.gz) = {digest}\n")
    (tmp_path / "new").mkdir()
    upstream.make_tarball(tmp_path / "new", "1.1")
    return d


def test_the_patches_apply_to_the_old_release(package: Path, tmp_path: Path) -> None:
    # the fixture's premise: every patch applies to 1.0 as %prep applies it
    from specport.forks.patches import check_patches, unpack

    tree = unpack(package / "greet-1.0.tar.gz", tmp_path / "t")
    refs = [(r, package / r.name) for r in specedit.patches((package / "greet.spec").read_text())]
    assert [c.state for c in check_patches(tree, refs)] == ["applies"] * 3


def test_a_patch_that_no_longer_applies_stops_the_rebase(
    specport: Run, package: Path, tmp_path: Path
) -> None:
    before = {p.name: p.read_bytes() for p in package.iterdir()}
    code, out, err = specport(
        "rebase", str(package / "greet.spec"), "--version", "1.1",
        "--source", str(tmp_path / "new" / "greet-1.1.tar.gz"),
    )  # fmt: skip
    assert code == 1
    assert "Patch0 greet-cflags.patch: applies" in out
    assert "Patch1 greet-flush.patch: merged upstream (applies in reverse): dropped" in out
    assert "Patch2 greet-readme.patch: DOES NOT APPLY" in out
    assert "README: hunk #1 at line 1" in out
    assert err.count("specport: error:") == 1
    assert "greet-readme.patch no longer applies to 1.1 (greet-readme.patch: README hunk #1" in err
    assert "nothing was written" in err
    assert {p.name: p.read_bytes() for p in package.iterdir()} == before


def test_rebase_edits_the_spec_as_text(specport: Run, package: Path, tmp_path: Path) -> None:
    # the fork refreshed its README patch for 1.1
    refreshed = tmp_path / "greet-readme-1.1.patch"
    refreshed.write_text(
        "Point at the fork's notes.\n\n--- a/README\n+++ b/README\n@@ -1,5 +1,5 @@\n"
        " greet prints a greeting.\n \n-It takes no options and no arguments.\n"
        "+It takes no options and no arguments; see the fork's notes.\n \n"
        " Report bugs to the author.\n"
    )
    code, out, err = specport(
        "rebase", str(package / "greet.spec"), "--version", "1.1",
        "--source", str(tmp_path / "new" / "greet-1.1.tar.gz"),
        "--patch", f"greet-readme.patch={refreshed}",
    )  # fmt: skip
    assert code == 0, err
    assert "Patch2 greet-readme.patch: applies (refreshed)" in out
    assert "rebased greet.spec to 1.1; dropped greet-flush.patch" in out
    assert (package / "greet-readme.patch").read_text() == refreshed.read_text()
    text = (package / "greet.spec").read_text()
    assert "\nVersion:        1.1\n" in text
    assert "\nRelease:        1%{?dist}\n" in text
    head = text.split("%changelog", 1)[0]
    assert "greet-flush.patch" not in head and "%patch -P1" not in head
    assert "sent upstream" not in head  # its comment went with it
    assert "# build with warnings and debug data\nPatch0:" in head
    assert "Patch0:         greet-cflags.patch" in text and "%patch -P0 -p1" in text
    assert "Patch2:         %{name}-readme.patch" in text and "%patch -P2 -p1" in text
    entry = text.split("%changelog\n", 1)[1]
    assert entry.startswith("* ")
    first = entry.splitlines()[:4]
    assert entry.splitlines()[4] == ""
    assert first[0].endswith(" - 1.1-1")
    assert first[1:] == [
        "- Update to 1.1",
        "- Drop greet-flush.patch (merged upstream)",
        "- Refresh greet-readme.patch for 1.1",
    ]
    assert "- 1.0-3\n- Carry the README patch" in text  # history kept
    assert not (package / "greet-flush.patch").exists()
    new = package / "greet-1.1.tar.gz"
    assert new.is_file()
    digest = hashlib.sha512(new.read_bytes()).hexdigest()
    assert (package / "sources").read_text() == f"SHA512 (greet-1.1.tar.gz) = {digest}\n"
    # again: the spec is at 1.1 now
    code, _, err = specport("rebase", str(package / "greet.spec"), "--version", "1.1")
    assert code == 2 and "already at version 1.1" in err


def test_dry_run_writes_nothing_and_drop_removes_a_patch(
    specport: Run, package: Path, tmp_path: Path
) -> None:
    spec = package / "greet.spec"
    before = spec.read_text()
    shutil.copy(tmp_path / "new" / "greet-1.1.tar.gz", package)  # found as Source0 of 1.1
    args = ("rebase", str(spec), "--version", "1.1", "--drop", "greet-readme.patch")
    code, out, err = specport(*args, "--dry-run")
    assert code == 0, err
    assert "Patch1 greet-flush.patch: merged upstream" in out
    assert "Patch2 greet-readme.patch: dropped (--drop)" in out
    assert spec.read_text() == before and (package / "greet-flush.patch").exists()
    code, out, err = specport(*args)
    assert code == 0, err
    head = spec.read_text().split("%changelog", 1)[0]
    assert "readme" not in head and "%patch -P2" not in head and "%patch -P0 -p1" in head
    assert "- Drop greet-readme.patch\n" in spec.read_text()
    # a patch dropped on the command line need not exist (a spec-only checkout): the rebase
    # above removed both patch files
    (package / "greet.spec").write_text(before)
    assert not (package / "greet-readme.patch").exists()
    assert not (package / "greet-flush.patch").exists()
    code, _, err = specport(*args, "--drop", "greet-flush.patch", "--dry-run")
    assert code == 0, err
    code, _, err = specport(*args, "--dry-run")
    assert code == 1 and "greet-flush.patch: no such file" in err
    code, _, err = specport("rebase", str(spec), "--version", "1.2", "--drop", "nope.patch")
    assert code == 2 and "nope.patch is not a patch of greet.spec" in err


def test_missing_new_tarball_is_named(specport: Run, package: Path) -> None:
    code, _, err = specport("rebase", str(package / "greet.spec"), "--version", "1.1")
    assert code == 2 and "no new upstream tarball greet-1.1.tar.gz" in err


SPEC = """\
%global upstream_version 2.3
Name: x
Version: %{upstream_version}
Release: 7%{?dist}
Source0: x-%{version}.tar.gz
%description
%changelog
%autochangelog
"""


def test_version_through_a_global_and_autochangelog() -> None:
    text = edit.set_version(SPEC, "2.4")
    assert "%global upstream_version 2.4\n" in text and "Version: %{upstream_version}\n" in text
    assert specedit.tag_value(text, "Version") == "2.4"
    assert specedit.source0(text) == "x-2.4.tar.gz"
    assert "Release: 1%{?dist}" in edit.reset_release(text)
    # %autochangelog writes its own entries
    assert edit.add_changelog(text, "Mon Nov 30 2026 a <a@b> - 2.4-1", ["Update"]) == text
    auto = SPEC.replace("7%{?dist}", "%autorelease")
    assert edit.reset_release(auto) == auto


PRERELEASE = """\
%global upstream_version 3.0.0
%global upstream_prever  RC2
%global forgeurl https://github.com/acme/pecl-thing
%global tag %{upstream_version}%{?upstream_prever}
Name: php-pecl-thing
Version: %{upstream_version}%{?upstream_prever:~%{upstream_prever}}
Release: 2%{?dist}
%forgemeta
Source0: %{forgesource}
%description
"""


def test_a_prerelease_version_moves_to_a_final_release() -> None:
    assert specedit.tag_value(PRERELEASE, "Version") == "3.0.0~RC2"
    text = edit.set_version(PRERELEASE, "3.0.1")
    assert "%global upstream_version 3.0.1\n" in text
    assert "#global upstream_prever  RC2\n" in text  # commented out, as packagers do
    assert specedit.tag_value(text, "Version") == "3.0.1"
    # %forgemeta's Source0, computed as the forge macros would from the edited tag
    assert specedit.source0(text) == (
        "https://github.com/acme/pecl-thing/archive/3.0.1/pecl-thing-3.0.1.tar.gz"
    )


def test_a_marker_named_twice_leaves_every_place() -> None:
    # the lower-case marker in Version, the upper-case one in the forge tag
    spec = (
        PRERELEASE.replace(
            "%global upstream_prever  RC2\n",
            "%global rcver RC2\n%global rclower rc2\n",
        )
        .replace("%{?upstream_prever}", "%{?rcver}")
        .replace("%{?upstream_prever:~%{upstream_prever}}", "%{?rclower:~%{rclower}}")
    )
    assert specedit.tag_value(spec, "Version") == "3.0.0~rc2"
    text = edit.set_version(spec, "3.0.0RC3")
    assert "#global rcver RC2\n" in text and "#global rclower rc2\n" in text
    assert specedit.source0(text).endswith("/pecl-thing-3.0.0RC3.tar.gz")


def test_a_plain_marker_use_expands_to_nothing_once_commented_out() -> None:
    spec = (
        "%global prever a1\nName: x\nVersion: 3.1.0\nRelease: 0.1.%{prever}%{?dist}\n"
        "Source0: x-%{version}%{prever}.tgz\n%description\n%prep\nmv x-%{version}%{prever} NTS\n"
    )
    text = edit.reset_release(edit.set_version(spec, "3.21.12"))
    assert "#global prever a1\n" in text
    assert "Release: 1%{?dist}\n" in text
    assert "Source0: x-%{version}%{?prever}.tgz\n" in text
    assert "mv x-%{version}%{?prever} NTS\n" in text
    assert specedit.source0(text) == "x-3.21.12.tgz"


def test_what_text_cannot_edit_is_refused() -> None:
    with pytest.raises(SpecError, match="cannot edit Version"):
        edit.set_version(SPEC.replace("%{upstream_version}", "%(cat /v)"), "2.4")
    # a Version macro defined twice is the new version on both (see the per-release test)
    twice = edit.set_version("%global upstream_version 1\n" + SPEC, "2.4")
    assert twice.count("%global upstream_version 2.4") == 2
    with pytest.raises(SpecError, match="not an rpm version"):
        edit.set_version(SPEC, "2.4; rm -rf /")
    with pytest.raises(SpecError, match="cannot edit Release"):
        edit.reset_release(SPEC.replace("7%{?dist}", "%{baserel}%{?dist}"))


def test_patch_numbers_and_strip_levels() -> None:
    text = (
        "Name: x\nVersion: 1\nPatch: a.patch\nPatch: b.patch\nPatch7: c.patch\n"
        "%prep\n%autosetup -p2\n%patch7 -p0\n"
    )
    refs = specedit.patches(text)
    assert [(r.number, r.name, r.strip) for r in refs] == [
        (0, "a.patch", 2), (1, "b.patch", 2), (7, "c.patch", 0),
    ]  # fmt: skip
    dropped = specedit.drop_patches(text, [refs[2]])
    assert "c.patch" not in dropped and "%patch7" not in dropped and "%autosetup -p2" in dropped


def _deb(root: Path, name: str, version: str, depends: str, files: dict[str, str]) -> Path:
    pkg = root / f"{name}-{version}"
    (pkg / "DEBIAN").mkdir(parents=True)
    (pkg / "DEBIAN" / "control").write_text(
        f"Package: {name}\nVersion: {version}\nArchitecture: all\n"
        f"Maintainer: t <t@example.invalid>\nDepends: {depends}\nDescription: t\n t\n"
    )
    for path, text in files.items():
        (pkg / path).parent.mkdir(parents=True, exist_ok=True)
        (pkg / path).write_text(text)
    out = root / f"{name}_{version}_all.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", "-b", str(pkg), str(out)],
                   check=True, capture_output=True)  # fmt: skip
    return out


def test_compare_names_changed_dependencies_files_and_packages(tmp_path: Path) -> None:
    doc = "usr/share/doc/greet/"
    old = [
        _deb(tmp_path, "greet", "1.0-1", "libc6 (>= 2.2)", {"usr/bin/greet": "1", doc + "OLD": ""}),
        _deb(tmp_path, "greet-doc", "1.0-1", "greet", {"usr/share/doc/greet-doc/a": "x"}),
    ]
    new = [
        _deb(
            tmp_path, "greet", "1.1-1", "libc6 (>= 2.34)", {"usr/bin/greet": "2", doc + "NEW": ""}
        ),
        _deb(tmp_path, "greet-data", "1.1-1", "greet", {"usr/share/greet/d": "x"}),
    ]
    diff = compare("debian-12", old, new)
    assert diff.added == ("greet-data",) and diff.removed == ("greet-doc",)
    (greet,) = diff.packages
    assert (greet.old_version, greet.new_version) == ("1.0-1", "1.1-1")
    assert greet.requires.added == ("libc6 (>= 2.34)",)
    assert greet.requires.removed == ("libc6 (>= 2.2)",)
    assert greet.files.added == ("/usr/share/doc/greet/NEW",)
    assert greet.files.removed == ("/usr/share/doc/greet/OLD",)
    assert "/usr/bin/greet" not in greet.files.added


def test_a_patch_for_a_file_the_new_tree_lacks_is_reported(tmp_path: Path) -> None:
    from specport.forks.patches import HunkFailure, check_patches, unpack

    tree = unpack(upstream.make_tarball(tmp_path, "1.1"), tmp_path / "t")
    patch = tmp_path / "gone.patch"
    patch.write_text("--- a/src/gone.c\n+++ b/src/gone.c\n@@ -1 +1 @@\n-a\n+b\n")
    ref = specedit.PatchRef(5, "gone.patch", 1, 1)
    (check,) = check_patches(tree, [(ref, patch)])
    assert check.state == "conflict"
    assert check.failures == (HunkFailure("b/src/gone.c", 0, 0),)


def test_autorelease_and_autochangelog_are_left_to_themselves(
    specport: Run, package: Path, tmp_path: Path
) -> None:
    spec = package / "greet.spec"
    text = spec.read_text()
    head = text.split("%changelog", 1)[0].replace("3%{?dist}", "%autorelease")
    spec.write_text(head + "%changelog\n%autochangelog\n")
    code, _, err = specport(
        "rebase", str(spec), "--version", "1.1", "--drop", "greet-readme.patch",
        "--source", str(tmp_path / "new" / "greet-1.1.tar.gz"),
    )  # fmt: skip
    assert code == 0, err
    text = spec.read_text()
    assert "Release:        %autorelease\n" in text and "Version:        1.1\n" in text
    assert text.endswith("%changelog\n%autochangelog\n")
    # no git history here: the entry went where %autochangelog reads it, the changelog file
    entry = (package / "changelog").read_text()
    assert entry.startswith("* ") and " - 1.1-1\n- Update to 1.1\n" in entry
    assert "- Drop greet-readme.patch\n" in entry
    code, out, err = specport("normalize", str(spec), "--target", "debian-12", "--no-index",
                              "--keep-unresolved")  # fmt: skip
    assert code == 0, err
    changelog = out.split("%changelog\n", 1)[1]
    assert changelog.startswith(entry.split("\n", 1)[0]) and "- Update to 1.1" in changelog
    assert "no git history to build the changelog from" not in changelog
    # a second rebase puts its entry above the first
    (tmp_path / "new" / "greet-1.2.tar.gz").write_bytes(
        (tmp_path / "new" / "greet-1.1.tar.gz").read_bytes()
    )
    code, _, err = specport("rebase", str(spec), "--version", "1.2", "--source",
                            str(tmp_path / "new" / "greet-1.2.tar.gz"))  # fmt: skip
    assert code == 0, err
    both = (package / "changelog").read_text()
    assert both.index("- Update to 1.2") < both.index("- Update to 1.1")


def test_an_old_pre_release_marker_leaves_version_source_and_release() -> None:
    spec = (
        "%global pecl_name thing\n%global prever RC1\nName: php-pecl-thing\nVersion: 2.0.6\n"
        "Release: 0.3.%{prever}%{?dist}\n"
        "Source0: https://pecl.php.net/get/%{pecl_name}-%{version}%{?prever}.tgz\n"
        "%description\n%prep\n%setup -q -n %{pecl_name}-%{version}%{?prever}\n"
    )
    text = edit.reset_release(edit.set_version(spec, "2.1.0"))
    assert "#global prever RC1\n" in text
    assert "Release: 1%{?dist}\n" in text
    assert specedit.source0(text) == "https://pecl.php.net/get/thing-2.1.0.tgz"


def test_source0_is_the_one_in_the_branch_the_spec_s_own_macros_take() -> None:
    spec = (
        "Name: x\nVersion: 1.0\n#global svnver 1234\n%if 0%{?svnver}\nSource0: x-svn%{svnver}.tgz\n"
        "%else\nSource0: https://pecl.php.net/get/x-%{version}.tgz\n%endif\n%description\nd\n"
    )
    assert specedit.source0(spec) == "https://pecl.php.net/get/x-1.0.tgz"
    assert specedit.source0(spec.replace("#global", "%global")) == "x-svn1234.tgz"
    # a condition on the distro's macros depends on the target: the first one, as before
    distro = spec.replace("0%{?svnver}", "0%{?fedora}")
    assert specedit.source0(distro.replace("x-svn%{svnver}", "x-a")) == "x-a.tgz"


def test_a_version_defined_per_distro_release_is_the_new_version_on_every_one() -> None:
    spec = (
        "%if 0%{?fedora} <= 18\n%global extver 1.0.3\n%else\n%global extver 1.1.2\n%endif\n"
        "Name: x\nVersion: %{extver}\nRelease: 1\n%description\nd\n"
    )
    out = edit.set_version(spec, "2.1.4")
    assert out.count("%global extver 2.1.4") == 2 and "Version: %{extver}" in out
    # a Release defined twice still depends on the old value: not guessed
    with pytest.raises(SpecError, match="defined 2 times"):
        edit.reset_release(
            spec.replace("Release: 1", "Release: %{rel}") + "%global rel 2\n%global rel 3\n"
        )
