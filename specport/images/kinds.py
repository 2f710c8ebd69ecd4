"""The images a target needs, in build order: base -> builder (-> more kinds registered later).

Each kind knows its tag, the image it is built FROM, and how to fill a build context (the rendered
Containerfile plus files) and name its inputs. An image is up to date when its label
`specport.inputs` equals the hash of those inputs; `ensure_image` builds it otherwise.
Base images are not built here: they are pulled by the user or made by `bootstrap`.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

import docker.errors
import jinja2

from specport import data, log
from specport.config import Settings, cache_root
from specport.container.engine import Engine
from specport.digest import file_sha256
from specport.errors import EngineError
from specport.families import family_of
from specport.images import bootstrap
from specport.images.inputs import INPUTS_LABEL, KIND_LABEL, TARGET_LABEL, inputs_hash
from specport.normalize.macrofiles import write_macro_files
from specport.targets import Target

BUILD_TIMEOUT = 3600  # one image build, seconds
PACKAGE_TIMEOUT = 1500  # one apt/dnf command inside an image build, seconds


@dataclass(frozen=True)
class Context:
    """What a kind put into a build context: the Containerfile text and its inputs."""

    containerfile: str
    inputs: dict[str, Any]


@dataclass(frozen=True)
class ImageKind:
    """One kind of image specport builds for a target."""

    name: str
    parent: str  # kind this one is built FROM ("base" for the target's base image)
    applies: Callable[[Target], bool]
    tag: Callable[[Target], str]
    # fill the context dir (Containerfile excluded) for (target, settings, FROM image, dir)
    prepare: Callable[[Target, Settings, str, Path], Context]


KINDS: dict[str, ImageKind] = {}
# modules that register more kinds when imported (imported on first use: php_base imports this)
EXTRA_KIND_MODULES = ("specport.images.php_base",)


def register_kind(kind: ImageKind) -> None:
    KINDS[kind.name] = kind


def kinds() -> dict[str, ImageKind]:
    for module in EXTRA_KIND_MODULES:
        import_module(module)
    return KINDS


# --- the builder kind ---------------------------------------------------------------------------


def builder_image(target: Target) -> str:
    return f"specport/builder:{target.name}"


def render(template: str, **values: Any) -> tuple[str, str]:
    """(template text, rendered text) of containers/<template>."""
    path = data.containers_dir() / template
    if not path.is_file():
        raise EngineError(f"missing image template {path}")
    text = path.read_text(encoding="utf-8")
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return text, env.from_string(text).render(**values)


def write_macros(target: Target, dest: Path) -> list[dict[str, str]]:
    """specport's macro files for target into dest: the same files normalize and build use."""
    paths = write_macro_files(target, dest)
    return [{"name": p.name, "sha256": file_sha256(p)} for p in sorted(paths)]


def target_facts(target: Target) -> dict[str, Any]:
    return {
        k: target.as_dict()[k]
        for k in (
            "name",
            "family",
            "distro",
            "release",
            "codename",
            "image",
            "builder",
            "module_streams",
            "builder_packages",
            "php_packages",
            "arch",
        )
    }


def prepare_builder(target: Target, settings: Settings, base: str, ctx: Path) -> Context:
    macros = write_macros(target, ctx / "macros.d")
    context = family_of(target).builder_context(target, settings, base, ctx, macros)
    inputs = {"target": target_facts(target), "macros": macros, **context.inputs}
    return Context(context.containerfile, inputs)


register_kind(
    ImageKind(
        name="builder",
        parent="base",
        applies=lambda target: True,
        tag=builder_image,
        prepare=prepare_builder,
    )
)


# --- status and building ------------------------------------------------------------------------


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


def _labels(engine: Engine, image: str) -> dict[str, str] | None:
    try:
        attrs = engine.client.api.inspect_image(image)  # type: ignore[no-untyped-call]
    except docker.errors.ImageNotFound:
        return None
    except docker.errors.APIError as exc:
        raise EngineError(f"cannot inspect image {image}: {exc.explanation or exc}") from exc
    return dict((attrs.get("Config") or {}).get("Labels") or {})


def image_labels(engine: Engine, image: str) -> dict[str, str] | None:
    """The labels of `image`, or None when the engine does not have it."""
    return _labels(engine, image)


def base_identity(engine: Engine, image: str) -> str:
    """What a child's hash records of its FROM image: its input hash, else its image id."""
    labels = _labels(engine, image)
    if labels is None:
        raise EngineError(f"image {image} is not present in the engine")
    if labels.get(INPUTS_LABEL):
        return labels[INPUTS_LABEL]
    attrs = engine.client.api.inspect_image(image)  # type: ignore[no-untyped-call]
    return str(attrs.get("Id", ""))


def image_id(engine: Engine, image: str) -> str:
    """The engine's id of `image` (sha256:...): a new build of the image is a new id."""
    try:
        attrs = engine.client.api.inspect_image(image)  # type: ignore[no-untyped-call]
    except docker.errors.ImageNotFound:
        raise EngineError(f"image {image} is not present in the engine") from None
    except docker.errors.APIError as exc:
        raise EngineError(f"cannot inspect image {image}: {exc.explanation or exc}") from exc
    return str(attrs.get("Id", ""))


def wanted_inputs(
    engine: Engine, kind: ImageKind, target: Target, settings: Settings, ctx: Path
) -> tuple[Context, str]:
    parent = image_ref(kind.parent, target, settings)
    context = kind.prepare(target, settings, parent, ctx)
    inputs = {**context.inputs, "kind": kind.name, "from": base_identity(engine, parent)}
    return context, inputs_hash(inputs)


def status(engine: Engine, kind_name: str, target: Target, settings: Settings) -> ImageStatus:
    image = image_ref(kind_name, target, settings)
    labels = _labels(engine, image)
    if kind_name == "base":
        note = "" if labels is not None else _base_fix(target)
        return ImageStatus("base", target.name, image, labels is not None, labels is not None, note)
    if labels is None:
        return ImageStatus(kind_name, target.name, image, False, False, "missing")
    parent = image_ref(kinds()[kind_name].parent, target, settings)
    if _labels(engine, parent) is None:
        return ImageStatus(kind_name, target.name, image, True, False, f"{parent} missing")
    with tempfile.TemporaryDirectory(prefix="specport-ctx-") as tmp:
        _, digest = wanted_inputs(engine, kinds()[kind_name], target, settings, Path(tmp))
    current = labels.get(INPUTS_LABEL) == digest
    return ImageStatus(
        kind_name, target.name, image, True, current, "" if current else "inputs changed"
    )


def _base_fix(target: Target) -> str:
    if family_of(target).can_bootstrap(target):
        return f"missing: `specport images bootstrap {target.name}`"
    return "missing: pull or load it into the engine (EL images cannot be bootstrapped)"


def ensure_base_image(engine: Engine, target: Target, settings: Settings) -> str:
    image = bootstrap.base_image(target, settings)
    if _labels(engine, image) is not None:
        return image
    if not family_of(target).can_bootstrap(target):
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
        labels = _labels(engine, tag)
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


def build_image(
    engine: Engine, ctx: Path, tag: str, labels: dict[str, str], log_path: Path
) -> None:
    """docker build of ctx/Containerfile, progress streamed to log_path (and the console at -v)."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    error = ""
    with log_path.open("w", encoding="utf-8") as out:
        try:
            stream = engine.client.api.build(
                path=str(ctx),
                dockerfile="Containerfile",
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


# --- listing and pruning ------------------------------------------------------------------------


def specport_images(engine: Engine) -> list[dict[str, Any]]:
    """Images specport made (labelled specport.kind), newest first."""
    try:
        found = engine.client.api.images(filters={"label": KIND_LABEL})
    except docker.errors.APIError as exc:
        raise EngineError(f"cannot list images: {exc.explanation or exc}") from exc
    return sorted(found, key=lambda i: -int(i.get("Created", 0)))


def unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


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
