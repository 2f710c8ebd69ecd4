"""Real builds: debbuild for the Debian/Ubuntu targets, rpmbuild in a stand-in image.

One `specport build` run makes every .deb the tests use (module fixture); each check then
installs them into a clean container of the plain distro image, as a user would.
Sources come from tools/debian_sources.py (the Debian archive), like the README's example.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from terminal import sigint_default

from specport.config import load_config
from specport.errors import EngineError

pytestmark = pytest.mark.container

ROOT = Path(__file__).resolve().parent.parent
# a copy outside git: in the repo, %autorelease follows this repo's history (release N), and the
# upgrade test needs to know release 1 is what it upgrades from
_COPY = Path(tempfile.mkdtemp(prefix="specport-test-specs-"))
atexit.register(shutil.rmtree, _COPY, True)  # the suite leaves no directory behind
SPECS = Path(shutil.copytree(ROOT / "specs", _COPY / "specs"))
# SPECPORT_TEST_DEB_TARGETS narrows the set (a comma list), e.g. when a mirror lacks a release
DEB_TARGETS = os.environ.get(
    "SPECPORT_TEST_DEB_TARGETS", "debian-11,debian-12,ubuntu-20.04,ubuntu-22.04,ubuntu-24.04"
).split(",")
PECL = "php-pecl-igbinary"
PHP_CALL = "echo igbinary_unserialize(igbinary_serialize([40, 2]))[0] + 2;"  # prints 42
YAML_CALL = 'echo yaml_parse("answer: 40")["answer"] + 2;'  # prints 42


@pytest.fixture(scope="module")
def engine() -> Iterator[object]:
    from specport.container.engine import connect

    try:
        conn = connect()
    except EngineError as exc:
        if os.environ.get("SPECPORT_REQUIRE_ENGINE") == "1":
            pytest.fail(f"no container engine, and SPECPORT_REQUIRE_ENGINE=1: {exc}")
        pytest.skip(f"no container engine: {exc}")
    yield conn


def specport(*args: str, timeout: float = 3600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "specport", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def debs(engine: object, example_lookaside: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("debs")
    proc = specport(
        "build", "-t", ",".join(DEB_TARGETS), "--jobs", "2", "--keep-going",
        "--lookaside", str(example_lookaside), "-o", str(out),
        str(SPECS / "hello.spec"), str(SPECS / f"{PECL}.spec"), str(SPECS / "php-pecl-yaml.spec"),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


def _throwaway(engine: object, image: str, log: Path):  # type: ignore[no-untyped-def]
    from specport.container.runs import Throwaway

    return Throwaway(engine, image, log_path=log, purpose="test-install")  # type: ignore[arg-type]


def _field(deb: Path, name: str) -> str:
    return subprocess.run(
        ["dpkg-deb", "-f", str(deb), name], capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.mark.parametrize("target_name", DEB_TARGETS)
def test_debs_install_into_a_clean_distro(
    engine: object, debs: Path, target_name: str, tmp_path: Path
) -> None:
    target = load_config().targets[target_name]
    built = [d for d in sorted((debs / target_name).glob("*.deb")) if "-devel_" not in d.name]
    assert len(built) == 3, built
    for deb in built:
        assert "(>= " in _field(deb, "Depends"), deb.name  # versioned, from dpkg-shlibdeps
        assert _field(deb, "Maintainer")
        assert _field(deb, "Version").endswith(target.dist)
    for pecl in (d for d in built if d.name.startswith("php-pecl-")):
        assert f"phpapi-{target.php_api}" in _field(pecl, "Depends"), pecl.name
    with _throwaway(engine, target.image, tmp_path / "install.log") as box:
        for deb in built:
            box.copy_in(deb, "/tmp/debs")
        box.run("apt-get update -q", timeout=600)
        box.run("apt-get install -y -q /tmp/debs/*.deb", timeout=900)
        assert "Hello, world!" in box.run("hello", timeout=60).output
        assert "igbinary" in box.run("php -m", timeout=60).output.split()
        assert box.run(["php", "-r", PHP_CALL], timeout=60).output.strip() == "42"
        # the extension that needs a C library (libyaml, through pkgconfig(yaml-0.1))
        assert "yaml" in box.run("php -m", timeout=60).output.split()
        assert box.run(["php", "-r", YAML_CALL], timeout=60).output.strip() == "42"


def test_upgrade_and_purge_through_maintainer_scripts(
    engine: object, debs: Path, example_lookaside: Path, tmp_path: Path
) -> None:
    target = load_config().targets["debian-12"]
    spec_dir = tmp_path / "rel2"
    spec_dir.mkdir()
    text = (SPECS / f"{PECL}.spec").read_text()
    (spec_dir / f"{PECL}.spec").write_text(
        re.sub(r"(?m)^Release:.*$", "Release: 2%{?dist}", text, count=1)
    )
    (spec_dir / "sources").write_text((SPECS / "sources").read_text())
    out = tmp_path / "out"
    proc = specport(
        "build", "-t", "debian-12", "--lookaside", str(example_lookaside), "-o", str(out),
        str(spec_dir / f"{PECL}.spec"),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    (rel1,) = (debs / "debian-12").glob("*igbinary_*.deb")
    (rel2,) = (out / "debian-12").glob("*igbinary_*.deb")
    package = _field(rel1, "Package")
    assert (
        subprocess.run(
            ["dpkg", "--compare-versions", _field(rel2, "Version"), "gt", _field(rel1, "Version")]
        ).returncode
        == 0
    )
    with _throwaway(engine, target.image, tmp_path / "upgrade.log") as box:
        box.copy_in(rel1, "/tmp/rel1")
        box.copy_in(rel2, "/tmp/rel2")
        box.run("apt-get update -q", timeout=600)
        box.run(f"apt-get install -y -q /tmp/rel1/{rel1.name}", timeout=900)
        box.run(f"apt-get install -y -q /tmp/rel2/{rel2.name}", timeout=900)
        assert "igbinary" in box.run("php -m", timeout=60).output.split()
        box.run(f"apt-get purge -y -q {package}", timeout=600)
        assert "igbinary" not in box.run("php -m", timeout=60).output.split()
        left = box.run(
            "find / -xdev -name '*igbinary*' -not -path '/tmp/*' -not -path '/proc/*'",
            timeout=120,
            check=False,
        ).output.split()
        assert left == []


def test_rpmbuild_in_stand_in_image(
    engine: object, example_lookaside: Path, tmp_path: Path
) -> None:
    # EL images cannot be had here: Debian's rpmbuild in the debian-12 builder image stands in
    from specport.images.builder import builder_image

    image = builder_image(load_config().targets["debian-12"])
    # el8-php7.4's facts, but files go where the image's (Debian's) php-config puts them
    config = tmp_path / "specport.toml"
    config.write_text(
        '[targets.el8-standin]\nextends = "el8-php7.4"\n'
        '[targets.el8-standin.macros]\nphp_extdir = "/usr/lib/php/20220829"\n'
        'php_incldir = "/usr/include/php/20220829"\n'
    )
    proc = specport(
        "--config", str(config), "build", "-t", "el8-standin", "--image", image,
        "--lookaside", str(example_lookaside), "-o", str(tmp_path),
        str(SPECS / "hello.spec"), str(SPECS / f"{PECL}.spec"),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    rpms = sorted((tmp_path / "el8-standin").glob("*.rpm"))
    assert any(p.name.endswith(".src.rpm") for p in rpms)
    (pecl,) = [p for p in rpms if "igbinary" in p.name and "debug" not in p.name
               and not p.name.endswith(".src.rpm") and "devel" not in p.name]  # fmt: skip
    requires = subprocess.run(
        ["rpm", "-qp", "--requires", str(pecl)], capture_output=True, text=True, check=True
    ).stdout
    assert "php(zend-abi) = 20190902" in requires and "php(api) = 20190902" in requires
    assert ".el8" in pecl.name


def test_failed_build_leaves_only_its_log(engine: object, tmp_path: Path) -> None:
    spec = tmp_path / "broken.spec"
    spec.write_text(
        "Name: broken\nVersion: 1\nRelease: 1\nSummary: b\nLicense: MIT\n"
        "%description\nb\n%build\necho about to fail; exit 3\n%files\n"
    )
    out = tmp_path / "out"
    proc = specport("build", "-t", "debian-12", "-o", str(out), str(spec))
    assert proc.returncode == 1
    assert proc.stderr.count("specport: error:") == 1
    assert "debbuild failed in %build" in proc.stderr
    assert sorted(p.name for p in out.rglob("*") if p.is_file()) == ["broken.log"]
    client = engine.client  # type: ignore[attr-defined]
    left = client.containers.list(all=True, filters={"label": "specport.purpose=build-broken"})
    assert left == []


def test_ctrl_c_during_a_parallel_build_leaves_nothing(
    engine: object, example_lookaside: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "specport", "build", "-t", "debian-12", "--jobs", "2",
         "--no-cache",  # two builds must run: the module's earlier builds are in the cache
         "--lookaside", str(example_lookaside), "-o", str(out),
         str(SPECS / "hello.spec"), str(SPECS / f"{PECL}.spec")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=sigint_default,  # Ctrl-C as from a terminal
    )  # fmt: skip
    client = engine.client  # type: ignore[attr-defined]
    mine = {"label": f"specport.owner={socket.gethostname()}:{proc.pid}"}
    deadline = time.monotonic() + 300
    while len(client.containers.list(filters=mine)) < 2:
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            pytest.fail("the two builds never ran at the same time")
        time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err[-2000:]
    assert client.containers.list(all=True, filters=mine) == []
    assert not [p for p in out.rglob("*") if p.suffix == ".deb"]
    logs = sorted(p.name for p in (out / "debian-12" / "logs").glob("*.log"))
    assert logs == sorted(["hello.log", f"{PECL}.log"])  # each interrupted build keeps its log
