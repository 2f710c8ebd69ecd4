"""Hostile configuration, environment, git repositories and sources files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hostile_support import SPECS, Contained, one_clear_line, run_cli

from specport.building.sources import read_sources_file
from specport.errors import SourceError
from specport.run import git_env


def test_non_utf8_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "specport.toml"
    config.write_bytes(b'[settings]\nmaintainer = "caf\xe9 <x@specport.invalid>"\n')
    spec = tmp_path / "x.spec"
    spec.write_text("Name: x\nVersion: 1\n")
    code, output = run_cli(["--config", str(config), "normalize", str(spec), "--target",
                            "debian-12"], capsys)  # fmt: skip
    assert code == 2
    one_clear_line(output)
    assert "UTF-8" in output


@pytest.mark.parametrize("how", ["env", "file"])
def test_maintainer_with_newlines(
    how: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    box = Contained(tmp_path)
    value = f"x <x@specport.invalid>\n%(touch {box.marker})\n- injected"
    argv = []
    if how == "env":
        monkeypatch.setenv("SPECPORT_MAINTAINER", value)
    else:
        config = tmp_path / "specport.toml"
        config.write_text(f"[settings]\nmaintainer = {value!r}\n".replace("'", '"'))
        argv = ["--config", str(config)]
    spec = box.spec(next(s for s in SPECS if s.stem == "rich-markup"))
    code, output = run_cli([*argv, "normalize", str(spec), "--target", "el9-php8.2"], capsys)
    assert code == 2
    one_clear_line(output)
    assert "one line" in output
    box.check([output])


def test_target_macros_run_only_in_the_sandbox(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """specport.toml's target macros reach rpm: `__make` is run by rpm's own %make_build."""
    box = Contained(tmp_path)
    config = tmp_path / "specport.toml"
    config.write_text(
        '[targets.evil]\nextends = "el9-php8.2"\n'
        f'macros = {{ __make = "touch {box.marker}; cat {box.secret};" }}\n'
    )
    spec = box.spec(next(s for s in SPECS if s.stem == "make-macro"))
    out = tmp_path / "out"
    argv = ["--config", str(config), "normalize", str(spec), "--target", "evil", "--check",
            "-o", str(out)]  # fmt: skip
    code, output = run_cli(argv, capsys)
    assert "(bwrap)" in output
    if code != 0:
        one_clear_line(output)
    box.check([output], allowed=[out])


def test_git_config_of_the_specs_repository_runs_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    box = Contained(tmp_path)
    repo = tmp_path / "specs"
    repo.mkdir()
    spec = repo / "tracked.spec"
    spec.write_text(
        "Name: tracked\nVersion: 1\nRelease: %autorelease\nSummary: s\nLicense: MIT\n"
        "%description\nd\n%files\n%changelog\n%autochangelog\n"
    )

    who = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x.invalid"}
    env = {**git_env(), **who, "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@x.invalid"}

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)

    git("init", "-q")
    git("add", spec.name)
    git("commit", "-qm", "spec")
    hook = f"touch {box.marker}"
    git("config", "core.fsmonitor", hook)
    git("config", "core.pager", hook)
    git("config", "diff.external", hook)
    git("config", "core.hooksPath", str(tmp_path))
    box.settle()
    code, output = run_cli(["normalize", str(spec), "--target", "el9-php8.2"], capsys)
    assert code == 0, output
    assert "- spec" in output  # the history was read (%changelog from the commit)
    box.check([output])
    # the control: plain git in that repository does run the fsmonitor command
    subprocess.run(["git", "-C", str(repo), "status"], capture_output=True, check=False)
    assert box.marker.exists()


def test_sources_file_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "sources").write_bytes(b"SHA512 (caf\xe9.tar.gz) = 00\n")
    with pytest.raises(SourceError, match="cannot read"):
        read_sources_file(tmp_path / "sources")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("WHIRLPOOL (x.tar.gz) = 00", "unknown hash type"),
        ("SHA512 (../../x.tar.gz) = 00", "not a plain file name"),
        ("SHA512 (a/b.tar.gz) = 00", "not a plain file name"),
    ],
)
def test_sources_file_lines(line: str, message: str, tmp_path: Path) -> None:
    (tmp_path / "sources").write_text(line + "\n")
    with pytest.raises(SourceError, match=message):
        read_sources_file(tmp_path / "sources")


def test_target_macro_with_a_newline_is_refused(tmp_path: Path) -> None:
    from specport.config import load_config
    from specport.errors import ConfigError

    config = tmp_path / "specport.toml"
    config.write_text(
        '[targets.debian-12]\nmacros = { x = "1\\n%global __make touch /tmp/pwned" }\n'
    )
    with pytest.raises(ConfigError, match="one line"):
        load_config(config)


def test_markup_in_target_data_is_shown_not_parsed(tmp_path: Path) -> None:
    config = tmp_path / "specport.toml"
    config.write_text('[targets.debian-12]\nmacros = { shown = "[/bold][red]x" }\n')
    done = subprocess.run(
        [sys.executable, "-m", "specport", "--config", str(config), "targets", "show", "debian-12"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "[/bold][red]x" in done.stdout


def test_build_output_that_is_a_link_is_refused(tmp_path: Path) -> None:
    spec = tmp_path / "x.spec"
    spec.write_text("Name: x\nVersion: 1\nRelease: 1\nSummary: x\nLicense: MIT\n%description\nx\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "out").symlink_to(elsewhere)
    done = subprocess.run(
        [sys.executable, "-m", "specport", "build", "-t", "debian-12", "-o",
         str(tmp_path / "out"), str(spec)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode != 0
    assert "symbolic link" in done.stderr and "Traceback" not in done.stderr
    assert list(elsewhere.iterdir()) == []
