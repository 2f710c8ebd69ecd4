"""The fork's record: where its files came from (specport-fork.toml) and a copy of them as they
were (.specport-fork/base/), so status and a three-way update need neither the network nor the
upstream repository's history."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

from specport.errors import UsageError

RECORD = "specport-fork.toml"
BASE = Path(".specport-fork") / "base"


@dataclass(frozen=True)
class Upstream:
    kind: str  # "git" or "srpm"
    repository: str  # URL or path of the dist-git repository, or the .src.rpm's path/URL
    branch: str = ""  # "" for a .src.rpm
    commit: str = ""  # git commit, or "sha256:<hex>" of the .src.rpm


@dataclass(frozen=True)
class Fork:
    dir: Path
    upstream: Upstream
    spec: str  # file name of the spec in dir
    conflicts: tuple[str, ...] = ()  # files an update left with conflict markers

    @property
    def base_dir(self) -> Path:
        return self.dir / BASE


def _toml_str(value: str) -> str:
    # JSON string escapes are valid TOML basic-string escapes for everything json.dumps emits
    return json.dumps(value, ensure_ascii=False)


def write_record(fork: Fork) -> None:
    up = fork.upstream
    lines = [
        "# written by specport import / specport fork update; the upstream this fork follows",
        f"spec = {_toml_str(fork.spec)}",
        f"conflicts = [{', '.join(_toml_str(c) for c in fork.conflicts)}]",
        "",
        "[upstream]",
        f"kind = {_toml_str(up.kind)}",
        f"repository = {_toml_str(up.repository)}",
        f"branch = {_toml_str(up.branch)}",
        f"commit = {_toml_str(up.commit)}",
    ]
    (fork.dir / RECORD).write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_record(directory: Path) -> Fork:
    path = directory / RECORD
    if not path.is_file():
        raise UsageError(
            f"{directory} is not a fork: no {RECORD}",
            hint="make one with `specport import PATH-OR-URL --into DIR`",
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        up = data["upstream"]
        upstream = Upstream(
            kind=str(up["kind"]),
            repository=str(up["repository"]),
            branch=str(up.get("branch", "")),
            commit=str(up.get("commit", "")),
        )
        fork = Fork(
            directory,
            upstream,
            spec=str(data["spec"]),
            conflicts=tuple(str(c) for c in data.get("conflicts", [])),
        )
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, KeyError, TypeError) as exc:
        raise UsageError(f"{path}: not a valid fork record ({exc})") from None
    if upstream.kind not in ("git", "srpm"):
        raise UsageError(f"{path}: upstream.kind must be git or srpm, not {upstream.kind!r}")
    if not fork.base_dir.is_dir():
        raise UsageError(f"{directory}: the upstream copy {BASE} is missing")
    return fork
