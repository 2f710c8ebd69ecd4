"""An example application image on php-base: installs extensions from specport's repository,
then a smoke test checks that PHP loads every extension the packages ship."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from specport import data, log
from specport.config import Settings, cache_root
from specport.container.engine import Engine
from specport.container.imagestore import (
    INPUTS_LABEL,
    KIND_LABEL,
    TARGET_LABEL,
    base_identity,
    build_image,
)
from specport.container.runs import Throwaway
from specport.errors import BuildError, UsageError
from specport.images.context import PACKAGE_TIMEOUT, render
from specport.images.inputs import inputs_hash
from specport.images.kinds import ensure_image
from specport.images.php_base import KIND
from specport.targets import Target
from specport.targets.families import facts_of

SMOKE_TIMEOUT = 120.0


def example_app_image(target: Target) -> str:
    return f"specport/php-example-app:{target.name}"


def build_example_app(
    engine: Engine, target: Target, settings: Settings, packages: list[str]
) -> str:
    """php-base (if stale), then the example app with `packages` from the repository; its tag."""
    if not packages:
        raise UsageError("the example app needs at least one package to install")
    base, _ = ensure_image(engine, KIND, target, settings)
    tag = example_app_image(target)
    with tempfile.TemporaryDirectory(prefix="specport-ctx-") as tmp:
        ctx = Path(tmp)
        app_dir = data.containers_dir() / "php-base" / "example-app"
        shutil.copyfile(app_dir / "index.php", ctx / "index.php")
        _, text = render(
            "php-base/example-app/Containerfile.j2",
            target=target,
            php_base=base,
            packages=packages,
            timeout=PACKAGE_TIMEOUT,
        )
        (ctx / "Containerfile").write_text(text)
        digest = inputs_hash({"containerfile": text, "from": base_identity(engine, base)})
        log_path = cache_root(settings) / "logs" / f"image-php-example-app-{target.name}.log"
        log.step(f"{target.name}: building {tag} (log: {log_path})")
        labels = {INPUTS_LABEL: digest, KIND_LABEL: "php-example-app", TARGET_LABEL: target.name}
        build_image(engine, ctx, tag, labels, log_path)
    return tag


def smoke_test(engine: Engine, image: str, target: Target, packages: list[str]) -> list[str]:
    """Every PHP extension (*.so) the packages ship must show in `php -m`; returns the modules."""
    list_files = facts_of(target).list_files_command
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
