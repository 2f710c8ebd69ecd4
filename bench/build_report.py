"""The records of bench/build_corpus.py and what it says about them: the class of each failure
(the section that failed, what the log's tail shows; the spec's or the target's causes apart
from specport's), and the summary per target. Read by build_corpus.py, and by its --from-report
to print a report's summary again after a change to the classes."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Record:
    spec: str
    target: str
    ext: str = ""
    stage: str = "source"  # the last stage reached: source, move, build, install, load, ok
    why: str = ""  # the failure class (one line)
    detail: str = ""
    source: str = ""  # Debian source package and version used, and from where
    version: str = ""  # the upstream version the spec was moved to
    spec_version: str = ""  # the version the spec was written for
    dropped: list[str] = field(default_factory=list)
    nocheck: bool = False
    seconds: float = 0.0
    history: str = ""  # with --history: "COMMIT = V" (the distro's version) or "COMMIT < V"


def same_version(a: str, b: str) -> bool:
    """1.0.0~rc3 (rpm's pre-release spelling) is PECL's 1.0.0RC3."""
    return re.sub(r"[~.]", "", a.lower()) == re.sub(r"[~.]", "", b.lower())


# build failure classes: the section that failed (specport names it), then what the log's tail
# says; the first pattern that matches names the class
_CAUSES = (
    ("dash: a bash-ism", r": not found$|Bad substitution|pushd: not found"),
    (
        "an rpm section debbuild does not know",
        r"%(trigger\w*|posttrans|pretrans|filetrigger\w*): not found",
    ),
    ("a %files path is missing", r"cannot stat|File not found"),
    ("a patch does not apply", r"Hunk #\d+ FAILED|can't find file to patch|patch .* failed"),
    ("no such source file", r"No such file or directory"),
    ("C compile error", r"error: .*\.[ch]:|\.[ch]:\d+:\d+: error:|make: \*\*\* .*Error"),
    ("configure failed", r"configure: error:"),
    ("an upstream test failed", r"FAILED TEST|Tests failed|TEST_PHP|run-tests"),
)
_SPECPORT = (
    ("builds ZTS unconditionally (the target has no ZTS PHP)", r"whatever the build options"),
    ("builds only a ZTS extension (the target has no ZTS PHP)", r"builds only a thread-safe"),
    ("dependency names", r"package index nor the spec set has these names|unresolved"),
    ("build dependencies not installable", r"not installable|cannot be installed|cannot install"),
    ("missing source", r"missing source|source file|sources? .*not found|no source"),
    ("spec not read", r"cannot read the spec|rpmspec|error: line \d+"),
)


def explain(rec: Record, why: str, detail: str) -> tuple[str, str]:
    """The class of a failure whose cause is the spec's or the target's, not the build's (a spec
    for another PHP or another upstream release, names refused with their reasons, a dependency
    version the target lacks), or of one whose sources cannot be had here; else `why` as is.
    Applied again to its own answer it answers the same (--from-report)."""
    patches = [d for d in rec.dropped if re.search(r"\.(patch|diff)$", d)]
    if patches and "compile error" in why:
        return PATCHES_DROPPED, f"{why}: without {', '.join(patches)}"
    if why.startswith("rebase:") and "no longer apply" in why:
        return f"the spec's patches do not apply to {rec.version}", detail
    if why == "dependency names" and _all_reasoned(detail):
        return NO_COUNTERPART, detail
    if why == "missing source" and not re.search(r"\(Source0?[,)]", detail):
        return OUTSIDE_TARBALL, detail
    if why == "build dependencies not installable" and re.search(
        r"missing php[\d.]*-dev [<>]", detail
    ):
        return "the spec needs another PHP than the target's", detail
    older = re.search(r"missing (\S+) < (\S+)", detail)
    if why == "build dependencies not installable" and older:
        return f"needs {older[1]} < {older[2]}, a version the target does not have", detail
    # `missing libbson-dev >= 1.28.0 (the index has libbson-dev 1.23.1-1)`, every miss alike: the
    # spec's release needs libraries newer than the target's
    misses = re.findall(r"missing (\S+) >=? \S+ \(the index has \1 [^)]+\)", detail)
    if (
        why == "build dependencies not installable"
        and misses
        and len(misses) == len(re.findall(r"missing ", detail))
    ):
        return (
            f"the spec's release needs newer {', '.join(misses)} than the target has "
            "(a version the target does not have)",
            detail,
        )
    other_release = rec.spec_version and not same_version(rec.spec_version, rec.version)
    if why.endswith("configure failed") and other_release:
        return (
            f"configure of {rec.version} needs what the spec for {rec.spec_version} does not list",
            detail,
        )
    missing_file = re.search(r"no such source file|a %files path is missing|%prep failed", why)
    if missing_file and other_release:
        section = why.split(":", 1)[0]
        return (
            f"{section}: a file of the spec's release ({rec.spec_version}), not in {rec.version}",
            detail,
        )
    return why, detail


def classify_build(stderr: str, logs: Path) -> tuple[str, str]:
    err = one_line(stderr)
    section = re.search(r"failed in (%\w+)", err)
    if not section:
        for name, pattern in _SPECPORT:
            if re.search(pattern, err, re.IGNORECASE):
                return name, err
        return "other failure", err
    tail = "".join(
        log.read_text(encoding="utf-8", errors="replace")[-8000:]
        for log in sorted(logs.rglob("*.log"))
    )
    for name, pattern in _CAUSES:
        hit = re.search(pattern, tail, re.MULTILINE)
        if hit:
            line = tail[tail.rfind("\n", 0, hit.start()) + 1 : tail.find("\n", hit.end())]
            return f"{section.group(1)}: {name}", line.strip()[:300]
    return f"{section.group(1)} failed", err


def one_line(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    errs = [ln for ln in lines if "error" in ln.lower()]
    return (errs or lines or [""])[-1].strip()


NO_COUNTERPART = "names the target has no counterpart of (each refused with its reason)"
OUTSIDE_TARBALL = "a source from outside the upstream tarball (only Debian's archive is used here)"
PATCHES_DROPPED = "does not compile without the spec's patches, which the corpus lacks (URLs)"

# specs whose sources cannot be had here: counted apart, not as failures
APART = (
    "no upstream source",
    "the corpus lacks the spec's own files",
    "a git snapshot spec (Source0 names a commit)",
    OUTSIDE_TARBALL,
    PATCHES_DROPPED,
)
# failures the spec or the target causes, not specport: a spec for another PHP or another
# upstream release, ZTS-only builds, dependencies the target does not have
SPEC_OR_TARGET = re.compile(
    r"another PHP|a file of the spec's release|patches do not apply|ZTS unconditionally|only a ZTS|"
    r"a version the target does not have|does not list|" + re.escape(NO_COUNTERPART)
)


def _all_reasoned(detail: str) -> bool:
    """Every refused name in specport's message carries its reason: `line 53: x (why)`."""
    names = re.split(r"; (?=line \d+: )", detail.split("these names: ", 1)[-1].split(" (hint:")[0])
    return bool(names) and all(re.search(r"\(.+\)$", n.strip()) for n in names)


def print_summary(target: str, records: list[Record]) -> None:
    have = [r for r in records if r.why not in APART]
    n = len(have)
    built = sum(r.stage in ("install", "load", "ok") for r in have)
    installed = sum(r.stage in ("load", "ok") for r in have)
    ok = sum(r.stage == "ok" for r in have)
    nocheck = sum(r.nocheck and r.stage == "ok" for r in have)
    pct = lambda k: f"{k}/{n} ({100 * k / n:.0f}%)" if n else "0/0"  # noqa: E731
    print(f"\n{target}: {len(records)} specs, {n} with an upstream source in the archives")
    print(
        f"  built {pct(built)}  installed {pct(installed)}  loaded {pct(ok)}"
        + (f"  ({nocheck} of them without upstream's tests)" if nocheck else "")
    )
    from_history = [r.history for r in have if r.history]
    if from_history:
        exact = sum(" = " in h for h in from_history)
        print(
            f"  specs from the history: {exact} written for the distro's release, "
            f"{len(from_history) - exact} for the closest older one"
        )
    classes = Counter(r.why for r in have if r.stage != "ok")
    for why, count in classes.most_common():
        print(f"  {count:4d}  {why}")
    fit = [r for r in have if r.stage == "ok" or not SPEC_OR_TARGET.search(r.why)]
    if len(fit) != n:
        k = sum(r.stage == "ok" for r in fit)
        share = f"{k}/{len(fit)} ({100 * k / len(fit):.0f}%)" if fit else "0/0"
        print(f"  loaded {share} of the specs the target can build (less the classes the spec")
        print("        or the target causes: another PHP or release, ZTS only, no counterpart)")
    apart = Counter(r.why for r in records if r.why in APART)
    for why, count in apart.items():
        print(f"  ({count} specs: {why})")
