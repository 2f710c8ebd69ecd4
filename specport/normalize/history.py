"""The spec's git history, for %autorelease and %autochangelog (like rpmautospec).

This module does I/O (it reads the repository through specport.gitread, which runs no
program); the passes only receive its results through
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

from specport import log
from specport.gitread import GitRepo, LogEntry
from specport.normalize import changelogfile
from specport.normalize.model import NormalizeOptions

MAX_COMMITS = 500
_VERSION_RE = re.compile(r"^Version\s*:\s*(\S+)", re.MULTILINE | re.IGNORECASE)
# what str.splitlines() splits on besides \n: one of these in a commit's subject or author
# would start a new line of the spec (a scriptlet section, a %global) inside %changelog
_LINE_BREAKS = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029]")


@dataclass(frozen=True)
class History:
    release: int
    changelog: tuple[str, ...]
    date: str  # of the newest commit, "%a %b %d %Y"
    commits: tuple[str, ...] = ()  # the commit of each changelog entry


class TrackedFiles:
    """Which files git tracks and their logs, read once per repository (specport.gitread: no
    git program, so nothing the repository's config names can run).

    Keep one for one command run: a later commit is not seen by an instance made before it."""

    def __init__(self) -> None:
        self._repos: dict[Path, GitRepo | None] = {}
        self._by_workdir: dict[Path, GitRepo] = {}
        self._linear: dict[Path, dict[str, list[tuple[bytes, tuple[int, bytes] | None]]] | None]
        self._linear = {}
        self._broken: set[Path] = set()

    def repo(self, directory: Path) -> GitRepo | None:
        if directory not in self._repos:
            try:
                found = GitRepo.find(directory)
            except Exception as exc:  # an unreadable .git: no history, said once
                self._unreadable(directory, exc)
                found = None
            # one reader per repository: its object caches serve every spec in it
            if found is not None:
                found = self._by_workdir.setdefault(found.workdir, found)
            self._repos[directory] = found
        return self._repos[directory]

    def full_name(self, spec: Path) -> str | None:
        """The spec's path from the top of its work tree, or None when git does not track it."""
        spec = spec.resolve()
        repo = self.repo(spec.parent)
        if repo is None:
            return None
        name = spec.relative_to(repo.workdir).as_posix()
        try:
            return name if name in repo.tracked() else None
        except Exception as exc:
            self._unreadable(repo.workdir, exc)
            return None

    def log(self, spec: Path) -> list[LogEntry] | None:
        """`git log -- SPEC` (newest first, at most MAX_COMMITS), None when the repository
        cannot be read. The first spec of a repository walks its own history; from the second
        on, one walk of a history without merges answers for every file."""
        spec = spec.resolve()
        repo = self.repo(spec.parent)
        name = self.full_name(spec)
        if repo is None or name is None:
            return None
        try:
            if repo.workdir not in self._linear:
                self._linear[repo.workdir] = None
                return repo.file_log(name, MAX_COMMITS)
            if repo.workdir not in self._broken and self._linear[repo.workdir] is None:
                self._linear[repo.workdir] = repo.linear_changes()
                if self._linear[repo.workdir] is None:
                    self._broken.add(repo.workdir)  # merges: per-file walks from now on
            changes = self._linear[repo.workdir]
            if changes is None:
                return repo.file_log(name, MAX_COMMITS)
            return repo.log_entries(changes.get(name, [])[:MAX_COMMITS])
        except Exception as exc:
            self._unreadable(repo.workdir, exc)
            return None

    def before(self, path: Path) -> set[str]:
        """The commit that last changed `path` and every commit before it (its ancestors); empty
        when git does not track it."""
        commits = self.log(path)
        repo = self.repo(path.resolve().parent)
        if not commits or repo is None:
            return set()
        try:
            return repo.ancestors(commits[0].commit)
        except Exception as exc:
            self._unreadable(repo.workdir, exc)
            return set()

    def _unreadable(self, where: Path, exc: Exception) -> None:
        # a damaged or unsupported repository: the spec builds as one outside git would
        reason = _LINE_BREAKS.sub(" ", str(exc))[:200] or type(exc).__name__
        log.warn(f"cannot read the git history in {where}: {reason}")


def _text(value: str) -> str:
    """A commit's text as %changelog text: one line, `%` escaped (rpm expands macros in
    %changelog; rpmautospec escapes them the same way)."""
    return _LINE_BREAKS.sub(" ", value).replace("%", "%%")


def spec_history(spec: Path, tracked: TrackedFiles | None = None) -> History | None:
    """None when the spec is not tracked by git (or its repository cannot be read)."""
    tracked = tracked or TrackedFiles()
    commits = tracked.log(spec)
    if not commits:
        return None
    versions = []
    for commit in commits:
        text = (commit.content or b"").decode("utf-8", errors="replace")
        m = _VERSION_RE.search(text)
        versions.append(m.group(1) if m else "0")
    # walk oldest -> newest, numbering releases per version
    numbered: list[tuple[LogEntry, str, int]] = []
    release, previous = 0, None
    for commit, version in zip(reversed(commits), reversed(versions), strict=True):
        release = release + 1 if version == previous else 1
        previous = version
        numbered.append((commit, version, release))
    entries = tuple(
        f"* {c.date} {_text(c.author)} <{_text(c.email)}> - {_text(v)}-{r}\n- {_text(c.subject)}"
        for c, v, r in reversed(numbered)
    )
    ids = tuple(c.commit for c, _, _ in reversed(numbered))
    return History(numbered[-1][2], entries, commits[0].date, ids)


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
    dated by the file's mtime, signed by `packager`; a `changelog` file beside the spec adds
    its entries after git's (specport.normalize.changelogfile), or is all there is without git.
    `normalize` and `build` both use this, so they agree on Release and %changelog. Pass one
    `tracked` for a set of specs."""
    features = check_specfile_features(spec, enable_caching=False)
    uses = features.has_autorelease or features.has_autochangelog
    tracked = tracked or TrackedFiles()
    history = spec_history(spec, tracked) if uses else None
    older = changelogfile.entries(spec.parent) if features.has_autochangelog else ()
    if history is not None:
        entries = history.changelog
        if older:  # commits the changelog file already has are not listed again (rpmautospec)
            written = tracked.before(spec.parent / changelogfile.NAME)
            entries = tuple(
                e for e, c in zip(entries, history.commits, strict=True) if c not in written
            )
        return NormalizeOptions(
            release_suffix=release_suffix,
            keep_unresolved=keep_unresolved,
            autorelease=history.release,
            changelog=entries + older,
            changelog_date=history.date,
            packager=packager,
        )
    mtime = datetime.datetime.fromtimestamp(spec.stat().st_mtime, tz=datetime.UTC)
    return NormalizeOptions(
        release_suffix=release_suffix,
        keep_unresolved=keep_unresolved,
        changelog=older,
        changelog_date=mtime.strftime("%a %b %d %Y"),
        packager=packager,
    )
