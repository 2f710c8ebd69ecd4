"""rpmbuild -ba for rpm targets: binary and source packages.

Build dependencies come from `dnf builddep` after the target's module streams are enabled
(`dnf module enable php:7.4`), so the EL8 PHP stream is what the spec builds against. An image
without dnf (the Debian-based stand-in used where EL images cannot be had) has its build
dependencies preinstalled; there rpmbuild runs with --nodeps, and a warning says so.

The packages dnf downloads are kept in the shared package cache (engines.PACKAGE_CACHE, one host
directory per target) in dnf's own layout, `<repoid>-<hash of its URLs>/packages/*.rpm`, so each
goes back where the same repository's dnf looks for it. They are copied in before dnf runs and
the new ones copied out after, never used in place: dnf locks its cache directory, and the
containers of a parallel build would wait on each other. dnf checks each cached package against
its repository's checksum, and downloads a bad copy again.

Reproducible output: the container's SOURCE_DATE_EPOCH (reproducible.py) becomes the build time
and the ceiling of every payload mtime, and the build host is a fixed name, so two builds of the
same input give the same bytes (the build paths are the same fixed TOPDIR in every container).
"""

from __future__ import annotations

import shlex
from pathlib import Path

from specport import log
from specport.build.engines import (
    MACROS,
    PACKAGE_CACHE,
    RESULT,
    TOPDIR,
    package_cache_mount,
    raise_missing_deps,
    result_tail,
    run_build_step,
)
from specport.build.plan import INSTALL_TIMEOUT, SHORT_TIMEOUT, BuildOptions
from specport.build.specinfo import SpecInfo
from specport.container.runner import Throwaway
from specport.errors import DependencyError
from specport.targets import Target

_DNF_CACHE = "/var/cache/dnf"  # dnf.conf(5) cachedir for root, on EL and on Debian alike
_from_shared = (
    f'cd {PACKAGE_CACHE} && for f in */packages/*.rpm; do [ -f "$f" ] || continue; '
    f'mkdir -p "{_DNF_CACHE}/${{f%/*}}" && cp -n "$f" "{_DNF_CACHE}/$f"; done; true'
)
# a package dnf downloaded (new, or again because the shared copy was bad) goes out; each under
# a temporary name first (mktemp's: unique across containers, unlike $$), so another container
# never copies half of one
_to_shared = (
    f'cd {_DNF_CACHE} && for f in */packages/*.rpm; do [ -f "$f" ] || continue; '
    f's="{PACKAGE_CACHE}/$f"; '
    f'[ -e "$s" ] && [ "$(cksum < "$f")" = "$(cksum < "$s")" ] && continue; '
    f'd="${{s%/*}}"; mkdir -p "$d" && t=$(mktemp "$d/.${{f##*/}}.XXXXXX") && cp "$f" "$t" '
    f'&& chmod 644 "$t" && mv -f "$t" "$s"; done; true'
)

# rpm >= 4.14 reads these; each is a no-op without SOURCE_DATE_EPOCH in the environment
REPRODUCIBLE_DEFINES = (
    "_buildhost specport",
    "use_source_date_epoch_as_buildtime 1",
    "clamp_mtime_to_source_date_epoch 1",
)


class RpmBuild:
    def __init__(self) -> None:
        self.nodeps = False
        self.has_dnf = True

    def stage(self, work: Path) -> None:
        pass  # rpmbuild needs nothing of specport's in the container

    def package_cache(self, cache: Path | None, target: Target) -> dict[str, str]:
        return package_cache_mount(cache, target)

    def install_macros(self, box: Throwaway, names: list[str]) -> None:
        # /etc/rpm/macros.* is on rpm's macro path on EL and Debian alike: rpmbuild, rpmspec and
        # dnf builddep all see the target's macros
        dests = [n if n.startswith("macros.") else f"macros.{n}" for n in names]
        cmds = [
            f"cp {MACROS}/{shlex.quote(n)} /etc/rpm/{shlex.quote(d)}"
            for n, d in zip(names, dests, strict=True)
        ]
        # the same step asks whether the image has dnf (the Debian stand-in has not): one
        # container exec fewer on every build
        cmds.append("{ command -v dnf >/dev/null || echo specport-no-dnf; }")
        done = box.run("mkdir -p /etc/rpm && " + " && ".join(cmds), timeout=SHORT_TIMEOUT)
        self.has_dnf = "specport-no-dnf" not in done.output

    def install_build_deps(self, box: Throwaway, target: Target, info: SpecInfo, spec: str) -> None:
        if not self.has_dnf:
            log.warn(
                f"{target.name}: the build image has no dnf; using its preinstalled packages "
                "and rpmbuild --nodeps (stand-in image)"
            )
            self.nodeps = True
            return
        for stream in target.module_streams:
            module = stream.split(":", 1)[0]
            enabled = box.run(
                f"dnf -y module reset {shlex.quote(module)} && "
                f"dnf -y module enable {shlex.quote(stream)}",
                timeout=INSTALL_TIMEOUT,
                check=False,
            )
            if enabled.exit_code != 0:
                raise DependencyError(
                    f"{target.name}: dnf cannot enable module stream {stream}: "
                    f"{result_tail(enabled)}",
                    hint="check the target's module_streams against the image's repositories",
                )
        shared = PACKAGE_CACHE in box.mounts.values()
        argv = ["dnf", "-y", "builddep", spec]
        if shared:
            box.run(_from_shared, timeout=SHORT_TIMEOUT, check=False)
            # dnf deletes what it downloaded after the transaction unless told to keep it
            argv[1:1] = ["--setopt=keepcache=True"]
        result = box.run(argv, timeout=INSTALL_TIMEOUT, check=False)
        if result.exit_code != 0:
            raise_missing_deps(result, target, "dnf builddep")
        if shared:
            box.run(_to_shared, timeout=SHORT_TIMEOUT, check=False)

    def build(
        self, box: Throwaway, target: Target, info: SpecInfo, spec: str, options: BuildOptions
    ) -> list[str]:
        argv = ["rpmbuild", "-ba", "--define", f"_topdir {TOPDIR}"]
        for define in REPRODUCIBLE_DEFINES:
            argv += ["--define", define]
        if self.nodeps:
            argv.append("--nodeps")
        # the packages into RESULT in the same step
        collect = f"mkdir -p {RESULT} && find {TOPDIR}/RPMS {TOPDIR}/SRPMS -name '*.rpm'"
        collect += f" -exec cp -a {{}} {RESULT}/ \\;"
        run_build_step(
            box, f"{shlex.join([*argv, spec])} && {collect}", "rpmbuild", options.timeout
        )
        return []  # rpmlint is not part of the EL build images
