#!/usr/bin/env python3
"""Fetch upstream tarballs of Debian source packages and lay them out as a lookaside directory.

    tools/debian_sources.py [--suite bookworm] [--out DIR] SRCPKG[=FILENAME] ...

Only from the Debian archive this machine already uses: a temporary deb-src list is made from
the host's own apt sources (/etc/apt/sources.list, sources.list.d/*.list and *.sources), and
`apt-get source --download-only` fetches with a private apt state, so the host's apt is not
touched. Downloads are cached under $SPECPORT_CACHE_DIR/sources/debian (or ~/.cache/specport).
The orig tarball is copied to OUT/<FILENAME> (default: its Debian name, `pkg_ver.orig.tar.gz`,
which the example specs use as Source0): a flat lookaside for `specport build --lookaside OUT`.
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

APT_TIMEOUT = 600


def host_apt_sources(root: Path = Path("/etc/apt")) -> list[tuple[str, list[str], list[str]]]:
    """(URI, suites, components) of every `deb` entry in the host's apt configuration."""
    found: list[tuple[str, list[str], list[str]]] = []
    one_line = [root / "sources.list", *sorted((root / "sources.list.d").glob("*.list"))]
    for path in one_line:
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            line = re.sub(r"\[[^]]*\]", "", line.split("#", 1)[0]).split()  # type: ignore[assignment]
            if len(line) >= 3 and line[0] == "deb":
                found.append((line[1], [line[2]], list(line[3:])))
    for path in sorted((root / "sources.list.d").glob("*.sources")):
        for stanza in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
            fields = _deb822(stanza)
            if "deb" in fields.get("types", "").split() and fields.get("enabled", "yes") != "no":
                for uri in fields.get("uris", "").split():
                    found.append(
                        (
                            uri,
                            fields.get("suites", "").split(),
                            fields.get("components", "").split(),
                        )
                    )
    return found


def _deb822(stanza: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    key = ""
    for line in stanza.splitlines():
        if line.startswith("#"):
            continue
        if line[:1].isspace() and key:
            fields[key] += " " + line.strip()
        elif ":" in line:
            key, value = line.split(":", 1)
            key = key.strip().lower()
            fields[key] = value.strip()
    return fields


def deb_src_list(suite: str, sources: list[tuple[str, list[str], list[str]]]) -> str:
    """deb-src lines for `suite` on the host's archive (same URI as the host's main suite)."""
    lines = []
    for uri, suites, components in sources:
        if "security" in uri or not components:
            continue
        for s in suites:
            if s.split("-")[0] == s:  # the release suite itself, not -updates/-backports
                lines.append(f"deb-src [trusted=yes] {uri} {suite} {' '.join(components)}")
    if not lines:
        raise SystemExit("debian_sources: no Debian archive found in the host's apt sources")
    return "\n".join(dict.fromkeys(lines)) + "\n"


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
        (state / "sources.list").write_text(deb_src_list(suite, host_apt_sources()))
        opts = [
            f"-oDir::Etc::SourceList={state / 'sources.list'}",
            "-oDir::Etc::SourceParts=/dev/null",
            f"-oDir::State::Lists={state / 'lists'}",
            f"-oDir::Cache={state / 'cache'}",
            "-oAPT::Sandbox::User=root",
            "-oAcquire::Languages=none",
        ]
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", *opts, "update", "-q"], check=True, timeout=APT_TIMEOUT, env=env)
        subprocess.run(
            ["apt-get", *opts, "source", "--download-only", "-q", f"{package}/{suite}"],
            check=True,
            timeout=APT_TIMEOUT,
            cwd=where,
            env=env,
        )
    hit = _origs(where)
    if not hit:
        raise SystemExit(f"debian_sources: {package} in {suite} has no orig tarball (native?)")
    return hit[-1]


def _origs(where: Path) -> list[Path]:
    # the main orig tarball only: not its .asc signature, not orig-COMPONENT tarballs
    return sorted(p for p in where.glob("*.orig.tar.*") if not p.name.endswith(".asc"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packages", nargs="+", metavar="SRCPKG[=FILENAME]")
    parser.add_argument("--suite", default="bookworm")
    parser.add_argument("--out", type=Path, default=Path("lookaside"))
    args = parser.parse_args(argv)
    cache_root = os.environ.get("SPECPORT_CACHE_DIR") or str(Path.home() / ".cache" / "specport")
    cache = Path(cache_root) / "sources" / "debian"
    args.out.mkdir(parents=True, exist_ok=True)
    for item in args.packages:
        package, _, name = item.partition("=")
        orig = fetch(package, args.suite, cache)
        dest = args.out / (name or orig.name)
        shutil.copy2(orig, dest)
        print(dest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
