"""The Debian documentation files a .deb must carry, made from what the spec says.

- /usr/share/doc/<pkg>/copyright (Debian policy 12.5), machine-readable (DEP-5, copyright-format
  1.0), from the spec's License: tag; licenses that base-files ships in /usr/share/common-licenses
  are referred to there, the others get the text of the license files the package ships.
- /usr/share/doc/<pkg>/changelog.Debian.gz (policy 12.7): the spec's %changelog, which debbuild
  writes as an rpm-style changelog.gz, rewritten in Debian's format under a first entry for
  this very build (so its version is the package's).
Pure functions: the post-step (debfix.fix_package) reads and writes the files.
"""

from __future__ import annotations

import email.utils
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from debian.changelog import Changelog
from debian.copyright import Copyright, FilesParagraph, License, LicenseParagraph

DEP5_FORMAT = "https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"

# SPDX (and Fedora's older) names -> DEP-5 short names (copyright-format 1.0, "License
# specification"); names not listed are kept as written
_DEP5_NAMES = {
    "GPL-1.0-only": "GPL-1", "GPL-1.0-or-later": "GPL-1+",
    "GPL-2.0-only": "GPL-2", "GPL-2.0-or-later": "GPL-2+", "GPL-2.0": "GPL-2", "GPL-2.0+": "GPL-2+",
    "GPL-3.0-only": "GPL-3", "GPL-3.0-or-later": "GPL-3+", "GPL-3.0": "GPL-3", "GPL-3.0+": "GPL-3+",
    "LGPL-2.0-only": "LGPL-2", "LGPL-2.0-or-later": "LGPL-2+",
    "LGPL-2.1-only": "LGPL-2.1", "LGPL-2.1-or-later": "LGPL-2.1+",
    "LGPL-3.0-only": "LGPL-3", "LGPL-3.0-or-later": "LGPL-3+",
    "AGPL-3.0-only": "AGPL-3", "AGPL-3.0-or-later": "AGPL-3+",
    "GFDL-1.2-only": "GFDL-1.2", "GFDL-1.2-or-later": "GFDL-1.2+",
    "GFDL-1.3-only": "GFDL-1.3", "GFDL-1.3-or-later": "GFDL-1.3+",
    "MIT": "Expat", "Artistic-1.0-Perl": "Artistic",
    "GPLv2": "GPL-2", "GPLv2+": "GPL-2+", "GPLv3": "GPL-3", "GPLv3+": "GPL-3+",
    "LGPLv2": "LGPL-2", "LGPLv2+": "LGPL-2+", "LGPLv3": "LGPL-3", "LGPLv3+": "LGPL-3+",
    "ASL 2.0": "Apache-2.0", "MPLv2.0": "MPL-2.0",
}  # fmt: skip
# base-files' /usr/share/common-licenses on every supported release (CC0-1.0 is not on Ubuntu
# 20.04; BSD there is the Regents' text, not a generic BSD-3-Clause)
_COMMON = {
    "Apache-2.0", "Artistic", "GFDL-1.2", "GFDL-1.3", "GPL-1", "GPL-2", "GPL-3",
    "LGPL-2", "LGPL-2.1", "LGPL-3", "MPL-1.1", "MPL-2.0",
}  # fmt: skip
_OPERATORS = {"and": "and", "or": "or", "with": "with"}
LICENSE_FILE = re.compile(r"(?i)^(copying|licen[cs]e|copyright)([._-].*)?$")


@dataclass(frozen=True)
class LicenseText:
    path: str  # where the package ships it: "usr/share/doc/php-pecl-yaml/LICENSE"
    text: str


def dep5_license(spdx: str) -> tuple[str, list[str]]:
    """`GPL-3.0-or-later OR MIT` -> ("GPL-3+ or Expat", ["GPL-3+", "Expat"])."""
    words, names = [], []
    for token in re.findall(r"[()]|(?:ASL 2\.0)|[^\s()]+", spdx.strip()):
        if token.lower() in _OPERATORS:
            words.append(_OPERATORS[token.lower()])
            continue
        name = _DEP5_NAMES.get(token, token)
        words.append(name)
        if token not in "()" and (not words[:-1] or words[-2] != "with"):
            names.append(name)
    return " ".join(words).replace("( ", "(").replace(" )", ")"), list(dict.fromkeys(names))


def common_license_file(name: str) -> str | None:
    base = name.removesuffix("+")
    return f"/usr/share/common-licenses/{base}" if base in _COMMON else None


def copyright_file(
    upstream: str, url: str, spdx: str, texts: list[LicenseText], doc_dir: str
) -> str:
    """A DEP-5 copyright file for one binary package (python-debian's copyright model)."""
    expression, names = dep5_license(spdx or "unknown")
    holders = _copyright_lines(texts)
    doc = Copyright()
    # python-debian types these fields as its descriptor class; they take strings
    doc.header.upstream_name = upstream  # type: ignore[assignment]
    if url:
        doc.header.source = url  # type: ignore[assignment]
    doc.header.comment = "written by specport from the RPM spec's License: tag" + (  # type: ignore[assignment]
        " and the license files the package ships" if texts else ""
    )
    holder_text = "\n ".join(holders) if holders else f"the authors of {upstream}"
    doc.add_files_paragraph(FilesParagraph.create(["*"], holder_text, License(expression)))
    for name in names:
        body = _license_body(name, texts, doc_dir)
        doc.add_license_paragraph(LicenseParagraph.create(License(name, body)))
    return str(doc.dump())


def _license_body(name: str, texts: list[LicenseText], doc_dir: str) -> str:
    common = common_license_file(name)
    if common:
        return f"On Debian systems, the full text of this license is in {common}."
    if len(texts) == 1:
        lines = texts[0].text.expandtabs().rstrip().splitlines() or ["(empty)"]
        return "\n".join(line.rstrip() for line in lines)
    if texts:
        where = ", ".join(f"/{t.path}" for t in texts)
        return f"The license texts the package ships are in {where}."
    return f"The spec ships no license text; see the upstream source ({doc_dir})."


def _copyright_lines(texts: list[LicenseText]) -> list[str]:
    found: list[str] = []
    for t in texts:
        for line in t.text.splitlines():
            m = re.match(r"^\s*Copyright\s*(?:\(c\)|©)?\s*(.*\d{4}.*)$", line, re.IGNORECASE)
            if m:
                found.append(m.group(1).strip())
    return list(dict.fromkeys(found))


# rpm %changelog entry heading: "* Tue Oct 08 2024 Name <mail> - 2.2.4-1" (version optional)
_RPM_ENTRY = re.compile(
    r"^\*\s+(?P<date>\w{3}\s+\w{3}\s+\d{1,2}(?:\s+\d\d:\d\d:\d\d(?:\s+\w+)?)?\s+\d{4})\s+"
    r"(?P<who>.+?)(?:\s+-\s+(?P<ver>\S+))?\s*$"
)


@dataclass(frozen=True)
class ChangelogEntry:
    version: str
    who: str
    when: datetime
    lines: list[str]  # change items, without the leading "- "


def parse_rpm_changelog(text: str) -> list[ChangelogEntry]:
    """rpm %changelog entries (newest first, as written); [] when it does not parse."""
    entries: list[ChangelogEntry] = []
    for block in re.split(r"(?m)^(?=\*\s)", text.strip()):
        if not block.strip():
            continue
        head, *body = block.strip().splitlines()
        m = _RPM_ENTRY.match(head)
        if not m:
            return []
        when = _rpm_date(m["date"])
        if when is None:
            return []
        items: list[str] = []
        for line in body:
            if re.match(r"^\s*[-*]\s+", line):
                items.append(re.sub(r"^\s*[-*]\s+", "", line).rstrip())
            elif line.strip() and items:
                items[-1] += "\n    " + line.strip()
            elif line.strip():
                items.append(line.strip())
        entries.append(ChangelogEntry(m["ver"] or "", m["who"].strip(), when, items))
    return entries


def _rpm_date(text: str) -> datetime | None:
    words = text.split()
    stamp = " ".join([*words[:3], words[-1]])  # the time of day (rpm >= 4.14) is dropped
    try:
        return datetime.strptime(stamp, "%a %b %d %Y").replace(tzinfo=UTC)
    except ValueError:
        return None


def debian_changelog(
    package: str,
    version: str,
    codename: str,
    maintainer: str,
    note: str,
    rpm_text: str,
    built: datetime,
) -> str:
    """A Debian changelog: this build's entry first, then the spec's %changelog entries."""
    entries = parse_rpm_changelog(rpm_text)
    # this build's entry must be newer than the spec's newest (lintian:
    # latest-changelog-entry-without-new-date), and rpm's dates have no time of day
    newest = max(built, entries[0].when + timedelta(seconds=1)) if entries else built
    first = [note]
    if rpm_text.strip() and not entries:
        # kept word for word when it is not in rpm's format
        first.append("The spec's %changelog:\n    " + "\n    ".join(rpm_text.strip().splitlines()))
    blocks = [(version, first, maintainer, newest)]
    blocks += [(e.version, e.lines or ["-"], e.who, e.when) for e in entries if e.version]
    changelog = Changelog()
    for block_version, items, who, when in reversed(blocks):  # new_block() puts a block first
        _entry(changelog, package, block_version, codename, items, who, when)
    return str(changelog)


def _entry(
    changelog: Changelog,
    package: str,
    version: str,
    codename: str,
    items: list[str],
    who: str,
    when: datetime,
) -> None:
    changelog.new_block(
        package=package,
        version=version,
        distributions=codename,
        urgency="medium",
        author=who,
        date=email.utils.format_datetime(when),
    )
    changelog.add_change("")
    for item in items:
        changelog.add_change(f"  * {item}")
    changelog.add_change("")
