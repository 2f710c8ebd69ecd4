"""rpm's Python bindings, imported when a command needs them and not before.

They come from the distribution (python3-rpm), not from PyPI: a venv without system site packages
lacks them, and every command that does not read .rpm files must still work there.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import ModuleType
from typing import Any

from specport.errors import ToolError

HINT = (
    "apt-get install python3-rpm (in a venv: create it with --system-site-packages, "
    "or pip install rpm, the PyPI shim that loads the system's bindings)"
)


def rpm() -> ModuleType:
    try:
        import rpm as module
    except ImportError:
        raise ToolError("this command needs rpm's Python bindings", hint=HINT) from None
    return module  # type: ignore[no-any-return]


def read_header(path: Path, error: type[Exception] = ToolError) -> Any:
    """The header of the .rpm at path, read without checking signatures or digests (a package
    may not be signed yet; consumers check); `error` (a SpecportError class) when unreadable."""
    rpm_module = rpm()
    ts = rpm_module.TransactionSet()
    ts.setVSFlags(rpm_module._RPMVSF_NOSIGNATURES | rpm_module._RPMVSF_NODIGESTS)
    try:
        fd = os.open(path, os.O_RDONLY)
        try:
            return ts.hdrFromFdno(fd)
        finally:
            os.close(fd)
    except (OSError, rpm_module.error) as exc:
        raise error(f"{path}: not a readable rpm ({exc})") from exc
