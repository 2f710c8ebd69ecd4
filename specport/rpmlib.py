"""rpm's Python bindings, imported when a command needs them and not before.

They come from the distribution (python3-rpm), not from PyPI: a venv without system site packages
lacks them, and every command that does not read .rpm files must still work there.
"""

from __future__ import annotations

from types import ModuleType

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
