"""`specport import` and `specport fork status|update` against local dist-git repositories that
the tests make from the fixture spec (tests/data/fork), served as file:// URLs and local clones."""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path

import pytest
from fork_support import DATA, Run, cli_runner, upstream

from specport.run import git


@pytest.fixture
def specport(capsys: pytest.CaptureFixture[str]) -> Run:
    return cli_runner(capsys)


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q",
        "-m", message)  # fmt: skip
    return git(repo, "rev-parse", "HEAD").text.strip()


@pytest.fixture
def lookaside(tmp_path: Path) -> Path:
    d = tmp_path / "lookaside"
    d.mkdir()
    upstream.make_tarball(d, "1.0")
    return d


@pytest.fixture
def distgit(tmp_path: Path, lookaside: Path) -> Path:
    """A dist-git repository of greet on branch f40: spec, sources, patches."""
    repo = tmp_path / "greet"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "f40")
    for name in ("greet.spec", "greet-cflags.patch", "greet-flush.patch", "greet-readme.patch"):
        (repo / name).write_bytes((DATA / name).read_bytes())
    digest = hashlib.sha512((lookaside / "greet-1.0.tar.gz").read_bytes()).hexdigest()
    (repo / "sources").write_text(f"SHA512 (greet-1.0.tar.gz) = {digest}\n")
    (repo / ".gitignore").write_text("/greet-*.tar.gz\n")
    commit(repo, "greet 1.0")
    return repo


def record(fork: Path) -> dict[str, object]:
    return tomllib.loads((fork / "specport-fork.toml").read_text())


def test_import_from_a_file_url(
    specport: Run, distgit: Path, lookaside: Path, tmp_path: Path
) -> None:
    fork = tmp_path / "fork"
    code, out, err = specport(
        "import", f"file://{distgit}", "--branch", "f40", "--into", str(fork),
        "--lookaside", str(lookaside),
    )  # fmt: skip
    assert code == 0, err
    head = git(distgit, "rev-parse", "HEAD").text.strip()
    assert record(fork)["upstream"] == {
        "kind": "git",
        "repository": f"file://{distgit}",
        "branch": "f40",
        "commit": head,
    }
    assert record(fork)["spec"] == "greet.spec"
    assert head in out
    assert (fork / "greet.spec").read_bytes() == (DATA / "greet.spec").read_bytes()
    # the tarball came through the lookaside, checksum verified
    assert (fork / "greet-1.0.tar.gz").read_bytes() == (lookaside / "greet-1.0.tar.gz").read_bytes()
    assert not (fork / ".git").exists()
    code, out, _ = specport("fork", "status", str(fork))
    assert code == 0 and "no local changes" in out


def test_import_from_a_local_clone_takes_its_default_branch(
    specport: Run, distgit: Path, tmp_path: Path
) -> None:
    fork = tmp_path / "fork"
    code, _, err = specport("import", str(distgit), "--into", str(fork))
    assert code == 0, err
    assert record(fork)["upstream"]["branch"] == "f40"  # type: ignore[index]
    # no lookaside: the import is made, the missing tarball is named
    assert "not fetched (no lookaside given): greet-1.0.tar.gz" in err


def test_import_refuses_a_tarball_that_does_not_match_sources(
    specport: Run, distgit: Path, lookaside: Path, tmp_path: Path
) -> None:
    (lookaside / "greet-1.0.tar.gz").write_bytes(b"not the release")
    code, _, err = specport(
        "import", str(distgit), "--into", str(tmp_path / "fork"), "--lookaside", str(lookaside)
    )
    assert code == 1
    assert err.count("specport: error:") == 1
    assert "greet-1.0.tar.gz: sha512 checksum does not match the sources file" in err


def test_import_errors_are_one_line(specport: Run, distgit: Path, tmp_path: Path) -> None:
    code, _, err = specport(
        "import", str(distgit), "--branch", "nope", "--into", str(tmp_path / "f")
    )
    assert code == 1 and "cannot read" in err and "branch nope" in err
    assert err.count("\n") == 1
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    code, _, err = specport("import", str(distgit), "--into", str(tmp_path / "full"))
    assert code == 2 and "not an empty directory" in err
    code, _, err = specport("import", str(tmp_path / "full"), "--into", str(tmp_path / "g"))
    assert code == 2 and "neither a git repository" in err
    code, _, err = specport("fork", "status", str(tmp_path / "full"))
    assert code == 2 and "is not a fork" in err


def test_import_version_takes_the_spec_written_for_that_release(
    specport: Run, distgit: Path, tmp_path: Path
) -> None:
    """An older distro ships 1.0: --version finds the newest commit whose spec is 1.0 (its
    Release bumps included), though the branch has moved on to 2.0 and a 1.5 between."""
    spec = distgit / "greet.spec"
    text = spec.read_text()
    spec.write_text(text.replace("Release:", "# a 1.0 fix\nRelease:", 1))
    fixed = commit(distgit, "greet 1.0, a fix")
    # a later release written through a macro, as packagers do: read as text, rpm never runs
    spec.write_text(text.replace("Version:", "%global upstream 1.5\nVersion: %{upstream}\n#", 1))
    (distgit / "greet-new.patch").write_text("only in 1.5\n")
    commit(distgit, "greet 1.5")
    spec.write_text(text.replace("Version:", "Version: 2.0\n#", 1))
    tip = commit(distgit, "greet 2.0")

    fork = tmp_path / "fork"
    code, out, err = specport("import", str(distgit), "--version", "1.0", "--into", str(fork))
    assert code == 0, err
    assert record(fork)["upstream"]["commit"] == fixed  # type: ignore[index]
    assert fixed in out and tip not in out
    assert "# a 1.0 fix" in (fork / "greet.spec").read_text()
    assert not (fork / "greet-new.patch").exists()

    code, _, err = specport(
        "import", str(distgit), "--version", "1.5", "--into", str(tmp_path / "b")
    )
    assert code == 0, err
    assert (tmp_path / "b" / "greet-new.patch").is_file()

    code, _, err = specport(
        "import", str(distgit), "--version", "0.9", "--into", str(tmp_path / "c")
    )
    assert code == 1 and err.count("specport: error:") == 1
    assert "no revision of greet.spec has Version 0.9" in err
    assert "2.0, 1.5, 1.0" in err  # what the history has, newest first
    assert not (tmp_path / "c").exists()
    code, _, err = specport("import", "x-1.0-1.src.rpm", "--version", "1.0", "--into", "d")
    assert code == 2 and "apply to a git repository" in err


def test_a_symlink_in_the_repository_is_refused(
    specport: Run, distgit: Path, tmp_path: Path
) -> None:
    (distgit / "evil.patch").symlink_to("/etc/passwd")
    commit(distgit, "link")
    code, _, err = specport("import", str(distgit), "--into", str(tmp_path / "fork"))
    assert code == 1 and "evil.patch: a symbolic link" in err


@pytest.fixture
def fork(specport: Run, distgit: Path, lookaside: Path, tmp_path: Path) -> Path:
    path = tmp_path / "fork"
    code, _, err = specport(
        "import", f"file://{distgit}", "--into", str(path), "--lookaside", str(lookaside)
    )
    assert code == 0, err
    return path


def test_status_shows_spec_hunks_and_added_and_removed_patches(specport: Run, fork: Path) -> None:
    spec = fork / "greet.spec"
    spec.write_text(
        spec.read_text()
        .replace("Release:        3%{?dist}", "Release:        3.acme1%{?dist}")
        .replace("Patch1:         greet-flush.patch\n", "Patch3:         acme-motd.patch\n")
    )
    (fork / "greet-flush.patch").unlink()
    (fork / "acme-motd.patch").write_text("--- a/README\n+++ b/README\n")
    code, out, _ = specport("fork", "status", str(fork))
    assert code == 0
    assert "changed spec: greet.spec" in out
    assert "    -Release:        3%{?dist}" in out and "    +Release:        3.acme1%{?dist}" in out
    assert "added patch: acme-motd.patch" in out
    assert "removed patch: greet-flush.patch" in out
    assert "greet-1.0.tar.gz" not in out  # the lookaside's file is not a change
    code, out, _ = specport("fork", "status", "--json", str(fork))
    data = json.loads(out)
    states = {(c["path"], c["state"], c["kind"]) for c in data["changes"]}
    assert states == {
        ("greet.spec", "changed", "spec"),
        ("acme-motd.patch", "added", "patch"),
        ("greet-flush.patch", "removed", "patch"),
    }
    (spec_change,) = [c for c in data["changes"] if c["kind"] == "spec"]
    assert len(spec_change["hunks"]) == 2  # Release and the Patch line, far apart


def _upstream_release_2(distgit: Path) -> str:
    spec = distgit / "greet.spec"
    spec.write_text(
        spec.read_text()
        .replace("Release:        3%{?dist}", "Release:        4%{?dist}")
        .replace(
            "%changelog\n",
            "%changelog\n* Tue Nov 03 2026 Up Stream <up@example.invalid> - 1.0-4\n- Rebuilt\n\n",
        )
    )
    (distgit / "greet-man.patch").write_text("--- a/greet.1\n+++ b/greet.1\n")
    return commit(distgit, "release 4")


def test_update_merges_upstream_into_the_fork(specport: Run, distgit: Path, fork: Path) -> None:
    spec = fork / "greet.spec"
    spec.write_text(
        spec.read_text().replace(
            "BuildRequires:  make\n", "BuildRequires:  make\nBuildRequires:  acme-rpm-config\n"
        )
    )
    (fork / "acme.patch").write_text("--- a/x\n+++ b/x\n")
    new = _upstream_release_2(distgit)
    code, out, err = specport("fork", "update", str(fork))
    assert code == 0, err
    text = spec.read_text()
    assert "BuildRequires:  acme-rpm-config" in text  # ours
    assert "Release:        4%{?dist}" in text and "- Rebuilt" in text  # theirs
    assert "greet.spec: merged" in out
    assert "greet-man.patch: added from upstream" in out
    assert (fork / "greet-man.patch").is_file() and (fork / "acme.patch").is_file()
    assert record(fork)["upstream"]["commit"] == new  # type: ignore[index]
    # the recorded upstream is now release 4: only the fork's own change is left
    code, out, _ = specport("fork", "status", str(fork))
    assert "+BuildRequires:  acme-rpm-config" in out and "Release" not in out
    code, out, _ = specport("fork", "update", str(fork))
    assert code == 0 and "up to date" in out


def test_update_conflict_leaves_markers_and_fails(specport: Run, distgit: Path, fork: Path) -> None:
    spec = fork / "greet.spec"
    spec.write_text(
        spec.read_text().replace("Release:        3%{?dist}", "Release:        3.acme1%{?dist}")
    )
    # upstream changed a patch the fork removed: kept aside, not lost
    (fork / "greet-cflags.patch").unlink()
    (distgit / "greet-cflags.patch").write_text((DATA / "greet-cflags.patch").read_text() + "\n")
    _upstream_release_2(distgit)
    code, out, err = specport("fork", "update", str(fork))
    assert code == 1
    assert err.count("specport: error:") == 1
    assert "update stopped with conflicts in greet-cflags.patch, greet.spec" in err
    text = spec.read_text()
    assert "<<<<<<< fork\nRelease:        3.acme1%{?dist}\n" in text
    assert "Release:        4%{?dist}\n>>>>>>> upstream " in text
    assert "- Rebuilt" in text  # the part without conflict merged
    assert (fork / "greet-cflags.patch.upstream").read_text().endswith("greet.c\n\n")
    assert not (fork / "greet-cflags.patch").exists()
    assert record(fork)["conflicts"] == ["greet-cflags.patch", "greet.spec"]
    code, out, _ = specport("fork", "status", str(fork))
    assert "unresolved conflict markers in: greet.spec" in out
    code, _, err = specport("fork", "update", str(fork))
    assert code == 1 and "an earlier update left conflicts" in err


def newc(entries: list[tuple[str, int, bytes]]) -> bytes:
    """A cpio newc archive, as rpm's payload is."""
    out = b""
    for name, mode, data in [*entries, ("TRAILER!!!", 0, b"")]:
        raw = name.encode() + b"\0"
        fields = [0, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(raw), 0]
        header = b"070701" + b"".join(b"%08X" % f for f in fields)
        out += header + raw
        out += b"\0" * (-len(out) % 4) + data
        out += b"\0" * (-len(out) % 4)
    return out


def test_source_package_payload_is_read_without_escaping() -> None:
    from specport.errors import SourceError
    from specport.forks.srpm import read_newc

    files = read_newc(
        newc([("greet.spec", 0o100644, b"Name: greet\n"), ("a.patch", 0o100644, b"x" * 5)]), "t"
    )
    assert files == {"greet.spec": b"Name: greet\n", "a.patch": b"xxxxx"}
    with pytest.raises(SourceError, match=r"refusing the path '\.\./evil'"):
        read_newc(newc([("../evil", 0o100644, b"x")]), "t")
    with pytest.raises(SourceError, match="link is not a regular file"):
        read_newc(newc([("link", 0o120777, b"/etc/passwd")]), "t")
    with pytest.raises(SourceError, match="not a cpio"):
        read_newc(b"garbage", "t")


def test_a_sources_line_cannot_name_a_path_outside_the_fork(
    specport: Run, distgit: Path, lookaside: Path, tmp_path: Path
) -> None:
    (distgit / "sources").write_text(f"SHA512 (../../outside) = {'0' * 128}\n")
    commit(distgit, "hostile sources")
    code, _, err = specport(
        "import",
        str(distgit),
        "--into",
        str(tmp_path / "f" / "fork"),
        "--lookaside",
        str(lookaside),
    )
    assert code == 1 and "'../../outside' is not a plain file name" in err
    assert not (tmp_path / "outside").exists()
