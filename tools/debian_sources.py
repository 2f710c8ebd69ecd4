#!/usr/bin/env python3
"""Fetch upstream tarballs of Debian/Ubuntu source packages and lay them out as a lookaside.

    tools/debian_sources.py [--suite bookworm | --target ubuntu-20.04] [--out DIR]
                            SRCPKG[@SUITE][=FILENAME] ...

Only from the archives specport already uses. With `--suite` (Debian suites), a temporary deb-src
list is made from the host's own apt sources (the same parser `specport builders bootstrap` uses);
with `--target`, from the mirror and keyring that target's bootstrap and package index use
(Ubuntu's archive too, with the key from Debian's ubuntu-keyring package). `apt-get source
--download-only` fetches with a private apt state, so the host's apt is not touched, and apt checks
every file against the archive's signed index. Downloads are cached under
$SPECPORT_CACHE_DIR/sources/<suite or target> (or ~/.cache/specport). The orig tarball is copied to
OUT/<FILENAME> (default its Debian name, `pkg_ver.orig.tar.gz`, which the example specs use as
Source0): a flat lookaside for `specport build --lookaside OUT`.

`AptSources` is the same as a library (bench/build_corpus.py): which source packages a target
has, at which version, and their orig tarballs.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from specport.config import Settings, cache_root, load_config
from specport.index.aptsources import debian_mirrors, host_apt_sources
from specport.index.debian import archive_keyring, components, index_suites
from specport.targets.model import Target

APT_TIMEOUT = 600
DEBIAN_KEYRING = Path("/usr/share/keyrings/debian-archive-keyring.gpg")


def suite_src_list(suite: str) -> tuple[str, Path | None]:
    archive, _ = debian_mirrors(host_apt_sources())
    keyring = DEBIAN_KEYRING if DEBIAN_KEYRING.is_file() else None
    return f"deb-src {archive} {suite} main\n", keyring


def target_src_list(target: Target, settings: Settings) -> tuple[str, Path | None]:
    comps = " ".join(components(target))
    lines = [f"deb-src {s.uri} {s.suite} {comps}\n" for s in index_suites(target, settings)]
    return "".join(lines), archive_keyring(target, settings, fetch=True)


class AptSources:
    """A private apt state with deb-src lines: versions and orig tarballs of source packages."""

    def __init__(self, src_list: str, keyring: Path | None, cache: Path) -> None:
        self.cache = cache
        self._tmp = tempfile.TemporaryDirectory(prefix="specport-apt-")
        state = Path(self._tmp.name)
        (state / "lists" / "partial").mkdir(parents=True)
        if keyring is not None:
            src_list = src_list.replace("deb-src ", f"deb-src [signed-by={keyring}] ")
        (state / "sources.list").write_text(src_list)
        self._opts = [
            f"-oDir::Etc::SourceList={state / 'sources.list'}",
            "-oDir::Etc::SourceParts=/dev/null",
            f"-oDir::State::Lists={state / 'lists'}",
            f"-oDir::State::status={state / 'status'}",
            f"-oDir::Cache={state / 'cache'}",
            "-oAPT::Sandbox::User=root",
            "-oAcquire::Languages=none",
        ]
        (state / "status").touch()
        self._env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        self._updated = False

    def close(self) -> None:
        self._tmp.cleanup()

    def _apt(
        self, tool: str, *args: str, cwd: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        if not self._updated:
            subprocess.run(
                ["apt-get", *self._opts, "update", "-qq"],
                check=True, timeout=APT_TIMEOUT, env=self._env,
            )  # fmt: skip
            self._updated = True
        return subprocess.run(
            [tool, *self._opts, *args],
            timeout=APT_TIMEOUT, cwd=cwd, env=self._env, check=False, capture_output=True,
            text=True,
        )  # fmt: skip

    def version(self, package: str) -> str | None:
        """The newest version of source package `package`, or None when there is none."""
        done = self._apt("apt-cache", "showsrc", "--only-source", package)
        versions = re.findall(r"^Version: (\S+)$", done.stdout, re.MULTILINE)
        if not versions:
            return None
        ordered = subprocess.run(
            ["sh", "-c", 'printf "%s\\n" "$@" | sort -V', "sh", *versions],
            capture_output=True, text=True, check=True,
        ).stdout.split()  # fmt: skip
        newest = ordered[-1]
        for v in versions:  # sort -V is close to dpkg's order; dpkg decides
            if _dpkg_gt(v, newest):
                newest = v
        return newest

    def orig(self, package: str) -> Path:
        """The orig tarball of the newest `package`, from the cache or the archive."""
        where = self.cache / package
        hit = _origs(where) if where.is_dir() else []
        if hit:
            return hit[-1]
        where.mkdir(parents=True, exist_ok=True)
        done = self._apt("apt-get", "source", "--download-only", "-q", package, cwd=where)
        hit = _origs(where)
        # Some mirrors lack a .dsc or debian.tar of a package while holding its orig tarball;
        # apt fails the whole call then, but what it kept passed its hash check against the index.
        if not hit:
            sys.stderr.write(done.stdout + done.stderr)
            why = (
                "apt-get source failed" if done.returncode else "no orig tarball (native package?)"
            )
            raise SystemExit(f"debian_sources: {package}: {why}")
        return hit[-1]


def _dpkg_gt(a: str, b: str) -> bool:
    return subprocess.run(["dpkg", "--compare-versions", a, "gt", b], check=False).returncode == 0


def _origs(where: Path) -> list[Path]:
    # the main orig tarball only: not its .asc signature, not orig-COMPONENT tarballs
    return sorted(
        p
        for p in where.glob("*.orig.tar.*")
        if not p.name.endswith(".asc") and ".orig-" not in p.name
    )


def for_suite(suite: str, settings: Settings) -> AptSources:
    src_list, keyring = suite_src_list(suite)
    return AptSources(src_list, keyring, cache_root(settings) / "sources" / "debian" / suite)


def for_target(target: Target, settings: Settings) -> AptSources:
    src_list, keyring = target_src_list(target, settings)
    return AptSources(src_list, keyring, cache_root(settings) / "sources" / target.name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("packages", nargs="+", metavar="SRCPKG[@SUITE][=FILENAME]")
    parser.add_argument("--suite", default="bookworm", help="default Debian suite (bookworm)")
    parser.add_argument("--target", help="a deb target: its archive (Debian or Ubuntu)")
    parser.add_argument("--out", type=Path, default=Path("lookaside"))
    args = parser.parse_args(argv)
    config = load_config()
    args.out.mkdir(parents=True, exist_ok=True)
    states: dict[str, AptSources] = {}
    try:
        for item in args.packages:
            spec, _, name = item.partition("=")
            package, _, suite = spec.partition("@")
            key = suite or args.target or args.suite
            if key not in states:
                if args.target and not suite:
                    target = config.targets[args.target]
                    states[key] = for_target(target, config.settings)
                else:
                    states[key] = for_suite(key, config.settings)
            orig = states[key].orig(package)
            dest = args.out / (name or orig.name)
            shutil.copy2(orig, dest)
            print(dest)
    finally:
        for state in states.values():
            state.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
