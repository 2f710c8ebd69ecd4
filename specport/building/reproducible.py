"""SOURCE_DATE_EPOCH for a build: the date of the spec's newest %changelog entry.

reproducible-builds.org's SOURCE_DATE_EPOCH is what makes two builds of the same input give the
same bytes: rpmbuild uses it as the build time and clamps payload mtimes to it (with the macros
in rpmbuild.py), dpkg-deb dates its ar members by it, and the deb post-step clamps the tree's
mtimes to it. Like rpm's %source_date_epoch_from_changelog and dpkg-parsechangelog, it comes
from the changelog, so it changes only when the spec gets a new entry.

The changelog is read as text (never by rpm on the host); the newest entry is the largest
date, whatever the order of the entries. A date without a time of day is its first second
(00:00 UTC), where rpm takes noon: SOURCE_DATE_EPOCH only clamps (mtimes newer than it are set
to it), so an epoch later than the build clamps nothing, and the build's own mtimes would show.
A spec dated today (%autochangelog without git history takes the file's mtime) builds before
today's noon; it never builds before today's 00:00.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

ENV = "SOURCE_DATE_EPOCH"

_SECTION = re.compile(r"^%changelog\s*$", re.MULTILINE)
_NEXT_SECTION = re.compile(
    r"^%(package|description|prep|build|install|check|clean|files|pre|post|preun|postun|"
    r"pretrans|posttrans|triggerin|triggerun|triggerpostun|verifyscript|sourcelist|patchlist)\b"
)
# `* Mon Nov 30 2026 Name <mail> - 1.0-1`, or rpm's extended `* Mon Nov 30 12:34:56 UTC 2026`
_ENTRY = re.compile(
    r"^\*\s+\w{3}\s+(?P<mon>\w{3})\s+(?P<day>\d{1,2})\s+"
    r"(?:(?P<time>\d{1,2}:\d{2}:\d{2})\s+(?:[A-Z]{3,4}\s+)?)?(?P<year>\d{4})\b"
)


def changelog_dates(text: str) -> list[datetime]:
    """The date of every %changelog entry of a (normalized) spec, in file order."""
    match = _SECTION.search(text)
    if match is None:
        return []
    out = []
    for line in text[match.end() :].splitlines():
        if _NEXT_SECTION.match(line):
            break
        m = _ENTRY.match(line)
        if m is None:
            continue
        clock = m["time"] or "00:00:00"
        try:
            when = datetime.strptime(
                f"{m['year']} {m['mon']} {m['day']} {clock}", "%Y %b %d %H:%M:%S"
            )
        except ValueError:
            continue  # not a date rpm would accept either
        out.append(when.replace(tzinfo=UTC))
    return out


def source_date_epoch(text: str) -> int | None:
    """SOURCE_DATE_EPOCH for the spec `text`; None when it has no dated %changelog entry."""
    dates = changelog_dates(text)
    return int(max(dates).timestamp()) if dates else None


def build_env(text: str) -> dict[str, str]:
    """The environment a build container of this spec gets ({} without a changelog)."""
    epoch = source_date_epoch(text)
    return {ENV: str(epoch)} if epoch is not None else {}


def epoch_date(value: str) -> datetime | None:
    """$SOURCE_DATE_EPOCH as a date, None when it is not a number of seconds a date can hold
    (the caller takes now): an environment variable must not end a build in a traceback."""
    if not value.isdigit() or len(value) > 12:
        return None
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (OverflowError, OSError, ValueError):
        return None
