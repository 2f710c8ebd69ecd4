"""The pieces the hostile classes rely on, one by one: tar streams from containers, textual
macro expansion's limits, name rules, safe writes, the bwrap sandbox itself."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest
from hostile_support import Contained

from specport import pathnames as names
from specport import safeio
from specport.container.tarcopy import safe_extract as _safe_extract
from specport.errors import EngineError, SpecError, UsageError
from specport.normalize.lines import MAX_EXPANSION, expand
from specport.sandbox.jobs import Job, run_jobs


def _tar(*members: tarfile.TarInfo, data: bytes = b"x") -> tarfile.TarFile:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for m in members:
            if m.isfile():
                m.size = len(data)
                tar.addfile(m, io.BytesIO(data))
            else:
                tar.addfile(m)
    buf.seek(0)
    return tarfile.open(fileobj=buf, mode="r")


def _member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    info.mode = 0o6755
    return info


@pytest.mark.parametrize(
    "members",
    [
        [_member("/etc/x")],
        [_member("out/../../x")],
        [_member("out/link", tarfile.SYMTYPE, "/etc"), _member("out/link/passwd")],
        [_member("out/hard", tarfile.LNKTYPE, "/etc/passwd")],
        [_member("out/up", tarfile.SYMTYPE, "../../../x")],
        [_member("out/a\nforeign.rpm")],
        [_member("out/ok.rpm", tarfile.SYMTYPE, "a\rb")],
    ],
)
def test_tar_from_a_container_cannot_leave_its_folder(
    members: list[tarfile.TarInfo], tmp_path: Path
) -> None:
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises(EngineError, match="refusing"):
        _safe_extract(_tar(*members), dest)
    assert not (tmp_path / "x").exists()


def test_tar_extraction_drops_special_bits(tmp_path: Path) -> None:
    _safe_extract(_tar(_member("out/tool"), _member("out/dev", tarfile.CHRTYPE)), tmp_path)
    mode = (tmp_path / "out" / "tool").stat().st_mode
    assert not mode & 0o6000
    assert not (tmp_path / "out" / "dev").exists()


def test_macro_bombs_stop_at_the_size_limit() -> None:
    assert expand("%{a}", {"a": "%{a}%{a}"}) is None
    levels = {"a0": "x" * 64}
    for i in range(1, 9):
        levels[f"a{i}"] = f"%{{a{i - 1}}}" * 10
    assert expand("%{a8}", levels) is None  # 6.4 GB if it were expanded
    assert expand("%{a2}", levels) == "x" * 6400
    assert len("x" * 6400) < MAX_EXPANSION


@pytest.mark.parametrize("name", ["/tmp/x", "../../x", "a/b", ".hidden", "-opt", "a..b", "", "x y"])
def test_rpm_names_that_would_be_paths(name: str) -> None:
    with pytest.raises(SpecError, match="name rules"):
        names.rpm_name(name, "t.spec")


@pytest.mark.parametrize("name", ["php-pecl-yaml", "libfoo++", "python3.12", "Foo_Bar", "a"])
def test_rpm_names_that_are_fine(name: str) -> None:
    assert names.rpm_name(name, "t.spec") == name


def test_safe_write_replaces_a_link_instead_of_following_it(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "f").symlink_to(victim)
    safeio.write_file(out, "f", b"new\n")
    assert victim.read_text() == "precious\n"
    assert not (out / "f").is_symlink()
    assert (out / "f").read_bytes() == b"new\n"
    assert sorted(os.listdir(out)) == ["f"]  # no temporary file left


def test_safe_write_refuses_linked_directories_and_inputs(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "sub").symlink_to(tmp_path / "real")
    with pytest.raises(UsageError, match="link"):
        safeio.write_file(tmp_path / "out", "sub/f", b"x")
    assert list((tmp_path / "real").iterdir()) == []
    source = tmp_path / "out" / "in.spec"
    source.write_text("keep\n")
    with pytest.raises(UsageError, match="input"):
        safeio.write_file(tmp_path / "out", "in.spec", b"x", protect=[source])
    assert source.read_text() == "keep\n"


def test_bwrap_sandbox_sees_no_host_file(tmp_path: Path) -> None:
    """The sandbox itself, without the sanitizer: shell runs, but inside."""
    box = Contained(tmp_path)
    spec = (
        "Name: probe\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n%description\n"
        f"%(touch {box.marker}; cat {box.secret}; cat /etc/hostname; id -u; ls /; "
        "getent hosts localhost || echo no-hosts)\n"
    )
    batch = run_jobs([Job("probe", spec, (("rpmspec", "-P"),))], image=None)
    answer = batch.answers[0][0]
    assert batch.where == "bwrap"
    assert answer.ok, answer.err
    assert "65534" in answer.out
    assert "home" not in answer.out.split() and "etc" not in answer.out.split()
    box.check([answer.out, answer.err])


@pytest.mark.parametrize("fixture", ["expand-shell", "global-percent", "lua-expand"])
def test_control_the_fixtures_do_run_code_without_a_sandbox(fixture: str, tmp_path: Path) -> None:
    """Plain rpmspec on the host would run them (what the sandbox is for): the tests above
    could fail. The code only touches a marker in tmp_path."""
    import subprocess

    from hostile_support import SPECS

    box = Contained(tmp_path)
    spec = box.spec(next(s for s in SPECS if s.stem == fixture))
    subprocess.run(["rpmspec", "-P", str(spec)], capture_output=True, timeout=60, check=False)
    assert box.marker.exists() or Path(f"{box.marker}-2").exists()


def test_a_build_s_output_holds_plain_package_files_only(tmp_path: Path) -> None:
    from specport.building.results import check_output
    from specport.errors import BuildError

    out = tmp_path / "result"
    out.mkdir()
    (out / "x-1.0-1.el9.noarch.rpm").write_bytes(b"x")
    (out / "x_1.0-1+deb12_all.deb").write_bytes(b"x")
    assert [p.name for p in check_output(out)] == [
        "x-1.0-1.el9.noarch.rpm",
        "x_1.0-1+deb12_all.deb",
    ]
    for bad in ("link.rpm", "dir.rpm", "a\nb.rpm", ".hidden.rpm", "notes.txt"):
        where = out / bad
        if bad == "link.rpm":
            where.symlink_to(out)
        elif bad == "dir.rpm":
            where.mkdir()
        else:
            where.write_bytes(b"x")
        with pytest.raises(BuildError, match="in its output"):
            check_output(out)
        where.unlink() if not where.is_dir() or where.is_symlink() else where.rmdir()
