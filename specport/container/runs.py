"""Throwaway containers: create from an image, copy in, run steps, copy out, always remove.

    with Throwaway(engine, image, log_path=log, purpose="build", target=t.name) as box:
        box.copy_in(spec_dir, "/work")
        box.run(["apt-get", "install", "-y", "php8.2-dev"], timeout=900)
        box.cut_network()  # %build runs offline
        box.run("debbuild -ba /work/foo.spec", timeout=3600)
        box.copy_out("/root/debbuild/DEBS", out_dir)

The container is removed on success, failure, exception, Ctrl-C (SIGINT) and SIGTERM
(container/signals.py). Containers carry the label `specport=1` (plus purpose, target and owner)
so that leftovers of a process killed outright are found (container/leftovers.py).
"""

from __future__ import annotations

import codecs
import contextlib
import os
import shlex
import signal
import socket
import tarfile
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import Any

import docker.errors

from specport import log
from specport.container.engine import TRANSPORT, Engine, engine_errors, short
from specport.container.leftovers import LABEL
from specport.container.signals import (
    SignalsHeld,
    Terminated,
    install_handlers,
    register,
    restore_handlers,
    unregister,
)
from specport.container.tarcopy import as_root, safe_extract
from specport.errors import EngineError, ToolError

# environment of every container: no debconf questions, predictable messages
BASE_ENV = {"DEBIAN_FRONTEND": "noninteractive", "LC_ALL": "C.UTF-8"}
# capabilities a hardened container keeps (all others dropped, no-new-privileges): the spec
# sandbox's root script installs files and drops to other uids
HARDENED_CAPS = ("CHOWN", "DAC_OVERRIDE", "FOWNER", "SETUID", "SETGID")
# a build: apt/dpkg and dnf/rpm as root (owners, modes, apt's _apt sandbox) and rpmbuild or
# debbuild keeping a payload's setgid bits (FSETID); no raw sockets, device nodes, file
# capabilities, chroot, or signals to other uids
BUILD_CAPS = (*HARDENED_CAPS, "FSETID")
KEEPALIVE = ["sleep", "infinity"]  # PID 1 of the container; steps run as exec sessions


class StepError(ToolError):
    """A step exited non-zero (with check=True) or ran past its timeout."""

    def __init__(self, message: str, result: RunResult, hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.result = result


@dataclass(frozen=True)
class RunResult:
    exit_code: int
    output: str  # stdout and stderr interleaved, as the step printed them
    timed_out: bool = False


class Throwaway:
    """One throwaway container; see the module docstring."""

    def __init__(
        self,
        engine: Engine,
        image: str,
        *,
        log_path: Path,
        purpose: str,
        network: bool = True,
        cpus: float | None = None,
        memory: str | int | None = None,
        env: Mapping[str, str] | None = None,
        target: str | None = None,
        pids: int | None = None,
        hardened: bool = False,
        caps: tuple[str, ...] = HARDENED_CAPS,
        mounts: Mapping[str, str] | None = None,
    ) -> None:
        self.engine = engine
        self.image = image
        self.log_path = Path(log_path)
        self.purpose = purpose
        self.network = network
        self.cpus = cpus
        self.memory = memory
        self.env = {**BASE_ENV, **(env or {})}
        self.target = target
        self.pids = pids
        self.hardened = hardened
        self.caps = caps
        # host directory -> container path, bind-mounted read-only (shared caches only: a
        # build's input goes in by copy_in, its output comes back by copy_out, so the container
        # never sees more of the host, and writes none of it)
        self.mounts = dict(mounts or {})
        # named before creation, so an interrupted create can still be removed by name
        self.name = f"specport-{_slug(purpose)}-{uuid.uuid4().hex[:12]}"
        self._created = False
        self._killed = False  # set by the timeout watchdog
        self._cancelled = False  # set by remove_live(): the process is being interrupted

    # context manager ---------------------------------------------------------------------------
    def __enter__(self) -> Throwaway:
        install_handlers()
        try:
            self._create()
        except BaseException:
            self._remove()
            restore_handlers()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with SignalsHeld() as held:
            self._remove()
            restore_handlers()
        if held.caught and exc is None:
            # a signal came while we cleaned up after a normal end: honour it now
            raise KeyboardInterrupt if held.caught[0] == signal.SIGINT else Terminated("SIGTERM")

    def labels(self) -> dict[str, str]:
        labels = {
            LABEL: "1",
            f"{LABEL}.purpose": self.purpose,
            f"{LABEL}.owner": f"{socket.gethostname()}:{os.getpid()}",
        }
        if self.target:
            labels[f"{LABEL}.target"] = self.target
        return labels

    def _create(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log(f"# container {self.name} from {self.image} ({self.purpose})\n")
        kwargs: dict[str, Any] = {
            "name": self.name,
            "labels": self.labels(),
            "environment": self.env,
            "detach": True,
            "entrypoint": [],
            "command": KEEPALIVE,
        }
        if not self.network:
            kwargs["network_mode"] = "none"
        if self.cpus:
            kwargs["nano_cpus"] = int(self.cpus * 1e9)
        if self.memory:
            kwargs["mem_limit"] = self.memory
            kwargs["memswap_limit"] = self.memory  # no swap beyond the limit
        if self.pids:
            kwargs["pids_limit"] = self.pids
        if self.mounts:
            kwargs["volumes"] = {h: {"bind": c, "mode": "ro"} for h, c in self.mounts.items()}
        if self.hardened:
            # for untrusted code (the spec sandbox, builds): no privilege gain through setuid
            # files, only the capabilities its own steps need, and an init that reaps what a
            # killed step leaves behind (zombies would hold the pid limit)
            kwargs["security_opt"] = ["no-new-privileges"]
            kwargs["cap_drop"] = ["ALL"]
            kwargs["cap_add"] = list(self.caps)
            kwargs["init"] = True
        register(self)
        with engine_errors(f"cannot start a container from {self.image}"):
            try:
                container = self.engine.client.containers.create(self.image, **kwargs)
            except docker.errors.ImageNotFound as exc:
                raise EngineError(
                    f"image {self.image} is not present in the engine",
                    "run `specport builders build` (or `specport builders bootstrap`) first",
                ) from exc
            self._created = True
            container.start()
        self.container = container
        if self._cancelled:
            raise Terminated("interrupted while the container was being created")

    def cancel(self) -> None:
        """Stop at the next step and remove the container now (remove_live(), Ctrl-C)."""
        self._cancelled = True
        self._remove()

    def _remove(self) -> None:
        unregister(self)
        try:
            self.engine.client.api.remove_container(self.name, force=True, v=True)
        except docker.errors.NotFound:
            pass
        except TRANSPORT as exc:
            if self._created:
                log.warn(
                    f"could not remove container {self.name}: {exc}; "
                    "`specport builders prune --containers` removes it"
                )

    # steps -------------------------------------------------------------------------------------
    def run(
        self,
        cmd: list[str] | str,
        *,
        timeout: float,
        check: bool = True,
        user: str | None = None,
        workdir: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> RunResult:
        """Run one step; a string runs under `bash -c` (the same shell on every target).

        Output is appended to the log file, and streamed to the console at -v. Non-zero exit
        raises StepError when check is true; a timeout always raises (the container is killed).
        """
        if self._cancelled:
            raise Terminated("interrupted")
        argv = ["bash", "-c", cmd] if isinstance(cmd, str) else list(cmd)
        shown = cmd if isinstance(cmd, str) else shlex.join(argv)
        api = self.engine.client.api
        self._log(f"\n$ {shown}\n")
        log.debug(f"[{self.purpose}] $ {shown}")
        started = time.monotonic()
        with engine_errors(f"cannot run a step in container {self.name}"):
            exec_id = api.exec_create(
                self.name,
                argv,
                user=user or "",
                workdir=workdir,
                environment=dict(env) if env else None,
            )["Id"]
            watchdog = threading.Timer(timeout, self._kill)
            watchdog.daemon = True
            watchdog.start()
            try:
                output = self._stream(api.exec_start(exec_id, stream=True), shown)
            finally:
                watchdog.cancel()
            code = api.exec_inspect(exec_id).get("ExitCode")
        elapsed = time.monotonic() - started
        result = RunResult(
            exit_code=code if code is not None else -1, output=output, timed_out=self._killed
        )
        if result.timed_out:
            self._log(f"[timed out after {timeout:g} s]\n")
            raise StepError(
                f"{self.purpose}: step timed out after {timeout:g} s: {short(shown)}",
                result,
                f"log: {self.log_path}",
            )
        self._log(f"[exit {result.exit_code} after {elapsed:.1f} s]\n")
        if check and result.exit_code != 0:
            raise StepError(
                f"{self.purpose}: step failed with exit code {result.exit_code}: {short(shown)}",
                result,
                f"log: {self.log_path}",
            )
        return result

    def _kill(self) -> None:
        # runs in the watchdog thread: ending the container ends the exec stream
        self._killed = True
        with contextlib.suppress(*TRANSPORT):
            self.engine.client.api.kill(self.name)

    def _stream(self, chunks: Iterator[bytes], shown: str) -> str:
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        parts: list[str] = []
        verbose = log.VERBOSITY >= 2
        status = None
        if log.VERBOSITY == 1 and log.err_console.is_terminal:
            status = log.err_console.status(f"{self.purpose}: {short(shown)}")
            status.start()
        try:
            with self.log_path.open("a", encoding="utf-8") as out:
                for chunk in chunks:
                    text = decoder.decode(chunk)
                    if not text:
                        continue
                    parts.append(text)
                    out.write(text)
                    out.flush()
                    if verbose:
                        log.err_console.file.write(text)
                        log.err_console.file.flush()
                    elif status is not None:
                        last = text.rstrip("\n").rsplit("\n", 1)[-1]
                        status.update(f"{self.purpose}: {short(last, 90)}")
                tail = decoder.decode(b"", final=True)
                parts.append(tail)
                out.write(tail)
        finally:
            if status is not None:
                status.stop()
        return "".join(parts)

    @property
    def image_id(self) -> str:
        """The id of the image the container runs (a rebuilt image has another)."""
        container = getattr(self, "container", None)
        return str(container.attrs.get("Image", "")) if container is not None else ""

    def cut_network(self) -> None:
        """Disconnect the container from all its networks: later steps run offline."""
        with engine_errors(f"cannot cut the network of container {self.name}"):
            attrs = self.engine.client.api.inspect_container(self.name)
            networks = (attrs.get("NetworkSettings") or {}).get("Networks") or {}
            for net in networks:
                if net == "none":
                    continue
                self.engine.client.api.disconnect_container_from_network(self.name, net)
        self._log("# network cut\n")

    # files -------------------------------------------------------------------------------------
    def copy_in(self, host_path: Path | str, container_dir: str, *, name: str = "") -> None:
        """Copy a file or directory (recursively) into container_dir, keeping modes; `name`
        renames it there (default: its own name). container_dir is made if it is missing.

        Files arrive owned by root (uid 0), the user steps run as unless told otherwise.
        """
        host_path = Path(host_path)
        if not host_path.exists():
            raise EngineError(f"cannot copy {host_path} into the container: it does not exist")
        with tempfile.TemporaryFile() as buf:
            with tarfile.open(fileobj=buf, mode="w") as tar:
                tar.add(host_path, arcname=name or host_path.name, filter=as_root)
            with engine_errors(f"cannot copy {host_path} into container {self.name}"):
                api = self.engine.client.api
                buf.seek(0)
                try:
                    api.put_archive(self.name, container_dir, buf)
                except docker.errors.NotFound:
                    # no such directory yet: one step makes it (an exec only when needed)
                    self.run(["mkdir", "-p", container_dir], timeout=60)
                    buf.seek(0)
                    api.put_archive(self.name, container_dir, buf)
        where = PurePosixPath(container_dir) / (name or host_path.name)
        self._log(f"# copied {host_path} -> {where}\n")

    def copy_out(self, container_path: str, host_dir: Path | str) -> Path:
        """Copy a file or directory out of the container into host_dir; returns the new path.

        Modes are kept (except setuid/setgid); files belong to the user running specport.
        Members that would land outside host_dir (absolute names, `..`, through symlinks) fail.
        """
        host_dir = Path(host_dir)
        host_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile() as buf:
            with engine_errors(f"cannot copy {container_path} out of container {self.name}"):
                try:
                    stream, _stat = self.engine.client.api.get_archive(self.name, container_path)
                except docker.errors.NotFound as exc:
                    raise EngineError(
                        f"{container_path} does not exist in the container ({self.purpose})",
                        f"log: {self.log_path}",
                    ) from exc
                for chunk in stream:
                    buf.write(chunk)
            buf.seek(0)
            with tarfile.open(fileobj=buf, mode="r") as tar:
                safe_extract(tar, host_dir)
        self._log(f"# copied {container_path} -> {host_dir}\n")
        return host_dir / PurePosixPath(container_path.rstrip("/")).name

    def _log(self, text: str) -> None:
        with self.log_path.open("a", encoding="utf-8") as out:
            out.write(text)


def _slug(text: str) -> str:
    out = "".join(c if c.isalnum() or c in "-_." else "-" for c in text.lower())
    return out.strip("-.")[:40] or "run"
