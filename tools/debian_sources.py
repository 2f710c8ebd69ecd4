#!/usr/bin/env python3
"""Fetch upstream tarballs of Debian source packages and lay them out as a lookaside directory.

    tools/debian_sources.py [--suite bookworm] [--out DIR] SRCPKG[@SUITE][=FILENAME] ...

Only from the Debian archive this machine already uses: a temporary deb-src list is made from
the host's own apt sources (the same parser `specport images bootstrap` uses), and
`apt-get source --download-only` fetches with a private apt state, so the host's apt is not
touched. apt checks every file against the archive's signed index. Downloads are cached under
$SPECPORT_CACHE_DIR/sources/debian (or ~/.cache/specport). The orig tarball is copied to
OUT/<FILENAME> (default its Debian name, `pkg_ver.orig.tar.gz`, which the example specs use as
Source0): a flat lookaside for `specport build --lookaside OUT`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from specport.config import cache_root, load_config
from specport.container.bootstrap import debian_mirrors, host_apt_sources

APT_TIMEOUT = 600
DEBIAN_KEYRING = Path("/usr/share/keyrings/debian-archive-keyring.gpg")


def deb_src_list(suite: str) -> str:
    archive, _ = debian_mirrors(host_apt_sources())
    signed = f"[signed-by={DEBIAN_KEYRING}] " if DEBIAN_KEYRING.is_file() else ""
    return f"deb-src {signed}{archive} {suite} main\n"


def fetch(package: str, suite: str, cache: Path) -> Path:
    """The orig tarball of `package` in `suite`, from the cache or the archive."""
    where = cache / suite / package
    hit = _origs(where) if where.is_dir() else []
    if hit:
        return hit[-1]
    where.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="specport-apt-") as tmp:
        state = Path(tmp)
        (state / "lists" / "partial").mkdir(parents=True)
        (state / "sources.list").write_text(deb_src_list(suite))
        opts = [
            f"-oDir::Etc::SourceList={state / 'sources.list'}",
            "-oDir::Etc::SourceParts=/dev/null",
            f"-oDir::State::Lists={state / 'lists'}",
            f"-oDir::Cache={state / 'cache'}",
            "-oAPT::Sandbox::User=root",
            "-oAcquire::Languages=none",
        ]
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(
            ["apt-get", *opts, "update", "-qq"], check=True, timeout=APT_TIMEOUT, env=env
        )
        done = subprocess.run(
            ["apt-get", *opts, "source", "--download-only", "-q", f"{package}/{suite}"],
            timeout=APT_TIMEOUT,
            cwd=where,
            env=env,
            check=False,
            capture_output=True,
            text=True,
        )
    hit = _origs(where)
    # Some mirrors lack a .dsc or debian.tar of a package while holding its orig tarball; apt
    # fails the whole call then, but what it kept passed its hash check against the index.
    if not hit:
        sys.stderr.write(done.stdout + done.stderr)
        why = "apt-get source failed" if done.returncode else "no orig tarball (native package?)"
        raise SystemExit(f"debian_sources: {package} in {suite}: {why}")
    return hit[-1]


def _origs(where: Path) -> list[Path]:
    # the main orig tarball only: not its .asc signature, not orig-COMPONENT tarballs
    return sorted(
        p
        for p in where.glob("*.orig.tar.*")
        if not p.name.endswith(".asc") and ".orig-" not in p.name
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("packages", nargs="+", metavar="SRCPKG[@SUITE][=FILENAME]")
    parser.add_argument("--suite", default="bookworm", help="default suite (bookworm)")
    parser.add_argument("--out", type=Path, default=Path("lookaside"))
    args = parser.parse_args(argv)
    cache = cache_root(load_config().settings) / "sources" / "debian"
    args.out.mkdir(parents=True, exist_ok=True)
    for item in args.packages:
        spec, _, name = item.partition("=")
        package, _, suite = spec.partition("@")
        orig = fetch(package, suite or args.suite, cache)
        dest = args.out / (name or orig.name)
        shutil.copy2(orig, dest)
        print(dest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
