"""SOURCE_DATE_EPOCH from the %changelog (reproducible.py), as rpm and dpkg take it."""

from __future__ import annotations

from datetime import UTC, datetime

from specport.building.reproducible import build_env, changelog_dates, source_date_epoch

SPEC = """Name: x
Version: 1
Release: 1

%description
x

%changelog
* Tue Nov 24 2026 A <a@example.org> - 1-2
- newer, but listed second
* Mon Nov 30 2026 B <b@example.org> - 1-3
- the newest
* Sun Jan 04 2026 C <c@example.org> - 1-1
- first
"""


def test_newest_entry_at_the_start_of_its_day() -> None:
    # not rpm's noon: an epoch after the build (a spec dated today) would clamp no mtime
    assert source_date_epoch(SPEC) == int(datetime(2026, 11, 30, tzinfo=UTC).timestamp())


def test_extended_date_keeps_its_time() -> None:
    text = "%changelog\n* Mon Nov 30 08:15:00 UTC 2026 A <a@example.org> - 1-1\n- x\n"
    assert changelog_dates(text) == [datetime(2026, 11, 30, 8, 15, tzinfo=UTC)]


def test_entries_after_the_changelog_only() -> None:
    # a `* ...` line in %description is text, not an entry; a bad date is skipped
    text = (
        "%description\n* Mon Nov 30 2026 looks like one\n"
        "%changelog\n* Xyz Foo 99 2026 bad\n* Fri Jan 02 2026 A - 1\n"
    )
    assert changelog_dates(text) == [datetime(2026, 1, 2, tzinfo=UTC)]


def test_no_changelog_no_epoch() -> None:
    assert source_date_epoch("Name: x\n") is None
    assert build_env("Name: x\n") == {}
    assert build_env(SPEC) == {"SOURCE_DATE_EPOCH": str(source_date_epoch(SPEC))}
