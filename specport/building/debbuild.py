"""debbuild -ba for deb targets, then specport's deb post-step (debfix) and lintian.

Learned from debbuild 24.12.0 itself: every directory under %_topdir must exist before it runs
(it does not create BUILD); its default %dist (lsb_detection) is "<ID><VERSION_ID>" with no
separator ("1debian12"), so specport defines %dist as the target's tag ("+deb12"), both in the
normalized spec (%global) and here (--define, which debbuild documents as the override); the
version then comes out as Release says, and the post-step only checks it. It checks
BuildRequires with dpkg-query but never installs them, so apt does that first.

Reproducible output: the container's SOURCE_DATE_EPOCH (reproducible.py, from the %changelog)
dates the post-step's changelog.Debian.gz, clamps every mtime of the final trees (debfix.sh
pack) and of the .sdeb's SPECS/SOURCES, and dpkg-deb dates its ar members by it.
"""

from __future__ import annotations

import os
import shlex
import tempfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from specport.building import debdeps, debfix, downloads, lintverdict, reproducible
from specport.building.downloads import PACKAGE_OUT
from specport.building.engines import (
    MACROS,
    PACKAGE_CACHE,
    RESULT,
    TOPDIR,
    WORK,
    package_cache_mount,
    raise_missing_deps,
    rpm_dep_to_deb,
    run_build_step,
)
from specport.building.plan import INSTALL_TIMEOUT, SHORT_TIMEOUT, BuildOptions
from specport.container.runs import Throwaway
from specport.errors import SpecportError
from specport.normalize.resolver import Resolver
from specport.sandbox.specinfo import SpecInfo
from specport.targets import Target

MACROS_D = "/usr/lib/debbuild/macros.d"
_ARCHIVES = "/var/cache/apt/archives"
# apt checks the hashes of what it finds in its archive directory: a bad copy is downloaded again
_from_shared = f"cp -n {PACKAGE_CACHE}/*.deb {_ARCHIVES}/ 2>/dev/null; true"
# what the shared cache lacks goes to PACKAGE_OUT; specport moves it to the host's cache
# (downloads.py): the mount is read-only
_to_shared = (
    f"mkdir -p {PACKAGE_OUT} && for f in {_ARCHIVES}/*.deb; do n=${{f##*/}}; "
    f'[ -e {PACKAGE_CACHE}/"$n" ] && continue; cp "$f" {PACKAGE_OUT}/ ; done; true'
)
DEBFIX = f"{WORK}/debfix"
# dpkg-checkbuilddeps reads a control file; -d gives the dependencies, so a stub will do
_CONTROL_FILE = f"{WORK}/checkbuilddeps.control"
_CONTROL = rf"printf 'Source: specport\n\nPackage: specport\nArchitecture: any\n' > {_CONTROL_FILE}"
# debbuild's own .debs are unpacked again at once by the post-step, which packs the final ones
# (xz): compressing them first is time spent for nothing
_DPKG_DEB = "__dpkg_deb /usr/bin/dpkg-deb -Znone"


class DebBuild:
    def stage(self, work: Path) -> None:
        script = work / "debfix.sh"  # the post-step's container half, copied in with the spec
        script.write_text(debfix.script_text(), encoding="utf-8")
        script.chmod(0o755)

    def install_macros(self, box: Throwaway, names: list[str]) -> None:
        cmds = [f"cp {MACROS}/{shlex.quote(n)} {MACROS_D}/{shlex.quote(n)}" for n in names]
        if cmds:
            box.run(f"mkdir -p {MACROS_D} && " + " && ".join(cmds), timeout=SHORT_TIMEOUT)

    def package_cache(self, cache: Path | None, target: Target) -> dict[str, str]:
        return package_cache_mount(cache, target)

    def install_build_deps(self, box: Throwaway, target: Target, info: SpecInfo, spec: str) -> None:
        if not info.build_requires:
            return
        # apt-get satisfy takes dependency strings, so versioned BuildRequires keep their bound
        deps = [rpm_dep_to_deb(d) for d in info.build_requires]
        # what the builder image has installed already needs no index download: dpkg's own
        # check (versions, alternatives, Provides) says so in milliseconds; `apt-get update`
        # and satisfy would install nothing (satisfy never upgrades what already satisfies)
        probe = box.run(
            f"{_CONTROL} && dpkg-checkbuilddeps -d {shlex.quote(', '.join(deps))} {_CONTROL_FILE}",
            timeout=SHORT_TIMEOUT,
            check=False,
        )
        if probe.exit_code == 0:
            return
        shared = downloads.shared_dir(box) is not None
        if shared:
            # copies, not apt's own directory on the mount: apt locks its archive directory,
            # and the containers of a parallel build would wait on (or fail at) each other
            box.run(_from_shared, timeout=SHORT_TIMEOUT, check=False)
        box.run("apt-get update -q", timeout=INSTALL_TIMEOUT)
        result = box.run(
            ["apt-get", "satisfy", "-y", "-q", "--no-install-recommends", *deps],
            timeout=INSTALL_TIMEOUT,
            check=False,
        )
        if result.exit_code != 0:
            raise_missing_deps(result, target, "apt-get")
        if shared:
            box.run(_to_shared, timeout=SHORT_TIMEOUT, check=False)
            downloads.keep_downloads(box)

    def build(
        self, box: Throwaway, target: Target, info: SpecInfo, spec: str, options: BuildOptions
    ) -> list[str]:
        dirs = " ".join(f"{TOPDIR}/{d}" for d in ("BUILD", "BUILDROOT", "DEBS", "SDEBS"))
        setup = f"mkdir -p {dirs} {RESULT}"
        epoch = box.env.get(reproducible.ENV, "")
        if epoch.isdigit():
            # the .sdeb packs SPECS and SOURCES as they are: their copy-in time must not show
            setup += (
                f" && find {TOPDIR}/SPECS {TOPDIR}/SOURCES -newermt @{epoch}"
                f" -exec touch -h -d @{epoch} {{}} +"
            )
        box.run(setup, timeout=SHORT_TIMEOUT)
        argv = ["debbuild", "--define", f"_topdir {TOPDIR}", "--define", f"dist {target.dist}"]
        argv += ["--define", _DPKG_DEB]
        # debbuild 24.12 takes rpmbuild's --nocheck (skips %check) and --with/--without
        argv += options.build_flags()
        # -vv: below verbosity 2 debbuild sends every %prep/%build/%install script's output to
        # /dev/null, and the build log would say nothing about why a build failed
        # --nodeps: apt-get satisfy installed the BuildRequires (alternatives and versions
        # included) before this; debbuild's own check reads `(a or b)` as a package "b)"
        run_build_step(box, [*argv, "-vv", "--nodeps", "-ba", spec], "debbuild", options.timeout)
        hashes = post_step(box, fix_context(target, info, options, epoch))
        return lintverdict.lint(box, target, options.lint_cache, hashes) if options.lintian else []


def fix_context(
    target: Target, info: SpecInfo, options: BuildOptions, epoch: str = ""
) -> debfix.FixContext:
    # SOURCE_DATE_EPOCH (reproducible-builds.org): the container's, else specport's own
    epoch = epoch or os.environ.get(reproducible.ENV, "")
    built = reproducible.epoch_date(epoch) or datetime.now(UTC)
    return debfix.FixContext(
        maintainer=info.packager or options.maintainer,
        dist=target.dist,
        codename=target.codename or "unstable",
        upstream=info.name,
        license=info.license,
        url=info.url,
        note=f"Built by specport for {target.name} from the RPM spec of {info.name}.",
        built=built,
        lookup=_index_lookup(options.resolvers.get(target.name)),
    )


def _index_lookup(resolver: Resolver | None) -> debdeps.Lookup | None:
    """A Fedora module name -> the target package the build's resolver names for it (a route
    the package index confirms, never a pattern's guess), "" for none."""
    if resolver is None:
        return None

    def lookup(name: str) -> str:
        try:
            found = resolver.resolve(name)
        except SpecportError:
            return ""
        return found.name if found is not None and not found.guess else ""

    return lookup


def post_step(box: Throwaway, ctx: debfix.FixContext) -> str:
    """debfix.sh unpack -> debfix.py on the host -> debfix.sh pack; final .debs and the .sdeb
    in RESULT. Returns `sha256sum` of the final .debs (lintian's verdict is kept by them).
    stage() put debfix.sh in WORK."""
    with tempfile.TemporaryDirectory(prefix="specport-debfix-") as tmp:
        box.run(
            f"mkdir -p {DEBFIX}/in"
            f" && find {TOPDIR}/DEBS -name '*.deb' -exec mv {{}} {DEBFIX}/in/ \\;"
            f" && sh {WORK}/debfix.sh unpack {DEBFIX}/in {DEBFIX}/work",
            timeout=SHORT_TIMEOUT,
        )
        meta = box.copy_out(f"{DEBFIX}/work/meta", tmp)
        notes = []
        metas = sorted(meta.iterdir())
        ctx = replace(ctx, lookup=debdeps.siblings_first(debfix.shipped_names(metas), ctx.lookup))
        for pkg in metas:
            name = (pkg / "deb").read_text(encoding="utf-8").strip()
            notes += [f"# post-step {name}: {c}\n" for c in debfix.fix_package(pkg, ctx)]
        with box.log_path.open("a", encoding="utf-8") as out:
            out.writelines(notes)
        box.copy_in(meta, DEBFIX, name="fixed")  # beside the unpacked meta, not over it
        packed = box.run(
            f"sh {WORK}/debfix.sh pack {DEBFIX}/work {RESULT} {DEBFIX}/fixed"
            f" && find {TOPDIR}/SDEBS -name '*.sdeb' -exec cp -a {{}} {RESULT}/ \\;"
            f" && cd {RESULT} && sha256sum -- *.deb",
            timeout=SHORT_TIMEOUT,
        )
        return packed.output
