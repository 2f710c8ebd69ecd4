"""`specport cache`: look at and trim the result cache (specport.cache)."""

from __future__ import annotations

import time

import click
from rich.table import Table
from rich.text import Text

from specport import log
from specport.app import App, pass_app
from specport.cache.store import LocalStore, prune_files, results_dir
from specport.config import cache_root
from specport.errors import UsageError

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def register(group: click.Group) -> None:
    group.add_command(cache)


def parse_age(text: str) -> float:
    """`30d`, `12h`, `90m`, `45s`, `2w` (a bare number is days) -> seconds."""
    text = text.strip().lower()
    unit = text[-1] if text and text[-1] in _UNITS else "d"
    number = text[:-1] if text and text[-1] in _UNITS else text
    try:
        value = float(number)
    except ValueError:
        raise UsageError(f"--older-than {text!r}: use a number and s, m, h, d or w (30d)") from None
    if value < 0:
        raise UsageError(f"--older-than {text!r}: must not be negative")
    return value * _UNITS[unit]


def _store(app: App) -> LocalStore:
    settings = app.config.settings
    return LocalStore(results_dir(cache_root(settings), settings.result_cache))


@click.group()
def cache() -> None:
    """The result cache: builds whose inputs were built before are copied, not rebuilt."""


@cache.command("list")
@pass_app
def list_entries(app: App) -> None:
    """Every cached result: spec, target, age, packages."""
    store = _store(app)
    entries = store.entries()
    table = Table(box=None, pad_edge=False, title=f"result cache: {store.root}")
    for col in ("key", "spec", "target", "built", "packages"):
        table.add_column(col, overflow="fold")
    for e in entries:
        built = time.strftime("%Y-%m-%d %H:%M", time.gmtime(e.created))
        names = "\n".join(name for name, _ in e.packages)
        table.add_row(e.key[:16], Text(e.spec), Text(e.target), built, Text(names))
    log.out_console.print(table)
    log.info(f"{len(entries)} cached results")


@cache.command("prune")
@click.option(
    "--older-than", default=None, help="Only results built longer ago than this (30d, 12h)."
)
@pass_app
def prune(app: App, older_than: str | None) -> None:
    """Remove cached results, lintian verdicts, spec answers and downloaded build dependencies
    (all, or those older than --older-than)."""
    age = parse_age(older_than) if older_than is not None else None
    gone = _store(app).prune(age)
    for e in gone:
        log.info(f"removed {e.key[:16]} ({e.spec} / {e.target})")
    log.info(f"{len(gone)} cached results removed")
    root = cache_root(app.config.settings)
    kinds = (
        ("lintian", "lintian verdicts"),
        ("spec-answers", "spec answers"),
        ("packages", "downloaded build dependencies and dnf metadata files"),
    )
    for name, what in kinds:
        log.info(f"{prune_files(root / name, age)} {what} removed")
