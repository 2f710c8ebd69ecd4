"""Hostile packages and repository trees: publish writes and deletes only inside --repo, and
only what it recorded as its own."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hostile_debs import fields, hostile_deb
from hostile_support import Contained, one_clear_line, run_cli
from test_repo_support import make_deb, test_key


def publish_argv(repo: Path, *packages: Path, extra: tuple[str, ...] = ()) -> list[str]:
    key = ["--key-file", str(test_key().secret_path)]
    return ["publish", "--repo", str(repo), "--target", "debian-12", *key, *extra,
            *map(str, packages)]  # fmt: skip


@pytest.mark.parametrize(
    ("package", "source"),
    [
        ("../../../../x", None),
        ("ok-name", "../../../../x"),
        ("ok-name", "/tmp/x"),
        ("UPPER", None),
        ("ok-name", "../x (1.0)"),
    ],
)
def test_control_fields_that_would_be_paths_are_refused(
    package: str, source: str | None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    box = Contained(tmp_path)
    deb = hostile_deb(tmp_path / "evil_1.0-1_all.deb", fields(package, source))
    repo = tmp_path / "repo"
    code, output = run_cli(publish_argv(repo, deb), capsys)
    assert code != 0
    one_clear_line(output)
    assert "Debian Policy" in output
    assert not list(repo.rglob("*.deb")) if repo.exists() else True
    box.check([output], allowed=[repo])
    assert not (tmp_path / "x").exists() and not Path("/tmp/x").exists()


def test_a_fake_deb_is_one_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fake = tmp_path / "fake_1.0_all.deb"
    fake.write_bytes(b"!<arch>\nnot really a package\n")
    code, output = run_cli(publish_argv(tmp_path / "repo", fake), capsys)
    assert code != 0
    one_clear_line(output)
    assert "not a readable .deb" in output


@pytest.mark.parametrize("repo_id", ["../x", "/tmp/x", "a/b", ".hidden", "x\ny"])
def test_repo_id_is_checked(
    repo_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deb = make_deb(tmp_path, "hello")
    code, output = run_cli(publish_argv(tmp_path / "repo", deb, extra=("--repo-id", repo_id)),
                           capsys)  # fmt: skip
    assert code == 2
    one_clear_line(output)
    assert not (tmp_path / "x").exists()
    assert not (tmp_path / "repo").exists()


def test_files_publish_did_not_make_survive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "repo"
    first = make_deb(tmp_path, "hello", "1.0-1+deb12")
    assert run_cli(publish_argv(repo, first), capsys)[0] == 0
    foreign = repo / "apt" / "pool" / "main" / "h" / "hello" / "notes.txt"
    foreign.write_text("the admin's own file\n")
    other = repo / "apt" / "pool" / "elsewhere.deb"
    other.write_bytes(b"someone else's\n")
    newer = make_deb(tmp_path, "hello", "1.0-2+deb12")
    code, output = run_cli(publish_argv(repo, newer, extra=("--keep", "1")), capsys)
    assert code == 0, output
    assert foreign.read_text() == "the admin's own file\n"
    assert other.exists()
    # what publish made and no longer lists is gone
    assert not (repo / "apt" / "pool" / "main" / "h" / "hello" / first.name).exists()


@pytest.mark.parametrize("where", ["repo", "keys", "keyfile", "pool"])
def test_links_in_the_repository_are_not_followed(
    where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    victim_dir = tmp_path / "victim"
    victim_dir.mkdir()
    victim = victim_dir / "specport.asc"
    victim.write_text("precious\n")
    repo = tmp_path / "repo"
    if where == "repo":
        repo.symlink_to(victim_dir)
    elif where == "keys":
        repo.mkdir()
        (repo / "keys").symlink_to(victim_dir)
    elif where == "keyfile":
        (repo / "keys").mkdir(parents=True)
        (repo / "keys" / "specport.asc").symlink_to(victim)
    else:
        (repo / "apt").mkdir(parents=True)
        (repo / "apt" / "pool").symlink_to(victim_dir)
    deb = make_deb(tmp_path, "hello")
    code, output = run_cli(publish_argv(repo, deb), capsys)
    assert code != 0
    one_clear_line(output)
    assert victim.read_text() == "precious\n"
    assert sorted(os.listdir(victim_dir)) == ["specport.asc"]


def test_a_package_name_with_a_newline_is_refused_and_recorded_nowhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "repo"
    assert run_cli(publish_argv(repo, make_deb(tmp_path, "hello", "1.0-1+deb12")), capsys)[0] == 0
    owned = repo / "apt" / ".specport-owned"
    before = owned.read_text()
    # the second line would name a file publish never wrote, which the next publish deletes
    foreign = repo / "apt" / "foreign.deb"
    foreign.write_bytes(b"someone else's\n")
    evil = make_deb(tmp_path, "hello", "1.0-2+deb12")
    evil = evil.rename(evil.with_name("x\nforeign.deb"))
    code, output = run_cli(publish_argv(repo, evil), capsys)
    assert code != 0
    one_clear_line(output)
    assert "not a package file name" in output
    assert owned.read_text() == before
    newer = make_deb(tmp_path, "hello", "1.0-3+deb12")
    assert run_cli(publish_argv(repo, newer, extra=("--keep", "1")), capsys)[0] == 0
    assert foreign.read_bytes() == b"someone else's\n"


def test_the_ownership_record_takes_one_plain_path_a_line(tmp_path: Path) -> None:
    from specport.errors import PublishError
    from specport.repo import atomic

    with pytest.raises(PublishError, match="refusing to record"):
        atomic.set_owned(tmp_path, {"pool/a.deb", "x\npool/b.deb"})
    assert not (tmp_path / atomic.OWNED).exists()
    (tmp_path / atomic.OWNED).write_text("pool/a.deb\n/etc/passwd\n../x\npool/b\r.deb\n")
    assert atomic.owned(tmp_path) == {"pool/a.deb"}


def test_a_repository_is_world_readable_whatever_the_umask(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import stat

    from test_repo_support import make_rpm

    repo = tmp_path / "repo"
    deb = make_deb(tmp_path, "hello", "1.0-1+deb12")
    rpm = make_rpm(tmp_path, "hello", "1.0", "1.el9")
    old = os.umask(0o077)
    try:
        key = ["--key-file", str(test_key().secret_path)]
        argv = ["publish", "--repo", str(repo), "--target", "debian-12,el9-php8.2", *key]
        code, output = run_cli([*argv, str(deb), str(rpm)], capsys)
    finally:
        os.umask(old)
    assert code == 0, output
    seen = 0
    for dirpath, dirnames, filenames in os.walk(repo):
        for path in [Path(dirpath)] + [Path(dirpath) / n for n in filenames + dirnames]:
            st = path.lstat()
            if stat.S_ISLNK(st.st_mode):
                continue
            want = 0o755 if stat.S_ISDIR(st.st_mode) else 0o644
            assert stat.S_IMODE(st.st_mode) & want == want, (path, oct(st.st_mode))
            seen += 1
    assert seen > 20
    assert (repo / "apt" / "dists" / "bookworm" / "InRelease").is_file()
