"""php-base images: PHP from the target's distribution with specport's repository configured.

Registers the `php-base` image kind (built on request, not in every target's chain), and builds
and smoke-tests an example application image that installs extensions from the repository.
Templates live in containers/php-base/. Only the repository's public key enters a context.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from specport import data, log
from specport.config import Settings, cache_root
from specport.container.engine import Engine
from specport.container.runner import Throwaway
from specport.errors import BuildError, UsageError
from specport.families import family_of
from specport.images import kinds as images
from specport.images.inputs import INPUTS_LABEL, KIND_LABEL, TARGET_LABEL, inputs_hash
from specport.repo.consumer import consumer_file_name, render_consumer_file
from specport.targets import Target

KIND = "php-base"
SMOKE_TIMEOUT = 120.0


def php_base_image(target: Target) -> str:
    return f"specport/php-base:{target.name}"


def example_app_image(target: Target) -> str:
    return f"specport/php-example-app:{target.name}"


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


def prepare_php_base(target: Target, settings: Settings, base: str, ctx: Path) -> images.Context:
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
        "apt_timeout": images.PACKAGE_TIMEOUT,
        "dnf_timeout": images.PACKAGE_TIMEOUT,
    }
    template, text = images.render(f"php-base/{family_of(target).php_base_template}", **values)
    inputs = {"template": template, "containerfile": text, "key": public_key, "consumer": consumer}
    return images.Context(text, inputs)


images.register_kind(
    images.ImageKind(
        name=KIND,
        parent="base",
        applies=lambda target: False,  # only on request: it needs a published repository
        tag=php_base_image,
        prepare=prepare_php_base,
    )
)


def build_example_app(
    engine: Engine, target: Target, settings: Settings, packages: list[str]
) -> str:
    """php-base (if stale), then the example app with `packages` from the repository; its tag."""
    if not packages:
        raise UsageError("the example app needs at least one package to install")
    base, _ = images.ensure_image(engine, KIND, target, settings)
    tag = example_app_image(target)
    with tempfile.TemporaryDirectory(prefix="specport-ctx-") as tmp:
        ctx = Path(tmp)
        app_dir = data.containers_dir() / "php-base" / "example-app"
        shutil.copyfile(app_dir / "index.php", ctx / "index.php")
        _, text = images.render(
            "php-base/example-app/Containerfile.j2",
            target=target,
            php_base=base,
            packages=packages,
            timeout=images.PACKAGE_TIMEOUT,
        )
        (ctx / "Containerfile").write_text(text)
        digest = inputs_hash({"containerfile": text, "from": images.base_identity(engine, base)})
        log_path = cache_root(settings) / "logs" / f"image-php-example-app-{target.name}.log"
        log.step(f"{target.name}: building {tag} (log: {log_path})")
        labels = {INPUTS_LABEL: digest, KIND_LABEL: "php-example-app", TARGET_LABEL: target.name}
        images.build_image(engine, ctx, tag, labels, log_path)
    return tag


def smoke_test(engine: Engine, image: str, target: Target, packages: list[str]) -> list[str]:
    """Every PHP extension (*.so) the packages ship must show in `php -m`; returns the modules."""
    list_files = family_of(target).list_files_command
    log_path = Path(tempfile.gettempdir()) / f"specport-smoke-{target.name}.log"
    with Throwaway(
        engine, image, log_path=log_path, purpose="php-smoke", network=False, target=target.name
    ) as box:
        shipped = box.run(
            f"{list_files} {' '.join(packages)} | grep -E '/php.*/[^/]+\\.so$' || true",
            timeout=SMOKE_TIMEOUT,
        ).output
        loaded = box.run(["php", "-m"], timeout=SMOKE_TIMEOUT).output
    modules = sorted({Path(line.strip()).stem for line in shipped.splitlines() if line.strip()})
    if not modules:
        raise BuildError(f"{image}: {', '.join(packages)} ship no PHP extension (*.so)")
    seen = {line.strip().lower() for line in loaded.splitlines()}
    missing = [m for m in modules if m.lower() not in seen]
    if missing:
        raise BuildError(f"{image}: `php -m` does not list {', '.join(missing)}")
    return modules
