"""The seam between "how to build a spec" and "which package format comes out".

Each engine module (rpmbuild.py, debbuild.py) implements `Builder`; builders.py's ENGINES maps
a target's family to it. Paths inside the builder container are fixed here, for all engines.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Protocol

from specport.building.plan import BuildOptions
from specport.container.runs import RunResult, Throwaway
from specport.errors import BuildError, DependencyError
from specport.normalize.depsyntax import dpkg_relation
from specport.sandbox.specinfo import SpecInfo
from specport.targets import Target

WORK = "/specport"  # everything specport puts in the container lives here
TOPDIR = f"{WORK}/top"  # %_topdir of both rpmbuild and debbuild
MACROS = f"{WORK}/macros"  # the target's macro files, as copied in
RESULT = f"{WORK}/result"  # final packages, flat; the one directory copied out
PACKAGE_CACHE = "/specport-packages"  # the shared download cache, mounted read-only if at all


class Builder(Protocol):
    def stage(self, work: Path) -> None:
        """Add the files the engine's own steps need to `work`, which is copied in as WORK."""

    def install_macros(self, box: Throwaway, names: list[str]) -> None:
        """Make the macro files copied to MACROS/<name> part of every later rpm/debbuild run."""

    def package_cache(self, cache: Path | None, target: Target) -> dict[str, str]:
        """The mounts that share downloaded build dependencies between containers ({}: none)."""

    def install_build_deps(self, box: Throwaway, target: Target, info: SpecInfo, spec: str) -> None:
        """Install the spec's BuildRequires (network still on); DependencyError names misses."""

    def build(
        self, box: Throwaway, target: Target, info: SpecInfo, spec: str, options: BuildOptions
    ) -> list[str]:
        """Build `spec` offline, leave the final packages in RESULT; return lint errors."""


def package_cache_mount(cache: Path | None, target: Target) -> dict[str, str]:
    """The shared download cache's mount: one host directory per target (a file name can
    differ in content across targets), at PACKAGE_CACHE; {} without a cache."""
    if cache is None:
        return {}
    where = cache / target.name
    where.mkdir(parents=True, exist_ok=True)
    return {str(where): PACKAGE_CACHE}


def rpm_dep_to_deb(dep: str) -> str:
    """`name >= 1.2` (rpm) -> `name (>= 1.2)` (dpkg); rpm's < and > are dpkg's << and >>.
    A rich `(a or b >= 2)` (the normalizer writes alternatives so) -> `a | b (>= 2)`."""
    text = dep.strip()
    if text.startswith("(") and text.endswith(")") and " or " in text:
        inner = text[1:-1]
        if "(" not in inner and " and " not in inner:
            return " | ".join(rpm_dep_to_deb(part) for part in inner.split(" or "))
    m = re.fullmatch(r"\s*(\S+)\s*(<=|>=|=|<|>)\s*(\S+)\s*", dep)
    if not m:
        return dep.strip()
    return f"{m[1]} ({dpkg_relation(m[2])} {m[3]})"


# what apt and dnf say when a dependency cannot be had; group 1 is its name
_MISSING = [
    re.compile(r"Unable to locate package (\S+)"),
    re.compile(r"Package '?([^'\s]+)'? has no installation candidate"),
    re.compile(r"Depends: (\S+).* but it is not (?:installable|going to be installed)"),
    re.compile(r"Depends: (\S+ \([^)]*\)) but \S+ is to be installed"),
    re.compile(r"No matching package to install: '([^']+)'"),
    re.compile(r"No package (\S+) available"),
    # dnf install's line for a name (or provide) no repository has
    re.compile(r"No match for argument: (.+?)\s*$", re.MULTILINE),
    # libsolv's problem line when a package found needs what no repository has
    re.compile(r"nothing provides (\S+(?: [<>=]+ \S+)?) needed by"),
]


def raise_missing_deps(result: RunResult, target: Target, tool: str) -> None:
    names = [m[1] for rx in _MISSING for m in rx.finditer(result.output)]
    unique = list(dict.fromkeys(names))
    if unique:
        raise DependencyError(
            f"{target.name}: {tool} cannot install build dependencies: {', '.join(unique)}",
            hint="check the names in BuildRequires (or the name rules for this target)",
        )
    raise DependencyError(
        f"{target.name}: {tool} failed to install the build dependencies (exit {result.exit_code})",
        hint=f"log: {result_tail(result)}",
    )


def result_tail(result: RunResult) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    return lines[-1].strip()[:200] if lines else "no output"


CHECK_HINT = "the spec's tests failed in %check; --nocheck builds without running them"
# rpmbuild: "Bad exit status from /var/tmp/rpm-tmp.X (%build)"
# debbuild: "Exec of /var/tmp/deb-tmp.build.N failed (%build)"
_FAILED_SECTION = re.compile(r"(?:Bad exit status from|Exec of) \S+ (?:failed )?\((%\w+)\)")


def run_build_step(box: Throwaway, argv: list[str] | str, tool: str, timeout: float) -> None:
    """Run rpmbuild/debbuild (argv, or a bash command line that runs it); a failure says which
    spec section failed, in one line."""
    result = box.run(argv, timeout=timeout, check=False)
    if result.exit_code == 0:
        return
    sections = _FAILED_SECTION.findall(result.output)
    where = f" in {sections[-1]}" if sections else ""
    hint = f"log: {box.log_path}"
    if sections and sections[-1] == "%check":
        # upstream test suites fail for reasons of their own (a network, a database file)
        hint = CHECK_HINT
    raise BuildError(
        f"{tool} failed{where} (exit {result.exit_code}): {result_tail(result)}", hint=hint
    )
