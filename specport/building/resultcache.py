"""The result cache as the build runner uses it: the key of a prepared pair, a hit restored
into the pair's staging directory, a fresh build stored."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from specport import log
from specport.building.enginefiles import engine_digest
from specport.building.prepare import Prepared
from specport.cache.key import KeyInputs, digests
from specport.cache.oci import OciStore, UntrustedEntry
from specport.cache.store import BadEntry, Entry, LocalStore
from specport.cache.trust import Trust
from specport.config import DEFAULT_MAINTAINER
from specport.errors import SpecportError
from specport.targets.families import facts_of

T = TypeVar("T")


def key_inputs(
    prep: Prepared,
    image_id: str,
    set_packages: list[Path],
    *,
    lintian: bool,
    maintainer: str = DEFAULT_MAINTAINER,
    build_flags: tuple[str, ...] = (),
) -> KeyInputs:
    spec = prep.work / "top" / "SPECS" / prep.spec_name
    return KeyInputs(
        target=prep.pair.target.name,
        spec=spec.read_text(encoding="utf-8"),
        macros=digests([prep.work / "macros"]),
        sources=digests([prep.work / "top" / "SOURCES"]),
        image_id=image_id,
        build_requires=tuple(prep.info.build_requires),
        set_packages=digests(sorted(set_packages)),
        lintian=lintian and facts_of(prep.pair.target).runs_lintian,
        maintainer=maintainer,
        engine=engine_digest(),
        build_flags=build_flags,
    )


class ResultCache:
    """The local store, and the shared one behind it: a local miss asks the shared store (and
    keeps what it gets), a new result goes to both. The shared store failing is a warning and
    a miss, never a failed build; so is a shared entry that is not signed by the key `trust`
    names, or not what specport writes (cache/trust.py): nothing of it is kept."""

    def __init__(self, root: Path, shared_url: str = "", trust: Trust | None = None) -> None:
        self.local = LocalStore(root)
        self.shared = OciStore(shared_url) if shared_url else None
        self.trust = trust or Trust()
        self._shared_down = False  # warned once; not asked again in this run
        self._warned: set[str] = set()

    def restore(self, inputs: KeyInputs | None, out: Path, log_path: Path) -> Entry | None:
        """On a hit, the cached packages into `out` and the cached log after the header of
        `log_path`; None on a miss."""
        if inputs is None:
            return None
        key = inputs.key()
        entry, where = self.local.get(key), "the local result cache"
        if entry is None and self.shared is not None:
            entry, where = self._pull(key), self.shared.url
        if entry is None:
            return None
        files = self.local.files(entry)
        out.mkdir(parents=True, exist_ok=True)
        for name, _digest in entry.packages:
            shutil.copyfile(files / name, out / name)
        built = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(entry.created))
        with log_path.open("a", encoding="utf-8") as log:
            log.write(
                f"# cache hit {key}: the result of the build of {built}, copied from "
                f"{where}; no build container was started. Its log follows.\n\n"
            )
            log.write((files / entry.log).read_text(encoding="utf-8", errors="replace"))
        return entry

    def store(
        self,
        key: str,
        inputs: KeyInputs,
        packages: list[Path],
        log_path: Path,
        lint: list[str],
        lock: list[str],
    ) -> None:
        entry = Entry(
            key=key,
            spec=log_path.stem + ".spec",
            target=inputs.target,
            created=time.time(),
            packages=digests(packages),
            log=log_path.name,
            lint=tuple(lint),
            lock=tuple(lock),
            inputs={
                "image_id": inputs.image_id,
                "sources": dict(inputs.sources),
                "macros": dict(inputs.macros),
                "build_requires": list(inputs.build_requires),
                "build_flags": list(inputs.build_flags),
                "specport": inputs.specport,
            },
        )
        try:
            self.local.put(entry, packages, log_path)
        except BadEntry as exc:  # names no reader would take: not worth keeping
            log.warn(f"result of {entry.spec} not cached: {exc}")
            return
        if self.shared is None:
            return
        if self.trust.signing_key is None:
            self._once("push", "results are not pushed: no shared_cache_signing_key to sign them")
            return
        self._shared(lambda s: s.push(entry, self.local.files(entry), self.trust))

    def _pull(self, key: str) -> Entry | None:
        if self.trust.verify_key is None:
            self._once("pull", "its entries are not used: no shared_cache_key to verify them")
            return None
        try:
            return self._shared(lambda s: s.pull(key, self.local, self.trust))
        except UntrustedEntry as exc:
            log.warn(f"shared result cache: {exc.message}; a miss")
            return None

    def _once(self, what: str, text: str) -> None:
        if what not in self._warned and self.shared is not None:
            self._warned.add(what)
            log.warn(f"shared result cache {self.shared.url}: {text}")

    def _shared(self, call: Callable[[OciStore], T]) -> T | None:
        if self.shared is None or self._shared_down:
            return None
        try:
            return call(self.shared)
        except UntrustedEntry:
            raise
        except SpecportError as exc:
            self._shared_down = True
            log.warn(f"shared result cache {self.shared.url}: {exc.message}; not used in this run")
            return None
