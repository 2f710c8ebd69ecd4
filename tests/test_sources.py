"""Sources: found next to the spec, in --sources, in a lookaside; checksums verified."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from specport.building.sources import SourceSearch, read_sources_file, resolve_sources
from specport.errors import SourceError
from specport.sandbox.specinfo import SourceRef

DATA = b"pretend tarball\n"
SHA = hashlib.sha512(DATA).hexdigest()


def _spec_dir(tmp_path: Path, with_sources_file: bool = True) -> Path:
    d = tmp_path / "pkg"
    d.mkdir()
    (d / "foo.spec").write_text("Name: foo\n")
    if with_sources_file:
        (d / "sources").write_text(f"SHA512 (foo-1.tgz) = {SHA}\n")
    return d / "foo.spec"


REFS = [SourceRef("Source0", "https://example.invalid/foo-1.tgz"), SourceRef("Source1", "a.ini")]


def test_sources_file_parses_both_formats(tmp_path: Path) -> None:
    f = tmp_path / "sources"
    f.write_text(f"SHA512 (a.tgz) = {SHA}\n{'0' * 32}  old.tgz\n")
    got = read_sources_file(f)
    assert got["a.tgz"].hashtype == "sha512" and got["a.tgz"].value == SHA
    assert got["old.tgz"].hashtype == "md5"


def test_bad_sources_line_names_file_and_line(tmp_path: Path) -> None:
    f = tmp_path / "sources"
    f.write_text("garbage here\n")
    with pytest.raises(SourceError, match=r"sources:1: not a dist-git sources line"):
        read_sources_file(f)


def test_all_missing_files_are_listed(tmp_path: Path) -> None:
    spec = _spec_dir(tmp_path)
    got = resolve_sources(spec, "foo", REFS, SourceSearch())
    assert got.found == {}
    assert got.missing == [
        "foo-1.tgz (Source0, https://example.invalid/foo-1.tgz)",
        "a.ini (Source1)",
    ]


def test_flat_and_distgit_lookaside(tmp_path: Path) -> None:
    spec = _spec_dir(tmp_path)
    (spec.parent / "a.ini").write_text("x")
    flat = tmp_path / "flat"
    flat.mkdir()
    (flat / "foo-1.tgz").write_bytes(DATA)
    got = resolve_sources(spec, "foo", REFS, SourceSearch(lookaside=str(flat)))
    assert got.missing == [] and got.found["foo-1.tgz"] == flat / "foo-1.tgz"

    tree = tmp_path / "tree"
    where = tree / "foo" / "foo-1.tgz" / "sha512" / SHA
    where.mkdir(parents=True)
    (where / "foo-1.tgz").write_bytes(DATA)
    got = resolve_sources(spec, "foo", REFS, SourceSearch(lookaside=str(tree)))
    assert got.found["foo-1.tgz"] == where / "foo-1.tgz"


def test_checksum_mismatch_fails_even_next_to_the_spec(tmp_path: Path) -> None:
    spec = _spec_dir(tmp_path)
    (spec.parent / "foo-1.tgz").write_bytes(b"something else")
    with pytest.raises(SourceError, match="sha512 checksum does not match"):
        resolve_sources(spec, "foo", REFS[:1], SourceSearch())


def test_sources_dir_and_no_download_without_flag(tmp_path: Path) -> None:
    spec = _spec_dir(tmp_path, with_sources_file=False)
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "a.ini").write_text("x")
    got = resolve_sources(spec, "foo", REFS, SourceSearch(dirs=(extra,)))
    assert got.found == {"a.ini": extra / "a.ini"}
    assert [m.split()[0] for m in got.missing] == ["foo-1.tgz"]


def test_download_from_file_url_template_is_verified(tmp_path: Path) -> None:
    # a URL template lookaside over file:// exercises the download path without a network
    spec = _spec_dir(tmp_path)
    (spec.parent / "a.ini").write_text("x")
    where = tmp_path / "la" / "foo" / "foo-1.tgz"
    where.mkdir(parents=True)
    (where / "foo-1.tgz").write_bytes(DATA)
    template = f"file://{tmp_path}/la/{{name}}/{{filename}}/{{filename}}"
    search = SourceSearch(lookaside=template, cache_dir=tmp_path / "cache")
    got = resolve_sources(spec, "foo", REFS, search)
    assert got.missing == []
    assert got.found["foo-1.tgz"].read_bytes() == DATA
    assert got.found["foo-1.tgz"].is_relative_to(tmp_path / "cache")
