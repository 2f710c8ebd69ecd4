"""A stand-in for GitHub's runners, for tests/test_ci_container.py: it runs the jobs of a
generated workflow as a runner would. Not tests themselves.

Each job (each matrix index of each job) gets a fresh container of the runner image: the
checkout copied in, the workflow's, job's and step's environment with `${{ ... }}` filled in,
its `run:` steps in bash as GitHub runs them (-eo pipefail), and the three actions the workflow
uses played by the runner: checkout (the copy), upload-artifact (the path copied out into a
store of artifacts), download-artifact (the artifacts matching the pattern copied in, one
directory each). Jobs run in the order of `needs:`, one at a time. What a hosted runner has
and this one stands in for: an engine (the host's socket, mounted where docker's is), a
network reaching the CI's registry (the host's, for a registry on 127.0.0.1), the runner's
package caches (apt's archives shared between jobs, Python wheels built on the host beforehand
instead of PyPI over the network). A job's SPECPORT_CACHE_DIR is a new directory at the same
path on the host and in the container: specport mounts its download cache into build
containers by the host path, as a runner's own engine would see it.
"""

from __future__ import annotations

import collections
import fnmatch
import io
import os
import re
import tarfile
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

WORKSPACE = "/home/runner/work/project"
RUNNER_CONTAINERFILE = """\
FROM {base}
ENV DEBIAN_FRONTEND=noninteractive PIPX_BIN_DIR=/usr/local/bin
RUN timeout 600 apt-get update \\
 && timeout 900 apt-get install -y --no-install-recommends python3 pipx ca-certificates \\
 && rm -rf /var/lib/apt/lists/*
"""
STEP_TIMEOUT = 3600
_EXPR = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


@dataclass
class JobRun:
    name: str
    index: int | None
    seconds: float
    log: str


@dataclass
class WorkflowRun:
    jobs: list[JobRun] = field(default_factory=list)
    seconds: float = 0.0
    # the purposes (specport.purpose) of the containers specport made in the jobs, counted
    # from the engine's events as they came (its buffer of past events is short on a busy engine)
    created: collections.Counter[str] = field(default_factory=collections.Counter)

    def log_of(self, name: str, index: int | None = None) -> str:
        return next(j.log for j in self.jobs if j.name == name and j.index == index)


@dataclass
class Runner:
    client: Any  # docker.DockerClient
    image: str
    checkout: Path  # the repository, as actions/checkout would lay it out
    work: Path  # per-run state on the host: artifacts, job cache directories
    socket: str  # the host engine's socket file
    env: Mapping[str, str]  # the runner's own settings, over the workflow's (the stand-ins)
    secrets: Mapping[str, str]
    context: Mapping[str, str]  # github.repository, github.actor
    mounts: Mapping[str, str]  # host dir -> container dir (the runner's package caches)
    prefix: str = "sp-ci"  # container hostnames: the specport.owner label of what jobs start

    def run_workflow(self, doc: dict[str, Any], label: str) -> WorkflowRun:
        artifacts = self.work / label / "artifacts"
        artifacts.mkdir(parents=True)
        run = WorkflowRun()
        events = self.client.api.events(
            decode=True, filters={"type": "container", "event": "create"}
        )
        watcher = threading.Thread(target=self._count, args=(events, run.created), daemon=True)
        watcher.start()
        started = time.monotonic()
        try:
            for name in _order(doc["jobs"]):
                job = doc["jobs"][name]
                matrix = (job.get("strategy") or {}).get("matrix") or {}
                for index in matrix.get("index", [None]):
                    begun = time.monotonic()
                    log = self._job(doc, name, job, index, artifacts, label)
                    run.jobs.append(JobRun(name, index, time.monotonic() - begun, log))
            run.seconds = time.monotonic() - started
        finally:
            time.sleep(1)  # the last events on their way
            events.close()
            watcher.join(timeout=10)
        return run

    def _count(self, events: Iterator[dict[str, Any]], into: collections.Counter[str]) -> None:
        try:
            for event in events:
                labels = event.get("Actor", {}).get("Attributes", {})
                if labels.get("specport.owner", "").startswith(self.prefix):
                    into[labels.get("specport.purpose", "?")] += 1
        except Exception:  # the stream closed under the loop
            pass

    def _job(
        self,
        doc: dict[str, Any],
        name: str,
        job: dict[str, Any],
        index: int | None,
        artifacts: Path,
        label: str,
    ) -> str:
        values = {**self.context, "matrix.index": "" if index is None else str(index)}
        values.update({f"secrets.{k}": v for k, v in self.secrets.items()})
        base_env = {**_fill(doc.get("env") or {}, values), **_fill(job.get("env") or {}, values)}
        tag = f"{label}-{name}-{index if index is not None else 0}"
        cache = self.work / label / "job-cache" / tag
        cache.mkdir(parents=True)
        hostname = f"{self.prefix}-{tag}"[:63]
        volumes = {self.socket: {"bind": "/var/run/docker.sock", "mode": "rw"}}
        volumes[str(cache)] = {"bind": str(cache), "mode": "rw"}
        volumes.update({h: {"bind": c, "mode": "rw"} for h, c in self.mounts.items()})
        container = self.client.containers.create(
            self.image,
            command=["sleep", "infinity"],
            name=f"specport-test-runner-{uuid.uuid4().hex[:10]}",
            hostname=hostname,
            network_mode="host",
            volumes=volumes,
            environment={"SPECPORT_CACHE_DIR": str(cache), "HOME": "/root"},
            labels={"specport-test": "ci-runner"},
        )
        out: list[str] = []
        try:
            container.start()
            _put(container, WORKSPACE, self.checkout)
            for step in job["steps"]:
                out.append(f"\n### {name}[{index}] {step.get('name') or step.get('uses')}\n")
                uses = step.get("uses", "")
                with_ = _fill(step.get("with") or {}, values)
                if uses.startswith("actions/checkout@"):
                    continue  # copied in when the job started
                if uses.startswith("actions/download-artifact@"):
                    for art in sorted(artifacts.iterdir()):
                        if fnmatch.fnmatch(art.name, with_["pattern"]):
                            _put(container, f"{WORKSPACE}/{with_['path']}/{art.name}", art)
                    continue
                if uses.startswith("actions/upload-artifact@"):
                    _get(container, f"{WORKSPACE}/{with_['path']}", artifacts / with_["name"])
                    continue
                if uses:
                    raise AssertionError(f"{name}: the stand-in runner does not play {uses}")
                env = {**base_env, **_fill(step.get("env") or {}, values), **self.env}
                code, text = _exec(container, step["run"], env)
                out.append(text)
                if code != 0:
                    raise AssertionError(
                        f"{name}[{index}] failed ({code}):\n{''.join(out)[-6000:]}"
                    )
        finally:
            container.remove(force=True)
        return "".join(out)


def _order(jobs: dict[str, Any]) -> Iterator[str]:
    done: set[str] = set()
    while len(done) < len(jobs):
        ready = [n for n, j in jobs.items() if n not in done and set(j.get("needs", [])) <= done]
        assert ready, f"the jobs' needs form a cycle: {set(jobs) - done}"
        yield from ready
        done.update(ready)


def _fill(values: Mapping[str, Any], context: Mapping[str, str]) -> dict[str, str]:
    def one(m: re.Match[str]) -> str:
        assert m.group(1) in context, f"the stand-in runner has no {m.group(1)}"
        return context[m.group(1)]

    return {k: _EXPR.sub(one, str(v)) for k, v in values.items()}


def _exec(container: Any, script: str, env: Mapping[str, str]) -> tuple[int, str]:
    api = container.client.api
    argv = ["timeout", str(STEP_TIMEOUT), "bash", "--noprofile", "--norc", "-eo", "pipefail"]
    exec_id = api.exec_create(
        container.id, [*argv, "-c", script], environment=dict(env), workdir=WORKSPACE
    )
    chunks = [c.decode("utf-8", "replace") for c in api.exec_start(exec_id, stream=True)]
    return int(api.exec_inspect(exec_id)["ExitCode"]), "".join(chunks)


def _put(container: Any, dest: str, source: Path) -> None:
    """source's contents at dest in the container (made when missing)."""
    container.exec_run(["mkdir", "-p", dest])
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w") as tar:
        for top, dirs, files in os.walk(source):  # links (specport/data/*) stay links
            for name in sorted(dirs) + sorted(files):
                path = Path(top) / name
                tar.add(path, arcname=str(path.relative_to(source)), recursive=False)
    assert container.put_archive(dest, data.getvalue())


def _get(container: Any, path: str, dest: Path) -> None:
    """The directory at path in the container, its contents into dest (upload-artifact)."""
    stream, _ = container.get_archive(path.rstrip("/"))
    data = io.BytesIO(b"".join(stream))
    dest.mkdir(parents=True)
    with tarfile.open(fileobj=data) as tar:
        members = tar.getmembers()
        top = members[0].name.split("/")[0]
        for member in members:  # the runner's own output: files, directories, relative links
            member.name = member.name[len(top) :].lstrip("/")
            assert member.isfile() or member.isdir() or member.issym(), member.name
            assert ".." not in Path(member.name).parts, member.name
            assert not member.issym() or not member.linkname.startswith("/"), member.linkname
        tar.extractall(dest, [m for m in members if m.name])
    assert any(dest.rglob("*")), f"upload-artifact: {path} is empty"
