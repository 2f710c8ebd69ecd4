"""What a spec's own code can do in its build container: the build runs it as root, so the
container is what holds it. `docker inspect` on the running container shows its limits (pids,
memory without swap, capabilities, no-new-privileges, an init); the spec's %build finds the
shared download cache read-only (it cannot plant or remove what other builds would install),
the network gone, and only the build's capabilities in its own process."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from debian.debfile import DebFile

from specport.container.runs import BUILD_CAPS

pytestmark = pytest.mark.container

NAME = "hostile-build-probe"
# %build notes what it could do, then waits until the test has inspected its container
SPEC = f"""\
Name: {NAME}
Version: 1.0
Release: 1%{{?dist}}
Summary: notes what its build container lets it do
License: MIT
BuildArch: noarch
BuildRequires: bison
%description
A fixture of specport's hostile tests: its build probes the container.
%build
c=/specport-packages
{{ touch $c/planted && echo cache-written || echo cache-read-only; }} 2>/dev/null > probe.txt
rm -f $c/*.deb 2>/dev/null || true
if ls $c/*.deb >/dev/null 2>&1; then echo cache-kept; else echo cache-emptied; fi >> probe.txt
# a default route is a network (no host name to look up: none is written here)
awk '$2 == "00000000" {{ r = 1 }} END {{ exit !r }}' /proc/net/route && n=online || n=offline
echo $n >> probe.txt
grep -E '^(CapEff|NoNewPrivs):' /proc/self/status | tr -d '\\t' >> probe.txt
i=0
while [ ! -e /tmp/specport-inspected ] && [ $i -lt 600 ]; do sleep 0.5; i=$((i+1)); done
%install
mkdir -p %{{buildroot}}/usr/share/{NAME}
cp probe.txt %{{buildroot}}/usr/share/{NAME}/
%files
/usr/share/{NAME}
%changelog
* Mon Jan 01 2024 specport tests <tests@specport.invalid> - 1.0-1
- probe
"""


def _container(engine: Any, owner: str, proc: subprocess.Popen[str]) -> dict[str, Any]:
    """The build container of the specport process `owner`, once it runs."""
    for _ in range(1200):
        found = engine.client.api.containers(
            filters={"label": [f"specport.owner={owner}", f"specport.purpose=build-{NAME}"]}
        )
        if found:
            return dict(engine.client.api.inspect_container(found[0]["Id"]))
        if proc.poll() is not None:
            break
        time.sleep(0.5)
    out, err = proc.communicate(timeout=60)
    pytest.fail(f"no build container appeared: {out[-2000:]} {err[-2000:]}")


def _cap_mask(caps: tuple[str, ...]) -> int:
    bits = {"CHOWN": 0, "DAC_OVERRIDE": 1, "FOWNER": 3, "FSETID": 4, "SETGID": 6, "SETUID": 7}
    return sum(1 << bits[c] for c in caps)


def test_a_build_container_is_limited_and_cannot_write_the_shared_cache(
    engine: Any, builder_images: Callable[[str], str], tmp_path: Path
) -> None:
    image = builder_images("debian-12")
    spec = tmp_path / f"{NAME}.spec"
    spec.write_text(SPEC, encoding="utf-8")
    out = tmp_path / "out"
    cache = tmp_path / "cache"
    env = {**os.environ, "SPECPORT_CACHE_DIR": str(cache), "SPECPORT_BUILD_PIDS": "2000"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "specport", "build", "-t", "debian-12", "--image", image,
         "--no-cache", "--no-lintian", "-o", str(out), str(spec)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        import socket

        attrs = _container(engine, f"{socket.gethostname()}:{proc.pid}", proc)
        host = attrs["HostConfig"]
        assert attrs["State"]["Running"]
        assert host["PidsLimit"] == 2000  # settings.build_pids, from $SPECPORT_BUILD_PIDS
        assert host["Memory"] == 8 << 30  # the default build_memory
        assert host["MemorySwap"] == host["Memory"]  # no swap beyond it
        assert host["CapDrop"] == ["ALL"]
        assert {c.removeprefix("CAP_") for c in host["CapAdd"]} == set(BUILD_CAPS)
        assert "no-new-privileges" in host["SecurityOpt"]
        assert host["Init"] is True
        mounts = {m["Destination"]: m for m in attrs["Mounts"]}
        assert mounts["/specport-packages"]["RW"] is False
        assert set(mounts) == {"/specport-packages"}
        # the spec's %build goes on once the container was seen
        exec_id = engine.client.api.exec_create(attrs["Id"], ["touch", "/tmp/specport-inspected"])
        engine.client.api.exec_start(exec_id["Id"])
        stdout, stderr = proc.communicate(timeout=1800)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, stdout[-3000:] + stderr[-3000:]
    (deb,) = (out / "debian-12").glob(f"{NAME}_*.deb")
    data = DebFile(str(deb)).data
    probe = data.get_content(f"./usr/share/{NAME}/probe.txt").decode().split()
    assert probe[:3] == ["cache-read-only", "cache-kept", "offline"], probe
    assert f"CapEff:{_cap_mask(BUILD_CAPS):016x}" in probe
    assert "NoNewPrivs:1" in probe
    # apt's downloads reached the host's cache through specport's own copy, whole
    shared = cache / "packages" / "debian-12"
    kept = sorted(p.name for p in shared.iterdir())
    assert any(n.startswith("bison_") for n in kept), kept
    assert "planted" not in kept and not [n for n in kept if n.startswith(".")]
    for name in kept:
        assert DebFile(str(shared / name)).debcontrol()["Package"]


# rpmbuild's output goes to the result directory with `find RPMS SRPMS -name '*.rpm'`: what the
# spec's %install puts there comes out of the container as it is
LEFTOVER = """\
Name: {name}
Version: 1.0
Release: 1%{{?dist}}
Summary: leaves {what} beside its packages
License: MIT
BuildArch: noarch
%description
A fixture of specport's hostile tests.
%install
mkdir -p %{{buildroot}}/usr/share/{name} %{{_topdir}}/RPMS
echo x > %{{buildroot}}/usr/share/{name}/x
{install}
%files
/usr/share/{name}
"""


@pytest.mark.parametrize(
    ("what", "install", "message"),
    [
        # a link to a directory (the top of the tree) named like a package
        ("a link to a directory", "ln -s . %{_topdir}/RPMS/link-1.0.noarch.rpm", "not a regular"),
        # a newline in the name: the ownership record would get two lines of it
        (
            "a name with a newline",
            'touch "%{_topdir}/RPMS/$(awk \'BEGIN{printf "a%%cforeign.rpm", 10}\')"',
            "control character",
        ),
    ],
)
def test_what_the_build_leaves_in_its_output_is_checked_before_publish(
    engine: Any,
    builder_images: Callable[[str], str],
    tmp_path: Path,
    what: str,
    install: str,
    message: str,
) -> None:
    from test_repo_support import test_key

    image = builder_images("debian-12")
    name = "leftover-" + what.split()[-1]
    spec = tmp_path / f"{name}.spec"
    spec.write_text(LEFTOVER.format(name=name, what=what, install=install), encoding="utf-8")
    repo = tmp_path / "repo"
    foreign = repo / "rpm" / "el9-php8.2" / "x86_64" / "foreign.rpm"
    foreign.parent.mkdir(parents=True)
    foreign.write_bytes(b"someone else's\n")
    proc = subprocess.run(
        [sys.executable, "-m", "specport", "build", "-t", "el9-php8.2", "--image", image,
         "--no-cache", "-o", str(tmp_path / "out"), "--publish", str(repo),
         "--key-file", str(test_key().secret_path), str(spec)],
        capture_output=True, text=True, timeout=1800,
        env={**os.environ, "SPECPORT_CACHE_DIR": str(tmp_path / "cache")},
    )  # fmt: skip
    assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr[-2000:]
    errors = [ln for ln in proc.stderr.splitlines() if "specport: error:" in ln]
    assert len(errors) == 1 and message in errors[0], proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    # nothing of it published, nothing recorded, the foreign file kept
    assert not list((tmp_path / "out" / "el9-php8.2").glob("*.rpm"))
    assert not list(repo.rglob(".specport-owned")) and not list(repo.rglob("repodata"))
    assert foreign.read_bytes() == b"someone else's\n"
