"""The records passes exchange: spec lines that remember where they came from, change notes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from specport.config import DEFAULT_MAINTAINER
from specport.normalize.resolver import Resolver
from specport.targets.model import Target


@dataclass(frozen=True)
class Line:
    """One physical spec line; `no` is its 1-based line number in the input spec.

    Lines a pass adds carry the number of the input line they were made for, so every change note
    and error points into the file the user wrote.
    """

    no: int
    text: str


@dataclass(frozen=True)
class Change:
    pass_name: str
    line: int  # line of the input spec (0: the change is not tied to one line)
    reason: str
    # a translated dependency: (Fedora name, target name or "" when dropped, how it was found)
    dependency: tuple[str, str, str] | None = None


@dataclass(frozen=True)
class Bconds:
    """A build's --with/--without NAME (rpmbuild's and debbuild's options): they define
    `_with_NAME` / `_without_NAME`, which the spec's %bcond_with / %bcond_without (and %bcond)
    read to set `with_NAME`."""

    with_: tuple[str, ...] = ()
    without: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.with_ or self.without)

    def defines(self) -> dict[str, str]:
        """The macros the options define, with the values rpmbuild and debbuild give them."""
        out = {f"_with_{n}": f"--with-{n}" for n in self.with_}
        out.update({f"_without_{n}": f"--without-{n}" for n in self.without})
        return out

    def args(self) -> list[str]:
        """rpmbuild's and debbuild's command-line spelling: --with a --without b."""
        return [*(a for n in self.with_ for a in ("--with", n)),
                *(a for n in self.without for a in ("--without", n))]  # fmt: skip


@dataclass(frozen=True)
class NormalizeOptions:
    """Inputs that are not in the spec or the target; the command computes them (I/O lives there).

    autorelease: the %autorelease number (commits touching the spec since its last Version change);
    changelog: literal %changelog entries that replace %autochangelog (newest first, each a block
    starting with "* "); changelog_date / packager: the fallback entry when there is no history.
    """

    release_suffix: str = ""  # appended to Release like OBS's <CI_CNT>.<B_CNT>: "1" -> "1.<sfx>"
    keep_unresolved: bool = False  # keep dependency names no rule translates instead of failing
    autorelease: int | None = None
    changelog: tuple[str, ...] = ()
    changelog_date: str = "Mon Jan 01 2001"
    packager: str = DEFAULT_MAINTAINER
    bconds: Bconds = field(default_factory=Bconds)  # the build's --with/--without


@dataclass(frozen=True)
class NormalizeResult:
    text: str
    changes: list[Change] = field(default_factory=list)


@dataclass(frozen=True)
class PassContext:
    """What every pass may read besides the lines: the target, the options, the spec's path."""

    target: Target
    options: NormalizeOptions
    path: str | None = None
    resolver: Resolver | None = None  # dependency names; None: the target's rule data


PassResult = tuple[list[Line], list[Change]]
Pass = Callable[[list[Line], PassContext], PassResult]
