"""Run the pairs: prepare all on the host, then build each in its own throwaway container.

Output is all-or-nothing per pair: a pair builds into a staging directory next to the output
and only a successful pair's packages move to OUTPUT/<target>/; every pair's log goes to
OUTPUT/<target>/logs/<spec>.log.

A set is built in the order of its SetPlan: a pair starts once every pair it needs has
succeeded (so the pairs of one wave run side by side, up to --jobs), and its container gets the
packages built so far for its target as a private repository (localrepo.py). A pair whose
needed pair failed is "blocked" and not built; without --keep-going the first failure stops
new pairs ("skipped").
"""

from __future__ import annotations

import os
import shutil
import threading
import time
import uuid
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path

from specport import log, safeio
from specport.building import buildinfo as buildlock
from specport.building import localrepo, reproducible
from specport.building.builders import builder_for
from specport.building.engines import RESULT, TOPDIR, WORK
from specport.building.plan import BuildOptions, Pair, PairResult, SetPlan
from specport.building.prepare import Prepared, prepare_many
from specport.building.resultcache import ResultCache, key_inputs
from specport.building.results import check_output
from specport.building.status import Status
from specport.building.workergate import WorkerGate
from specport.cache.key import KeyInputs
from specport.cache.trust import Trust
from specport.config import Settings
from specport.container import runs, signals
from specport.container.engine import Engine
from specport.container.imagestore import image_id
from specport.container.runs import Throwaway
from specport.errors import BuildError, SourceError, SpecportError, listing
from specport.images.kinds import ensure_builder_image
from specport.targets import Target


def prepare_all(pairs: list[Pair], options: BuildOptions) -> list[Prepared]:
    """Prepare every pair; all missing sources of all specs fail in one error."""
    done = prepare_many(
        pairs,
        options.search,
        options.maintainer,
        options.image,
        options.resolvers,
        kept=options.spec_answers,
        bconds=options.bconds,
        engine=options.engine,
    )
    try:
        missing = list(dict.fromkeys(m for p in done for m in p.missing))
        if missing:
            raise SourceError(
                "missing sources: " + listing(missing),
                hint="put them next to the spec, or use --sources DIR, --lookaside, --download",
            )
    except BaseException:
        for p in done:
            p.cleanup()
        raise
    return done


class BuildRun:
    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        options: BuildOptions,
        plan: SetPlan | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.options = options
        self.plan = plan
        self.staging = options.output / f".specport-staging-{uuid.uuid4().hex[:8]}"
        self.repos = localrepo.LocalRepos()
        self._image_locks: dict[str, threading.Lock] = {}
        self._images: dict[str, str] = {}  # target -> its checked builder image
        self._lock = threading.Lock()
        self._stop = threading.Event()
        # set on Ctrl-C/SIGTERM under _publishing: a worker whose build ends after it publishes
        # only its log, never packages the user interrupted
        self._interrupted = threading.Event()
        self._publishing = threading.Lock()
        self._gate = WorkerGate()  # the workers' own count (workergate.py)
        self._status: Status | None = None
        cache_dir, shared = options.result_cache, options.shared_cache
        trust = Trust(options.shared_cache_key, options.shared_cache_signing_key)
        self.cache = ResultCache(cache_dir, shared, trust) if cache_dir else None
        self._locks: dict[int, list[str]] = {}  # pair -> its build-dependency lock
        self._image_ids: dict[str, str] = {}

    def run(self, prepared: list[Prepared]) -> list[PairResult]:
        plan = self.plan or SetPlan.unordered(len(prepared))
        for target in {p.pair.target.name: p.pair.target for p in prepared}.values():
            self.repos.add(target, localrepo.seeded(self.options.with_packages, target))
        results = [PairResult(p.pair, wave=plan.wave[i]) for i, p in enumerate(prepared)]
        self.staging.mkdir(parents=True, exist_ok=True)
        try:
            with Status(list(plan.wave)) as status:
                self._status = status
                if self.options.jobs <= 1:
                    # the main thread: the runner's own Ctrl-C/SIGTERM handling applies
                    for i in plan.order():
                        if not self._settle(i, plan, results):
                            self._one(i, prepared, plan, results)
                else:
                    self._parallel(prepared, plan, results)
            return results
        finally:
            shutil.rmtree(self.staging, ignore_errors=True)
            for p in prepared:
                p.cleanup()

    def _settle(self, i: int, plan: SetPlan, results: list[PairResult]) -> bool:
        """Mark pair i blocked or skipped when it cannot run; True when it was."""
        failed = [n for n in sorted(plan.needs[i]) if not results[n].ok]
        result = results[i]
        if failed:
            result.blocked = True
            names = ", ".join(results[n].pair.spec.stem for n in failed)
            result.message = f"blocked: needs {names}, which did not build"
        elif self._stop.is_set():
            result.skipped = True
            result.message = "not run: an earlier build failed"
        else:
            return False
        if self._status is not None:
            self._status.finish(result.pair.label, result.wave, result.message)
        return True

    def _parallel(self, prepared: list[Prepared], plan: SetPlan, results: list[PairResult]) -> None:
        pending = plan.order()
        finished: set[int] = set()
        running: dict[Future[None], int] = {}
        try:
            # guard() inside the pool's `with`: on Ctrl-C/SIGTERM it removes the workers'
            # containers (ending their steps) before the pool waits for them
            with ThreadPoolExecutor(max_workers=self.options.jobs) as pool, signals.guard():
                try:
                    while pending or running:
                        for i in list(pending):
                            if not plan.needs[i] <= finished:
                                continue  # waits for a pair it needs
                            if self._settle(i, plan, results):
                                pending.remove(i)
                                finished.add(i)
                            elif len(running) < self.options.jobs:
                                pending.remove(i)
                                job = pool.submit(self._gated, i, prepared, plan, results)
                                running[job] = i
                        if not running:
                            if pending:  # only a cycle can leave pairs that never get ready
                                for i in pending:
                                    results[i].skipped = True
                                    results[i].message = "not run: in a build cycle"
                                pending = []
                            continue
                        done, _ = wait(list(running), return_when=FIRST_COMPLETED)
                        for f in done:
                            f.result()
                            finished.add(running.pop(f))
                except BaseException as exc:
                    if isinstance(exc, KeyboardInterrupt):
                        with self._publishing:
                            self._interrupted.set()
                    self._stop.set()  # no new pairs
                    for f in running:
                        f.cancel()
                    raise
        finally:
            # the pool's exit joined the threads it recorded, not one a Ctrl-C inside submit()
            # left unrecorded: wait for them all before run() removes their staging directory
            self._gate.close_and_drain(signals.remove_live)

    def _gated(
        self, index: int, prepared: list[Prepared], plan: SetPlan, results: list[PairResult]
    ) -> None:
        with self._gate.passage() as admitted:
            if admitted:  # not when it was queued as the run ended
                self._one(index, prepared, plan, results)

    def _one(
        self, index: int, prepared: list[Prepared], plan: SetPlan, results: list[PairResult]
    ) -> None:
        prep = prepared[index]
        pair = prep.pair
        result = results[index]
        stage = self.staging / uuid.uuid4().hex[:8]
        log_path = stage / "logs" / f"{pair.spec.stem}.log"
        log_path.parent.mkdir(parents=True)
        log_path.write_text(
            f"# specport build {pair.spec} for {pair.target.name}\n"
            + "".join(f"# normalize: {c}\n" for c in prep.changes),
            encoding="utf-8",
        )
        status = self._status
        if status is None:
            log.step(f"{pair.label}: building")
        else:
            status.start(pair.label, result.wave, log_path)
        needed = [prepared[n].info.name for n in sorted(plan.closure(index))]
        started = time.monotonic()
        inputs = None
        try:
            inputs = self._cache_inputs(prep, index, plan, results)
            built = stage / "out"
            hit = self.cache.restore(inputs, built / RESULT_DIR, log_path) if self.cache else None
            if hit is not None:
                result.lint, result.cache = list(hit.lint), "hit"
            else:
                result.lint = self._build(prep, log_path, built, needed, index, plan, results)
                result.cache = "miss" if inputs else ""
            result.ok = True
        except SpecportError as exc:
            result.message = exc.message
            result.advice = exc.hint if exc.hint and not exc.hint.startswith("log:") else ""
            with log_path.open("a", encoding="utf-8") as out:
                # not a "log:" hint: it names this log's staging path, which publish moves
                advice = f" (hint: {result.advice})" if result.advice else ""
                out.write(f"\n# FAILED: {exc.message}{advice}\n")
            if not self.options.keep_going:
                self._stop.set()
        except KeyboardInterrupt:  # one job: Ctrl-C reaches this thread; the log still goes out
            result.message = "interrupted"
            with log_path.open("a", encoding="utf-8") as out:
                out.write("\n# INTERRUPTED\n")
            self._publish(result, stage, log_path)
            raise
        result.seconds = time.monotonic() - started
        self._phase(pair, "publish")
        with self._publishing:
            if self._interrupted.is_set():
                result.ok, result.message = False, "interrupted"
            self._publish(result, stage, log_path)
        if result.ok:
            self.repos.add(pair.target, result.packages)
        if self.cache and inputs and result.ok and result.cache == "miss":
            logged = result.log_path or log_path  # where _publish moved it
            lock = self._locks.get(index, [])
            self.cache.store(inputs.key(), inputs, result.packages, logged, result.lint, lock)
        outcome = "ok" if result.ok else f"FAILED: {result.message}"
        if status is None:
            log.info(f"    {pair.label}: {outcome} ({result.seconds:.0f} s)")
        else:
            status.finish(pair.label, result.wave, outcome)

    def _phase(self, pair: Pair, phase: str) -> None:
        if self._status is not None:
            self._status.runner_phase(pair.label, phase)

    def _build(
        self,
        prep: Prepared,
        log_path: Path,
        out: Path,
        needed: list[str],
        index: int,
        plan: SetPlan,
        results: list[PairResult],
    ) -> list[str]:
        pair, target = prep.pair, prep.pair.target
        image = self.options.image or self._builder_image(pair)
        builder = builder_for(target)
        spec = f"{TOPDIR}/SPECS/{prep.spec_name}"
        spec_text = (prep.work / "top" / "SPECS" / prep.spec_name).read_text(encoding="utf-8")
        with Throwaway(
            self.engine,
            image,
            log_path=log_path,
            purpose=f"build-{prep.info.name}",
            cpus=self.options.cpus,
            memory=self.options.memory,
            pids=self.options.pids,
            hardened=True,  # the spec's code runs here as root: no-new-privileges, few caps
            caps=runs.BUILD_CAPS,
            target=target.name,
            env=reproducible.build_env(spec_text),  # SOURCE_DATE_EPOCH from the %changelog
            mounts=builder.package_cache(self.options.package_cache, target),
        ) as box:
            self._phase(pair, "sources")
            builder.stage(prep.work)
            # top/ (spec, sources), macros/ and the engine's files: one copy, WORK in the box
            box.copy_in(prep.work, "/", name=WORK.lstrip("/"))
            builder.install_macros(box, prep.macro_names)
            self._phase(pair, "build dependencies")
            shown = self._offer(box, target, index, plan, results, needed)
            builder.install_build_deps(box, target, prep.info, spec)
            if self.cache:
                self._locks[index] = buildlock.record(box, target)
            if shown:
                # the log shows which of the set's packages this build got
                box.run(localrepo.query_command(shown), timeout=60, check=False)
            box.cut_network()  # %prep/%build/%install run offline
            lint = builder.build(box, target, prep.info, spec, self.options)
            check_output(box.copy_out(RESULT, out))
        if lint:
            with log_path.open("a", encoding="utf-8") as f:
                f.write("\n# lintian errors (reported, not fatal):\n")
                f.writelines(f"#   {line}\n" for line in lint)
        return lint

    def _offer(
        self,
        box: Throwaway,
        target: Target,
        index: int,
        plan: SetPlan,
        results: list[PairResult],
        needed: list[str],
    ) -> list[Path]:
        """The local repository for this container; returns the packages to show in the log."""
        offered = self.repos.snapshot(target)
        if not offered:
            return []
        # what the pairs it needs built (and earlier CI waves): an image without dnf gets these
        install = [
            p.name
            for n in sorted(plan.closure(index))
            for p in localrepo.binary_packages(results[n].packages)
            if "-debug" not in p.name
        ]
        install += [p.name for p in localrepo.seeded(self.options.with_packages, target)]
        with box.log_path.open("a", encoding="utf-8") as f:
            f.write(f"# local repository: {len(offered)} packages; needed: {', '.join(needed)}\n")
        return localrepo.attach(box, offered, install)

    def _cache_inputs(
        self, prep: Prepared, index: int, plan: SetPlan, results: list[PairResult]
    ) -> KeyInputs | None:
        """What the pair's result depends on (cache/key.py); None without a cache."""

        if self.cache is None:
            return None
        image = self.options.image or self._builder_image(prep.pair)
        with self._lock:
            if image not in self._image_ids:
                self._image_ids[image] = image_id(self.engine, image)
        offered = [p for n in sorted(plan.closure(index)) for p in results[n].packages]
        offered += localrepo.seeded(self.options.with_packages, prep.pair.target)
        return key_inputs(
            prep,
            self._image_ids[image],
            offered,
            lintian=self.options.lintian,
            maintainer=self.options.maintainer,
            build_flags=tuple(self.options.build_flags()),
        )

    def _builder_image(self, pair: Pair) -> str:
        with self._lock:
            lock = self._image_locks.setdefault(pair.target.name, threading.Lock())
        with lock:  # two specs for one target check (and build) its image once
            if pair.target.name not in self._images:
                image = ensure_builder_image(self.engine, pair.target, self.settings)
                self._images[pair.target.name] = image
            return self._images[pair.target.name]

    def _publish(self, result: PairResult, stage: Path, log_path: Path) -> None:
        # neither OUTPUT/<target> nor its logs/ may be a planted link: never write through one
        dest = safeio.check_root(self.options.output / result.pair.target.name)
        safeio.check_root(dest / "logs")
        final_log = dest / "logs" / log_path.name
        shutil.move(str(log_path), final_log)
        result.log_path = final_log
        built = stage / "out" / Path(RESULT).name
        try:
            if result.ok:
                for pkg in check_output(built):
                    os.replace(pkg, dest / pkg.name)  # replaces a file or a link, never follows
                    result.packages.append(dest / pkg.name)
        except (OSError, BuildError) as exc:
            result.ok = False
            result.message = getattr(exc, "message", None) or f"cannot move a package: {exc}"
        shutil.rmtree(stage, ignore_errors=True)


RESULT_DIR = Path(RESULT).name  # what _build copies out of the container, under stage/out
