"""Importing bench/'s scripts (they are scripts and sibling modules, not a package)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[1] / "bench"


def bench_module(name: str) -> ModuleType:
    sys.path.insert(0, str(BENCH))  # for the module's own sibling imports too
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(BENCH))
