"""Base images for Debian/Ubuntu targets, made with mmdebstrap where nothing can be pulled.

The rootfs tarball is cached under <cache>/rootfs/, keyed by the hash of its inputs (suite,
mirrors, packages, keyring, mmdebstrap version), so a second run only imports it. Debian mirrors
come from the host's own apt sources; Ubuntu's default mirror is mmdebstrap's own, and its
archive key comes from Debian's `ubuntu-keyring` package (downloaded with apt from the host's
Debian mirror: index/aptsources.py). EL base images cannot be made this way and are reported as
such.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from specport import log
from specport.config import Settings, cache_root
from specport.container.engine import Engine
from specport.container.imagestore import (
    INPUTS_LABEL,
    KIND_LABEL,
    TARGET_LABEL,
    image_labels,
    import_tarball,
)
from specport.digest import file_sha256
from specport.errors import EngineError, UsageError
from specport.images.inputs import inputs_hash
from specport.index.aptsources import (
    COMPONENTS,
    bootstrap_keyring,
    host_apt_sources,
    mirror_lines,
)
from specport.run import require, run
from specport.targets import Target
from specport.targets.families import facts_of

MMDEBSTRAP_TIMEOUT = 1200  # seconds; ~20 s per suite on a warm mirror, minutes on a cold one
IMPORT_TIMEOUT = 600
INCLUDE = ("apt", "ca-certificates")
MERGED_USR_SETUP = "/usr/share/mmdebstrap/hooks/merged-usr/setup00.sh"  # shipped with mmdebstrap


def base_image(target: Target, settings: Settings) -> str:
    """The base image reference of a target (with settings.image_prefix)."""
    return settings.image_prefix + target.image


def can_bootstrap(target: Target) -> bool:
    """Can specport make the target's base image itself (mmdebstrap), without a registry?"""
    return facts_of(target).bootstraps and target.distro in COMPONENTS


# --- bootstrap and import -----------------------------------------------------------------------


@dataclass(frozen=True)
class BootstrapPlan:
    target: Target
    image: str
    argv: list[str]  # mmdebstrap command line without the output path
    inputs: dict[str, Any]

    @property
    def hash(self) -> str:
        return inputs_hash(self.inputs)


def plan_bootstrap(target: Target, settings: Settings, log_path: Path) -> BootstrapPlan:
    if not can_bootstrap(target):
        raise UsageError(
            f"target {target.name}: its base image {target.image} cannot be bootstrapped here: "
            "mmdebstrap makes Debian and Ubuntu trees only",
            "get the image into the engine another way (docker pull, or docker load of a saved "
            "image)",
        )
    sources = host_apt_sources()
    mirrors = mirror_lines(target, sources)
    keyring = bootstrap_keyring(target, cache_root(settings), sources, log_path)
    argv = [
        "mmdebstrap",
        "--mode=root" if os.geteuid() == 0 else "--mode=unshare",
        "--variant=apt",
        f"--include={','.join(INCLUDE)}",
        f"--components={','.join(COMPONENTS[target.distro])}",
        f"--architectures={target.deb_arch}",
    ]
    if keyring is not None:
        argv.append(f"--keyring={keyring}")
    if target.usr_merged:
        # only the setup hook (the /usr links): the hook dir's essential check wants Debian's
        # usr-is-merged > 1, and Ubuntu ships a dummy usr-is-merged 1
        argv.append(f"--setup-hook={MERGED_USR_SETUP}")
    argv.append(target.codename)
    inputs = {
        "kind": "base",
        "mmdebstrap": mmdebstrap_version(),
        "argv": [a for a in argv if not a.startswith("--keyring=") and not a.startswith("--mode")],
        "mirrors": mirrors,
        "keyring": file_sha256(keyring) if keyring else None,
        "image": base_image(target, settings),
        "changes": import_changes(target),
    }
    return BootstrapPlan(target, base_image(target, settings), argv, inputs)


def mmdebstrap_version() -> str:
    require("mmdebstrap")
    return run(["mmdebstrap", "--version"], timeout=30, check=False).text.strip()


def import_changes(target: Target) -> list[str]:
    return [
        "ENV DEBIAN_FRONTEND=noninteractive",
        "ENV LC_ALL=C.UTF-8",
        'CMD ["bash"]',
    ]


def rootfs_tarball(plan: BootstrapPlan, settings: Settings, log_path: Path) -> Path:
    """The cached rootfs tarball of a plan; runs mmdebstrap when it is not cached yet."""
    cache = cache_root(settings) / "rootfs"
    name = plan.image.replace("/", "_").replace(":", "_")
    tarball = cache / f"{name}-{plan.hash[:16]}.tar"
    if tarball.is_file():
        log.info(f"{plan.target.name}: using cached rootfs {tarball}")
        return tarball
    cache.mkdir(parents=True, exist_ok=True)
    partial = tarball.with_suffix(".partial.tar")
    log.step(f"{plan.target.name}: mmdebstrap {plan.target.codename} (log: {log_path})")
    with tempfile.TemporaryDirectory(prefix="specport-keys-") as keys:
        try:
            run(
                [*_readable_keyring(plan.argv, Path(keys)), str(partial), *plan.inputs["mirrors"]],
                log_path=log_path,
                timeout=MMDEBSTRAP_TIMEOUT,
            )
            os.replace(partial, tarball)
        finally:
            partial.unlink(missing_ok=True)
    return tarball


def _readable_keyring(argv: list[str], where: Path) -> list[str]:
    """argv with --keyring=FILE pointing at a world-readable copy of FILE.

    apt verifies signatures as the unprivileged _apt user, which cannot read a keyring under
    root's ~/.cache (mode 700): the bootstrap then fails with NO_PUBKEY.
    """
    out = []
    for arg in argv:
        if arg.startswith("--keyring="):
            source = Path(arg.removeprefix("--keyring="))
            where.chmod(0o755)
            shutil.copyfile(source, where / source.name)
            (where / source.name).chmod(0o644)
            arg = f"--keyring={where / source.name}"
        out.append(arg)
    return out


def image_inputs(engine: Engine, image: str) -> str | None:
    """The specport.inputs label of an image in the engine; None when absent or unlabelled."""
    value = (image_labels(engine, image) or {}).get(INPUTS_LABEL)
    return str(value) if value else None


def bootstrap(
    engine: Engine, target: Target, settings: Settings, *, force: bool = False
) -> tuple[str, bool]:
    """Make target's base image with mmdebstrap and import it; (image, whether it was made)."""
    log_path = cache_root(settings) / "logs" / f"bootstrap-{target.name}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    plan = plan_bootstrap(target, settings, log_path)
    if not force and image_inputs(engine, plan.image) == plan.hash:
        log.info(f"{target.name}: base image {plan.image} is up to date")
        return plan.image, False
    tarball = rootfs_tarball(plan, settings, log_path)
    log.step(f"{target.name}: importing {tarball.name} as {plan.image}")
    changes = [
        *import_changes(target),
        f"LABEL {INPUTS_LABEL}={plan.hash}",
        f"LABEL {KIND_LABEL}=base",
        f"LABEL {TARGET_LABEL}={target.name}",
    ]
    import_tarball(engine, tarball, plan.image, changes)
    if image_inputs(engine, plan.image) != plan.hash:
        raise EngineError(f"imported {plan.image}, but the engine lost its {INPUTS_LABEL} label")
    return plan.image, True
