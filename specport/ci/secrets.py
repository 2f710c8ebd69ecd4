"""Keys a CI job gets from its secrets: an armored OpenPGP key as the variable's text (GitHub
secrets) or the name of a file holding it (GitLab's File variables). Text goes into a file
only this process can read, removed when the job is done."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from specport.errors import UsageError

ARMOR = "-----BEGIN PGP "


@contextmanager
def key_file(variable: str) -> Iterator[Path | None]:
    """The key in $variable as a file; None when the variable is unset or empty (a fork's pull
    request gets no secrets: its jobs read the result cache but write none)."""
    value = os.environ.get(variable, "")
    if not value.strip():
        yield None
        return
    if not value.lstrip().startswith(ARMOR):
        path = Path(value)
        if "\n" in value or not path.is_file():
            raise UsageError(f"${variable}: neither an armored key nor a file that exists")
        yield path.resolve()
        return
    with tempfile.TemporaryDirectory(prefix="specport-key-") as tmp:
        path = Path(tmp) / "key.asc"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(value.strip() + "\n")
        yield path
