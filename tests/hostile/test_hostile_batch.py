"""Specs of one sandbox batch cannot disturb each other: what one spec's query leaves running
(a background process that kills every process it may, or writes other specs' answers) is
gone before the next query starts, in bwrap (one per spec) and in the container (killed and
waited for after each query). The EL8 sandbox (rpm 4.14 from ubuntu:20.04) is as hardened as
the others: no network at any time, no-new-privileges, few capabilities."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from specport.sandbox.jobs import Job, run_jobs

HEAD = "Name: {name}\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n%description\n"
# returns at once, leaving behind a process (in a session of its own) that, a second later,
# kills every process its uid may signal and writes over the next spec's answers
SPOILER = HEAD.format(name="spoiler") + (
    "%(setsid sh -c 'sleep 1; kill -KILL -1; for f in /sandbox-out/00001.*; do "
    'echo 0 > "$f"; done; echo faked > /sandbox-out/00001.q0.out\' '
    ">/dev/null 2>&1 < /dev/null & echo spoiler-done)\n"
)
# takes three seconds: the leftover of the spec before it would strike in the middle
VICTIM = HEAD.format(name="victim") + "%(sleep 3; echo victim-done)\n"


def _batch(image: str | None) -> list[str]:
    jobs = [
        Job("spoiler", SPOILER, (("rpmspec", "-P"),)),
        Job("victim", VICTIM, (("rpmspec", "-P"),)),
    ]
    batch = run_jobs(jobs, image=image)
    victim = batch.answers[1][0]
    assert victim.ok, (victim.exit_code, victim.err)
    assert "victim-done" in victim.out and "faked" not in victim.out
    assert "spoiler-done" in batch.answers[0][0].out
    return [batch.where]


def test_bwrap_runs_each_spec_in_its_own_namespaces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPECPORT_SANDBOX", "bwrap")
    monkeypatch.setenv("SPECPORT_SANDBOX_SECONDS", "10")
    assert _batch(None) == ["bwrap"]


@pytest.mark.container
def test_the_container_kills_what_a_query_leaves_before_the_next(
    monkeypatch: pytest.MonkeyPatch, engine: object, builder_images: Callable[[str], str]
) -> None:
    monkeypatch.setenv("SPECPORT_SANDBOX", "container")
    monkeypatch.setenv("SPECPORT_SANDBOX_SECONDS", "10")
    image = builder_images("debian-12")
    assert _batch(image) == [f"container {image}, no network"]


@pytest.mark.container
def test_the_el8_sandbox_is_offline_and_hardened_from_the_start(
    monkeypatch: pytest.MonkeyPatch, engine: object
) -> None:
    monkeypatch.setenv("SPECPORT_SANDBOX", "container")
    probe = HEAD.format(name="probe") + (
        "%(id -u; grep -E '^(CapEff|NoNewPrivs):' /proc/self/status | tr -d '\\t'; "
        "grep -c : /proc/net/dev)\n"
    )
    # the runner's own root process: what the sandbox container itself has
    root = HEAD.format(name="root") + "%(grep -E '^CapBnd:' /proc/1/status | tr -d '\\t')\n"
    jobs = [Job("probe", probe, (("rpmspec", "-P"),)), Job("root", root, (("rpmspec", "-P"),))]
    # on a fresh engine (this test may run first) the sandbox bootstraps ubuntu:20.04 itself
    batch = run_jobs(jobs, image="ubuntu:20.04", install_rpm=True)
    assert batch.rpm_version.startswith("4.14"), batch.rpm_version
    assert batch.where == "container ubuntu:20.04, no network"
    words = batch.answers[0][0].out.split()
    assert "65534" in words and "CapEff:0000000000000000" in words and "NoNewPrivs:1" in words
    assert "1" in words  # /proc/net/dev lists one interface: lo
    # the bounding set of the container: the five the runner script needs, nothing more
    assert "CapBnd:00000000000000cb" in batch.answers[1][0].out.split()
