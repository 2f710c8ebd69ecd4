"""The user's images as data: `images/<name>/` with a Containerfile, container-assets/,
image.toml and tests/ (docs/images.md has the reference). This module reads and checks them.

image.toml:

    description = "PHP from the distribution, cli and fpm, with the repository configured"
    targets = ["debian-12", "el8-php8.2"]   # names or globs of the targets it is built for
    parent = ""                # another image of this tree it is built FROM ("" = the target's
                               # base image)
    class = "fpm"              # smoke test: cli | fpm | app
    packages = ["php-pecl-igbinary"]        # installed from the published repository
    repository = "php-base"    # where release tags go (default: the image's name)
    tags = ["{target}", "{php}-{codename}"] # release tags, or a table TARGET = [tags]
    port = 9000                # fpm: FastCGI port; app: HTTP port
    path = "/"                 # app: the page asked for
    expect = ""                # app: text the page must contain
    [args]                     # more build arguments
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from specport.errors import ConfigError, UsageError
from specport.targets import Target, TargetSet, select_targets

CLASSES = ("cli", "fpm", "app")
DEFAULT_PORTS = {"cli": 0, "fpm": 9000, "app": 8080}
CONTAINERFILES = ("Containerfile", "Dockerfile")
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,62}")
_REPOSITORY = re.compile(r"[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_ARG = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PACKAGE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+_-]*")
KEYS = {
    "description", "targets", "parent", "class", "packages", "repository", "tags", "port",
    "path", "expect", "args",
}  # fmt: skip


@dataclass(frozen=True)
class ImageDef:
    """One image of the user's tree."""

    name: str
    directory: Path
    containerfile: str  # "Containerfile" or "Dockerfile"
    targets: tuple[str, ...]  # target names, in the order of the target set
    parent: str = ""
    smoke: str = "cli"  # the smoke-test class
    packages: tuple[str, ...] = ()
    repository: str = ""
    tags: dict[str, tuple[str, ...]] = field(default_factory=dict)  # target -> release tags
    port: int = 0
    path: str = "/"
    expect: str = ""
    args: dict[str, str] = field(default_factory=dict)
    description: str = ""

    @property
    def tests_dir(self) -> Path:
        return self.directory / "tests"


@dataclass(frozen=True)
class Unit:
    """One image built for one target: what a build, a test, a promotion works on."""

    image: ImageDef
    target: Target

    @property
    def label(self) -> str:
        return f"{self.image.name}@{self.target.name}"


def load_images(root: Path, targets: TargetSet) -> dict[str, ImageDef]:
    """Every image under root (a directory per image), checked; parents checked too."""
    root = root.resolve()
    if not root.is_dir():
        raise ConfigError(f"no images directory {root}", "make one (images/<name>/image.toml)")
    found = {}
    for path in sorted(root.iterdir()):
        if path.is_dir() and (path / "image.toml").is_file():
            found[path.name] = read_image(path, targets)
    if not found:
        raise ConfigError(f"{root} holds no image (no <name>/image.toml)")
    for image in found.values():
        _check_parent(image, found)
    return found


def read_image(directory: Path, targets: TargetSet) -> ImageDef:
    name = directory.name
    label = f"{directory / 'image.toml'}"
    if not _NAME.fullmatch(name):
        raise ConfigError(f"{directory}: an image name is lower-case letters, digits, . _ -")
    try:
        doc = tomllib.loads((directory / "image.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{label}: {exc}") from None
    for key in doc:
        if key not in KEYS:
            close = difflib.get_close_matches(key, sorted(KEYS), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"{label}: {key}: unknown key{hint}")
    containerfile = next((c for c in CONTAINERFILES if (directory / c).is_file()), "")
    if not containerfile:
        raise ConfigError(f"{directory}: no Containerfile (or Dockerfile)")
    chosen = _targets(label, doc.get("targets"), targets)
    smoke = _string(label, doc, "class", "cli")
    if smoke not in CLASSES:
        raise ConfigError(f"{label}: class: {smoke!r} is not one of {', '.join(CLASSES)}")
    repository = _string(label, doc, "repository", name)
    if not _REPOSITORY.fullmatch(repository):
        raise ConfigError(f"{label}: repository: {repository!r} is not a registry repository name")
    packages = _strings(label, doc, "packages")
    for pkg in packages:
        if not _PACKAGE.fullmatch(pkg):
            raise ConfigError(f"{label}: packages: {pkg!r} is not a package name")
    port = doc.get("port", DEFAULT_PORTS[smoke])
    if not isinstance(port, int) or isinstance(port, bool) or not 0 <= port < 65536:
        raise ConfigError(f"{label}: port: expected a port number")
    path = _string(label, doc, "path", "/")
    if not path.startswith("/") or any(c.isspace() or ord(c) < 32 for c in path):
        raise ConfigError(f"{label}: path: expected an absolute URL path without spaces")
    return ImageDef(
        name=name,
        directory=directory,
        containerfile=containerfile,
        targets=tuple(t.name for t in chosen),
        parent=_string(label, doc, "parent", ""),
        smoke=smoke,
        packages=packages,
        repository=repository,
        tags={t.name: _tags(label, doc.get("tags"), t, len(chosen)) for t in chosen},
        port=port,
        path=path,
        expect=_string(label, doc, "expect", ""),
        args=_args(label, doc.get("args", {})),
        description=_string(label, doc, "description", ""),
    )


def _targets(label: str, raw: Any, targets: TargetSet) -> list[Target]:
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not raw or not all(isinstance(t, str) for t in raw):
        raise ConfigError(f"{label}: targets: expected a list of target names")
    try:
        return select_targets(targets, ",".join(raw))
    except UsageError as exc:
        raise ConfigError(f"{label}: targets: {exc}") from None


def _string(label: str, doc: dict[str, Any], key: str, default: str) -> str:
    value = doc.get(key, default)
    if not isinstance(value, str) or any(ord(c) < 32 for c in value):
        raise ConfigError(f"{label}: {key}: expected a one-line string")
    return value


def _strings(label: str, doc: dict[str, Any], key: str) -> tuple[str, ...]:
    value = doc.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{label}: {key}: expected a list of strings")
    return tuple(value)


def _args(label: str, raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise ConfigError(f'{label}: args: expected a table NAME = "value"')
    for key, value in raw.items():
        if not _ARG.fullmatch(key) or not isinstance(value, str) or "\n" in value:
            raise ConfigError(f"{label}: args.{key}: expected a one-line string")
    return dict(raw)


def placeholders(target: Target) -> dict[str, str]:
    """What a tag may name: {target}, {php}, {codename}, {release}, {distro}."""
    return {
        "target": target.name,
        "php": target.php_version,
        "codename": target.codename or target.release,
        "release": target.release,
        "distro": target.distro,
    }


def _tags(label: str, raw: Any, target: Target, count: int) -> tuple[str, ...]:
    if raw is None:
        raw = ["{target}"]
    if isinstance(raw, dict):
        raw = raw.get(target.name, raw.get("default", ["{target}"]))
    if not isinstance(raw, list) or not all(isinstance(t, str) for t in raw):
        raise ConfigError(f"{label}: tags: expected a list of tags or a table TARGET = [tags]")
    out = []
    for text in raw:
        try:
            tag = text.format(**placeholders(target))
        except (KeyError, IndexError, ValueError) as exc:
            raise ConfigError(f"{label}: tags: {text!r}: unknown placeholder {exc}") from None
        if not _TAG.fullmatch(tag) or tag.startswith("staging-"):
            raise ConfigError(f"{label}: tags: {tag!r} is not a release tag")
        out.append(tag)
    return tuple(dict.fromkeys(out))


def _check_parent(image: ImageDef, images: dict[str, ImageDef]) -> None:
    label = f"{image.directory / 'image.toml'}"
    seen = [image.name]
    parent = image.parent
    while parent:
        if parent not in images:
            raise ConfigError(f"{label}: parent: no image {parent!r} in {image.directory.parent}")
        if parent in seen:
            raise ConfigError(f"{label}: parent: a cycle ({' -> '.join([*seen, parent])})")
        seen.append(parent)
        parent = images[parent].parent
    if image.parent:
        missing = [t for t in image.targets if t not in images[image.parent].targets]
        if missing:
            raise ConfigError(
                f"{label}: targets: {', '.join(missing)} not among parent {image.parent}'s targets"
            )
    tags: dict[tuple[str, str], str] = {}
    for target, names in image.tags.items():
        for tag in names:
            other = tags.setdefault((image.repository, tag), target)
            if other != target:
                raise ConfigError(
                    f"{label}: tags: {tag!r} would be given to both {other} and {target}",
                    "use a placeholder such as {target} or a table TARGET = [tags]",
                )
