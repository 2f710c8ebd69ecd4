"""rpmbuild.py's dnf path for real: `dnf module enable` and `dnf builddep` in the dnf stand-in
(tests/dnf_support.py: the debian-12 builder image with Debian's dnf 4.14), against a module-stream
repository of the test's own served over HTTP, then rpmbuild without --nodeps; and the shared
dnf package and metadata cache between builds (fresh: no request at all; expired: refreshed).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from dnf_support import REPO_ID, AccessLog, build_repository, serve_logged, with_repository
from test_repo_support import bridge_gateway

from specport.container.engine import Engine
from specport.container.runs import Throwaway

pytestmark = pytest.mark.container

NAME = "specport-dnf-consumer"
# its package says which php-devel it was built against and that the repository's tool ran
CONSUMER = f"""\
Name: {NAME}
Version: 1.0
Release: 1%{{?dist}}
Summary: builds against the php-devel of its target's module stream
License: MIT
BuildArch: noarch
BuildRequires: php-devel
BuildRequires: specport-fake-tool
%description
A fixture of specport's dnf tests.
%build
specport-fake-tool > tool.txt
cp /usr/share/specport-fake-php/VERSION php-version.txt
%install
mkdir -p %{{buildroot}}/usr/share/{NAME}
cp tool.txt php-version.txt %{{buildroot}}/usr/share/{NAME}/
%files
/usr/share/{NAME}
"""


@dataclass(frozen=True)
class Served:
    image: str  # the stand-in with the repository's .repo file
    access: AccessLog
    repo: Path
    url: str


@dataclass(frozen=True)
class Built:
    proc: subprocess.CompletedProcess[str]
    log: str  # the build's log file
    out: Path  # OUTPUT/<target>
    fetched: list[str]  # what the build's container asked the repository for


@pytest.fixture(scope="module")
def served(
    engine: object, dnf_standin: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("dnf-repo")
    repo = build_repository(engine, dnf_standin, root)
    with serve_logged(repo, bridge_gateway(engine)) as (url, access):
        image = with_repository(engine, dnf_standin, url)
        try:
            yield Served(image, access, repo, url)
        finally:
            # its .repo names this run's port: of no use to another run
            engine.client.images.remove(image, force=True)  # type: ignore[attr-defined]


def build(
    served: Served,
    work: Path,
    target: str,
    cache: Path,
    spec_text: str = CONSUMER,
    *args: str,
    extra_specs: tuple[Path, ...] | list[Path] = (),
) -> Built:
    spec = work / f"{NAME}.spec"
    spec.parent.mkdir(parents=True, exist_ok=True)
    spec.write_text(spec_text, encoding="utf-8")
    out = work / "out"
    # the package cache is <cache dir>/packages/<target>/: this test's own; --no-cache: no
    # result-cache hit may skip a rebuild
    env = {**os.environ, "SPECPORT_CACHE_DIR": str(cache)}
    mark = served.access.mark()
    proc = subprocess.run(
        [sys.executable, "-m", "specport", *args, "build", "-t", target, "--image", served.image,
         "--no-cache", "-o", str(out), *map(str, extra_specs), str(spec)],
        capture_output=True, text=True, timeout=1800, env=env,
    )  # fmt: skip
    logs = sorted((out / target / "logs").glob(f"{NAME}*.log"))
    log = logs[-1].read_text(encoding="utf-8") if logs else ""
    return Built(proc, log, out / target, served.access.since(mark))


def payload_file(rpm_path: Path, suffix: str) -> bytes:
    """One file's content from a package's payload (python3-rpm reads it; no cpio needed)."""
    from specport.rpmlib import rpm as rpm_bindings

    rpm = rpm_bindings()
    ts = rpm.TransactionSet()
    ts.setVSFlags(rpm._RPMVSF_NOSIGNATURES | rpm._RPMVSF_NODIGESTS)
    with rpm_path.open("rb") as f:
        hdr = ts.hdrFromFdno(f.fileno())
        archive = rpm.files(hdr).archive(rpm.fd(f.fileno(), "r", flags=hdr["payloadcompressor"]))
        for entry in archive:
            if entry.name.endswith(suffix):
                return bytes(archive.read())
    raise AssertionError(f"{rpm_path.name} has no file ending in {suffix}")


def binary_rpm(out: Path) -> Path:
    (rpm,) = [p for p in out.glob(f"{NAME}-*.rpm") if not p.name.endswith(".src.rpm")]
    return rpm


def rpm_fetches(built: Built) -> list[str]:
    return sorted(p.rsplit("/", 1)[-1] for p in built.fetched if p.endswith(".rpm"))


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("dnf-cache")


@pytest.fixture(scope="module")
def first(served: Served, cache_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """el8-php7.4's build with an empty package cache."""
    return build(served, tmp_path_factory.mktemp("first"), "el8-php7.4", cache_dir)


def test_el8_build_enables_its_stream_and_dnf_installs_from_it(first: Built) -> None:
    assert first.proc.returncode == 0, first.proc.stderr[-3000:] + first.log[-3000:]
    assert "has no dnf" not in first.proc.stderr + first.log  # the stand-in's warning
    assert "$ dnf -y module reset php && dnf -y module enable php:7.4" in first.log
    assert re.search(r"Enabling module streams:\s+php\s+7\.4", first.log), first.log
    # dnf install of the BuildRequires the sandbox read (never `dnf builddep SPEC`, which would
    # parse the spec online) installed the stream's php-devel, not another stream's
    assert "$ dnf -y --setopt=keepcache=True install -- php-devel specport-fake-tool" in first.log
    assert "builddep" not in first.log
    assert re.search(r"Installed:\s+(\S+\s+)*php-devel-7\.4\.33-1\.el8\.noarch", first.log)
    assert "8.0.30" not in first.log and "7.3.33" not in first.log
    assert "specport-fake-tool-1.0-1.el8.noarch" in first.log
    (rpmbuild,) = [line for line in first.log.splitlines() if line.startswith("$ rpmbuild ")]
    assert "--nodeps" not in rpmbuild
    rpm = binary_rpm(first.out)
    assert rpm.name == f"{NAME}-1.0-1.el8.php_7.4.noarch.rpm"
    assert list(first.out.glob(f"{NAME}-1.0-1.el8.php_7.4.src.rpm"))
    assert payload_file(rpm, "/php-version.txt") == b"7.4.33\n"
    assert payload_file(rpm, "/tool.txt") == b"specport-fake-tool ran\n"


def test_dnf_downloads_go_to_the_package_cache_and_serve_a_rebuild(
    first: Built, served: Served, cache_dir: Path, tmp_path: Path
) -> None:
    assert first.proc.returncode == 0, first.proc.stderr[-3000:]
    wanted = ["php-devel-7.4.33-1.el8.noarch.rpm", "specport-fake-tool-1.0-1.el8.noarch.rpm"]
    assert rpm_fetches(first) == wanted
    # dnf's own layout, <repoid>-<hash of its URL>/packages/, per target
    shared = cache_dir / "packages" / "el8-php7.4"
    (repo_dir,) = shared.iterdir()
    assert re.fullmatch(rf"{REPO_ID}-[0-9a-f]{{16}}", repo_dir.name), repo_dir.name
    kept = sorted(p.name for p in (repo_dir / "packages").iterdir())
    assert kept == wanted  # no temporary names left behind
    for name in wanted:
        assert (repo_dir / "packages" / name).read_bytes() == (served.repo / name).read_bytes()

    # and the repository's metadata, in dnf's layout, with libsolv's caches of it beside
    assert sorted(p.name for p in repo_dir.iterdir()) == ["packages", "repodata", "solv"]
    # what dnf downloaded (repomd.xml, primary, filelists, modules; not other or the sqlite
    # databases), no temporary names, the same bytes as the repository's
    downloaded = sorted(p.rsplit("/", 1)[-1] for p in first.fetched if "/repodata/" in p)
    assert "repomd.xml" in downloaded and len(downloaded) == 4, downloaded
    assert sorted(p.name for p in (repo_dir / "repodata").iterdir()) == downloaded
    for name in downloaded:
        served_file = served.repo / "repodata" / name
        assert (repo_dir / "repodata" / name).read_bytes() == served_file.read_bytes()
    assert sorted(p.name for p in (repo_dir / "solv").iterdir()) == [
        f"{REPO_ID}-filenames.solvx",
        f"{REPO_ID}.solv",
    ]

    again = build(served, tmp_path / "again", "el8-php7.4", cache_dir)
    assert again.proc.returncode == 0, again.proc.stderr[-3000:] + again.log[-3000:]
    # within metadata_expire: neither the metadata nor one package came from the network
    assert again.fetched == []
    assert re.search(r"Enabling module streams:\s+php\s+7\.4", again.log), again.log
    assert "[SKIPPED] php-devel-7.4.33-1.el8.noarch.rpm: Already downloaded" in again.log
    assert payload_file(binary_rpm(again.out), "/php-version.txt") == b"7.4.33\n"

    # a damaged copy: dnf checks it against the repository, downloads it again, and the good
    # one replaces the bad in the shared cache
    bad = repo_dir / "packages" / wanted[0]
    data = bytearray(bad.read_bytes())
    data[len(data) // 2] ^= 0x01
    bad.write_bytes(bytes(data))
    third = build(served, tmp_path / "third", "el8-php7.4", cache_dir)
    assert third.proc.returncode == 0, third.proc.stderr[-3000:] + third.log[-3000:]
    assert rpm_fetches(third) == [wanted[0]]
    assert bad.read_bytes() == (served.repo / wanted[0]).read_bytes()


def test_an_expired_shared_metadata_copy_is_refreshed(
    served: Served, tmp_path_factory: pytest.TempPathFactory
) -> None:
    cache = tmp_path_factory.mktemp("dnf-expire-cache")
    first = build(served, tmp_path_factory.mktemp("expire-first"), "el8-php7.4", cache)
    assert first.proc.returncode == 0, first.proc.stderr[-3000:] + first.log[-3000:]
    (repo_dir,) = (cache / "packages" / "el8-php7.4").iterdir()
    # dnf counts the metadata's age from its files' mtimes, which the copies keep: a month back
    # is past any metadata_expire
    month_ago = time.time() - 30 * 86400
    metadata = [*(repo_dir / "repodata").iterdir(), *(repo_dir / "solv").iterdir()]
    for path in metadata:
        os.utime(path, (month_ago, month_ago))

    again = build(served, tmp_path_factory.mktemp("expire-again"), "el8-php7.4", cache)
    assert again.proc.returncode == 0, again.proc.stderr[-3000:] + again.log[-3000:]
    # dnf asked the repository whether its metadata changed (it did not, so nothing more), and
    # the refresh's new age went back to the shared copy
    assert again.fetched == ["/repodata/repomd.xml"]
    (primary,) = (repo_dir / "repodata").glob("*-primary.xml.gz")
    assert primary.stat().st_mtime > month_ago + 86400
    # no temporary names left behind
    assert not [p for p in repo_dir.rglob(".*")]

    third = build(served, tmp_path_factory.mktemp("expire-third"), "el8-php7.4", cache)
    assert third.proc.returncode == 0, third.proc.stderr[-3000:] + third.log[-3000:]
    assert third.fetched == []  # fresh again


def test_a_shared_solv_of_another_repomd_is_rebuilt_not_used(
    served: Served, tmp_path_factory: pytest.TempPathFactory
) -> None:
    cache = tmp_path_factory.mktemp("dnf-solv-cache")
    first = build(served, tmp_path_factory.mktemp("solv-first"), "el8-php7.4", cache)
    assert first.proc.returncode == 0, first.proc.stderr[-3000:] + first.log[-3000:]
    (repo_dir,) = (cache / "packages" / "el8-php7.4").iterdir()
    # the shared repomd.xml changes (its mtime kept: still fresh), the .solv written from the
    # old one stays: what a reader gets between two writers' files
    repomd = repo_dir / "repodata" / "repomd.xml"
    kept = repomd.stat()
    repomd.write_bytes(repomd.read_bytes() + b"<!-- another revision -->\n")
    os.utime(repomd, ns=(kept.st_atime_ns, kept.st_mtime_ns))
    solv = repo_dir / "solv" / f"{REPO_ID}.solv"
    old_solv = solv.read_bytes()
    old_mtime = solv.stat().st_mtime_ns

    again = build(served, tmp_path_factory.mktemp("solv-again"), "el8-php7.4", cache)
    assert again.proc.returncode == 0, again.proc.stderr[-3000:] + again.log[-3000:]
    assert again.fetched == []
    # libdnf found the .solv's repomd checksum wrong, wrote a new one, and that went out
    assert solv.stat().st_mtime_ns > old_mtime
    assert solv.read_bytes() != old_solv
    assert payload_file(binary_rpm(again.out), "/php-version.txt") == b"7.4.33\n"


def test_the_target_s_stream_decides_what_dnf_installs(served: Served, tmp_path: Path) -> None:
    built = build(served, tmp_path, "el8-php7.3", tmp_path / "cache")
    assert built.proc.returncode == 0, built.proc.stderr[-3000:] + built.log[-3000:]
    assert "dnf -y module enable php:7.3" in built.log
    assert "7.4.33" not in built.log
    rpm = binary_rpm(built.out)
    assert rpm.name == f"{NAME}-1.0-1.el8.php_7.3.noarch.rpm"
    assert payload_file(rpm, "/php-version.txt") == b"7.3.33\n"


def test_a_build_requires_the_repositories_lack_is_one_line(served: Served, tmp_path: Path) -> None:
    spec = CONSUMER.replace(
        "BuildRequires: specport-fake-tool", "BuildRequires: specport-no-such-tool >= 2"
    )
    built = build(served, tmp_path, "el8-php7.4", tmp_path / "cache", spec)
    assert built.proc.returncode == 1
    errors = [line for line in built.proc.stderr.splitlines() if "specport: error:" in line]
    assert len(errors) == 1, built.proc.stderr
    assert (
        "el8-php7.4: dnf install cannot install build dependencies: specport-no-such-tool >= 2"
        in errors[0]
    )
    assert "Traceback" not in built.proc.stderr


def test_a_stream_the_repositories_lack_is_one_line(served: Served, tmp_path: Path) -> None:
    config = tmp_path / "specport.toml"
    config.write_text(
        '[targets.el8-php9]\nextends = "el8-php7.4"\nmodule_streams = ["php:9.9"]\n',
        encoding="utf-8",
    )
    built = build(
        served, tmp_path, "el8-php9", tmp_path / "cache", CONSUMER, "--config", str(config)
    )
    assert built.proc.returncode == 1
    errors = [line for line in built.proc.stderr.splitlines() if "specport: error:" in line]
    assert len(errors) == 1, built.proc.stderr
    assert "el8-php9: dnf cannot enable module stream php:9.9" in errors[0]
    assert not list(built.out.glob("*.rpm"))


def test_no_step_reads_the_spec_with_the_network_up(
    engine: Engine, served: Served, tmp_path: Path
) -> None:
    # the spec's shell tries the repository's server at every parse, and notes whether it got
    # there; the package keeps the notes of the build container's parses
    token = uuid.uuid4().hex[:12]
    where = urllib.parse.urlsplit(served.url)
    probe = (
        "%global probe %(timeout 5 bash -c 'exec 3<>/dev/tcp/"
        f"{where.hostname}/{where.port} && {{ echo GET /probe-{token} HTTP/1.0; echo; }} >&3'"
        " >/dev/null 2>&1 && r=online || r=offline; echo $r >> /var/tmp/specport-probe; echo $r)\n"
    )
    spec = probe + CONSUMER.replace(
        "cp tool.txt php-version.txt %{buildroot}",
        "cp /var/tmp/specport-probe %{buildroot}/usr/share/" + NAME + "/probe\n"
        "cp tool.txt php-version.txt %{buildroot}",
    )
    built = build(served, tmp_path, "el8-php7.4", tmp_path / "cache", spec)
    assert built.proc.returncode == 0, built.proc.stderr[-3000:] + built.log[-3000:]
    # dnf did reach the repository (the build dependencies came from it) ...
    assert rpm_fetches(built) == [
        "php-devel-7.4.33-1.el8.noarch.rpm",
        "specport-fake-tool-1.0-1.el8.noarch.rpm",
    ]
    # ... but the spec's shell never did: not in the sandbox, not in the build container
    assert not [p for p in served.access.paths if token in p]
    # and the probe works: rpm reading the same spec in a container that is online gets there
    with Throwaway(engine, served.image, log_path=tmp_path / "online.log", purpose="probe") as box:
        box.copy_in(tmp_path / f"{NAME}.spec", "/tmp")
        online = box.run(["rpmspec", "-P", f"/tmp/{NAME}.spec"], timeout=120, check=False)
    assert {p for p in served.access.paths if token in p} == {f"/probe-{token}"}, online.output
    notes = payload_file(binary_rpm(built.out), "/probe").decode().split()
    assert notes and set(notes) == {"offline"}, notes


LIB = """\
Name: specport-set-lib
Version: 2.5
Release: 1%{?dist}
Summary: the set's library, for specport's dnf tests
License: MIT
BuildArch: noarch
%description
A package of the set that another builds against.
%install
mkdir -p %{buildroot}/usr/share/specport-set-lib
echo 'specport-set-lib 2.5' > %{buildroot}/usr/share/specport-set-lib/VERSION
%files
/usr/share/specport-set-lib
"""


def test_a_set_s_package_reaches_the_next_build_through_dnf(served: Served, tmp_path: Path) -> None:
    # the set's local repository (building/localrepo.py): createrepo_c + a .repo file, and in an
    # image with dnf, `dnf builddep` installs the package from it (no rpm -U)
    (tmp_path / "specport-set-lib.spec").write_text(LIB, encoding="utf-8")
    app = CONSUMER.replace(
        "BuildRequires: specport-fake-tool",
        "BuildRequires: specport-set-lib\nBuildRequires: specport-fake-tool",
    ).replace(
        "cp /usr/share/specport-fake-php/VERSION php-version.txt",
        "cp /usr/share/specport-fake-php/VERSION php-version.txt\n"
        "cat /usr/share/specport-set-lib/VERSION >> tool.txt",
    )
    built = build(
        served, tmp_path, "el8-php7.4", tmp_path / "cache", app,
        extra_specs=[tmp_path / "specport-set-lib.spec"],
    )  # fmt: skip
    assert built.proc.returncode == 0, built.proc.stderr[-3000:] + built.log[-3000:]
    assert "rpm -U" not in built.log
    assert re.search(
        r"specport-set-lib\s+noarch\s+2\.5-1\.el8\.php_7\.4\s+specport-localrepo", built.log
    ), built.log
    assert payload_file(binary_rpm(built.out), "/tool.txt") == (
        b"specport-fake-tool ran\nspecport-set-lib 2.5\n"
    )
    # the set's own repository changes under the same URL: its metadata is never shared
    shared = tmp_path / "cache" / "packages" / "el8-php7.4"
    assert [p.name for p in shared.iterdir() if p.name.startswith(REPO_ID)]
    assert not [p.name for p in shared.iterdir() if p.name.startswith("specport-localrepo")]
