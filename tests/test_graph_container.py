"""A set of specs that depend on each other, built for real: debian-12 with debbuild, and
rpmbuild in the debian-12 builder image standing in for EL (as test_build_container.py does).

The set (tests/data/graph/): libspfoo (C library, -devel, pkg-config file) -> spfoo-tool and
php-pecl-spfoo (one wave) -> php-spbar (PHP library whose %check calls the extension).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from specport.config import load_config

pytestmark = pytest.mark.container

DATA = Path(__file__).parent / "data" / "graph"
NAMES = ["libspfoo", "php-pecl-spfoo", "php-spbar", "spfoo-tool"]
STANDIN = """[targets.el8-standin]
extends = "el8-php7.4"
[targets.el8-standin.macros]
php_extdir = "/usr/lib/php/20220829"
php_incldir = "/usr/include/php/20220829"
"""
# a spec of the set that needs no other (tests/test_ci_container.py uses it too)
INDEPENDENT = (Path(__file__).parent / "data" / "spindie.spec").read_text(encoding="utf-8")


def specport(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "specport", *args], capture_output=True, text=True, timeout=3600
    )


def copy_set(dest: Path) -> list[str]:
    shutil.copytree(DATA, dest)
    return [str(dest / f"{n}.spec") for n in NAMES]


def field(deb: Path, name: str) -> str:
    return subprocess.run(
        ["dpkg-deb", "-f", str(deb), name], capture_output=True, text=True, check=True
    ).stdout.strip()


def one(directory: Path, pattern: str) -> Path:
    (found,) = directory.glob(pattern)
    return found


class Built:
    def __init__(self, out: Path, proc: subprocess.CompletedProcess[str], specs: list[str]):
        self.out, self.proc, self.specs = out, proc, specs

    def lines(self) -> list[str]:
        """The status lines without their time stamps."""
        return [ln.split(" ", 1)[1] for ln in self.proc.stderr.splitlines() if ln[:1].isdigit()]


@pytest.fixture(scope="module")
def deb_set(
    engine: object, builder_images: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Built:
    builder_images("debian-12")
    tmp = tmp_path_factory.mktemp("debset")
    specs = copy_set(tmp / "specs")
    out = tmp / "out"
    # --no-cache: the checks are about how the set builds, which a cached result skips
    proc = specport(
        "build", "-t", "debian-12", "--jobs", "2", "--no-cache", "-o", str(out), *specs
    )  # fmt: skip
    return Built(out, proc, specs)


def test_set_builds_wave_by_wave(deb_set: Built) -> None:
    assert deb_set.proc.returncode == 0, deb_set.proc.stderr[-3000:]
    lines = deb_set.lines()

    def at(text: str) -> int:
        return lines.index(text)

    first = at("libspfoo / debian-12: starting (wave 1/3)")
    wave1 = at("wave 1 of 3 done")
    tool = at("spfoo-tool / debian-12: starting (wave 2/3)")
    ext = at("php-pecl-spfoo / debian-12: starting (wave 2/3)")
    wave2 = at("wave 2 of 3 done")
    last = at("php-spbar / debian-12: starting (wave 3/3)")
    assert first < wave1 < min(tool, ext) and max(tool, ext) < wave2
    # php-spbar needs php-pecl-spfoo only: it starts once that pair is done, whether or not
    # spfoo-tool (the rest of wave 2) still runs
    ext_ok = next(
        i for i, ln in enumerate(lines) if ln.startswith("php-pecl-spfoo / debian-12: ok")
    )
    assert ext_ok < last
    # the two pairs of wave 2 ran side by side: both started before either finished
    done = re.compile(r"(spfoo-tool|php-pecl-spfoo) / .*: ok")
    ends = [i for i, ln in enumerate(lines) if done.match(ln)]
    assert len(ends) == 2 and max(tool, ext) < min(ends)
    # phases came from specport's steps and from debbuild's output
    for phase in ("sources", "build dependencies", "%build", "post-step", "lintian", "publish"):
        assert f"spfoo-tool / debian-12: {phase}" in lines
    assert "wave" in deb_set.proc.stdout.splitlines()[1]  # the summary's wave column


def test_later_builds_installed_the_earlier_packages(deb_set: Built) -> None:
    logs = deb_set.out / "debian-12" / "logs"
    tool = (logs / "spfoo-tool.log").read_text()
    # the set's own package, not Debian's name for it (libspfoo-dev)
    assert re.search(r"\$ apt-get satisfy .* libspfoo-devel", tool)
    assert "deb [trusted=yes] file:/specport/localrepo ./" in tool
    assert "Unpacking libspfoo-devel (1.0-1+deb12)" in tool
    assert "\nlibspfoo-devel 1.0-1+deb12 installed\n" in tool  # dpkg-query in the container
    spbar = (logs / "php-spbar.log").read_text()
    assert "\nphp-pecl-spfoo 1.0-1+deb12 installed\n" in spbar
    lib = (logs / "libspfoo.log").read_text()
    assert "local repository" not in lib  # the first wave needs nothing of the set


def test_depends_name_the_set_packages(deb_set: Built) -> None:
    debs = deb_set.out / "debian-12"
    lib = one(debs, "libspfoo_*.deb")
    shlibs = subprocess.run(
        ["dpkg-deb", "-I", str(lib), "shlibs"], capture_output=True, text=True, check=True
    ).stdout
    assert shlibs == "libspfoo 1 libspfoo (>= 1.0)\n"
    assert "libspfoo (>= 1.0)" in field(one(debs, "spfoo-tool_*.deb"), "Depends")
    ext = field(one(debs, "php-pecl-spfoo_*.deb"), "Depends")
    assert "libspfoo (>= 1.0)" in ext and "phpapi-20220829" in ext
    # Requires: php-pecl(spfoo) -> php-spfoo (the name rule) -> the set's php-pecl-spfoo
    assert field(one(debs, "php-spbar_*.deb"), "Depends") == "php-pecl-spfoo"


def test_installed_program_and_extension_run(
    engine: object, deb_set: Built, tmp_path: Path
) -> None:
    from specport.container.runs import Throwaway

    target = load_config().targets["debian-12"]
    debs = sorted((deb_set.out / "debian-12").glob("*.deb"))
    assert len(debs) == 5
    with Throwaway(engine, target.image, log_path=tmp_path / "i.log", purpose="test-graph") as box:  # type: ignore[arg-type]
        for deb in debs:
            box.copy_in(deb, "/tmp/debs")
        box.run("apt-get update -q", timeout=600)
        box.run("apt-get install -y -q php-cli /tmp/debs/*.deb", timeout=900)
        assert box.run("spfoo", timeout=60).output.strip() == "spfoo 1.0 says 42"
        assert "spfoo" in box.run("php -m", timeout=60).output.split()
        call = 'require "/usr/share/php/Spbar/Spbar.php"; echo \\Spbar\\answer();'
        assert box.run(["php", "-r", call], timeout=60).output.strip() == "spbar: 42"
        status = box.run("dpkg -s libspfoo spfoo-tool php-pecl-spfoo php-spbar", timeout=60)
        assert status.output.count("Status: install ok installed") == 4


def test_rpm_set_in_the_stand_in_image(
    engine: object, builder_images: Callable[[str], str], tmp_path: Path
) -> None:
    image = builder_images("debian-12")
    config = tmp_path / "specport.toml"
    config.write_text(STANDIN)
    specs = copy_set(tmp_path / "specs")
    out = tmp_path / "out"
    proc = specport(
        "--config", str(config), "build", "-t", "el8-standin", "--image", image,
        "--jobs", "2", "-o", str(out), *specs,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "php-spbar / el8-standin: starting (wave 3/3)" in proc.stderr
    logs = out / "el8-standin" / "logs"
    tool = (logs / "spfoo-tool.log").read_text()
    # the dist tag is the target's (.el8, .el8.php_7.4, ...)
    evr = r"1\.0-1\.el8[.\w]*\.x86_64"
    assert re.search(rf"rpm -Uvh .*/specport/localrepo/libspfoo-devel-{evr}\.rpm", tool)
    assert re.search(rf"\nlibspfoo-devel-{evr}\n", tool)  # rpm -q in the container
    spbar = (logs / "php-spbar.log").read_text()
    assert re.search(rf"\nphp-pecl-spfoo-{evr}\n", spbar)
    assert "is not installed" not in spbar
    # the dependent's %check loaded the extension built in the wave before
    assert "Executing(%check)" in spbar and "extension=spfoo.so" in spbar
    assert len(list((out / "el8-standin").glob("spfoo-tool-1.0-1.el8*.x86_64.rpm"))) == 1
    # what rebuild --with-packages reads: the extension was built against EL8's PHP API
    from specport.building.localrepo import requirements_of

    (ext,) = (out / "el8-standin").glob("php-pecl-spfoo-1.0-1.el8*.x86_64.rpm")
    assert {"php(api)", "php(zend-abi)"} <= requirements_of([ext])["php-pecl-spfoo"]


def test_failed_pair_blocks_its_dependents(
    engine: object, builder_images: Callable[[str], str], tmp_path: Path
) -> None:
    builder_images("debian-12")
    specs = copy_set(tmp_path / "specs")
    lib = Path(specs[0])
    lib.write_text(lib.read_text().replace("%build\n", "%build\necho broken on purpose; exit 3\n"))
    indie = tmp_path / "specs" / "spindie.spec"
    indie.write_text(INDEPENDENT)
    out = tmp_path / "out"
    proc = specport(
        "build", "-t", "debian-12", "--jobs", "2", "--keep-going", "-o", str(out),
        specs[0], specs[3], str(indie),
    )  # fmt: skip
    assert proc.returncode == 1
    assert proc.stderr.count("specport: error:") == 1
    assert "libspfoo / debian-12: debbuild failed in %build" in proc.stderr
    assert "1 blocked by it" in proc.stderr
    assert "blocked: needs libspfoo, which did not build" in proc.stdout
    built = sorted(p.name for p in (out / "debian-12").glob("*.deb"))
    assert built == ["spindie_1.0-1+deb12_all.deb"]  # --keep-going built the independent one
    assert not (out / "debian-12" / "logs" / "spfoo-tool.log").exists()  # never started


def test_rebuild_whatrequires_builds_exactly_the_dependents(deb_set: Built, tmp_path: Path) -> None:
    specs = copy_set(tmp_path / "specs")
    out = tmp_path / "out"
    proc = specport(
        "rebuild", "-t", "debian-12", "--whatrequires", "libspfoo", "--jobs", "2",
        "--with-packages", str(deb_set.out), "-o", str(out), *specs,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    debs = sorted(p.name for p in (out / "debian-12").glob("*.deb"))
    assert debs == [
        "php-pecl-spfoo_1.0-2+deb12_amd64.deb",
        "php-spbar_1.0-2+deb12_all.deb",
        "spfoo-tool_1.0-2+deb12_amd64.deb",
    ]
    # bumped in place as rpmdev-bumpspec does; the library itself untouched
    tool = Path(specs[3]).read_text()
    assert "Release:        2%{?dist}" in tool and "- Rebuilt for libspfoo" in tool
    assert Path(specs[0]).read_text() == (DATA / "libspfoo.spec").read_text()
    # the library came from the earlier build's packages
    log = (out / "debian-12" / "logs" / "spfoo-tool.log").read_text()
    assert "\nlibspfoo-devel 1.0-1+deb12 installed\n" in log
