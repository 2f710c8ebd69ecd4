"""rpmbuild -ba for rpm targets: binary and source packages.

Build dependencies: `dnf install` of the BuildRequires the spec sandbox read (never
`dnf builddep`, which parses the spec as root with the network up), after the target's module
streams are enabled (`dnf module enable php:7.4`), so the EL8 PHP stream is what the spec builds
against: no step before rpmbuild reads the spec, and rpmbuild runs offline. An image without dnf
(the Debian-based stand-in used where EL images cannot be had) has its build dependencies
preinstalled; there rpmbuild runs with --nodeps, and a warning says so.

The packages dnf downloads are kept in the shared package cache (engines.PACKAGE_CACHE, one host
directory per target) in dnf's own layout, `<repoid>-<hash of its URLs>/packages/*.rpm`, so each
goes back where the same repository's dnf looks for it. They are copied in (from the read-only
mount) before dnf runs and the new ones go out after (downloads.py), never used in place: dnf
locks its cache directory, and the containers of a parallel build would wait on each other. dnf
checks each cached package against its repository's checksum, and downloads a bad copy again.

dnf's repository metadata is shared the same way (`<repoid>-<hash>/repodata/`, and libsolv's
`.solv`/`.solvx` caches of it under `<repoid>-<hash>/solv/`): copied in before `dnf module`
(which loads it too), out after `dnf install`, mtimes kept. dnf takes a repository's cache as
fresh while its primary file is younger than metadata_expire (libdnf's Repo age is that file's
mtime), so a second build within it asks the repositories for nothing; an older copy is
refreshed by dnf as usual (repomd.xml, then only what changed), and the refreshed files go back.
Each file goes out under a temporary name and is renamed, repomd.xml after the files it names
(downloads.merge),
and comes in first: a container never reads a repomd.xml whose files are missing. libdnf uses a
.solv only when it was written from a repomd.xml with the same checksum. specport's own set
repository (localrepo.py) is not shared: it changes under the same URL.

Reproducible output: the container's SOURCE_DATE_EPOCH (reproducible.py) becomes the build time
and the ceiling of every payload mtime, and the build host is a fixed name, so two builds of the
same input give the same bytes (the build paths are the same fixed TOPDIR in every container).
"""

from __future__ import annotations

import shlex
from pathlib import Path

from specport import log
from specport.building import downloads
from specport.building.downloads import PACKAGE_OUT
from specport.building.engines import (
    MACROS,
    PACKAGE_CACHE,
    RESULT,
    TOPDIR,
    package_cache_mount,
    raise_missing_deps,
    result_tail,
    run_build_step,
)
from specport.building.plan import INSTALL_TIMEOUT, SHORT_TIMEOUT, BuildOptions
from specport.container.runs import Throwaway
from specport.errors import DependencyError
from specport.sandbox.specinfo import SpecInfo
from specport.targets import Target

_DNF_CACHE = "/var/cache/dnf"  # dnf.conf(5) cachedir for root, on EL and on Debian alike
_from_shared = (
    f'cd {PACKAGE_CACHE} && for f in */packages/*.rpm; do [ -f "$f" ] || continue; '
    f'mkdir -p "{_DNF_CACHE}/${{f%/*}}" && cp -n "$f" "{_DNF_CACHE}/$f"; done; true'
)
# a package dnf downloaded (new, or again because the shared copy was bad) goes to PACKAGE_OUT
# in the same layout; specport moves it into the host's cache (downloads.py: the mount is
# read-only), each file under a temporary name first, so another container never copies half
_to_shared = (
    f'cd {_DNF_CACHE} && for f in */packages/*.rpm; do [ -f "$f" ] || continue; '
    f's="{PACKAGE_CACHE}/$f"; '
    f'[ -e "$s" ] && [ "$(cksum < "$f")" = "$(cksum < "$s")" ] && continue; '
    f'o="{PACKAGE_OUT}/$f"; mkdir -p "${{o%/*}}" && cp "$f" "$o"; done; true'
)

# Repository metadata: <repoid>-<hash>/repodata/ (repomd.xml and the content-hashed files it
# names) and libsolv's caches of it, <repoid>.solv and <repoid>-<kind>.solvx at the top of dnf's
# cachedir, kept in the shared cache as <repoid>-<hash>/solv/ so they stay with their repository's
# URLs. dnf takes the cache as fresh while its primary file's mtime is younger than
# metadata_expire, so every copy keeps mtimes (cp -p); a refresh that finds repomd.xml unchanged
# only touches the files, and the newer mtime goes out. libdnf uses a .solv only when it was
# written from a repomd.xml of the same checksum, and rebuilds it otherwise. A repository with a
# metalink or mirrorlist keeps it beside repodata/ (dnf downloads packages from its mirrors).
# specport's own set repository (localrepo.py) is never shared: its content changes under the
# same URL, and dnf would take an earlier build's copy as fresh.
_SOLV_KINDS = (".solv", "-filenames.solvx", "-updateinfo.solvx", "-presto.solvx", "-other.solvx")
_MIRROR_FILES = "metalink.xml mirrorlist"
_LOCAL_REPO = "specport-localrepo"
_NAMED = r"""sed -n 's|.*<location href="repodata/\([^"/]*\)".*|\1|p' "$1" | grep -v '^\.*$'"""
_METADATA_COMMON = (
    # true when $1 exists and $2 does not or is older
    'newer() { [ -e "$1" ] && { [ ! -e "$2" ] || [ "$1" -nt "$2" ]; }; }; '
    f"named() {{ {_NAMED}; }}; "
    f'for m in */repodata/repomd.xml; do [ -f "$m" ] || continue; d="${{m%%/*}}"; '
    f'case "$d" in {_LOCAL_REPO}-*) continue;; esac; id="${{d%-*}}"; '
)
# in: repomd.xml first, then what it names: a container that writes them out writes repomd.xml
# last, so the files of the repomd.xml read are all there
_metadata_from_shared = (
    f"cd {PACKAGE_CACHE} && {_METADATA_COMMON}"
    f'c="{_DNF_CACHE}/$d/repodata"; mkdir -p "$c" || continue; '
    'newer "$m" "$c/repomd.xml" && cp -p "$m" "$c/repomd.xml"; '
    'named "$c/repomd.xml" | while IFS= read -r n; do '
    'newer "$d/repodata/$n" "$c/$n" && cp -p "$d/repodata/$n" "$c/$n"; done; '
    f'for f in {_MIRROR_FILES}; do newer "$d/$f" "{_DNF_CACHE}/$d/$f" '
    f'&& cp -p "$d/$f" "{_DNF_CACHE}/$d/$f"; done; '
    f'for k in {" ".join(_SOLV_KINDS)}; do newer "$d/solv/$id$k" "{_DNF_CACHE}/$id$k" '
    f'&& cp -p "$d/solv/$id$k" "{_DNF_CACHE}/$id$k"; done; done; true'
)
# out: what is newer than the shared copy (downloaded, or touched by a refresh), to PACKAGE_OUT
# with its mtime; specport moves the files repomd.xml names, the .solv and mirror lists first,
# repomd.xml last (downloads.merge)
_metadata_to_shared = (
    f"cd {_DNF_CACHE} && "
    'put() { newer "$1" "$2" || return 0; '
    f'o="{PACKAGE_OUT}/${{2#{PACKAGE_CACHE}/}}"; mkdir -p "${{o%/*}}" && cp -p "$1" "$o"; }}; '
    f"{_METADATA_COMMON}"
    f's="{PACKAGE_CACHE}/$d"; '
    'named "$m" | while IFS= read -r n; do put "$d/repodata/$n" "$s/repodata/$n"; done; '
    f'for k in {" ".join(_SOLV_KINDS)}; do put "$id$k" "$s/solv/$id$k"; done; '
    f'for f in {_MIRROR_FILES}; do put "$d/$f" "$s/$f"; done; '
    'put "$m" "$s/repodata/repomd.xml"; done; true'
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
        # /etc/rpm/macros.* is on rpm's macro path on EL and Debian alike: rpmbuild and dnf
        # both see the target's macros
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
        shared = downloads.shared_dir(box) is not None
        if shared:
            # `dnf module` loads the repositories' metadata too: it comes in before
            box.run(_metadata_from_shared + "; " + _from_shared, timeout=SHORT_TIMEOUT, check=False)
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
        if not info.build_requires:
            return
        # the BuildRequires the sandbox read (specinfo.py), never the spec: `dnf builddep SPEC`
        # would parse it, and run its shell, as root with the network up. `dnf install` takes
        # each as a provide (`php-devel`, `pkgconfig(x) >= 1`, `/usr/bin/x`, `(a or b)`), as
        # builddep does with what it reads
        argv = ["dnf", "-y", "install", "--", *info.build_requires]
        if shared:
            # dnf deletes what it downloaded after the transaction unless told to keep it
            argv[2:2] = ["--setopt=keepcache=True"]
        result = box.run(argv, timeout=INSTALL_TIMEOUT, check=False)
        if result.exit_code != 0:
            raise_missing_deps(result, target, "dnf install")
        if shared:
            box.run(_to_shared + "; " + _metadata_to_shared, timeout=SHORT_TIMEOUT, check=False)
            downloads.keep_downloads(box)

    def build(
        self, box: Throwaway, target: Target, info: SpecInfo, spec: str, options: BuildOptions
    ) -> list[str]:
        argv = ["rpmbuild", "-ba", "--define", f"_topdir {TOPDIR}"]
        for define in REPRODUCIBLE_DEFINES:
            argv += ["--define", define]
        if self.nodeps:
            argv.append("--nodeps")
        argv += options.build_flags()  # --nocheck, --with/--without NAME
        # the packages into RESULT in the same step
        collect = f"mkdir -p {RESULT} && find {TOPDIR}/RPMS {TOPDIR}/SRPMS -name '*.rpm'"
        collect += f" -exec cp -a {{}} {RESULT}/ \\;"
        run_build_step(
            box, f"{shlex.join([*argv, spec])} && {collect}", "rpmbuild", options.timeout
        )
        return []  # rpmlint is not part of the EL build images
