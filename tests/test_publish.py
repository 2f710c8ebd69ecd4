"""`specport publish` as real processes: two at once, one killed midway, keys kept secret."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from test_repo_support import (
    check_apt_suite,
    check_rpm_repo,
    keyring,
    make_deb,
    make_rpm,
    test_key,
)

from specport.gpg import gpg, stop_agent
from specport.repo.manifest import write_manifest


def specport(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "specport", *map(str, args)],
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


# Runs specport with swap_in() wrapped: touch the marker named in the environment and sleep, so
# a test can SIGKILL a publisher after it wrote new metadata aside and before the swap.
_PAUSED_SPECPORT = """
import os, sys, time
from pathlib import Path
from specport.repo import atomic
real = atomic.swap_in
def paused(*args, **kwargs):
    Path(os.environ["PAUSE_MARKER"]).touch()
    time.sleep(600)
    return real(*args, **kwargs)
atomic.swap_in = paused
from specport.cli import main
sys.argv[0] = "specport"
main()
"""


def paused_specport(marker: Path, *args: str | Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", _PAUSED_SPECPORT, *map(str, args)],
        env={**os.environ, "PAUSE_MARKER": str(marker)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def publish_args(
    repo: Path, target: str, *packages: Path, gpg_home: Path | None = None
) -> list[str | Path]:
    key = ["--gpg-home", gpg_home] if gpg_home else ["--key-file", test_key().secret_path]
    return ["publish", "--repo", repo, "--target", target, *key, *packages]


def finish(proc: subprocess.Popen[bytes]) -> str:
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, out.decode()
    return out.decode()


def test_two_publishers_at_once_both_land(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    ring = keyring(test_key().public_path, tmp_path / "ring.gpg")
    debs = [make_deb(tmp_path, "alpha"), make_deb(tmp_path, "beta")]
    rpms = [make_rpm(tmp_path, "alpha"), make_rpm(tmp_path, "beta")]
    procs = [specport(*publish_args(repo, "debian-12", deb)) for deb in debs]
    procs += [specport(*publish_args(repo, "el8-php7.4", rpm)) for rpm in rpms]
    outputs = [finish(p) for p in procs]
    assert any("waiting for another publisher" in out for out in outputs)
    assert check_apt_suite(repo / "apt", "bookworm", ring) == [
        "alpha_1.0-1+deb12",
        "beta_1.0-1+deb12",
    ]
    assert check_rpm_repo(repo / "rpm" / "el8-php7.4" / "x86_64", ring) == [
        "alpha-1.0-1.el8.noarch.rpm",
        "beta-1.0-1.el8.noarch.rpm",
    ]


def test_a_publisher_killed_before_the_swap_leaves_the_old_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    ring = keyring(test_key().public_path, tmp_path / "ring.gpg")
    finish(specport(*publish_args(repo, "debian-12", make_deb(tmp_path, "alpha"))))
    finish(specport(*publish_args(repo, "el8-php7.4", make_rpm(tmp_path, "alpha"))))
    # a GnuPG home of the test's own: a killed publisher cannot stop the agent it started
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    gpg(home, "--import", test_key().secret_path)
    try:
        for target, new in (
            ("debian-12", make_deb(tmp_path, "alpha", "2.0-1+deb12")),
            ("el8-php7.4", make_rpm(tmp_path, "alpha", "2.0")),
        ):
            marker = tmp_path / f"paused-{target}"
            args = publish_args(repo, target, new, gpg_home=home)
            proc = paused_specport(marker, *args)
            _wait_for(marker, proc)
            proc.send_signal(signal.SIGKILL)  # new metadata written aside, link not yet swapped
            proc.wait(timeout=30)
    finally:
        stop_agent(home)
    # readers still see the previous, complete and correctly signed repository
    assert check_apt_suite(repo / "apt", "bookworm", ring) == ["alpha_1.0-1+deb12"]
    rpm_repo = repo / "rpm" / "el8-php7.4" / "x86_64"
    assert check_rpm_repo(rpm_repo, ring) == ["alpha-1.0-1.el8.noarch.rpm"]
    # the next publish goes through (the lock died with its holder) and clears the leftovers
    finish(specport(*publish_args(repo, "debian-12", make_deb(tmp_path, "beta"))))
    assert check_apt_suite(repo / "apt", "bookworm", ring) == [
        "alpha_1.0-1+deb12",
        "beta_1.0-1+deb12",
    ]
    # the pool file the killed publisher had added is not published, and is gone now
    assert not list((repo / "apt" / "pool").rglob("alpha_2.0*"))
    assert len(list((repo / "apt" / ".meta").iterdir())) == 2  # the current one and the previous


def _wait_for(marker: Path, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()[0].decode()
        assert time.monotonic() < deadline, "publisher never reached the swap"
        time.sleep(0.05)


def test_secret_key_material_never_enters_the_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    out = tmp_path / "out"
    for target, pkg in (("debian-12", make_deb), ("el8-php7.4", make_rpm)):
        (out / target).mkdir(parents=True)
        built = pkg(out / target, "alpha")
        write_manifest(out / target, target, {built.name: "alpha.spec"})
    proc = specport("-v", "publish", "--repo", repo, "--key-file", test_key().secret_path, out)
    log_text = finish(proc)
    secret = _secret_key_bytes(test_key().secret_path)
    armored = base64.b64encode(secret[:48])  # a run of the secret part, as it would show armored
    assert "PRIVATE KEY" not in log_text
    files = [p for p in repo.rglob("*") if p.is_file()]
    assert len(files) > 10
    for path in files:
        data = path.read_bytes()
        assert b"PRIVATE KEY BLOCK" not in data, path
        assert secret[:32] not in data and armored[:40] not in data, path


def _secret_key_bytes(secret_file: Path) -> bytes:
    """The secret part: the secret-key packet minus the public-key packet it starts with."""
    secret = subprocess.run(
        ["gpg", "--dearmor"], input=secret_file.read_bytes(), capture_output=True, check=True
    ).stdout
    public = subprocess.run(
        ["gpg", "--dearmor"], input=test_key().public_path.read_bytes(), capture_output=True,
        check=True,
    ).stdout  # fmt: skip
    secret_body, public_body = _first_packet(secret), _first_packet(public)
    assert secret_body.startswith(public_body)
    return secret_body[len(public_body) :]


def _first_packet(data: bytes) -> bytes:
    # OpenPGP new- or old-format packet header (RFC 4880 4.2); gpg writes one of these
    tag = data[0]
    if tag & 0x40:  # new format
        first = data[1]
        if first < 192:
            return data[2 : 2 + first]
        if first < 224:
            length = ((first - 192) << 8) + data[2] + 192
            return data[3 : 3 + length]
        length = int.from_bytes(data[2:6], "big")
        return data[6 : 6 + length]
    size = {0: 1, 1: 2, 2: 4}[tag & 0x03]
    length = int.from_bytes(data[1 : 1 + size], "big")
    return data[1 + size : 1 + size + length]


def test_publish_without_a_key_says_how_to_give_one(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("GNUPGHOME", "SPECPORT_KEY_FILE")}
    proc = subprocess.run(
        [sys.executable, "-m", "specport", "publish", "--repo", tmp_path / "repo",
         make_deb(tmp_path, "alpha")],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "no signing key" in proc.stderr and "--key-file" in proc.stderr
    assert "Traceback" not in proc.stderr
