"""The throwaway runner against a real engine: files, logs, limits, network cut, and removal on
failure, exception, timeout, SIGINT, SIGTERM and (via prune) SIGKILL."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from terminal import sigint_default

from specport.container.leftovers import specport_containers
from specport.container.runs import StepError, Throwaway

pytestmark = pytest.mark.container

SPECPORT = [sys.executable, "-m", "specport"]


@pytest.fixture(scope="module")
def image(base_images: Callable[[str], str]) -> str:
    return base_images("debian-12")


def _names(engine: object) -> set[str]:
    return {c.name for c in specport_containers(engine)}  # type: ignore[arg-type]


def _owned_by(engine: object, pid: int) -> list[str]:
    owner = f"{socket.gethostname()}:{pid}"
    return [c.name for c in specport_containers(engine) if c.owner == owner]  # type: ignore[arg-type]


def test_files_modes_log_limits_and_network_cut(engine: object, image: str, tmp_path: Path) -> None:
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / "run.sh").write_text("#!/bin/sh\necho ran\n")
    (src / "run.sh").chmod(0o755)
    (src / "sub" / "secret").write_text("säkret\n")
    (src / "sub" / "secret").chmod(0o640)
    log_path = tmp_path / "logs" / "box.log"
    with Throwaway(
        engine,  # type: ignore[arg-type]
        image,
        log_path=log_path,
        purpose="test-files",
        cpus=1.5,
        memory="256m",
        env={"GREETING": "hello"},
    ) as box:
        attrs = engine.client.api.inspect_container(box.name)  # type: ignore[attr-defined]
        assert attrs["HostConfig"]["NanoCpus"] == 1_500_000_000
        assert attrs["HostConfig"]["Memory"] == 256 * 1024 * 1024
        assert attrs["Config"]["Labels"]["specport"] == "1"
        box.copy_in(src, "/work")
        result = box.run(
            'echo "$GREETING $DEBIAN_FRONTEND"; stat -c "%a %n" /work/in/run.sh /work/in/sub/secret'
            "; /work/in/run.sh; echo to-stderr >&2",
            timeout=60,
        )
        assert "hello noninteractive" in result.output
        assert "755 /work/in/run.sh" in result.output
        assert "640 /work/in/sub/secret" in result.output
        assert "to-stderr" in result.output
        box.run("cp -a /work/in /work/out && echo more >> /work/out/sub/secret", timeout=60)
        out = box.copy_out("/work/out", tmp_path / "got")
        single = box.copy_out("/work/out/run.sh", tmp_path / "one")
        assert box.run(["id", "-un"], user="nobody", timeout=30).output.strip() == "nobody"
        assert box.run(["pwd"], workdir="/work/in", timeout=30).output.strip() == "/work/in"
        assert "eth0" in box.run("ls /sys/class/net", timeout=30).output
        box.cut_network()
        assert box.run("ls /sys/class/net", timeout=30).output.split() == ["lo"]
    assert out == tmp_path / "got" / "out"
    assert (out / "sub" / "secret").read_text() == "säkret\nmore\n"
    assert (out / "sub" / "secret").stat().st_mode & 0o777 == 0o640
    assert (out / "run.sh").stat().st_mode & 0o777 == 0o755
    assert single.read_text() == "#!/bin/sh\necho ran\n"
    logged = log_path.read_text()
    assert "hello noninteractive" in logged and "to-stderr" in logged and "ran\n" in logged


def test_failing_step_and_exception_remove_the_container(
    engine: object, image: str, tmp_path: Path
) -> None:
    log_path = tmp_path / "fail.log"
    with (
        pytest.raises(StepError) as failed,
        Throwaway(engine, image, log_path=log_path, purpose="test-fail") as box,  # type: ignore[arg-type]
    ):
        name = box.name
        assert name in _names(engine)
        assert box.run("exit 3", timeout=30, check=False).exit_code == 3
        box.run("echo before-failure; exit 7", timeout=30)
    assert failed.value.result.exit_code == 7
    assert str(log_path) in str(failed.value)
    assert "before-failure" in log_path.read_text()
    assert name not in _names(engine)

    with (
        pytest.raises(RuntimeError),
        Throwaway(engine, image, log_path=log_path, purpose="test-exc") as box,  # type: ignore[arg-type]
    ):
        name = box.name
        raise RuntimeError("a bug in specport")
    assert name not in _names(engine)


def test_timeout_kills_the_step(engine: object, image: str, tmp_path: Path) -> None:
    started = time.monotonic()
    with (
        pytest.raises(StepError, match="timed out") as failed,
        Throwaway(engine, image, log_path=tmp_path / "t.log", purpose="test-timeout") as box,  # type: ignore[arg-type]
    ):
        name = box.name
        box.run(["sleep", "60"], timeout=2)
    assert failed.value.result.timed_out
    assert time.monotonic() - started < 30
    assert name not in _names(engine)


def _spawn_long_run(image: str, tmp_path: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "SPECPORT_CACHE_DIR": str(tmp_path / "cache")}
    return subprocess.Popen(
        [*SPECPORT, "builders", "run", image, "--", "sleep", "300"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=sigint_default,
    )


def _wait_for_container(engine: object, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while not _owned_by(engine, proc.pid):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the container never appeared"
        time.sleep(0.2)
    time.sleep(0.5)  # let it reach the blocking exec stream


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signal_removes_the_container(
    engine: object, image: str, tmp_path: Path, signum: int
) -> None:
    proc = _spawn_long_run(image, tmp_path)
    _wait_for_container(engine, proc)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err
    assert _owned_by(engine, proc.pid) == []


def test_prune_removes_containers_of_killed_processes(
    engine: object, image: str, tmp_path: Path
) -> None:
    proc = _spawn_long_run(image, tmp_path)
    _wait_for_container(engine, proc)
    proc.kill()  # SIGKILL: no cleanup can run
    proc.communicate(timeout=30)
    assert len(_owned_by(engine, proc.pid)) == 1
    done = subprocess.run(
        [*SPECPORT, "builders", "prune", "--containers"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert _owned_by(engine, proc.pid) == []
    assert "removed container specport-run-" in done.stdout


WORKERS = """
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from specport.container import runs, signals
from specport.container.engine import connect

engine = connect()

def work(n):
    log = Path(sys.argv[2]) / f"w{n}.log"
    with runs.Throwaway(engine, sys.argv[1], log_path=log, purpose="test-workers") as box:
        box.run(["sleep", "300"], timeout=600)

with ThreadPoolExecutor(2) as pool, signals.guard():
    jobs = [pool.submit(work, n) for n in range(2)]
    print("started", flush=True)
    for job in jobs:
        job.result()
"""


def test_interrupt_removes_containers_of_worker_threads(
    engine: object, image: str, tmp_path: Path
) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", WORKERS, image, str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=sigint_default,
    )
    deadline = time.monotonic() + 60
    while len(_owned_by(engine, proc.pid)) < 2:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the containers never appeared"
        time.sleep(0.2)
    time.sleep(1)
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert time.monotonic() - started < 20  # not the 300 s the steps would take
    assert proc.returncode != 0
    assert "KeyboardInterrupt" in err
    assert _owned_by(engine, proc.pid) == []
