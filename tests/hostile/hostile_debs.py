"""Hand-made .deb files with control fields dpkg-deb would refuse to build."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path


def _tar_gz(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _ar(members: list[tuple[str, bytes]]) -> bytes:
    out = [b"!<arch>\n"]
    for name, data in members:
        header = f"{name + '/':<16}{0:<12}{0:<6}{0:<6}{'100644':<8}{len(data):<10}`\n"
        out.append(header.encode() + data + (b"\n" if len(data) % 2 else b""))
    return b"".join(out)


def hostile_deb(path: Path, control: dict[str, str]) -> Path:
    """A .deb (ar of debian-binary, control.tar.gz, data.tar.gz) with exactly these fields."""
    text = "".join(f"{k}: {v}\n" for k, v in control.items()).encode()
    path.write_bytes(
        _ar(
            [
                ("debian-binary", b"2.0\n"),
                ("control.tar.gz", _tar_gz({"./control": text})),
                ("data.tar.gz", _tar_gz({"./usr/share/doc/x/README": b"x\n"})),
            ]
        )
    )
    return path


def fields(package: str, source: str | None = None) -> dict[str, str]:
    out = {
        "Package": package,
        "Version": "1.0-1",
        "Architecture": "all",
        "Maintainer": "tests <tests@specport.invalid>",
        "Description": "hostile\n a hostile package",
    }
    if source is not None:
        out["Source"] = source
    return out
