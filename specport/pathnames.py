"""Names that become paths, checked against the distro's own rules before any use.

A spec's Name, a subpackage's name, a .deb's Package and Source, a repository id: each ends up
as a file or directory name, so `/tmp/x` or `../../x` there would write outside the output.
The rules are the distros' own (rpm's and Debian Policy's), which happen to exclude `/`, a
leading `.` and whitespace; names that pass are safe as one path component.
"""

from __future__ import annotations

import re

from specport.errors import PublishError, SpecError, UsageError

# rpm (build/parsePreamble.c, rpmCharCheck): alphanumerics and "._+-", not starting with "."
# or "-" (after macro expansion; "%{}" only appear before it)
RPM_NAME = re.compile(r"[A-Za-z0-9_+][A-Za-z0-9._+-]*")
# Debian Policy 5.6.1 (Source) and 5.6.7 (Package): lower case, digits, "+-.", starting with
# an alphanumeric (Policy wants two characters; dpkg, whose rule this is, takes one)
DEB_NAME = re.compile(r"[a-z0-9][a-z0-9.+-]*")
# dnf repo ids: letters, digits and "-_.:" (dnf's repo id check); ":" is left out because the
# id also names files that consumers copy around
REPO_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
# modulemd: a module's name is a package-like name; a stream has no "-" (it separates the
# name, stream, version and context in an NSVCA) and nothing a YAML scalar would reinterpret
MODULE_STREAM = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+]*")
MAX_NAME = 200  # rpm and dpkg take more; a file system may not


def _valid(pattern: re.Pattern[str], name: str) -> bool:
    return len(name) <= MAX_NAME and pattern.fullmatch(name) is not None and ".." not in name


def rpm_name(name: str, label: str) -> str:
    if not _valid(RPM_NAME, name):
        raise SpecError(
            f"package name {_show(name)} breaks rpm's name rules "
            "(letters, digits and ._+- only, no leading . or -, no ..)",
            path=label,
        )
    return name


def deb_field(field: str, value: str, label: str) -> str:
    if not _valid(DEB_NAME, value):
        raise PublishError(
            f"{label}: control field {field} {_show(value)} breaks Debian Policy's package name "
            "rules (a-z, 0-9 and +-. only, starting with a letter or digit)"
        )
    return value


def repo_id(value: str) -> str:
    if not _valid(REPO_ID, value):
        raise UsageError(
            f"repository id {_show(value)} is not a valid id "
            "(letters, digits and _.- only, starting with a letter or digit)"
        )
    return value


def module_stream(value: str) -> tuple[str, str]:
    """NAME:STREAM of a module checked: (name, stream); they go into the signed modules.yaml,
    where a newline would add keys of its own."""
    name, sep, stream = value.partition(":")
    if not sep or not _valid(RPM_NAME, name) or not _valid(MODULE_STREAM, stream):
        raise UsageError(
            f"module {_show(value)}: expected NAME:STREAM (a package name, then letters, digits"
            " and _.+ only)"
        )
    return name, stream


def _show(value: str) -> str:
    """A name as shown in a message: quoted, control characters escaped, cut short."""
    text = repr(value[:60] + ("..." if len(value) > 60 else ""))
    return text
