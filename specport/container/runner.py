"""Throwaway containers: create from an image, copy in, run steps, copy out, always remove.

    with Throwaway(engine, image, log_path=log, purpose="build", target=t.name) as box:
        box.copy_in(spec_dir, "/work")
        box.run(["apt-get", "install", "-y", "php8.2-dev"], timeout=900)
        box.cut_network()  # %build runs offline
        box.run("debbuild -ba /work/foo.spec", timeout=3600)
        box.copy_out("/root/debbuild/DEBS", out_dir)

The container is removed on success, failure, exception, Ctrl-C (SIGINT) and SIGTERM: while any
throwaway lives, SIGTERM raises `Terminated` (a KeyboardInterrupt, so it unwinds like Ctrl-C), and
signals are held back while the container is being removed. Containers carry the label
`specport=1` (plus purpose, target and owner) so `specport builders prune --containers` finds
leftovers of a process that was killed outright (SIGKILL, power loss).
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
from types import FrameType, TracebackType
from typing import Any

import docker.errors
import requests.exceptions

from specport import log, safetar
from specport.container.engine import Engine
from specport.errors import EngineError, SourceError, ToolError

LABEL = "specport"
# environment of every container: no debconf questions, predictable messages
BASE_ENV = {"DEBIAN_FRONTEND": "noninteractive", "LC_ALL": "C.UTF-8"}
# what a failed engine request raises (the SDK's errors, or requests' below them)
_TRANSPORT = (docker.errors.DockerException, requests.exceptions.RequestException)
# capabilities a hardened container keeps (all others dropped, no-new-privileges): the spec
# sandbox's root script installs files and drops to other uids
HARDENED_CAPS = ("CHOWN", "DAC_OVERRIDE", "FOWNER", "SETUID", "SETGID")
# a build: apt/dpkg and dnf/rpm as root (owners, modes, apt's _apt sandbox) and rpmbuild or
# debbuild keeping a payload's setgid bits (FSETID); no raw sockets, device nodes, file
# capabilities, chroot, or signals to other uids
BUILD_CAPS = (*HARDENED_CAPS, "FSETID")
KEEPALIVE = ["sleep", "infinity"]  # PID 1 of the container; steps run as exec sessions


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived while a container lived; unwinds like Ctrl-C so cleanup runs."""


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


# --- live containers --------------------------------------------------------------------------
# Every throwaway between create and removal, by name, so that the main thread can remove the
# containers of worker threads when it is interrupted (see guard()).
_live_boxes: dict[str, Throwaway] = {}
_live_lock = threading.Lock()


def remove_live() -> None:
    """Remove every live throwaway of this process now; their running steps end with errors."""
    with _live_lock:
        boxes = list(_live_boxes.values())
    for box in boxes:
        box._cancelled = True  # a worker between create and its next step stops there
        box._remove()


@contextlib.contextmanager
def guard() -> Iterator[None]:
    """Wrap work that runs throwaways in worker threads (main thread, inside the pool's `with`).

    Signals reach only the main thread, and a thread pool's exit waits for its workers: without
    this, Ctrl-C would wait for every running step to finish. Inside guard(), SIGTERM unwinds
    like Ctrl-C, and any exception first removes all live containers, which ends the workers'
    steps at once:

        with ThreadPoolExecutor(jobs) as pool, runner.guard():
            ...
    """
    _install_handlers()
    try:
        yield
    except BaseException:
        with _SignalsHeld():
            remove_live()
        raise
    finally:
        _restore_handlers()


# --- signals -----------------------------------------------------------------------------------
# Handlers are process-wide; count the live throwaways so nested ones install them once.
_live = 0
_saved_term: Any = None


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated(f"signal {signum}")


def _install_handlers() -> None:
    global _live, _saved_term
    if threading.current_thread() is not threading.main_thread():
        return  # signals are delivered to the main thread only; nothing to install
    if _live == 0:
        _saved_term = signal.signal(signal.SIGTERM, _raise_terminated)
    _live += 1


def _restore_handlers() -> None:
    global _live
    if threading.current_thread() is not threading.main_thread() or _live == 0:
        return
    _live -= 1
    if _live == 0:
        signal.signal(signal.SIGTERM, _saved_term if _saved_term is not None else signal.SIG_DFL)


class _SignalsHeld:
    """Hold SIGINT/SIGTERM back during cleanup; re-deliver them afterwards (as an exception)."""

    def __init__(self) -> None:
        self.caught: list[int] = []
        self._saved: dict[int, Any] = {}

    def __enter__(self) -> _SignalsHeld:
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                self._saved[signum] = signal.signal(signum, self._note)
        return self

    def _note(self, signum: int, frame: FrameType | None) -> None:
        self.caught.append(signum)

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._saved.items():
            signal.signal(signum, handler)


# --- the runner --------------------------------------------------------------------------------


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
        _install_handlers()
        try:
            self._create()
        except BaseException:
            self._remove()
            _restore_handlers()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with _SignalsHeld() as held:
            self._remove()
            _restore_handlers()
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
        with _live_lock:
            _live_boxes[self.name] = self
        with _engine_errors(f"cannot start a container from {self.image}"):
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

    def _remove(self) -> None:
        with _live_lock:
            _live_boxes.pop(self.name, None)
        try:
            self.engine.client.api.remove_container(self.name, force=True, v=True)
        except docker.errors.NotFound:
            pass
        except _TRANSPORT as exc:
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
        with _engine_errors(f"cannot run a step in container {self.name}"):
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
                f"{self.purpose}: step timed out after {timeout:g} s: {_short(shown)}",
                result,
                f"log: {self.log_path}",
            )
        self._log(f"[exit {result.exit_code} after {elapsed:.1f} s]\n")
        if check and result.exit_code != 0:
            raise StepError(
                f"{self.purpose}: step failed with exit code {result.exit_code}: {_short(shown)}",
                result,
                f"log: {self.log_path}",
            )
        return result

    def _kill(self) -> None:
        # runs in the watchdog thread: ending the container ends the exec stream
        self._killed = True
        with contextlib.suppress(*_TRANSPORT):
            self.engine.client.api.kill(self.name)

    def _stream(self, chunks: Iterator[bytes], shown: str) -> str:
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        parts: list[str] = []
        verbose = log.VERBOSITY >= 2
        status = None
        if log.VERBOSITY == 1 and log.err_console.is_terminal:
            status = log.err_console.status(f"{self.purpose}: {_short(shown)}")
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
                        status.update(f"{self.purpose}: {_short(last, 90)}")
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
        with _engine_errors(f"cannot cut the network of container {self.name}"):
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
                tar.add(host_path, arcname=name or host_path.name, filter=_as_root)
            with _engine_errors(f"cannot copy {host_path} into container {self.name}"):
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
            with _engine_errors(f"cannot copy {container_path} out of container {self.name}"):
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
                _safe_extract(tar, host_dir)
        self._log(f"# copied {container_path} -> {host_dir}\n")
        return host_dir / PurePosixPath(container_path.rstrip("/")).name

    def _log(self, text: str) -> None:
        with self.log_path.open("a", encoding="utf-8") as out:
            out.write(text)


# --- leftovers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Leftover:
    id: str
    name: str
    purpose: str
    owner: str  # "host:pid" of the specport process that made it
    state: str


def specport_containers(engine: Engine) -> list[Leftover]:
    """Every container labelled specport, running or not."""
    with _engine_errors("cannot list containers"):
        found = engine.client.api.containers(all=True, filters={"label": LABEL})
    out = []
    for c in found:
        labels = c.get("Labels") or {}
        names = c.get("Names") or ["?"]
        out.append(
            Leftover(
                id=str(c["Id"]),
                name=str(names[0]).lstrip("/"),
                purpose=str(labels.get(f"{LABEL}.purpose", "?")),
                owner=str(labels.get(f"{LABEL}.owner", "?")),
                state=str(c.get("State", "?")),
            )
        )
    return out


def owner_alive(owner: str) -> bool:
    """Is the specport process that made a container still running? Other hosts: assume yes."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_leftovers(engine: Engine, *, everything: bool = False) -> list[Leftover]:
    """Remove specport containers whose process is gone (all of them with everything=True)."""
    removed = []
    for c in specport_containers(engine):
        if not everything and owner_alive(c.owner):
            continue
        with contextlib.suppress(docker.errors.NotFound), _engine_errors(f"cannot remove {c.name}"):
            engine.client.api.remove_container(c.id, force=True, v=True)
        removed.append(c)
    return removed


# --- helpers -----------------------------------------------------------------------------------


@contextlib.contextmanager
def _engine_errors(what: str) -> Iterator[None]:
    """Turn SDK/transport failures into one EngineError line."""
    try:
        yield
    except docker.errors.APIError as exc:
        detail = exc.explanation or str(exc)
        raise EngineError(f"{what}: {_short(str(detail), 300)}") from exc
    except _TRANSPORT as exc:
        raise EngineError(f"{what}: {_short(str(exc), 300)}") from exc


def _as_root(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    return info


def _safe_extract(tar: tarfile.TarFile, dest: Path) -> None:
    links: set[PurePosixPath] = set()
    uid, gid = os.getuid(), os.getgid()
    members = []
    for member in tar.getmembers():
        path = PurePosixPath(member.name)
        if any(ord(c) < 32 or ord(c) == 127 for c in member.name + member.linkname):
            # a newline in a file name would split the lines of every list it lands in
            raise EngineError(f"refusing to copy out {member.name!r}: a control character in it")
        if path.is_absolute() or ".." in path.parts:
            raise EngineError(f"refusing to copy out {member.name!r}: outside the target folder")
        if any(parent in links for parent in path.parents):
            raise EngineError(f"refusing to copy out {member.name!r}: it lies behind a symlink")
        if member.issym() or member.islnk():
            target = PurePosixPath(member.linkname)
            if member.islnk() and (target.is_absolute() or ".." in target.parts):
                raise EngineError(f"refusing to copy out hard link {member.name!r}")
            links.add(path)
        elif not (member.isfile() or member.isdir()):
            continue  # devices and fifos have no business in build outputs
        member.mode &= 0o1777  # drop setuid/setgid
        member.uid, member.gid = uid, gid
        members.append(member)
    try:
        # the data filter's rules on top: they refuse what slipped past the checks above (links
        # out of dest, devices) and drop owners and special mode bits
        safetar.extract_all(tar, dest, label="the container's output", members=members)
    except (SourceError, OSError) as exc:
        raise EngineError(f"refusing to copy out from the container: {exc}") from exc


def _slug(text: str) -> str:
    out = "".join(c if c.isalnum() or c in "-_." else "-" for c in text.lower())
    return out.strip("-.")[:40] or "run"


def _short(text: str, width: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


__all__ = [
    "Leftover",
    "RunResult",
    "StepError",
    "Terminated",
    "Throwaway",
    "guard",
    "remove_leftovers",
    "remove_live",
    "specport_containers",
]
