"""The images a target needs, in build order: base -> builder.

Each kind knows its tag, the image it is built FROM, and how to fill a build context (the rendered
Containerfile plus files) and name its inputs. An image is up to date when its label
`specport.inputs` equals the hash of those inputs; `ensure_image` builds it otherwise.
Base images are not built here: they are pulled by the user or made by `bootstrap`.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from specport import log
from specport.config import Settings, cache_root
from specport.container.engine import Engine
from specport.container.imagestore import (
    INPUTS_LABEL,
    KIND_LABEL,
    TARGET_LABEL,
    base_identity,
    build_image,
    image_labels,
)
from specport.errors import EngineError
from specport.images import bootstrap, builder
from specport.images.context import Context, ImageKind
from specport.images.inputs import inputs_hash
from specport.targets import Target

KINDS: dict[str, ImageKind] = {k.name: k for k in (builder.IMAGE_KIND,)}


def kinds() -> dict[str, ImageKind]:
    return KINDS


@dataclass(frozen=True)
class ImageStatus:
    kind: str
    target: str
    image: str
    present: bool
    up_to_date: bool  # present and labelled with the current inputs (base: present)
    note: str = ""


def image_chain(target: Target) -> list[str]:
    """Kind names target needs, parents first (base first)."""
    order: list[str] = []

    def visit(name: str) -> None:
        if name in order:
            return
        if name != "base":
            visit(kinds()[name].parent)
        order.append(name)

    for name, kind in kinds().items():
        if kind.applies(target):
            visit(name)
    return order


def image_ref(kind: str, target: Target, settings: Settings) -> str:
    if kind == "base":
        return bootstrap.base_image(target, settings)
    return kinds()[kind].tag(target)


def wanted_inputs(
    engine: Engine, kind: ImageKind, target: Target, settings: Settings, ctx: Path
) -> tuple[Context, str]:
    parent = image_ref(kind.parent, target, settings)
    return inputs_from(kind, target, settings, ctx, base_identity(engine, parent))


def inputs_from(
    kind: ImageKind, target: Target, settings: Settings, ctx: Path, parent_identity: str
) -> tuple[Context, str]:
    """The context and input hash of `kind` over a parent whose identity (its own input hash)
    is known: a registry's copy can be looked up before the parent is in the engine."""
    parent = image_ref(kind.parent, target, settings)
    context = kind.prepare(target, settings, parent, ctx)
    inputs = {**context.inputs, "kind": kind.name, "from": parent_identity}
    return context, inputs_hash(inputs)


def status(engine: Engine, kind_name: str, target: Target, settings: Settings) -> ImageStatus:
    image = image_ref(kind_name, target, settings)
    labels = image_labels(engine, image)
    if kind_name == "base":
        note = "" if labels is not None else _base_fix(target)
        return ImageStatus("base", target.name, image, labels is not None, labels is not None, note)
    if labels is None:
        return ImageStatus(kind_name, target.name, image, False, False, "missing")
    parent = image_ref(kinds()[kind_name].parent, target, settings)
    if image_labels(engine, parent) is None:
        return ImageStatus(kind_name, target.name, image, True, False, f"{parent} missing")
    with tempfile.TemporaryDirectory(prefix="specport-ctx-") as tmp:
        _, digest = wanted_inputs(engine, kinds()[kind_name], target, settings, Path(tmp))
    current = labels.get(INPUTS_LABEL) == digest
    return ImageStatus(
        kind_name, target.name, image, True, current, "" if current else "inputs changed"
    )


def _base_fix(target: Target) -> str:
    if bootstrap.can_bootstrap(target):
        return f"missing: `specport builders bootstrap {target.name}`"
    return "missing: pull or load it into the engine (EL images cannot be bootstrapped)"


def ensure_base_image(engine: Engine, target: Target, settings: Settings) -> str:
    image = bootstrap.base_image(target, settings)
    if image_labels(engine, image) is not None:
        return image
    if not bootstrap.can_bootstrap(target):
        raise EngineError(
            f"target {target.name}: base image {image} is not in the engine and cannot be "
            "bootstrapped (mmdebstrap makes Debian/Ubuntu trees only)",
            f"pull it or `docker load` it, e.g. docker pull {image}",
        )
    made, _ = bootstrap.bootstrap(engine, target, settings)
    return made


def ensure_image(
    engine: Engine, kind_name: str, target: Target, settings: Settings, *, force: bool = False
) -> tuple[str, bool]:
    """Build one image of target if missing or stale (parents first); (tag, whether built)."""
    if kind_name == "base":
        return ensure_base_image(engine, target, settings), False
    kind = kinds()[kind_name]
    ensure_image(engine, kind.parent, target, settings)
    tag = kind.tag(target)
    with tempfile.TemporaryDirectory(prefix="specport-ctx-") as tmp:
        ctx = Path(tmp)
        context, digest = wanted_inputs(engine, kind, target, settings, ctx)
        labels = image_labels(engine, tag)
        if not force and labels is not None and labels.get(INPUTS_LABEL) == digest:
            log.info(f"{target.name}: {tag} is up to date")
            return tag, False
        (ctx / "Containerfile").write_text(context.containerfile, encoding="utf-8")
        log_path = cache_root(settings) / "logs" / f"image-{kind.name}-{target.name}.log"
        log.step(f"{target.name}: building {tag} (log: {log_path})")
        build_image(
            engine,
            ctx,
            tag,
            {INPUTS_LABEL: digest, KIND_LABEL: kind.name, TARGET_LABEL: target.name},
            log_path,
        )
    return tag, True


def ensure_builder_image(engine: Engine, target: Target, settings: Settings) -> str:
    """specport/builder:<target>, built (with its base image) when missing or stale."""
    tag, _ = ensure_image(engine, "builder", target, settings)
    return tag


def ensure_all(engine: Engine, target: Target, settings: Settings) -> list[tuple[str, bool]]:
    return [ensure_image(engine, name, target, settings) for name in image_chain(target)]
