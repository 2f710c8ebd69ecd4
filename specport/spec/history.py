"""The spec's git history, for %autorelease and %autochangelog (like rpmautospec).

This module does I/O (it runs git); the passes only receive its results through
NormalizeOptions. Release number: commits touching the spec since the last commit that changed
its Version (that commit counts as 1). Changelog: one entry per commit, newest first.

Whether a spec uses the two macros at all is rpmautospec's own answer (rpmautospec-core, which
reads the text and runs nothing); git is not run for specs that do not. The numbers themselves
are computed here: rpmautospec's PkgHistoryProcessor parses the spec of every past commit with
rpm, which would run an untrusted spec's macros on the host.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path

from rpmautospec_core.main import check_specfile_features

from specport.errors import ToolError
from specport.run import GIT_TIMEOUT, git, git_argv, git_env, run
from specport.spec.model import NormalizeOptions

MAX_COMMITS = 500
_LOG_FORMAT = "--format=%H%x1f%an%x1f%ae%x1f%ad%x1f%s"
_LOG_DATE = "--date=format:%a %b %d %Y"
_VERSION_RE = re.compile(r"^Version\s*:\s*(\S+)", re.MULTILINE | re.IGNORECASE)


@dataclass(frozen=True)
class History:
    release: int
    changelog: tuple[str, ...]
    date: str  # of the newest commit, "%a %b %d %Y"


def _git(cwd: Path, *args: str) -> str | None:
    try:
        done = git(cwd, *args, check=False)
    except ToolError:  # git missing or hung: no history, as for an untracked spec
        return None
    return done.text if done.ok else None


class TrackedFiles:
    """Which files git tracks, asked once per directory: normalizing a set of specs costs one
    `git ls-files` per directory instead of one per spec (and nothing more outside git).

    Keep one for one command run: a later commit is not seen by an instance made before it."""

    def __init__(self) -> None:
        self._by_dir: dict[Path, dict[str, str]] = {}
        self._logs: dict[Path, dict[str, list[str]] | None] = {}
        self._asked: set[Path] = set()

    def full_name(self, spec: Path) -> str | None:
        """The spec's path from the top of its work tree, or None when git does not track it."""
        spec = spec.resolve()
        names = self._by_dir.get(spec.parent)
        if names is None:
            # `:(glob)*` is the directory's own files only: `*` does not cross `/` in glob magic
            out = _git(spec.parent, "ls-files", "-z", "--full-name", "--", ":(glob)*") or ""
            names = {p.rsplit("/", 1)[-1]: p for p in out.split("\0") if p}
            self._by_dir[spec.parent] = names
        return names.get(spec.name)

    def log(self, spec: Path) -> str | None:
        """What `git log --format=... -- NAME` prints for the spec, cut from one log of its
        directory; None when that cannot be the same answer (then ask git for this spec).

        Only for a history without merges: there `git log -- a` is exactly the commits of
        `git log -- a b ...` that changed a, in the same order. With merges git simplifies the
        history per pathspec, so one file's log may walk other parents. The first spec of a
        directory gets None too: for one spec its own log is cheaper than the directory's."""
        spec = spec.resolve()
        if spec.parent not in self._asked:
            self._asked.add(spec.parent)
            return None
        if spec.parent not in self._logs:
            self._logs[spec.parent] = _directory_log(spec.parent)
        logs = self._logs[spec.parent]
        full_name = self.full_name(spec)
        if logs is None or full_name is None:
            return None
        headers = logs.get(full_name, [])[:MAX_COMMITS]
        return "".join(f"{h}\n" for h in headers)


def _directory_log(cwd: Path) -> dict[str, list[str]] | None:
    """Path from the top of the work tree -> log lines of each commit that changed it, newest
    first, for the files directly in `cwd`; None for a history with merges or file names git
    quotes."""
    merges = _git(cwd, "rev-list", "--merges", "--max-count=1", "HEAD")
    if merges is None or merges.strip():
        return None
    # \x1e marks a commit's own line; the names it changed follow, one per line
    # names as paths from the top whatever the repository's diff.relative says
    out = _git(cwd, "-c", "diff.relative=false", "log", _LOG_DATE,
               _LOG_FORMAT.replace("=", "=%x1e", 1), "--name-only", "--", ":(glob)*")  # fmt: skip
    if out is None:
        return None
    logs: dict[str, list[str]] = {}
    header = ""
    for line in out.split("\n"):
        if line.startswith("\x1e"):
            header = line[1:]
        elif line.startswith('"'):
            return None  # a quoted name ("\303\244.spec"): not worth decoding here
        elif line:
            logs.setdefault(line, []).append(header)
    return logs


def spec_history(spec: Path, tracked: TrackedFiles | None = None) -> History | None:
    """None when the spec is not tracked by git (or git is missing)."""
    spec = spec.resolve()
    tracked = tracked or TrackedFiles()
    rel_path = tracked.full_name(spec)
    if not rel_path:
        return None
    log = tracked.log(spec)
    if log is None:
        log = _git(spec.parent, "log", f"--max-count={MAX_COMMITS}", _LOG_DATE, _LOG_FORMAT,
                   "--", spec.name)  # fmt: skip
    if not log:
        return None
    commits = [line.split("\x1f") for line in log.splitlines() if line.count("\x1f") == 4]
    versions = []
    for text in _blobs(spec.parent, [f"{commit[0]}:{rel_path}" for commit in commits]):
        m = _VERSION_RE.search(text)
        versions.append(m.group(1) if m else "0")
    # walk oldest -> newest, numbering releases per version
    numbered: list[tuple[list[str], str, int]] = []
    release, previous = 0, None
    for commit, version in zip(reversed(commits), reversed(versions), strict=True):
        release = release + 1 if version == previous else 1
        previous = version
        numbered.append((commit, version, release))
    entries = tuple(
        f"* {c[3]} {c[1]} <{c[2]}> - {v}-{r}\n- {c[4]}" for c, v, r in reversed(numbered)
    )
    return History(release=numbered[-1][2], changelog=entries, date=commits[0][3])


def _blobs(cwd: Path, objects: list[str]) -> list[str]:
    """The text of each `commit:path` ("" when it does not exist there), from one
    `git cat-file --batch` (was one `git show` per commit; cat-file also never runs a textconv
    filter a repository's config might name)."""
    if not objects:
        return []
    if any("\n" in o for o in objects):  # cat-file reads one object name per line
        return [_git(cwd, "show", o) or "" for o in objects]
    try:
        done = run(
            git_argv(cwd, "cat-file", "--batch"),
            timeout=GIT_TIMEOUT,
            env=git_env(),
            input_bytes="".join(f"{o}\n" for o in objects).encode(),
            check=False,
        )
    except ToolError:
        return [""] * len(objects)
    out, pos, data = [], 0, done.stdout if done.ok else b""
    for _ in objects:
        end = data.find(b"\n", pos)
        if end < 0:
            out.append("")
            continue
        header = data[pos:end].split()
        pos = end + 1
        # "<oid> <type> <size>" then the content and a newline; "<object> missing" otherwise
        if len(header) == 3 and header[2].isdigit():
            size = int(header[2])
            blob = data[pos : pos + size] if header[1] == b"blob" else b""
            out.append(blob.decode("utf-8", errors="replace"))
            pos += size + 1
        else:
            out.append("")
    return out


def normalize_options(
    spec: Path,
    *,
    packager: str,
    keep_unresolved: bool = False,
    release_suffix: str = "",
    tracked: TrackedFiles | None = None,
) -> NormalizeOptions:
    """Options for normalizing the spec file at `spec`: %autorelease and %autochangelog from its
    git history when git tracks it (like rpmautospec), else release 1 and one changelog entry
    dated by the file's mtime, signed by `packager`. `normalize` and `build` both use this, so
    they agree on Release and %changelog. Pass one `tracked` for a set of specs."""
    features = check_specfile_features(spec, enable_caching=False)
    uses = features.has_autorelease or features.has_autochangelog
    history = spec_history(spec, tracked) if uses else None
    if history is not None:
        return NormalizeOptions(
            release_suffix=release_suffix,
            keep_unresolved=keep_unresolved,
            autorelease=history.release,
            changelog=history.changelog,
            changelog_date=history.date,
            packager=packager,
        )
    mtime = datetime.datetime.fromtimestamp(spec.stat().st_mtime, tz=datetime.UTC)
    return NormalizeOptions(
        release_suffix=release_suffix,
        keep_unresolved=keep_unresolved,
        changelog_date=mtime.strftime("%a %b %d %Y"),
        packager=packager,
    )
