"""Tags, pushes and the run configuration of images in the engine (the user's images use them:
staging and release tags, a push to a registry, the command a smoke test starts)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import docker.errors

from specport import log
from specport.container.engine import Engine
from specport.errors import EngineError

PUSH_TIMEOUT = 1800  # seconds for one push


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


def tag_image(engine: Engine, image: str, ref: str) -> None:
    """Point ref (REPOSITORY:TAG) at image (an id or another reference)."""
    repository, _, tag = ref.rpartition(":")
    if not repository or "/" in tag:
        raise EngineError(f"{ref!r} is not REPOSITORY:TAG")
    try:
        engine.client.api.tag(image, repository, tag, force=True)
    except docker.errors.APIError as exc:
        raise EngineError(f"cannot tag {image} as {ref}: {exc.explanation or exc}") from exc


def untag(engine: Engine, ref: str) -> None:
    """Remove the tag ref (the image stays while another tag or a container names it)."""
    try:
        engine.client.api.remove_image(ref, noprune=True)
    except docker.errors.ImageNotFound:
        pass
    except docker.errors.APIError as exc:
        log.warn(f"could not remove tag {ref}: {exc.explanation or exc}")


def push_image(engine: Engine, ref: str, log_path: Path) -> str:
    """Push ref (REGISTRY/REPOSITORY:TAG) with the engine's credentials; the manifest digest
    the registry stored. Localhost registries may speak plain HTTP (the engine's rule)."""
    repository, _, tag = ref.rpartition(":")
    digest, error = "", ""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("a", encoding="utf-8") as out:
        out.write(f"\n# push {ref}\n")
        try:
            for item in engine.client.api.push(repository, tag=tag, stream=True, decode=True):
                if item.get("error") or item.get("errorDetail"):
                    error = str(item.get("error") or json.dumps(item.get("errorDetail")))
                aux = item.get("aux") or {}
                digest = str(aux.get("Digest") or digest)
                line = " ".join(str(item.get(k, "")) for k in ("id", "status", "progress"))
                if line.strip() and "Pushing" not in str(item.get("status", "")):
                    out.write(line.strip() + "\n")
        except docker.errors.APIError as exc:
            error = str(exc.explanation or exc)
        except docker.errors.DockerException as exc:
            error = str(exc)
    if error or not digest.startswith("sha256:"):
        reason = " ".join(error.split())[:300] or "the engine reported no digest"
        raise EngineError(f"pushing {ref} failed: {reason}", f"log: {log_path}")
    return digest
