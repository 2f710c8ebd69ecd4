"""The spec sandbox where no container engine is there: bubblewrap on the host.

One bwrap per job (spec): its own namespaces (no network, its own pids: when the job's runner
ends, bwrap's init goes and the kernel kills whatever the spec left running), only /usr bound
read-only, that job's directory read-only and an output directory of its own, a tmpfs /tmp,
uid 65534, the sandbox's prlimit and timeout. A spec's shell can write its own results there,
never another spec's, and its background processes do not outlive its job.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from specport.errors import SandboxError
from specport.run import run
from specport.sandbox.jobs import (
    IN_BOX,
    NOBODY,
    OUT_BOX,
    Batch,
    Job,
    collect,
    limits,
    query_seconds,
    stage_jobs,
)


def bwrap_available() -> bool:
    return shutil.which("bwrap") is not None


def in_bwrap(jobs: Sequence[Job]) -> Batch:
    if not bwrap_available():
        raise SandboxError(
            "no sandbox to read spec files in: no container engine (or image), and bwrap is "
            "not installed; specport does not run rpm on a spec outside a sandbox",
            hint="start the container engine, or apt-get install bubblewrap",
        )
    with tempfile.TemporaryDirectory(prefix="specport-sandbox-") as tmp:
        box_dir = stage_jobs(jobs, Path(tmp), load=True, macros_dest=())
        out = Path(tmp) / "sandbox-out"
        out.mkdir()
        env = {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8", "HOME": "/tmp", **limits()}
        for k, job in enumerate(jobs):
            name = f"{k:05d}"
            own = Path(tmp) / f"out-{name}"
            own.mkdir()
            os.chmod(own, 0o777)  # the sandbox's uid writes here
            argv = [*bwrap_argv(box_dir, own, name), "bash", f"{IN_BOX}/sandbox.sh", "bwrap"]
            budget = query_seconds() * len(job.queries) + 60
            done = run(argv, timeout=budget, env=env, check=False)
            if done.returncode != 0:
                raise SandboxError(
                    f"bwrap failed (exit {done.returncode}): {done.error_text[:300]}"
                )
            # only this job's own answers come out of its directory
            for n in range(len(job.queries)):
                for ext in ("out", "err", "rc"):
                    src = own / f"{name}.q{n}.{ext}"
                    if src.is_file() and not src.is_symlink():
                        os.replace(src, out / src.name)
        # the host's rpm is the one bound in; asked outside, where no spec could fake its answer
        found = run(["rpm", "--version"], timeout=60, check=False).text.split()
        return Batch("bwrap", found[-1] if found else "?", collect(jobs, out))


def bwrap_argv(box_dir: Path, out_dir: Path, job: str) -> list[str]:
    """Nothing shared with the host but /usr (read-only), the runner script and one job
    (read-only) and that job's output directory."""
    argv = [
        "bwrap",
        "--unshare-all",  # network, ipc, pid, uts, cgroup, user
        "--die-with-parent",
        "--new-session",
        "--hostname", "sandbox",
        "--uid", NOBODY, "--gid", NOBODY,
        "--ro-bind", "/usr", "/usr",
        "--proc", "/proc",
        "--dev", "/dev",
        "--tmpfs", "/tmp",
        "--ro-bind", str(box_dir / "sandbox.sh"), f"{IN_BOX}/sandbox.sh",
        "--ro-bind", str(box_dir / "jobs" / job), f"{IN_BOX}/jobs/{job}",
        "--bind", str(out_dir), OUT_BOX,
        "--clearenv",
        "--setenv", "PATH", "/usr/bin:/bin",
        "--setenv", "HOME", "/tmp",
        "--setenv", "LC_ALL", "C.UTF-8",
        "--chdir", "/tmp",
    ]  # fmt: skip
    for key, value in limits().items():
        argv += ["--setenv", key, value]
    for link in ("bin", "sbin", "lib", "lib64", "lib32"):
        if Path(f"/{link}").is_symlink():
            argv += ["--symlink", os.readlink(f"/{link}"), f"/{link}"]
    return argv
