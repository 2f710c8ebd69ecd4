"""Connect to the container engine: dockerd or Podman's Docker-compatible API service.

$DOCKER_HOST picks the socket (as for the docker CLI); without it, the default socket.
`connect()` fails within a few seconds with one EngineError when nothing answers, so commands
that need the engine say so before doing any work.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import docker
import docker.errors
import requests.exceptions

from specport.errors import EngineError

DEFAULT_SOCKET = "unix:///var/run/docker.sock"
PING_TIMEOUT = 5.0  # seconds to wait for a first answer
# Builds, image builds and streamed steps can be quiet for long stretches; step timeouts are
# enforced by the runner's watchdog, not by the socket.
REQUEST_TIMEOUT = 3600
# what a failed engine request raises (the SDK's errors, or requests' below them)
TRANSPORT = (docker.errors.DockerException, requests.exceptions.RequestException)


@dataclass
class Engine:
    """A connected engine. `client` is the docker SDK client (only specport.container uses it)."""

    client: docker.DockerClient
    kind: str  # "Docker" or "Podman"
    version: str  # the engine's own version ("20.10.24", "4.3.1")
    api_version: str
    socket: str  # the DOCKER_HOST it answered on

    def close(self) -> None:
        self.client.close()

    def index_server(self) -> str:
        """The registry the engine pulls unqualified names from ("" when it cannot say)."""
        try:
            return str(self.client.info().get("IndexServerAddress") or "")
        except Exception:  # an engine that cannot say: the caller reports it unreachable
            return ""


def engine_socket(engine: str | None = None) -> str:
    """$DOCKER_HOST when set; else for `engine` "podman" Podman's Docker-compatible socket, where
    `podman system service` puts it; else the default socket."""
    if os.environ.get("DOCKER_HOST"):
        return os.environ["DOCKER_HOST"]
    if engine == "podman":
        return f"unix://{os.environ.get('XDG_RUNTIME_DIR', '/run')}/podman/podman.sock"
    return DEFAULT_SOCKET


def connect(timeout: float = PING_TIMEOUT, *, engine: str | None = None) -> Engine:
    """The engine at engine_socket(engine); EngineError if it does not answer."""
    socket = engine_socket(engine)
    hint = _start_hint(socket)
    try:
        client = docker.DockerClient.from_env(
            timeout=int(max(1, timeout)), environment={**os.environ, "DOCKER_HOST": socket}
        )
        client.ping()
        info = client.version()
    except docker.errors.DockerException as exc:
        raise EngineError(f"no container engine answers at {socket}: {_reason(exc)}", hint) from exc
    except requests.exceptions.RequestException as exc:
        raise EngineError(f"no container engine answers at {socket}: {_reason(exc)}", hint) from exc
    client.api.timeout = REQUEST_TIMEOUT
    kind = engine_kind(info)
    version = _engine_version(info, kind)
    return Engine(
        client=client,
        kind=kind,
        version=version,
        api_version=str(info.get("ApiVersion", "?")),
        socket=socket,
    )


def engine_kind(version_info: dict[str, Any]) -> str:
    """Docker or Podman, from the /version answer (Podman lists a "Podman Engine" component)."""
    names = [str(c.get("Name", "")) for c in version_info.get("Components") or []]
    names.append(str((version_info.get("Platform") or {}).get("Name", "")))
    return "Podman" if any("podman" in n.lower() for n in names) else "Docker"


def _engine_version(info: dict[str, Any], kind: str) -> str:
    for component in info.get("Components") or []:
        name = str(component.get("Name", "")).lower()
        if (kind == "Podman" and "podman" in name) or (kind == "Docker" and name == "engine"):
            return str(component.get("Version", "?"))
    return str(info.get("Version", "?"))


def _reason(exc: BaseException) -> str:
    # the SDK wraps urllib3 errors several layers deep; the innermost line says what happened
    text = str(exc)
    for marker in ("Connection refused", "No such file or directory", "Permission denied"):
        if marker in text:
            return marker.lower()
    if "timed out" in text.lower():
        return "timed out"
    return text.splitlines()[0][:200] if text else type(exc).__name__


def _start_hint(socket: str) -> str:
    if "podman" in socket:
        return f"start it: podman system service --time=0 {socket}"
    if socket == DEFAULT_SOCKET:
        return "start dockerd (systemctl start docker), or set DOCKER_HOST to a running engine"
    return f"start an engine on {socket}, or unset DOCKER_HOST to use the default socket"


@contextlib.contextmanager
def engine_errors(what: str) -> Iterator[None]:
    """Turn SDK/transport failures into one EngineError line."""
    try:
        yield
    except docker.errors.APIError as exc:
        detail = exc.explanation or str(exc)
        raise EngineError(f"{what}: {short(str(detail), 300)}") from exc
    except TRANSPORT as exc:
        raise EngineError(f"{what}: {short(str(exc), 300)}") from exc


def short(text: str, width: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."
