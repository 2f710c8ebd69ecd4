"""Hostile specs through normalize (and --check, in the bwrap sandbox: the fast suite's):
nothing of theirs runs on the host, no host file's content shows, nothing lands outside -o."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile_support import BAD_NAMES, SPECS, Contained, one_clear_line, run_cli

TARGETS = "debian-12,el9-php8.2"


@pytest.fixture(autouse=True)
def _short_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    # shell-time.spec sleeps for ever, macro-bomb.spec grows until stopped
    monkeypatch.setenv("SPECPORT_SANDBOX_SECONDS", "2")


@pytest.mark.parametrize("fixture", SPECS, ids=[s.stem for s in SPECS])
def test_normalize_writes_only_into_output(
    fixture: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    box = Contained(tmp_path)
    spec = box.spec(fixture)
    out = tmp_path / "out"
    code, output = run_cli(["normalize", str(spec), "--target", TARGETS, "-o", str(out)], capsys)
    if fixture.stem in BAD_NAMES:
        assert code != 0
        one_clear_line(output)
        assert "name rules" in output
        assert not out.exists() or not any(out.rglob("*.spec"))
    elif code != 0:
        one_clear_line(output)
    box.check([output], allowed=[out])


def test_check_reads_every_spec_in_the_sandbox(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """All fixtures in one --check run: one sandbox per image, and the table says which."""
    box = Contained(tmp_path)
    specs = [str(box.spec(f)) for f in SPECS if f.stem not in BAD_NAMES]
    out = tmp_path / "out"
    argv = ["normalize", *specs, "--target", "el9-php8.2", "--check", "-o", str(out)]
    code, output = run_cli(argv, capsys)
    assert "(bwrap)" in output
    assert "(host)" not in output
    assert "ran past the sandbox's time limit" in output  # shell-time.spec
    if code != 0:
        one_clear_line(output)
    box.check([output], allowed=[out])


@pytest.mark.parametrize("name", ["name-absolute", "name-dotdot", "subpackage-dotdot"])
def test_bad_names_fail_before_check(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    box = Contained(tmp_path)
    spec = box.spec(next(s for s in SPECS if s.stem == name))
    code, output = run_cli(["normalize", str(spec), "--target", "debian-12", "--check"], capsys)
    assert code != 0
    one_clear_line(output)
    box.check([output])


def test_markup_in_spec_text_is_printed_not_parsed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    box = Contained(tmp_path)
    spec = box.spec(next(s for s in SPECS if s.stem == "rich-markup"))
    bad = spec.with_name("[bold]x.spec")
    bad.write_text(spec.read_text().replace("Name: rich-markup", "Name: [/bold]"))
    code, output = run_cli(["normalize", str(spec), "--target", TARGETS], capsys)
    # the summary table of two targets (debian-12 fails on the names, el9 passes)
    assert "[/bold]" in output
    one_clear_line(output)
    code, output = run_cli(["normalize", str(bad), "--target", TARGETS], capsys)
    assert code != 0
    one_clear_line(output)
    assert "[/bold]" in output
    box.check([output])


def test_non_utf8_spec_is_one_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "latin1.spec"
    spec.write_bytes(b"Name: caf\xe9\nVersion: 1\n")
    code, output = run_cli(["normalize", str(spec), "--target", "debian-12"], capsys)
    assert code != 0
    one_clear_line(output)


@pytest.mark.parametrize("name", sorted(BAD_NAMES))
def test_build_refuses_bad_names_before_any_container(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    box = Contained(tmp_path)
    spec = box.spec(next(s for s in SPECS if s.stem == name))
    out = tmp_path / "out"
    code, output = run_cli(["build", str(spec), "--target", "debian-12", "-o", str(out)], capsys)
    assert code != 0
    one_clear_line(output)
    assert "name rules" in output
    box.check([output], allowed=[out])
