"""Sources are regular files inside the directories they are looked for in: a symbolic link
beside the spec, in --sources, in the lookaside, or as the `sources` file itself is refused in
one line, before anything reads through it (a host file once ended up in a signed .deb)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_support import Contained

from specport.building.sources import SourceSearch, read_sources_file, resolve_sources
from specport.errors import SourceError
from specport.sandbox.specinfo import SourceRef

SPEC = """\
Name: tiny
Version: 1.0
Release: 1%{?dist}
Summary: tiny
License: MIT
Source0: tiny-1.0.tar.gz
%description
tiny
%prep
%build
%install
%files
"""


def _resolve(spec: Path, search: SourceSearch) -> None:
    resolve_sources(spec, "tiny", [SourceRef("Source0", "tiny-1.0.tar.gz")], search)


def _sources_line(box: Contained) -> str:
    digest = hashlib.sha512(box.secret.read_bytes()).hexdigest()
    return f"SHA512 (tiny-1.0.tar.gz) = {digest}\n"


@pytest.mark.parametrize("where", ["beside", "sources-dir", "lookaside-flat", "lookaside-tree"])
def test_a_linked_source_is_refused(where: str, tmp_path: Path) -> None:
    box = Contained(tmp_path)
    specs = tmp_path / "specs"
    specs.mkdir()
    spec = specs / "tiny.spec"
    spec.write_text(SPEC)
    # the checksum even matches: the link is refused for what it is, not for its content
    (specs / "sources").write_text(_sources_line(box))
    extra, lookaside = tmp_path / "extra", tmp_path / "lookaside"
    search = SourceSearch(dirs=(extra,), lookaside=str(lookaside))
    link = {
        "beside": specs / "tiny-1.0.tar.gz",
        "sources-dir": extra / "tiny-1.0.tar.gz",
        "lookaside-flat": lookaside / "tiny-1.0.tar.gz",
        "lookaside-tree": lookaside / "tiny" / "tiny-1.0.tar.gz" / "sha512" / "x" / "y",
    }[where]
    if where == "lookaside-tree":
        digest = _sources_line(box).split(" = ")[1].strip()
        link = lookaside / "tiny" / "tiny-1.0.tar.gz" / "sha512" / digest / "tiny-1.0.tar.gz"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(box.secret)
    box.settle()
    with pytest.raises(SourceError, match="is a symbolic link") as caught:
        _resolve(spec, search)
    assert "\n" not in str(caught.value)
    box.check([str(caught.value)])


def test_a_lookaside_path_leading_out_is_refused(tmp_path: Path) -> None:
    """A directory of the dist-git layout that is a link out of the lookaside (the file at its
    end is regular): refused as leading out."""
    box = Contained(tmp_path)
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "tiny.spec").write_text(SPEC)
    (specs / "sources").write_text(_sources_line(box))
    digest = _sources_line(box).split(" = ")[1].strip()
    outside = tmp_path / "host" / "tiny-1.0.tar.gz" / "sha512" / digest
    outside.mkdir(parents=True)
    (outside / "tiny-1.0.tar.gz").write_bytes(box.secret.read_bytes())
    lookaside = tmp_path / "lookaside"
    lookaside.mkdir()
    (lookaside / "tiny").symlink_to(tmp_path / "host")
    with pytest.raises(SourceError, match="leads out of"):
        _resolve(specs / "tiny.spec", SourceSearch(lookaside=str(lookaside)))


def test_a_fifo_source_is_refused_not_read(tmp_path: Path) -> None:
    import os

    (tmp_path / "tiny.spec").write_text(SPEC)
    os.mkfifo(tmp_path / "tiny-1.0.tar.gz")
    with pytest.raises(SourceError, match="not a regular file"):
        _resolve(tmp_path / "tiny.spec", SourceSearch())


def test_a_linked_sources_file_is_refused_without_quoting_it(tmp_path: Path) -> None:
    box = Contained(tmp_path)
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "sources").symlink_to(box.secret)
    with pytest.raises(SourceError, match="is a symbolic link") as caught:
        read_sources_file(tmp_path / "specs" / "sources")
    box.check([str(caught.value)])


def test_a_bad_sources_line_is_quoted_short(tmp_path: Path) -> None:
    (tmp_path / "sources").write_text("x" * 5000 + "\n")
    with pytest.raises(SourceError, match="not a dist-git sources line") as caught:
        read_sources_file(tmp_path / "sources")
    assert len(str(caught.value)) < 250


def test_build_refuses_a_linked_source_before_any_container(tmp_path: Path) -> None:
    box = Contained(tmp_path)
    spec = box.tmp / "specs" / "tiny.spec"
    spec.parent.mkdir()
    spec.write_text(SPEC)
    (spec.parent / "tiny-1.0.tar.gz").symlink_to(box.secret)
    box.settle()
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "specport", "build", "-t", "debian-12", "-o", str(out), str(spec)],
        capture_output=True, text=True, timeout=300,
        env={"PATH": "/usr/bin:/bin", "SPECPORT_SANDBOX": "bwrap",
             "DOCKER_HOST": f"unix://{tmp_path}/no-engine.sock"},
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    errors = [ln for ln in done.stderr.splitlines() if ln.startswith("specport: error:")]
    assert len(errors) == 1 and "is a symbolic link" in errors[0], done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()
    box.check([done.stdout, done.stderr])
