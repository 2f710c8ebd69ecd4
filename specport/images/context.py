"""What every image kind is made of: a build context (the rendered Containerfile and its inputs),
the templates under containers/, and the facts of a target that go into an image's inputs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from specport import data
from specport.config import Settings
from specport.digest import file_sha256
from specport.errors import EngineError
from specport.normalize.macrofiles import write_macro_files
from specport.targets import Target

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


def unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
