"""The deb family: debbuild on Debian/Ubuntu images (bootstrapped with mmdebstrap), the .deb
post-step, signed APT repositories, deb822 .sources files."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from specport.errors import UsageError
from specport.targets.model import Target

if TYPE_CHECKING:
    from specport.building.engines import Builder
    from specport.config import Settings
    from specport.images.kinds import Context
    from specport.normalize.resolver import Resolver
    from specport.repo.gpg import SigningKey
    from specport.repo.model import TargetReport
    from specport.repo.packages import Package

APT_KEYRING_DIR = "/etc/apt/keyrings"  # where Debian suggests local repository keys go

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


@dataclass(frozen=True)
class DebFamily:
    name: str = "deb"
    package_suffix: str = ".deb"
    dist_separator: str = "+"  # Debian's own spelling for a post-release suffix
    # %autopatch is debbuild's own; its -m/-M range is no rpm-4.14 problem to rewrite
    skipped_passes: frozenset[str] = frozenset({"convert_autopatch_range"})
    consumer_suffix: str = ".sources"
    php_base_template: str = "deb.Containerfile.j2"
    list_files_command: str = "dpkg -L"
    installed_query: str = r"dpkg-query -W -f '${binary:Package}=${Version}\n'"
    supports_modules: bool = False
    reads_specs_in_builder: bool = True  # the builder image has debbuild and rpm itself
    expansion_shell: str = "dash"  # Debian's /bin/sh: bash syntax in %( ) expands to nothing
    reads_lua: bool = False  # only a debbuild built with Lua::API does
    checks_with_debbuild: bool = True  # debbuild reads the spec in the build, not only rpm
    runs_lintian: bool = True

    def reads(self, target: Target, rpm_version: str) -> bool:
        return False  # debbuild implements its own parser, at none of rpm's newer syntax

    def unreadable(self, token: str, since: str) -> str:
        if token == "%generate_buildrequires":
            return "debbuild has no dynamic build dependencies; list them as BuildRequires"
        return "debbuild does not evaluate it"

    def reader(self, target: Target) -> str:
        return "debbuild"

    def repository_slot(self, target: Target) -> str:
        if not target.codename:
            raise UsageError(f"{target.name}: a deb target needs a codename to publish")
        return f"APT suite {target.codename}"  # one APT repository, a suite per target

    def can_bootstrap(self, target: Target) -> bool:
        from specport.images.bootstrap import COMPONENTS

        return target.distro in COMPONENTS

    def builder_context(
        self, target: Target, settings: Settings, base: str, ctx: Path, macros: list[Any]
    ) -> Context:
        from specport.images import kinds as images
        from specport.images import vendor

        debbuild = vendor.resolve(vendor.DEBBUILD, settings)
        debbuild_macros = vendor.resolve(vendor.DEBBUILD_MACROS, settings)
        (ctx / "vendor").mkdir()
        for tarball in (debbuild, debbuild_macros):
            shutil.copyfile(tarball.path, ctx / "vendor" / tarball.file)
        packages = images.unique(
            [*target.builder_packages, *DEBBUILD_PACKAGES, *target.php_packages]
        )
        template, text = images.render(
            "builder/deb.Containerfile.j2",
            target=target,
            base=base,
            packages=packages,
            debbuild=debbuild,
            macros=debbuild_macros,
            apt_timeout=images.PACKAGE_TIMEOUT,
        )
        inputs = {
            "template": template,
            "containerfile": text,
            "vendor": {"debbuild": debbuild.sha256, "debbuild-macros": debbuild_macros.sha256},
        }
        return images.Context(text, inputs)

    def indexed(self, target: Target) -> bool:
        return True  # the bootstrap's mirror always has Packages, Sources and Contents

    def update_index(self, target: Target, settings: Settings) -> None:
        from specport.index import store

        store.update(target, settings)

    def resolver(self, target: Target, settings: Settings, mode: str) -> Resolver | None:
        from specport.index import store
        from specport.index.debresolver import IndexResolver
        from specport.normalize.resolver import RuleResolver

        if mode == "off":
            return RuleResolver(target)
        return IndexResolver(target, store.obtain(target, settings, offline=mode == "offline"))

    def solver_pool(
        self, target: Target, settings: Settings, *, offline: bool, packages: Sequence[Path] = ()
    ) -> tuple[Any, list[str]] | None:
        from specport.index import debian, solver, store

        index = store.obtain(target, settings, offline=offline)  # verified, as the resolver's
        lists = [(name, raw, raw.name) for raw, name in store.package_lists(target, settings)]
        pool = solver.deb_pool(lists, target.deb_arch, debian.solv_dir(settings))
        solver.add_package_files(pool, packages)
        return pool, list(index.essential)

    def engine(self) -> Builder:
        from specport.building.debbuild import DebBuild

        return DebBuild()

    def publish(
        self,
        repo_dir: Path,
        target: Target,
        packages: Sequence[Package],
        key: SigningKey,
        *,
        keep: int,
        module: str | None,
        repo_name: str,
        public_key: bytes,
    ) -> TargetReport:
        from specport.repo import atomic
        from specport.repo.apt import publish_deb

        atomic.write_atomically(repo_dir / "apt" / f"{repo_name}.asc", public_key)
        return publish_deb(repo_dir, target, list(packages), key, keep=keep)

    def render_consumer(
        self,
        target: Target,
        *,
        base_url: str,
        repo_id: str,
        public_key: str,
        embed_key: bool,
        module: str | None,
    ) -> str:
        from specport.repo.consumer import deb822_block, render_template

        return render_template(
            "apt.sources.j2",
            target=target,
            base_url=base_url,
            repo_id=repo_id,
            key_path=f"{APT_KEYRING_DIR}/{repo_id}.asc",
            embedded_key=deb822_block(public_key) if embed_key else "",
        )


FAMILY = DebFamily()
