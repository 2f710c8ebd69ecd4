"""Files a consumer installs to use the repository: a dnf .repo, or a deb822 .sources + key."""

from __future__ import annotations

from pathlib import Path

import jinja2

from specport.targets import Target

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
    return f"{repo_id}.repo" if target.family == "rpm" else f"{repo_id}.sources"


def render_consumer_file(
    target: Target,
    *,
    base_url: str,
    repo_id: str,
    public_key: str,
    embed_key: bool = False,
    module: str | None = None,
) -> str:
    base_url = base_url.rstrip("/")
    if target.family == "rpm":
        template = _env.get_template("dnf.repo.j2")
        return template.render(target=target, base_url=base_url, repo_id=repo_id, module=module)
    return _env.get_template("apt.sources.j2").render(
        target=target,
        base_url=base_url,
        repo_id=repo_id,
        key_path=f"{APT_KEYRING_DIR}/{repo_id}.asc",
        embedded_key=_deb822_block(public_key) if embed_key else "",
    )


def _deb822_block(text: str) -> str:
    # a multi-line deb822 value: every line indented, empty lines written as " ."
    return "\n".join(f" {line}" if line.strip() else " ." for line in text.strip().splitlines())
