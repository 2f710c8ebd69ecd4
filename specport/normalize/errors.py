"""The errors of the dependency-name passes (deps.py, depconfirm.py)."""

from __future__ import annotations

from specport.errors import DependencyError


class UnresolvedError(DependencyError):
    """Requirements nothing translates. `names` are the Fedora names (for --report);
    `refused` gives each one's class and reason: (name, class, why), the class one of "absent"
    (the target has no counterpart), "unknown", "macro" (a macro specport cannot read), "scl"
    (a Software Collection), "php-stack" (another PHP version's stack)."""

    def __init__(
        self,
        message: str,
        names: list[str],
        hint: str | None = None,
        refused: list[tuple[str, str, str]] | None = None,
    ) -> None:
        super().__init__(message, hint)
        self.names = names
        self.refused = refused if refused is not None else [(n, "unknown", "") for n in names]


class PhpStackError(UnresolvedError):
    """A versioned EL PHP stack (php73-php-devel) of another PHP version than the target's."""


class SclError(UnresolvedError):
    """A Software Collection metapackage spec: SCL exists on EL only."""
