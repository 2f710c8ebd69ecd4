"""An image's build context and its build key.

The context is the image's directory (tests/ and image.toml left out) plus what specport adds
under `specport/`: the repository's consumer file and public key, and the pinned package list.
The key is the hash of: the context tree (every path, its mode and bytes), the resolved parent
(the id of the parent image built here, or of the target's base image), the build arguments,
and the exact package set the image installs from the published repository: the packages
image.toml names and what they need from it, each pinned to the newest version the
repository's metadata lists (with its source package and module stream). An unchanged key is
a build that would make the same image: specport does not run it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from specport.appimages.model import Unit
from specport.appimages.repoview import RepoView
from specport.errors import ConfigError, UsageError
from specport.repo.consumer import consumer_file_name, render_consumer_file
from specport.repo.contents import Held, newest

KEY_VERSION = 1  # bump when what the key covers changes
ADDED = "specport"  # the context folder specport writes
LEFT_OUT = {"tests", "image.toml", ADDED}


@dataclass(frozen=True)
class Pinned:
    """One package an image installs from the repository, as the metadata lists it."""

    name: str
    version: str
    arch: str
    source: str
    stream: str = ""


# how apt and dnf are told one exact version
PIN: dict[str, Callable[[Pinned], str]] = {
    "deb": lambda p: f"{p.name}={p.version}",
    "rpm": lambda p: f"{p.name}-{p.version}",
}


@dataclass(frozen=True)
class Prepared:
    """A context ready to build: its directory, build arguments, key inputs and key."""

    unit: Unit
    context: Path
    args: dict[str, str]
    packages: tuple[Pinned, ...]
    inputs: dict[str, Any]
    key: str


def package_set(unit: Unit, offered: list[Held]) -> tuple[Pinned, ...]:
    """The packages the image names and, recursively, what they need that the repository
    offers; each at the newest version there. UsageError when a named one is not there."""
    by_name: dict[str, Held] = {}
    for held in newest(offered, unit.target.family).values():
        by_name.setdefault(held.name, held)
    providers: dict[str, str] = {}
    for held in by_name.values():
        for name in held.provides:
            providers.setdefault(name, held.name)
    missing = [n for n in unit.image.packages if n not in by_name and n not in providers]
    if missing:
        raise UsageError(
            f"{unit.label}: {', '.join(missing)} not published for {unit.target.name}",
            "publish it first (specport publish), or check repo_dir",
        )
    chosen: dict[str, Held] = {}
    todo = [providers.get(n, n) for n in unit.image.packages]
    while todo:
        name = todo.pop()
        if name in chosen:
            continue
        chosen[name] = by_name[name]
        for need in chosen[name].depends:
            real = need if need in by_name else providers.get(need)
            if real and real not in chosen:
                todo.append(real)
    return tuple(
        Pinned(h.name, h.version, h.arch, h.source, h.stream)
        for h in sorted(chosen.values(), key=lambda h: h.name)
    )


def prepare(
    unit: Unit,
    repo: RepoView,
    ctx: Path,
    *,
    parent_ref: str,
    parent_id: str,
) -> Prepared:
    """Fill ctx with the image's context and compute its key."""
    copy_context(unit.image.directory, ctx)
    own = tree_hash(ctx)  # the image's own files, before specport adds its folder
    packages = package_set(unit, repo.held(unit.target))
    streams = sorted({p.stream for p in packages if p.stream})
    consumer = render_consumer_file(
        unit.target,
        base_url=repo.url,
        repo_id=repo.repo_id,
        public_key=repo.public_key,
        module=streams[0] if streams else None,
    )
    added = ctx / ADDED
    added.mkdir()
    (added / consumer_file_name(unit.target, repo.repo_id)).write_text(consumer)
    (added / f"{repo.repo_id}.asc").write_text(repo.public_key)
    pins = [PIN[unit.target.family](p) for p in packages]
    (added / "packages").write_text("".join(f"{p}\n" for p in pins))
    for path in [added, *added.iterdir()]:  # the same modes (and key) whatever the umask
        path.chmod(0o755 if path.is_dir() else 0o644)
    args = build_args(unit, parent_ref, repo.repo_id, pins)
    inputs = {
        "version": KEY_VERSION,
        "image": unit.image.name,
        "target": unit.target.name,
        "containerfile": unit.image.containerfile,
        "context": own,
        "repository": key_of({"url": repo.url, "consumer": consumer, "key": repo.public_key}),
        "parent": parent_id,
        "args": args,
        "packages": [asdict(p) for p in packages],
    }
    return Prepared(unit, ctx, args, packages, inputs, key_of(inputs))


def build_args(unit: Unit, parent_ref: str, repo_id: str, pins: list[str]) -> dict[str, str]:
    t = unit.target
    args = {
        "BASE": parent_ref,
        "TARGET": t.name,
        "FAMILY": t.family,
        "DISTRO": t.distro,
        "RELEASE": t.release,
        "CODENAME": t.codename,
        "PHP_VERSION": t.php_version,
        "MODULE_STREAMS": " ".join(t.module_streams),
        "REPO_ID": repo_id,
        "PACKAGES": " ".join(pins),
    }
    clash = sorted(set(args) & set(unit.image.args))
    if clash:
        raise ConfigError(f"{unit.image.name}/image.toml: args: {clash[0]} is specport's own")
    return {**args, **unit.image.args}


def key_of(inputs: Mapping[str, Any]) -> str:
    text = json.dumps(inputs, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def copy_context(source: Path, dest: Path) -> None:
    """The image's directory into dest, tests/ and image.toml left out; links stay links."""
    for entry in sorted(source.iterdir()):
        if entry.name in LEFT_OUT:
            continue
        target = dest / entry.name
        if entry.is_symlink():
            os.symlink(os.readlink(entry), target)
        elif entry.is_dir():
            shutil.copytree(entry, target, symlinks=True)
        else:
            shutil.copy2(entry, target)


def tree_hash(root: Path) -> str:
    """sha256 over every path under root: its name, type, permission bits and bytes (or link)."""
    digest = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted([*dirnames, *filenames]):
            path = Path(dirpath) / name
            info = path.lstat()
            rel = path.relative_to(root).as_posix()
            mode = stat.S_IMODE(info.st_mode)
            if stat.S_ISLNK(info.st_mode):
                body = os.readlink(path).encode()
                kind = "l"
            elif stat.S_ISDIR(info.st_mode):
                body, kind = b"", "d"
            elif stat.S_ISREG(info.st_mode):
                body, kind = hashlib.sha256(path.read_bytes()).digest(), "f"
            else:
                raise UsageError(f"{path}: not a file, directory or link (an image context)")
            digest.update(f"{kind} {mode:o} {rel}\0".encode() + body + b"\0")
    return digest.hexdigest()
