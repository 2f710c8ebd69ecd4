"""specport's errors: one base class, exit codes defined in this file only.

Every failure the user should see is a SpecportError; the CLI prints its message (and hint)
as one line and exits with its code. Anything else is a bug and shows a traceback only with -v.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


MAX_LISTED = 20  # items one error message names; the rest are counted


def listing(
    items: Sequence[T],
    show: Callable[[T], str] = str,
    *,
    sep: str = "; ",
    limit: int = MAX_LISTED,
) -> str:
    """The first `limit` items as `show` writes them, then "and K more": an error stays one
    readable line however many names a spec has (10,000 unknown BuildRequires made a 573 KB
    line), and `show` (a search for suggestions) runs only for the items shown."""
    shown = sep.join(show(item) for item in items[:limit])
    more = len(items) - limit
    return shown + (f"{sep}and {more} more" if more > 0 else "")


class SpecportError(Exception):
    """A failure with a message meant for the user."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} (hint: {self.hint})"


class UsageError(SpecportError):
    """Bad command line: unknown target, conflicting options."""

    exit_code = 2


class ConfigError(SpecportError):
    """A target file or specport.toml that does not validate."""

    exit_code = 2


class SpecError(SpecportError):
    """A spec file specport cannot read or normalize; names the line when it can."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        where = ""
        if path and line:
            where = f"{path}:{line}: "
        elif path:
            where = f"{path}: "
        elif line:
            where = f"line {line}: "
        super().__init__(where + message, hint)
        self.path = path
        self.line = line


class DependencyError(SpecportError):
    """Dependency names that no rule translates, or that the target cannot install."""


class PackageIndexError(SpecportError):
    """A target's package index is missing, cannot be fetched, or its cache fails verification."""


class SourceError(SpecportError):
    """Missing or corrupt sources."""


class EngineError(SpecportError):
    """The container engine is down, unreachable or refused a request."""


class ToolError(SpecportError):
    """An external tool (rpmspec, rpmbuild, debbuild, gpg, ...) failed."""


class SandboxError(SpecportError):
    """No sandbox to read a spec in (or the sandbox itself failed): never run on the host."""


class BuildError(SpecportError):
    """One or more builds failed."""


class PublishError(SpecportError):
    """A repository could not be published."""


class ConflictError(SpecportError):
    """A fork update or a rebase stopped on conflicts it reports (markers, patches)."""
