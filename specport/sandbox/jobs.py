"""The one sandbox for everything that reads spec text with rpm or debbuild.

rpm macros run shell (`%( )`, `%{__make}` through `%_make_output_sync`, ...) and Lua, and a spec
can `%include` or `%{load:}` files, so neither rpmspec nor debbuild ever parses a spec on the
host. A batch of jobs (specs, each with its macro files and its queries) runs in one sandbox:

- a throwaway container (the engine door, `specport.container.runs`) with no network, no
  capabilities beyond what the runner script needs, a pid limit, one CPU and a memory cap;
  the jobs are copied in owned by root and every query runs as `nobody`, under `prlimit`
  (address space, file size, cpu time) and `timeout`;
- where no engine (or no image) is there: bubblewrap on the host (sandbox/bwrap.py), one per spec,
  with no namespace shared (no network), only /usr and that spec's job bound read-only, a
  tmpfs /tmp, as uid 65534, under the same `prlimit` and `timeout`;
- else a refusal (SandboxError): never plain on the host.

A batch is one container however many specs it holds: the runner script (`sandbox.sh`) loops
over the jobs and leaves each query's stdout, stderr and exit code in an output directory,
which comes back through the runner's filtered tar copy. Queries do not disturb each other:
whatever one leaves running is killed, and gone, before the next starts.

`SPECPORT_SANDBOX` chooses: `auto` (the default: container, else bwrap), `container`, `bwrap`.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from specport import log
from specport.errors import ConfigError, EngineError, SandboxError
from specport.sandbox import answers

if TYPE_CHECKING:
    from specport.container.engine import Engine

SANDBOX_ENV = "SPECPORT_SANDBOX"
SECONDS_ENV = "SPECPORT_SANDBOX_SECONDS"  # one rpmspec/debbuild call's time limit (default 60)
MEMORY_BYTES = 2 << 30  # address space of one call
OUTPUT_BYTES = 8 << 20  # what one call may write (stdout, stderr): more is an error
CONTAINER_MEMORY = "2g"
CONTAINER_PIDS = 256
IN_BOX = "/sandbox"  # the jobs, read-only for the queries
OUT_BOX = "/sandbox-out"  # the results
NOBODY = "65534"


def runner_script() -> str:
    """sandbox.sh: runs every query of a batch inside the sandbox (see its header)."""
    return (resources.files("specport.sandbox") / "sandbox.sh").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Job:
    """One spec and what to ask about it. queries: argv tails, each starting with the tool
    ("rpmspec", "-P") or ("debbuild", "--showpkgs"); the spec's path is appended."""

    label: str
    text: str
    queries: tuple[tuple[str, ...], ...]
    macro_files: tuple[Path, ...] = ()
    defines: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Answer:
    exit_code: int
    out: str
    err: str

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


@dataclass(frozen=True)
class Batch:
    """What a sandbox said: `where` names it ("container specport/builder:debian-12, no
    network", "bwrap"), `rpm_version` is its rpm's, answers[job][query]."""

    where: str
    rpm_version: str
    answers: list[list[Answer]] = field(default_factory=list)


def check_environment() -> None:
    """$SPECPORT_SANDBOX and $SPECPORT_SANDBOX_SECONDS checked before a command does any work:
    a bad value is exit 2 with nothing written, not a failure after the outputs."""
    mode()
    query_seconds()


def mode() -> str:
    value = os.environ.get(SANDBOX_ENV, "auto") or "auto"
    if value not in ("auto", "container", "bwrap"):
        raise ConfigError(f"${SANDBOX_ENV}={value[:40]!r}: expected auto, container or bwrap")
    return value


def run_jobs(
    jobs: Sequence[Job],
    *,
    image: str | None,
    install_rpm: bool = False,
    log_path: Path | None = None,
    kept: Path | None = None,
    engine: str | None = None,
) -> Batch:
    """Run every job in one sandbox: a container from `image` (None: no container), else bwrap.

    install_rpm: the image lacks rpm (ubuntu:20.04): the container runs from that image with
    rpm installed, made once before any spec exists (images/sandbox_image.py). kept: a
    directory of answers (sandbox/answers.py): jobs asked before, in the same image, are answered
    from there, and only the others enter a container. engine: "docker", "podman" or None
    (container/engine.py: engine_socket)."""
    chosen = mode()
    if chosen != "bwrap" and image is not None:
        try:
            return _container_batch(jobs, image, install_rpm, log_path, kept, engine)
        except EngineError as exc:
            if chosen == "container":
                raise SandboxError(f"no container sandbox: {exc}") from exc
            log.info(f"container sandbox not available ({exc}); using bwrap")
    elif chosen == "container":
        raise SandboxError("no container image to read this spec in")
    from specport.sandbox.bwrap import in_bwrap

    return in_bwrap(jobs)


# --- staging ----------------------------------------------------------------------------------


def stage_jobs(jobs: Sequence[Job], root: Path, *, load: bool, macros_dest: Sequence[str]) -> Path:
    """Lay the jobs out under root/sandbox: <k>/spec.spec, <k>/macros/, <k>/q<n> (argv, NUL
    separated), <k>/macros-dest (where the runner installs the macro files, as root)."""
    box = root / "sandbox"
    (box / "jobs").mkdir(parents=True)
    (box / "sandbox.sh").write_text(runner_script())
    for k, job in enumerate(jobs):
        where = box / "jobs" / f"{k:05d}"
        (where / "macros").mkdir(parents=True)
        (where / "spec.spec").write_text(job.text, encoding="utf-8")
        inside = f"{IN_BOX}/jobs/{k:05d}"
        loads: list[str] = []
        for m in job.macro_files:
            (where / "macros" / m.name).write_bytes(m.read_bytes())
            loads += ["--load", f"{inside}/macros/{m.name}"]
        if not load and job.macro_files:
            (where / "macros-dest").write_text("".join(f"{d}\n" for d in macros_dest))
        for n, query in enumerate(job.queries):
            argv = _argv(query, f"{inside}/spec.spec", loads if load else [], job.defines)
            (where / f"q{n}").write_bytes(b"".join(a.encode() + b"\0" for a in argv))
    return box


def _argv(
    query: tuple[str, ...], spec: str, loads: list[str], defines: Sequence[tuple[str, str]]
) -> list[str]:
    tool, *args = query
    if tool == "debbuild":
        return [tool, *args, spec]
    if tool != "rpmspec":
        raise SandboxError(f"the sandbox runs rpmspec and debbuild only, not {tool}")
    argv = [tool, *loads]
    for key, value in defines:
        argv += ["--define", f"{key} {value}"]
    return [*argv, *args, spec]


def collect(jobs: Sequence[Job], out: Path) -> list[list[Answer]]:
    answers = []
    for k, job in enumerate(jobs):
        row = []
        for n in range(len(job.queries)):
            stem = out / f"{k:05d}.q{n}"
            rc = read_capped(stem.with_suffix(stem.suffix + ".rc")).strip()
            row.append(
                Answer(
                    int(rc) if rc.lstrip("-").isdigit() else -1,
                    read_capped(stem.with_suffix(stem.suffix + ".out")),
                    read_capped(stem.with_suffix(stem.suffix + ".err")),
                )
            )
        answers.append(row)
    return answers


def read_capped(path: Path) -> str:
    try:
        return path.read_bytes()[:OUTPUT_BYTES].decode("utf-8", errors="replace")
    except OSError:
        return ""


def query_seconds() -> int:
    value = os.environ.get(SECONDS_ENV, "60")
    if not value.isdigit() or len(value) > 6 or int(value) < 1:
        # a setting, like specport.toml's: exit 2, as bad configuration
        raise ConfigError(f"${SECONDS_ENV}={value[:40]!r}: expected a number of seconds")
    return int(value)


def limits() -> dict[str, str]:
    return {
        "SANDBOX_SECONDS": str(query_seconds()),
        "SANDBOX_MEMORY": str(MEMORY_BYTES),
        "SANDBOX_FSIZE": str(OUTPUT_BYTES),
    }


# --- container --------------------------------------------------------------------------------


def _container_batch(
    jobs: Sequence[Job],
    image: str,
    install_rpm: bool,
    log_path: Path | None,
    kept: Path | None,
    engine_name: str | None,
) -> Batch:
    from specport.container.engine import connect

    engine = connect(engine=engine_name)
    try:
        if kept is None:
            return _in_container(engine, jobs, image, install_rpm, log_path)
        return _with_kept(engine, jobs, image, install_rpm, log_path, kept)
    finally:
        engine.close()


def _with_kept(
    engine: Engine,
    jobs: Sequence[Job],
    image: str,
    install_rpm: bool,
    log_path: Path | None,
    kept: Path,
) -> Batch:
    from specport.container.imagestore import image_id

    sandbox = f"{image_id(engine, image)} install_rpm={install_rpm}"
    keys = [answers.key(job, sandbox, limits()) for job in jobs]
    found = [answers.load(kept, k) for k in keys]
    todo = [i for i, f in enumerate(found) if f is None]
    where = f"container {image}, no network"
    if not todo:
        if log_path is not None:
            with log_path.open("a", encoding="utf-8") as out:
                out.write(f"# {len(jobs)} spec(s): the answers of an identical read, from {kept}\n")
        versions = {f[0] for f in found if f is not None}
        version = versions.pop() if len(versions) == 1 else "?"
        return Batch(f"{where}, answers kept", version, [
            [Answer(*r) for r in f[1]] for f in found if f is not None
        ])  # fmt: skip
    fresh = _in_container(engine, [jobs[i] for i in todo], image, install_rpm, log_path)
    rows: list[list[Answer]] = [[Answer(*r) for r in f[1]] if f else [] for f in found]
    for i, row in zip(todo, fresh.answers, strict=True):
        rows[i] = row
        answers.store(kept, keys[i], fresh.rpm_version, [(a.exit_code, a.out, a.err) for a in row])
    return Batch(fresh.where, fresh.rpm_version, rows)


def _in_container(
    engine: Engine, jobs: Sequence[Job], image: str, install_rpm: bool, log_path: Path | None
) -> Batch:
    from specport.container.runs import Throwaway
    from specport.images.sandbox_image import ensure_rpm_image

    # an image without rpm (ubuntu:20.04 for EL8's rpm 4.14) gets it in an image made once,
    # before any spec exists: the sandbox container itself never has a network
    run_image = ensure_rpm_image(engine, image) if install_rpm else image
    with tempfile.TemporaryDirectory(prefix="specport-sandbox-") as tmp:
        if log_path is None:
            log_path = Path(tmp) / "sandbox.log"
        # rpm 4.14 has no --load: every container run installs the macro files instead
        box_dir = stage_jobs(
            jobs, Path(tmp), load=False,
            macros_dest=("/etc/rpm", "/usr/lib/debbuild/macros.d"),
        )  # fmt: skip
        with Throwaway(
            engine,
            run_image,
            log_path=log_path,
            purpose="spec-sandbox",
            network=False,
            cpus=1.0,
            memory=CONTAINER_MEMORY,
            pids=CONTAINER_PIDS,
            hardened=True,
        ) as box:
            box.copy_in(box_dir, "/")
            box.run(f"chmod -R go-w {IN_BOX} && mkdir -m 0755 {OUT_BOX}", timeout=60, user="0")
            budget = query_seconds() * sum(len(j.queries) for j in jobs) + 120
            box.run(
                ["bash", f"{IN_BOX}/sandbox.sh", "setpriv"],
                timeout=budget,
                user="0",
                env=limits(),
            )
            box.copy_out(OUT_BOX, tmp)
        out = Path(tmp) / "sandbox-out"
        version = read_capped(out / "rpm-version").split()
        return Batch(
            f"container {image}, no network",
            version[-1] if version else "?",
            collect(jobs, out),
        )


def defines_of(mapping: Mapping[str, str] | None) -> tuple[tuple[str, str], ...]:
    return tuple((mapping or {}).items())
