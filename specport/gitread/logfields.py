"""A commit's author, email, date and subject as `git log --format='%an %ae %ad %s'
--date=format:'%a %b %d %Y'` prints them (gitread's LogEntry)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from dulwich.objects import Commit

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def log_fields(commit: Commit) -> tuple[str, str, str, str]:
    """(%an, %ae, %ad with --date=format:'%a %b %d %Y', %s) of a commit, decoded as git log
    decodes them (the commit's encoding header, else UTF-8)."""
    encoding = (commit.encoding or b"utf-8").decode("ascii", errors="replace")
    try:
        "".encode(encoding)
    except LookupError:
        encoding = "utf-8"
    ident = commit.author
    lt = ident.find(b"<")
    gt = ident.find(b">", lt + 1)
    name = ident[:lt].strip() if lt >= 0 else ident.strip()
    email = ident[lt + 1 : gt] if 0 <= lt < gt else b""
    # the author's own time zone, as --date=format: shows it
    zone = timezone(timedelta(seconds=commit.author_timezone))
    when = datetime.fromtimestamp(commit.author_time, UTC).astimezone(zone)
    date = f"{_DAYS[when.weekday()]} {_MONTHS[when.month - 1]} {when.day:02d} {when.year}"
    return (
        name.decode(encoding, errors="replace"),
        email.decode(encoding, errors="replace"),
        date,
        _subject(commit.message.decode(encoding, errors="replace")),
    )


def _subject(message: str) -> str:
    """git's %s: the first paragraph, its lines stripped of trailing blanks and joined by a
    space (leading blank lines skipped)."""
    lines: list[str] = []
    for line in message.split("\n"):
        line = line.rstrip()
        if not line:
            if lines:
                break
            continue
        lines.append(line)
    return " ".join(lines)
