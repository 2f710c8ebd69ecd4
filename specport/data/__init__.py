"""Files specport ships besides its code: macro templates, Containerfiles, vendored tarballs.

In a git tree data/macros, data/containers and data/vendor are links to the repository's top-level
macros/, containers/ and vendor/; a wheel carries copies. Code finds them only through here.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from specport.errors import ConfigError


def _dir(name: str) -> Path:
    # specport is installed as files (pip unpacks wheels), so the resource is a real directory
    path = Path(str(resources.files("specport") / "data" / name))
    if not path.is_dir():
        raise ConfigError(f"specport's {name} files are missing from {path} (a broken install)")
    return path


def macros_dir() -> Path:
    return _dir("macros")


def containers_dir() -> Path:
    return _dir("containers")


def vendor_dir() -> Path:
    return _dir("vendor")
