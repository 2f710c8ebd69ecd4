"""The spec its packager wrote for the distro's release, from the corpus's git history.

A corpus checked out from a spec repository (remirepo's tree, a dist-git mirror) holds each
spec at its newest revision, often written for an upstream release years newer than an older
distro ships: its patches and file lists then fail on the distro's release. With --history
GITDIR, build_corpus takes, for each spec, the newest revision in that repository's history
whose Version is the distro's (or, when none is, the newest revision of the closest older
release, which `specport rebase` then moves the short way) together with the files of the
spec's directory at that commit (its patches and ini files of that time). Read by
specport.gitread: nothing in the repository runs, rpm never reads a spec here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from build_report import same_version
from corpus_upstream import file_tags
from debian.debian_support import Version

from specport.forks.distgit import releases
from specport.gitread import GitRepo


@dataclass(frozen=True)
class Revision:
    commit: str
    version: str  # the spec's Version there
    exact: bool  # the distro's version; else the closest older one
    files: dict[str, bytes]  # the spec then, and the files beside it that it names


def _older_or_same(a: str, b: str) -> bool:
    try:
        return Version(a.replace("RC", "~rc")) <= Version(b.replace("RC", "~rc"))
    except ValueError:
        return False


class History:
    def __init__(self, gitdir: Path, corpus: Path, at: str = "") -> None:
        """`at`: the corpus directory's path in the repository ("" for its top)."""
        self.repo = GitRepo.open(gitdir)
        self.corpus = corpus.resolve()
        self.at = at.strip("/")

    def revision(self, spec: Path, version: str) -> Revision | None:
        """None: the history has no readable revision of this spec at or before `version`."""
        rel = spec.resolve().relative_to(self.corpus).as_posix()
        rel = f"{self.at}/{rel}" if self.at else rel
        found = releases(self.repo, rel)
        exact = [(c, v) for c, v in found if same_version(v, version)]
        if exact:
            commit, value = exact[0]
        else:
            older = [(c, v) for c, v in found if _older_or_same(v, version)]
            if not older:
                return None
            best = max((Version(v.replace("RC", "~rc")) for _, v in older))
            commit, value = next(
                (c, v) for c, v in older if Version(v.replace("RC", "~rc")) == best
            )
        folder = rel.rsplit("/", 1)[0] + "/" if "/" in rel else ""
        text = self.repo.file_at(commit.encode(), rel) or b""
        files = {spec.name: text}
        for name in _named(text.decode("utf-8", errors="replace")):
            data = self.repo.file_at(commit.encode(), folder + name)
            if data is not None:
                files[name] = data
        return Revision(commit, value, bool(exact), files)


def _named(text: str) -> set[str]:
    """The file names of the spec's Source and Patch lines (a spec-only repository holds
    thousands of other specs beside it: only these are read)."""
    names = {value.rsplit("/", 1)[-1] for _, _, value in file_tags(text)}
    return {n for n in names if n not in ("", ".", "..")}
