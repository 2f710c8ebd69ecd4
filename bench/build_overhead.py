#!/usr/bin/env python3
"""How much time does `specport build` add over running the build tool by hand?

    bench/build_overhead.py [--spec specs/hello.spec] [--lookaside DIR] [--repeat 1]

In one run, in the same builder image, for the C example:
  deb: `specport build --target debian-12` vs bare `debbuild -ba` (same spec, sources, deps);
  rpm: `specport build --target el8-php7.4 --image <debian-12 builder>` vs bare `rpmbuild -ba`.
EL images cannot be had on this machine, so the rpm side uses Debian's rpmbuild in the
debian-12 builder image for both sides: it measures specport's overhead, not EL's rpmbuild.
"Bare" still pays for the container (create, copy in, apt/dnf, remove): what it leaves out is
what specport adds (normalize, source checks, the deb post-step, lintian, output handling).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from specport.build.engines import TOPDIR, WORK, rpm_dep_to_deb
from specport.build.plan import Pair
from specport.build.prepare import prepare
from specport.build.sources import SourceSearch
from specport.config import load_config
from specport.container.engine import connect
from specport.container.images import ensure_builder_image
from specport.container.runner import Throwaway

ROOT = Path(__file__).resolve().parent.parent


def timed_specport(spec: Path, target: str, out: Path, lookaside: str, image: str | None) -> float:
    argv = [sys.executable, "-m", "specport", "-q", "build", "-t", target, "-o", str(out)]
    argv += ["--lookaside", lookaside] if lookaside else []
    argv += ["--image", image] if image else []
    started = time.monotonic()
    subprocess.run([*argv, str(spec)], check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - started


def timed_bare(engine: object, image: str, pair: Pair, search: SourceSearch, log: Path) -> float:
    prep = prepare(pair, search)  # untimed: the hand-written spec a user would bring
    spec = f"{TOPDIR}/SPECS/{prep.spec_name}"
    deb = pair.target.family == "deb"
    started = time.monotonic()
    try:
        with Throwaway(engine, image, log_path=log, purpose="bench-bare") as box:  # type: ignore[arg-type]
            box.copy_in(prep.work / "top", WORK)
            if deb:
                deps = [rpm_dep_to_deb(d) for d in prep.info.build_requires]
                box.run("apt-get update -q", timeout=600)
                box.run(["apt-get", "satisfy", "-y", "-q", *deps], timeout=1200)
                dirs = " ".join(f"{TOPDIR}/{d}" for d in ("BUILD", "BUILDROOT", "DEBS", "SDEBS"))
                box.run(f"mkdir -p {dirs}", timeout=60)
                argv = ["debbuild", "--define", f"_topdir {TOPDIR}", "-ba", spec]
            else:
                argv = ["rpmbuild", "--nodeps", "--define", f"_topdir {TOPDIR}", "-ba", spec]
            box.cut_network()
            box.run(argv, timeout=3600)
            box.copy_out(f"{TOPDIR}/{'DEBS' if deb else 'RPMS'}", log.parent)
        return time.monotonic() - started
    finally:
        prep.cleanup()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=ROOT / "specs" / "hello.spec")
    parser.add_argument("--lookaside", default=os.environ.get("SPECPORT_LOOKASIDE", ""))
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    config = load_config()
    engine = connect()
    deb_target = config.targets["debian-12"]
    rpm_target = config.targets["el8-php7.4"]
    image = ensure_builder_image(engine, deb_target, config.settings)  # untimed, cached
    search = SourceSearch(lookaside=args.lookaside)
    rows = []
    with tempfile.TemporaryDirectory(prefix="specport-bench-") as tmp:
        for target, override in ((deb_target, None), (rpm_target, image)):
            sp, bare = [], []
            for i in range(args.repeat):
                out = Path(tmp) / f"{target.name}-{i}"
                sp.append(timed_specport(args.spec, target.name, out, args.lookaside, override))
                log = Path(tmp) / f"bare-{target.name}-{i}" / "bare.log"
                bare.append(timed_bare(engine, image, Pair(args.spec, target), search, log))
            rows.append((target.name, target.builder, min(sp), min(bare)))
    print(f"image: {image} (both sides; rpm side: Debian's rpmbuild as EL stand-in)")
    print(f"{'target':<12} {'tool':<9} {'specport':>9} {'bare':>8} {'ratio':>6}")
    for name, tool, sp_s, bare_s in rows:
        print(f"{name:<12} {tool:<9} {sp_s:8.1f}s {bare_s:7.1f}s {sp_s / bare_s:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
