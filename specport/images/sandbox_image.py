"""The image the spec sandbox reads EL8 specs in: a base without rpm (ubuntu:20.04, whose rpm
4.14 shares EL8's parser) plus its distro's rpm, made once with `docker build` before any spec
exists, then used like any other sandbox image: no network from the start, hardened.

Installing rpm in the sandbox container itself would need the network there, and capabilities
apt wants, in the very container the specs are read in. The image is labelled with the hash of
its Containerfile and the base image's id, and made again when either changes.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from specport import log
from specport.config import Settings, cache_root, settings_from_env
from specport.container.engine import Engine
from specport.container.imagestore import (
    INPUTS_LABEL,
    KIND_LABEL,
    build_image,
    image_id,
    image_labels,
)
from specport.images.bootstrap import base_image, can_bootstrap
from specport.images.inputs import inputs_hash
from specport.images.kinds import ensure_base_image
from specport.targets import load_targets

KIND = "sandbox"
CONTAINERFILE = """\
FROM {base}
ENV DEBIAN_FRONTEND=noninteractive
RUN timeout 900 apt-get update -qq \\
 && timeout 900 apt-get install -y -qq --no-install-recommends rpm >/dev/null \\
 && rm -rf /var/lib/apt/lists/*
"""


def rpm_image_tag(base: str) -> str:
    slug = "".join(c if c.isalnum() or c in "._-" else "-" for c in base.lower())
    return f"specport/sandbox:{slug}-rpm"


def ensure_rpm_image(engine: Engine, base: str, settings: Settings | None = None) -> str:
    """`base` with rpm installed, built when missing or stale; its tag. A missing base that is
    a built-in target's is bootstrapped first (a fresh engine); EngineError when it cannot be
    (the sandbox then falls back to bwrap, or fails)."""
    settings = settings or settings_from_env(Settings())
    _bootstrap_base(engine, base, settings)
    text = CONTAINERFILE.format(base=base)
    digest = inputs_hash({"kind": KIND, "containerfile": text, "from": image_id(engine, base)})
    tag = rpm_image_tag(base)
    labels = image_labels(engine, tag)
    if labels is not None and labels.get(INPUTS_LABEL) == digest:
        return tag
    where = cache_root(settings) / "logs"
    log_path = where / f"image-sandbox-{tag.split(':')[1]}.log"
    log.step(f"building {tag}: {base} with rpm, for the spec sandbox (log: {log_path})")
    with tempfile.TemporaryDirectory(prefix="specport-ctx-") as tmp:
        (Path(tmp) / "Containerfile").write_text(text, encoding="utf-8")
        build_image(engine, Path(tmp), tag, {INPUTS_LABEL: digest, KIND_LABEL: KIND}, log_path)
    return tag


def _bootstrap_base(engine: Engine, base: str, settings: Settings) -> None:
    """ubuntu:20.04 is the base image of the ubuntu-20.04 target: made as that target's is."""
    if image_labels(engine, base) is not None:
        return
    for target in load_targets().values():
        if base_image(target, settings) == base and can_bootstrap(target):
            ensure_base_image(engine, target, settings)
            return
