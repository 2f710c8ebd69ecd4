"""specport.gitread reads history as `git log -- PATH` shows it, without running git: compared
here with real git on repositories this test makes (merges, renames, deletions, time zones, a
latin-1 commit, a multi-line subject, a shallow clone, a worktree)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from specport.gitread import GitReadError, GitRepo

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")

FORMAT = "--format=%H%x1f%an%x1f%ae%x1f%ad%x1f%s"
DATE = "--date=format:%a %b %d %Y"


def git(repo: Path, *args: str, date: str = "2024-03-05T12:00:00+0000", **env: str) -> str:
    environ = {
        "GIT_AUTHOR_NAME": "A Packager",
        "GIT_AUTHOR_EMAIL": "a@example.org",
        "GIT_COMMITTER_NAME": "A Packager",
        "GIT_COMMITTER_EMAIL": "a@example.org",
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "PATH": "/usr/bin:/bin",
        "HOME": str(repo),
        **env,
    }
    done = subprocess.run(
        ["git", "-C", str(repo), *args], check=True, env=environ, capture_output=True, timeout=60
    )
    return done.stdout.decode("utf-8", errors="replace")


def write(repo: Path, name: str, text: str) -> None:
    path = repo / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def commit(repo: Path, message: str, date: str, *, files: dict[str, str]) -> None:
    for name, text in files.items():
        write(repo, name, text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message, date=date)


def git_log(repo: Path, path: str) -> list[tuple[str, ...]]:
    out = git(repo, "log", DATE, FORMAT, "--", path)
    return [tuple(line.split("\x1f")) for line in out.splitlines()]


def ours(repo: GitRepo, path: str) -> list[tuple[str, ...]]:
    return [(e.commit, e.author, e.email, e.date, e.subject) for e in repo.file_log(path, 500)]


@pytest.fixture
def history(tmp_path: Path) -> Path:
    """Two branches merged twice (once with a change of its own), a rename, a file deleted and
    added again, authors in several time zones near midnight."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "first", "2024-01-01T23:30:00+0000", files={"a.spec": "Version: 1\n",
           "sub/b.spec": "Version: 1\n", "old.spec": "x\n"})  # fmt: skip
    commit(repo, "two\nlines\n\nand a body", "2024-01-02T23:30:00-0800",
           files={"a.spec": "Version: 2\n"})  # fmt: skip
    git(repo, "checkout", "-q", "-b", "side")
    commit(repo, "side b", "2024-01-03T01:00:00+1400", files={"sub/b.spec": "Version: 2\n"})
    commit(repo, "side a", "2024-01-04T01:00:00+0000", files={"a.spec": "Version: 3\n"})
    git(repo, "checkout", "-q", "main")
    commit(repo, "main other", "2024-01-03T12:00:00+0000", files={"other": "1\n"})
    commit(repo, "main a", "2024-01-05T12:00:00+0000", files={"a.spec": "Version: 4\n"})
    # a merge whose a.spec is neither side's: shown for a.spec
    git(repo, "merge", "-q", "--no-commit", "side", "-X", "ours", date="2024-01-06T00:00:00Z")
    write(repo, "a.spec", "Version: 5\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "merge side", date="2024-01-06T00:00:00+0000")
    git(repo, "mv", "old.spec", "new.spec")
    git(repo, "commit", "-q", "-m", "rename", date="2024-01-07T00:00:00+0000")
    git(repo, "rm", "-q", "other")
    git(repo, "commit", "-q", "-m", "rm other", date="2024-01-08T00:00:00+0000")
    commit(repo, "other again", "2024-01-09T00:00:00+0000", files={"other": "2\n"})
    git(repo, "checkout", "-q", "-b", "side2", "HEAD~3")
    commit(repo, "side2 b", "2024-01-10T00:00:00+0000", files={"sub/b.spec": "Version: 3\n"})
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-edit", "side2", date="2024-01-11T00:00:00+0000")
    return repo


PATHS = ["a.spec", "sub/b.spec", "old.spec", "new.spec", "other", "sub", "missing.spec"]


def test_logs_match_git_log_with_merges(history: Path) -> None:
    repo = GitRepo.find(history / "sub")
    assert repo is not None and repo.workdir == history.resolve()
    assert repo.linear_changes() is None  # merges: per-path walks
    for path in PATHS:
        assert ours(repo, path) == git_log(history, path), path
    assert ours(repo, "a.spec")[0][4] == "merge side"
    assert "two lines" in [e[4] for e in ours(repo, "a.spec")]


def test_contents_match_git_cat_file(history: Path) -> None:
    repo = GitRepo.open(history)
    for entry in repo.file_log("a.spec", 500):
        assert entry.content == git(history, "show", f"{entry.commit}:a.spec").encode()
    gone = repo.file_log("other", 500)
    assert [e.content for e in gone][1] is None  # the commit that removed it


def test_linear_history_in_one_walk_matches_git(tmp_path: Path) -> None:
    repo = tmp_path / "r"
    repo.mkdir()
    git(repo, "init", "-q")
    for n in range(6):
        files = {f"d{n % 3}/p{n % 4}.spec": f"Version: {n}\n", "top.spec": f"{n // 2}\n"}
        commit(repo, f"change {n}", f"2024-02-0{n + 1}T10:00:00+0200", files=files)
    git(repo, "rm", "-q", "d0/p0.spec")
    git(repo, "commit", "-q", "-m", "remove")
    reader = GitRepo.open(repo)
    changes = reader.linear_changes()
    assert changes is not None
    assert set(changes) == set(git(repo, "log", "--name-only", "--format=").split())
    for path in changes:
        walked = reader.log_entries(changes[path])
        assert [(e.commit, e.author, e.email, e.date, e.subject) for e in walked] == git_log(
            repo, path
        ), path
    for path in [*changes, "d0"]:
        assert ours(reader, path) == git_log(repo, path)


def test_encoding_header_and_raw_messages(tmp_path: Path) -> None:
    repo = tmp_path / "r"
    repo.mkdir()
    git(repo, "init", "-q")
    commit(repo, "start", "2024-01-01T00:00:00+0000", files={"x.spec": "Version: 1\n"})
    write(repo, "x.spec", "Version: 2\n")
    git(repo, "add", "-A")
    message = "\n\n  caf\xe9 au lait  \nsecond\n\nbody\n".encode("latin-1")
    tree = git(repo, "write-tree").strip()
    parent = git(repo, "rev-parse", "HEAD").strip()
    env = {"GIT_AUTHOR_NAME": "J\xfcrgen".encode("latin-1").decode("latin-1")}
    done = subprocess.run(
        ["git", "-C", str(repo), "-c", "i18n.commitEncoding=ISO-8859-1", "commit-tree", tree,
         "-p", parent],
        input=message, capture_output=True, check=True, timeout=60,
        env={"GIT_AUTHOR_EMAIL": "j@x.invalid", "GIT_COMMITTER_NAME": "c",
             "GIT_COMMITTER_EMAIL": "c@x.invalid", "PATH": "/usr/bin:/bin", "HOME": str(repo),
             "GIT_AUTHOR_DATE": "2024-06-30T23:59:00-1100", **env},
    )  # fmt: skip
    git(repo, "update-ref", "HEAD", done.stdout.decode().strip())
    reader = GitRepo.open(repo)
    assert ours(reader, "x.spec") == git_log(repo, "x.spec")
    assert ours(reader, "x.spec")[0][4] == "  caf\xe9 au lait second"


def test_shallow_clone_and_worktree(history: Path, tmp_path: Path) -> None:
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "2", f"file://{history}", str(shallow))
    reader = GitRepo.open(shallow)
    for path in PATHS:
        assert ours(reader, path) == git_log(shallow, path), path
    worktree = tmp_path / "wt"
    git(history, "worktree", "add", "-q", str(worktree), "side")
    reader = GitRepo.find(worktree)
    assert reader is not None and reader.controldir != worktree / ".git"
    assert "a.spec" in reader.tracked()
    for path in PATHS:
        assert ours(reader, path) == git_log(worktree, path), path


def test_files_of_a_commit_refuse_links(history: Path) -> None:
    reader = GitRepo.open(history)
    head = reader.head()
    assert head is not None
    files = reader.files(head)
    assert files["a.spec"] == b"Version: 5\n" and "new.spec" in files
    (history / "link").symlink_to("/etc/hostname")
    git(history, "add", "link")
    git(history, "commit", "-q", "-m", "link")
    reader = GitRepo.open(history)
    head = reader.head()
    assert head is not None
    with pytest.raises(GitReadError, match="symbolic link"):
        reader.files(head)
    assert reader.head_branch() == "main"
    assert reader.branch("side") is not None and reader.branch("nope") is None


def test_a_directory_of_a_commit_and_a_log_from_another_start(history: Path) -> None:
    reader = GitRepo.open(history)
    side = reader.branch("side")
    assert side is not None
    assert reader.files(side, "sub") == {"b.spec": b"Version: 2\n"}
    assert reader.files(side, "a.spec") == {} and reader.files(side, "nope/x") == {}
    from_side = [e.content for e in reader.file_log("a.spec", 500, side)]
    assert from_side == [b"Version: 3\n", b"Version: 2\n", b"Version: 1\n"]
    commits = [e.commit for e in reader.file_log("a.spec", 500, side)]
    assert commits == git(history, "log", "--format=%H", "side", "--", "a.spec").split()
