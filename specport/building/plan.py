"""What one `specport build` run does: the spec x target pairs, their options and results."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from specport.building.sources import SourceSearch
from specport.config import DEFAULT_BUILD_MEMORY, DEFAULT_BUILD_PIDS, DEFAULT_MAINTAINER
from specport.normalize.model import Bconds
from specport.normalize.resolver import Resolver
from specport.targets import Target

# seconds per step; --timeout sets the build step, the others are generous fixed bounds
DEFAULT_BUILD_TIMEOUT = 3600.0
INSTALL_TIMEOUT = 1200.0
SHORT_TIMEOUT = 300.0


@dataclass(frozen=True)
class BuildOptions:
    output: Path
    search: SourceSearch
    jobs: int = 1
    keep_going: bool = False
    cpus: float | None = None
    memory: str | None = DEFAULT_BUILD_MEMORY  # of each build container, without swap
    pids: int | None = int(DEFAULT_BUILD_PIDS)  # process limit of each build container
    timeout: float = DEFAULT_BUILD_TIMEOUT
    maintainer: str = DEFAULT_MAINTAINER
    lintian: bool = True
    image: str | None = None  # use this image instead of the target's builder (stand-ins, bench)
    # dependency-name resolver per target name (specport.index.resolvers); absent: rule data
    resolvers: Mapping[str, Resolver] = field(default_factory=dict)
    # packages built before (earlier CI waves): DIR/.../<target>/*.deb|rpm, in every local repo
    with_packages: tuple[Path, ...] = ()
    # the result cache's directory (specport.cache); None: build every pair (--no-cache)
    result_cache: Path | None = None
    shared_cache: str = ""  # the result cache shared by CI jobs: oci://HOST/REPO (cache/oci.py)
    shared_cache_key: Path | None = None  # public key its entries must be signed with
    shared_cache_signing_key: Path | None = None  # secret key this run signs its pushes with
    lint_cache: Path | None = None  # lintian verdicts by package hash (building/lintverdict.py)
    # downloaded build dependencies, shared by the containers of a target (debbuild.py)
    package_cache: Path | None = None
    # the spec sandbox's answers by exactly what it was asked (sandbox/answers.py); None: ask
    spec_answers: Path | None = None
    nocheck: bool = False  # skip %check (rpmbuild/debbuild --nocheck)
    bconds: Bconds = field(default_factory=Bconds)  # the spec's bconds: --with/--without NAME
    engine: str | None = None  # "docker", "podman" (--engine) or None: $DOCKER_HOST's

    def build_flags(self) -> list[str]:
        """What rpmbuild and debbuild get for --nocheck/--with/--without (both spell them so);
        part of the result's cache key and of its record."""
        return [*(["--nocheck"] if self.nocheck else []), *self.bconds.args()]


@dataclass(frozen=True)
class Pair:
    spec: Path
    target: Target

    @property
    def label(self) -> str:
        return f"{self.spec.stem} / {self.target.name}"


@dataclass
class PairResult:
    pair: Pair
    ok: bool = False
    seconds: float = 0.0
    packages: list[Path] = field(default_factory=list)
    log_path: Path | None = None
    message: str = ""  # the one-line reason of a failure
    advice: str = ""  # what to do about it, when the failure says (not the log's path)
    lint: list[str] = field(default_factory=list)  # lintian errors (E: lines)
    skipped: bool = False  # not run because an earlier pair failed without --keep-going
    blocked: bool = False  # not run because a pair of the set it needs failed
    wave: int = 0  # 1-based wave of the set's build order (0: not ordered)
    cache: str = ""  # "hit" or "miss" in the result cache; "" without one


@dataclass(frozen=True)
class SetPlan:
    """The order of a set: for each pair (index into the prepared list), the pairs it needs.

    `wave` counts from 1 per target; pairs of different targets never need each other."""

    needs: tuple[frozenset[int], ...]
    wave: tuple[int, ...]

    @property
    def waves(self) -> int:
        return max(self.wave, default=0)

    def order(self) -> list[int]:
        """Pair indexes wave by wave (input order within a wave)."""
        return sorted(range(len(self.wave)), key=lambda i: (self.wave[i], i))

    def closure(self, index: int) -> set[int]:
        """Every pair `index` needs, directly or through others."""
        seen: set[int] = set()
        todo = list(self.needs[index])
        while todo:
            n = todo.pop()
            if n not in seen:
                seen.add(n)
                todo.extend(self.needs[n])
        return seen

    @staticmethod
    def unordered(count: int) -> SetPlan:
        return SetPlan(tuple(frozenset() for _ in range(count)), tuple(1 for _ in range(count)))


def make_pairs(specs: list[Path], targets: list[Target]) -> list[Pair]:
    return [Pair(spec, target) for spec in specs for target in targets]
