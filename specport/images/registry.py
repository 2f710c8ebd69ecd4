"""Base and builder images in a registry, named by their input keys, so that CI jobs on fresh
machines pull what one job made instead of each bootstrapping its own.

A target's images go to `REGISTRY/base:<target>-<key>` and `REGISTRY/builder:<target>-<key>`,
where key is the image's input hash (its `specport.inputs` label, images/inputs.py). A job
computes the keys it wants from the repository and the host alone: the base's from its
bootstrap plan (images/bootstrap.py), the builder's from its build context over that base key
(images/kinds.py `inputs_from`), so it knows the names before it has any image. A pulled image
is checked against its key, then takes the local name builds use (`debian:bookworm`,
`specport/builder:debian-12`); the same image id on every machine is what makes a result built
on one machine a cache hit on the others (the id is part of the result key).

Bases that cannot be bootstrapped (EL) come from their own registry, as without this module.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from specport import log
from specport.config import Settings, cache_root
from specport.container import transfer
from specport.container.engine import Engine
from specport.container.imagestore import INPUTS_LABEL, base_identity, image_labels
from specport.container.imagestore import image_id as local_id
from specport.errors import ConfigError, EngineError
from specport.images import bootstrap
from specport.images.builder import builder_image
from specport.images.kinds import ensure_all, inputs_from, kinds
from specport.targets import Target

AUTH_ENV = "SPECPORT_REGISTRY_AUTH"  # user:password (or user:token) for the registry
# host[:port]/path: lower case (docker references are), no scheme, tag or digest
_NAME = re.compile(r"[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9._-]+)+")


def registry_name(value: str) -> str:
    """The builders registry setting as a reference prefix; ConfigError for anything else.
    Lower-cased: CI variables such as GitHub's repository name keep the owner's capitals."""
    name = value.strip().lower().rstrip("/")
    if not _NAME.fullmatch(name):
        raise ConfigError(
            f"builders registry {value!r}: use HOST[:PORT]/NAMESPACE (no scheme, tag or digest), "
            "e.g. registry.example/OWNER/REPO/specport"
        )
    return name


def registry_auth() -> str:
    return os.environ.get(AUTH_ENV, "")


@dataclass(frozen=True)
class Wanted:
    """One image a target needs: its local name, its input key and its name in the registry."""

    target: str
    kind: str
    local: str
    key: str
    remote: str


def remote_ref(registry: str, kind: str, target: Target, key: str) -> str:
    return f"{registry}/{kind}:{target.name}-{key}"


def base_key(target: Target, settings: Settings) -> str:
    """The input key the target's bootstrapped base image has (its bootstrap plan's hash)."""
    log_path = cache_root(settings) / "logs" / f"bootstrap-{target.name}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    return bootstrap.plan_bootstrap(target, settings, log_path).hash


def builder_key(target: Target, settings: Settings, parent_identity: str) -> str:
    with tempfile.TemporaryDirectory(prefix="specport-ctx-") as tmp:
        _, key = inputs_from(kinds()["builder"], target, settings, Path(tmp), parent_identity)
    return key


def wanted(engine: Engine, target: Target, settings: Settings, registry: str) -> list[Wanted]:
    """The base (when specport bootstraps it) and the builder image of target, with keys.
    A base that cannot be bootstrapped must be in the engine already (its identity)."""
    local_base = bootstrap.base_image(target, settings)
    out = []
    if bootstrap.can_bootstrap(target):
        key = base_key(target, settings)
        out.append(
            Wanted(target.name, "base", local_base, key, remote_ref(registry, "base", target, key))
        )
    else:
        key = base_identity(engine, local_base)
    key = builder_key(target, settings, key)
    remote = remote_ref(registry, "builder", target, key)
    out.append(Wanted(target.name, "builder", builder_image(target), key, remote))
    return out


def in_registry(engine: Engine, images: list[Wanted], auth: str) -> bool:
    return all(transfer.registry_has(engine, w.remote, auth) for w in images)


def push(engine: Engine, target: Target, settings: Settings, registry: str, auth: str) -> list[str]:
    """Push target's base and builder images as they are in the engine, named by their labels;
    EngineError when one is missing or not specport's (`specport images build` makes them)."""
    names = [("builder", builder_image(target))]
    if bootstrap.can_bootstrap(target):
        names.insert(0, ("base", bootstrap.base_image(target, settings)))
    images = []
    for kind, local in names:
        key = (image_labels(engine, local) or {}).get(INPUTS_LABEL, "")
        if not key:
            raise EngineError(
                f"{target.name}: {local} is not in the engine (or not made by specport)",
                f"specport images build --target {target.name}",
            )
        images.append(
            Wanted(target.name, kind, local, key, remote_ref(registry, kind, target, key))
        )
    return [_push_one(engine, w, auth) for w in images]


def _push_one(engine: Engine, image: Wanted, auth: str) -> str:
    """Push the engine's image.local as image.remote, if it is labelled with image.key (an image
    another process put under that name since is not pushed under this key)."""
    image_id = local_id(engine, image.local)
    got = (image_labels(engine, image_id) or {}).get(INPUTS_LABEL, "")
    if got != image.key:
        raise EngineError(
            f"{image.target}: {image.local} is labelled {got[:16] or 'with no key'}, not "
            f"{image.key[:16]} (replaced by another process?)"
        )
    transfer.tag(engine, image_id, image.remote)
    try:
        log.step(f"{image.target}: pushing {image.local} as {image.remote}")
        transfer.push(engine, image.remote, auth)
    finally:
        transfer.untag(engine, image.remote)
    return image.remote


def pull(engine: Engine, target: Target, settings: Settings, registry: str, auth: str) -> list[str]:
    """Pull target's images by the keys this machine computes, check each one's label against
    its key, and give it its local name. EngineError when the registry lacks one."""
    local_base = bootstrap.base_image(target, settings)
    if not bootstrap.can_bootstrap(target) and image_labels(engine, local_base) is None:
        transfer.pull(engine, local_base)  # from its own registry, with the engine's login
    done = []
    for image in wanted(engine, target, settings, registry):
        _pull_one(engine, image, auth)
        try:
            transfer.tag(engine, image.remote, image.local)
        finally:
            transfer.untag(engine, image.remote)
        done.append(image.remote)
    return done


def pull_builder(
    engine: Engine, target: Target, settings: Settings, registry: str, auth: str
) -> str:
    """The builder image this checkout's keys name, pulled and checked, under its registry name
    (which no other process moves): what a CI job builds in (`build --image`). The base is not
    pulled: the builder has its layers, and its key is computed, not read from an image."""
    images = wanted(engine, target, settings, registry)
    return _pull_one(engine, images[-1], auth)


def _pull_one(engine: Engine, image: Wanted, auth: str) -> str:
    log.step(f"{image.target}: pulling {image.remote}")
    if not transfer.registry_has(engine, image.remote, auth):
        raise EngineError(
            f"{image.target}: the registry has no {image.kind} image {image.remote}",
            "push it first: `specport builders push` (in CI, the builders job does)",
        )
    transfer.pull(engine, image.remote, auth)
    got = (image_labels(engine, image.remote) or {}).get(INPUTS_LABEL, "")
    if got != image.key:
        transfer.untag(engine, image.remote)
        raise EngineError(
            f"{image.remote} is labelled {got[:16] or 'with no key'}, not {image.key[:16]}"
        )
    return image.remote


def ensure_and_push(
    engine: Engine, target: Target, settings: Settings, registry: str, auth: str
) -> tuple[list[str], bool]:
    """The CI set-up step for one target: nothing when the registry has the images this
    machine's keys name; else make them (bootstrap, build) and push them. (refs, pushed)."""
    images = wanted_or_none(engine, target, settings, registry)
    if images is not None and in_registry(engine, images, auth):
        log.info(f"{target.name}: the registry has its images")
        return [w.remote for w in images], False
    if bootstrap.can_bootstrap(target):
        bootstrap.bootstrap(engine, target, settings)  # again when the plan changed
    ensure_all(engine, target, settings)
    if images is None:  # the base is here now: the builder's key can be computed
        images = wanted(engine, target, settings, registry)
    return [_push_one(engine, w, auth) for w in images], True


def wanted_or_none(
    engine: Engine, target: Target, settings: Settings, registry: str
) -> list[Wanted] | None:
    """wanted(), or None when a base that cannot be bootstrapped is not here yet."""
    try:
        return wanted(engine, target, settings, registry)
    except EngineError:
        if bootstrap.can_bootstrap(target):
            raise
        return None
