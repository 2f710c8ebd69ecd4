"""The rpm family: rpmbuild on EL images, signed rpm-md repositories, dnf .repo files."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from specport.targets.model import Target, version_tuple

if TYPE_CHECKING:
    from specport.building.engines import Builder
    from specport.config import Settings
    from specport.images.kinds import Context
    from specport.normalize.resolver import Resolver
    from specport.repo.gpg import SigningKey
    from specport.repo.model import TargetReport
    from specport.repo.packages import Package


@dataclass(frozen=True)
class RpmFamily:
    name: str = "rpm"
    package_suffix: str = ".rpm"
    dist_separator: str = "."
    # Debian's ini layout and dpkg's scriptlet arguments are deb matters
    skipped_passes: frozenset[str] = frozenset(
        {
            "debian_ini_layout",
            "fedora_config_defines",
            "translate_commands",
            "translate_files",
            "translate_scriptlets",
            # EL8 and EL9 ship the forge macros (redhat-rpm-config's macros.forge)
            "expand_forge_macros",
            "expand_source_names",
            "trim_tag_values",  # rpm strips them itself
        }
    )
    consumer_suffix: str = ".repo"
    php_base_template: str = "rpm.Containerfile.j2"
    list_files_command: str = "rpm -ql"
    installed_query: str = r"rpm -qa --qf '%{NAME}.%{ARCH}=%{EPOCHNUM}:%{VERSION}-%{RELEASE}\n'"
    supports_modules: bool = True  # modules.yaml for EL module streams
    # EL images cannot be assumed present: an rpm of the target's era reads its specs instead
    reads_specs_in_builder: bool = False
    expansion_shell: str = "bash"  # EL's /bin/sh
    reads_lua: bool = True
    checks_with_debbuild: bool = False
    runs_lintian: bool = False

    def reads(self, target: Target, rpm_version: str) -> bool:
        return target.rpm_version_tuple >= version_tuple(rpm_version)

    def unreadable(self, token: str, since: str) -> str:
        return f"needs rpm {since}"

    def reader(self, target: Target) -> str:
        return f"rpm {target.rpm_version} ({target.name})"

    def repository_slot(self, target: Target) -> str:
        return f"rpm-md repository rpm/{target.name}"

    def can_bootstrap(self, target: Target) -> bool:
        return False  # mmdebstrap makes Debian/Ubuntu trees only; EL images are pulled or loaded

    def builder_context(
        self, target: Target, settings: Settings, base: str, ctx: Path, macros: list[Any]
    ) -> Context:
        from specport.images import kinds as images

        packages = images.unique([*target.builder_packages, *target.php_packages])
        template, text = images.render(
            "builder/rpm.Containerfile.j2",
            target=target,
            base=base,
            packages=packages,
            dnf_timeout=images.PACKAGE_TIMEOUT,
        )
        return images.Context(text, {"template": template, "containerfile": text})

    def indexed(self, target: Target) -> bool:
        return bool(target.rpm_repos)  # EL mirrors are target data the user sets

    def update_index(self, target: Target, settings: Settings) -> None:
        from specport.index import rpmstore

        rpmstore.update(target, settings)

    def resolver(self, target: Target, settings: Settings, mode: str) -> Resolver | None:
        from specport.index import rpmstore
        from specport.index.resolvers import RpmIndexResolver

        if mode == "off" or not target.rpm_repos:
            return None  # Fedora's names are the target's: nothing to translate
        index = rpmstore.obtain(target, settings, offline=mode == "offline")
        return RpmIndexResolver(target, index)

    def solver_pool(
        self, target: Target, settings: Settings, *, offline: bool, packages: Sequence[Path] = ()
    ) -> tuple[Any, list[str]] | None:
        import tempfile

        from specport.index import rpmstore, solver

        if not target.rpm_repos:
            return None
        rpmstore.obtain(target, settings, offline=offline)  # verified, as the resolver's
        with tempfile.TemporaryDirectory(prefix="specport-solv-") as tmp:
            repos = rpmstore.metadata_files(target, settings, Path(tmp))
            pool = solver.rpm_pool(repos, target.arch)
        solver.add_package_files(pool, packages)
        # last: libsolv's map of what it considers is as long as the pool when it is set
        artifacts = rpmstore.module_artifacts(target, settings)
        solver.apply_module_streams(pool, artifacts, target.module_streams)
        return pool, []

    def engine(self) -> Builder:
        from specport.building.rpmbuild import RpmBuild

        return RpmBuild()

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
        from specport.repo.rpmmd import publish_rpm

        return publish_rpm(repo_dir, target, list(packages), key, keep=keep, module=module)

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
        from specport.repo.consumer import render_template

        return render_template(
            "dnf.repo.j2", target=target, base_url=base_url, repo_id=repo_id, module=module
        )


FAMILY = RpmFamily()
