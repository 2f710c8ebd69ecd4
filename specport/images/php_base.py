"""php-base images: PHP from the target's distribution with specport's repository configured.

The `php-base` image kind (built on request, not in every target's chain); phpapp.py builds and
smoke-tests an example application image on it. Templates live in containers/php-base/, one per
family. Only the repository's public key enters a context.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from specport.config import Settings
from specport.errors import UsageError
from specport.images.context import PACKAGE_TIMEOUT, Context, ImageKind, render
from specport.repo.consumer import consumer_file_name, render_consumer_file
from specport.targets import Target

KIND = "php-base"
TEMPLATES = {"rpm": "rpm.Containerfile.j2", "deb": "deb.Containerfile.j2"}  # containers/php-base/


def php_base_image(target: Target) -> str:
    return f"specport/php-base:{target.name}"


def _repository(settings: Settings) -> tuple[str, Path]:
    if not settings.repo_url:
        raise UsageError(
            "php-base needs the repository URL",
            hint="set repo_url in [settings] or $SPECPORT_REPO_URL (reachable from image builds)",
        )
    key = Path(settings.repo_key) if settings.repo_key else None
    if key is None or not key.is_file():
        raise UsageError(
            "php-base needs the repository's public key file",
            hint="set repo_key / $SPECPORT_REPO_KEY, e.g. to REPO/keys/specport.asc",
        )
    if b"PRIVATE KEY" in key.read_bytes():
        raise UsageError(f"{key} holds a secret key; give the public key (never a secret one)")
    return settings.repo_url, key


def prepare_php_base(target: Target, settings: Settings, base: str, ctx: Path) -> Context:
    url, key = _repository(settings)
    public_key = key.read_text()
    consumer = render_consumer_file(
        target, base_url=url, repo_id=settings.repo_id, public_key=public_key
    )
    (ctx / "repo.asc").write_text(public_key)
    (ctx / consumer_file_name(target, settings.repo_id)).write_text(consumer)
    values: dict[str, Any] = {
        "target": target,
        "base": base,
        "php": target.php_version,
        "repo_id": settings.repo_id,
        "key_file": "repo.asc",
        "sources_file": consumer_file_name(target, settings.repo_id),
        "repo_file": consumer_file_name(target, settings.repo_id),
        "apt_timeout": PACKAGE_TIMEOUT,
        "dnf_timeout": PACKAGE_TIMEOUT,
    }
    template, text = render(f"php-base/{TEMPLATES[target.family]}", **values)
    inputs = {"template": template, "containerfile": text, "key": public_key, "consumer": consumer}
    return Context(text, inputs)


IMAGE_KIND = ImageKind(
    name=KIND,
    parent="base",
    applies=lambda target: False,  # only on request: it needs a published repository
    tag=php_base_image,
    prepare=prepare_php_base,
)
