"""What the build needs to know from a normalized spec, read on the host with rpmspec.

The spec is untrusted: before rpm sees it, shell and Lua expansions and %include are removed
(`sanitize`), so reading it never runs anything on the host. What they would have produced is
the build's business, inside the container.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from specport.errors import SpecError, ToolError

RPMSPEC_TIMEOUT = 60.0

_SOURCE_LINE = re.compile(r"^(Source|Patch)(\d*)\s*:\s*(\S+)\s*$", re.IGNORECASE)
_PACKAGER_LINE = re.compile(r"^Packager\s*:\s*(.+?)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class SourceRef:
    tag: str  # "Source0", "Patch1"
    value: str  # file name or URL, macros expanded

    @property
    def filename(self) -> str:
        # rpm uses the last path component of a URL; "#/name" renames a download
        value = self.value.split("#/", 1)[1] if "#/" in self.value else self.value
        return value.rstrip("/").rsplit("/", 1)[-1]

    @property
    def url(self) -> str | None:
        return self.value if re.match(r"^(https?|ftp)://", self.value) else None


@dataclass(frozen=True)
class SpecInfo:
    name: str
    version: str
    release: str
    packager: str  # "" when the spec has no Packager:
    sources: tuple[SourceRef, ...]
    build_requires: tuple[str, ...]  # one dependency each, "name" or "name >= 1.2"


def sanitize(text: str) -> str:
    """The spec without %(shell), %{lua:...}, %include: nothing in it can run on the host.

    Each expansion becomes "0": never empty (an empty %global body is an error) and valid in %if.
    """
    out: list[str] = []
    i = 0
    while i < len(text):
        if text.startswith("%(", i):
            i = _skip_balanced(text, i + 1, "(", ")")
            out.append("0")
            continue
        if text.startswith("%{lua:", i):
            i = _skip_balanced(text, i + 1, "{", "}")
            out.append("0")
            continue
        if text.startswith("%%", i):
            out.append("%%")
            i += 2
            continue
        out.append(text[i])
        i += 1
    lines = (line for line in "".join(out).splitlines())
    return "\n".join(line for line in lines if not line.lstrip().startswith("%include")) + "\n"


def _skip_balanced(text: str, start: int, open_: str, close: str) -> int:
    """Index just past the bracket that closes the one at `start` (end of text if none)."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == open_:
            depth += 1
        elif text[i] == close:
            depth -= 1
            if depth == 0:
                return i + 1
    return len(text)


def read_spec_info(
    text: str,
    *,
    label: str,
    macro_files: Sequence[Path] = (),
    defines: dict[str, str] | None = None,
) -> SpecInfo:
    """Name, version, sources and BuildRequires of a (normalized) spec for one target."""
    with tempfile.TemporaryDirectory(prefix="specport-spec-") as tmp:
        spec = Path(tmp) / "spec.spec"
        spec.write_text(sanitize(text), encoding="utf-8")
        args = []
        for f in macro_files:
            args += ["--load", str(f)]
        for key, value in {"_sourcedir": tmp, **(defines or {})}.items():
            args += ["--define", f"{key} {value}"]
        parsed = _rpmspec([*args, "-P", str(spec)], label)
        nvr = _rpmspec(
            [*args, "-q", "--srpm", "--qf", "%{NAME}\\n%{VERSION}\\n%{RELEASE}\\n", str(spec)],
            label,
        ).split("\n")
        brs = _rpmspec([*args, "-q", "--buildrequires", str(spec)], label)
    sources: list[SourceRef] = []
    packager = ""
    for line in _preamble_lines(parsed):
        if m := _SOURCE_LINE.match(line):
            number = m.group(2) or "0"
            sources.append(SourceRef(f"{m.group(1).capitalize()}{number}", m.group(3)))
        elif m := _PACKAGER_LINE.match(line):
            packager = m.group(1)
    return SpecInfo(
        name=nvr[0],
        version=nvr[1],
        release=nvr[2],
        packager=packager,
        sources=tuple(sources),
        build_requires=tuple(b.strip() for b in brs.splitlines() if b.strip()),
    )


def _preamble_lines(parsed: str) -> list[str]:
    # tags only count in the preamble and %package sections, not in scripts or %description
    lines, in_preamble = [], True
    for line in parsed.splitlines():
        if line.startswith("%"):
            in_preamble = line.split()[0] == "%package"
            continue
        if in_preamble:
            lines.append(line)
    return lines


def _rpmspec(args: list[str], label: str) -> str:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8", "HOME": "/"}
    try:
        proc = subprocess.run(
            ["rpmspec", *args],
            capture_output=True,
            text=True,
            timeout=RPMSPEC_TIMEOUT,
            env=env,
        )
    except FileNotFoundError:
        raise ToolError("rpmspec is not installed", hint="apt-get install rpm") from None
    except subprocess.TimeoutExpired:
        raise ToolError(f"rpmspec took longer than {RPMSPEC_TIMEOUT:.0f}s on {label}") from None
    if proc.returncode != 0:
        raise SpecError(_first_error(proc.stderr), path=label)
    return proc.stdout


def _first_error(stderr: str) -> str:
    """rpm's noise turned into its first `error:` line."""
    for line in stderr.splitlines():
        if line.startswith("error:"):
            return "rpmspec: " + line.removeprefix("error:").strip()
    last = stderr.strip().splitlines()
    return "rpmspec failed: " + (last[-1] if last else "no message")
