"""specport matrix (the CI workflows: test_ci_workflows.py), the build plan of a set, the live
status, the local repository helpers and the shlibs of debfix."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from specport.building import localrepo
from specport.building.debfix import shlibs_lines
from specport.building.plan import PairResult, SetPlan
from specport.building.status import Status, phase_in, phases_in
from specport.config import load_config

DATA = Path(__file__).parent / "data" / "graph"
SPECS = [str(p) for p in sorted(DATA.glob("*.spec"))]


def specport(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "specport", *args], capture_output=True, text=True, timeout=300
    )


def test_plain_matrix_unchanged() -> None:
    proc = specport("matrix", *SPECS[:1], "-t", "debian-12")
    assert json.loads(proc.stdout)["include"][0]["target"] == "debian-12"


def test_set_plan_order_and_closure() -> None:
    plan = SetPlan(
        needs=(frozenset(), frozenset({0}), frozenset({0}), frozenset({1}), frozenset()),
        wave=(1, 2, 2, 3, 1),
    )
    assert plan.order() == [0, 4, 1, 2, 3]
    assert plan.closure(3) == {0, 1}
    assert plan.waves == 3
    assert SetPlan.unordered(2).order() == [0, 1]


def test_phase_from_build_output() -> None:
    assert phase_in("Executing(%prep): /bin/sh -e x\n...\nExecuting(%build): y\n") == "%build"
    assert phase_in("Executing (%install): /bin/sh -e /var/tmp/deb-tmp.install.1\n") == "%install"
    assert phase_in("\n$ sh /specport/debfix.sh unpack /a /b\n") == "post-step"
    assert phase_in("\n$ cd /specport/result && lintian --suppress-tags x *.deb\n") == "lintian"
    kept = "\n# cd /specport/result && lintian *.deb: the verdict on these exact files, from /c\n"
    assert phase_in(kept) == "lintian"
    assert phase_in("\n# copied /specport/result -> /tmp/lintian-out\n") is None
    assert phase_in("gcc -c x.c\n") is None
    assert phases_in("Executing(%prep): a\nExecuting(%build): b\n$ lintian x\n") == [
        "%prep",
        "%build",
        "lintian",
    ]


def test_status_lines_when_not_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log_path = tmp_path / "a.log"
    log_path.write_text("")
    with Status([1, 2], live=False) as status:
        status.start("a / debian-12", 1, log_path)
        status.phase("a / debian-12", "build dependencies")
        with log_path.open("a") as f:
            f.write("Executing (%build): sh\nExecuting (%install): sh\nExecuting (%ch")
        status.refresh()  # what the watcher thread does every half second
        with log_path.open("a") as f:
            f.write("eck): sh\n")
        status.finish("a / debian-12", 1, "ok")
        assert status.waves_done() == 1
    err = capsys.readouterr().err
    lines = [line.split(" ", 1)[1] for line in err.splitlines()]
    assert lines == [
        "a / debian-12: starting (wave 1/2)",
        "a / debian-12: build dependencies",
        "a / debian-12: %build",
        "a / debian-12: %install",
        "a / debian-12: %check",  # read by finish(), the half line completed
        lines[5],
        "wave 1 of 2 done",
    ]
    assert lines[5].startswith("a / debian-12: ok (")
    assert all(line[2] == ":" and line[5] == ":" for line in err.splitlines())  # HH:MM:SS


def test_a_runner_phase_comes_after_the_phases_its_log_shows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """publish moves the log away: what it showed last (a kept lintian verdict) is read first."""
    log_path = tmp_path / "a.log"
    log_path.write_text("")
    with Status([1], live=False) as status:
        status.start("a / debian-12", 1, log_path)
        with log_path.open("a") as f:
            f.write("$ sh /specport/debfix.sh unpack a b\n# lintian x: the verdict on these\n")
        status.runner_phase("a / debian-12", "publish")
        log_path.rename(tmp_path / "moved.log")
        status.finish("a / debian-12", 1, "ok")
    lines = [line.split(" ", 1)[1] for line in capsys.readouterr().err.splitlines()]
    assert lines[1:4] == [
        "a / debian-12: post-step",
        "a / debian-12: lintian",
        "a / debian-12: publish",
    ]


def test_seeded_packages_are_found_per_target(tmp_path: Path) -> None:
    target = load_config(None).targets["debian-12"]
    for rel in (
        "w1/out/debian-12/a_1_amd64.deb",
        "w1/out/debian-12/a-1.sdeb",
        "w2/out/debian-12/b_1_all.deb",
        "w2/out/ubuntu-20.04/c_1_all.deb",
        "w2/out/debian-12/logs/a.log",
    ):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    found = [p.name for p in localrepo.seeded((tmp_path,), target)]
    assert sorted(found) == ["a_1_amd64.deb", "b_1_all.deb"]
    query = localrepo.query_command([Path(f) for f in found])
    assert query.endswith(" a b")


def test_rpm_query_names_the_packages() -> None:
    pkgs = [Path("x-1.0-1.el9.x86_64.rpm"), Path("x-1.0-1.el9.src.rpm")]
    assert localrepo.binary_packages(pkgs) == [pkgs[0]]
    assert "rpm -q x-1.0-1.el9.x86_64" in localrepo.query_command(pkgs[:1])


def test_shlibs_for_sonames() -> None:
    assert shlibs_lines(["libspfoo.so.1"], "libspfoo", "1.0-1+deb12") == (
        "libspfoo 1 libspfoo (>= 1.0)\n"
    )
    assert shlibs_lines(["libx-2.1.so", "libspfoo.so.1"], "p", "2:3.4-5") == (
        "libx 2.1 p (>= 2:3.4)\nlibspfoo 1 p (>= 2:3.4)\n"
    )
    assert shlibs_lines(["plugin.so"], "p", "1-1") == ""


def test_live_display_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from rich.console import Console

    from specport import log

    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=100, color_system=None)
    monkeypatch.setattr(log, "err_console", terminal)
    with Status([1, 2]) as status:
        assert status.live
        assert log.err_console is not terminal and not log.err_console.is_terminal
        status.start("a / debian-12", 1)
        status.phase("a / debian-12", "%install")
        status.refresh()
        log.info("a message from elsewhere")
        status.finish("a / debian-12", 1, "ok")
    assert log.err_console is terminal
    shown = screen.getvalue()
    assert "a / debian-12  wave 1  %install" in shown
    assert "waves: 0 done, 2 to go" in shown
    assert "a message from elsewhere" in shown
    assert "a / debian-12: ok (" in shown and "wave 1 of 2 done" in shown


def scripted_run(
    tmp: Path,
    jobs: int,
    keep_going: bool,
    fail: set[int],
    script: Callable[[int, Path], None] | None = None,
) -> tuple[list[int], list[PairResult]]:
    """BuildRun with the container part replaced by scripted outcomes: the scheduling (order,
    blocked, skipped, keep-going) is under test here, the builds themselves in the container
    tests. Returns the pairs in the order they started, and the results."""
    from specport.building.plan import BuildOptions, Pair
    from specport.building.prepare import Prepared
    from specport.building.scheduler import BuildRun
    from specport.building.sources import SourceSearch
    from specport.errors import BuildError
    from specport.sandbox.specinfo import SpecInfo

    target = load_config(None).targets["debian-12"]
    started: list[int] = []

    class Run(BuildRun):
        def _build(self, *args: Any) -> list[str]:
            index = args[4]
            started.append(index)
            if script is not None:
                script(index, args[2])  # the pair's index and its stage's out directory
            if index in fail:
                raise BuildError("scripted failure", hint=f"log: {args[2]}/x.log")  # a staging path
            return []

    prepared = []
    for n in range(4):
        work = tmp / f"w{n}"
        work.mkdir()
        info = SpecInfo(f"s{n}", "1", "1", "", (), ())
        prepared.append(Prepared(Pair(tmp / f"s{n}.spec", target), work, info, "x", []))
    # s1 needs s0, s2 needs s1; s3 needs nothing
    plan = SetPlan(
        needs=(frozenset(), frozenset({0}), frozenset({1}), frozenset()), wave=(1, 2, 3, 1)
    )
    options = BuildOptions(
        output=tmp / "out", search=SourceSearch(), jobs=jobs, keep_going=keep_going
    )
    engine: Any = None  # never used: _build is scripted
    results = Run(engine, engine, options, plan).run(prepared)
    return started, results


def state(r: PairResult) -> str:
    return "ok" if r.ok else "blocked" if r.blocked else "skipped" if r.skipped else "failed"


@pytest.mark.parametrize("jobs", [1, 2])
def test_failure_blocks_dependents_keep_going_builds_the_rest(tmp_path: Path, jobs: int) -> None:
    started, results = scripted_run(tmp_path, jobs, keep_going=True, fail={0})
    assert [state(r) for r in results] == ["failed", "blocked", "blocked", "ok"]
    assert sorted(started) == [0, 3]
    assert results[2].message == "blocked: needs s1, which did not build"
    assert not (tmp_path / "out" / "debian-12" / "logs" / "s1.log").exists()
    log_text = (tmp_path / "out" / "debian-12" / "logs" / "s0.log").read_text()
    assert "# FAILED: scripted failure\n" in log_text  # not the staging path the hint names


def test_without_keep_going_the_rest_is_skipped(tmp_path: Path) -> None:
    started, results = scripted_run(tmp_path, 1, keep_going=False, fail={0})
    assert started == [0]
    assert [state(r) for r in results] == ["failed", "blocked", "blocked", "skipped"]


def test_waves_run_in_order(tmp_path: Path) -> None:
    started, results = scripted_run(tmp_path, 1, keep_going=False, fail=set())
    assert started == [0, 3, 1, 2]  # wave 1 (s0, s3), then s1, then s2
    assert [state(r) for r in results] == ["ok"] * 4


def test_a_build_that_ends_after_ctrl_c_publishes_its_log_not_its_packages(tmp_path: Path) -> None:
    """The race CI once hit: a worker's build finished while Ctrl-C reached the main thread;
    the packages of a run the user interrupted must not appear in the output."""

    def script(index: int, out: Path) -> None:
        if index == 0:
            (out / "result").mkdir(parents=True)
            (out / "result" / "s0_1-1_amd64.deb").write_bytes(b"!<arch>\n")
            # a real SIGINT to the main thread, as the terminal's Ctrl-C (the kernel gives a
            # process's signal to its main thread first); it wakes a main thread blocked in
            # wait(), which _thread.interrupt_main() does not
            main = threading.main_thread().ident
            assert main is not None
            signal.pthread_kill(main, signal.SIGINT)
            time.sleep(0.5)  # then it ends: its container was already done

    with pytest.raises(KeyboardInterrupt):
        scripted_run(tmp_path, 2, keep_going=False, fail=set(), script=script)
    target_dir = tmp_path / "out" / "debian-12"
    assert not list(target_dir.glob("*.deb"))
    assert (target_dir / "logs" / "s0.log").is_file()  # every build keeps its log


def test_ctrl_c_inside_submit_still_waits_for_the_started_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race behind a CI failure: Ctrl-C landed in pool.submit() after the worker thread
    started but before the pool recorded it, so the pool's exit did not wait for that worker
    and the run removed the staging directory its log was in. Here the interrupt is placed
    in exactly that spot."""
    original = ThreadPoolExecutor._adjust_thread_count

    def adjust(pool: Any) -> None:
        before = set(pool._threads)
        original(pool)
        pool._threads.difference_update(pool._threads - before)  # started, never recorded
        raise KeyboardInterrupt

    monkeypatch.setattr(ThreadPoolExecutor, "_adjust_thread_count", adjust)

    def script(index: int, out: Path) -> None:
        time.sleep(0.5)  # still building when the main thread leaves the pool

    with pytest.raises(KeyboardInterrupt):
        scripted_run(tmp_path, 2, keep_going=False, fail=set(), script=script)
    assert (tmp_path / "out" / "debian-12" / "logs" / "s0.log").is_file()


def test_ctrl_c_in_a_single_job_run_keeps_the_log(tmp_path: Path) -> None:
    def script(index: int, out: Path) -> None:
        raise KeyboardInterrupt  # what the runner's Ctrl-C raises in a one-job build

    with pytest.raises(KeyboardInterrupt):
        scripted_run(tmp_path, 1, keep_going=False, fail=set(), script=script)
    log_text = (tmp_path / "out" / "debian-12" / "logs" / "s0.log").read_text()
    assert log_text.rstrip().endswith("# INTERRUPTED")
    assert not list((tmp_path / "out" / "debian-12").glob("*.deb"))
