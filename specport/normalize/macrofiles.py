"""The macro files a build of a target loads: templates in the repo's macros/ filled from the
target's fields.

deb targets get debbuild shims (macros/deb/); rpm targets get their platform facts
(macros/rpm/). Files are named macros.specport-*: debbuild loads macros.d/macros.* and rpm's
macro path takes the same names, so the build can drop them into either tool's macros.d, and
rpmspec can --load each one.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2

from specport import data
from specport.errors import ConfigError
from specport.targets.facts import platform_macros
from specport.targets.model import Target


def template_dir(target: Target) -> Path:
    return data.macros_dir() / target.family


def render_macro_files(target: Target) -> dict[str, str]:
    """File name -> content of every macro file for `target` (no I/O besides the templates)."""
    source = template_dir(target)
    if not source.is_dir():
        raise ConfigError(f"macro templates not found in {source} (a broken install)")
    return dict(_rendered(target, source))


# Rendering compiles every template (milliseconds each); `normalize -o` and `build` ask once per
# spec for the same target. Targets are frozen and hash by identity, and the templates are
# package data, so one rendering per target object per process is the same answer.
@cache
def _environment(source: Path) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(source)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )


@cache
def _rendered(target: Target, source: Path) -> tuple[tuple[str, str], ...]:
    env = _environment(source)
    values = {"t": target, "platform": platform_macros(target)}
    return tuple(
        (template.name.removesuffix(".j2"), env.get_template(template.name).render(values))
        for template in sorted(source.glob("macros.*.j2"))
    )


def write_macro_files(target: Target, dest_dir: Path) -> list[Path]:
    """Write the target's macro files into dest_dir (created); returns their paths, sorted."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, content in render_macro_files(target).items():
        path = dest_dir / name
        # `normalize -o` writes the same files once per spec: truncating and rewriting a file
        # costs a millisecond or more on ext4, reading it back a few microseconds
        if not _holds(path, content):
            path.write_text(content, encoding="utf-8")
        paths.append(path)
    return paths


def _holds(path: Path, content: str) -> bool:
    try:
        return path.is_file() and not path.is_symlink() and path.read_text("utf-8") == content
    except (OSError, UnicodeDecodeError):
        return False
