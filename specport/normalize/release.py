"""Passes: Release (%autorelease, build counter suffix) and %changelog (%autochangelog).

Values that need the spec's git history arrive in NormalizeOptions (the command computes them,
like rpmautospec: commits touching the spec since its last Version change). Without history the
fallback is release 1 and one changelog entry made from the spec's own Version.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from pathlib import Path

from specport.errors import SpecError
from specport.normalize.edit import suffix_release
from specport.normalize.lines import TAG_RE, expand, sections, simple_macros
from specport.normalize.model import Change, Line, PassContext, PassResult

NAME = "release"
_AUTORELEASE_RE = re.compile(r"%\{?autorelease(?:\s+([^}]*))?\}?")
_SUFFIX_RE = re.compile(r"[A-Za-z0-9._+~^]+")


def autorelease_value(args: str, number: int, *, line: int, path: str | None) -> str:
    """rpmautospec's %autorelease [-b BASE] [-p] [-e EXTRAVER] [-s SNAPINFO] [-n]."""
    try:
        words = shlex.split(args)
    except ValueError as exc:
        raise SpecError(f"%autorelease: {exc}", path=path, line=line) from None
    base, prerelease, extra, snapshot = 1, False, "", ""
    i = 0
    while i < len(words):
        w = words[i]
        if w in ("-b", "-e", "-s") and i + 1 < len(words):
            if w == "-b":
                if not words[i + 1].isdigit():
                    raise SpecError("%autorelease -b needs a number", path=path, line=line)
                base = int(words[i + 1])
            elif w == "-e":
                extra = words[i + 1]
            else:
                snapshot = words[i + 1]
            i += 2
            continue
        if w == "-p":
            prerelease = True
        elif w != "-n":
            raise SpecError(f"%autorelease: unknown option {w!r}", path=path, line=line)
        i += 1
    value = str(base + number - 1)
    if prerelease:
        value = f"0.{value}"
    for part in (extra, snapshot):
        if part:
            value += f".{part}"
    return value + "%{?dist}"  # rpmautospec's value carries the dist tag too


def normalize_release(lines: list[Line], ctx: PassContext) -> PassResult:
    """Resolve %autorelease to a number and append options.release_suffix to Release."""
    suffix = ctx.options.release_suffix
    if suffix and not _SUFFIX_RE.fullmatch(suffix):
        raise SpecError(f"release suffix {suffix!r}: use letters, digits and . + ~ _ ^ only")
    out: list[Line] = []
    changes: list[Change] = []
    for ln, sec in zip(lines, sections(lines), strict=True):
        text = ln.text
        if not suffix and "autorelease" not in text:  # nothing to do on this line
            out.append(ln)
            continue
        m = TAG_RE.match(text) if sec == "preamble" else None
        is_release = sec == "preamble" and m is not None and m.group(1).lower() == "release"
        if "autorelease" in text and (is_release or re.match(r"^\s*%(global|define)\s", text)):
            number = ctx.options.autorelease or 1
            how = "from the spec's git history" if ctx.options.autorelease else "no git history"
            text = _AUTORELEASE_RE.sub(_autorelease_repl(number, ln.no, ctx.path), text)
            changes.append(Change(NAME, ln.no, f"%autorelease -> {number} ({how})"))
        if is_release and suffix:
            text = suffix_release(text, suffix)
            changes.append(Change(NAME, ln.no, f"release suffix .{suffix} (build counter)"))
        out.append(Line(ln.no, text))
    return out, changes


def _autorelease_repl(number: int, line: int, path: str | None) -> Callable[[re.Match[str]], str]:
    def repl(m: re.Match[str]) -> str:
        return autorelease_value(m.group(1) or "", number, line=line, path=path)

    return repl


def carries_dist(version: str, dist: str) -> bool:
    """Does a built package's version carry the target's dist tag in its release (after the last
    `-`)? What the check must guarantee is that packages of one spec built for two targets never
    share a version; Release may put more after %{?dist} (`1%{?dist}.1`, a PHP tag
    `1%{?dist}.8.2`, `~bpo1`), as rpm and debbuild allow. The tag must end there, though:
    `+deb120` is another target's tag, not `+deb12` with more after it."""
    release = version.rpartition("-")[2] if "-" in version else ""
    return bool(dist) and re.search(re.escape(dist) + r"(?![A-Za-z0-9])", release) is not None


def resolve_autochangelog(lines: list[Line], ctx: PassContext) -> PassResult:
    out: list[Line] = []
    changes: list[Change] = []
    for ln in lines:
        if ln.text.strip() not in ("%autochangelog", "%{autochangelog}"):
            out.append(ln)
            continue
        entries = list(ctx.options.changelog) or [_fallback_entry(lines, ctx)]
        how = "from git history" if ctx.options.changelog else "no git history: one entry"
        for k, entry in enumerate(entries):
            if k:
                out.append(Line(ln.no, ""))
            out.extend(Line(ln.no, t) for t in entry.rstrip("\n").splitlines())
        changes.append(Change(NAME, ln.no, f"%autochangelog -> {len(entries)} entries ({how})"))
    return out, changes


def _fallback_entry(lines: list[Line], ctx: PassContext) -> str:
    macros = simple_macros(lines)
    version = expand(macros.get("version", "0"), macros) or macros.get("version", "0")
    evr = version
    if "epoch" in macros:
        evr = f"{macros['epoch']}:{version}"
    release = str(ctx.options.autorelease or 1)
    return (
        f"* {ctx.options.changelog_date} {ctx.options.packager} - {evr}-{release}\n"
        # the spec's file name, not its path: the same spec from two directories (two CI
        # checkouts) gives the same package, and no host path lands in it
        f"- Built from {Path(ctx.path).name if ctx.path else 'the spec'} "
        "(no git history to build the changelog from)"
    )
