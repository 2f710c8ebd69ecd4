"""Archives from outside unpack only inside their destination, with or without Python's own
"data" filter (Debian 12's python3 3.11.2 predates it; newer interpreters have it)."""

from __future__ import annotations

import io
import stat
import tarfile
from pathlib import Path

import pytest

from specport import safetar
from specport.errors import SourceError


def archive(*members: tuple[tarfile.TarInfo, bytes | None]) -> tarfile.TarFile:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    buf.seek(0)
    return tarfile.open(fileobj=buf)


def file(name: str, mode: int = 0o644) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size, info.mode = 1, mode
    return info, b"x"


def link(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info, None


@pytest.fixture(params=["python's filter", "specport's checks"])
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "specport's checks":
        monkeypatch.delattr(tarfile, "data_filter", raising=False)
    elif not hasattr(tarfile, "data_filter"):
        pytest.skip("this interpreter has no tarfile data filter")
    return str(request.param)


@pytest.mark.parametrize(
    "members",
    [
        [file("../escape")],
        [file("a/../../escape")],
        [link("out", "../../etc")],
        [link("abs", "/etc/passwd")],
        [link("hard", "../outside", tarfile.LNKTYPE)],
    ],
)
def test_members_leaving_the_destination_are_refused(
    mode: str, members: list[tuple[tarfile.TarInfo, bytes | None]], tmp_path: Path
) -> None:
    dest = tmp_path / "dest"
    with pytest.raises(SourceError, match="refused member"):
        safetar.extract_all(archive(*members), dest, label="up.tar")
    assert not (tmp_path / "escape").exists() and not (tmp_path / "outside").exists()


def test_plain_members_unpack_without_special_bits(mode: str, tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    safetar.extract_all(
        archive(file("pkg/bin/tool", 0o4777), link("pkg/lnk", "bin/tool")), dest, label="up.tar"
    )
    mode_bits = (dest / "pkg" / "bin" / "tool").stat().st_mode
    assert not mode_bits & (stat.S_ISUID | stat.S_IWOTH)
    assert (dest / "pkg" / "lnk").resolve() == (dest / "pkg" / "bin" / "tool").resolve()
