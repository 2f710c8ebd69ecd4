"""Console output: one place decides what -q and -v show. Messages go to stderr."""

from __future__ import annotations

import sys

from rich.console import Console

VERBOSITY = 1  # 0 quiet, 1 normal, 2 verbose

# Tables are read in CI logs too: there is no terminal width, so do not cut them at 80 columns.
_WIDTH = None if sys.stdout.isatty() else 160
err_console = Console(stderr=True, highlight=False, soft_wrap=True)
out_console = Console(highlight=False, soft_wrap=True, width=_WIDTH)


def set_verbosity(level: int) -> None:
    global VERBOSITY
    VERBOSITY = level


def info(message: str) -> None:
    if VERBOSITY >= 1:
        err_console.print(message, markup=False)


def step(message: str) -> None:
    """The start of a long step; shown unless quiet."""
    if VERBOSITY >= 1:
        err_console.print(f"==> {message}", markup=False, style="bold")


def debug(message: str) -> None:
    if VERBOSITY >= 2:
        err_console.print(message, markup=False, style="dim")


def warn(message: str) -> None:
    err_console.print(f"specport: warning: {message}", markup=False, style="yellow")


def error(message: str) -> None:
    # plain write: an error must show even if rich cannot (closed pipe, odd terminal)
    sys.stderr.write(f"specport: error: {message}\n")
    sys.stderr.flush()
