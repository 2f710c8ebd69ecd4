#!/usr/bin/env python3
"""Time from publish to promoted images, for the bundled example images on debian-12.

    bench/images_flow.py [--out DIR] [--json]

On a real engine, with a local registry (Debian's docker-registry on 127.0.0.1) and the
repository served to image builds over HTTP on the engine's bridge:
  1. builds php-pecl-igbinary and php-pecl-yaml from the example specs and publishes them;
  2. `specport images build` of php-base, php-app and php-stack (first builds, promoted);
  3. the same again: a no-op (every key unchanged);
  4. builds a new release of php-pecl-igbinary (not timed), then times
     `specport publish --rebuild-images` of it: publish, publish record, affected images
     (php-base and php-app), their rebuild parent first, smoke tests, pytest files, push and
     promotion by digest - publish to promoted;
  5. the same publish again: nothing recorded, nothing rebuilt.
Needs: an engine ($DOCKER_HOST), docker-registry and skopeo (tools/setup.sh installs them).

Last run (2 cores shared with other jobs, debian-12; the packages were result-cache hits, the
base image and the distribution's apt downloads were warm in the engine):
  first build of the 3 images (build, manifest, push, smoke, pytest, promote)  89 s
  no-op `specport images build` (3 keys unchanged), wall time of the CLI        0.5 s
  `publish --rebuild-images` of the new igbinary: publish to promoted php-base
  and php-app (a local registry)                                                 46 s
  the same publish again (nothing recorded, nothing rebuilt)                     0.3 s
(The container test measured 133 s for the same rebuild on a busier machine.)
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from appimages_flow import (  # noqa: E402 (after the path above)
    SPECS,
    build_and_publish,
    images_tree,
    next_release,
    specport,
)
from test_repo_support import bridge_gateway, serve  # noqa: E402

from specport.container.engine import connect  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _registry(root: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    root.mkdir(parents=True, exist_ok=True)
    (root / "config.yml").write_text(
        "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n"
        f"    rootdirectory: {root}/data\nhttp:\n  addr: 127.0.0.1:{port}\n"
    )
    out = (root / "registry.log").open("wb")
    proc = subprocess.Popen(
        ["docker-registry", "serve", str(root / "config.yml")], stdout=out, stderr=out
    )
    time.sleep(1)
    return proc, f"127.0.0.1:{port}/bench"


def _ok(step: str, done: subprocess.CompletedProcess[str]) -> None:
    if done.returncode != 0:
        sys.exit(f"{step} failed: {done.stderr[-2000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--out", type=Path, default=None, help="Work directory (default: a temporary one)."
    )
    parser.add_argument("--json", action="store_true", help="Print the timings as JSON.")
    args = parser.parse_args()
    work = args.out or Path(tempfile.mkdtemp(prefix="specport-bench-images-"))
    work.mkdir(parents=True, exist_ok=True)
    lookaside = work / "lookaside"
    subprocess.run(
        [sys.executable, str(ROOT / "tools" / "debian_sources.py"), "--out", str(lookaside),
         "php-igbinary@trixie", "php-yaml@trixie"], check=True, timeout=900,
    )  # fmt: skip
    keys = work / "keys"
    if not (keys / "bench.secret.asc").exists():
        _ok("keys", specport("keys", "generate", "--out", keys, "--name", "bench")[0])
    key = keys / "bench.secret.asc"
    repo = work / "srv" / "repo"
    times: dict[str, float] = {}
    started = time.monotonic()
    build_and_publish([SPECS / "php-pecl-igbinary.spec", SPECS / "php-pecl-yaml.spec"],
                      lookaside, work / "d1", repo, key, {})  # fmt: skip
    times["packages_built_and_published_s"] = time.monotonic() - started
    tree = work / "images"
    shutil.rmtree(tree, ignore_errors=True)
    images_tree(tree, "-bench")
    registry, reg_ref = _registry(work / "registry")
    try:
        with serve(work / "srv", bridge_gateway(connect())) as url:
            env = {
                "SPECPORT_REPO_URL": f"{url}/repo",
                "SPECPORT_REPO_DIR": str(repo),
                "SPECPORT_IMAGES_DIR": str(tree),
                "SPECPORT_IMAGES_STATE": str(work / "state"),
                "SPECPORT_IMAGES_REGISTRY": reg_ref,
            }
            done, times["first_build_3_images_s"] = specport(
                "images", "build", "--target", "debian-12", env=env
            )
            _ok("images build", done)
            done, times["noop_build_cli_s"] = specport(
                "images", "build", "--target", "debian-12", env=env
            )
            _ok("no-op", done)
            spec2 = next_release(SPECS / "php-pecl-igbinary.spec", work / "specs2", "bench rebuild")
            done, _ = specport("build", "--target", "debian-12", "--lookaside", lookaside,
                               "-o", work / "d2", spec2, env=env)  # fmt: skip
            _ok("new release", done)
            publish = ["publish", "--repo", repo, "--target", "debian-12", "--key-file", key,
                       "--rebuild-images", work / "d2" / "debian-12"]  # fmt: skip
            done, times["publish_to_promoted_2_images_s"] = specport(*publish, env=env)
            _ok("publish --rebuild-images", done)
            print(done.stdout, file=sys.stderr)
            done, times["unchanged_publish_rebuild_images_s"] = specport(*publish, env=env)
            _ok("unchanged publish", done)
    finally:
        registry.terminate()
        registry.wait(timeout=10)
    if args.json:
        print(json.dumps({k: round(v, 2) for k, v in times.items()}, indent=1))
    else:
        for k, v in times.items():
            print(f"{k}\t{v:.2f}")


if __name__ == "__main__":
    main()
