"""The builder image of a target: its base image, the builder packages and PHP devel packages,
specport's macro files, and per family what builds there (BUILDER_CONTEXTS: rpmbuild from the
distro; debbuild and its macros from the vendored release tarballs)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from specport.config import Settings
from specport.images import vendor
from specport.images.context import (
    PACKAGE_TIMEOUT,
    Context,
    ImageKind,
    render,
    target_facts,
    unique,
    write_macros,
)
from specport.targets import Target

# debbuild's runtime needs (its debbuild.spec) and what `make install` uses (msgfmt, pod2man)
DEBBUILD_PACKAGES = (
    "perl",
    "make",
    "gettext",
    "liblocale-gettext-perl",
    "lsb-release",
    "xz-utils",
    "bzip2",
    "gzip",
    "patch",
    "pax",
    "dpkg-dev",
    "fakeroot",
    "file",
)


def builder_image(target: Target) -> str:
    return f"specport/builder:{target.name}"


def _rpm_context(target: Target, settings: Settings, base: str, ctx: Path) -> Context:
    packages = unique([*target.builder_packages, *target.php_packages])
    template, text = render(
        "builder/rpm.Containerfile.j2",
        target=target,
        base=base,
        packages=packages,
        dnf_timeout=PACKAGE_TIMEOUT,
    )
    return Context(text, {"template": template, "containerfile": text})


def _deb_context(target: Target, settings: Settings, base: str, ctx: Path) -> Context:
    debbuild = vendor.resolve(vendor.DEBBUILD, settings)
    debbuild_macros = vendor.resolve(vendor.DEBBUILD_MACROS, settings)
    (ctx / "vendor").mkdir()
    for tarball in (debbuild, debbuild_macros):
        shutil.copyfile(tarball.path, ctx / "vendor" / tarball.file)
    packages = unique([*target.builder_packages, *DEBBUILD_PACKAGES, *target.php_packages])
    template, text = render(
        "builder/deb.Containerfile.j2",
        target=target,
        base=base,
        packages=packages,
        debbuild=debbuild,
        macros=debbuild_macros,
        apt_timeout=PACKAGE_TIMEOUT,
    )
    inputs: dict[str, Any] = {
        "template": template,
        "containerfile": text,
        "vendor": {"debbuild": debbuild.sha256, "debbuild-macros": debbuild_macros.sha256},
    }
    return Context(text, inputs)


# fill the builder image's context for (target, settings, FROM image, context dir)
BUILDER_CONTEXTS: dict[str, Callable[[Target, Settings, str, Path], Context]] = {
    "rpm": _rpm_context,
    "deb": _deb_context,
}


def prepare_builder(target: Target, settings: Settings, base: str, ctx: Path) -> Context:
    macros = write_macros(target, ctx / "macros.d")
    context = BUILDER_CONTEXTS[target.family](target, settings, base, ctx)
    inputs = {"target": target_facts(target), "macros": macros, **context.inputs}
    return Context(context.containerfile, inputs)


IMAGE_KIND = ImageKind(
    name="builder",
    parent="base",
    applies=lambda target: True,
    tag=builder_image,
    prepare=prepare_builder,
)
