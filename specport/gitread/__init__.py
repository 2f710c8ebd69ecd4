"""Reading a git repository without running git: its index, its refs, its history and its files.

A spec's repository is untrusted input. Its own configuration can name programs that git runs
even for a read-only `git log` (core.fsmonitor, log.showSignature with gpg.program, a diff
driver's textconv, an include.path pulling in more settings...), and no command-line switch turns
all of them off. This module reads the objects, refs, index and `shallow` file with dulwich, pure
Python, and never reads `.git/config` at all: nothing a repository's config names can run, and
no file it includes is opened.

What is still followed is what locates the data: a `.git` file's `gitdir:` line and a worktree's
`commondir` (worktrees and submodules), and `objects/info/alternates`. A repository can point
those at another repository of the host; what could come out of that is the subjects and authors
of commits that touch a file at the spec's own path, never a file's text.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from dulwich.index import Index
from dulwich.object_store import DiskObjectStore
from dulwich.objects import Blob, Commit, ObjectID, Tag, Tree, parse_tree
from dulwich.refs import DiskRefsContainer, Ref

from specport.errors import SourceError
from specport.gitread.logfields import log_fields

_MODE_LINK, _MODE_GITLINK, _MODE_TREE = 0o120000, 0o160000, 0o040000
_SHA1_LEN = 20  # SHA-256 repositories are not read (their ids are not found: no history)
_TREE_CACHE = 4096  # parsed trees kept (a spec's directory is the same tree in most commits)
# a file bigger than this is not read as a package file or a spec (a pack can claim any size)
MAX_FILE = 256 * 1024 * 1024


class GitReadError(SourceError):
    """The repository could not be read (damaged, unsupported format, missing objects)."""


@dataclass(frozen=True)
class LogEntry:
    """One commit as `git log --format='%an %ae %ad %s' --date=format:'%a %b %d %Y'` shows it,
    and the file's content in that commit (None when the path is not a file there)."""

    commit: str
    author: str
    email: str
    date: str
    subject: str
    content: bytes | None


Key = tuple[int, bytes] | None  # (mode, object id) of what is at a path, None for nothing


class GitRepo:
    """A work tree's repository, read only. Objects read are cached for the life of the
    instance: keep one for one command run."""

    def __init__(self, workdir: Path, controldir: Path) -> None:
        self.workdir = workdir
        self.controldir = controldir
        common = controldir
        commondir_file = controldir / "commondir"
        if commondir_file.is_file():
            common = controldir / commondir_file.read_text(encoding="utf-8").strip()
        self.commondir = common
        if not (common / "objects").is_dir():
            raise GitReadError(f"{controldir}: not a git directory (no objects)")
        self._store = DiskObjectStore(str(common / "objects"))
        self._refs = DiskRefsContainer(str(common), worktree_path=str(controldir))
        self._shallow = _read_shallow(common / "shallow")
        self._commits: dict[bytes, Commit] = {}
        self._trees: dict[bytes, list[tuple[bytes, int, bytes]]] = {}
        self._index: set[str] | None = None

    # -- locating ---------------------------------------------------------------------------

    @classmethod
    def find(cls, directory: Path) -> GitRepo | None:
        """The repository whose work tree holds `directory` (git's discovery: upwards, not
        across a file-system boundary), or None."""
        here = directory.resolve()
        try:
            device = here.stat().st_dev
        except OSError:
            return None
        while True:
            dotgit = here / ".git"
            if dotgit.is_dir() or dotgit.is_file():
                return cls(here, _controldir(dotgit))
            parent = here.parent
            try:
                if parent == here or parent.stat().st_dev != device:
                    return None
            except OSError:
                return None
            here = parent

    @classmethod
    def open(cls, path: Path) -> GitRepo:
        """The repository at `path`: a work tree (with .git) or a bare repository."""
        dotgit = path / ".git"
        if dotgit.is_dir() or dotgit.is_file():
            return cls(path, _controldir(dotgit))
        if (path / "objects").is_dir() and (path / "HEAD").is_file():
            return cls(path, path)
        raise GitReadError(f"{path}: not a git repository")

    # -- refs ----------------------------------------------------------------------------------

    def head(self) -> bytes | None:
        """The commit HEAD names, None on an unborn branch."""
        _, sha = self._refs.follow(Ref(b"HEAD"))
        return self._peel(sha) if sha else None

    def head_branch(self) -> str:
        """The branch HEAD is on ("HEAD" when detached, as `git rev-parse --abbrev-ref`)."""
        names, _ = self._refs.follow(Ref(b"HEAD"))
        last = names[-1] if names else b"HEAD"
        return last.removeprefix(b"refs/heads/").decode("utf-8", errors="replace")

    def branch(self, name: str) -> bytes | None:
        """The commit of a branch or tag (what `git clone --branch` accepts), or None."""
        for ref in (b"refs/heads/" + name.encode(), b"refs/tags/" + name.encode()):
            try:
                _, sha = self._refs.follow(Ref(ref))
            except (KeyError, ValueError):
                continue
            if sha:
                return self._peel(sha)
        return None

    def _peel(self, sha: bytes) -> bytes:
        obj = self._store[ObjectID(sha)]
        for _ in range(16):  # a tag of a tag of ... a commit
            if not isinstance(obj, Tag):
                break
            obj = self._store[ObjectID(obj.object[1])]
        if not isinstance(obj, Commit):
            raise GitReadError(f"{self.workdir}: {sha.decode()} is not a commit")
        return obj.id

    # -- the index -------------------------------------------------------------------------

    def tracked(self) -> set[str]:
        """Every path the index lists (`git ls-files --full-name` from the top)."""
        if self._index is None:
            index_file = self.controldir / "index"
            if not index_file.is_file():
                self._index = set()
            else:
                index = Index(str(index_file))
                self._index = {p.decode("utf-8", errors="surrogateescape") for p in index.paths()}
        return self._index

    # -- objects -----------------------------------------------------------------------------

    def _commit(self, sha: bytes) -> Commit:
        commit = self._commits.get(sha)
        if commit is None:
            obj = self._store[ObjectID(sha)]
            if not isinstance(obj, Commit):
                raise GitReadError(f"{self.workdir}: {sha.decode()} is not a commit")
            commit = self._commits[sha] = obj
        return commit

    def _parents(self, commit: Commit) -> list[bytes]:
        return [] if commit.id in self._shallow else list(commit.parents)

    def _tree(self, sha: bytes) -> list[tuple[bytes, int, bytes]]:
        """A tree's entries (name, mode, hex id), parsed by dulwich's C parser: a whole Tree
        object costs three times as much, and a path lookup needs one name of it."""
        entries = self._trees.get(sha)
        if entries is None:
            kind, raw = self._store.get_raw(ObjectID(sha))
            if kind != Tree.type_num:
                raise GitReadError(f"{self.workdir}: {sha.decode()} is not a tree")
            entries = list(parse_tree(raw, _SHA1_LEN))
            if len(self._trees) >= _TREE_CACHE:
                self._trees.pop(next(iter(self._trees)))
            self._trees[sha] = entries
        return entries

    def _key(self, tree: bytes, parts: tuple[bytes, ...]) -> Key:
        """What is at `parts` below `tree`."""
        entry: Key = (_MODE_TREE, tree)
        for part in parts:
            if entry is None or entry[0] != _MODE_TREE:
                return None
            entry = next(((m, s) for n, m, s in self._tree(entry[1]) if n == part), None)
        return entry

    def _blob(self, key: Key) -> bytes | None:
        if key is None or key[0] in (_MODE_TREE, _MODE_GITLINK):
            return None
        obj = self._store[ObjectID(key[1])]
        if not isinstance(obj, Blob):
            return None
        if obj.raw_length() > MAX_FILE:
            raise GitReadError(f"{self.workdir}: object {key[1].decode()} is too big")
        return obj.as_raw_string()

    def _entry(self, commit: Commit, key: Key) -> LogEntry:
        return LogEntry(commit.id.decode(), *log_fields(commit), self._blob(key))

    # -- history ----------------------------------------------------------------------------

    def file_log(self, path: str, limit: int, start: bytes | None = None) -> list[LogEntry]:
        """`git log -n LIMIT START -- PATH` (START: default HEAD), newest first, with git's
        default history simplification: a commit is shown when PATH differs from every parent;
        a merge where it equals one parent's is not shown, and only that parent is followed."""
        head = start or self.head()
        if head is None:
            return []
        parts = _parts(path)
        keys: dict[bytes, Key] = {}

        def key_of(sha: bytes) -> Key:
            if sha not in keys:
                keys[sha] = self._key(self._commit(sha).tree, parts)
            return keys[sha]

        out: list[LogEntry] = []
        order = 0
        queue: list[tuple[int, int, bytes]] = [(-self._commit(head).commit_time, order, head)]
        seen = {head}
        while queue and len(out) < limit:
            _, _, sha = heapq.heappop(queue)
            commit = self._commit(sha)
            parents = self._parents(commit)
            mine = key_of(sha)
            same = next((p for p in parents if key_of(p) == mine), None)
            if not parents:
                shown, follow = mine is not None, []
            elif same is not None:
                shown, follow = False, [same]
            else:
                shown, follow = True, parents
            if shown:
                out.append(self._entry(commit, mine))
            for parent in follow:
                if parent not in seen:
                    seen.add(parent)
                    order += 1
                    heapq.heappush(queue, (-self._commit(parent).commit_time, order, parent))
        return out

    def linear_changes(self) -> dict[str, list[tuple[bytes, Key]]] | None:
        """Every path -> (commit, what is at the path then) of each commit that changed it,
        newest first, from one walk of HEAD's history; None when that history has a merge
        (then a path's log is file_log's walk, which simplifies merges per path)."""
        head = self.head()
        out: dict[str, list[tuple[bytes, Key]]] = {}
        sha = head
        while sha is not None:
            commit = self._commit(sha)
            parents = self._parents(commit)
            if len(parents) > 1:
                return None
            before = self._commit(parents[0]).tree if parents else None
            for path, key in self._changes(before, commit.tree, b""):
                out.setdefault(path.decode("utf-8", errors="surrogateescape"), []).append(
                    (sha, key)
                )
            sha = parents[0] if parents else None
        return out

    def _changes(
        self, old: bytes | None, new: bytes | None, prefix: bytes
    ) -> Iterator[tuple[bytes, Key]]:
        """(path, what is there now) of every file that differs between two trees; a subtree
        is only opened when its id differs (what `git log --name-only` lists)."""
        if old == new:
            return
        before = dict(self._entries(old))
        after = dict(self._entries(new))
        for name in sorted(before.keys() | after.keys()):
            was, now = before.get(name), after.get(name)
            if was == now:
                continue
            path = prefix + name
            was_tree = was is not None and was[0] == _MODE_TREE
            now_tree = now is not None and now[0] == _MODE_TREE
            if was_tree or now_tree:
                yield from self._changes(
                    was[1] if was is not None and was_tree else None,
                    now[1] if now is not None and now_tree else None,
                    path + b"/",
                )
            if (was is not None and not was_tree) or (now is not None and not now_tree):
                yield path, None if now_tree else now

    def _entries(self, tree: bytes | None) -> Iterator[tuple[bytes, tuple[int, bytes]]]:
        if tree is not None:
            for name, mode, sha in self._tree(tree):
                yield name, (mode, sha)

    def ancestors(self, commit: str) -> set[str]:
        """`commit` and every commit it descends from (a shallow clone's history ends early)."""
        seen = {commit.encode()}
        todo = [commit.encode()]
        while todo:
            for parent in self._parents(self._commit(todo.pop())):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return {s.decode() for s in seen}

    def log_entries(self, changes: list[tuple[bytes, Key]]) -> list[LogEntry]:
        return [self._entry(self._commit(sha), key) for sha, key in changes]

    def file_at(self, commit: bytes, path: str) -> bytes | None:
        """A regular file's bytes at `path` in a commit (`git show COMMIT:PATH`); None when
        nothing, a directory or a link is there."""
        key = self._key(self._commit(commit).tree, _parts(path))
        return None if key is None or key[0] == _MODE_LINK else self._blob(key)

    def files(self, commit: bytes, under: str = "") -> dict[str, bytes]:
        """The regular files of a commit's tree, or of its directory `under` (path relative to
        it -> bytes; {} when there is no such directory). A symbolic link is refused (it would
        point at a host file once written out); submodules are left out, as an empty
        directory is all a checkout would have."""
        top = self._key(self._commit(commit).tree, _parts(under))
        if top is None or top[0] != _MODE_TREE:
            return {}
        out: dict[str, bytes] = {}
        for rel, mode, sha in self._walk(top[1], ""):
            if mode == _MODE_GITLINK:
                continue
            if mode == _MODE_LINK:
                raise GitReadError(
                    f"{rel}: a symbolic link; a package's files must be regular files"
                )
            data = self._blob((mode, sha))
            if data is not None:
                out[rel] = data
        return out

    def _walk(self, tree: bytes, prefix: str) -> Iterator[tuple[str, int, bytes]]:
        for name, mode, sha in self._tree(tree):
            rel = prefix + name.decode("utf-8", errors="surrogateescape")
            if mode == _MODE_TREE:
                yield from self._walk(sha, rel + "/")
            else:
                yield rel, mode, sha


def _parts(path: str) -> tuple[bytes, ...]:
    """A repository path's names, as tree entries hold them."""
    return tuple(p.encode("utf-8", errors="surrogateescape") for p in path.split("/") if p)


def _controldir(dotgit: Path) -> Path:
    """A `.git` directory, or where a `.git` file (worktrees, submodules) says it is."""
    if dotgit.is_dir():
        return dotgit
    text = dotgit.read_bytes()[:4096].decode("utf-8", errors="replace")
    if not text.startswith("gitdir: "):
        raise GitReadError(f"{dotgit}: not a gitdir file")
    target = Path(text.removeprefix("gitdir: ").strip())
    return target if target.is_absolute() else dotgit.parent / target


def _read_shallow(path: Path) -> set[bytes]:
    """The commits a shallow clone has without their parents (git shows each as a root)."""
    if not path.is_file():
        return set()
    return {ln.strip() for ln in path.read_bytes().splitlines() if ln.strip()}
