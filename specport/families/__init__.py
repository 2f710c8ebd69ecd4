"""Package families (rpm, deb): everything that differs between them, behind one Protocol.

A family answers which normalization passes apply, what the target's spec reader understands, how
its builder image is made, which engine builds, how packages are published and which file a
consumer installs. One module per family (rpm.py, deb.py), as mkosi keeps one per distribution:
adding a family is adding a module and a line in FAMILIES; no other code tests family names.
Heavy imports (engine, publishers) stay inside the methods, so `normalize` does not load Docker.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from specport.targets.model import Target

if TYPE_CHECKING:
    from specport.building.engines import Builder
    from specport.config import Settings
    from specport.images.kinds import Context
    from specport.normalize.resolver import Resolver
    from specport.repo.gpg import SigningKey
    from specport.repo.model import TargetReport
    from specport.repo.packages import Package


class Family(Protocol):
    # facts: each family module sets them as frozen dataclass fields
    @property
    def name(self) -> str: ...  # the target field `family`: "rpm" or "deb"
    @property
    def package_suffix(self) -> str: ...  # ".rpm", ".deb"
    @property
    def dist_separator(self) -> str: ...  # joins a release and a suffix: "1.el8", "1+deb12"
    @property
    def skipped_passes(self) -> frozenset[str]: ...  # normalize passes (by name) not run here
    @property
    def consumer_suffix(self) -> str: ...  # the file a repository user installs: ".repo"
    @property
    def php_base_template(self) -> str: ...  # containers/php-base/<this>
    @property
    def list_files_command(self) -> str: ...  # lists an installed package's files
    @property
    def installed_query(self) -> str: ...  # prints name=version of every installed package
    @property
    def supports_modules(self) -> bool: ...  # can publish module metadata (modules.yaml)
    @property
    def reads_specs_in_builder(self) -> bool: ...  # spec checks run in the target's builder
    @property
    def expansion_shell(self) -> str: ...  # the /bin/sh that runs %( ): "dash", "bash"
    @property
    def reads_lua(self) -> bool: ...  # does the spec reader evaluate %{lua:}?
    @property
    def checks_with_debbuild(self) -> bool: ...  # `--check` also asks debbuild --showpkgs
    @property
    def runs_lintian(self) -> bool: ...  # the engine lints what it built (lintian)

    def repository_slot(self, target: Target) -> str:
        """Where the target's packages go in a repository; two targets may not share one.
        UsageError when the target has no place in one."""
        ...

    def reads(self, target: Target, rpm_version: str) -> bool:
        """Does the target's spec reader understand syntax rpm added in `rpm_version`?"""
        ...

    def unreadable(self, token: str, since: str) -> str:
        """Why the target's reader cannot take syntax `token` (added in rpm `since`)."""
        ...

    def reader(self, target: Target) -> str:
        """Who reads the spec on the target, for messages: "debbuild", "rpm 4.14.3 (el8-php7.4)"."""
        ...

    def can_bootstrap(self, target: Target) -> bool:
        """Can specport make the base image itself (mmdebstrap), without a registry?"""
        ...

    def builder_context(
        self, target: Target, settings: Settings, base: str, ctx: Path, macros: list[Any]
    ) -> Context:
        """Fill the builder image's build context; `macros` are the macro files written there."""
        ...

    def indexed(self, target: Target) -> bool:
        """Has the target a package index to fetch (`specport index update`)?"""
        ...

    def update_index(self, target: Target, settings: Settings) -> None:
        """Fetch, verify and cache the target's package index."""
        ...

    def resolver(self, target: Target, settings: Settings, mode: str) -> Resolver | None:
        """The dependency-name resolver of the target for index mode "auto"/"offline"/"off";
        None: names stay as written, unconfirmed."""
        ...

    def solver_pool(
        self, target: Target, settings: Settings, *, offline: bool, packages: Sequence[Path] = ()
    ) -> tuple[Any, list[str]] | None:
        """(libsolv pool of the target's cached index and the package files `packages`, packages
        every system has), or None when the target has no package index configured."""
        ...

    def engine(self) -> Builder:
        """The build engine (rpmbuild, debbuild) for this family's targets."""
        ...

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
        """Put packages into the family's repository layout under repo_dir, signed."""
        ...

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
        """The .repo / .sources text a consumer installs."""
        ...


def family_of(target: Target) -> Family:
    from specport.families import deb, rpm

    families: dict[str, Family] = {"rpm": rpm.FAMILY, "deb": deb.FAMILY}
    return families[target.family]


def family_for_suffix(suffix: str) -> str | None:
    """The family name of a package file suffix (".rpm" -> "rpm"), None for other files."""
    from specport.families import deb, rpm

    for fam in (rpm.FAMILY, deb.FAMILY):
        if fam.package_suffix == suffix:
            return fam.name
    return None
