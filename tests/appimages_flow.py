"""The example flow of the user's images, in steps the container test and bench/images_flow.py
share: packages built from the example specs and published, the bundled images tree copied
(under names of their own, so a run does not touch another's local tags), a new release of a
package, a release that breaks loading, and what a registry's tags name."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from specport.normalize.edit import bump_spec

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
PACKAGER = "Example Packager <packager@example.org>"


def specport(
    *args: str | Path, env: dict[str, str] | None = None, timeout: float = 3600
) -> tuple[subprocess.CompletedProcess[str], float]:
    """The CLI as a user runs it; (result, seconds)."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "specport", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )
    return done, time.monotonic() - started


def build_and_publish(
    specs: list[Path], lookaside: Path, out: Path, repo: Path, key: Path, env: dict[str, str]
) -> str:
    """`specport build --publish` for debian-12; its stdout (fails the caller on an error)."""
    done, _ = specport(
        "build", "--target", "debian-12", "--lookaside", lookaside, "-o", out,
        "--publish", repo, "--key-file", key, *specs, env=env,
    )  # fmt: skip
    if done.returncode != 0:
        raise AssertionError(f"build failed: {done.stderr[-3000:]}")
    return done.stdout


def next_release(spec: Path, dest: Path, reason: str) -> Path:
    """A copy of spec with Release + 1 and a %changelog entry (rpmdev-bumpspec's edit); the
    lookaside's `sources` file beside it."""
    dest.mkdir(parents=True, exist_ok=True)
    bumped = bump_spec(spec.read_text(), reason, PACKAGER, "Tue Dec 01 2026")
    (dest / spec.name).write_text(bumped.text)
    shutil.copyfile(spec.parent / "sources", dest / "sources")
    return dest / spec.name


def broken_release(deb: Path, out: Path, version: str) -> Path:
    """The same package at `version`, its PHP extension replaced by bytes PHP cannot load."""
    out.mkdir(parents=True, exist_ok=True)
    tree = out / f"tree-{version}"
    subprocess.run(["dpkg-deb", "-R", deb, tree], check=True, timeout=60)
    for so in tree.rglob("*.so"):
        so.write_bytes(b"\x7fELF this is not a loadable extension\n")
    control = tree / "DEBIAN" / "control"
    text = re.sub(r"(?m)^Version: .*$", f"Version: {version}", control.read_text())
    control.write_text(text)
    md5 = tree / "DEBIAN" / "md5sums"
    md5.unlink(missing_ok=True)
    name = deb.name.split("_", 1)[0]
    dest = out / f"{name}_{version}_amd64.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", "-b", tree, dest], check=True, timeout=60)
    return dest


def images_tree(dest: Path, suffix: str) -> Path:
    """The bundled images/, each image renamed NAME+suffix (parents follow)."""
    for image in sorted((ROOT / "images").iterdir()):
        if not (image / "image.toml").is_file():
            continue
        copy = dest / f"{image.name}{suffix}"
        shutil.copytree(image, copy, symlinks=True)
        toml = copy / "image.toml"
        text = re.sub(r'(?m)^parent = "([^"]+)"', rf'parent = "\1{suffix}"', toml.read_text())
        toml.write_text(text)
    return dest


def registry_digest(ref: str) -> str:
    """What ref (HOST:PORT/REPO:TAG on a local registry) names; "" when nothing."""
    done = subprocess.run(
        ["skopeo", "inspect", "--tls-verify=false", "--no-tags", "--format", "{{.Digest}}",
         f"docker://{ref}"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    return done.stdout.strip() if done.returncode == 0 else ""
