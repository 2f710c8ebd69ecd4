#!/usr/bin/env python3
"""How much time does `specport build` add over running the build tool by hand, and what does
the result cache save?

    bench/build_overhead.py [--spec specs/hello.spec] [--lookaside DIR] [--repeat 1] [--no-set]

In one run, in the same builder image, for the C example:
  deb: warm `specport build --target debian-12 --no-cache` vs bare `debbuild -ba` (same spec,
       sources, deps);
  rpm: `specport build --target el8-php7.4 --image <debian-12 builder> --no-cache` vs bare
       `rpmbuild -ba`;
  no-op rebuild: `specport build` of the same pair again, a result-cache hit (time per pair);
  set: the 4 example specs x debian-11, debian-12, ubuntu-20.04 (--jobs 2), first run with an
       empty result cache, then the second run (all hits), and their ratio.
"warm" is a rebuild of an unchanged spec with the builder image and the user's cache in place:
the spec's sandbox answers and lintian's verdict on the same bytes are kept from an earlier
build, and build dependencies the image already has skip `apt-get update` (dpkg-checkbuilddeps
says so), where bare runs the usual `apt-get update` + `apt-get satisfy`. For the no-op and
the set, results, lintian verdicts and spec answers start empty (the other cache contents are
shared), so "first" really builds, reads every spec and runs lintian, whatever ran before.
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

from specport.building.engines import TOPDIR, WORK, rpm_dep_to_deb
from specport.building.plan import Pair
from specport.building.prepare import prepare
from specport.building.sources import SourceSearch
from specport.config import load_config
from specport.container.engine import connect
from specport.container.runs import Throwaway
from specport.images.kinds import ensure_builder_image

ROOT = Path(__file__).resolve().parent.parent


SET_SPECS = ("hello.spec", "php-pecl-igbinary.spec", "php-pecl-yaml.spec", "php-psr-log.spec")
SET_TARGETS = "debian-11,debian-12,ubuntu-20.04"


def timed_specport(
    specs: list[Path],
    target: str,
    out: Path,
    lookaside: str,
    image: str | None,
    *extra: str,
    cache_dir: Path | None = None,
) -> float:
    argv = [sys.executable, "-m", "specport", "-q", "build", "-t", target, "-o", str(out)]
    argv += ["--lookaside", lookaside] if lookaside else []
    argv += ["--image", image] if image else []
    env = {**os.environ, **({"SPECPORT_CACHE_DIR": str(cache_dir)} if cache_dir else {})}
    started = time.monotonic()
    subprocess.run(
        [*argv, *extra, *map(str, specs)], check=True, stdout=subprocess.DEVNULL, env=env
    )
    return time.monotonic() - started


# what a result cache hit and a warm rebuild reuse: empty for the set's "first" run, so it
# builds, reads every spec in the sandbox and runs lintian for real
_COLD = ("results", "lintian", "spec-answers")


def bench_cache_dir(tmp: Path) -> Path:
    """A cache directory without results, lintian verdicts and spec answers; everything else
    is the user's cache (downloads, package indexes, the apt archive), linked in."""
    from specport.config import cache_root

    real = cache_root(load_config().settings)
    mine = tmp / "cache"
    mine.mkdir()
    for entry in real.iterdir() if real.is_dir() else []:
        if entry.name not in _COLD:
            (mine / entry.name).symlink_to(entry)
    return mine


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
    parser.add_argument("--no-set", action="store_true", help="Skip the 4 x 3 set.")
    args = parser.parse_args()
    config = load_config()
    engine = connect()
    deb_target = config.targets["debian-12"]
    rpm_target = config.targets["el8-php7.4"]
    image = ensure_builder_image(engine, deb_target, config.settings)  # untimed, cached
    search = SourceSearch(lookaside=args.lookaside)
    rows, noop = [], []
    set_times: list[float] = []
    with tempfile.TemporaryDirectory(prefix="specport-bench-") as tmp:
        cache_dir = bench_cache_dir(Path(tmp))
        for target, override in ((deb_target, None), (rpm_target, image)):
            sp, bare = [], []
            for i in range(args.repeat):
                out = Path(tmp) / f"{target.name}-{i}"
                sp.append(
                    timed_specport(
                        [args.spec], target.name, out, args.lookaside, override, "--no-cache"
                    )
                )
                log = Path(tmp) / f"bare-{target.name}-{i}" / "bare.log"
                bare.append(timed_bare(engine, image, Pair(args.spec, target), search, log))
            rows.append((target.name, target.builder, min(sp), min(bare)))
            # the no-op rebuild: one build fills the result cache, the next is a hit
            out = Path(tmp) / f"{target.name}-cached"
            run = [args.spec], target.name, out, args.lookaside, override
            timed_specport(*run, cache_dir=cache_dir)
            noop.append((target.name, min(timed_specport(*run, cache_dir=cache_dir) for _ in "ab")))
        if not args.no_set:
            specs = [ROOT / "specs" / s for s in SET_SPECS]
            for n in ("first", "second"):
                out = Path(tmp) / f"set-{n}"
                set_times.append(
                    timed_specport(
                        specs,
                        SET_TARGETS,
                        out,
                        args.lookaside,
                        None,
                        "-j",
                        "2",
                        cache_dir=cache_dir,
                    )
                )
    print(f"image: {image} (both sides; rpm side: Debian's rpmbuild as EL stand-in)")
    print(
        f"{'target':<12} {'tool':<9} {'specport':>9} {'bare':>8} {'ratio':>6}  (warm, --no-cache)"
    )
    for name, tool, sp_s, bare_s in rows:
        print(f"{name:<12} {tool:<9} {sp_s:8.1f}s {bare_s:7.1f}s {sp_s / bare_s:6.2f}")
    for name, seconds in noop:
        print(f"no-op rebuild (cache hit), 1 pair, {name}: {seconds:.2f}s (whole command)")
    if set_times:
        first, second = set_times
        pairs = len(SET_SPECS) * len(SET_TARGETS.split(","))
        print(
            f"set {len(SET_SPECS)} specs x {len(SET_TARGETS.split(','))} targets (-j 2): "
            f"first {first:.1f}s, second {second:.1f}s ({second / first:.3f}x; "
            f"{second / pairs:.2f}s per pair)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
