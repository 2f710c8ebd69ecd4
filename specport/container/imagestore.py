"""The engine's images, through the one door: labels and ids, `docker build` of a context, import
of a rootfs tarball, and the images specport made (listing, pruning). Every image specport makes
carries KIND_LABEL, INPUTS_LABEL (the hash of what it was made from) and TARGET_LABEL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import docker.errors

from specport import log
from specport.container.engine import Engine
from specport.container.transfer import ImageConfig, image_config
from specport.errors import EngineError

BUILD_TIMEOUT = 3600  # one image build, seconds
INPUTS_LABEL = "specport.inputs"
KIND_LABEL = "specport.kind"
TARGET_LABEL = "specport.target"


def image_labels(engine: Engine, image: str) -> dict[str, str] | None:
    """The labels of `image`, or None when the engine does not have it."""
    config = image_config(engine, image)
    return config.labels if config is not None else None


def base_identity(engine: Engine, image: str) -> str:
    """What a child's hash records of its FROM image: its input hash, else its image id."""
    config = _present(engine, image)
    return config.labels.get(INPUTS_LABEL) or config.id


def image_id(engine: Engine, image: str) -> str:
    """The engine's id of `image` (sha256:...): a new build of the image is a new id."""
    return _present(engine, image).id


def _present(engine: Engine, image: str) -> ImageConfig:
    config = image_config(engine, image)
    if config is None:
        raise EngineError(f"image {image} is not present in the engine")
    return config


def build_image(
    engine: Engine,
    ctx: Path,
    tag: str,
    labels: dict[str, str],
    log_path: Path,
    *,
    dockerfile: str = "Containerfile",
    buildargs: dict[str, str] | None = None,
) -> None:
    """docker build of ctx/dockerfile, progress streamed to log_path (and the console at -v)."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    error = ""
    with log_path.open("w", encoding="utf-8") as out:
        try:
            stream = engine.client.api.build(
                path=str(ctx),
                dockerfile=dockerfile,
                buildargs=buildargs,
                tag=tag,
                labels=labels,
                rm=True,
                forcerm=True,
                pull=False,
                decode=True,
                timeout=BUILD_TIMEOUT,
            )
            for item in stream:
                text = str(item.get("stream") or item.get("status") or "")
                if item.get("error") or item.get("errorDetail"):
                    error = str(item.get("error") or json.dumps(item.get("errorDetail")))
                    text += error + "\n"
                if text:
                    out.write(text)
                    out.flush()
                    log.debug(text.rstrip("\n"))
        except docker.errors.APIError as exc:
            error = str(exc.explanation or exc)
        except docker.errors.DockerException as exc:
            error = str(exc)
    if error:
        raise EngineError(
            f"building {tag} failed: {' '.join(error.split())[:300]}", f"log: {log_path}"
        )


def specport_images(engine: Engine) -> list[dict[str, Any]]:
    """Images specport made (labelled specport.kind), newest first."""
    try:
        found = engine.client.api.images(filters={"label": KIND_LABEL})
    except docker.errors.APIError as exc:
        raise EngineError(f"cannot list images: {exc.explanation or exc}") from exc
    return sorted(found, key=lambda i: -int(i.get("Created", 0)))


def prune_untagged(engine: Engine) -> list[tuple[str, str]]:
    """Remove specport images no tag points to any more; (id, problem or "") for each."""
    done = []
    for image in specport_images(engine):
        if any(t != "<none>:<none>" for t in image.get("RepoTags") or []):
            continue
        try:
            engine.client.api.remove_image(image["Id"])
            done.append((str(image["Id"]), ""))
        except docker.errors.APIError as exc:  # e.g. a container still uses it
            done.append((str(image["Id"]), str(exc.explanation or exc)))
    return done


def import_tarball(engine: Engine, tarball: Path, image: str, changes: list[str]) -> None:
    """Import a rootfs tarball as `image` (REPOSITORY:TAG) with Containerfile `changes`."""
    repository, _, tag = image.rpartition(":")
    try:
        answer = engine.client.api.import_image_from_file(
            str(tarball), repository=repository or image, tag=tag or "latest", changes=changes
        )
        # Podman's compatible API ignores `tag` on import (it tags :latest): tag by id as well
        image_id = _imported_id(str(answer))
        if image_id:
            engine.client.api.tag(image_id, repository or image, tag or "latest")
    except docker.errors.APIError as exc:
        raise EngineError(f"cannot import {tarball} as {image}: {exc.explanation}") from exc


def _imported_id(answer: str) -> str:
    """The image id from the import answer: JSON lines with "status": "sha256:..."."""
    for line in answer.splitlines():
        try:
            status = json.loads(line).get("status", "")
        except (ValueError, AttributeError):
            continue
        if isinstance(status, str) and status.startswith("sha256:"):
            return status
    return ""
