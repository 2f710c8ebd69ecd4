"""Files a consumer installs to use the repository: a dnf .repo, or a deb822 .sources + key.

Each family renders its own (CONSUMERS, chosen by the target's family); the file's suffix is a
family fact (targets/families.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2

from specport.targets import Target
from specport.targets.families import facts_of

TEMPLATES = Path(__file__).parent / "templates"
APT_KEYRING_DIR = "/etc/apt/keyrings"  # where Debian suggests local repository keys go

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    autoescape=False,  # config files, not HTML
)


def consumer_file_name(target: Target, repo_id: str) -> str:
    return f"{repo_id}{facts_of(target).consumer_suffix}"


def render_consumer_file(
    target: Target,
    *,
    base_url: str,
    repo_id: str,
    public_key: str,
    embed_key: bool = False,
    module: str | None = None,
) -> str:
    return CONSUMERS[target.family](
        target,
        base_url=base_url.rstrip("/"),
        repo_id=repo_id,
        public_key=public_key,
        embed_key=embed_key,
        module=module,
    )


def _dnf_repo(
    target: Target,
    *,
    base_url: str,
    repo_id: str,
    public_key: str,
    embed_key: bool,
    module: str | None,
) -> str:
    return render_template(
        "dnf.repo.j2", target=target, base_url=base_url, repo_id=repo_id, module=module
    )


def _apt_sources(
    target: Target,
    *,
    base_url: str,
    repo_id: str,
    public_key: str,
    embed_key: bool,
    module: str | None,
) -> str:
    return render_template(
        "apt.sources.j2",
        target=target,
        base_url=base_url,
        repo_id=repo_id,
        key_path=f"{APT_KEYRING_DIR}/{repo_id}.asc",
        embedded_key=deb822_block(public_key) if embed_key else "",
    )


CONSUMERS: dict[str, Callable[..., str]] = {"rpm": _dnf_repo, "deb": _apt_sources}


def render_template(name: str, **values: Any) -> str:
    return _env.get_template(name).render(**values)


def deb822_block(text: str) -> str:
    """A multi-line deb822 value: every line indented, empty lines written as " ."."""
    return "\n".join(f" {line}" if line.strip() else " ." for line in text.strip().splitlines())
