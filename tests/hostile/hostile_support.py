"""What every hostile-input test asserts, and the fixtures' placeholders filled per test.

A fixture spec names @MARKER@ (a file its code would create on the host), @SECRET@ (a host
file whose content must never show up anywhere) and @NAME@ (a name that would become a path
outside the output). Each test gets its own: a marker, a secret with a unique content, a
name; then `Contained` checks that no marker appeared, the secret's content is in no output,
message or written file, and nothing changed outside the directories the command was given.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SPECS = sorted((HERE / "specs").glob("*.spec"))
CONFIGS = HERE / "configs"
# rejected before any output is written: names that would become paths outside it
BAD_NAMES = {"name-absolute", "name-dotdot", "subpackage-dotdot"}


@dataclass
class Contained:
    """The per-test host: tmp/host holds the secret and is where markers would land."""

    tmp: Path
    token: str = field(default_factory=lambda: uuid.uuid4().hex[:12])

    def __post_init__(self) -> None:
        self.host = self.tmp / "host"
        self.host.mkdir()
        self.secret = self.host / "secret.txt"
        self.secret_text = f"specport-secret-{self.token}"
        self.secret.write_text(f"{self.secret_text}\nsecond line {self.token}\n")
        self.marker = self.host / f"pwned-{self.token}"
        self.name = f"pwned-name-{self.token}"
        self.before = snapshot(self.tmp)

    def settle(self) -> None:
        """What the test set up so far is input, not output."""
        self.before = snapshot(self.tmp)

    def fill(self, text: str) -> str:
        return (
            text.replace("@MARKER@", str(self.marker))
            .replace("@SECRET@", str(self.secret))
            .replace("@NAME@", self.name)
        )

    def spec(self, fixture: Path, where: Path | None = None) -> Path:
        where = where or self.tmp / "specs"
        where.mkdir(parents=True, exist_ok=True)
        path = where / fixture.name
        path.write_text(self.fill(fixture.read_text()))
        return path

    def check(self, texts: Iterable[str], allowed: Iterable[Path] = ()) -> None:
        """No marker, no secret in any text or in any file under allowed, nothing changed
        outside allowed (and the inputs made before)."""
        markers = [p for p in self.host.iterdir() if p.name.startswith("pwned")]
        assert markers == [], f"a spec's code ran on the host: {markers}"
        for where in ("/tmp", str(Path.cwd())):
            leaked = [p for p in os.listdir(where) if self.token in p]
            assert leaked == [], f"written outside the output: {where}/{leaked}"
        for text in texts:
            assert self.secret_text not in text, "a host file's content reached the output"
            assert f"second line {self.token}" not in text
        allowed = [a.absolute() for a in allowed]
        after = snapshot(self.tmp)
        for path in after - self.before:
            if any(path == a or a in path.parents for a in allowed):
                if path.is_file() and not path.is_symlink():
                    assert self.secret_text not in path.read_text(errors="replace"), path
                continue
            if path.parent == self.tmp / "specs" or path.parent == self.tmp:
                continue  # the test's own inputs
            pytest.fail(f"written outside the given directories: {path}")
        assert self.secret.read_text().startswith(self.secret_text)


def snapshot(root: Path) -> set[Path]:
    out = set()
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            out.add((Path(dirpath) / name).absolute())
    return out


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """specport's real entry point in-process: (exit code, stdout + stderr)."""
    from specport.cli import main

    try:
        main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0) if not isinstance(exc.code, str) else 1
    else:
        code = 0
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def one_clear_line(output: str) -> None:
    """A failure ends in specport's one error line, never a traceback or an internal error."""
    assert "Traceback" not in output
    assert "internal error" not in output
    assert "specport: error:" in output
