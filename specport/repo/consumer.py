"""Files a consumer installs to use the repository: a dnf .repo, or a deb822 .sources + key.

Which file a target gets is its family's business (specport.families); this module renders.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from specport.families import family_of
from specport.targets import Target

TEMPLATES = Path(__file__).parent / "templates"

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    autoescape=False,  # config files, not HTML
)


def consumer_file_name(target: Target, repo_id: str) -> str:
    return f"{repo_id}{family_of(target).consumer_suffix}"


def render_consumer_file(
    target: Target,
    *,
    base_url: str,
    repo_id: str,
    public_key: str,
    embed_key: bool = False,
    module: str | None = None,
) -> str:
    return family_of(target).render_consumer(
        target,
        base_url=base_url.rstrip("/"),
        repo_id=repo_id,
        public_key=public_key,
        embed_key=embed_key,
        module=module,
    )


def render_template(name: str, **values: Any) -> str:
    return _env.get_template(name).render(**values)


def deb822_block(text: str) -> str:
    """A multi-line deb822 value: every line indented, empty lines written as " ."."""
    return "\n".join(f" {line}" if line.strip() else " ." for line in text.strip().splitlines())
