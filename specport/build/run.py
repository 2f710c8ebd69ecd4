"""Run the pairs: prepare all on the host, then build each in its own throwaway container.

Output is all-or-nothing per pair: a pair builds into a staging directory next to the output
and only a successful pair's packages move to OUTPUT/<target>/; every pair's log goes to
OUTPUT/<target>/logs/<spec>.log.
"""

from __future__ import annotations

import shutil
import threading
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from specport import log
from specport.build.engines import RESULT, TOPDIR, WORK, builder_for
from specport.build.plan import BuildOptions, Pair, PairResult
from specport.build.prepare import Prepared, prepare_many
from specport.config import Settings
from specport.container import runner
from specport.container.engine import Engine
from specport.container.runner import Throwaway
from specport.errors import SourceError, SpecportError


def prepare_all(pairs: list[Pair], options: BuildOptions) -> list[Prepared]:
    """Prepare every pair; all missing sources of all specs fail in one error."""
    done = prepare_many(pairs, options.search, options.maintainer, options.image, options.resolvers)
    try:
        missing = list(dict.fromkeys(m for p in done for m in p.missing))
        if missing:
            raise SourceError(
                "missing sources: " + "; ".join(missing),
                hint="put them next to the spec, or use --sources DIR, --lookaside, --download",
            )
    except BaseException:
        for p in done:
            p.cleanup()
        raise
    return done


class BuildRun:
    def __init__(self, engine: Engine, settings: Settings, options: BuildOptions) -> None:
        self.engine = engine
        self.settings = settings
        self.options = options
        self.staging = options.output / f".specport-staging-{uuid.uuid4().hex[:8]}"
        self._image_locks: dict[str, threading.Lock] = {}
        self._images: dict[str, str] = {}  # target -> its checked builder image
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def run(self, prepared: list[Prepared]) -> list[PairResult]:
        self.staging.mkdir(parents=True, exist_ok=True)
        try:
            if self.options.jobs <= 1:
                # the main thread: the runner's own Ctrl-C/SIGTERM handling applies
                return [self._one(p) for p in prepared]
            return self._parallel(prepared)
        finally:
            shutil.rmtree(self.staging, ignore_errors=True)
            for p in prepared:
                p.cleanup()

    def _parallel(self, prepared: list[Prepared]) -> list[PairResult]:
        # guard() inside the pool's `with`: on Ctrl-C/SIGTERM it removes the workers' containers
        # (ending their steps) before the pool waits for them
        with ThreadPoolExecutor(max_workers=self.options.jobs) as pool, runner.guard():
            futures: list[Future[PairResult]] = [pool.submit(self._one, p) for p in prepared]
            try:
                return [f.result() for f in futures]
            except BaseException:
                self._stop.set()  # no new pairs
                for f in futures:
                    f.cancel()
                raise

    def _one(self, prep: Prepared) -> PairResult:
        pair = prep.pair
        result = PairResult(pair)
        if self._stop.is_set():
            result.skipped = True
            result.message = "not run: an earlier build failed"
            return result
        stage = self.staging / uuid.uuid4().hex[:8]
        log_path = stage / "logs" / f"{pair.spec.stem}.log"
        log_path.parent.mkdir(parents=True)
        log_path.write_text(
            f"# specport build {pair.spec} for {pair.target.name}\n"
            + "".join(f"# normalize: {c}\n" for c in prep.changes),
            encoding="utf-8",
        )
        log.step(f"{pair.label}: building")
        started = time.monotonic()
        try:
            result.lint = self._build(prep, log_path, stage / "out")
            result.ok = True
        except SpecportError as exc:
            result.message = exc.message
            with log_path.open("a", encoding="utf-8") as out:
                out.write(f"\n# FAILED: {exc}\n")
            if not self.options.keep_going:
                self._stop.set()
        result.seconds = time.monotonic() - started
        self._publish(result, stage, log_path)
        status = "ok" if result.ok else f"FAILED: {result.message}"
        log.info(f"    {pair.label}: {status} ({result.seconds:.0f} s)")
        return result

    def _build(self, prep: Prepared, log_path: Path, out: Path) -> list[str]:
        pair, target = prep.pair, prep.pair.target
        image = self.options.image or self._builder_image(pair)
        builder = builder_for(target)
        spec = f"{TOPDIR}/SPECS/{prep.spec_name}"
        with Throwaway(
            self.engine,
            image,
            log_path=log_path,
            purpose=f"build-{prep.info.name}",
            cpus=self.options.cpus,
            memory=self.options.memory,
            target=target.name,
        ) as box:
            box.copy_in(prep.work / "top", WORK)
            box.copy_in(prep.work / "macros", WORK)
            builder.install_macros(box, prep.macro_names)
            builder.install_build_deps(box, target, prep.info, spec)
            box.cut_network()  # %prep/%build/%install run offline
            lint = builder.build(box, target, prep.info, spec, self.options)
            box.copy_out(RESULT, out)
        if lint:
            with log_path.open("a", encoding="utf-8") as f:
                f.write("\n# lintian errors (reported, not fatal):\n")
                f.writelines(f"#   {line}\n" for line in lint)
        return lint

    def _builder_image(self, pair: Pair) -> str:
        from specport.container.images import ensure_builder_image

        with self._lock:
            lock = self._image_locks.setdefault(pair.target.name, threading.Lock())
        with lock:  # two specs for one target check (and build) its image once
            if pair.target.name not in self._images:
                image = ensure_builder_image(self.engine, pair.target, self.settings)
                self._images[pair.target.name] = image
            return self._images[pair.target.name]

    def _publish(self, result: PairResult, stage: Path, log_path: Path) -> None:
        dest = self.options.output / result.pair.target.name
        (dest / "logs").mkdir(parents=True, exist_ok=True)
        final_log = dest / "logs" / log_path.name
        shutil.move(str(log_path), final_log)
        result.log_path = final_log
        built = stage / "out" / Path(RESULT).name
        if result.ok and built.is_dir():
            for pkg in sorted(built.iterdir()):
                target_path = dest / pkg.name
                if target_path.exists():
                    target_path.unlink()
                shutil.move(str(pkg), target_path)
                result.packages.append(target_path)
        shutil.rmtree(stage, ignore_errors=True)
