#!/usr/bin/env python3
"""How much of a forest of Fedora-style specs does `specport normalize` carry to each target, how
much of that the target's own spec reader accepts, and how fast?

    bench/normalize_corpus.py [--target debian-12,el8-php7.4] [--git] [--no-check] [--keep DIR]
                              [--specs DIR] [--no-raw]

The corpus is bench/specgen.py's (about 240 specs: PECL extensions, PHP library stacks that need
each other, PEAR packages, C libraries, programs), or with `--specs DIR` every *.spec file under
DIR (a forest of real specs, read in place and never copied: keep it out of the repository).
`--no-raw` skips the raw-debbuild baseline and the --keep-unresolved run (a large forest).
For each target, one `specport normalize` call
(a subprocess, exactly what a user runs, with `-o`) normalizes every spec; it prints:

  resolved   specs normalized with no unresolved dependency name (on rpm targets names are kept,
             so this is the share that normalizes at all);
  debbuild   deb targets: the share the real `debbuild --showpkgs` parses cleanly (exit 0, and no
             dash error such as "Bad substitution" on its output), one container of the target's
             builder image for all specs; a spec that did not normalize counts as not parsed;
             then the same for the call with --keep-unresolved (what else debbuild stumbles on
             once names no longer stop normalize);
  raw debbuild  deb targets: issue 13's baseline, the same check of the un-normalized corpus
             with no specport macros (plain debbuild), one more container, beside the share
             after specport;
  rpm        rpm targets with an older rpm than the host's (el8: 4.14): `rpmspec -P` in one
             ubuntu:20.04 container (rpm 4.14), same counting; never on the host;
  index load deb targets: seconds to load the cached package index (verified as normalize
             does) in a fresh Python process (`specport index update` first);
  specs/s    specs divided by the wall time of the one call (Python start-up included), by its
             CPU time (user + system: on a shared machine wall time counts other work too), and
             the in-process rate of the same passes (normalize() over the texts, no I/O).

`--git` first commits the corpus twice into a throwaway git repository, so %autorelease and
%autochangelog come from git history as they would in a packager's repository (one `git log` and
one `git cat-file` per spec). When the CLI has `--report FILE` (issue 13), its per-spec statuses
and unresolved names are used; otherwise a spec counts as normalized when its output file exists.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from specport.config import load_config
from specport.errors import SpecportError
from specport.normalize.lines import expand, simple_macros, split_lines
from specport.normalize.model import NormalizeOptions
from specport.normalize.passes import normalize
from specport.targets.model import Target

sys.path.insert(0, str(Path(__file__).resolve().parent))
import specgen  # sibling scripts, not a package
from corpus_parse import check_debbuild, check_raw_debbuild, check_rpm414, print_failures

DEFAULT_TARGETS = "debian-12,el8-php7.4"


@dataclass(frozen=True)
class Run:
    target: str
    specs: int
    normalized: dict[Path, Path]  # input spec -> normalized output
    resolved: int
    wall: float
    cpu: float  # user + system seconds of the call: the machine may be shared
    failures: Counter[str]  # first words of each failing spec's error, for the summary
    unresolved: Counter[str]  # names left unresolved (from --report), by how many specs
    # refused specs by the classes of their refused names ("absent", "absent+unknown", ...) and
    # refused names by (class, name), from --report's "refused" (specport 0.x: absent)
    classes: Counter[str]
    refused: Counter[tuple[str, str]]


def cli_options() -> set[str]:
    done = subprocess.run(
        [sys.executable, "-m", "specport", "normalize", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    return {w.strip(",") for w in done.stdout.split() if w.startswith("--")}


def output_name(spec: Path) -> str:
    """The name `normalize -o` writes the spec under (the same expansion the CLI uses)."""
    text = spec.read_text(encoding="utf-8")
    macros = simple_macros(split_lines(text))
    return expand(macros.get("name", ""), macros) or spec.stem


def run_cli(specs: list[Path], target: str, out: Path, options: set[str], *extra: str) -> Run:
    argv = [sys.executable, "-m", "specport", "-q", "normalize", "--target", target, "-o", str(out)]
    argv += extra
    report = out / f"report-{target}.json"
    if "--report" in options:
        argv += ["--report", str(report)]
    if "--keep-going" in options:
        argv.append("--keep-going")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    done = subprocess.run([*argv, *map(str, specs)], capture_output=True, text=True, check=False)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    failures: Counter[str] = Counter()
    unresolved: Counter[str] = Counter()
    classes: Counter[str] = Counter()
    refused: Counter[tuple[str, str]] = Counter()
    normalized: dict[Path, Path] = {}
    if report.is_file():
        data = json.loads(report.read_text(encoding="utf-8"))
        resolved = 0
        for entry in data["specs"]:
            if entry["target"] != target:
                continue
            unresolved.update(set(entry.get("unresolved") or []))
            kinds = {(r["class"], r["name"]) for r in entry.get("refused") or []}
            refused.update(kinds)
            if kinds:
                classes["+".join(sorted({k for k, _ in kinds}))] += 1
            if entry["status"] == "ok" and entry.get("output"):
                normalized[Path(entry["spec"]).resolve()] = Path(entry["output"])
                resolved += not entry.get("unresolved")
            elif entry.get("unresolved"):
                failures["unresolved dependency names"] += 1
            else:
                failures[_kind(str(entry.get("error", "")))] += 1
    else:
        for spec in specs:
            path = out / target / f"{output_name(spec)}.spec"
            if path.is_file():
                normalized[spec.resolve()] = path
        resolved = len(normalized)  # without --keep-unresolved, unresolved names fail the spec
        for line in done.stderr.splitlines():
            if line.startswith("specport: error: ") and ".spec" in line.split(":")[2]:
                failures[_kind(line.split(": ", 3)[-1])] += 1
    return Run(
        target, len(specs), normalized, resolved, wall, cpu, failures, unresolved, classes, refused
    )


def _kind(error: str) -> str:
    """A failure's class: its message without the spec's path, line numbers and hint."""
    if "no rule translates" in error or "unresolved" in error:
        return "unresolved dependency names"
    text = re.sub(r"^\S+\.spec(?::\d+)?: ", "", error)
    text = re.sub(r"\bline \d+: ", "", text)
    return text.split(" (")[0][:90] or "unknown"


def in_process_rate(specs: list[Path], target: Target) -> tuple[float, float]:
    """(seconds to set up the resolver as the CLI does, specs/s of normalize() alone over the
    same texts with it: no git, no files written)."""
    texts = {p: p.read_text(encoding="utf-8") for p in specs}
    options = NormalizeOptions()
    started = time.perf_counter()
    resolver = None
    try:  # the CLI's resolver (package index + spec set) where this specport has one
        from specport.index.resolvers import index_mode, make_resolvers

        settings = load_config(None).settings
        mode = index_mode(settings, offline=True, no_index=False)
        resolver = make_resolvers([target], texts, settings, mode).get(target.name)
    except (ImportError, SpecportError):
        pass
    setup = time.perf_counter() - started
    started = time.perf_counter()
    for path, text in texts.items():
        with contextlib.suppress(SpecportError):
            if resolver is None:
                normalize(text, target, path=str(path), options=options)
            else:
                normalize(text, target, path=str(path), options=options, resolver=resolver)
    return setup, len(texts) / (time.perf_counter() - started)


def index_load_seconds(target: str) -> float | None:
    """Seconds to load the target's cached package index as `normalize` does (gpgv on each
    InRelease, the cache's hashes, the derived JSON), timed inside a fresh Python process so
    no earlier load is reused; None when the target has no cached index."""
    code = (
        "import sys, time\n"
        "from specport.config import load_config\n"
        "from specport.errors import SpecportError\n"
        "from specport.index import store\n"
        "config = load_config(None)\n"
        "started = time.perf_counter()\n"
        "try:\n"
        f"    store.load(config.targets[{target!r}], config.settings)\n"
        "except SpecportError:\n"
        "    sys.exit(3)\n"
        "print(time.perf_counter() - started)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    return float(done.stdout) if done.returncode == 0 else None


def commit_twice(corpus: Path) -> None:
    """A packager's repository: the corpus committed, then touched once more."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Corpus Writer",
        "GIT_AUTHOR_EMAIL": "corpus@example.org",
        "GIT_COMMITTER_NAME": "Corpus Writer",
        "GIT_COMMITTER_EMAIL": "corpus@example.org",
    }

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(corpus), *args], check=True, env=env, capture_output=True)

    git("init", "-q")
    git("add", ".")
    git("commit", "-q", "-m", "import the corpus")
    for spec in sorted(corpus.glob("*.spec"))[::2]:
        spec.write_text(spec.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    git("commit", "-q", "-a", "-m", "touch every other spec")


def share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.1f}%)" if whole else "0/0"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", default=DEFAULT_TARGETS, help="comma list of target names")
    parser.add_argument("--git", action="store_true", help="normalize from a git repository")
    parser.add_argument("--no-check", action="store_true", help="skip debbuild / rpm 4.14")
    parser.add_argument("--keep", type=Path, help="keep the corpus and outputs in this directory")
    parser.add_argument("--specs", type=Path, help="every *.spec under DIR instead of specgen's")
    parser.add_argument(
        "--no-raw", action="store_true", help="skip raw debbuild and --keep-unresolved"
    )
    args = parser.parse_args()

    targets = load_config(None).targets
    work = args.keep or Path(tempfile.mkdtemp(prefix="specport-bench-corpus-"))
    if args.specs is not None:
        corpus = args.specs.resolve()
        specs = sorted(p for p in corpus.rglob("*.spec") if p.is_file())
        origin = "real specs"
    else:
        corpus = work / "corpus"
        specs = sorted(specgen.write(corpus))
        origin = "bench/specgen.py"
        if args.git:
            commit_twice(corpus)
    options = cli_options()
    print(
        f"corpus: {len(specs)} specs ({origin}) in {corpus}"
        f"{', in git' if args.git else ''}; cores: {os.cpu_count()}"
    )
    print(f"normalize reports per spec: {'--report' in options}; load: {os.getloadavg()[0]:.1f}")
    for name in args.target.split(","):
        target = targets[name]
        run = run_cli(specs, name, work / "out", options)
        setup, rate = in_process_rate(specs, target)
        loaded = index_load_seconds(name) if target.family == "deb" else None
        print(f"\n== {name}")
        if loaded is not None:
            print(
                f"  index load     {loaded:.2f} s (cached package index, verified, fresh process)"
            )
        print(f"  resolved       {share(run.resolved, run.specs)}")
        print(f"  normalized     {share(len(run.normalized), run.specs)}")
        for kind, n in run.failures.most_common(5):
            print(f"    failed: {n} x {kind}")
        if run.classes:
            listed = ", ".join(f"{k} {n}" for k, n in run.classes.most_common())
            print(f"    refused specs by the classes of their names: {listed}")
            for kind in sorted({k for k, _ in run.refused}):
                of_kind = [(n, c) for (k, n), c in run.refused.most_common() if k == kind]
                total = sum(c for _, c in of_kind)
                shown = ", ".join(f"{n} ({c})" for n, c in of_kind[:10])
                print(f"    {kind}: {len(of_kind)} names in {total} spec-refusals: {shown}")
        elif run.unresolved:
            names = ", ".join(f"{k} ({n})" for k, n in run.unresolved.most_common(8))
            print(f"    unresolved names (specs): {names}")
        print(
            f"  specs/s        {run.specs / run.wall:.0f} specs/s wall, {run.specs / run.cpu:.0f}"
            f" per CPU second (one CLI call: {run.wall:.2f} s wall, {run.cpu:.2f} s CPU, Python"
            f" start-up included); {rate:.0f} specs/s in-process normalize() after {setup:.2f} s"
            " of resolver set-up (package index, spec set)"
        )
        if args.no_check or not run.normalized:
            continue
        if target.family == "deb":
            ok, why = check_debbuild(run.normalized, target, work)
            tool = "debbuild --showpkgs"
        else:
            ok, why = check_rpm414(run.normalized, target, work)
            tool = "rpmspec -P, rpm 4.14"
        print(f"  {tool:<14} {share(ok, run.specs)} of all specs")
        print(f"  {'':<14} {share(ok, len(run.normalized))} of normalized specs")
        print_failures(why)
        if target.family == "deb" and not args.no_raw:
            raw_ok, raw_why = check_raw_debbuild(specs, target, work)
            print(
                f"  raw debbuild   {share(raw_ok, run.specs)} of the un-normalized specs"
                f" (no specport), beside {share(ok, run.specs)} after specport"
            )
            print_failures(raw_why)
        if target.family == "deb" and not args.no_raw:
            # what debbuild makes of every spec once names no longer stop it (issue 13's resolver
            # aims there): the same call with --keep-unresolved, then the same check
            kept = run_cli(specs, name, work / "out-kept", options, "--keep-unresolved")
            ok, why = check_debbuild(kept.normalized, target, work)
            print(f"  with --keep-unresolved: normalized {share(len(kept.normalized), kept.specs)}")
            print(f"  {tool:<14} {share(ok, len(kept.normalized))} of those")
            print_failures(why)
    if args.keep is None:
        print(f"\n(outputs left in {work}; pass --keep DIR to choose where)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
