"""What each family's spec reader understands of rpm's newer syntax (the syntax passes ask).

rpm targets read a spec with the target's own rpm: syntax added in an rpm release is read from
that release on. deb targets read it with debbuild, which has its own parser and implements none
of rpm's newer syntax.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from specport.targets.model import Target, version_tuple


@dataclass(frozen=True)
class Reader:
    reads: Callable[[Target, str], bool]  # (target, rpm version the syntax came in)
    unreadable: Callable[[str, str], str]  # (token, rpm version) -> why the reader cannot
    label: Callable[[Target], str]  # who reads, for messages: "debbuild", "rpm 4.14.3 (el8)"


def _debbuild_unreadable(token: str, since: str) -> str:
    if token == "%generate_buildrequires":
        return "debbuild has no dynamic build dependencies; list them as BuildRequires"
    return "debbuild does not evaluate it"


READERS: dict[str, Reader] = {
    "rpm": Reader(
        reads=lambda target, since: target.rpm_version_tuple >= version_tuple(since),
        unreadable=lambda token, since: f"needs rpm {since}",
        label=lambda target: f"rpm {target.rpm_version} ({target.name})",
    ),
    "deb": Reader(
        reads=lambda target, since: False,
        unreadable=_debbuild_unreadable,
        label=lambda target: "debbuild",
    ),
}


def reader_of(target: Target) -> Reader:
    return READERS[target.family]
