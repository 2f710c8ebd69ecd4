"""Can a set of dependencies be installed together on a target? libsolv answers (python3-solv).

specport writes no solver: this module feeds libsolv the target's cached and verified index
files (Debian's Packages, rpm-md's primary and filelists), turns dependency strings into
libsolv jobs and libsolv's problems into sentences. Nothing is installed: the pool is the whole
archive, the system empty, the job the dependencies plus the packages every system has.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from specport.errors import ToolError
from specport.targets.families import family_for_suffix

# comparison operators (rpm's, as `rpmspec -q --buildrequires` prints them, and dpkg's << >>
# that the deps pass writes for deb targets) -> libsolv flags: REL_GT=1, REL_EQ=2, REL_LT=4
_OPS = {"<": 4, "<<": 4, "<=": 6, "=": 2, "==": 2, ">": 1, ">>": 1, ">=": 3}
_SIMPLE_RE = re.compile(r"^(\S+?)(?:\s*(<<|>>|<=|>=|==|=|<|>)\s*(\S+))?$")


@dataclass(frozen=True)
class Verdict:
    missing: tuple[str, ...]  # "foo >= 99 (the index has foo 1.0)"
    conflicts: tuple[str, ...]  # libsolv's sentences for each problem

    @property
    def ok(self) -> bool:
        return not self.missing and not self.conflicts


def _solv() -> Any:
    try:
        import solv
    except ImportError:
        raise ToolError(
            "libsolv's Python bindings are not installed",
            "apt-get install python3-solv (the venv needs --system-site-packages)",
        ) from None
    return solv


def deb_pool(
    package_lists: Iterable[tuple[str, Path, str]], arch: str, cache_dir: Path | None = None
) -> Any:
    """A Debian pool from Packages files: (name in the archive, the file, its sha256) each,
    decompressed by libsolv as the name says.

    libsolv's own form of each file is kept in cache_dir as <sha256>.solv: reading that takes
    milliseconds where parsing Packages.xz takes about a second. The file is derived from the
    verified index file of that hash, so the same trust applies to both; one libsolv cannot
    read (another version's) is parsed again and replaced."""
    solv = _solv()
    pool = solv.Pool()
    pool.setdisttype(solv.Pool.DISTTYPE_DEB)
    pool.setarch(arch)
    for name, path, sha256 in package_lists:
        repo = pool.add_repo(name)
        cached = cache_dir / f"{sha256}.solv" if cache_dir else None
        if cached is not None and _add_solv(repo, cached):
            continue
        fd = os.open(path, os.O_RDONLY)
        try:
            handle = solv.xfopen_fd(name, fd)  # the name picks the decompression
        finally:
            os.close(fd)  # xfopen_fd keeps its own copy of the descriptor
        if handle is None or not repo.add_debpackages(handle):
            raise ToolError(f"libsolv cannot read the Packages file {name} ({path})")
        handle.close()
        if cached is not None:
            _write_solv(repo, cached)
    pool.createwhatprovides()
    return pool


def _add_solv(repo: Any, path: Path) -> bool:
    handle = _solv().xfopen(str(path)) if path.is_file() else None
    if handle is None:
        return False
    try:
        return bool(repo.add_solv(handle))
    finally:
        handle.close()


def _write_solv(repo: Any, path: Path) -> None:
    """Write atomically: a reader never sees half a file. A failure only costs speed."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".solv.", dir=path.parent)
        os.close(fd)
        handle = _solv().xfopen(tmp, "w")
        ok = handle is not None and repo.write(handle)
        if handle is not None:
            handle.close()
        if ok:
            os.replace(tmp, path)
        else:
            os.unlink(tmp)
    except OSError:
        pass


def rpm_pool(repos: Iterable[tuple[str, Path, Path | None]], arch: str) -> Any:
    """An rpm pool from rpm-md repositories: (label, primary.xml[.gz], filelists or None)."""
    solv = _solv()
    pool = solv.Pool()
    pool.setdisttype(solv.Pool.DISTTYPE_RPM)
    pool.setarch(arch)
    for label, primary, filelists in repos:
        repo = pool.add_repo(label)
        for path, flags in ((primary, 0), (filelists, solv.Repo.REPO_EXTEND_SOLVABLES)):
            if path is None:
                continue
            handle = solv.xfopen(str(path))
            if handle is None or not repo.add_rpmmd(handle, None, flags):
                raise ToolError(f"libsolv cannot read {path} of {label}")
            handle.close()
    pool.addfileprovides()
    pool.createwhatprovides()
    return pool


_BUILT_BEFORE = "built before"  # the repository of package files built here
_NEVRA = re.compile(r"^(.+)-(?:(\d+):)?([^-:]+)-([^-]+)\.([^.]+)$")


def nevra_key(nevra: str) -> str:
    """A NEVRA "name-[epoch:]version-release.arch" with its epoch always given (0 when none)."""
    m = _NEVRA.match(nevra)
    if not m:
        return nevra
    name, epoch, version, release, arch = m.groups()
    return f"{name}-{epoch or 0}:{version}-{release}.{arch}"


def apply_module_streams(
    pool: Any, artifacts: Iterable[tuple[str, str]], enabled: Iterable[str]
) -> int:
    """dnf's modular filtering for the enabled streams ("php:7.4"): the packages of a module's
    other streams leave the pool, and so does every package outside the enabled stream named
    as one of its packages (dnf hides a plain php-devel once a php stream is enabled). Modules
    with no enabled stream stay as they are (their defaults are not known here). `artifacts`:
    (NEVRA, "module:stream") from modules.yaml. Package files built here (add_package_files)
    are never filtered. Call it once, after every package is in the pool: libsolv's map of what
    it considers has the pool's size when it is set. Returns how many packages left."""
    streams = {s.partition(":")[0]: s for s in enabled}
    if not streams:
        return 0
    allowed: set[str] = set()
    names: set[str] = set()
    blocked: set[str] = set()
    for nevra, stream in artifacts:
        module = stream.partition(":")[0]
        if module not in streams:
            continue
        key = nevra_key(nevra)
        if stream == streams[module]:
            allowed.add(key)
            names.add(key.rsplit("-", 2)[0])
        else:
            blocked.add(key)
    disabled = []
    for s in pool.solvables_iter():
        if s.repo.name == _BUILT_BEFORE:
            continue
        key = nevra_key(f"{s.name}-{s.evr}.{s.arch}")
        if key in blocked or (s.name in names and key not in allowed):
            disabled.append(s.id)
    if disabled:
        pool.set_disabled_list(disabled)
        pool.createwhatprovides()
    return len(disabled)


def add_package_files(pool: Any, paths: Iterable[Path]) -> None:
    """Package files (.deb, .rpm) built earlier, as libsolv reads their headers, into the pool."""
    paths = list(paths)
    if not paths:
        return
    repo = pool.add_repo(_BUILT_BEFORE)
    for path in paths:
        add = {"deb": repo.add_deb, "rpm": repo.add_rpm}[family_for_suffix(path.suffix) or "rpm"]
        added = add(str(path))
        if not added:
            raise ToolError(f"libsolv cannot read the package {path}")
    pool.addfileprovides()
    pool.createwhatprovides()


def dependency(pool: Any, text: str) -> Any:
    """The libsolv id of one dependency: "name", "name >= 1.2" or an rpm "(a or b)"."""
    text = text.strip()
    if text.startswith("(") and text.endswith(")"):
        inner = text[1:-1]
        if "(" not in inner and " or " in inner and " and " not in inner:
            ids = [dependency(pool, part) for part in inner.split(" or ")]
            out = ids[0]
            for other in ids[1:]:
                out = pool.rel2id(out, other, _solv().REL_OR)
            return out
        if hasattr(pool, "parserpmrichdep"):
            dep = pool.parserpmrichdep(text)
            if dep:
                return dep.id
    m = _SIMPLE_RE.match(text)
    if not m:
        return pool.str2id(text)
    name = pool.str2id(m.group(1))
    if not m.group(2):
        return name
    return pool.rel2id(name, pool.str2id(m.group(3)), _OPS[m.group(2)])


def check(pool: Any, wanted: Iterable[str], always: Iterable[str] = ()) -> Verdict:
    """Install `wanted` (dependency strings) and `always` (package names) together."""
    solv = _solv()
    missing: list[str] = []
    jobs = []
    for text in dict.fromkeys(wanted):
        if text.startswith("/") and " " not in text.strip():
            # a file: libsolv indexes only the files the pool's own packages require; a
            # filelist selection searches them all
            flags = solv.Selection.SELECTION_FILELIST | solv.Selection.SELECTION_PROVIDES
            selection = pool.select(text.strip(), flags)
            if selection.isempty():
                missing.append(_why_missing(pool, text))
            else:
                jobs += selection.jobs(solv.Job.SOLVER_INSTALL)
            continue
        dep = dependency(pool, text)
        if not pool.whatprovides(dep):
            missing.append(_why_missing(pool, text))
            continue
        jobs.append(pool.Job(solv.Job.SOLVER_INSTALL | solv.Job.SOLVER_SOLVABLE_PROVIDES, dep))
    for name in dict.fromkeys(always):
        dep = pool.str2id(name)
        if pool.whatprovides(dep):
            jobs.append(pool.Job(solv.Job.SOLVER_INSTALL | solv.Job.SOLVER_SOLVABLE_NAME, dep))
    conflicts: list[str] = []
    if jobs:
        solver = pool.Solver()
        for problem in solver.solve(jobs):
            rules = [r.info().problemstr() for r in problem.findallproblemrules()]
            conflicts.append("; ".join(dict.fromkeys(rules)) or str(problem))
    return Verdict(tuple(missing), tuple(conflicts))


def _why_missing(pool: Any, text: str) -> str:
    m = _SIMPLE_RE.match(text.strip())
    if m and m.group(2):
        have = sorted({s.evr for s in pool.whatprovides(pool.str2id(m.group(1)))})
        if have:
            return f"{text} (the index has {m.group(1)} {', '.join(have)})"
    return f"{text} (nothing in the index provides it)"
