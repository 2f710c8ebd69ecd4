"""A real rebase: the fork of LZ4 in tests/data/fork/lz4 (our spec, our three patches), imported
from a dist-git repository made here, from 1.9.4 (Debian bookworm) to 1.10.0 (Debian trixie),
upstream tarballs from Debian's source packages. One patch still applies, one upstream merged
(dropped), one conflicts (reported, then refreshed); old and new are built for debian-12 and for
an rpm target (rpmbuild in the debian-12 builder image, as the EL stand-in) and compared."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from specport.run import git

pytestmark = pytest.mark.container

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "fork" / "lz4"
OLD, NEW = "1.9.4", "1.10.0"
PATCHES = ("lz4-pc-https.patch", "lz4-debuglog-line.patch", "lz4-O2.patch")


def specport(*args: str, timeout: float = 3600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "specport", *args], capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="module")
def lookaside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("lz4-lookaside")
    subprocess.run(
        [sys.executable, str(ROOT / "tools" / "debian_sources.py"), "--out", str(out),
         "lz4@bookworm", "lz4@trixie"],
        check=True, capture_output=True, timeout=900,
    )  # fmt: skip
    assert (out / f"lz4_{OLD}.orig.tar.gz").is_file() and (out / f"lz4_{NEW}.orig.tar.gz").is_file()
    return out


@pytest.fixture(scope="module")
def rebased(
    engine: object,
    builder_images: Callable[[str], str],
    lookaside: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, object]:
    """Import, the failed rebase, the rebase with --check: every step's output, for the tests."""
    image = builder_images("debian-12")
    tmp = tmp_path_factory.mktemp("lz4-fork")
    repo = tmp / "lz4"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "rawhide")
    for name in ("lz4.spec", *PATCHES):
        shutil.copy(DATA / name, repo / name)
    digest = hashlib.sha512((lookaside / f"lz4_{OLD}.orig.tar.gz").read_bytes()).hexdigest()
    (repo / "sources").write_text(f"SHA512 (lz4_{OLD}.orig.tar.gz) = {digest}\n")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "1.9.4")
    fork = tmp / "fork"
    imported = specport(
        "import", f"file://{repo}", "--into", str(fork), "--lookaside", str(lookaside)
    )
    assert imported.returncode == 0, imported.stderr
    spec = fork / "lz4.spec"
    new_tarball = str(lookaside / f"lz4_{NEW}.orig.tar.gz")
    stopped = specport("rebase", str(spec), "--version", NEW, "--source", new_tarball)
    spec_after_stop = spec.read_text()
    config = tmp / "specport.toml"
    config.write_text('[targets.el8-standin]\nextends = "el8-php7.4"\n')
    out = tmp / "check"
    checked = specport(
        "--config", str(config), "rebase", str(spec), "--version", NEW, "--source", new_tarball,
        "--patch", f"lz4-O2.patch={DATA / 'lz4-O2-1.10.0.patch'}",
        "--check", "debian-12,el8-standin", "--image", image,
        "--lookaside", str(lookaside), "--output", str(out),
    )  # fmt: skip
    return {
        "repo": repo,
        "fork": fork,
        "stopped": stopped,
        "spec_after_stop": spec_after_stop,
        "checked": checked,
        "out": out,
    }


def test_a_conflicting_patch_stops_the_rebase_and_is_named(rebased: dict[str, object]) -> None:
    stopped = rebased["stopped"]
    assert isinstance(stopped, subprocess.CompletedProcess)
    assert stopped.returncode == 1
    assert "Patch0 lz4-pc-https.patch: applies" in stopped.stdout
    assert "Patch1 lz4-debuglog-line.patch: merged upstream" in stopped.stdout
    assert "Patch2 lz4-O2.patch: DOES NOT APPLY" in stopped.stdout
    assert "lib/Makefile: hunk #1 at line 48" in stopped.stdout
    assert "lz4-O2.patch no longer applies to 1.10.0" in stopped.stderr
    assert rebased["spec_after_stop"] == (DATA / "lz4.spec").read_text()  # nothing written


def test_the_rebased_spec(rebased: dict[str, object]) -> None:
    checked = rebased["checked"]
    assert isinstance(checked, subprocess.CompletedProcess)
    assert checked.returncode == 0, checked.stderr[-3000:]
    fork = Path(str(rebased["fork"]))
    text = (fork / "lz4.spec").read_text()
    assert f"\nVersion:        {NEW}\n" in text and "\nRelease:        1%{?dist}\n" in text
    assert "lz4-debuglog-line" not in text.split("%changelog")[0]
    assert not (fork / "lz4-debuglog-line.patch").exists()
    assert (fork / "lz4-O2.patch").read_text() == (DATA / "lz4-O2-1.10.0.patch").read_text()
    assert f"lz4_{NEW}.orig.tar.gz" in (fork / "sources").read_text()
    status = specport("fork", "status", "--json", str(fork))
    changes = {(c["path"], c["state"]) for c in json.loads(status.stdout)["changes"]}
    assert changes == {
        ("lz4.spec", "changed"),
        ("sources", "changed"),
        ("lz4-O2.patch", "changed"),
        ("lz4-debuglog-line.patch", "removed"),
    }


def _report(rebased: dict[str, object]) -> dict[str, object]:
    data: dict[str, object] = json.loads((Path(str(rebased["out"])) / "report.json").read_text())
    return data


def test_old_and_new_build_for_debian_and_rpm(rebased: dict[str, object]) -> None:
    report = _report(rebased)
    builds = report["builds"]
    assert isinstance(builds, dict)
    assert set(builds) == {"debian-12", "el8-standin"}
    for target, sides in builds.items():
        for side in ("old", "new"):
            assert sides[side]["ok"], (target, side, sides[side]["message"])
    new_debs = builds["debian-12"]["new"]["packages"]
    assert any(p.endswith(".deb") and "1.10.0" in p for p in new_debs)
    text = (Path(str(rebased["out"])) / "report.txt").read_text()
    assert text.startswith(f"rebase check: {OLD} -> {NEW}")


def _library(report: dict[str, object], target: str) -> dict[str, object]:
    targets = report["targets"]
    assert isinstance(targets, list)
    (diff,) = [t for t in targets if t["target"] == target]
    (lib,) = [p for p in diff["packages"] if "liblz4.so" in p["symbols"]]
    assert isinstance(lib, dict)
    return lib


def test_the_report_compares_files_dependencies_and_symbols(rebased: dict[str, object]) -> None:
    report = _report(rebased)
    deb, rpm = _library(report, "debian-12"), _library(report, "el8-standin")
    for lib in (deb, rpm):
        files = lib["files"]
        assert any(f.endswith(f"/liblz4.so.{NEW}") for f in files["added"]), files
        assert any(f.endswith(f"/liblz4.so.{OLD}") for f in files["removed"]), files
        assert lib["new_version"].startswith(NEW)
        assert not [f for f in files["added"] if "/.build-id/" in f]
    # the same upstream change, seen through both package formats
    added = deb["symbols"]["liblz4.so"]["added"]
    # 1.10.0 made the dictionary API of lz4frame stable, and so exported
    assert {"LZ4F_createCDict", "LZ4F_compressBegin_usingDict", "LZ4_loadDictSlow"} <= set(added)
    assert added == rpm["symbols"]["liblz4.so"]["added"]
    assert deb["symbols"]["liblz4.so"]["removed"] == rpm["symbols"]["liblz4.so"]["removed"]
    # the package's own Provides follow its version
    # (the dist tag may go on to name the PHP stream: .el8 or .el8.php_7.4)
    assert any(p.startswith(f"lz4-libs = {NEW}-1.el8") for p in rpm["provides"]["added"])
    assert any(p.startswith(f"lz4-libs = {OLD}-2.el8") for p in rpm["provides"]["removed"])


def test_a_source_package_imports(rebased: dict[str, object], tmp_path: Path) -> None:
    out = Path(str(rebased["out"]))
    (srpm,) = (out / "new" / "el8-standin").glob("*.src.rpm")
    proc = specport("import", str(srpm), "--into", str(tmp_path / "from-srpm"))
    assert proc.returncode == 0, proc.stderr
    got = tmp_path / "from-srpm"
    assert sorted(p.name for p in got.iterdir()) == sorted(
        [".specport-fork", "specport-fork.toml", "lz4.spec", f"lz4_{NEW}.orig.tar.gz",
         "lz4-pc-https.patch", "lz4-O2.patch"]
    )  # fmt: skip
    record = tomllib.loads((got / "specport-fork.toml").read_text())["upstream"]
    assert record["kind"] == "srpm"
    assert record["commit"] == "sha256:" + hashlib.sha256(srpm.read_bytes()).hexdigest()


def test_a_fork_of_a_source_package_updates_from_the_newer_one(
    rebased: dict[str, object], tmp_path: Path
) -> None:
    out = Path(str(rebased["out"]))
    (old,) = (out / "old" / "el8-standin").glob("*.src.rpm")
    (new,) = (out / "new" / "el8-standin").glob("*.src.rpm")
    fork = tmp_path / "fork"
    assert specport("import", str(old), "--into", str(fork)).returncode == 0
    spec = fork / "lz4.spec"
    spec.write_text(spec.read_text().replace("%description libs\n", "%description libs\nACME.\n"))
    proc = specport("fork", "update", str(fork), "--from", str(new))
    assert proc.returncode == 0, proc.stderr
    assert "lz4.spec: merged" in proc.stdout
    assert "lz4-debuglog-line.patch: removed (upstream removed it)" in proc.stdout
    assert f"lz4_{NEW}.orig.tar.gz: added from upstream" in proc.stdout
    text = spec.read_text()
    assert "%description libs\nACME.\n" in text and f"Version:        {NEW}" in text
    assert not (fork / "lz4-debuglog-line.patch").exists()
    record = tomllib.loads((fork / "specport-fork.toml").read_text())["upstream"]
    assert record["repository"] == str(new)
