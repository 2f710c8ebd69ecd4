"""The package families (rpm, deb) as data: the one place that maps a family to its facts.

Every layer reads these facts; behaviour that differs by family lives in the layer that has it,
in a small table keyed by the family's name (building's engines, repo's publishers, index's
stores, the images' builder contexts, normalize's spec readers). A target's `builder` and
`name_rules` follow from its family: the loader refuses a target whose fields name another
family's (targets/loader.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the model's schema reads the family names from here
    from specport.targets.model import Target


@dataclass(frozen=True)
class FamilyFacts:
    name: str  # the target field `family`: "rpm" or "deb"
    package_suffix: str  # ".rpm", ".deb"
    dist_separator: str  # joins a release and a suffix: "1.el8", "1+deb12"
    consumer_suffix: str  # the file a repository user installs: ".repo", ".sources"
    list_files_command: str  # lists an installed package's files
    installed_query: str  # prints name=version of every installed package
    supports_modules: bool  # can publish module metadata (modules.yaml)
    reads_specs_in_builder: bool  # spec checks run in the target's builder image
    expansion_shell: str  # the /bin/sh that runs %( ): "dash", "bash"
    reads_lua: bool  # does the spec reader evaluate %{lua:}?
    checks_with_debbuild: bool  # `--check` also asks debbuild --showpkgs
    runs_lintian: bool  # the engine lints what it built (lintian)
    skipped_passes: frozenset[str]  # normalize passes (by name) not run for the family
    builder: str  # the build program: "rpmbuild", "debbuild"
    spec_reader: str  # who reads the spec on the target: "rpm", "debbuild"
    name_rules: str  # the package-name rule set: "fedora" (kept), "debian" (translated)
    translates_names: bool  # dependency names change for the family (Fedora's -> Debian's)
    bootstraps: bool  # specport makes base images itself (mmdebstrap), no registry needed


RPM = FamilyFacts(
    name="rpm",
    package_suffix=".rpm",
    dist_separator=".",
    consumer_suffix=".repo",
    list_files_command="rpm -ql",
    installed_query=r"rpm -qa --qf '%{NAME}.%{ARCH}=%{EPOCHNUM}:%{VERSION}-%{RELEASE}\n'",
    supports_modules=True,  # modules.yaml for EL module streams
    # EL images cannot be assumed present: an rpm of the target's era reads its specs instead
    reads_specs_in_builder=False,
    expansion_shell="bash",  # EL's /bin/sh
    reads_lua=True,
    checks_with_debbuild=False,
    runs_lintian=False,
    # Debian's ini layout and dpkg's scriptlet arguments are deb matters
    skipped_passes=frozenset(
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
            "drop_dependency_filters",  # EL's rpm has the filter macros
            "rename_builtin_clashes",  # rpm lets the spec's definition win
        }
    ),
    builder="rpmbuild",
    spec_reader="rpm",
    name_rules="fedora",
    translates_names=False,
    bootstraps=False,  # mmdebstrap makes Debian/Ubuntu trees only; EL images are pulled or loaded
)

DEB = FamilyFacts(
    name="deb",
    package_suffix=".deb",
    dist_separator="+",  # Debian's own spelling for a post-release suffix
    consumer_suffix=".sources",
    list_files_command="dpkg -L",
    installed_query=r"dpkg-query -W -f '${binary:Package}=${Version}\n'",
    supports_modules=False,
    reads_specs_in_builder=True,  # the builder image has debbuild and rpm itself
    expansion_shell="dash",  # Debian's /bin/sh: bash syntax in %( ) expands to nothing
    reads_lua=False,  # only a debbuild built with Lua::API does
    checks_with_debbuild=True,  # debbuild reads the spec in the build, not only rpm
    runs_lintian=True,
    # %autopatch is debbuild's own; its -m/-M range is no rpm-4.14 problem to rewrite
    skipped_passes=frozenset({"convert_autopatch_range"}),
    builder="debbuild",
    spec_reader="debbuild",
    name_rules="debian",
    translates_names=True,
    bootstraps=True,
)

FAMILIES: dict[str, FamilyFacts] = {f.name: f for f in (RPM, DEB)}


def facts_of(target: Target) -> FamilyFacts:
    return FAMILIES[target.family]


def family_for_suffix(suffix: str) -> str | None:
    """The family name of a package file suffix (".rpm" -> "rpm"), None for other files."""
    for facts in FAMILIES.values():
        if facts.package_suffix == suffix:
            return facts.name
    return None


def mismatch(family: str, field: str, value: str) -> str | None:
    """Why a target of `family` cannot have `field` (builder, name_rules) = value, or None."""
    facts = FAMILIES.get(family)
    wanted = getattr(facts, field, None) if facts else None
    if wanted is None or value == wanted:
        return None
    return f"{value!r} is not the {family} family's {field} (it is {wanted!r})"
