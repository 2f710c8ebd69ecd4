"""Upstream tarballs whose members each look harmless as text but leave the destination through
links made by earlier members: refused, and no file appears outside, with Python's data filter
(3.11.4 and later) and without it (Debian 12's 3.11.2, the venv's interpreter in CI); `rebase`
unpacks such a tarball the same way."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest

from specport import safetar
from specport.errors import SourceError
from specport.forks.patches import unpack

Member = tuple[tarfile.TarInfo, bytes | None]


def member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> Member:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, link
    if kind == tarfile.REGTYPE:
        info.size = 6
        return info, b"escape"
    if kind == tarfile.DIRTYPE:
        info.mode = 0o755
    return info, None


def archive(members: list[Member]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


SYM, DIR = tarfile.SYMTYPE, tarfile.DIRTYPE

ATTACKS = {
    # x is the destination, x/y its parent: x/y/escape lands beside it
    "chain": [member("x", SYM, "."), member("x/y", SYM, ".."), member("x/y/escape")],
    # the same through a directory made in between
    "chain-deeper": [
        member("d", DIR),
        member("d/up", SYM, ".."),
        member("d/up/d/up2", SYM, "../.."),
        member("d/up2/escape"),
    ],
    # a link that points at nothing when made, out once a later link exists
    "dangling-then-out": [
        member("a", SYM, "b/c/../.."),
        member("b", DIR),
        member("b/c", SYM, "."),
        member("a/escape"),
    ],
    # hard link through a link chain to a file outside
    "hardlink-through-link": [
        member("x", SYM, "."),
        member("x/y", SYM, ".."),
        member("h", tarfile.LNKTYPE, "x/y/outside.txt"),
    ],
}


@pytest.fixture(params=["python's filter", "specport's checks"])
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "specport's checks":
        monkeypatch.delattr(tarfile, "data_filter", raising=False)
    elif not hasattr(tarfile, "data_filter"):
        pytest.skip("this interpreter has no tarfile data filter")
    return str(request.param)


def _outside(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in tmp_path.iterdir() if p.name not in ("dest", "outside.txt"))


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_link_chains_cannot_leave_the_destination(attack: str, mode: str, tmp_path: Path) -> None:
    (tmp_path / "outside.txt").write_text("host file\n")
    dest = tmp_path / "dest"
    with (
        tarfile.open(fileobj=io.BytesIO(archive(ATTACKS[attack]))) as tar,
        pytest.raises(SourceError, match="refused member"),
    ):
        safetar.extract_all(tar, dest, label="up.tar")
    assert _outside(tmp_path) == []
    assert (tmp_path / "outside.txt").read_text() == "host file\n"


def test_a_path_too_long_to_resolve_is_refused(mode: str, tmp_path: Path) -> None:
    """Short names that resolve, through links, to a path longer than the kernel's PATH_MAX:
    a resolver that gives up there and keeps the rest as text would let the last link out
    (CPython's realpath did, CVE-2025-4517)."""
    comp, steps = "d" * 247, "abcdefghijklmnop"
    members: list[Member] = []
    path = ""
    for step in steps:
        members.append(member(os.path.join(path, comp), DIR))
        members.append(member(os.path.join(path, step), SYM, comp))
        path = os.path.join(path, comp)
    linkpath = os.path.join(*steps, "l" * 254)
    members.append(member(linkpath, SYM, "../" * len(steps)))
    members.append(member("escape", SYM, linkpath + "/.."))
    members.append(member("escape/pwned"))
    dest = tmp_path / "dest"
    with (
        tarfile.open(fileobj=io.BytesIO(archive(members))) as tar,
        pytest.raises(SourceError, match="refused member"),
    ):
        safetar.extract_all(tar, dest, label="up.tar")
    assert _outside(tmp_path) == []


def test_links_inside_still_work(mode: str, tmp_path: Path) -> None:
    """What upstream tarballs do have: a link to a sibling, a directory link, a file replaced."""
    members = [
        member("pkg", DIR),
        member("pkg/lib64", DIR),
        member("pkg/lib", SYM, "lib64"),
        member("pkg/lib64/libx.so.1"),
        member("pkg/lib/libx.so", SYM, "libx.so.1"),
        member("pkg/README"),
        member("pkg/README"),
        member("pkg/README.txt", tarfile.LNKTYPE, "pkg/README"),
    ]
    dest = tmp_path / "dest"
    with tarfile.open(fileobj=io.BytesIO(archive(members))) as tar:
        safetar.extract_all(tar, dest, label="up.tar")
    assert (dest / "pkg" / "lib" / "libx.so").read_bytes() == b"escape"
    assert (dest / "pkg" / "README.txt").read_bytes() == b"escape"


def test_a_link_already_there_is_replaced_not_written_through(mode: str, tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    with tarfile.open(fileobj=io.BytesIO(archive([member("f", SYM, "g")]))) as tar:
        safetar.extract_all(tar, dest, label="up.tar")
    with tarfile.open(fileobj=io.BytesIO(archive([member("f")]))) as tar:
        safetar.extract_all(tar, dest, label="up.tar")
    assert not (dest / "f").is_symlink() and not (dest / "g").exists()


def test_rebase_unpack_refuses_the_chain(tmp_path: Path) -> None:
    tarball = tmp_path / "up-2.0.tar"
    tarball.write_bytes(archive(ATTACKS["chain"]))
    with pytest.raises(SourceError, match="refused member"):
        unpack(tarball, tmp_path / "work" / "tree")
    assert not (tmp_path / "work" / "escape").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["up-2.0.tar", "work"]
