#!/usr/bin/env python3
"""Do real specs build, install and load? A build-level corpus bench.

    bench/build_corpus.py DIR --target debian-12,ubuntu-20.04 [--jobs 2] [--out DIR]
                          [--match GLOB] [--limit N] [--nocheck-retry] [--report FILE]
                          [--history GITDIR [--history-at PATH]]
    bench/build_corpus.py - --report FILE --from-report

For every spec under DIR (each with the files of its own directory: patches, ini files, ...) and
every deb target:
  source     the extension's upstream tarball from the target's Debian/Ubuntu source package
             (bench/corpus_upstream.py: orig tarballs, repacked as the PECL release tarball);
             specs whose upstream no archive here has are counted apart, not as failures;
  history    with --history: the spec (and the files it names) of the newest revision in the
             repository DIR was checked out from whose Version is the distro's, else of the
             closest older release (bench/corpus_history.py);
  move       `specport rebase SPEC --version V --source TARBALL`: the spec moved to the version
             the distro ships; patch files the corpus lacks, and patches that no longer apply to
             V (rebase says which), are dropped (`--drop`), each named in the report;
  build      `specport build --target T` (real debbuild in the target's builder image); with
             --nocheck-retry a build that failed in %check is built again with `--nocheck` and
             counted as built "without %check";
  install    the .debs, with apt, into a clean container of the target's base image, with its
             php-cli installed first;
  load       `php -m` lists a module it did not list before, for every extension .so the packages
             ship (a program's package: `--version` of its binaries is not checked here).
It prints per target the share built, installed and loaded of the specs whose source it had, and
the failure classes with counts; beside it, the share loaded of the specs the target can build:
less the failures the spec or the target causes (a spec for another PHP or another upstream
release than the distro ships, ZTS-only builds, dependencies with no counterpart on the target,
each refused with its reason). --report writes every spec's record (JSON); --from-report prints
a report's summary again (after a change to the classes). The corpus is read
as text on this host (never by rpm); rpm and debbuild read it only in specport's sandbox and
build containers. Keep real corpora out of the repository.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import fnmatch
import json
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus_upstream as upstream  # sibling modules, not a package
from build_report import (
    APART,
    Record,
    classify_build,
    explain,
    one_line,
    print_summary,
    same_version,
)
from corpus_history import History

from specport.config import load_config
from specport.container.engine import connect
from specport.container.runs import Throwaway
from specport.errors import SpecportError
from specport.forks import specedit
from specport.normalize import edit
from specport.normalize.forge import forge_macros
from specport.normalize.lines import split_lines
from specport.sandbox.specinfo import SourceRef
from specport.targets.model import Target

BUILD_TIMEOUT = 3600
INSTALL_TIMEOUT = 900
SPECPORT = [sys.executable, "-m", "specport"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--target", "-t", default="debian-12,ubuntu-20.04")
    parser.add_argument("--out", type=Path, default=Path("/tmp/specport-build-corpus"))
    parser.add_argument("--jobs", "-j", type=int, default=1)
    parser.add_argument("--match", default="*.spec", help="file name glob (default *.spec)")
    parser.add_argument("--limit", type=int, default=0, help="at most N specs per target")
    parser.add_argument("--nocheck-retry", action="store_true")
    parser.add_argument("--report", type=Path)
    parser.add_argument("--prepare-only", action="store_true", help="sources and rebase only")
    parser.add_argument(
        "--history",
        type=Path,
        help="the git repository DIR was checked out from: each spec from the revision written "
        "for the distro's release (bench/corpus_history.py)",
    )
    parser.add_argument("--history-at", default="", help="DIR's path in the --history repository")
    parser.add_argument(
        "--from-report", action="store_true", help="print the summary of the --report file again"
    )
    args = parser.parse_args(argv)
    if args.from_report:
        records = [Record(**r) for r in json.loads(args.report.read_text(encoding="utf-8"))]
        for rec in records:
            if rec.stage != "ok" and rec.why not in APART:
                rec.why, rec.detail = explain(rec, rec.why, rec.detail)
        for name in dict.fromkeys(r.target for r in records):
            print_summary(name, [r for r in records if r.target == name])
        return 0

    config = load_config()
    targets = [config.targets[t] for t in args.target.split(",")]
    args.history_repo = History(args.history, args.dir, args.history_at) if args.history else None
    specs = sorted(p for p in args.dir.rglob("*.spec") if fnmatch.fnmatch(p.name, args.match))
    records: list[Record] = []
    for target in targets:
        records += run_target(target, specs, args, config.settings)
    for target in targets:
        print_summary(target.name, [r for r in records if r.target == target.name])
    if args.report:
        args.report.write_text(json.dumps([asdict(r) for r in records], indent=1) + "\n")
    return 0


def run_target(
    target: Target, specs: list[Path], args: argparse.Namespace, settings
) -> list[Record]:  # type: ignore[no-untyped-def]
    archives = upstream.Archives(target, settings)
    root = args.out / target.name
    prepared: list[tuple[Record, Path | None]] = []
    try:
        for spec in specs:
            prepared.append(prepare(spec, target, archives, root, args.history_repo))
            if args.limit and sum(1 for r, w in prepared if w is not None) >= args.limit:
                break
    finally:
        archives.close()
    ready = [(r, w) for r, w in prepared if w is not None]
    print(f"{target.name}: {len(ready)} of {len(prepared)} specs have an upstream source here")
    if args.prepare_only:
        for rec, _ in prepared:
            print(f"  {rec.spec}: {rec.ext} {rec.source} -> {rec.version} {rec.why}".rstrip())
        return [r for r, _ in prepared]
    engine = connect()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(build_and_load, r, w, target, engine, args) for r, w in ready]
        for n, fut in enumerate(concurrent.futures.as_completed(futures), 1):
            rec = fut.result()
            print(f"  [{n}/{len(ready)}] {rec.spec}: {rec.stage} {rec.why}".rstrip(), flush=True)
    return [r for r, _ in prepared]


def prepare(
    spec: Path,
    target: Target,
    archives: upstream.Archives,
    root: Path,
    history: History | None = None,
) -> tuple[Record, Path | None]:
    """A work directory with the spec moved to the distro's upstream version, or None (the
    record says why). With a history, the spec (and its directory) of the revision written
    for that version, or for the closest older one."""
    rec = Record(spec=str(spec), target=target.name)
    text = spec.read_text(encoding="utf-8", errors="replace")
    rec.ext = upstream.spec_ext(text, spec)
    key = re.sub(r"[^A-Za-z0-9_.-]", "_", str(spec.relative_to(spec.anchor)))
    work = root / key
    shutil.rmtree(work, ignore_errors=True)
    (work / "src").mkdir(parents=True)
    try:
        up = archives.find(rec.ext, work)
    except upstream.NoUpstream as exc:
        rec.why, rec.detail = "no upstream source", str(exc)
        return rec, None
    rec.source = f"{up.source} {up.debian_version} ({up.suite})"
    rec.version = up.version
    try:
        rec.spec_version = specedit.tag_value(text, "Version")
    except SpecportError:
        rec.spec_version = upstream.spec_version(text)
    revision = history.revision(spec, up.version) if history else None
    if revision is not None and spec.name in revision.files:
        rec.history = f"{revision.commit[:12]} {'=' if revision.exact else '<'} {revision.version}"
        text = revision.files[spec.name].decode("utf-8", errors="replace")
        rec.spec_version = revision.version
        for name, data in revision.files.items():
            if name == spec.name or not name.endswith(".spec"):
                (work / "src" / name).write_bytes(data)
    else:
        for f in spec.parent.iterdir():  # the spec's own directory: patches, ini files
            if f.is_file() and (f == spec or not f.name.endswith(".spec")):
                shutil.copy2(f, work / "src" / f.name)
    moved = work / "src" / spec.name
    rec.stage = "move"
    try:
        err = move(moved, up, rec)
        if not err and _is_forge(moved):
            drop_absent_docs(moved, up, rec)
    except SpecportError as exc:
        err = str(exc)
    if err:
        snapshot = re.search(
            r"Source0: '[^']*%\{(gh_commit|gh_short|commit|shortcommit|gitver|svnver)\}", err
        )
        why = (
            "a git snapshot spec (Source0 names a commit)"
            if snapshot
            else "rebase: " + one_line(err)[:120]
        )
        rec.why, rec.detail = why, err
        return rec, None
    lacking = own_files_missing(moved)
    if lacking:  # the packager's own files (an ini, a README): not upstream's, not to be had
        rec.why = "the corpus lacks the spec's own files"
        rec.detail = ", ".join(lacking)
        return rec, None
    return rec, moved


def own_files_missing(spec: Path) -> list[str]:
    """SourceN (N > 0) files a spec-only corpus does not hold beside the spec (URLs excepted:
    those are upstream's, and the build's --sources check names them)."""

    text = spec.read_text(encoding="utf-8", errors="replace")
    missing = []
    for tag, number, value in upstream.file_tags(text):
        if tag != "Source" or not re.fullmatch(r"[1-9]\d*", number) or "://" in value:
            continue
        name = value.rsplit("/", 1)[-1]
        if not (spec.parent / name).is_file():
            missing.append(f"Source{number} {name}")
    return missing


def move(spec: Path, up: upstream.Upstream, rec: Record) -> str:
    """`specport rebase` to up.version, dropping patches the corpus lacks or that conflict; the
    tarball is laid out as the spec unpacks it (PECL release, or %forgemeta's archive)."""

    text = spec.read_text(encoding="utf-8", errors="replace")
    moved = edit.set_version(text, up.version)
    forge = forge_macros(split_lines(moved))
    name = SourceRef("Source0", specedit.source0(moved)).filename
    tarball = up.tarball(spec.parent.parent / name, forge.get("topdir"))
    missing = [p for p in specedit.patches(text) if not (spec.parent / p.name).is_file()]
    drop = [p.name for p in missing]
    if same_version(upstream.spec_version(text), up.version) or same_version(
        specedit.tag_value(text, "Version"), up.version
    ):
        shutil.copy2(tarball, spec.parent / name)
        if missing:  # at its version already: no rebase, the absent patch files go as text
            spec.write_text(specedit.drop_patches(text, missing), encoding="utf-8")
            rec.dropped = drop
        return ""
    for _ in range(20):  # each conflicting patch is dropped and the rebase tried again
        argv = [*SPECPORT, "rebase", str(spec), "--version", up.version, "--source", str(tarball)]
        argv += [a for p in drop for a in ("--drop", p)]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=600, check=False)
        if done.returncode == 0:
            rec.dropped = drop
            return ""
        conflicts = re.findall(r"(\S+) no longer applies to", done.stdout + done.stderr)
        new = [c for c in conflicts if c not in drop]
        if not new:
            return (done.stderr or done.stdout).strip()
        drop += new
    return "too many conflicting patches"


def _is_forge(spec: Path) -> bool:
    return "%forgemeta" in spec.read_text(encoding="utf-8", errors="replace")


def drop_absent_docs(spec: Path, up: upstream.Upstream, rec: Record) -> None:
    """A forge spec's `%doc composer.json`: the project's git archive has it, the PECL release
    the distro ships does not. Plain file names a %doc/%license line lists that the release's
    tree lacks are dropped from the spec, each named in the report."""
    out = []
    for line in spec.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True):
        m = re.match(r"^(%(?:doc|license)\s+)(.*?)\s*$", line)
        if not m:
            out.append(line)
            continue
        words = m.group(2).split()
        gone = [w for w in words if _plain_or_glob(w) and not list(up.tree.glob(w))]
        if not gone:
            out.append(line)
            continue
        rec.dropped += [f"%doc {w}" for w in gone]
        kept = [w for w in words if w not in gone]
        if kept:
            out.append(m.group(1) + " ".join(kept) + "\n")
    spec.write_text("".join(out), encoding="utf-8")


def _plain_or_glob(word: str) -> bool:
    """A file name or a glob of the tree's top (`*.md`), no macro, no path."""
    return bool(re.fullmatch(r"[\w.+*?-]+", word))


def build_and_load(rec: Record, spec: Path, target: Target, engine, args) -> Record:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    out = spec.parent.parent / "out"
    rec.stage = "build"
    done = _build(spec, target, out, [])
    if done.returncode != 0 and args.nocheck_retry:
        # upstream's tests: a %check that needs a server, or a test-only BuildRequires the
        # target lacks (valkey on bookworm); a packager builds without them, as the spec allows
        tests_bcond = re.search(r"^%bcond(_without\s+tests\b|\s+tests\s+1)", spec.read_text(
            encoding="utf-8", errors="replace"), re.MULTILINE)  # fmt: skip
        names = "these names" in done.stderr or "cannot be installed" in done.stderr
        if _failed_in_check(out, target) or (names and tests_bcond):
            rec.nocheck = True
            extra = ["--nocheck", *(["--without", "tests"] if tests_bcond else [])]
            done = _build(spec, target, out, extra)
    (spec.parent.parent / "build.stderr").write_text(done.stderr, encoding="utf-8")
    debs = sorted((out / target.name).glob("*.deb"))
    if done.returncode != 0 or not debs:
        rec.why, rec.detail = explain(rec, *classify_build(done.stderr, out / target.name / "logs"))
    else:
        install_and_load(rec, debs, target, engine, spec.parent.parent / "install.log")
    rec.seconds = round(time.monotonic() - started, 1)
    return rec


def _build(
    spec: Path, target: Target, out: Path, extra: list[str]
) -> subprocess.CompletedProcess[str]:
    shutil.rmtree(out, ignore_errors=True)
    argv = [*SPECPORT, "build", "-t", target.name, "-o", str(out), "--sources", str(spec.parent)]
    return subprocess.run(
        [*argv, *extra, str(spec)], capture_output=True, text=True, timeout=BUILD_TIMEOUT + 600,
        check=False,
    )  # fmt: skip


def _failed_in_check(out: Path, target: Target) -> bool:
    for log in (out / target.name / "logs").glob("*.log"):
        text = log.read_text(encoding="utf-8", errors="replace")
        if re.search(r"Executing\(%check\)|%check", text[-20000:]):
            tail = text[-4000:]
            return "%check" in tail or "run-tests" in tail or "TEST_PHP" in tail
    return False


def install_and_load(rec: Record, debs: list[Path], target: Target, engine, log: Path) -> None:  # type: ignore[no-untyped-def]
    rec.stage = "install"
    with Throwaway(engine, target.image, log_path=log, purpose="bench-corpus") as box:
        for deb in debs:
            box.copy_in(deb, "/tmp/debs")
        env = "DEBIAN_FRONTEND=noninteractive"
        box.run(f"{env} apt-get update -q", timeout=INSTALL_TIMEOUT)
        box.run(
            f"{env} apt-get install -y -q --no-install-recommends php-cli", timeout=INSTALL_TIMEOUT
        )
        before = set(box.run("php -m", timeout=60).output.lower().split())
        done = box.run(
            f"{env} apt-get install -y -q /tmp/debs/*.deb", timeout=INSTALL_TIMEOUT, check=False
        )
        if done.exit_code != 0:
            rec.why, rec.detail = "apt install failed", _apt_error(done.output)
            return
        rec.stage = "load"
        # the PHP extensions the packages ship: <extension dir>/<name>.so
        shipped = box.run(
            'for d in /tmp/debs/*.deb; do dpkg-deb -c "$d"; done'
            " | grep -o 'usr/lib/php/[0-9]*/[^/]*\\.so$' | sed 's|.*/||' | sort -u || true",
            timeout=60,
        ).output.split()
        loaded = box.run("php -d display_startup_errors=1 -m 2>&1", timeout=60).output
        after = set(loaded.lower().split())
        new = after - before
        exts = [s[:-3].lower() for s in shipped if s.endswith(".so")]
        if not exts:
            rec.why, rec.detail = "no extension .so in the packages", " ".join(shipped)
            return
        missing = [e for e in exts if e not in new and e.replace("-", "_") not in new]
        if missing and not (new and len(exts) == 1):
            warn = [ln for ln in loaded.splitlines() if "Warning" in ln or "Unable" in ln]
            rec.why, rec.detail = (
                "extension does not load",
                "; ".join(warn)[:400] or " ".join(missing),
            )
            return
    rec.stage, rec.why = "ok", ""


def _apt_error(output: str) -> str:
    lines = [ln for ln in output.splitlines() if ln.startswith(("E:", " ")) and ln.strip()]
    return " | ".join(lines[-6:])[:500]


if __name__ == "__main__":
    sys.exit(main())
