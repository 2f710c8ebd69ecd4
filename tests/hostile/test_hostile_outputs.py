"""normalize's outputs: never through a link, never over its input, one clear error each."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile_support import one_clear_line, run_cli

SPEC = """Name: tidy
Version: 1.0
Release: 1%{?dist}
Summary: a well-behaved spec
License: MIT
%description
tidy
%files
%changelog
* Mon Jan 01 2024 Tester <tester@specport.invalid> - 1.0-1
- fixture
"""


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "in" / "tidy.spec"
    path.parent.mkdir()
    path.write_text(SPEC)
    return path


def normalize(spec: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    return run_cli(["normalize", str(spec), "--target", "debian-12", "-o", str(out)], capsys)


def victim(tmp_path: Path) -> Path:
    path = tmp_path / "victim" / "file"
    path.parent.mkdir()
    path.write_text("precious\n")
    return path


def test_output_dir_that_is_a_link(
    spec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    v = victim(tmp_path)
    out = tmp_path / "out"
    out.symlink_to(v.parent)
    code, output = normalize(spec, out, capsys)
    assert code != 0
    one_clear_line(output)
    assert "link" in output
    assert sorted(p.name for p in v.parent.iterdir()) == ["file"]


def test_dangling_output_link(
    spec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.symlink_to(tmp_path / "nowhere")
    code, output = normalize(spec, out, capsys)
    assert code != 0
    one_clear_line(output)
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("link", ["debian-12", "debian-12/tidy.spec", "debian-12/macros.d"])
def test_links_inside_the_output(
    link: str, spec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    v = victim(tmp_path)
    out = tmp_path / "out"
    (out / link).parent.mkdir(parents=True, exist_ok=True)
    (out / link).symlink_to(v if link.endswith(".spec") else v.parent)
    code, output = normalize(spec, out, capsys)
    assert v.read_text() == "precious\n"
    assert sorted(p.name for p in v.parent.iterdir()) == ["file"]
    if link.endswith(".spec"):  # a link in a file's place is replaced, not followed
        assert code == 0, output
        assert not (out / link).is_symlink()
        assert "Name:" in (out / link).read_text()
    else:
        assert code != 0
        one_clear_line(output)


def test_output_over_the_input_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "debian-12" / "tidy.spec"
    spec.parent.mkdir()
    spec.write_text(SPEC)
    code, output = normalize(spec, tmp_path, capsys)
    assert code != 0
    one_clear_line(output)
    assert "input" in output
    assert spec.read_text() == SPEC
