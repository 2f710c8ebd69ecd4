"""bench/corpus_history.py: a corpus spec taken from the revision written for the distro's
release, in a repository laid out as remirepo's (a directory per package) and as a spec-only
mirror (every spec in one directory)."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest
from bench_support import bench_module

from specport.run import git


@pytest.fixture(scope="module")
def history() -> ModuleType:
    return bench_module("corpus_history")


def commit(repo: Path, files: dict[str, str], message: str) -> str:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q",
        "-m", message)  # fmt: skip
    return git(repo, "rev-parse", "HEAD").text.strip()


def spec(version: str, patch: str = "") -> str:
    lines = ["%global upstream_version " + version, "Name: php-pecl-x",
             "Version: %{upstream_version}", "Source1: x.ini"]  # fmt: skip
    return "\n".join(lines + ([f"Patch0: {patch}"] if patch else [])) + "\n"


def test_the_release_or_the_closest_older_one(history: ModuleType, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    d = "php/pecl/x/"
    one = commit(repo, {d + "x.spec": spec("1.0"), d + "x.ini": "one\n"}, "1.0")
    fix = commit(repo, {d + "x.spec": spec("1.0", "x-fix.patch"), d + "x-fix.patch": "p\n"}, "fix")
    commit(repo, {d + "x.spec": spec("2.0RC1"), d + "x.ini": "two\n", "other.spec": "x"}, "2.0")
    corpus = tmp_path / "corpus" / "x"
    corpus.mkdir(parents=True)
    (corpus / "x.spec").write_text(spec("2.0RC1"))  # the checkout: the newest revision
    h = history.History(repo, tmp_path / "corpus", "php/pecl")

    exact = h.revision(corpus / "x.spec", "1.0")
    assert (exact.commit, exact.version, exact.exact) == (fix, "1.0", True)
    files = {k: v.decode() for k, v in exact.files.items()}  # only the files the spec names
    assert files == {"x.spec": spec("1.0", "x-fix.patch"), "x.ini": "one\n", "x-fix.patch": "p\n"}
    older = h.revision(corpus / "x.spec", "1.5")  # no 1.5 revision: the closest older release
    assert (older.commit, older.exact) == (fix, False)
    newer = h.revision(corpus / "x.spec", "2.0~rc1")  # PECL's RC is rpm's ~rc
    assert newer.exact and newer.files["x.ini"] == b"two\n"
    assert h.revision(corpus / "x.spec", "0.9") is None
    assert one not in (exact.commit, older.commit)  # the newest revision of a release
