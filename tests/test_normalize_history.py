"""%autorelease / %autochangelog values from a real git history (like rpmautospec)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from specport.errors import SourceError
from specport.normalize.history import spec_history

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")


def git(repo: Path, *args: str) -> None:
    env = {
        "GIT_AUTHOR_NAME": "A Packager",
        "GIT_AUTHOR_EMAIL": "a@example.org",
        "GIT_COMMITTER_NAME": "A Packager",
        "GIT_COMMITTER_EMAIL": "a@example.org",
        "GIT_AUTHOR_DATE": "2024-03-05T12:00:00Z",
        "GIT_COMMITTER_DATE": "2024-03-05T12:00:00Z",
        "PATH": "/usr/bin:/bin",
        "HOME": str(repo),
    }
    subprocess.run(
        ["git", "-C", str(repo), *args], check=True, env=env, capture_output=True, timeout=60
    )


def commit(repo: Path, version: str, message: str) -> None:
    (repo / "x.spec").write_text(
        f"Name: x\nVersion: {version}\nRelease: %autorelease\n# {message}\n"
    )
    git(repo, "add", "x.spec")
    git(repo, "commit", "-q", "-m", message)


def test_release_counts_commits_since_version_change(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    commit(tmp_path, "1.0", "first")
    commit(tmp_path, "1.0", "fix build")
    commit(tmp_path, "2.0", "update to 2.0")
    commit(tmp_path, "2.0", "rebuild")
    history = spec_history(tmp_path / "x.spec")
    assert history is not None
    assert history.release == 2
    assert history.changelog[0] == "* Tue Mar 05 2024 A Packager <a@example.org> - 2.0-2\n- rebuild"
    assert history.changelog[-1].endswith("- 1.0-1\n- first")
    assert len(history.changelog) == 4


def test_untracked_spec_has_no_history(tmp_path: Path) -> None:
    (tmp_path / "y.spec").write_text("Name: y\n")
    assert spec_history(tmp_path / "y.spec") is None


def test_one_tracked_files_answers_for_several_directories(tmp_path: Path) -> None:
    from specport.normalize.history import TrackedFiles

    git(tmp_path, "init", "-q")
    commit(tmp_path, "1.0", "first")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "z.spec").write_text("Name: z\nVersion: 3\n")
    git(tmp_path, "add", "sub/z.spec")
    git(tmp_path, "commit", "-q", "-m", "add z")
    (sub / "new.spec").write_text("Name: new\n")  # not added: not tracked
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (outside / "o.spec").write_text("Name: o\n")
    tracked = TrackedFiles()
    assert tracked.full_name(tmp_path / "x.spec") == "x.spec"
    assert tracked.full_name(sub / "z.spec") == "sub/z.spec"
    assert tracked.full_name(sub / "new.spec") is None
    assert tracked.full_name(outside / "o.spec") is None
    history = spec_history(sub / "z.spec", tracked)
    assert history is not None
    assert history.changelog == ("* Tue Mar 05 2024 A Packager <a@example.org> - 3-1\n- add z",)


def _spec(path: Path, version: str, note: str = "") -> None:
    path.write_text(f"Name: {path.stem}\nVersion: {version}\nRelease: %autorelease\n# {note}\n")


def test_one_log_per_directory_matches_the_log_of_each_spec(tmp_path: Path) -> None:
    from specport.gitread import GitRepo
    from specport.normalize.history import TrackedFiles

    git(tmp_path, "init", "-q")
    sub = tmp_path / "sub"
    sub.mkdir()
    _spec(sub / "a.spec", "1")
    _spec(sub / "b.spec", "1")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "import")
    _spec(sub / "a.spec", "2")
    git(tmp_path, "commit", "-q", "-a", "-m", "a 2")
    git(tmp_path, "mv", "sub/b.spec", "sub/c.spec")
    git(tmp_path, "commit", "-q", "-m", "b is c now")
    _spec(sub / "a.spec", "2", "again")
    git(tmp_path, "commit", "-q", "-a", "-m", "a again")
    git(tmp_path, "config", "diff.relative", "true")  # names must still be paths from the top
    repo = GitRepo.find(sub)
    assert repo is not None
    logs = repo.linear_changes()
    assert logs is not None
    assert sorted(logs) == ["sub/a.spec", "sub/b.spec", "sub/c.spec"]
    tracked = TrackedFiles()
    a = spec_history(sub / "a.spec", tracked)
    c = spec_history(sub / "c.spec", tracked)
    assert a is not None and c is not None
    assert [e.splitlines()[1] for e in a.changelog] == ["- a again", "- a 2", "- import"]
    assert a.release == 2
    assert c.changelog == ("* Tue Mar 05 2024 A Packager <a@example.org> - 1-1\n- b is c now",)


def test_history_with_merges_is_read_per_spec(tmp_path: Path) -> None:
    from specport.gitread import GitRepo

    git(tmp_path, "init", "-q", "-b", "main")
    commit(tmp_path, "1.0", "first")
    git(tmp_path, "checkout", "-q", "-b", "side")
    commit(tmp_path, "1.0", "on the side")
    git(tmp_path, "checkout", "-q", "main")
    (tmp_path / "other").write_text("x\n")
    git(tmp_path, "add", "other")
    git(tmp_path, "commit", "-q", "-m", "other file")
    git(tmp_path, "merge", "-q", "--no-edit", "side")
    repo = GitRepo.find(tmp_path)
    assert repo is not None
    assert repo.linear_changes() is None  # git simplifies merges per pathspec: ask per spec
    history = spec_history(tmp_path / "x.spec")
    assert history is not None
    assert [e.splitlines()[1] for e in history.changelog] == ["- on the side", "- first"]


def test_changelog_file_follows_the_commits_made_after_it(tmp_path: Path) -> None:
    """rpmautospec's convention: the `changelog` file holds the entries up to the commit that
    last changed it; later commits are listed above it."""
    from specport.normalize.history import normalize_options

    def autospec(version: str) -> None:
        (tmp_path / "x.spec").write_text(
            f"Name: x\nVersion: {version}\nRelease: %autorelease\n%changelog\n%autochangelog\n"
        )

    git(tmp_path, "init", "-q")
    autospec("1.0")
    git(tmp_path, "add", "x.spec")
    git(tmp_path, "commit", "-q", "-m", "before the file")
    (tmp_path / "changelog").write_text("* Mon Jan 01 2024 P <p@x.invalid> - 1.0-1\n- Old one\n")
    autospec("1.1")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "convert")
    autospec("1.2")
    git(tmp_path, "commit", "-q", "-a", "-m", "update to 1.2")
    options = normalize_options(tmp_path / "x.spec", packager="p <p@x.invalid>")
    assert [e.splitlines()[1] for e in options.changelog] == ["- update to 1.2", "- Old one"]
    assert options.autorelease == 1
    # outside git the file is all there is
    outside = tmp_path.parent / f"{tmp_path.name}-plain"
    outside.mkdir()
    (outside / "x.spec").write_text((tmp_path / "x.spec").read_text())
    (outside / "changelog").write_text((tmp_path / "changelog").read_text())
    plain = normalize_options(outside / "x.spec", packager="p <p@x.invalid>")
    assert plain.changelog == ("* Mon Jan 01 2024 P <p@x.invalid> - 1.0-1\n- Old one",)
    (outside / "changelog").unlink()
    (outside / "changelog").symlink_to(tmp_path / "changelog")
    with pytest.raises(SourceError, match="symbolic link"):
        normalize_options(outside / "x.spec", packager="p <p@x.invalid>")
