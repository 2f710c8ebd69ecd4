"""Pieces of index/debian.py and index/parse.py that need no network: which files of a Release
are fetched, the mirror mmdebstrap names, Contents component filtering."""

from __future__ import annotations

from specport.index.debian import _DEB_LINE_RE, pick_files, release_fields
from specport.index.parse import Builder

RELEASE = """Codename: focal
Acquire-By-Hash: yes
SHA256:
 aa 653237597 Contents-amd64
 bb 40902952 Contents-amd64.gz
 cc 5826751 main/binary-amd64/Packages
 dd 970408 main/binary-amd64/Packages.xz
 ee 1078721 main/source/Sources.gz
 ff 8627544 universe/binary-amd64/Packages.xz
 11 9707388 universe/source/Sources.xz
"""


def test_release_fields_and_the_files_picked() -> None:
    fields, hashes = release_fields(RELEASE)
    assert fields["Acquire-By-Hash"] == "yes"
    picked = [
        (f.kind, f.path, f.component) for f in pick_files(hashes, ("main", "universe"), "amd64")
    ]
    assert picked == [
        ("Packages", "main/binary-amd64/Packages.xz", "main"),  # xz before the plain file
        ("Sources", "main/source/Sources.gz", "main"),
        ("Packages", "universe/binary-amd64/Packages.xz", "universe"),
        ("Sources", "universe/source/Sources.xz", "universe"),
        ("Contents", "Contents-amd64.gz", ""),  # Ubuntu: one Contents for all components
    ]


def test_mirror_from_mmdebstrap_debug_output() -> None:
    # the lines mmdebstrap 1.3.5 prints with --debug --dry-run (host names replaced)
    out = [
        "D: 8998 5446 sources list entries:",
        "D: 8998 5454   deb http://archive.example/ubuntu focal main universe",
        "D: 8998 5454   deb [signed-by=/k.gpg] http://security.example/ubuntu focal-security main",
    ]
    found = [m.groups() for line in out if (m := _DEB_LINE_RE.match(line))]
    assert found == [
        ("http://archive.example/ubuntu", "focal", "main universe"),
        ("http://security.example/ubuntu", "focal-security", "main"),
    ]


def test_contents_keeps_only_the_targets_components_and_dirs() -> None:
    lines = [
        b"usr/bin/afio\t\t\tmultiverse/utils/afio\n",
        b"usr/bin/phpunit\t\t\tuniverse/web/phpunit\n",
        b"usr/bin/xsltproc\t\t\ttext/xsltproc\n",
        b"usr/bin/sub/dir/tool\t\t\ttext/nope\n",
        b"usr/share/mingw-w64/lib/pkgconfig/zlib.pc\t\tlibdevel/libz-mingw-w64-dev\n",
        b"usr/lib/x86_64-linux-gnu/pkgconfig/zlib.pc\t\tlibdevel/zlib1g-dev\n",
        b"usr/share/perl5/XML/Simple.pm\t\tperl/libxml-simple-perl\n",
        b"usr/lib/python3/dist-packages/PyYAML-5.3.1.egg-info\t    python/python3-yaml\n",
    ]
    builder = Builder()
    builder.add_contents(lines, ("main", "universe"), "main")
    index = builder.build("ubuntu-20.04")
    assert set(index.files) == {"/usr/bin/phpunit", "/usr/bin/xsltproc"}  # no multiverse
    assert index.owners("pkgconfig", "zlib") == ["zlib1g-dev"]  # not the MinGW one
    assert index.owners("perl", "XML::Simple") == ["libxml-simple-perl"]
    assert index.owners("python", "pyyaml") == ["python3-yaml"]
