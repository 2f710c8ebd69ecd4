"""The deb post-step: control fixes as pure functions, and debfix.sh on a real .deb (host dpkg)."""

from __future__ import annotations

import dataclasses
import gzip
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from debian.changelog import Changelog
from debian.deb822 import Deb822
from test_index_routes import resolver  # the fixture index of the route tests

from specport.building import debbuild, debdeps, debfix
from specport.errors import BuildError

BUILT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
CTX = debfix.FixContext(
    maintainer="M <m@example.org>",
    dist="+deb12",
    codename="bookworm",
    upstream="php-pecl-yaml",
    license="MIT",
    url="https://example.org/yaml",
    note="Built by a test.",
    built=BUILT,
)
FILES = [
    ("d", "etc"),
    ("f", "etc/php/8.2/mods-available/yaml.ini"),
    ("f", "etc/other.conf"),
    ("f", "usr/lib/php/20220829/yaml.so"),
]
CONTROL = (
    "Package: php-yaml\nVersion: 2.2.3-1+deb12\nArchitecture: amd64\nDepends: libc6, libyaml-0-2\n"
)


def test_control_gets_versions_maintainer_phpapi_and_dist() -> None:
    text, changes = debfix.fix_control(
        CONTROL, FILES, "libc6 (>= 2.34), libyaml-0-2 (>= 0.2.2)", CTX
    )
    assert "Maintainer: M <m@example.org>" in text
    assert "Depends: libc6 (>= 2.34), libyaml-0-2 (>= 0.2.2), phpapi-20220829" in text
    assert "Version: 2.2.3-1+deb12" in text
    assert len(changes) == 2


def test_version_is_checked_not_patched() -> None:
    ubuntu = debfix.FixContext("m", "+ubuntu20.04")
    debfix.check_version("2.10-1+ubuntu20.04", ubuntu)
    # debbuild's own default %dist: the spec lost specport's %global dist
    with pytest.raises(BuildError, match="does not carry the dist tag"):
        debfix.check_version("2.10-1ubuntu20.04", ubuntu)
    with pytest.raises(BuildError):
        debfix.fix_control("Package: a\nVersion: 1-1debian12\n", [], "", CTX)


def test_existing_maintainer_and_versioned_depends_are_kept() -> None:
    control = (
        "Package: a\nVersion: 1-1+deb12\nMaintainer: X <x@y>\nDepends: libc6 (>= 2.0), b | c\n"
    )
    text, changes = debfix.fix_control(control, [], "libc6 (>= 2.34)", CTX)
    assert "Maintainer: X <x@y>" in text
    assert "Depends: libc6 (>= 2.0), b | c" in text  # an explicit bound from the spec wins
    assert changes == []


def test_conffiles_cover_all_of_etc_once() -> None:
    got = debfix.conffiles("/etc/other.conf\n", FILES)
    assert got == "/etc/other.conf\n/etc/php/8.2/mods-available/yaml.ini\n"


def test_php_snippets_go_before_exit_0() -> None:
    mods = debfix.php_modules(FILES)
    assert mods == [debfix.PhpModule("8.2", "yaml")]
    snippets = debfix.php_snippets(mods)
    post = debfix.add_to_script("#!/bin/sh -e\necho hi\nexit 0\n", snippets["postinst"])
    assert post.endswith("phpenmod -v 8.2 -s ALL yaml\nfi\nexit 0\n")
    assert "purge" in snippets["postrm"] and "phpdismod" in snippets["prerm"]
    assert debfix.add_to_script("", snippets["prerm"]).startswith("#!/bin/sh\nset -e\n")


RPM_CHANGELOG = """* Tue Oct 08 2024 A Packager <a@example.org> - 2.2.3-1
- update to 2.2.3
  with a second line

* Mon Jan 01 2024 A Packager <a@example.org> - 2.2.2-1
- first
"""


def _fake_deb(root: Path, scripts: dict[str, str]) -> Path:
    tree = root / "tree"
    (tree / "DEBIAN").mkdir(parents=True)
    (tree / "DEBIAN" / "control").write_text(CONTROL.replace("libyaml-0-2", "coreutils"))
    for name, body in scripts.items():
        (tree / "DEBIAN" / name).write_text(body)
        (tree / "DEBIAN" / name).chmod(0o755)
    for kind, path in FILES:
        p = tree / path
        if kind == "d":
            p.mkdir(parents=True, exist_ok=True)
        else:
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text("x=1\n")
    # a real ELF file from the host, so dpkg-shlibdeps has something to say
    shutil.copy2("/usr/bin/true", tree / "usr/lib/php/20220829/yaml.so")
    doc = tree / "usr/share/doc/php-yaml"
    doc.mkdir(parents=True)
    (doc / "LICENSE").write_text("Copyright (c) 2020 A. Author\n\nPermission is granted.\n")
    (doc / "changelog.gz").write_bytes(gzip.compress(RPM_CHANGELOG.encode()))
    debs = root / "debs"
    debs.mkdir()
    subprocess.run(["dpkg-deb", "--root-owner-group", "-b", str(tree), str(debs)], check=True)
    return debs


@pytest.mark.skipif(not shutil.which("dpkg-shlibdeps"), reason="needs dpkg-dev")
@pytest.mark.parametrize("normalizer_did_php", [False, True])
def test_debfix_sh_round_trip(tmp_path: Path, normalizer_did_php: bool) -> None:
    scripts = {"postinst": "#!/bin/sh -e\nphpenmod yaml\n"} if normalizer_did_php else {}
    debs = _fake_deb(tmp_path, scripts)
    script = tmp_path / "debfix.sh"
    script.write_text(debfix.script_text())
    work, out = tmp_path / "work", tmp_path / "out"
    subprocess.run(["sh", str(script), "unpack", str(debs), str(work)], check=True)
    meta = work / "meta" / "1"
    assert "libc6 (>= " in (meta / "shlibs").read_text()
    changes = debfix.fix_package(meta, CTX)
    assert any(c.startswith("Depends:") for c in changes)
    subprocess.run(["sh", str(script), "pack", str(work), str(out)], check=True)
    (deb,) = out.glob("*.deb")
    assert deb.name == "php-yaml_2.2.3-1+deb12_amd64.deb"

    def field(name: str) -> str:
        return subprocess.run(
            ["dpkg-deb", "-f", str(deb), name], capture_output=True, text=True, check=True
        ).stdout.strip()

    assert field("Maintainer") == "M <m@example.org>"
    assert "libc6 (>= " in field("Depends") and "phpapi-20220829" in field("Depends")
    info = subprocess.run(["dpkg-deb", "-I", str(deb)], capture_output=True, text=True).stdout
    assert (
        "xz"
        in subprocess.run(
            ["sh", "-c", f"ar t {deb} | grep data"], capture_output=True, text=True
        ).stdout
        or "data.tar.xz" in info
    )
    ctrl = tmp_path / "ctrl"
    subprocess.run(["dpkg-deb", "-e", str(deb), str(ctrl)], check=True)
    assert (ctrl / "conffiles").read_text().count("/etc/") == 2
    postinst = (ctrl / "postinst").read_text()
    assert ("phpenmod -v 8.2 -s ALL yaml" in postinst) is (not normalizer_did_php)
    assert "rm -f /var/lib/php/modules/8.2/*/*/yaml" in (ctrl / "postrm").read_text()
    assert (ctrl / "postinst").stat().st_mode & 0o111
    _check_tree(deb, tmp_path / "final")


def _check_tree(deb: Path, tree: Path) -> None:
    """What debhelper would have done: docs, stripped 0644 shared objects, md5sums."""
    subprocess.run(["dpkg-deb", "-R", str(deb), str(tree)], check=True)
    doc = tree / "usr/share/doc/php-yaml"
    assert not (doc / "changelog.gz").exists()
    changelog = Changelog(gzip.decompress((doc / "changelog.Debian.gz").read_bytes()))
    assert [str(b.version) for b in changelog] == ["2.2.3-1+deb12", "2.2.3-1", "2.2.2-1"]
    assert changelog[0].distributions == "bookworm"
    assert changelog[0].author == "M <m@example.org>"
    assert "with a second line" in str(changelog[1])
    copyright_paras = list(Deb822.iter_paragraphs((doc / "copyright").read_text()))
    assert copyright_paras[0]["Upstream-Name"] == "php-pecl-yaml"
    assert copyright_paras[1]["Files"] == "*" and copyright_paras[1]["License"] == "Expat"
    assert copyright_paras[1]["Copyright"] == "2020 A. Author"
    assert "Permission is granted." in copyright_paras[2]["License"]
    so = tree / "usr/lib/php/20220829/yaml.so"
    assert so.stat().st_mode & 0o777 == 0o644
    sections = subprocess.run(["readelf", "-S", str(so)], capture_output=True, text=True).stdout
    assert ".symtab" not in sections and ".comment" not in sections
    sums = (tree / "DEBIAN/md5sums").read_text()
    assert "usr/lib/php/20220829/yaml.so" in sums and "etc/" not in sums  # conffiles: dpkg's
    subprocess.run(["md5sum", "--quiet", "-c", str(tree / "DEBIAN/md5sums")], cwd=tree, check=True)


SP_GREETING = """package Sp::Greeting;
use strict;
use File::Temp qw(tempfile);
use Dpkg::Version;
require Sp::Greeting::Util;
use No::Such::Module 1.2;

=pod

use Pod::Only::Module;

=cut

1;
__END__
use After::End;
"""


def unpacked(tree: Path, tmp_path: Path) -> Path:
    """The package built from `tree`, unpacked by debfix.sh on this host (its build
    environment): the meta directory the host side reads."""
    debs = tmp_path / "debs"
    debs.mkdir()
    subprocess.run(["dpkg-deb", "--root-owner-group", "-b", str(tree), str(debs)], check=True)
    script = tmp_path / "debfix.sh"
    script.write_text(debfix.script_text())
    work = tmp_path / "work"
    subprocess.run(["sh", str(script), "unpack", str(debs), str(work)], check=True)
    return work / "meta" / "1"


@pytest.mark.skipif(not shutil.which("dpkg-deb"), reason="needs dpkg")
def test_perl_modules_a_package_uses_become_its_depends(tmp_path: Path) -> None:
    # rpm's perl.req on Fedora: the modules its files `use` are Requires; here the build
    # environment (the host: perl, libdpkg-perl of dpkg-dev) says which package has each
    tree = tmp_path / "tree"
    (tree / "DEBIAN").mkdir(parents=True)
    (tree / "DEBIAN" / "control").write_text(
        "Package: perl-sp-greeting\nVersion: 1.0-1+deb12\nArchitecture: all\n"
    )
    lib = tree / "usr/share/perl5/Sp"
    (lib / "Greeting").mkdir(parents=True)
    (lib / "Greeting.pm").write_text(SP_GREETING)
    (lib / "Greeting" / "Util.pm").write_text("package Sp::Greeting::Util;\nuse Carp;\n1;\n")
    meta = unpacked(tree, tmp_path)
    lines = (meta / "perldeps").read_text().splitlines()
    assert sorted(lines) == ["dep libdpkg-perl", "dep perl", "missing No::Such::Module"]
    changes = debfix.fix_package(meta, CTX)
    control = Deb822((meta / "DEBIAN" / "control").read_text())
    assert control["Depends"] == "libdpkg-perl, perl"
    assert any("lacks (no Depends added for them): No::Such::Module" in c for c in changes)


def test_perl_depends_of_a_package_with_no_perl() -> None:
    assert debdeps.perl_depends("", FILES, "php-yaml") == ([], [])
    # its own name is no dependency; a package of Perl modules needs perl
    own = [("f", "usr/share/perl5/Sp.pm")]
    assert debdeps.perl_depends("dep perl-sp\n", own, "perl-sp") == (["perl"], [])


def test_modules_the_build_lacked_come_from_the_package_index() -> None:
    """cffi's `pycparser`: setup.py computes it, so the build environment lacked it; the package
    index (its Contents: a dist-info directory, a .pm file) names the package, never a guess."""
    lookup = debbuild._index_lookup(resolver("debian-12"))
    assert lookup is not None
    assert lookup("python3dist(pyyaml)") == "python3-yaml"
    assert lookup("perl(XML::Parser)") == "libxml-parser-perl"
    assert lookup("perl(File::Temp)") == "perl"  # a core module
    assert lookup("python3dist(no-such-dist)") == ""
    ctx = dataclasses.replace(CTX, lookup=lookup)
    control = "Package: python3-demo\nVersion: 1.0-1+deb12\nArchitecture: all\n"
    pydeps = "dep python3\nmissing PyYAML\nmissing no_such.dist\n"
    perldeps = "missing XML::Parser\n"
    text, changes = debfix.fix_control(control, [], "", ctx, perldeps, pydeps)
    depends = Deb822(text)["Depends"]
    assert depends == "libxml-parser-perl, python3, python3-yaml"
    assert "from the package index: PyYAML (python3-yaml)" in "\n".join(changes)
    assert any("lacks (no Depends added for them): no_such.dist" in c for c in changes)
    # without an index (rule data only): listed, as before
    _, changes = debfix.fix_control(control, [], "", CTX, "", pydeps)
    assert any("no Depends added for them): PyYAML, no_such.dist" in c for c in changes)


def test_a_module_a_sibling_ships_is_the_siblings(tmp_path: Path) -> None:
    """perl-sp-tests uses Sp::Lib, which its sibling perl-sp-lib ships: the build environment
    lacks it (neither is installed), and Debian may have another package with the module;
    the Depends is the sibling, as rpm would find it."""
    metas = []
    for name, listing in (
        ("perl-sp-lib", "d usr/share/perl5/Sp\nf usr/share/perl5/Sp/Lib.pm\n"),
        ("python3-sp", "d usr/lib/python3/dist-packages/Sp_Util-1.0-py3.8.egg-info\n"),
        ("perl-sp-tests", "f usr/share/perl5/Sp/Tests.pm\n"),
    ):
        meta = tmp_path / name
        (meta / "DEBIAN").mkdir(parents=True)
        (meta / "DEBIAN" / "control").write_text(f"Package: {name}\nVersion: 1-1+deb12\n")
        (meta / "files").write_text(listing)
        metas.append(meta)
    shipped = debfix.shipped_names(metas)
    assert shipped == {"perl(Sp::Lib)": "perl-sp-lib", "perl(Sp::Tests)": "perl-sp-tests",
                       "python3dist(sp-util)": "python3-sp"}  # fmt: skip
    index = {"perl(Sp::Lib)": "libsp-lib-perl", "perl(Other)": "libother-perl"}
    ctx = dataclasses.replace(CTX, lookup=debdeps.siblings_first(shipped, index.get))
    control = "Package: perl-sp-tests\nVersion: 1-1+deb12\nArchitecture: all\n"
    perldeps = "missing Sp::Lib\nmissing Other\n"
    text, _ = debfix.fix_control(control, [], "", ctx, perldeps, "missing sp_util\n")
    assert Deb822(text)["Depends"] == "perl-sp-lib, libother-perl, python3-sp"
