"""Images to and from a registry through the engine: push, pull, tag, and whether a registry has
a reference (the engine asks the registry for its manifest; nothing is downloaded).

Credentials are the caller's (`auth` is `user:password`, as CI secrets are passed); without
them the engine uses its own login (`docker login`'s config file). The engine speaks to the
registry, not specport: a registry on 127.0.0.1 is reachable without TLS, as dockerd allows
for loopback addresses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker.errors

from specport import log
from specport.container.engine import Engine
from specport.errors import EngineError


@dataclass(frozen=True)
class ImageConfig:
    id: str  # sha256:...
    entrypoint: tuple[str, ...]
    cmd: tuple[str, ...]
    user: str
    workdir: str
    labels: dict[str, str]

    @property
    def command(self) -> list[str]:
        """What `docker run IMAGE` starts."""
        return [*self.entrypoint, *self.cmd]


def image_config(engine: Engine, ref: str) -> ImageConfig | None:
    """The id and run configuration of ref, None when the engine does not have it."""
    try:
        attrs = engine.client.api.inspect_image(ref)  # type: ignore[no-untyped-call]
    except docker.errors.ImageNotFound:
        return None
    except docker.errors.APIError as exc:
        raise EngineError(f"cannot inspect image {ref}: {exc.explanation or exc}") from exc
    config = attrs.get("Config") or {}
    return ImageConfig(
        id=str(attrs.get("Id", "")),
        entrypoint=tuple(config.get("Entrypoint") or ()),
        cmd=tuple(config.get("Cmd") or ()),
        user=str(config.get("User") or ""),
        workdir=str(config.get("WorkingDir") or ""),
        labels=dict(config.get("Labels") or {}),
    )


def split_ref(ref: str) -> tuple[str, str]:
    """`host:5000/a/b:tag` -> (`host:5000/a/b`, `tag`); a ref without a tag is `latest`."""
    name, sep, tag = ref.rpartition(":")
    if not sep or "/" in tag:  # the colon was the port's
        return ref, "latest"
    return name, tag


def _auth(auth: str) -> dict[str, str] | None:
    user, sep, secret = auth.partition(":")
    return {"username": user, "password": secret} if sep and user else None


def _follow(stream: Iterable[dict[str, Any]], what: str, out: Any = None) -> str:
    """Read a push/pull progress stream to its end (its lines to `out` when given); its error
    line becomes an EngineError. The manifest digest a push reports, else ""."""
    digest = ""
    for item in stream:
        error = item.get("error") or (item.get("errorDetail") or {}).get("message")
        if error:
            raise EngineError(f"{what}: {' '.join(str(error).split())[:300]}")
        digest = str((item.get("aux") or {}).get("Digest") or digest)
        status = item.get("status")
        if status and not item.get("progressDetail"):
            log.debug(f"{what}: {status} {item.get('id', '')}".rstrip())
            if out is not None:
                out.write(f"{item.get('id', '')} {status}".strip() + "\n")
    return digest


def push(engine: Engine, ref: str, auth: str = "", log_path: Path | None = None) -> str:
    """Push `ref` (already tagged so in the engine) to its registry; the manifest digest the
    registry stored ("" when the engine reports none). Progress goes to `log_path` if given."""
    repository, tag = split_ref(ref)
    try:
        stream = engine.client.api.push(
            repository, tag=tag, stream=True, decode=True, auth_config=_auth(auth)
        )
        if log_path is None:
            return _follow(stream, f"push of {ref}")
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("a", encoding="utf-8") as out:
            out.write(f"\n# push {ref}\n")
            return _follow(stream, f"push of {ref}", out)
    except docker.errors.APIError as exc:
        raise EngineError(f"cannot push {ref}: {exc.explanation or exc}") from exc


def pull(engine: Engine, ref: str, auth: str = "") -> None:
    """Pull `ref` from its registry into the engine."""
    repository, tag = split_ref(ref)
    try:
        stream = engine.client.api.pull(
            repository, tag=tag, stream=True, decode=True, auth_config=_auth(auth)
        )
        _follow(stream, f"pull of {ref}")
    except docker.errors.APIError as exc:
        raise EngineError(f"cannot pull {ref}: {exc.explanation or exc}") from exc


def tag(engine: Engine, image: str, ref: str) -> None:
    """Give `image` (a reference or id) the name `ref` as well."""
    repository, name = split_ref(ref)
    try:
        engine.client.api.tag(image, repository, name, force=True)
    except docker.errors.APIError as exc:
        raise EngineError(f"cannot tag {image} as {ref}: {exc.explanation or exc}") from exc


def untag(engine: Engine, ref: str) -> None:
    """Remove the name `ref` (the image stays while another name or a container uses it)."""
    try:
        engine.client.api.remove_image(ref, noprune=True)
    except docker.errors.ImageNotFound:
        pass
    except docker.errors.APIError as exc:
        log.warn(f"could not remove the name {ref}: {exc.explanation or exc}")


def registry_has(engine: Engine, ref: str, auth: str = "") -> bool:
    """Does the registry hold `ref`? (A missing repository or tag is no; a registry that does
    not answer, or refuses the login, is an EngineError.)"""
    try:
        engine.client.api.inspect_distribution(ref, auth_config=_auth(auth))  # type: ignore[no-untyped-call]
    except docker.errors.NotFound:
        return False
    except docker.errors.APIError as exc:
        text = str(exc.explanation or exc)
        # registries answer an unknown repository or tag in several ways
        if any(m in text.lower() for m in ("not found", "manifest unknown", "name unknown")):
            return False
        raise EngineError(f"cannot ask the registry for {ref}: {text}") from exc
    return True
